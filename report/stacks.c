/*
 * stacks.c - call stacks merged into a tree of frames (see stacks.h).
 *
 * Nodes and names are carved from large blocks, so a tree of a million
 * frames is a few dozen allocations and is freed in as many.
 *
 * A node's child is found through one hash table for the whole tree,
 * keyed by (parent, name): names are interned, so the key is two
 * pointers, compared without touching a string. A root with 100,000
 * distinct children costs what a chain of 100,000 frames does; walking
 * each node's sibling list would be quadratic there. One table rather
 * than one per node because most nodes have one or two children: a table
 * each would cost more than the nodes, and a node that grows wide needs
 * no special case. The same table lists every node, which is all the
 * folded output needs.
 */
#include "stacks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

/* Bytes in a block; a name longer than an eighth of it gets its own. */
#define STACKS_BLOCK (64 * 1024)
/* Slots of a table when it is first made; it doubles at 3/4 full. */
#define STACKS_SLOTS 64

struct stacks_block {
	struct stacks_block *next;
	size_t used, size;
	max_align_t data[];
};

void stacks_init(struct stacks *s)
{
	memset(s, 0, sizeof(*s));
	s->root.name = "";
}

void stacks_release(struct stacks *s)
{
	while (s->blocks) {
		struct stacks_block *next = s->blocks->next;

		free(s->blocks);
		s->blocks = next;
	}
	free(s->names);
	free(s->nodes);
	stacks_init(s);
}

/* size bytes aligned to align (a power of two), or NULL. */
static void *carve(struct stacks *s, size_t size, size_t align)
{
	struct stacks_block *b = s->blocks, *nb;

	if (b) {
		size_t at = (b->used + align - 1) & ~(align - 1);

		if (at + size <= b->size) {
			b->used = at + size;
			return (char *)b->data + at;
		}
	}
	if (size > STACKS_BLOCK / 8) {
		/* Behind the head block, whose room stays in use. */
		nb = malloc(sizeof(*nb) + size);
		if (!nb)
			return NULL;
		nb->used = nb->size = size;
		nb->next = b ? b->next : NULL;
		if (b)
			b->next = nb;
		else
			s->blocks = nb;
		return nb->data;
	}
	nb = malloc(sizeof(*nb) + STACKS_BLOCK);
	if (!nb)
		return NULL;
	nb->used = size;
	nb->size = STACKS_BLOCK;
	nb->next = b;
	s->blocks = nb;
	return nb->data;
}

/* ---- names ---- */

/* What a byte of a name is kept as: ';' and '\n' would break a line. */
static unsigned char escaped(unsigned char c)
{
	return c == ';' ? ':' : c == '\n' ? ' ' : c;
}

/* FNV-1a of the name as kept (escaping an escaped name changes nothing). */
static uint64_t name_hash(const char *name)
{
	uint64_t h = FNV1A_INIT;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = fnv1a_byte(h, escaped(*c));
	return h;
}

/* Whether kept (escaped) is raw once escaped. */
static int same_name(const char *kept, const char *raw)
{
	const unsigned char *k = (const unsigned char *)kept;
	const unsigned char *r = (const unsigned char *)raw;

	for (; *k && *r; k++, r++)
		if (*k != escaped(*r))
			return 0;
	return !*k && !*r;
}

static int grow_names(struct stacks *s)
{
	size_t slots = s->names ? (s->names_mask + 1) * 2 : STACKS_SLOTS;
	const char **names = calloc(slots, sizeof(*names));

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; s->names && i <= s->names_mask; i++) {
		size_t at;

		if (!s->names[i])
			continue;
		at = name_hash(s->names[i]) & (slots - 1);
		while (names[at])
			at = (at + 1) & (slots - 1);
		names[at] = s->names[i];
	}
	free(s->names);
	s->names = names;
	s->names_mask = slots - 1;
	return 0;
}

/* raw's interned copy, made on first use; NULL when out of memory. */
static const char *intern(struct stacks *s, const char *raw)
{
	size_t at, len;
	char *copy;

	if ((!s->names || (s->nr_names + 1) * 4 > (s->names_mask + 1) * 3) &&
	    grow_names(s) < 0)
		return NULL;
	for (at = name_hash(raw) & s->names_mask; s->names[at];
	     at = (at + 1) & s->names_mask)
		if (same_name(s->names[at], raw))
			return s->names[at];
	len = strlen(raw);
	copy = carve(s, len + 1, 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i <= len; i++)
		copy[i] = (char)escaped((unsigned char)raw[i]);
	s->names[at] = copy;
	s->nr_names++;
	return copy;
}

/* ---- nodes ---- */

