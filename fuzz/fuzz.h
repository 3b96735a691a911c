/*
 * fuzz.h - the entry points of pprobe's fuzz targets (fuzz/README.md).
 *
 * Each target is a plain C function that takes one input as bytes and
 * runs it through the product code, returning normally whatever the
 * bytes are: a crash, a sanitizer report or a hang is the bug. They
 * return 0, or -errno when they could not set the input up at all (a
 * failure of the machine, not of the input). Two
 * drivers call them: libFuzzer (libfuzzer.c, built into one executable
 * per entry point by a clang build with PPROBE_FUZZ: `make fuzz`), and
 * the unit test tests/unit/test_fuzz_regress.c, which replays the seeds
 * and every input that ever failed in the normal build.
 */
#ifndef PPROBE_FUZZ_H
#define PPROBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * The bytes as a recording, through `pprobe report` in each of its
 * outputs on standard output (fuzz_report.c). Returns 0, or -errno when
 * the input could not be handed to the report (no memfd).
 */
int fuzz_report_one(const uint8_t *data, size_t size);

/*
 * The same, for the charts and the CSV time series, which go into a
 * temporary directory removed at exit. Returns 0 or -errno, likewise.
 */
int fuzz_charts_one(const uint8_t *data, size_t size);

/*
 * The bytes as a command line, words separated by NUL or newline bytes,
 * through the option parsing and checking of record, report and scale
 * (fuzz_options.c). Runs and writes nothing but messages. Returns 0, or
 * -ENOMEM.
 */
int fuzz_options_one(const uint8_t *data, size_t size);

/* libFuzzer's hooks (libfuzzer.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* PPROBE_FUZZ_H */
