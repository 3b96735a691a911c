/*
 * stacks.h - sampled call stacks, merged into a tree of frames with
 * counts: what `pprobe report --folded` prints and the flame graph draws.
 *
 * A stack is given root first: the command's name, then the outermost
 * function, ..., the function the sample was in. Equal prefixes share
 * nodes, so memory grows with the number of distinct paths, not with the
 * number of samples. Frame names are copied (interned) into the tree.
 *
 * The folded format is that of Brendan Gregg's stackcollapse scripts,
 * read by flamegraph.pl, inferno, speedscope and others: one line per
 * distinct stack, frames root first joined by ';', a space, the count:
 *
 *     crunch;main;work_two 664
 *     crunch;main;work_one 331
 *
 * Lines are sorted by their stack text, byte by byte (as `LC_ALL=C sort`
 * orders the text before the count), so the output is deterministic. A
 * ';' or a newline inside a name would break a line, so names are kept
 * with ';' written as ':' and a newline as ' ': two names that differ only
 * there are one frame, in the folded lines and in the flame graph alike.
 */
#ifndef PPROBE_STACKS_H
#define PPROBE_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct stack_node {
	const char *name;          /* interned, escaped; "" for the root */
	uint64_t total;            /* samples in this node and below */
	uint64_t self;             /* samples that ended here */
	struct stack_node *parent; /* NULL for the root */
	/* first child; siblings via next, in no set order (a reader that
	 * needs one sorts them) */
	struct stack_node *children;
	struct stack_node *next;
};

struct stacks_block;

struct stacks {
	struct stack_node root;    /* root.total is every sample added */
	size_t nr_nodes;           /* nodes below the root: distinct paths */
	size_t nr_names;           /* distinct frame names kept */
	/* private: the blocks nodes and names are carved from, and two
	 * hash tables of open addressing (a power of two of slots each):
	 * the interned names, and every node below the root by its parent
	 * and name */
	struct stacks_block *blocks;
	const char **names;
	size_t names_mask;
	struct stack_node **nodes;
	size_t nodes_mask;
};

/* An empty tree; allocates nothing (so it cannot fail). */
void stacks_init(struct stacks *s);
void stacks_release(struct stacks *s);

/*
 * Adds count samples of the stack frames[0] (root side) .. frames[nr-1]
 * (leaf). nr may be 0: counted in the root only (root.total and
 * root.self), which has no folded line. count 0 adds nothing. Returns 0
 * or -ENOMEM, when no sample was counted.
 */
int stacks_add(struct stacks *s, const char *const *frames, size_t nr,
	       uint64_t count);

/*
 * Writes the folded lines: one per node with self samples. Returns 0,
 * -ENOMEM, or -errno of a write error (the stream is flushed, so an
 * error of the last buffer is seen).
 */
int stacks_write_folded(const struct stacks *s, FILE *out);

#endif /* PPROBE_STACKS_H */
