/* snapshot_repeat.c: calls memsnap_snapshot a number of times and says
 * what each call returned, for the shell tests of file names, directories
 * and failures.
 *
 * Usage: snapshot_repeat [--chdir DIR] [--tag TAG | --null-tag] COUNT
 *
 * Allocates a little, changes to DIR if asked (after memsnap started: a
 * relative MEMSNAP_DIR must stay relative to the starting directory), then
 * calls memsnap_snapshot(TAG) COUNT times (TAG "repeat" unless given;
 * --null-tag passes NULL) and prints one line per call:
 *   "snapshot N: 0"  or  "snapshot N: -1 ERRNO_NAME"
 * A failed call must set errno (include/memsnap.h: -1 with errno): one
 * that leaves it 0 prints "-1 errno-not-set". Exits 0 (the script judges
 * the lines), 2 on a usage error or when DIR cannot be entered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memsnap.h"

static const char *errno_name(int error)
{
    switch (error) {
    case 0: return "errno-not-set";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case EFBIG: return "EFBIG";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EIO: return "EIO";
    default: return "another-errno";
    }
}

int main(int argc, char **argv)
{
    const char *tag = "repeat", *directory = NULL;
    int i = 1;
    for (; i < argc - 1; i++) {
        if (strcmp(argv[i], "--chdir") == 0 && i + 1 < argc - 1)
            directory = argv[++i];
        else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc - 1)
            tag = argv[++i];
        else if (strcmp(argv[i], "--null-tag") == 0)
            tag = NULL;
        else
            break;
    }
    if (i != argc - 1 || atoi(argv[i]) < 1) {
        fprintf(stderr, "usage: snapshot_repeat [--chdir DIR] [--tag TAG | --null-tag] COUNT\n");
        return 2;
    }
    int count = atoi(argv[i]);
    char *volatile kept = malloc(1234);
    if (kept == NULL)
        return 2;
    memset(kept, 1, 1234);
    if (directory != NULL && chdir(directory) != 0) {
        fprintf(stderr, "snapshot_repeat: cannot enter %s: %s\n", directory, strerror(errno));
        return 2;
    }
    for (int n = 1; n <= count; n++) {
        errno = 0;
        int result = memsnap_snapshot(tag);
        if (result == 0)
            printf("snapshot %d: 0\n", n);
        else
            printf("snapshot %d: %d %s\n", n, result, errno_name(errno));
    }
    return 0;
}
