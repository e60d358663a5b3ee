// containers.cpp: C++ allocation through libstdc++'s operator new and
// delete, which reach memsnap's malloc and free: new/delete, new[]/delete[],
// std::vector, std::string, std::map and std::unordered_map, an over-aligned
// type (operator new with an alignment: aligned_alloc), exceptions (allocated
// by __cxa_allocate_exception), and std::thread workers whose results are
// freed by the main thread. Prints checksums; the script compares them with
// and without the preload.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct Node {
    std::uint64_t value;
    std::string label;
    Node *next;
};

struct alignas(64) CacheLine {
    std::uint64_t words[8];
};

static std::uint64_t mix(std::uint64_t checksum, std::uint64_t value)
{
    return (checksum ^ value) * 0x100000001B3ULL;
}

// A linked list of single objects: new and delete.
static std::uint64_t linked_list()
{
    Node *head = nullptr;
    for (std::uint64_t i = 0; i < 50000; i++)
        head = new Node{ i * 7, "node-" + std::to_string(i), head };
    std::uint64_t checksum = 0;
    while (head != nullptr) {
        Node *next = head->next;
        checksum = mix(checksum, head->value + head->label.size());
        delete head;
        head = next;
    }
    return checksum;
}

// Arrays of many sizes: new[] and delete[].
static std::uint64_t arrays()
{
    std::uint64_t checksum = 0;
    for (std::size_t size = 1; size < 5000; size += 7) {
        int *numbers = new int[size];
        for (std::size_t i = 0; i < size; i++)
            numbers[i] = static_cast<int>(i * size);
        checksum = mix(checksum, static_cast<std::uint64_t>(numbers[size - 1]));
        delete[] numbers;
    }
    return checksum;
}

// Growing vectors of strings, maps keyed by strings.
static std::uint64_t containers()
{
    std::vector<std::string> words;
    std::map<std::string, std::vector<int>> index;
    std::unordered_map<std::uint64_t, std::string> by_number;
    for (int i = 0; i < 40000; i++) {
        std::string word = "w" + std::to_string(i % 1777) + std::string(static_cast<std::size_t>(i % 40), 'x');
        words.push_back(word);
        index[word].push_back(i);
        by_number[static_cast<std::uint64_t>(i) * 2654435761u] = word;
    }
    std::uint64_t checksum = words.size();
    for (const auto &entry : index)
        checksum = mix(checksum, entry.first.size() * 31 + entry.second.size());
    for (int i = 0; i < 40000; i += 3)
        by_number.erase(static_cast<std::uint64_t>(i) * 2654435761u);
    checksum = mix(checksum, by_number.size());
    words.erase(words.begin(), words.begin() + 20000);
    words.shrink_to_fit();
    return mix(checksum, words.capacity());
}

// Over-aligned objects: operator new(size, align_val_t).
static std::uint64_t aligned_objects()
{
    std::vector<std::unique_ptr<CacheLine>> lines;
    std::uint64_t misaligned = 0;
    for (std::uint64_t i = 0; i < 1000; i++) {
        lines.emplace_back(new CacheLine{ { i, i, i, i, i, i, i, i } });
        misaligned += reinterpret_cast<std::uintptr_t>(lines.back().get()) % 64 != 0;
    }
    return misaligned;
}

// Exceptions carrying strings, thrown and caught many times.
static std::uint64_t exceptions()
{
    std::uint64_t checksum = 0;
    for (int i = 0; i < 20000; i++) {
        try {
            if (i % 2)
                throw std::runtime_error("odd failure number " + std::to_string(i));
            throw std::vector<int>(static_cast<std::size_t>(i % 100), i);
        } catch (const std::runtime_error &error) {
            checksum = mix(checksum, std::string(error.what()).size());
        } catch (const std::vector<int> &numbers) {
            checksum = mix(checksum, numbers.size());
        }
    }
    return checksum;
}

// Four threads build vectors of strings; the main thread frees them all.
static std::uint64_t threads()
{
    std::vector<std::vector<std::string>> results(4);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < results.size(); t++)
        workers.emplace_back([t, &results] {
            for (int i = 0; i < 20000; i++)
                results[t].push_back(std::string(static_cast<std::size_t>(i % 300), 'a' + static_cast<char>(t)));
        });
    for (auto &worker : workers)
        worker.join();
    std::uint64_t checksum = 0;
    for (auto &strings : results) {
        for (const auto &text : strings)
            checksum = mix(checksum, text.size() + static_cast<unsigned char>(text.empty() ? 0 : text[0]));
        std::vector<std::string>().swap(strings);
    }
    return checksum;
}

int main()
{
    std::printf("linked list checksum %llu\n", static_cast<unsigned long long>(linked_list()));
    std::printf("arrays checksum %llu\n", static_cast<unsigned long long>(arrays()));
    std::printf("containers checksum %llu\n", static_cast<unsigned long long>(containers()));
    std::printf("exceptions checksum %llu\n", static_cast<unsigned long long>(exceptions()));
    std::printf("threads checksum %llu\n", static_cast<unsigned long long>(threads()));
    std::uint64_t misaligned = aligned_objects();
    std::printf("over-aligned objects misaligned: %llu\n", static_cast<unsigned long long>(misaligned));
    return misaligned == 0 ? 0 : 1;
}
