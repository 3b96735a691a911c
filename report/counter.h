/*
 * counter.h - the judgements the report makes about one counter value.
 *
 * The record file holds raw facts: a value with its time enabled and time
 * running, and what happened when the counter was opened. Everything the
 * report says about them (the scaled estimate under multiplexing, "not
 * counted", msec for clock events, rates per second, the number as a person
 * reads it) is decided here, in small pure functions with no I/O and no
 * state, so each rule can be unit-tested on its boundaries.
 */
#ifndef PPROBE_REPORT_COUNTER_H
#define PPROBE_REPORT_COUNTER_H

#include <stddef.h>
#include <stdint.h>

/* What a counter's figure is, as the report names it (see _status_name). */
enum counter_status {
	COUNTER_COUNTED,        /* a value, exact or scaled */
	COUNTER_NOT_COUNTED,    /* opened, but never on a CPU (running == 0) */
	COUNTER_NOT_SUPPORTED,  /* this machine has no such event */
	COUNTER_NOT_PERMITTED,  /* perf_event_paranoid or capabilities refused */
	COUNTER_FAILED,         /* any other failure to open */
};

/* "counted", "not counted", "not supported", "not permitted", "failed". */
const char *counter_status_name(enum counter_status status);

/*
 * The status of a counter from its open status (enum rec_event_status; an
 * unknown value is COUNTER_FAILED), whether a run has a reading for it at
 * all, and its running time. An opened counter without a reading, or one
 * that never ran, was not counted.
 */
enum counter_status counter_status_of(uint32_t open_status, int has_reading,
				      uint64_t running_ns);

/* A raw value turned into the report's estimate. */
struct counter_scaled {
	double value;    /* raw * enabled / running */
	double percent;  /* running / enabled * 100, at most 100 */
	int scaled;      /* running < enabled: value is an estimate */
};

/*
 * Scales a raw value for multiplexing, as perf does. Returns 0, or -1 when
 * running_ns is 0 (the counter was never counted: there is no estimate).
 * The product is taken in long double, so no u64 overflows. A running time
 * at or above the enabled time (or an enabled time of 0) is not scaled.
 */
int counter_scale(uint64_t raw, uint64_t enabled_ns, uint64_t running_ns,
		  struct counter_scaled *out);

/*
 * Whether an event measures CPU time in nanoseconds (task-clock,
 * cpu-clock, with or without a :modifier, or any event whose raw unit is
 * "ns"). Those are shown in msec, as perf shows them.
 */
int counter_is_time(const char *name, const char *raw_unit);

/*
 * The unit a value is shown in, and what to divide the raw value by to get
 * there: "msec" and 1e6 for time events, else the raw unit ("" for a plain
 * count) and 1. Never NULL.
 */
const char *counter_unit(const char *name, const char *raw_unit,
			 double *divisor);

/*
 * Whether an event name is `base`, with or without a :modifier:
 * ("task-clock:u", "task-clock") -> 1, ("task-clocks", "task-clock") -> 0.
 */
int counter_name_is(const char *name, const char *base);

/*
 * value / seconds. Returns 0, or -1 when seconds is not a positive finite
 * number or the result is not finite (no rate can be given).
 */
int counter_rate(double value, double seconds, double *rate);

/*
 * The SI prefix for a rate as perf prints it: "G" at or above 1e9, "M" at
 * or above 1e6, "K" at or above 1e3, else "". *shown is rate divided by
 * the prefix's factor.
 */
const char *counter_si_prefix(double rate, double *shown);

/*
 * Room for any number the formatters below print: a double of up to
 * 1e38 (a u64 times a u64 ratio) with separators and decimals fits in
 * 64 characters; larger ones fall back to exponent notation.
 */
#define COUNTER_NUMBER_MAX 80

/*
 * A number with thousands separators, whatever the locale:
 * 1234567 -> "1,234,567". Writes into buf (size bytes, at least
 * COUNTER_NUMBER_MAX for every value to fit) and returns buf.
 */
char *counter_format_u64(char *buf, size_t size, uint64_t value);
/*
 * The same for a double with `decimals` digits after the point (0 to 9):
 * 1234.5678, 2 -> "1,234.57". A value that is not finite gives "nan" or
 * "inf"; one too large to print in full is printed as %.6e.
 */
char *counter_format_double(char *buf, size_t size, double value, int decimals);

/* The facts about one counter in one run, as the report reads them. */
struct counter_input {
	const char *name;      /* as the recording spells it */
	const char *raw_unit;  /* "ns" or "" */
	uint32_t open_status;  /* enum rec_event_status */
	uint32_t flags;        /* REC_EVENT_F_* */
	int has_reading;       /* the run has a value for it */
	uint64_t raw, enabled_ns, running_ns;
};

/* Everything the report says about that counter. */
struct counter_view {
	enum counter_status status;
	const char *unit;       /* "msec" for time events, else the raw unit */
	int has_reading;        /* raw, enabled_ns, running_ns are from the file */
	uint64_t raw, enabled_ns, running_ns;
	int has_value;          /* status is COUNTER_COUNTED */
	double value;           /* scaled, in `unit` (raw ns / 1e6 for msec) */
	int scaled;             /* value is an estimate (multiplexed) */
	int has_percent;        /* a reading with an enabled time above 0 */
	double percent_counted; /* running / enabled * 100, at most 100 */
	int is_time;            /* see counter_is_time() */
	int user_only;          /* the kernel side was not counted */
	int user_fallback;      /* ... not because it was asked for, but as the
				 * fallback after the kernel side was refused */
};

/* Judges one counter. Never fails; out->unit is never NULL. */
void counter_judge(const struct counter_input *in, struct counter_view *out);

#endif /* PPROBE_REPORT_COUNTER_H */
