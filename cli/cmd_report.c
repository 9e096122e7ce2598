/*
 * veil report: the transparency report from a running veil's admin
 * listener (/stats, fetched over a plain TCP socket) or a saved /stats
 * document.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "veil/stats.h"
#include "cmd.h"

#define MAX_DOC (64u * 1024 * 1024)

static void usage(FILE *out)
{
    fprintf(out, "usage: veil report --from URL|FILE [--format html|md|json]\n"
                 "                   [-o FILE] [--token-file FILE]\n"
                 "\n"
                 "Writes the transparency report: what veil found (by category,\n"
                 "detector and regulation), where (routes, directions, locations),\n"
                 "what it did, what it could not inspect and what it refused, over\n"
                 "the period since the process started. Counts only, never values.\n"
                 "\n"
                 "  --from URL|FILE    http://HOST:PORT of the admin listener (its\n"
                 "                     /stats is fetched), or a saved /stats JSON file\n"
                 "  --format F         html (default; self-contained), md or json\n"
                 "  -o FILE            write to FILE instead of standard output\n"
                 "  --token-file FILE  bearer token for the admin listener\n");
}


static int read_all_fd(int fd, veil_jbuf_t *b)
{
    char tmp[65536];

    for (;;) {
        ssize_t n = read(fd, tmp, sizeof(tmp));

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return 0;
        }
        if (veil_jbuf_raw(b, tmp, (size_t)n) != 0) {
            return -EFBIG;
        }
    }
}


static int read_token(const char *path, char *tok, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL) {
        return -errno;
    }
    n = fread(tok, 1, cap - 1, f);
    fclose(f);
    while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' ')) {
        n--;
    }
    tok[n] = '\0';
    return n > 0 && strpbrk(tok, "\r\n") == NULL ? 0 : -EINVAL;
}


/* GET /stats from http://HOST:PORT; the body goes to <doc>. */
static int fetch(const char *url, const char *token, veil_jbuf_t *doc)
{
    char host[256], port[16] = "80", req[1024];
    const char *p = url + 7, *end, *colon;
    struct addrinfo hints, *res = NULL, *ai;
    struct timeval tv = {10, 0};
    veil_jbuf_t raw;
    const char *hend, *body;
    int fd = -1, rc, status;
    size_t hl;

    end = p + strcspn(p, "/");
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));

        if (rb == NULL) {
            return -EINVAL;
        }
        hl = (size_t)(rb - p - 1);
        if (hl >= sizeof(host)) {
            return -EINVAL;
        }
        memcpy(host, p + 1, hl);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        hl = (size_t)((colon ? colon : end) - p);
        if (hl == 0 || hl >= sizeof(host)) {
            return -EINVAL;
        }
        memcpy(host, p, hl);
    }
    host[hl] = '\0';
    if (colon != NULL) {
        size_t pl = (size_t)(end - colon - 1);

        if (pl == 0 || pl >= sizeof(port)) {
            return -EINVAL;
        }
        memcpy(port, colon + 1, pl);
        port[pl] = '\0';
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        fprintf(stderr, "veil report: %s: %s\n", host, gai_strerror(rc));
        return -EHOSTUNREACH;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "veil report: cannot connect to %s:%s: %s\n", host, port, strerror(errno));
        return -ECONNREFUSED;
    }
    rc = snprintf(req, sizeof(req),
                  "GET /stats HTTP/1.1\r\nHost: %.*s\r\n"
                  "Accept: application/json\r\nConnection: close\r\n"
                  "%s%s%s\r\n",
                  (int)(end - p), p, token ? "Authorization: Bearer " : "", token ? token : "",
                  token ? "\r\n" : "");
    if (rc < 0 || (size_t)rc >= sizeof(req) || write(fd, req, (size_t)rc) != rc) {
        close(fd);
        return -EIO;
    }
    veil_jbuf_init(&raw, MAX_DOC + 65536);
    rc = read_all_fd(fd, &raw);
    close(fd);
    if (rc == 0 && veil_jbuf_raw(&raw, "", 1) != 0) {
        rc = -EFBIG;
    }
    if (rc != 0) {
        veil_jbuf_dispose(&raw);
        return rc;
    }
    raw.len--; /* the NUL added above */
    hend = memmem(raw.data, raw.len, "\r\n\r\n", 4);
    if (hend == NULL || sscanf(raw.data, "HTTP/1.%*d %d", &status) != 1) {
        fprintf(stderr, "veil report: not an HTTP response\n");
        veil_jbuf_dispose(&raw);
        return -EPROTO;
    }
    if (status != 200) {
        fprintf(stderr, "veil report: %s answered %d%s\n", url, status,
                status == 401 ? " (use --token-file)" : "");
        veil_jbuf_dispose(&raw);
        return -EPROTO;
    }
    body = hend + 4;
    {
        /* Content-Length, when present, bounds the body. */
        const char *cl = NULL;

        for (const char *q = raw.data; q < hend; q = strstr(q, "\r\n") + 2) {
            if (strncasecmp(q, "content-length:", 15) == 0) {
                cl = q + 15;
            }
            if (strncasecmp(q, "transfer-encoding:", 18) == 0) {
                fprintf(stderr, "veil report: chunked responses are not "
                                "supported\n");
                veil_jbuf_dispose(&raw);
                return -EPROTO;
            }
        }
        rc = veil_jbuf_raw(doc, body, (size_t)(raw.data + raw.len - body));
        if (cl != NULL) {
            unsigned long long n = strtoull(cl, NULL, 10);

            if (n > doc->len) {
                fprintf(stderr, "veil report: response cut short\n");
                rc = -EPROTO;
            } else {
                doc->len = (size_t)n;
            }
        }
    }
    veil_jbuf_dispose(&raw);
    return rc;
}


