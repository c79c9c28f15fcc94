// resetd_bench: every benchmark of resetd in one binary; Google Benchmark
// flags apply (--benchmark_filter, --benchmark_min_time, --benchmark_format).
#include "benchmark/benchmark.h"

BENCHMARK_MAIN();
