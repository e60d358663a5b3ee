/* compile_error.c: does not compile (a deliberate type error): gcc's error
 * message and exit status must be the same under memsnap. */
int main(void)
{
    struct point { int x, y; } p = { 1, 2 };
    return p + 1;
}