int veil_cmd_report(int argc, char **argv)
{
    const char *from = NULL, *output = NULL, *token_file = NULL;
    int format = VEIL_REPORT_HTML, rc;
    char token[512], err[256];
    veil_jbuf_t doc, out;
    FILE *f;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "veil report: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--from") == 0) {
            from = argv[++i];
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            output = argv[++i];
        } else if (strcmp(a, "--token-file") == 0) {
            token_file = argv[++i];
        } else if (strcmp(a, "--format") == 0) {
            const char *v = argv[++i];

            if (strcmp(v, "html") == 0) {
                format = VEIL_REPORT_HTML;
            } else if (strcmp(v, "md") == 0 || strcmp(v, "markdown") == 0) {
                format = VEIL_REPORT_MD;
            } else if (strcmp(v, "json") == 0) {
                format = VEIL_REPORT_JSON;
            } else {
                fprintf(stderr, "veil report: --format: html, md or json\n");
                return 2;
            }
        } else {
            fprintf(stderr, "veil report: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (from == NULL) {
        fprintf(stderr, "veil report: --from is required\n");
        usage(stderr);
        return 2;
    }
    if (token_file != NULL && read_token(token_file, token, sizeof(token)) != 0) {
        fprintf(stderr, "veil report: --token-file: cannot read one token line\n");
        return 2;
    }

    veil_jbuf_init(&doc, MAX_DOC);
    if (strncmp(from, "http://", 7) == 0) {
        rc = fetch(from, token_file ? token : NULL, &doc);
    } else if (strncmp(from, "https://", 8) == 0) {
        fprintf(stderr, "veil report: https is not supported; the admin "
                        "listener is plain HTTP on loopback\n");
        rc = -EINVAL;
    } else {
        FILE *in = strcmp(from, "-") == 0 ? stdin : fopen(from, "rb");

        if (in == NULL) {
            fprintf(stderr, "veil report: %s: %s\n", from, strerror(errno));
            veil_jbuf_dispose(&doc);
            return 1;
        }
        rc = read_all_fd(fileno(in), &doc);
        if (in != stdin) {
            fclose(in);
        }
    }
    if (rc != 0) {
        if (rc == -EINVAL) {
            fprintf(stderr, "veil report: --from: expected http://HOST:PORT "
                            "or a file\n");
        }
        veil_jbuf_dispose(&doc);
        return 1;
    }
    veil_jbuf_init(&out, MAX_DOC);
    rc = veil_report_render(doc.data, doc.len, format, &out, err, sizeof(err));
    veil_jbuf_dispose(&doc);
    if (rc != 0) {
        fprintf(stderr, "veil report: %s\n", err);
        veil_jbuf_dispose(&out);
        return 1;
    }
    f = output ? fopen(output, "wb") : stdout;
    if (f == NULL) {
        fprintf(stderr, "veil report: %s: %s\n", output, strerror(errno));
        veil_jbuf_dispose(&out);
        return 1;
    }
    rc = fwrite(out.data, 1, out.len, f) == out.len ? 0 : -EIO;
    if (output != NULL) {
        rc |= fclose(f) != 0 ? -EIO : 0;
    } else {
        rc |= fflush(f) != 0 ? -EIO : 0;
    }
    veil_jbuf_dispose(&out);
    if (rc != 0) {
        fprintf(stderr, "veil report: write failed\n");
        return 1;
    }
    return 0;
}
