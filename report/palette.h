/*
 * palette.h - the colours of every chart, from Okabe and Ito's palette,
 * which readers with any common form of colour blindness tell apart.
 *
 * A recording keeps its colour in every chart (palette_recording(i) for
 * the i-th file given to the report); a kind of series keeps its colour
 * in every recording (user CPU is always blue, a memory backend always
 * has the same colour). Colours are 0xRRGGBB; data is drawn opaque in
 * exactly these colours (areas, bars, the mean line), so a test can find
 * them in the pixels.
 */
#ifndef PPROBE_REPORT_PALETTE_H
#define PPROBE_REPORT_PALETTE_H

#include <stddef.h>
#include <stdint.h>

#define PALETTE_BLUE        0x0072B2u
#define PALETTE_VERMILLION  0xD55E00u
#define PALETTE_GREEN       0x009E73u
#define PALETTE_PURPLE      0xCC79A7u
#define PALETTE_ORANGE      0xE69F00u
#define PALETTE_SKY         0x56B4E9u
#define PALETTE_YELLOW      0xF0E442u
#define PALETTE_BLACK       0x000000u
#define PALETTE_GREY        0x777777u

/* Series kinds. */
#define PALETTE_CPU_USER        PALETTE_BLUE
#define PALETTE_CPU_SYS         PALETTE_VERMILLION
#define PALETTE_CPU_TOTAL       PALETTE_BLACK   /* task-clock's line */
#define PALETTE_CTXSW_VOLUNTARY PALETTE_GREEN
#define PALETTE_CTXSW_INVOLUNTARY PALETTE_ORANGE
#define PALETTE_CTXSW_ALL       PALETTE_GREEN   /* when not split */
#define PALETTE_FAULTS_MINOR    PALETTE_PURPLE
#define PALETTE_FAULTS_MAJOR    PALETTE_SKY
#define PALETTE_IPC             PALETTE_SKY

/* Memory backends, indexed like memory_backend_index(): rss, pss, hwm,
 * cgroup, rusage. */
static const uint32_t palette_memory[5] = {
	PALETTE_BLUE, PALETTE_GREEN, PALETTE_ORANGE, PALETTE_PURPLE,
	PALETTE_VERMILLION,
};

/* The i-th recording's colour; after eight they repeat. Yellow is left
 * out: it cannot be read on white. */
static inline uint32_t palette_recording(size_t i)
{
	static const uint32_t colours[8] = {
		PALETTE_BLUE, PALETTE_VERMILLION, PALETTE_GREEN,
		PALETTE_PURPLE, PALETTE_ORANGE, PALETTE_SKY, PALETTE_BLACK,
		PALETTE_GREY,
	};
	return colours[i % 8];
}

#endif /* PPROBE_REPORT_PALETTE_H */
