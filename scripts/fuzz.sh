#!/usr/bin/env bash
# Fuzzes the C API with libFuzzer under ASan and UBSan for [seconds] (default 60): the target
# native/tests/fuzz_gelu.c linked with the library's sources, built by clang-14 in build-fuzz/.
# The corpus grows in build-fuzz/corpus across runs. Exits non-zero when the fuzzer finds a
# crash; the input that caused it is saved as build-fuzz/crash-*.
# Usage: scripts/fuzz.sh [seconds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
seconds="${1:-60}"
# clang-14 only recommends the package with the libFuzzer runtime.
gelu_ensure_packages clang-14 libclang-rt-14-dev
cc=clang-14
out="$root/build-fuzz"
mkdir -p "$out/obj" "$out/corpus" "$out/seeds"

# The library's own flags (CMakeLists.txt): IEEE semantics with no implicit contraction, and
# each ISA's flags on its own file only. A new ISA file without its flags fails to compile.
common=(-std=c11 -O2 -g -ffp-contract=off -fno-fast-math -fno-math-errno -Wall -Wextra
  "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer
  -I"$root/native/include" -I"$root/native/src")
isa_flags() {
  case "$1" in
    gelu_avx2.c | gelu_ops_avx2.c) echo "-mavx2 -mfma -mf16c" ;;
    gelu_avx512.c | gelu_ops_avx512.c) echo "-mavx512f -mavx512dq -mavx512vl -mavx512bw -mavx2 -mfma -mf16c" ;;
  esac
}

# The other architecture's ISA files are not this build's (CMakeLists.txt picks by processor).
other_arch() {
  case "$(uname -m):$1" in
    x86_64:*neon*) return 0 ;;
    aarch64:*avx*) return 0 ;;
    *) return 1 ;;
  esac
}

# One compiler per processor at a time: the instrumented ISA files take most of this script's time.
objs=()
pids=()
for src in "$root"/native/src/*.c "$root/native/tests/fuzz_gelu.c"; do
  name="$(basename "$src" .c)"
  other_arch "$name" && continue
  if [ "${#pids[@]}" -ge "$(nproc)" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
  # shellcheck disable=SC2046 # the ISA flags are separate words
  "$cc" "${common[@]}" $(isa_flags "$(basename "$src")") -c "$src" -o "$out/obj/$name.o" &
  pids+=("$!")
  objs+=("$out/obj/$name.o")
done
for pid in "${pids[@]}"; do
  wait "$pid"
done
"$cc" -fsanitize=fuzzer,address,undefined "${objs[@]}" -lm -o "$out/fuzz_gelu"

# Seeds that reach the rare paths at once: the hard-case table's inputs, the special values
# and the clamps, for every form (header: form/entry, offsets, shift, ISA number, length).
floats='\x6f\xa4\xb0\x37\x6f\xa4\xb0\xb7\x00\x00\x00\x00\x00\x00\x00\x80'
floats+='\x00\x00\x80\x7f\x00\x00\x80\xff\x00\x00\xc0\x7f\x01\x00\x00\x00'
floats+='\x00\x00\x70\x41\x00\x00\x70\xc1\x00\x00\x40\x41\x00\x00\x40\xc1\x00\x00\x80\x3f'
printf '%b' "\x06\x35\x04\x02\x0d\x00$floats" >"$out/seeds/erf"
printf '%b' "\x07\xc1\x05\x07\x0d\x00$floats" >"$out/seeds/tanh"
printf '%b' "\x17\xc1\x05\x07\x0d\x00$floats" >"$out/seeds/quick" # bit 4: the quick form

echo "fuzz: libFuzzer for ${seconds}s, corpus $out/corpus" >&2
"$out/fuzz_gelu" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/corpus" "$out/seeds"
