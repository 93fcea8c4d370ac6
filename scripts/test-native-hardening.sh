#!/usr/bin/env bash
# Memory-safety checks of the native library, each step in its own build directory:
#   asan-build, asan-ctest  the C tests built with ASan+UBSan (build-asan), except those
#                           labelled "slow"
#   valgrind                the guard-page test under valgrind memcheck (build-valgrind), on
#                           the scalar and AVX2 kernels: valgrind cannot run AVX-512 code
#   fuzz                    libFuzzer on the C API (scripts/fuzz.sh, build-fuzz)
# Every step runs even when an earlier one failed; its output goes to build-hardening/<step>.log.
# Prints a summary and exits non-zero when any step failed.
# Usage: scripts/test-native-hardening.sh [fuzz-seconds]   (default 60)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
fuzz_seconds="${1:-60}"
gelu_ensure_packages cmake gcc make libmpfr-dev valgrind || exit 1
logs="$root/build-hardening"
mkdir -p "$logs"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

asan_build() {
  cmake -S "$root" -B "$root/build-asan" -DGELU_SANITIZE=ON -DGELU_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$root/build-asan" -j "$(nproc)"
}

asan_ctest() {
  ctest --test-dir "$root/build-asan" --output-on-failure -LE slow
}

valgrind_test() {
  cmake -S "$root" -B "$root/build-valgrind" -DGELU_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$root/build-valgrind" -j "$(nproc)" --target test_guard_pages &&
    ctest --test-dir "$root/build-valgrind" --output-on-failure --no-tests=error -R '^valgrind_api$'
}

summary=()
failed=0
step() { # step NAME COMMAND...: runs the command into NAME's log and records the outcome
  local name="$1" start=$SECONDS
  shift
  echo "== $name" >&2
  if "$@" >"$logs/$name.log" 2>&1; then
    summary+=("PASS  $name  $((SECONDS - start)) s")
  else
    summary+=("FAIL  $name  $((SECONDS - start)) s  (log: $logs/$name.log)")
    failed=1
    tail -n 40 "$logs/$name.log" >&2
  fi
}

step asan-build asan_build
step asan-ctest asan_ctest
step valgrind valgrind_test
step fuzz "$root/scripts/fuzz.sh" "$fuzz_seconds"

echo "== native hardening summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "== native hardening FAILED"
  exit 1
fi
echo "== native hardening passed"
