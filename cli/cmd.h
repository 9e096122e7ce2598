/* The subcommands of the veil executable, one per cli/cmd_<name>.c. */
#ifndef VEIL_PROXY_CMD_H
#define VEIL_PROXY_CMD_H

int veil_cmd_scan(int argc, char **argv);
int veil_cmd_detectors(int argc, char **argv);
int veil_cmd_run(int argc, char **argv);
int veil_cmd_report(int argc, char **argv);
int veil_cmd_check(int argc, char **argv);
int veil_cmd_test(int argc, char **argv);
/* cmd_tokenize.c */
int veil_cmd_tokenize(int argc, char **argv);
int veil_cmd_detokenize(int argc, char **argv);
int veil_cmd_tokens(int argc, char **argv);

#endif
