#!/usr/bin/env bash
# The whole test suite: the C tests (ctest: MPFR oracle, every ISA, the API contract, guard
# pages, valgrind, and a C program built against the installed CMake package and gelu.pc), the
# same under ASan+UBSan plus a libFuzzer run, the Java tests (Maven: every backend and native
# ISA, golden MPFR values, argument checks, fuzzing, the CLI, the Arrow adapter) while Maven
# installs the artifacts into a temporary local repository, and a separate consumer project
# built from that repository by coordinates and run on the class and module paths. The
# linux-aarch64 leg (scripts/aarch64-test.sh, under qemu-aarch64): the cross build, its C tests
# and its bits against x86's (gelu_digest), the jar with both natives, and Java tests on an
# arm64 JDK; GELU_SKIP_AARCH64=1 leaves it out. Then the format check (scripts/format.sh
# --check: clang-format, Spotless, shellcheck).
# Installs missing Debian packages when run as root and finds a JDK 25 by itself.
#
# scripts/test.sh --quick is the inner loop, not a substitute: the same CMake build, the ctests
# labelled fast (ctest -L fast), the Java module's tests on the native backend alone
# (-Dgelu.legs=native) without the ones tagged slow (-DexcludedGroups=slow), and shellcheck.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
quick=false
case "${1:-}" in
  "") ;;
  --quick) quick=true ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac
# A step's heading, with the time since the start: where the suite's minutes go
step() { echo "== [$((SECONDS / 60)):$(printf %02d $((SECONDS % 60)))] $*"; }
gelu_find_jdk
echo "== JDK: $JAVA_HOME" >&2
gelu_ensure_packages cmake gcc make libmpfr-dev maven pkg-config

step "C library and tests (ctest)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=ON -DGELU_INSTALL=ON >/dev/null
cmake --build "$root/build" -j "$(nproc)" >/dev/null

if $quick; then
  (cd "$root/build" && ctest --output-on-failure -L fast)
  step "Java tests: the native backend's leg, without the slow ones"
  rm -rf "$root/java/target/surefire-reports"
  (cd "$root" && mvn -B -q -pl java test -Dgelu.legs=native -DexcludedGroups=slow \
    -Dgelu.cmake.dir="$root/build" -Dgelu.cmake.options=-DCMAKE_BUILD_TYPE=Release)
  bash "$root/scripts/format.sh" --check shell
  echo "== the quick tests passed (scripts/test.sh runs everything)"
  exit 0
fi

(cd "$root/build" && ctest --output-on-failure --output-junit ctest-results.xml)

aarch64=true
[ "${GELU_SKIP_AARCH64:-0}" = 1 ] && aarch64=false
aarch64_maven=(-Dgelu.skipAarch64=true)
if $aarch64; then
  step "linux-aarch64: cross build, C tests under qemu, bits against x86-64"
  bash "$root/scripts/aarch64-test.sh" c
  aarch64_maven=(-Dgelu.cmake.dir.aarch64="$root/build-aarch64" -Dgelu.cmake.options.aarch64=-DCMAKE_BUILD_TYPE=Release)
fi

step "C hardening: ASan+UBSan ctest, valgrind, libFuzzer (60 s)"
bash "$root/scripts/test-native-hardening.sh" 60

step "Java tests, then mvn install into a temporary local repository"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/gelu-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
gelu_temp_maven_repo "$tmp/maven"
reports=("$root/java/target/surefire-reports" "$root/cli/target/surefire-reports" "$root/arrow/target/surefire-reports")
rm -rf "${reports[@]}"
# Maven's CMake steps reuse the builds above (configured the same way, so they build nothing).
(cd "$root" && mvn -B -q "${GELU_MVN_TMP[@]}" install \
  -Dgelu.cmake.dir="$root/build" -Dgelu.cmake.options=-DCMAKE_BUILD_TYPE=Release "${aarch64_maven[@]}")
if $aarch64; then
  step "linux-aarch64: Java tests on an arm64 JDK 25 under qemu (the jar's aarch64 library)"
  bash "$root/scripts/aarch64-test.sh" java
fi

step "a consumer project depending on dev.gelu:gelu-ffm by coordinates"
bash "$root/scripts/consumer-test.sh" "$tmp/maven"
step "a Spark job (examples/spark) on gelu-ffm by coordinates, checked bit for bit"
bash "$root/scripts/spark-test.sh" "$tmp/maven"

step "format: clang-format, Spotless, shellcheck"
bash "$root/scripts/format.sh" --check
echo "== all tests passed ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
$aarch64 && reports+=("$root/build-aarch64") # its ctest file, TEST-ctest-aarch64.xml
python3 "$root/scripts/count-tests.py" "$root/build/ctest-results.xml" "${reports[@]}"
