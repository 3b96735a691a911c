# A thin front for CMake: the README's two commands are `make demo` and
# `make test`. Everything real is in CMakeLists.txt.
#
#   make            build into build/
#   make demo       record samples/busy-tree (sampled, with call chains),
#                   print its report and its hot functions, and draw its
#                   charts into build/demo/charts; then a scaling study of
#                   samples/crunch on 1, 2, 4... CPUs into build/demo/scale
#   make test       build with -Werror and run every test, then again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer, then
#                   make test-valgrind-ci, then make fuzz (30 s per target)
#   make test-valgrind  every test, and every pprobe the end-to-end tests
#                   run, under valgrind memcheck (about 11 minutes)
#   make test-valgrind-ci  the same for the unit tests and the end-to-end
#                   tests labelled valgrind-ci (tests/CMakeLists.txt): CI's
#                   part, about 4 minutes
#   make fuzz       build the three fuzz targets with clang (libFuzzer,
#                   ASan, UBSan) and run each for FUZZ_SECONDS (default 60)
#   make studies    the two studies of docs/STUDIES.md, in full, into
#                   build/studies: servers under load, memory backends
#   make bench      the overhead benchmarks (docs/BENCHMARKS.md)
#   make clean

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
VALGRIND_BUILD ?= build-valgrind
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_OUT ?= $(BUILD)/demo

STUDIES_OUT ?= $(BUILD)/studies

.PHONY: all deps demo studies test test-plain test-asan fuzz valgrind-build test-valgrind test-valgrind-ci bench clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps

demo: all
	@mkdir -p $(DEMO_OUT)
	$(BUILD)/pprobe record -I 10 --mem all -g --label busy-tree -o $(DEMO_OUT)/busy-tree.data -- $(BUILD)/samples/busy-tree
	$(BUILD)/pprobe report --png $(DEMO_OUT)/charts $(DEMO_OUT)/busy-tree.data
	$(BUILD)/pprobe report --hot=10 $(DEMO_OUT)/busy-tree.data
	$(BUILD)/pprobe scale -r 3 --png -o $(DEMO_OUT)/scale -- $(BUILD)/samples/crunch

studies: all
	@mkdir -p $(STUDIES_OUT)
	samples/server-study --build $(BUILD) -o $(STUDIES_OUT)
	samples/memory-study --build $(BUILD) -o $(STUDIES_OUT)

# CI runs this: each fuzz target for CI_FUZZ_SECONDS keeps the whole under
# 20 minutes; longer runs are `make fuzz FUZZ_SECONDS=600`.
CI_FUZZ_SECONDS ?= 30
test: test-plain test-asan test-valgrind-ci
	$(MAKE) fuzz FUZZ_SECONDS=$(CI_FUZZ_SECONDS)

# A cmocka test that skips prints "skipped: <reason>"; CTest's summary
# would show it as passed, so list every reason after each run.
show_skips = @grep -h 'skipped: ' $(1)/Testing/Temporary/LastTest.log 2>/dev/null | sed 's/^.*skipped: /SKIPPED: /' | sort -u || true

test-plain: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPROBE_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j 1
	$(call show_skips,$(BUILD))

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPPROBE_WERROR=ON -DPPROBE_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 1
	$(call show_skips,$(ASAN_BUILD))

# Debug without sanitizers (valgrind cannot run ASan's code); valgrind's
# options and suppressions are in tests/CMakeLists.txt.
valgrind-build: deps
	cmake -S . -B $(VALGRIND_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPPROBE_WERROR=ON -DPPROBE_VALGRIND=ON >/dev/null
	cmake --build $(VALGRIND_BUILD) -j $(JOBS)

test-valgrind: valgrind-build
	cd $(VALGRIND_BUILD) && ctest --output-on-failure -j 1
	$(call show_skips,$(VALGRIND_BUILD))

test-valgrind-ci: valgrind-build
	cd $(VALGRIND_BUILD) && ctest --output-on-failure -j 1 -L '^(unit|valgrind-ci)$$'
	$(call show_skips,$(VALGRIND_BUILD))

# fuzz/README.md. Only the fuzz targets are built; a crash, leak, hang or
# UBSan report fails, with the input that caused it (fuzz/run).
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPROBE_WERROR=ON -DPPROBE_FUZZ=ON -DPPROBE_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_report fuzz_charts fuzz_options
	fuzz/run $(FUZZ_BUILD) report $(FUZZ_SECONDS)
	fuzz/run $(FUZZ_BUILD) charts $(FUZZ_SECONDS)
	fuzz/run $(FUZZ_BUILD) options $(FUZZ_SECONDS)

bench: all
	@scripts/install-deps --bench
	bench/overhead.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD)
