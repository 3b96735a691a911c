# pprobe on Debian 12: builds it and its samples, runs its tests at build
# time, and by default runs the memory backend study into /output, a
# folder bind-mounted from the host:
#
#   docker build -t pprobe .
#   mkdir -p output
#   docker run --rm --cap-add PERFMON --cap-add SYS_ADMIN -v "$PWD/output:/output" pprobe
#
# Then output/memory-study-<date>/ holds memory-usage-comparison.png,
# execution-time-comparison.png, summary.md, the log and the recordings.
#
#   docker run --rm --cap-add PERFMON pprobe make demo            # the demo
#   docker run --rm --cap-add PERFMON -v "$PWD/output:/output" pprobe \
#       samples/server-study --build build -o /output               # the server study
#   docker run --rm --cap-add PERFMON pprobe make test-plain        # the tests, counting for real
#
# perf_event_open(2) needs CAP_PERFMON in a container (Docker's default
# seccomp profile refuses it otherwise; --privileged also works).
# SYS_ADMIN lets pprobe make the cgroup of its `cgroup` memory backend;
# without it that backend says it is unavailable, and the study goes on
# with the others. A `docker build` step has neither capability, so the
# tests run at build time skip what needs the kernel's counters and say
# so; the unit tests run in full.
FROM debian:12

WORKDIR /src
# Dependencies first, so a change to the code does not reinstall them.
# install-deps names every package and what it is for.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps && rm -rf /var/lib/apt/lists/*

COPY . .
RUN make test-plain

VOLUME /output
CMD ["samples/memory-study", "--build", "build", "-o", "/output"]
