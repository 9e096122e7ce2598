# veil: the two promised commands are `make run` and `make test`.
# Everything else is a convenience on top of CMake.

BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
UPSTREAM    ?= http://127.0.0.1:8080
LISTEN      ?= 127.0.0.1:8000
CMAKE_FLAGS ?=
PREFIX      ?= /usr/local

.PHONY: all deps build install run scan-sample test test-fast test-integration test-all test-asan bench fuzz soak clean

all: build

deps:
	@tools/deps.sh build

# PGO=1: a profile-guided build (tools/pgo.sh: an instrumented build, a
# training run on generated traffic, then this build from its profiles),
# about a tenth faster scanning; twice the build time.
# $(call build_tree,EXTRA CMAKE ARGS): configures and builds $(BUILD).
ifeq ($(PGO),1)
build_tree = JOBS=$(JOBS) tools/pgo.sh $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVEIL_WERROR=ON $(1) $(CMAKE_FLAGS)
else
build_tree = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVEIL_WERROR=ON \
    -DVEIL_PGO= $(1) $(CMAKE_FLAGS) >/dev/null && cmake --build $(BUILD) -j $(JOBS)
endif

build: deps
	@$(call build_tree,)

# The binary, veil(1), the default configuration (as an example) and the
# systemd unit under PREFIX; DESTDIR for staging (make install DESTDIR=/tmp/s);
# PGO=1 as for build.
install: deps
	@$(call build_tree,-DCMAKE_INSTALL_PREFIX=$(PREFIX))
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

# The proxy on its built-in defaults, in front of UPSTREAM, on LISTEN.
run: build
	./$(BUILD)/veil run --listen $(LISTEN) --upstream $(UPSTREAM)

# The detection engine offline, on the bundled sample log.
scan-sample: build
	./$(BUILD)/veil scan --findings /dev/stderr tests/data/sample.log

# The whole suite: the optimised build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test:
	@tools/deps.sh build test
	@$(MAKE) --no-print-directory test-all
	@$(MAKE) --no-print-directory test-asan

# Tiers of the optimised build's suite (ctest labels):
#   test-fast         unit, fuzz corpus replays, cli, accuracy, style:
#                     seconds
#   test-integration  real processes and sockets: integration, http
#                     conformance (4 shards), config, stats, faults,
#                     deploy
#   test-all          both
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L '^(unit|fuzz|cli|accuracy|style)$$'

test-integration: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L '^(integration|http|config|stats|faults|deploy)$$'

test-all: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVEIL_WERROR=ON -DVEIL_PGO= \
	    -DVEIL_ASAN=ON -DVEIL_UBSAN=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ctest --output-on-failure -j $(JOBS) -LE slow

bench:
	@tools/deps.sh build bench
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DVEIL_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	./$(BUILD)/bench/bench_scan

# Long fuzzing with libFuzzer (clang); ctest only replays the corpora.
fuzz:
	@tools/deps.sh build fuzz
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DVEIL_BUILD_FUZZERS=ON -DVEIL_ASAN=ON -DVEIL_UBSAN=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	fuzz/run-all.sh $(FUZZ_BUILD) $${FUZZ_SECONDS:-60}

# An hour of steady mixed traffic with personal data through veil to a
# real nginx, sampling veil's RSS and descriptors (tests/soak/soak.py;
# SOAK_SECONDS, SOAK_RATE ... override). Not part of `make test` or CI.
soak: build
	@tools/deps.sh build soak
	python3 tests/soak/soak.py $(BUILD)/veil

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
