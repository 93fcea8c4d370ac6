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
for f in include/gelu.h; do
  [ -f "$prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
config="$(find "$prefix" -name geluConfig.cmake)"
pc="$(find "$prefix" -name gelu.pc)"
[ -n "$config" ] && [ -n "$pc" ] || { echo "geluConfig.cmake or gelu.pc not installed" >&2; exit 1; }
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
export PKG_CONFIG_PATH="$(dirname "$pc")"
[ "$(pkg-config --modversion gelu)" = "$version" ] || { echo "gelu.pc has version $(pkg-config --modversion gelu)" >&2; exit 1; }
# shellcheck disable=SC2046
cc -o "$tmp/pc-consumer" "$here/main.c" $(pkg-config --cflags --libs gelu) \
  -Wl,-rpath,"$(pkg-config --variable=libdir gelu)"
"$tmp/pc-consumer" "$version"
