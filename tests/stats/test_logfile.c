/*
 * Unit tests of the rotating log file (proxy/observe/logfile.c): rotation by size
 * (exact file contents), by time (a 1 s period), retention with a short
 * period (2 s), external rotation + reopen, and whole lines from
 * concurrent writers across many rotations.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "test.h"

static char dir[256];


static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/veil-logfile-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
}


static void clean_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[600];

    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    if (d) {
        closedir(d);
    }
    rmdir(dir);
}


/* Names in dir starting with <prefix>, sorted, joined with '|'. */
static void list(const char *prefix, char *out, size_t cap)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);

    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strncmp(names[i]->d_name, prefix, strlen(prefix)) == 0) {
            if (out[0]) {
                strncat(out, "|", cap - strlen(out) - 1);
            }
            strncat(out, names[i]->d_name, cap - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}


static size_t count(const char *prefix)
{
    char buf[8192];
    size_t n = 0;

    list(prefix, buf, sizeof(buf));
    if (buf[0] == '\0') {
        return 0;
    }
    for (char *p = buf; *p; p++) {
        n += *p == '|';
    }
    return n + 1;
}


static char *slurp(const char *name, size_t *len)
{
    char p[600];
    FILE *f;
    char *buf = malloc(1 << 20);

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "rb");
    *len = 0;
    if (f == NULL) {
        buf[0] = '\0';
        return buf;
    }
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}


static veil_logfile_t *open_lf(uint64_t max, uint64_t every, uint64_t keep)
{
    char path[300], err[256];
    veil_logfile_options_t o = {path, max, every, keep};
    veil_logfile_t *lf = NULL;

    snprintf(path, sizeof(path), "%s/access.log", dir);
    if (veil_logfile_open(&lf, &o, err, sizeof(err)) != 0) {
        fprintf(stderr, "open: %s\n", err);
    }
    return lf;
}


