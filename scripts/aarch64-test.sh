#!/usr/bin/env bash
# The linux-aarch64 leg of scripts/test.sh (issue 22), on an x86-64 host: everything runs under
# qemu-aarch64 (user mode, no binfmt needed); scripts/aarch64-setup.sh installs what it needs.
#
#   c     cross-build libgelu, the C tests and tools (cmake/toolchains/aarch64-linux-gnu.cmake)
#         into build-aarch64/, then ctest -L qemu there: the API contract and GELU_MAX_ISA, the
#         floating-point environment (FPCR), guard pages, the hard cases, all 2^16 16-bit
#         inputs against MPFR, and gelu_digest against the x86-64 build's digest of the same
#         inputs (build/gelu-digest.txt, written here from build/): every exported function,
#         scalar and neon, must hash to x86's bits. Needs the x86-64 build in build/ (tools on).
#   java  the aarch64-qemu leg of java/pom.xml: a subset of the Java tests on an arm64 JDK 25
#         (Debian trixie, cached by aarch64-setup.sh --jdk) with the jar's
#         natives/linux-aarch64 library, Gelu.backend() native and the ISA neon. Needs java/target
#         built with both natives (mvn install with -Dgelu.cmake.dir.aarch64=build-aarch64).
# Usage: scripts/aarch64-test.sh c|java
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
start=$SECONDS

case "${1:-}" in
  c)
    bash "$root/scripts/aarch64-setup.sh"
    digest="$root/build/gelu-digest.txt"
    "$root/build/native/tools/gelu_digest" >"$digest"
    cmake -S "$root" -B "$root/build-aarch64" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=OFF -DGELU_INSTALL=OFF \
      -DGELU_EXPECT_DIGEST="$digest" >/dev/null
    cmake --build "$root/build-aarch64" -j "$(nproc)" >/dev/null
    echo "== aarch64: cross build $((SECONDS - start)) s; the C tests under qemu-aarch64 (ctest -L qemu)"
    (cd "$root/build-aarch64" && ctest -j "$(nproc)" --output-on-failure -L qemu --output-junit TEST-ctest-aarch64.xml)
    ;;
  java)
    jdk="$(bash "$root/scripts/aarch64-setup.sh" --jdk)"
    lib="$root/java/target/classes/natives/linux-aarch64/libgelu.so"
    [ -f "$lib" ] || { echo "gelu: no $lib: build the jar with both natives first (scripts/test.sh does)" >&2; exit 1; }
    # surefire wants a path ending in bin/java
    wrapper="$root/java/target/qemu-jdk/bin/java"
    mkdir -p "$(dirname "$wrapper")"
    printf '#!/bin/sh\nexec qemu-aarch64 -L "%s" "%s/usr/lib/jvm/java-25-openjdk-arm64/bin/java" "$@"\n' "$jdk" "$jdk" >"$wrapper"
    chmod +x "$wrapper"
    gelu_find_jdk
    rm -rf "$root/java/target/surefire-reports/aarch64-qemu"
    (cd "$root" && mvn -B -q -pl java surefire:test@aarch64-qemu -Dgelu.skipQemuLeg=false -Dgelu.aarch64.jvm="$wrapper")
    ;;
  *) echo "usage: scripts/aarch64-test.sh c|java" >&2; exit 2 ;;
esac
echo "== aarch64 $1 leg passed in $((SECONDS - start)) s"
