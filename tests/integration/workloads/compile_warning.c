/* compile_warning.c: compiles with -Wall, but with a deliberate warning (an
 * unused variable): gcc's diagnostics must be the same under memsnap. */
#include <stdio.h>

int main(void)
{
    int unused_on_purpose = 42;
    puts("compiled despite a warning");
    return 3;
}
