/*
 * Helpers for veil run's statistics flags: sizes and durations of the
 * access-log rotation, and the configuration id shown by /stats,
 * /metrics and the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "veil/config.h"
#include "veil/stats.h"


int veil_stats_parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    v = strtoull(s, &end, 10);
    if (errno != 0) {
        return -1;
    }
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0' || v > (UINT64_MAX >> shift)) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}


int veil_stats_parse_secs(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mul = 1;

    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    v = strtoull(s, &end, 10);
    if (errno != 0) {
        return -1;
    }
    switch (*end) {
    case 's':
        end++;
        break;
    case 'm':
        mul = 60;
        end++;
        break;
    case 'h':
        mul = 3600;
        end++;
        break;
    case 'd':
        mul = 86400;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0' || v > UINT64_MAX / mul) {
        return -1;
    }
    *out = (uint64_t)v * mul;
    return 0;
}


void veil_stats_config_id(veil_stats_t *s, int (*config_json)(void *, veil_jbuf_t *), void *ud)
{
    veil_jbuf_t b;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char id[32];
    struct timespec ts;

    veil_jbuf_init(&b, 1024 * 1024);
    if (config_json(ud, &b) == 0 &&
        EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen >= 6) {
        snprintf(id, sizeof(id), "sha256:%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3],
                 md[4], md[5]);
    } else {
        snprintf(id, sizeof(id), "unknown");
    }
    veil_jbuf_dispose(&b);
    clock_gettime(CLOCK_REALTIME, &ts);
    veil_stats_set_config(s, id, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}


void veil_stats_config_digest(veil_stats_t *s, const struct veil_config *c)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *text = NULL, id[32];
    size_t len = 0;
    struct timespec ts;
    FILE *f = open_memstream(&text, &len);

    /* The dump writes secrets as their references, never their values,
       so the digest changes with the settings, not with a key. */
    snprintf(id, sizeof(id), "unknown");
    if (f != NULL) {
        veil_config_dump(c, f);
        if (fclose(f) == 0 && EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
            mdlen >= 6) {
            snprintf(id, sizeof(id), "sha256:%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3],
                     md[4], md[5]);
        }
        free(text);
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    veil_stats_set_config(s, id, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}
