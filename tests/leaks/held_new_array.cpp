// held_new_array.cpp: a global holds what new Widget[5] returned. Widget has
// a destructor, so the block is 208 bytes: an 8-byte cookie with the element
// count, then 5 * 40 bytes; the pointer the program holds is the block + 8,
// an interior pointer. memcheck's "newarray" heuristic (on by default) takes
// it for a start pointer, and so does memsnap. Expected: reachable at least
// 208 bytes in 1 block, nothing lost or possibly lost.
#include "leaks.h"

struct Widget {
    long values[5];
    Widget() { for (long &v : values) v = -0x5A5A5A5A5A5A5A5BL; }
    ~Widget() { escape(values); }
};

static_assert(sizeof(Widget) == 40, "Widget is 40 bytes");

Widget *held_widgets;

static LEAKS_NOINLINE void hold()
{
    held_widgets = new Widget[5];
}

int main()
{
    hold();
    scrub_stack();
    say("held_new_array: 208 bytes held through new[]'s interior pointer\n");
    return 0;
}
