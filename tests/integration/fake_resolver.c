/*
 * A getaddrinfo() stand-in for the re-resolution tests, loaded into veil
 * with LD_PRELOAD. It answers for the names listed in the file named by
 * $VEIL_FAKE_HOSTS ("name addr [addr ...]" per line, IPv4 or IPv6
 * literals, in the order to return them; a name with no address fails
 * with EAI_NONAME) and passes every other name to the C library. The
 * file is read again on every call, so a test changes an answer by
 * rewriting it, without /etc/hosts and without DNS.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Marks the answers built here, so freeaddrinfo() knows them. */
static char fake_mark[] = "veil-fake-resolver";

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
typedef void (*fai_fn)(struct addrinfo *);


/* One answer entry with its address in the same block. */
static struct addrinfo *entry(const char *lit, int port)
{
    struct {
        struct addrinfo ai;
        struct sockaddr_storage ss;
    } *e = calloc(1, sizeof(*e));
    struct sockaddr_in *a4 = (struct sockaddr_in *)&e->ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&e->ss;

    if (e == NULL) {
        return NULL;
    }
    if (inet_pton(AF_INET, lit, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((unsigned short)port);
        e->ai.ai_addrlen = sizeof(*a4);
    } else if (inet_pton(AF_INET6, lit, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((unsigned short)port);
        e->ai.ai_addrlen = sizeof(*a6);
    } else {
        free(e);
        return NULL;
    }
    e->ai.ai_family = e->ss.ss_family;
    e->ai.ai_socktype = SOCK_STREAM;
    e->ai.ai_protocol = IPPROTO_TCP;
    e->ai.ai_addr = (struct sockaddr *)&e->ss;
    e->ai.ai_canonname = fake_mark;
    return &e->ai;
}


void freeaddrinfo(struct addrinfo *res)
{
    static fai_fn real;

    if (res != NULL && res->ai_canonname == fake_mark) {
        while (res != NULL) {
            struct addrinfo *next = res->ai_next;

            free(res);
            res = next;
        }
        return;
    }
    if (real == NULL) {
        real = (fai_fn)dlsym(RTLD_NEXT, "freeaddrinfo");
    }
    real(res);
}


int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    static gai_fn real;
    const char *path = getenv("VEIL_FAKE_HOSTS");
    char line[1024];
    FILE *f;

    if (path != NULL && node != NULL && (f = fopen(path, "r")) != NULL) {
        while (fgets(line, sizeof(line), f) != NULL) {
            char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
            struct addrinfo *head = NULL, **tail = &head;
            int port = service ? atoi(service) : 0;

            if (tok == NULL || strcmp(tok, node) != 0) {
                continue;
            }
            while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
                struct addrinfo *e = entry(tok, port);

                if (e != NULL) {
                    *tail = e;
                    tail = &e->ai_next;
                }
            }
            fclose(f);
            if (head == NULL) {
                return EAI_NONAME;
            }
            *res = head;
            return 0;
        }
        fclose(f);
    }
    if (real == NULL) {
        real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    }
    return real(node, service, hints, res);
}
