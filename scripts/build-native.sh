#!/usr/bin/env bash
# Builds libgelu with CMake for the Maven build (java/pom.xml runs it in generate-resources):
# configures BUILD_DIR with $GELU_CMAKE_OPTIONS and builds the target gelu only, which leaves
# BUILD_DIR/native-resources/natives/linux-x86_64/libgelu.so for the jar. Incremental: a
# second run with nothing changed compiles nothing. Fails with the reason and the way out
# when the library cannot be built.
# Usage: scripts/build-native.sh BUILD_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
fail() {
  echo "gelu: cannot build the native library: $*" >&2
  echo "gelu: install CMake >= 3.21 and gcc (Debian: apt-get install cmake gcc make), or build a jar without it (Java backends only) with -Dgelu.javaOnly=true" >&2
  exit 1
}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) fail "libgelu is built for Linux x86-64 only, this is $(uname -s) $(uname -m)" ;;
esac
command -v cmake >/dev/null || fail "cmake is not on PATH"
command -v "${CC:-cc}" >/dev/null || fail "no C compiler (${CC:-cc}) on PATH"
# shellcheck disable=SC2086 # GELU_CMAKE_OPTIONS is a list of -D options
cmake -S "$root" -B "$build" ${GELU_CMAKE_OPTIONS:-} --log-level=WARNING -DCMAKE_RULE_MESSAGES=OFF >/dev/null ||
  fail "CMake could not configure $build (its messages are above)"
cmake --build "$build" --target gelu -j "$(nproc)" >/dev/null ||
  fail "the compilation failed (the compiler's messages are above)"
lib="$build/native-resources/natives/linux-x86_64/libgelu.so"
[ -f "$lib" ] || fail "the build left no $lib"
echo "gelu: libgelu built in $build" >&2