static uint64_t node_hash(const struct stack_node *parent, const char *name)
{
	/* splitmix64's finaliser: the pointers' low bits are alike
	 * (aligned, from the same blocks), the slot takes the low bits. */
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ull ^
		     (uint64_t)(uintptr_t)name;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static int grow_nodes(struct stacks *s)
{
	size_t slots = s->nodes ? (s->nodes_mask + 1) * 2 : STACKS_SLOTS;
	struct stack_node **nodes = calloc(slots, sizeof(*nodes));

	if (!nodes)
		return -ENOMEM;
	for (size_t i = 0; s->nodes && i <= s->nodes_mask; i++) {
		struct stack_node *n = s->nodes[i];
		size_t at;

		if (!n)
			continue;
		at = node_hash(n->parent, n->name) & (slots - 1);
		while (nodes[at])
			at = (at + 1) & (slots - 1);
		nodes[at] = n;
	}
	free(s->nodes);
	s->nodes = nodes;
	s->nodes_mask = slots - 1;
	return 0;
}

/* parent's child called name (interned), made when new; NULL: no memory. */
static struct stack_node *child_of(struct stacks *s, struct stack_node *parent,
				   const char *name)
{
	struct stack_node *n;
	size_t at;

	if ((!s->nodes || (s->nr_nodes + 1) * 4 > (s->nodes_mask + 1) * 3) &&
	    grow_nodes(s) < 0)
		return NULL;
	for (at = node_hash(parent, name) & s->nodes_mask; s->nodes[at];
	     at = (at + 1) & s->nodes_mask) {
		n = s->nodes[at];
		if (n->parent == parent && n->name == name)
			return n;
	}
	n = carve(s, sizeof(*n), alignof(struct stack_node));
	if (!n)
		return NULL;
	*n = (struct stack_node){ .name = name, .parent = parent,
				  .next = parent->children };
	parent->children = n;
	s->nodes[at] = n;
	s->nr_nodes++;
	return n;
}

int stacks_add(struct stacks *s, const char *const *frames, size_t nr,
	       uint64_t count)
{
	struct stack_node *n = &s->root;

	if (!count)
		return 0;
	/* The path first, the counts once it is whole: out of memory
	 * half way leaves nodes of 0 samples, never a stack half counted. */
	for (size_t i = 0; i < nr; i++) {
		const char *name = intern(s, frames[i]);

		n = name ? child_of(s, n, name) : NULL;
		if (!n)
			return -ENOMEM;
	}
	n->self += count;
	for (; n; n = n->parent)
		n->total += count;
	return 0;
}

/* ---- folded output ---- */

static size_t depth_of(const struct stack_node *n)
{
	size_t depth = 0;

	for (; n->parent; n = n->parent)
		depth++;
	return depth;
}

/*
 * Orders two nodes as their stack texts compare byte by byte, without
 * making the texts: up to the nodes where the paths part, the texts are
 * equal; from there they differ in those two names, or, when one name is
 * the start of the other, in the ';' that follows the shorter one (or
 * where its text ends). Costs O(depth).
 */
static int by_text(const void *pa, const void *pb)
{
	const struct stack_node *a = *(const struct stack_node *const *)pa;
	const struct stack_node *b = *(const struct stack_node *const *)pb;
	const struct stack_node *x = a, *y = b;
	size_t dx = depth_of(a), dy = depth_of(b);
	const unsigned char *nx, *ny;
	int cx, cy;

	for (; dx > dy; dx--)
		x = x->parent;
	for (; dy > dx; dy--)
		y = y->parent;
	if (x == y)             /* one is the other's ancestor: a prefix */
		return a == b ? 0 : a == x ? -1 : 1;
	while (x->parent != y->parent) {
		x = x->parent;
		y = y->parent;
	}
	nx = (const unsigned char *)x->name;
	ny = (const unsigned char *)y->name;
	while (*nx && *nx == *ny) {
		nx++;
		ny++;
	}
	/* Siblings' names differ, and neither holds a ';'. */
	cx = *nx ? *nx : x == a ? 0 : ';';
	cy = *ny ? *ny : y == b ? 0 : ';';
	return cx - cy;
}

int stacks_write_folded(const struct stacks *s, FILE *out)
{
	const struct stack_node **lines = NULL, **path = NULL;
	size_t nr = 0, path_max = 0;
	int ret = 0;

	for (size_t i = 0; s->nodes && i <= s->nodes_mask; i++)
		nr += s->nodes[i] && s->nodes[i]->self;
	if (!nr)
		goto flush;
	lines = malloc(nr * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	nr = 0;
	for (size_t i = 0; i <= s->nodes_mask; i++)
		if (s->nodes[i] && s->nodes[i]->self)
			lines[nr++] = s->nodes[i];
	qsort(lines, nr, sizeof(*lines), by_text);

	for (size_t i = 0; i < nr; i++) {
		const struct stack_node *n = lines[i];
		size_t depth = depth_of(n);

		if (depth > path_max) {
			const struct stack_node **grown;

			grown = realloc(path, depth * 2 * sizeof(*path));
			if (!grown) {
				ret = -ENOMEM;
				goto out;
			}
			path = grown;
			path_max = depth * 2;
		}
		for (size_t d = depth; d-- > 0; n = n->parent)
			path[d] = n;
		for (size_t d = 0; d < depth; d++)
			if ((d && putc(';', out) == EOF) ||
			    fputs(path[d]->name, out) == EOF)
				goto write_error;
		if (fprintf(out, " %" PRIu64 "\n", lines[i]->self) < 0)
			goto write_error;
	}
flush:
	if (fflush(out) == EOF)
		goto write_error;
out:
	free(lines);
	free(path);
	return ret;
write_error:
	ret = errno ? -errno : -EIO;
	goto out;
}
