# pprobe on Debian 12: builds it, runs its tests at build time, and by
# default records the sample workload and prints its report.
#
#   docker build -t pprobe .
#   docker run --rm --cap-add PERFMON pprobe                 # the demo
#   docker run --rm --cap-add PERFMON pprobe make test-plain # the tests, counting for real
#
# perf_event_open(2) needs CAP_PERFMON in a container (Docker's default
# seccomp profile refuses it otherwise; --privileged also works). A
# `docker build` step has no such capability, so the tests run at build time
# skip what needs the kernel's counters and say so; the unit tests run in full.
FROM debian:12

WORKDIR /src
# Dependencies first, so a change to the code does not reinstall them.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps && rm -rf /var/lib/apt/lists/*

COPY . .
RUN make test-plain

CMD ["make", "demo"]
