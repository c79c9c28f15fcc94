#!/usr/bin/env bash
# Builds resetd_bench and runs every benchmark briefly (well under a minute).
#   bench/run.sh [Google Benchmark flags...]
#   bench/run.sh --benchmark_filter=Scheduler --benchmark_repetitions=5
#   BUILD_DIR=build-extra bench/run.sh          # reuse an existing build dir
# BUILD_DIR defaults to build-bench (configured with the project's default
# build type, RelWithDebInfo, tests off); JOBS (default 2) ninja jobs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DRESETD_BUILD_TESTS=OFF -DRESETD_BUILD_BENCH=ON
fi
ninja -C "$BUILD_DIR" -j"${JOBS:-2}" resetd_bench

# Debian's libbenchmark warns that it "was built as DEBUG": it was built with
# no CMake build type; that concerns the library's own code, not ours.
exec "$BUILD_DIR/bench/resetd_bench" --benchmark_min_time=0.2 "$@"
