/*
 * veil: command-line entry point. Each subcommand lives in its own
 * cli/cmd_<name>.c and takes (argc, argv) with argv[0] the subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "veil/veil.h"
#include "cmd.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"scan", veil_cmd_scan, "redact files or stdin, report findings"},
    {"detectors", veil_cmd_detectors, "print the detector catalog"},
    {"run", veil_cmd_run, "run the proxy"},
    {"report", veil_cmd_report, "write the transparency report from stats"},
    {"check", veil_cmd_check, "validate a configuration file"},
    {"test", veil_cmd_test, "run a configuration file's tests"},
    {"tokenize", veil_cmd_tokenize, "replace findings by reversible tokens"},
    {"detokenize", veil_cmd_detokenize, "turn tokens back into values (audited)"},
    {"tokens", veil_cmd_tokens, "token keys: rewrap tokens under a new key"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: veil <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\n'veil <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("veil %s\n", VEIL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "veil: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
