# indaga: the two commands a newcomer types are `make demo` and `make test`.
# Every target first runs scripts/setup.sh, which installs what is missing.

JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
BUILD   ?= build
ASAN    ?= build-asan
CMAKE_FLAGS ?=
QUERY   ?= combatientes terroristas extranjeros
PYTHON  ?= python3

PREFIX  ?= /usr/local

.PHONY: all deps build install demo python test test-normal test-asan test-clang test-tsan test-portable bench bench-scale bench-smallend fuzz stress clean
FUZZ_SECONDS = $(or $(SECONDS),60)
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BUILD ?= build-fuzz

all: build

deps:
	@sh scripts/setup.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINDAGA_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The command, the shared and static library, the header, indaga.pc, the
# CMake package and the man page under PREFIX (DESTDIR is honoured).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

demo: build
	@rm -rf $(BUILD)/demo-index
	$(BUILD)/indaga index --index $(BUILD)/demo-index corpus
	$(BUILD)/indaga search --index $(BUILD)/demo-index "$(QUERY)"

# The Python package, built in place (python/indaga/_indaga*.so) against
# $(BUILD)'s static library by $(PYTHON), or /usr/bin/python3 when $(PYTHON)
# lacks setuptools or its C headers (a pyenv Python without Debian's
# packages). Use it with PYTHONPATH=python, or install it with
# `pip install --no-build-isolation ./python`. `make test` tests it (the
# `python` test of ctest, python/tests/run.sh).
python: build
	@py=$(PYTHON); $$py -c 'import os, sys, sysconfig, setuptools; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null || py=/usr/bin/python3; \
	cd python && INDAGA_BUILD_DIR=$(abspath $(BUILD)) $$py setup.py -q build_ext --inplace && \
	echo "python: built python/indaga with $$py; try: PYTHONPATH=python $$py -c 'import indaga; help(indaga)'"

test: test-normal test-asan test-clang test-tsan test-portable

# The browser test of `indaga serve` needs chromium, chromium-driver and
# python3-selenium: installed when possible (root or sudo), else that test
# says it is skipped and why.
test-normal: build
	@sh scripts/setup.sh browser || echo "make test: cannot install the browser extra; the browser test of indaga serve will be skipped"
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@grep -h '^SKIP:' $(BUILD)/Testing/Temporary/LastTest.log 2>/dev/null | sort -u | sed 's/^/make test: /' || true

test-asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DINDAGA_WERROR=ON -DINDAGA_SANITIZE=address,undefined $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# The whole suite again built by clang under ASan+UBSan: clang's UBSan
# checks what gcc's does not (pointer arithmetic on NULL, for one).
test-clang: deps
	@CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug -DINDAGA_WERROR=ON -DINDAGA_SANITIZE=address,undefined $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-clang -j $(JOBS)
	cd build-clang && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# ThreadSanitizer: its own build, running the multi-threaded tests (readers
# during commits; the writer's parsing threads, background segment writes and
# streamed pieces; indaga serve answering while indaga index commits; threads
# searching several indexes as one).
test-tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINDAGA_WERROR=ON -DINDAGA_SANITIZE=thread $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target test_threads test_writer test_pieces test_multi indaga_cli_testing
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -R '^(test_threads|test_writer|test_pieces|test_multi|cli_test_serve)$$'

# The plain C fallbacks of the SSE2 scanning code (parser, tokenizer), which
# no x86-64 build compiles otherwise: their own build, running the tests that
# check them against the expected output at every offset.
test-portable: deps
	@cmake -S . -B build-portable -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINDAGA_WERROR=ON -DINDAGA_PORTABLE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-portable -j $(JOBS) --target test_docmodel test_stemmer test_segment
	cd build-portable && ctest --output-on-failure -R '^(test_docmodel|test_stemmer|test_segment)$$'

bench: deps
	@sh scripts/setup.sh bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DINDAGA_BUILD_BENCH=ON >/dev/null
	@cmake --build build-bench -j $(JOBS)
	sh bench/run.sh build-bench

# Growth: indaga and FTS5 at 1x, 4x and 16x the legislation (about 5 GB made
# by bench/scale/scale_corpus under bench/work/scale-data, or BENCH_SCALE_DIR);
# writes bench/RESULTS-scale.md and bench/scale/growth.svg. Not part of `bench`.
bench-scale: deps
	@sh scripts/setup.sh scale
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DINDAGA_BUILD_BENCH=ON >/dev/null
	@cmake --build build-bench -j $(JOBS)
	sh bench/scale/run.sh build-bench

# The small end: fixed costs of small builds and nightly runs (a 60 MB tree,
# one file, an unchanged tree); writes bench/RESULTS-smallend.md. Not part of `bench`.
bench-smallend: deps
	@sh scripts/setup.sh bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DINDAGA_BUILD_BENCH=ON >/dev/null
	@cmake --build build-bench -j $(JOBS)
	sh bench/smallend/run.sh build-bench

# libFuzzer (clang): each target (every tests/fuzz/fuzz_<name>.c) for SECONDS
# (default 60) over its saved corpus, new inputs in $(FUZZ_BUILD)/corpus/<name>,
# crashes in $(FUZZ_BUILD)/crashes. Every target runs even when one finds a
# crash; the run ends with one line per target and fails if any found one:
# add the input to tests/fuzz/corpus/<name>/ (replayed by `make test`) with the fix.
fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINDAGA_BUILD_TESTS=OFF \
		-DINDAGA_BUILD_FUZZERS=ON -DINDAGA_SANITIZE=address,undefined,fuzzer-no-link >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@summary=""; failed=0; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
		echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
		if $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; then \
			summary="$$summary\nfuzz_$$t: no finding in $(FUZZ_SECONDS) s"; \
		else \
			summary="$$summary\nfuzz_$$t: FINDING (input in $(FUZZ_BUILD)/crashes/$$t-*)"; failed=1; \
		fi; \
	done; \
	printf "$$summary\n"; exit $$failed

# The long reliability runs: every N of the allocation and I/O fault loops,
# 100,000 files and a 1 GB file in the hostile-document test, the crash and
# corruption tests and the fuzz corpora; then the fault loops again under
# ASan+UBSan, whose leak checker makes "leaks nothing" part of the result.
stress: build
	cd $(BUILD) && INDAGA_STRESS=1 ctest --output-on-failure -R 'test_faults|crash|corrupt|hostile|replay'
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DINDAGA_WERROR=ON -DINDAGA_SANITIZE=address,undefined $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && INDAGA_STRESS=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -R '^test_faults$$'

clean:
	rm -rf $(BUILD) $(ASAN) build-clang build-bench build-tsan $(FUZZ_BUILD) build-portable python/build python/indaga/_indaga*.so
