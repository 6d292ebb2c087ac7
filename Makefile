# The two commands: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
PORT ?= 8080

.PHONY: run test deps build configure fuzz bench clean

# Serves the demo model (or MODEL=FILE.gguf) on http://127.0.0.1:$(PORT) until Ctrl-C.
run: build
	./$(BUILD_DIR)/bin/tokenfab serve --port $(PORT) $(if $(MODEL),-m $(MODEL))

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) fuzz

deps:
	./scripts/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS); fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds the libFuzzer targets with clang (ASan + UBSan) and runs them over
# their seed corpora for FUZZ_SECONDS in all, shared evenly (at least 10 s each).
fuzz: deps
	@if [ ! -f $(FUZZ_DIR)/build.ninja ]; then \
	  CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -G Ninja -DFAB_FUZZ=ON; fi
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers
	./scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

bench: build
	./$(BUILD_DIR)/bin/kernel_bench

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
