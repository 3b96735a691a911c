#!/usr/bin/python3
"""memhog.py - samples/memhog.c's memory-hungry task in Python (stdlib only).

    memhog.py [--initial-ms I] [--ramp-mib R] [--steps S] [--step-ms T]
              [--spike-mib X] [--spike-ms H] [--plateau-ms P]
              [--free-percent F%] [--final-ms F] [--procs N]
              [--timeline FILE] [--quiet]
              [--tracemalloc [--tracemalloc-ms MS] [--series FILE]]

The same phases, options and truth lines as memhog (see memhog.c): an
initial hold of I ms, a ramp of R MiB in S steps one every T ms, a spike
of X MiB held H ms, a plateau of P ms, F% of the ramp freed, a final
hold, exit. Each chunk is a
bytearray with every page written through a memoryview, and `del` frees
it. Chunks are large (glibc serves them with mmap, and free gives them
straight back), and every free comes after the last allocation, so the
truth stays exact; the partial free drops whole chunks (the percentage is
rounded down to a chunk), because a bytearray that shrinks by less than
half keeps its memory.

--tracemalloc starts tracemalloc before anything is allocated and, from a
background thread, samples tracemalloc.get_traced_memory() every
--tracemalloc-ms ms (default 10) into --series FILE as `time_s,bytes`
rows; at the end it prints the traced figures:

    memhog: tracemalloc initial 0.0 MiB peak 260.1 MiB final 100.1 MiB (Python heap only)

tracemalloc sees only this process's Python allocations, so it needs
--procs 1. Usage errors exit 129. Run it with /usr/bin/python3.
"""
import time

START = time.monotonic()  # the origin of every time this script writes

import argparse
import os
import resource
import select
import sys
import threading

MIB = 1024 * 1024
MAX_TOTAL_MIB = 16 * 1024
MAX_MS = 600000
EXIT_USAGE = 129
PAGE = os.sysconf("SC_PAGESIZE")


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("memhog.py: %s\n" % message)
        sys.exit(EXIT_USAGE)


def number(lo, hi):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("must be a whole number from %d to %d, not '%s'" % (lo, hi, text))
        if v < lo or v > hi:
            raise argparse.ArgumentTypeError("must be a whole number from %d to %d, not '%s'" % (lo, hi, text))
        return v
    return parse


def parse_options(argv):
    p = Parser(prog="memhog.py", description="a memory-hungry task with a known truth")
    p.add_argument("--initial-ms", type=number(0, MAX_MS), default=200)
    p.add_argument("--ramp-mib", type=number(0, MAX_TOTAL_MIB), default=200)
    p.add_argument("--steps", type=number(1, 10000), default=10)
    p.add_argument("--step-ms", type=number(0, MAX_MS), default=100)
    p.add_argument("--spike-mib", type=number(0, MAX_TOTAL_MIB), default=60)
    p.add_argument("--spike-ms", type=number(0, MAX_MS), default=30)
    p.add_argument("--plateau-ms", type=number(0, MAX_MS), default=500)
    p.add_argument("--free-percent", type=number(0, 100), default=50)
    p.add_argument("--final-ms", type=number(0, MAX_MS), default=500)
    p.add_argument("--procs", type=number(1, 64), default=1)
    p.add_argument("--timeline", metavar="FILE")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--tracemalloc", action="store_true")
    p.add_argument("--tracemalloc-ms", type=number(1, 60000), default=10)
    p.add_argument("--series", metavar="FILE")
    o = p.parse_args(argv)
    if o.ramp_mib + o.spike_mib > MAX_TOTAL_MIB:
        p.error("--ramp-mib plus --spike-mib is %d MiB: refusing more than %d MiB (16 GiB)"
                % (o.ramp_mib + o.spike_mib, MAX_TOTAL_MIB))
    if o.tracemalloc and o.procs != 1:
        p.error("--tracemalloc traces one process: use --procs 1")
    if o.series and not o.tracemalloc:
        p.error("--series writes tracemalloc's figures: use it with --tracemalloc")
    return o


