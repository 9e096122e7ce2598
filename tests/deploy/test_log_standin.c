/*
 * The socket log sink (proxy/observe/log_socket.c) in-process: the
 * stand-in for a record over the size limit, byte for byte, and the
 * queue's accounting of records kept, dropped and left at exit, with a
 * datagram receiver made here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log_socket.h"
#include "veil/stats.h"

#include "test.h"

static char out[512];

static const char *standin(const char *rec)
{
    size_t n = veil_logsock_standin(rec, strlen(rec), out, sizeof(out));

    out[n] = '\0';
    return out;
}

TEST(standin_keeps_time_and_id)
{
    const char *rec = "{\"@timestamp\":\"2024-01-02T03:04:05.678Z\",\"http.request.id\":"
                      "\"a\\\"b\\\\\",\"client.address\":\"127.0.0.1\"}\n";

    /* 98 bytes: the record's length, its newline included. */
    CHECK_EQ(strlen(rec), 98);
    CHECK_STR(standin(rec), "{\"@timestamp\":\"2024-01-02T03:04:05.678Z\",\"http.request.id\":"
                            "\"a\\\"b\\\\\",\"error.type\":\"log_record_too_large\","
                            "\"veil.log.record_bytes\":98}\n");
}

TEST(standin_without_id)
{
    CHECK_STR(standin("{\"@timestamp\":\"2024-01-02T03:04:05.678Z\",\"client.address\":\"x\"}\n"),
              "{\"@timestamp\":\"2024-01-02T03:04:05.678Z\",\"error.type\":"
              "\"log_record_too_large\",\"veil.log.record_bytes\":63}\n");
}

TEST(standin_of_other_shapes)
{
    /* Not veil's record shape: nothing is copied. */
    CHECK_STR(standin("{\"error.type\":\"log_record_too_large\"}\n"),
              "{\"error.type\":\"log_record_too_large\",\"veil.log.record_bytes\":38}\n");
    /* A time whose string never ends, or is too long to be one. */
    CHECK_STR(standin("{\"@timestamp\":\"2024-01-02T03:04"),
              "{\"error.type\":\"log_record_too_large\",\"veil.log.record_bytes\":31}\n");
    CHECK_STR(standin("{\"@timestamp\":\"0123456789012345678901234567890123456789x\"}\n"),
              "{\"error.type\":\"log_record_too_large\",\"veil.log.record_bytes\":59}\n");
    /* An escaped quote does not end the id; an id of 200 bytes or more
       is left out. */
    {
        char rec[400];
        int n = snprintf(rec, sizeof(rec),
                         "{\"@timestamp\":\"T\",\"http.request.id\":\"%0250d\"}\n", 0);

        CHECK(n > 250);
        CHECK_STR(standin(rec), "{\"@timestamp\":\"T\",\"error.type\":\"log_record_too_large\","
                                "\"veil.log.record_bytes\":290}\n");
    }
    CHECK_STR(standin("{\"@timestamp\":\"T\",\"http.request.id\":\"\\\""),
              "{\"@timestamp\":\"T\",\"error.type\":\"log_record_too_large\","
              "\"veil.log.record_bytes\":39}\n");
}

static uint64_t dropped[VEIL_STATS_LOGDROP__COUNT];

static void on_drop(void *ud, int reason, uint64_t n)
{
    (void)ud;
    dropped[reason] += n;
}

static void line(char *buf, size_t n, char fill)
{
    memset(buf, fill, n - 1);
    buf[0] = '{';
    buf[n - 2] = '}';
    buf[n - 1] = '\n';
}

TEST(queue_full_and_left_at_exit)
{
    /* Nobody listens: 4 records of 500 bytes fit in 2048, the fifth
       does not; at exit the 4 are unavailable. */
    veil_logsock_options_t o = {"unixgram:@veil-test-nobody-listens", 1024, 2048, on_drop, NULL};
    veil_logsock_t *ls;
    char err[256], rec[500];

    memset(dropped, 0, sizeof(dropped));
    CHECK_EQ(veil_logsock_open(&ls, &o, err, sizeof(err)), 0);
    line(rec, sizeof(rec), 'a');
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(veil_logsock_write(ls, rec, sizeof(rec)), 0);
    }
    CHECK_EQ(veil_logsock_write(ls, rec, sizeof(rec)), -ENOBUFS);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_BUFFER_FULL], 1);
    /* A fragment without its newline is no record. */
    CHECK_EQ(veil_logsock_write(ls, "{\"a\":1}", 7), -ENOBUFS);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_WRITE_ERROR], 1);
    veil_logsock_close(ls, 0);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_UNAVAILABLE], 4);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_TOO_LARGE], 0);
}

TEST(datagrams_one_record_each)
{
    veil_logsock_options_t o = {"unixgram:@veil-test-log-receiver", 1024, 0, on_drop, NULL};
    struct sockaddr_un sa = {AF_UNIX, "\0veil-test-log-receiver"};
    socklen_t salen =
        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen("veil-test-log-receiver"));
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    veil_logsock_t *ls;
    char err[256], a[100], b[1025], got[4096];
    ssize_t n;

    memset(dropped, 0, sizeof(dropped));
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, salen) == 0);
    CHECK_EQ(veil_logsock_open(&ls, &o, err, sizeof(err)), 0);
    line(a, sizeof(a), 'a');
    line(b, sizeof(b), 'b');
    {
        /* Two records in one write (a batch), then one over the limit. */
        char two[200];
        memcpy(two, a, 100);
        memcpy(two + 100, a, 100);
        two[101] = 'z';
        CHECK_EQ(veil_logsock_write(ls, two, 200), 0);
    }
    CHECK_EQ(veil_logsock_write(ls, b, sizeof(b)), 0);
    veil_logsock_close(ls, 2000);
    n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
    CHECK(n == 100 && memcmp(got, a, 100) == 0);
    n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
    CHECK(n == 100 && got[1] == 'z' && got[99] == '\n');
    n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
    got[n > 0 ? n : 0] = '\0';
    CHECK_STR(got, "{\"error.type\":\"log_record_too_large\",\"veil.log.record_bytes\":1025}\n");
    CHECK_EQ(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_TOO_LARGE], 1);
    CHECK_EQ(dropped[VEIL_STATS_LOGDROP_UNAVAILABLE], 0);
    close(fd);
}

TEST(bad_addresses)
{
    static const char *const bad[] = {
        "unix:", "unix:relative", "unixgram:@", "/plain/file",
        "unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    char err[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        veil_logsock_options_t o = {bad[i], 4096, 0, NULL, NULL};
        veil_logsock_t *ls = NULL;

        CHECK_EQ(veil_logsock_open(&ls, &o, err, sizeof(err)), -EINVAL);
        CHECK(ls == NULL);
    }
    CHECK_EQ(veil_logsock_kind("unix:/x"), VEIL_LOGSOCK_STREAM);
    CHECK_EQ(veil_logsock_kind("unixgram:/x"), VEIL_LOGSOCK_DGRAM);
    CHECK_EQ(veil_logsock_kind("./unix:x"), VEIL_LOGSOCK_NONE);
}

int main(void)
{
    RUN(standin_keeps_time_and_id);
    RUN(standin_without_id);
    RUN(standin_of_other_shapes);
    RUN(queue_full_and_left_at_exit);
    RUN(datagrams_one_record_each);
    RUN(bad_addresses);
    TEST_MAIN_END;
}
