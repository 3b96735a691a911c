# A thin front for CMake: the README's two commands are `make demo` and
# `make test`. Everything real is in CMakeLists.txt.
#
#   make            build into build/
#   make demo       record samples/busy-tree (sampled, with call chains),
#                   print its report and its hot functions, and draw its
#                   charts into build/demo/charts; then a scaling study of
#                   samples/crunch on 1, 2, 4... CPUs into build/demo/scale
#   make test       build with -Werror and run every test, then again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make studies    the two studies of docs/STUDIES.md, in full, into
#                   build/studies: servers under load, memory backends
#   make bench      the overhead benchmarks (docs/BENCHMARKS.md)
#   make clean

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_OUT ?= $(BUILD)/demo

STUDIES_OUT ?= $(BUILD)/studies

.PHONY: all deps demo studies test test-plain test-asan bench clean

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

test: test-plain test-asan

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

bench: all
	@scripts/install-deps --bench
	bench/overhead.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
