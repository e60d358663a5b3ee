// cpp_new.cpp: blocks lost from C++ new and new[]:
//   new Widget        40 bytes (operator new(40))
//   new Widget[5]     208 bytes: 5 * 40 plus the 8-byte array cookie that
//                     holds the count, as Widget has a destructor
//                     (operator new[](208)); the pointer new[] returns is
//                     the block + 8
//   new char[3456]    3456 bytes, no cookie
// All three are dropped. Expected: definite 3704 bytes in 3 blocks, in 3
// groups (three call sites).
//
// Only dropped pointers here; held_new_array.cpp holds such an array.
#include "leaks.h"

#include <new>

struct Widget {
    long values[5];
    Widget() { for (long &v : values) v = -0x5A5A5A5A5A5A5A5BL; }
    ~Widget() { escape(values); }
};

static_assert(sizeof(Widget) == 40, "Widget is 40 bytes");

static LEAKS_NOINLINE void leak_new()
{
    Widget *widget = new Widget;
    escape(widget);
}

static LEAKS_NOINLINE void leak_new_array()
{
    Widget *widgets = new Widget[5];
    escape(widgets);
}

static LEAKS_NOINLINE void leak_new_chars()
{
    char *chars = new char[3456];
    fill(chars, 3456);
}

int main()
{
    leak_new();
    leak_new_array();
    leak_new_chars();
    scrub_stack();
    say("cpp_new: 40 + 208 + 3456 bytes lost from new and new[]\n");
    return 0;
}
