/* rules-cli.h - the "tollgate rules" subcommands. */
#ifndef TG_RULES_CLI_H
#define TG_RULES_CLI_H

/* argv[0] is "rules". Returns the process exit status (0 ok, 1 runtime error, 2 usage/config/rule errors). */
int rules_cli_main(int argc, char **argv);

/* "rules test": argv[0] is "test". Returns the exit status. */
int rules_test_main(int argc, char **argv);

#endif
