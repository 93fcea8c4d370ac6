#!/usr/bin/env bash
# Regenerates the Java bindings of native/include/gelu.h into
# java/src/main/java/dev/gelu/internal/ffm (committed; never edit them by hand).
# Needs `jextract` on PATH (built from the openjdk/jextract sources; it is not committed here).
# Re-run after every change to gelu.h; CI checks that the committed output is current only
# where jextract is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jextract >/dev/null || { echo "jextract.sh: jextract is not on PATH" >&2; exit 1; }

out=java/src/main/java
pkg=dev.gelu.internal.ffm
rm -rf "${out:?}/${pkg//.//}"
args=(--output "$out" --target-package "$pkg" --header-class-name GeluNative)
# every function the public header exports (GELU_API), so a new entry point needs no edit here
while read -r f; do
  args+=(--include-function "$f")
done < <(sed -n 's/^GELU_API [^(]*[ *]\(gelu_[a-z0-9_]*\)(.*/\1/p' native/include/gelu.h)
for c in GELU_OK GELU_ERR_NULL GELU_ERR_OVERLAP GELU_ERR_ISA GELU_ERR_SIZE GELU_ISA_SCALAR GELU_ISA_AVX2 \
         GELU_ISA_AVX512 GELU_VERSION_NUMBER; do
  args+=(--include-constant "$c")
done
jextract "${args[@]}" native/include/gelu.h
echo "jextract.sh: bindings written to $out/${pkg//.//}"
