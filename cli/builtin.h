/*
 * builtin.h - the pprobe commands. Each lives in the folder of the part
 * that owns it and has the same shape: it takes its own argv (argv[0] is
 * the command's name) and returns the process exit status. The hub,
 * cli/pprobe.c, dispatches to them from one table.
 */
#ifndef PPROBE_BUILTIN_H
#define PPROBE_BUILTIN_H

int cmd_record(int argc, const char **argv);  /* collector/builtin-record.c */
int cmd_report(int argc, const char **argv);  /* report/builtin-report.c */
int cmd_list(int argc, const char **argv);    /* events/builtin-list.c */
/* record and report together, so in the hub: cli/builtin-scale.c */
int cmd_scale(int argc, const char **argv);

/*
 * Only the first step of cmd_report() and cmd_scale(): the command line
 * parsed and checked as the command would, with nothing run, read or
 * written (beyond the messages, and --help). Return -1 when the command
 * would go on, else the exit status it would return (0 after --help,
 * EXIT_USAGE). For the command-line fuzzer, fuzz/fuzz_options.c;
 * record_check_args() in collector/record.h is record's.
 */
int report_check_args(int argc, const char **argv);
int scale_check_args(int argc, const char **argv);

#endif /* PPROBE_BUILTIN_H */
