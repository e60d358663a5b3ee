/* library.c: finds the libmemsnap.so that 'run' preloads.
 *
 * The library is looked for next to the memsnap executable (the build tree:
 * build/memsnap beside build/libmemsnap.so), then in ../lib/memsnap/ (an
 * installed layout: bin/memsnap, lib/memsnap/libmemsnap.so), never on the
 * library search path, so a build tree never picks up an installed copy. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const places_beside_executable[] = {
    "libmemsnap.so",
    "../lib/memsnap/libmemsnap.so",
};

#define PLACE_COUNT (sizeof places_beside_executable / sizeof places_beside_executable[0])

/* LD_PRELOAD splits its value at colons and spaces: such a path would
 * silently preload nothing. */
static char *checked_for_preload(char *path)
{
    if (strpbrk(path, ": ") != NULL) {
        cli_error("cannot preload '%s': LD_PRELOAD cannot hold a path with ':' or ' '", path);
        free(path);
        return NULL;
    }
    return path;
}

/* The directory of this executable, from /proc/self/exe, which is absolute
 * and has symbolic links resolved, so a linked memsnap still finds its own. */
static int executable_directory(char *directory, size_t size)
{
    ssize_t length = readlink("/proc/self/exe", directory, size);
    if (length < 0)
        return -1;
    if ((size_t)length == size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    directory[length] = '\0';
    *strrchr(directory, '/') = '\0';
    return 0;
}

char *cli_library_path(const char *requested)
{
    if (requested != NULL) {
        /* Absolute, because PROG may change directory before loading it. */
        char *path = realpath(requested, NULL);
        if (path == NULL) {
            cli_error("cannot use library '%s': %s", requested, strerror(errno));
            return NULL;
        }
        return checked_for_preload(path);
    }
    char directory[PATH_MAX];
    if (executable_directory(directory, sizeof directory) != 0) {
        cli_error("cannot find libmemsnap.so: reading /proc/self/exe: %s; use --library PATH",
                  strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < PLACE_COUNT; i++) {
        char candidate[PATH_MAX];
        int length = snprintf(candidate, sizeof candidate, "%s/%s", directory,
                              places_beside_executable[i]);
        char *path = (size_t)length < sizeof candidate ? realpath(candidate, NULL) : NULL;
        if (path != NULL)
            return checked_for_preload(path);
    }
    cli_error("cannot find libmemsnap.so in %s/ or %s/../lib/memsnap/; use --library PATH",
              directory, directory);
    return NULL;
}
