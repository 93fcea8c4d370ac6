#!/usr/bin/env bash
# ctest "package_consumer": installs the build tree into a temporary prefix with cmake --install,
# then builds and runs a small C program against it twice: through find_package(gelu CONFIG
# REQUIRED) and through pkg-config. Nothing outside the temporary directory is touched.
# Usage: consumer.sh BUILD_DIR VERSION
set -euo pipefail
build="$1" version="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/gelu-consumer.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
[ -f "$prefix/include/gelu.h" ] || { echo "not installed: include/gelu.h" >&2; exit 1; }
config="$(find "$prefix" -name geluConfig.cmake)"
pc="$(find "$prefix" -name gelu.pc)"
if [ -z "$config" ] || [ -z "$pc" ]; then echo "geluConfig.cmake or gelu.pc not installed" >&2; exit 1; fi
# the package must not point back into the build or source tree
if grep -rqs -e "$build" -e "$(cd "$here/../../.." && pwd)" "$(dirname "$config")" "$pc"; then
  echo "the installed package refers to the build or source tree" >&2
  exit 1
fi

echo "-- find_package(gelu CONFIG REQUIRED)"
cmake -S "$here" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
"$tmp/cmake-build/gelu_consumer" "$version"

echo "-- pkg-config gelu"
PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_PATH
[ "$(pkg-config --modversion gelu)" = "$version" ] || { echo "gelu.pc has version $(pkg-config --modversion gelu)" >&2; exit 1; }
# shellcheck disable=SC2046 # pkg-config prints separate flags
cc -o "$tmp/pc-consumer" "$here/main.c" $(pkg-config --cflags --libs gelu) \
  -Wl,-rpath,"$(pkg-config --variable=libdir gelu)"
"$tmp/pc-consumer" "$version"

echo "-- add_subdirectory(gelu-ffm): the library only, no tests, tools, benchmarks or anchor probing"
src="$(cd "$here/../../.." && pwd)"
mkdir -p "$tmp/sub"
cat >"$tmp/sub/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.21)
project(gelu_subdir_consumer LANGUAGES C)
add_subdirectory("$src" gelu)
add_executable(gelu_consumer "$here/main.c")
target_link_libraries(gelu_consumer PRIVATE gelu::gelu)
CMAKE
cmake -S "$tmp/sub" -B "$tmp/sub/build" >"$tmp/sub/configure.log" 2>&1 ||
  { cat "$tmp/sub/configure.log" >&2; echo "add_subdirectory: configure failed" >&2; exit 1; }
if grep -q "GELU anchors\|MPFR" "$tmp/sub/configure.log"; then
  echo "add_subdirectory probes for the anchors or MPFR:" >&2
  cat "$tmp/sub/configure.log" >&2
  exit 1
fi
targets="$(cmake --build "$tmp/sub/build" --target help)"
for t in gelu_cbench gelu_fpenv_cost test_api gelu_exhaustive gelu_oracle; do
  if grep -qw "$t" <<<"$targets"; then echo "add_subdirectory defines the developer target $t" >&2; exit 1; fi
done
grep -qw gelu_consumer <<<"$targets" || { echo "add_subdirectory: no consumer target" >&2; exit 1; }
echo "gelu::gelu through add_subdirectory, no developer targets"