def resident_bytes():
    """This process's RSS from /proc/self/statm; 0 if unreadable."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def chunk_new(size):
    """A bytearray of size bytes with every page written."""
    chunk = bytearray(size)
    if size:
        view = memoryview(chunk)
        view[::PAGE] = b"\x01" * len(range(0, size, PAGE))
        view.release()
    return chunk


def sleep_until(t):
    """Sleeps until time.monotonic() reaches t (START-relative seconds)."""
    while True:
        left = START + t - time.monotonic()
        if left <= 0:
            return
        time.sleep(left)


def now():
    return time.monotonic() - START


class Plan:
    def __init__(self, o):
        self.steps = o.steps
        self.procs = o.procs
        self.step_bytes = int(o.ramp_mib * MIB / (o.procs * o.steps)) // PAGE * PAGE
        self.spike_bytes = int(o.spike_mib * MIB / o.procs) // PAGE * PAGE
        # whole chunks only (see the top of the file)
        self.free_chunks = o.steps * o.free_percent // 100
        self.free_bytes = self.free_chunks * self.step_bytes


def run_phases(o, plan, ready_fd, go_fd):
    """One process's share. Returns a list of (event index, time) pairs
    and what is left of the ramp, which the caller keeps until it is done."""
    events = []
    chunks = []
    for i in range(plan.steps):
        sleep_until((o.initial_ms + i * o.step_ms) / 1000.0)
        chunks.append(chunk_new(plan.step_bytes))
        events.append((i, now()))
    sleep_until((o.initial_ms + plan.steps * o.step_ms) / 1000.0)

    spike = chunk_new(plan.spike_bytes)
    events.append((plan.steps, now()))
    if ready_fd is not None:
        # the rendezvous: every process holds its spike at the same time
        os.write(ready_fd, b"r")
        readable, _, _ = select.select([go_fd], [], [], 10.0)
        if readable:
            os.read(go_fd, 1)
    time.sleep(o.spike_ms / 1000.0)
    del spike
    events.append((plan.steps + 1, now()))

    time.sleep(o.plateau_ms / 1000.0)
    for _ in range(plan.free_chunks):
        del chunks[-1]
    events.append((plan.steps + 2, now()))

    time.sleep(o.final_ms / 1000.0)
    events.append((plan.steps + 3, now()))
    return events, chunks


def run_children(o, plan):
    """Forks the workers; returns the latest time of each event, or None."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pids, event_fds = [], []
    sys.stdout.flush()
    sys.stderr.flush()
    for _ in range(o.procs):
        ev_r, ev_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(ev_r)
                events, _ = run_phases(o, plan, ready_w, go_r)
                os.write(ev_w, "".join("%d %.6f\n" % e for e in events).encode())
                status = 0
            finally:
                os._exit(status)
        os.close(ev_w)
        pids.append(pid)
        event_fds.append(ev_r)
    # release them all once every spike is written (bounded: 10 s)
    ready, deadline = 0, time.monotonic() + 10.0 + o.ramp_mib / 100.0 + \
        (o.initial_ms + plan.steps * o.step_ms) / 1000.0
    while ready < o.procs and time.monotonic() < deadline:
        readable, _, _ = select.select([ready_r], [], [], 0.5)
        if readable:
            ready += len(os.read(ready_r, 64))
    os.write(go_w, b"g" * o.procs)
    latest = {}
    for fd in event_fds:
        text = b""
        while True:
            part = os.read(fd, 65536)
            if not part:
                break
            text += part
        os.close(fd)
        for line in text.decode().splitlines():
            index, t = line.split()
            latest[int(index)] = max(latest.get(int(index), 0.0), float(t))
    failed = False
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
            failed = True
    return None if failed else latest


