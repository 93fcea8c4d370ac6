#!/usr/bin/env bash
# Proves that the current tree's libgelu returns the same bits as a previous build for every
# exported kernel on every ISA this machine runs (native/tools/gelu_bitcompare.c): all 2^32
# float inputs of the one-input float functions, all 2^16 of the 16-bit ones, a large
# deterministic sample of shapes and inputs for the composed operations and the backward.
#
# Usage: scripts/bitcompare.sh [--rev REV | --ref PATH/libgelu.so] [--build DIR]
#                              [--stride K] [--only REGEX] [--isa LIST] [--ref-isa all] [--threads N]
#   --rev REV    the reference: REV's libgelu, built in a temporary directory that is removed
#                after (default 687c869, the last release before the kernels were restructured)
#   --ref PATH   an existing reference build instead
#   --build DIR  the current tree's build directory (default build/; configured with the tools)
#   --stride K   every K-th float input only (a quick run: --stride 4099 takes seconds)
# Exit status: 0 when every output is identical, 1 on any difference (or a failed build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev=687c869
ref=""
build="$root/build"
tool_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) rev="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --stride | --only | --isa | --ref-isa | --threads) tool_args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: $0 [--rev REV | --ref PATH/libgelu.so] [--build DIR] [--stride K] [--only REGEX] [--isa LIST] [--ref-isa all] [--threads N]" >&2; exit 2 ;;
  esac
done

jobs="$(nproc)"
if [ -z "$ref" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "bitcompare: building the reference $rev in $tmp" >&2
  mkdir "$tmp/src"
  git -C "$root" archive "$rev" | tar -x -C "$tmp/src"
  cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DGELU_BUILD_TESTS=OFF \
    -DGELU_BUILD_BENCH=OFF -DGELU_INSTALL=OFF --log-level=WARNING >/dev/null
  cmake --build "$tmp/build" --target gelu -j "$jobs" >/dev/null
  ref="$tmp/build/libgelu.so"
fi
[ -f "$ref" ] || { echo "bitcompare: no reference library $ref" >&2; exit 1; }

echo "bitcompare: building the current tree in $build" >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGELU_BUILD_TESTS=ON --log-level=WARNING >/dev/null
cmake --build "$build" --target gelu gelu_bitcompare -j "$jobs" >/dev/null

"$build/native/tools/gelu_bitcompare" "$build/libgelu.so" "$ref" "${tool_args[@]}"
