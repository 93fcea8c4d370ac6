#!/usr/bin/env bash
# The README's accuracy comparison: other GELU implementations (oneDNN, SLEEF, glibc, libmvec)
# against the correctly rounded value, from native/tools/gelu_anchor_accuracy.
#   scripts/anchors.sh                            every float: 2^32 inputs, about 12 CPU minutes
#   scripts/anchors.sh --range -10 10 --stride 61   a sample, in seconds
#   scripts/anchors.sh --half                     16-bit storage: every bf16 and f16 input, seconds
# PyTorch's bf16 F.gelu on the same inputs: /usr/bin/python3 bench/torch_accuracy16.py (against
# the committed MPFR tables, java/src/test/resources/dev/gelu/golden16.bin.gz).
# Installs the anchor libraries when missing and run as root; without them the tool measures
# the glibc anchors only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
gelu_ensure_packages cmake gcc make libmpfr-dev
gelu_ensure_packages libdnnl-dev libsleef-dev || echo "gelu: measuring without oneDNN and SLEEF" >&2

cmake -S "$root" -B "$root/build" -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target gelu_anchor_accuracy >/dev/null
exec "$root/build/native/tools/gelu_anchor_accuracy" "$@"
