/* iplist-cli.h - the "tollgate iplist" subcommand. */
#ifndef TG_IPLIST_CLI_H
#define TG_IPLIST_CLI_H

/* argv[0] is "iplist". Returns the process exit status (0, 1, 2). */
int iplist_cli_main(int argc, char **argv);

#endif
