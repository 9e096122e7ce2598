/*
 * Guard pages for parser tests: guard_place() copies an input so that it
 * ends right before a PROT_NONE page, so reading one byte past the end
 * crashes the test (picohttpparser's test.c does the same).
 */
#ifndef VEIL_TEST_GUARD_H
#define VEIL_TEST_GUARD_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct guard {
    char *map;
    size_t map_len;
} guard_t;

/* A copy of src[0..len) that ends right at a PROT_NONE page. */
static char *guard_place(guard_t *g, const char *src, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    g->map_len = (pages + 1) * page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED || mprotect(g->map + pages * page, page, PROT_NONE) != 0) {
        abort();
    }
    char *p = g->map + pages * page - len;
    if (len > 0) {
        memcpy(p, src, len);
    }
    return p;
}

static void guard_free(guard_t *g)
{
    munmap(g->map, g->map_len);
}

#endif