TEST(rotation_by_size)
{
    veil_logfile_t *lf;
    char names[4096], *tok, *save = NULL;
    size_t total = 0, files = 0;

    make_dir();
    lf = open_lf(100, 0, 0);
    /* 30-byte lines: three fit in 100 bytes, the fourth rotates. */
    for (int i = 0; i < 10; i++) {
        char line[40];

        snprintf(line, sizeof(line), "line %02d .....................\n", i);
        CHECK_EQ(strlen(line), 30);
        CHECK_EQ(veil_logfile_write(lf, line, 30), 0);
    }
    CHECK_EQ(veil_logfile_size(lf), 30);
    CHECK_EQ(count("access.log."), 3);
    list("access.log", names, sizeof(names));
    for (tok = strtok_r(names, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        size_t len;
        char *b = slurp(tok, &len);

        if (strcmp(tok, "access.log") == 0) {
            CHECK_STR(b, "line 09 .....................\n");
        } else {
            CHECK_EQ(len, 90);
        }
        total += len;
        files++;
        free(b);
    }
    CHECK_EQ(files, 4);
    CHECK_EQ(total, 300);
    veil_logfile_close(lf);
    clean_dir();
}


TEST(rotation_by_time)
{
    veil_logfile_t *lf;
    char names[4096], want[64];
    size_t len;
    char *b;
    time_t t0;
    struct tm tm;

    make_dir();
    lf = open_lf(0, 1, 0);
    CHECK_EQ(veil_logfile_write(lf, "first\n", 6), 0);
    t0 = time(NULL);
    while (time(NULL) == t0) {
        usleep(20000);
    }
    usleep(50000); /* the coarse clock may lag a tick */
    CHECK_EQ(veil_logfile_write(lf, "second\n", 7), 0);
    list("access.log.", names, sizeof(names));
    CHECK_EQ(count("access.log."), 1);
    /* Named after the rotation time (UTC), a second after the first. */
    {
        time_t t1 = t0 + 1;

        gmtime_r(&t1, &tm);
        strftime(want, sizeof(want), "access.log.%Y-%m-%dT%H-%M-%S", &tm);
        CHECK(strncmp(names, want, strlen("access.log.2026-11-29T07-10")) == 0);
    }
    b = slurp(names, &len);
    CHECK_STR(b, "first\n");
    free(b);
    b = slurp("access.log", &len);
    CHECK_STR(b, "second\n");
    free(b);
    veil_logfile_close(lf);
    clean_dir();
}


static void touch(const char *name)
{
    char p[600];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    fputs("x\n", f);
    fclose(f);
}


static void stamp_name(char *buf, size_t cap, const char *prefix, time_t t, const char *suffix)
{
    struct tm tm;
    char s[32];

    gmtime_r(&t, &tm);
    strftime(s, sizeof(s), "%Y-%m-%dT%H-%M-%S", &tm);
    snprintf(buf, cap, "%s%s%s", prefix, s, suffix);
}


TEST(retention_short_period)
{
    veil_logfile_t *lf;
    char old1[128], old2[128], recent[128], other[128], names[4096];
    time_t now = time(NULL);

    make_dir();
    lf = open_lf(0, 0, 2);
    stamp_name(old1, sizeof(old1), "access.log.", now - 3600, "");
    stamp_name(old2, sizeof(old2), "access.log.", now - 10, ".3");
    stamp_name(recent, sizeof(recent), "access.log.", now + 60, "");
    stamp_name(other, sizeof(other), "error.log.", now - 3600, "");
    touch(old1);
    touch(old2);
    touch(recent);
    touch(other);
    touch("access.log.bak");
    touch("access.log.2020-01-01T00-00-00.x");
    CHECK_EQ(veil_logfile_sweep(lf, now), 2);
    CHECK_EQ(count(old1), 0);
    CHECK_EQ(count(old2), 0);
    CHECK_EQ(count(recent), 1);
    CHECK_EQ(count(other), 1);
    CHECK_EQ(count("access.log.bak"), 1);
    CHECK_EQ(count("access.log.2020-01-01T00-00-00.x"), 1);

    /* In real time: a file rotated now survives 1 s and is gone after
       the 2 s retention, deleted by a tick. */
    snprintf(names, sizeof(names), "%s/%s", dir, recent);
    unlink(names);
    CHECK_EQ(veil_logfile_write(lf, "kept a while\n", 13), 0);
    CHECK_EQ(veil_logfile_rotate(lf), 0);
    CHECK_EQ(count("access.log.20"), 2); /* the rotated file + the .x one */
    sleep(1);
    CHECK_EQ(veil_logfile_tick(lf), 0);
    CHECK_EQ(count("access.log.20"), 2);
    sleep(2);
    CHECK_EQ(veil_logfile_tick(lf), 0);
    CHECK_EQ(count("access.log.20"), 1);
    CHECK_EQ(count("access.log"), 3); /* access.log, .bak, the .x one */
    veil_logfile_close(lf);
    clean_dir();
}


TEST(external_rotation_and_reopen)
{
    veil_logfile_t *lf;
    char a[600], b[600];
    size_t len;
    char *s;

    make_dir();
    lf = open_lf(0, 0, 0);
    CHECK_EQ(veil_logfile_write(lf, "one\n", 4), 0);
    snprintf(a, sizeof(a), "%s/access.log", dir);
    snprintf(b, sizeof(b), "%s/access.log.1", dir);
    CHECK_EQ(rename(a, b), 0);
    CHECK_EQ(veil_logfile_write(lf, "two\n", 4), 0); /* still the old file */
    CHECK_EQ(veil_logfile_reopen(lf), 0);
    CHECK_EQ(veil_logfile_write(lf, "three\n", 6), 0);
    s = slurp("access.log.1", &len);
    CHECK_STR(s, "one\ntwo\n");
    free(s);
    s = slurp("access.log", &len);
    CHECK_STR(s, "three\n");
    free(s);
    CHECK_EQ(veil_logfile_size(lf), 6);
    veil_logfile_close(lf);
    clean_dir();
}


#define WRITERS 4
#define LINES 3000

static void *writer(void *p)
{
    veil_logfile_t *lf = *(veil_logfile_t **)((void **)p)[0];
    int id = (int)(long)((void **)p)[1];

    for (int i = 0; i < LINES; i++) {
        char line[64];
        int n = snprintf(line, sizeof(line), "w%d %05d %s\n", id, i, "padding-padding-padding");

        veil_logfile_write(lf, line, (size_t)n);
    }
    return NULL;
}


TEST(concurrent_writers_whole_lines)
{
    static veil_logfile_t *lf;
    pthread_t t[WRITERS];
    void *args[WRITERS][2];
    char names[1 << 16], *tok, *save = NULL;
    static unsigned char seen[WRITERS][LINES];
    size_t lines = 0, bad = 0, dup = 0;

    make_dir();
    lf = open_lf(8192, 0, 0);
    for (long i = 0; i < WRITERS; i++) {
        args[i][0] = &lf;
        args[i][1] = (void *)i;
        pthread_create(&t[i], NULL, writer, args[i]);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(t[i], NULL);
    }
    list("access.log", names, sizeof(names));
    for (tok = strtok_r(names, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        size_t len;
        char *b = slurp(tok, &len), *p = b, *nl;

        while ((nl = strchr(p, '\n')) != NULL) {
            int w, i;
            char pad[64];

            if (sscanf(p, "w%d %d %63s", &w, &i, pad) != 3 || w < 0 || w >= WRITERS || i < 0 ||
                i >= LINES || strcmp(pad, "padding-padding-padding") != 0 || nl - p != 32) {
                bad++;
            } else {
                dup += seen[w][i];
                seen[w][i] = 1;
            }
            lines++;
            p = nl + 1;
        }
        bad += *p != '\0';
        free(b);
    }
    CHECK_EQ(lines, WRITERS * LINES);
    CHECK_EQ(bad, 0);
    CHECK_EQ(dup, 0);
    CHECK(count("access.log.") >= WRITERS * LINES * 33 / 8192);
    veil_logfile_close(lf);
    clean_dir();
}


int main(void)
{
    RUN(rotation_by_size);
    RUN(rotation_by_time);
    RUN(retention_short_period);
    RUN(external_rotation_and_reopen);
    RUN(concurrent_writers_whole_lines);
    TEST_MAIN_END;
}