def write_timeline(path, plan, latest, initial):
    ramp_total = plan.step_bytes * plan.steps * plan.procs
    rows = [(0.0, initial)]
    for i in range(plan.steps):
        rows.append((latest[i], initial + (i + 1) * plan.step_bytes * plan.procs))
    rows.append((latest[plan.steps], initial + ramp_total + plan.spike_bytes * plan.procs))
    rows.append((latest[plan.steps + 1], initial + ramp_total))
    final = initial + ramp_total - plan.free_bytes * plan.procs
    rows.append((latest[plan.steps + 2], final))
    rows.append((latest[plan.steps + 3], final))
    with open(path, "w") as f:
        f.write("time_s,bytes\n")
        for t, b in rows:
            f.write("%.6f,%d\n" % (t, b))


class Sampler(threading.Thread):
    """Writes tracemalloc's traced memory every interval seconds."""

    def __init__(self, path, interval):
        super().__init__(daemon=True)
        self.out = open(path, "w") if path else None
        self.interval = interval
        self.stop = threading.Event()

    def run(self):
        import tracemalloc
        if self.out:
            self.out.write("time_s,bytes\n")
        while True:
            current, _ = tracemalloc.get_traced_memory()
            if self.out:
                self.out.write("%.6f,%d\n" % (now(), current))
            if self.stop.wait(self.interval):
                break
        if self.out:
            current, _ = tracemalloc.get_traced_memory()
            self.out.write("%.6f,%d\n" % (now(), current))
            self.out.close()


def main(argv):
    o = parse_options(argv)
    tracer = None
    if o.tracemalloc:
        import tracemalloc
        tracemalloc.start()
        traced_initial = tracemalloc.get_traced_memory()[0]
        tracer = Sampler(o.series, o.tracemalloc_ms / 1000.0)
        tracer.start()
    initial = resident_bytes()  # before anything is allocated
    plan = Plan(o)
    if not o.quiet:
        sys.stderr.write("memhog.py: %d process%s: initial %d ms, ramp %d MiB in %d steps of %d ms, spike %d MiB "
                         "for %d ms, plateau %d ms, free %d%%, final %d ms\n"
                         % (o.procs, "" if o.procs == 1 else "es", o.initial_ms, o.ramp_mib, o.steps, o.step_ms,
                            o.spike_mib, o.spike_ms, o.plateau_ms, o.free_percent, o.final_ms))
    kept = None  # the ramp's last chunks, held until the figures are out
    if o.procs == 1:
        events, kept = run_phases(o, plan, None, None)
        latest = dict(events)
    else:
        latest = run_children(o, plan)
        if latest is None:
            sys.stderr.write("memhog.py: a process failed\n")
            return 1
    if tracer:
        traced_final, traced_peak = tracemalloc.get_traced_memory()
        tracer.stop.set()
        tracer.join(5.0)
    if o.timeline:
        write_timeline(o.timeline, plan, latest, initial)

    ramp_total = plan.step_bytes * plan.steps * plan.procs
    peak = initial + ramp_total + plan.spike_bytes * plan.procs
    final = initial + ramp_total - plan.free_bytes * plan.procs
    print("memhog: truth initial %.1f MiB peak %.1f MiB final %.1f MiB "
          "(allocated by the task itself, all processes)" % (initial / MIB, peak / MIB, final / MIB))
    if tracer:
        print("memhog: tracemalloc initial %.1f MiB peak %.1f MiB final %.1f MiB (Python heap only)"
              % (traced_initial / MIB, traced_peak / MIB, traced_final / MIB))
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("memhog: getrusage ru_maxrss %.1f MiB (self) %.1f MiB (largest child) "
          "utime %.2f s stime %.2f s wall %.2f s"
          % (me.ru_maxrss / 1024.0, kids.ru_maxrss / 1024.0, me.ru_utime + kids.ru_utime,
             me.ru_stime + kids.ru_stime, now()))
    del kept
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
