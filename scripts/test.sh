#!/usr/bin/env bash
# The whole test suite: the C tests (ctest: MPFR oracle, every ISA, the API contract, guard
# pages, valgrind), the same under ASan+UBSan plus a libFuzzer run, and the Java tests (Maven:
# every backend and native ISA, golden MPFR values, argument checks, fuzzing, .npy).
# Installs missing Debian packages when run as root and finds a JDK >= 22 by itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
gelu_find_jdk
echo "== JDK: $JAVA_HOME" >&2
gelu_ensure_packages cmake gcc make libmpfr-dev maven

echo "== C library and tests (ctest)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" >/dev/null
(cd "$root/build" && ctest --output-on-failure --output-junit ctest-results.xml)

echo "== C hardening: ASan+UBSan ctest, valgrind, libFuzzer (60 s)"
bash "$root/scripts/test-native-hardening.sh" 60

echo "== Java tests (Maven: one leg per backend and native ISA)"
rm -rf "$root/target/surefire-reports"
(cd "$root" && mvn -B -q test)
echo "== all tests passed"
python3 "$root/scripts/count-tests.py" "$root/build/ctest-results.xml" "$root/target/surefire-reports"
