#!/usr/bin/env bash
# tests/integration/test_install.sh: `make install` with DESTDIR and PREFIX
# puts the CLI, the library, the header and the man page where they belong;
# the installed CLI finds the installed library; the header compiles in a
# program built against the installed include folder; the man page renders
# without a warning.
#
#   bash tests/integration/test_install.sh     (from the top of the tree)
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

destdir=$WORK/destdir
prefix=/opt/memsnap-test
root=$destdir$prefix

check "make install DESTDIR=... PREFIX=$prefix succeeds" \
    make -s --no-print-directory install DESTDIR="$destdir" PREFIX="$prefix"

installed() {
    [ -f "$root/$1" ] && [ "$(stat -c %a "$root/$1")" = "$2" ]
}
check "bin/memsnap, mode 755" installed bin/memsnap 755
check "lib/memsnap/libmemsnap.so, mode 755" installed lib/memsnap/libmemsnap.so 755
check "include/memsnap.h, mode 644" installed include/memsnap.h 644
check "share/man/man1/memsnap.1, mode 644" installed share/man/man1/memsnap.1 644

# The installed CLI preloads the installed library, not the build's.
mkdir -p "$WORK/installed-snapshots"
# shellcheck disable=SC2016  # expanded by the sh that memsnap runs
preload=$(env -u MEMSNAP_DIR "$root/bin/memsnap" run --output-dir "$WORK/installed-snapshots" \
    -- sh -c 'echo "$LD_PRELOAD"' 2>"$WORK/installed.err")
check "installed memsnap preloads $prefix/lib/memsnap/libmemsnap.so" \
    test "$preload" = "$root/lib/memsnap/libmemsnap.so"
# (dash ends through _exit, which writes no snapshot: a C program does.)
env -u MEMSNAP_DIR "$root/bin/memsnap" run --output-dir "$WORK/installed-snapshots" \
    -- "$PROGRAMS/exit_status" 0 2>"$WORK/installed.err" || true
check "installed memsnap says where the snapshot went" \
    grep -q "^memsnap: snapshot written to $WORK/installed-snapshots/memsnap\.exit_status\." \
    "$WORK/installed.err"

# The header is enough: no library to link.
cat >"$WORK/api.c" <<'PROGRAM'
#include <memsnap.h>
#include <stdio.h>
int main(void)
{
    int status = memsnap_snapshot("x");
    printf("%d %d\n", status, errno == ENOSYS);
    return 0;
}
PROGRAM
check "a program including the installed memsnap.h builds with no library" \
    cc -Wall -Wextra -Werror -I"$root/include" -o "$WORK/api" "$WORK/api.c"
check "without the preload its calls return -1 with ENOSYS" \
    test "$("$WORK/api")" = "-1 1"

check "the man page renders with no warning" \
    sh -c "groff -man -Tutf8 -ww '$root/share/man/man1/memsnap.1' 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"

check "make uninstall removes them" \
    sh -c "make -s --no-print-directory uninstall DESTDIR='$destdir' PREFIX='$prefix' &&
           [ ! -e '$root/bin/memsnap' ] && [ ! -e '$root/lib/memsnap' ] &&
           [ ! -e '$root/include/memsnap.h' ] && [ ! -e '$root/share/man/man1/memsnap.1' ]"

finish
