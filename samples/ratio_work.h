/*
 * ratio_work.h - two functions doing the same work in a known ratio, for
 * checking where `pprobe record -F` says the time went (samples/ratio.c).
 */
#ifndef PPROBE_RATIO_WORK_H
#define PPROBE_RATIO_WORK_H

/* Each runs `rounds` rounds of one loop: work_two is given twice as many
 * as work_one, so it takes twice the time. Returns a value that depends
 * on every round, so the loops cannot be dropped. */
unsigned long work_one(unsigned long rounds);
unsigned long work_two(unsigned long rounds);

#endif /* PPROBE_RATIO_WORK_H */
