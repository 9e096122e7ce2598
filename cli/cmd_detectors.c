/*
 * veil detectors [--json]: the catalog of built-in detectors.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "veil/scan.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

int veil_cmd_detectors(int argc, char **argv)
{
    int json = 0;
    char regs[64];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: veil detectors [--json]\n\n"
                   "Prints the built-in detectors: id, category, regulations, validator,\n"
                   "an example and how confidence is assigned.\n");
            return 0;
        } else {
            fprintf(stderr, "veil detectors: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!json) {
        printf("%-18s %-14s %-26s %-18s %s\n", "ID", "CATEGORY", "REGULATIONS", "VALIDATOR",
               "EXAMPLE");
    } else {
        printf("[\n");
    }
    for (size_t i = 0; i < veil_catalog_count(); i++) {
        const veil_detector_info_t *d = veil_catalog_get(i);
        veil_regulations_format(d->regulations, regs, sizeof(regs));
        if (!json) {
            printf("%-18s %-14s %-26s %-18s %s\n", d->id, veil_category_name(d->category),
                   regs[0] ? regs : "-", d->validator ? d->validator : "-", d->example);
            continue;
        }
        printf("  {\"id\": ");
        json_string(stdout, d->id);
        printf(", \"category\": ");
        json_string(stdout, veil_category_name(d->category));
        printf(", \"regulations\": [");
        for (char *r = regs, *comma; *r; r = comma ? comma + 1 : r + strlen(r)) {
            comma = strchr(r, ',');
            if (comma) {
                *comma = '\0';
            }
            printf("%s\"%s\"", r == regs ? "" : ", ", r);
            if (!comma) {
                break;
            }
        }
        printf("], \"validator\": ");
        if (d->validator) {
            json_string(stdout, d->validator);
        } else {
            printf("null");
        }
        printf(", \"label\": ");
        json_string(stdout, d->label);
        printf(", \"context\": ");
        json_string(stdout, d->context);
        printf(", \"confidence\": ");
        json_string(stdout, d->confidence);
        printf(", \"example\": ");
        json_string(stdout, d->example);
        printf("}%s\n", i + 1 < veil_catalog_count() ? "," : "");
    }
    if (json) {
        printf("]\n");
    }
    return 0;
}
