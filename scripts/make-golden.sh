#!/usr/bin/env bash
# Regenerates the MPFR golden values the Java tests compare every backend against.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DGELU_BUILD_TESTS=ON >/dev/null && cmake --build build --target gelu_golden gelu_golden_half gelu_golden_backward -j "$(nproc)" >/dev/null
./build/native/tools/gelu_golden | gzip -9n > java/src/test/resources/dev/gelu/golden.tsv.gz
echo "wrote java/src/test/resources/dev/gelu/golden.tsv.gz ($(gzip -dc java/src/test/resources/dev/gelu/golden.tsv.gz | wc -l) lines)"
./build/native/tools/gelu_golden_half | gzip -9n > java/src/test/resources/dev/gelu/golden16.bin.gz
echo "wrote java/src/test/resources/dev/gelu/golden16.bin.gz (all 2^16 bf16 and f16 inputs, every form)"
./build/native/tools/gelu_golden_backward | gzip -9n > java/src/test/resources/dev/gelu/golden_backward.tsv.gz
echo "wrote java/src/test/resources/dev/gelu/golden_backward.tsv.gz (GELU' of each form, MPFR)"
