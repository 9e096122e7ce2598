/*
 * Secret files (include/veil/secret_file.h), PostgreSQL's rule for its
 * server key: owned by the user veil runs as with no group or others
 * access, or owned by root with at most group read. One case per rule,
 * through veil_secret_open() and through the two key loaders that use it
 * (token keys, hash keys), with the exact reasons. Cases that give a file
 * to root or to another user need root (CI runs as root); without it
 * they are reported as skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "veil/secret_file.h"
#include "veil/tokens.h"
#include "veil/transform.h"

#define OTHER_UID 4242

static char dir[] = "/tmp/veil-test-secret-XXXXXX";
static int skipped;

/* A file of 32 bytes with <mode> and owner <uid> (-1: as made). */
static const char *make(const char *name, mode_t mode, int uid)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    unsigned char key[32];
    int fd;

    memset(key, 'k', sizeof(key));
    snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
    unlink(p);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key)) {
        perror(p);
        abort();
    }
    close(fd);
    if (uid >= 0 && chown(p, (uid_t)uid, (gid_t)-1) != 0) {
        perror(p);
        abort();
    }
    if (chmod(p, mode) != 0) {
        abort();
    }
    return p;
}


static int opens(const char *path, char *err, size_t len)
{
    int fd = veil_secret_open(path, err, len);

    if (fd >= 0) {
        close(fd);
        return 0;
    }
    return fd;
}


static void mode_reason(char *out, size_t len, const char *path, unsigned mode)
{
    snprintf(out, len,
             "%s: has group or others access (mode %04o): a secret file must be "
             "0600 or less when owned by the user veil runs as, 0640 or less when owned by "
             "root (chmod 600)",
             path, mode);
}


TEST(own_files)
{
    char err[512], want[512];
    const char *p;
    /* Owned by veil's user: 0600 and 0400 only. As root, "veil's user" is
       root, and the root rule applies. */
    p = make("own600", 0600, -1);
    CHECK_EQ(opens(p, err, sizeof(err)), 0);
    p = make("own400", 0400, -1);
    CHECK_EQ(opens(p, err, sizeof(err)), 0);
    p = make("own644", 0644, -1);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    mode_reason(want, sizeof(want), p, 0644);
    CHECK_STR(err, want);
    p = make("own604", 0604, -1);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    p = make("own620", 0620, -1);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    if (geteuid() != 0) {
        p = make("own640", 0640, -1);
        CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
        mode_reason(want, sizeof(want), p, 0640);
        CHECK_STR(err, want);
    }
}


TEST(root_files)
{
    char err[512], want[512];
    const char *p;

    if (geteuid() != 0) {
        fprintf(stderr, "SKIP root_files: needs root\n");
        skipped++;
        return;
    }
    p = make("root640", 0640, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), 0);
    p = make("root440", 0440, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), 0);
    p = make("root600", 0600, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), 0);
    p = make("root644", 0644, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    mode_reason(want, sizeof(want), p, 0644);
    CHECK_STR(err, want);
    p = make("root660", 0660, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    p = make("root650", 0650, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    p = make("root604", 0604, 0);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
}


TEST(other_owner)
{
    char err[512], want[512];
    const char *p;

    if (geteuid() != 0) {
        fprintf(stderr, "SKIP other_owner: needs root\n");
        skipped++;
        return;
    }
    p = make("other640", 0640, OTHER_UID);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    snprintf(want, sizeof(want),
             "%s: owned by uid %d: a secret file must be owned by the "
             "user veil runs as (uid 0) or by root",
             p, OTHER_UID);
    CHECK_STR(err, want);
    p = make("other600", 0600, OTHER_UID);
    CHECK_EQ(opens(p, err, sizeof(err)), -EPERM);
    snprintf(want, sizeof(want),
             "%s: owned by uid %d: a secret file must be owned by the "
             "user veil runs as (uid 0) or by root",
             p, OTHER_UID);
    CHECK_STR(err, want);
}


TEST(not_regular_and_missing)
{
    char err[512], want[512], link[300];
    const char *p = make("target", 0600, -1);

    CHECK_EQ(opens(dir, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want), "%s: not a regular file", dir);
    CHECK_STR(err, want);
    /* A symbolic link is followed: the file it names is checked (a
       Kubernetes volume's KEY -> ..data/KEY). */
    snprintf(link, sizeof(link), "%s/link", dir);
    unlink(link);
    CHECK_EQ(symlink(p, link), 0);
    CHECK_EQ(opens(link, err, sizeof(err)), 0);
    CHECK_EQ(chmod(p, 0644), 0);
    CHECK_EQ(opens(link, err, sizeof(err)), -EPERM);
    unlink(link);
    snprintf(link, sizeof(link), "%s/missing", dir);
    CHECK_EQ(opens(link, err, sizeof(err)), -ENOENT);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", link);
    CHECK_STR(err, want);
}


TEST(read_limits)
{
    char err[512], want[512];
    unsigned char buf[64];
    size_t n = 99;
    const char *p = make("read", 0600, -1);

    CHECK_EQ(veil_secret_read(p, buf, 33, &n, err, sizeof(err)), 0);
    CHECK_EQ(n, 32);
    CHECK(buf[0] == 'k' && buf[31] == 'k');
    CHECK_EQ(veil_secret_read(p, buf, 32, &n, err, sizeof(err)), -EFBIG);
    CHECK_EQ(n, 0);
    snprintf(want, sizeof(want), "%s: larger than 31 bytes", p);
    CHECK_STR(err, want);
}


/* The loaders of token key files and hash key files take the same rule. */
TEST(key_loaders)
{
    veil_hash_key_t k;
    char err[512];
    const char *p;

    p = make("tok600", 0600, -1);
    CHECK_EQ(veil_token_key_load(&k, p, err, sizeof(err)), 0);
    CHECK_EQ(k.len, 32);
    p = make("tok644", 0644, -1);
    CHECK_EQ(veil_token_key_load(&k, p, err, sizeof(err)), -EPERM);
    CHECK(strstr(err, "has group or others access (mode 0644)") != NULL);
    CHECK_EQ(k.len, 0);
    p = make("hash644", 0644, -1);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EPERM);
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP key_loaders (root and other owners): needs root\n");
        skipped++;
        return;
    }
    p = make("tok640root", 0640, 0);
    CHECK_EQ(veil_token_key_load(&k, p, err, sizeof(err)), 0);
    p = make("tok640other", 0640, OTHER_UID);
    CHECK_EQ(veil_token_key_load(&k, p, err, sizeof(err)), -EPERM);
    CHECK(strstr(err, ": owned by uid 4242: ") != NULL);
    p = make("hash640root", 0640, 0);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), 0);
    CHECK_EQ(k.len, 32);
    p = make("hash640other", 0640, OTHER_UID);
    CHECK_EQ(veil_hash_key_load(&k, p, NULL, err, sizeof(err)), -EPERM);
}


int main(void)
{
    char cmd[64];

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(own_files);
    RUN(root_files);
    RUN(other_owner);
    RUN(not_regular_and_missing);
    RUN(read_limits);
    RUN(key_loaders);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
    if (skipped) {
        fprintf(stderr, "%d case(s) skipped: not root\n", skipped);
    }
    TEST_MAIN_END;
}
