/*
 * counter.c - the report's judgements about one counter value: scaling,
 * status, unit, rate and the number as printed (see counter.h).
 *
 * Nothing here reads a file or prints: these are the rules, kept apart so
 * the unit tests can hold them to their boundaries (running time 0, values
 * near UINT64_MAX, rates with no time to divide by).
 */
#include "counter.h"
#include "recfile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *counter_status_name(enum counter_status status)
{
	switch (status) {
	case COUNTER_COUNTED:
		return "counted";
	case COUNTER_NOT_COUNTED:
		return "not counted";
	case COUNTER_NOT_SUPPORTED:
		return "not supported";
	case COUNTER_NOT_PERMITTED:
		return "not permitted";
	case COUNTER_FAILED:
		break;
	}
	return "failed";
}

enum counter_status counter_status_of(uint32_t open_status, int has_reading,
				      uint64_t running_ns)
{
	switch (open_status) {
	case REC_EVENT_OPENED:
		if (!has_reading || running_ns == 0)
			return COUNTER_NOT_COUNTED;
		return COUNTER_COUNTED;
	case REC_EVENT_NOT_SUPPORTED:
		return COUNTER_NOT_SUPPORTED;
	case REC_EVENT_NOT_PERMITTED:
		return COUNTER_NOT_PERMITTED;
	default:
		/* REC_EVENT_FAILED, or a status a newer pprobe knows: either
		 * way the counter did not open as this report understands. */
		return COUNTER_FAILED;
	}
}

int counter_scale(uint64_t raw, uint64_t enabled_ns, uint64_t running_ns,
		  struct counter_scaled *out)
{
	memset(out, 0, sizeof(*out));
	if (running_ns == 0)
		return -1;
	/*
	 * running > enabled cannot happen in the kernel, and enabled == 0
	 * with running > 0 neither; a file that says so gets its raw value
	 * rather than a ratio that would make it up.
	 */
	if (enabled_ns == 0 || running_ns >= enabled_ns) {
		out->value = (double)raw;
		out->percent = 100.0;
		out->scaled = 0;
		return 0;
	}
	/* raw * enabled overflows u64 easily; long double has >= 64 bits
	 * of mantissa on x86 and is IEEE quad on arm64. */
	out->value = (double)((long double)raw * (long double)enabled_ns /
			      (long double)running_ns);
	out->percent = (double)((long double)running_ns * 100.0L /
				(long double)enabled_ns);
	out->scaled = 1;
	return 0;
}

int counter_name_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) && (name[n] == '\0' || name[n] == ':');
}

int counter_is_time(const char *name, const char *raw_unit)
{
	if (raw_unit && !strcmp(raw_unit, "ns"))
		return 1;
	/* The clocks count nanoseconds by definition, even if a writer left
	 * the unit out. */
	return counter_name_is(name, "task-clock") ||
	       counter_name_is(name, "cpu-clock");
}

const char *counter_unit(const char *name, const char *raw_unit,
			 double *divisor)
{
	if (counter_is_time(name, raw_unit)) {
		*divisor = 1e6;
		return "msec";
	}
	*divisor = 1.0;
	return raw_unit ? raw_unit : "";
}

int counter_rate(double value, double seconds, double *rate)
{
	double r;

	if (!isfinite(seconds) || seconds <= 0.0 || !isfinite(value))
		return -1;
	r = value / seconds;
	if (!isfinite(r))
		return -1;
	*rate = r;
	return 0;
}

const char *counter_si_prefix(double rate, double *shown)
{
	double magnitude = fabs(rate);

	if (magnitude >= 1e9) {
		*shown = rate / 1e9;
		return "G";
	}
	if (magnitude >= 1e6) {
		*shown = rate / 1e6;
		return "M";
	}
	if (magnitude >= 1e3) {
		*shown = rate / 1e3;
		return "K";
	}
	*shown = rate;
	return "";
}

/*
 * Copies the digits in `plain` (an optional '-', digits, then anything
 * from the first non-digit on) into buf with a ',' every three integer
 * digits. Returns -1 when buf is too small.
 */
static int group_thousands(char *buf, size_t size, const char *plain)
{
	size_t sign = plain[0] == '-', digits = 0, len = 0, rest;
	size_t commas;

	while (plain[sign + digits] >= '0' && plain[sign + digits] <= '9')
		digits++;
	rest = strlen(plain + sign + digits);
	commas = digits ? (digits - 1) / 3 : 0;
	if (sign + digits + commas + rest + 1 > size)
		return -1;
	if (sign)
		buf[len++] = '-';
	for (size_t i = 0; i < digits; i++) {
		if (i && (digits - i) % 3 == 0)
			buf[len++] = ',';
		buf[len++] = plain[sign + i];
	}
	memcpy(buf + len, plain + sign + digits, rest + 1);
	return 0;
}

char *counter_format_u64(char *buf, size_t size, uint64_t value)
{
	char plain[32];

	if (!size)
		return buf;
	snprintf(plain, sizeof(plain), "%llu", (unsigned long long)value);
	if (group_thousands(buf, size, plain) < 0)
		snprintf(buf, size, "%s", plain);
	return buf;
}

char *counter_format_double(char *buf, size_t size, double value, int decimals)
{
	char plain[COUNTER_NUMBER_MAX];

	if (!size)
		return buf;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	if (isnan(value)) {
		snprintf(buf, size, "nan");
		return buf;
	}
	if (isinf(value)) {
		snprintf(buf, size, value < 0 ? "-inf" : "inf");
		return buf;
	}
	/* %f of a huge double is hundreds of digits nobody reads. */
	if (fabs(value) >= 1e40) {
		snprintf(buf, size, "%.6e", value);
		return buf;
	}
	snprintf(plain, sizeof(plain), "%.*f", decimals, value);
	if (group_thousands(buf, size, plain) < 0)
		snprintf(buf, size, "%s", plain);
	return buf;
}

void counter_judge(const struct counter_input *in, struct counter_view *out)
{
	struct counter_scaled scaled;
	double divisor;

	memset(out, 0, sizeof(*out));
	out->unit = counter_unit(in->name, in->raw_unit, &divisor);
	out->is_time = counter_is_time(in->name, in->raw_unit);
	out->user_fallback = !!(in->flags & REC_EVENT_F_USER_FALLBACK);
	out->user_only = out->user_fallback ||
			 !!(in->flags & REC_EVENT_F_EXCLUDE_KERNEL);
	out->status = counter_status_of(in->open_status, in->has_reading,
					in->running_ns);
	/* A counter that did not open has no figures, whatever a COUNTS
	 * entry may say about it. */
	if (in->open_status != REC_EVENT_OPENED || !in->has_reading)
		return;
	out->has_reading = 1;
	out->raw = in->raw;
	out->enabled_ns = in->enabled_ns;
	out->running_ns = in->running_ns;
	if (in->enabled_ns > 0) {
		out->has_percent = 1;
		out->percent_counted = in->running_ns >= in->enabled_ns ? 100.0 :
			(double)((long double)in->running_ns * 100.0L /
				 (long double)in->enabled_ns);
	}
	if (out->status != COUNTER_COUNTED ||
	    counter_scale(in->raw, in->enabled_ns, in->running_ns, &scaled) < 0)
		return;
	out->has_value = 1;
	out->value = scaled.value / divisor;
	out->scaled = scaled.scaled;
}
