#!/usr/bin/env bash
# Builds libgelu with CMake for the Maven build (java/pom.xml runs it in generate-resources):
# configures BUILD_DIR with $GELU_CMAKE_OPTIONS and builds the target gelu only, which leaves
# BUILD_DIR/native-resources/natives/linux-<arch>/libgelu.so for the jar. Incremental: a
# second run with nothing changed compiles nothing. Fails with the reason and the way out
# when the library cannot be built.
# Usage: scripts/build-native.sh BUILD_DIR [aarch64]
#   aarch64: cross-compile for linux-aarch64 (cmake/toolchains/aarch64-linux-gnu.cmake) on an
#   x86-64 host. Optional: without aarch64-linux-gnu-gcc it says so and builds nothing, and it
#   does nothing on an aarch64 host (whose own build is that library) or with GELU_JAVA_ONLY=true.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
target="${2:-host}"
fail() {
  echo "gelu: cannot build the native library: $*" >&2
  echo "gelu: install CMake >= 3.21 and gcc (Debian: apt-get install cmake gcc make), or build a jar without it (Java backends only) with -Dgelu.javaOnly=true" >&2
  exit 1
}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) arch=x86_64 ;;
  Linux-aarch64) arch=aarch64 ;;
  *) fail "libgelu is built for Linux x86-64 and aarch64 only, this is $(uname -s) $(uname -m)" ;;
esac
options="${GELU_CMAKE_OPTIONS:-}"
if [ "$target" = aarch64 ]; then
  [ "${GELU_JAVA_ONLY:-false}" = true ] && exit 0
  [ "$arch" = aarch64 ] && exit 0
  if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "gelu: no aarch64-linux-gnu-gcc: the jar gets no natives/linux-aarch64/libgelu.so (scripts/aarch64-setup.sh installs the cross toolchain; -Dgelu.skipAarch64=true skips this step)" >&2
    exit 0
  fi
  arch=aarch64
  options="$options -DCMAKE_TOOLCHAIN_FILE=$root/cmake/toolchains/aarch64-linux-gnu.cmake"
elif [ "$target" != host ]; then
  echo "usage: scripts/build-native.sh BUILD_DIR [aarch64]" >&2
  exit 2
fi
command -v cmake >/dev/null || fail "cmake is not on PATH"
command -v "${CC:-cc}" >/dev/null || fail "no C compiler (${CC:-cc}) on PATH"
# shellcheck disable=SC2086 # the options are a list of -D options
cmake -S "$root" -B "$build" $options --log-level=WARNING -DCMAKE_RULE_MESSAGES=OFF >/dev/null ||
  fail "CMake could not configure $build (its messages are above)"
cmake --build "$build" --target gelu -j "$(nproc)" >/dev/null ||
  fail "the compilation failed (the compiler's messages are above)"
lib="$build/native-resources/natives/linux-$arch/libgelu.so"
[ -f "$lib" ] || fail "the build left no $lib"
echo "gelu: libgelu built in $build (linux-$arch)" >&2
