#!/usr/bin/env bash
# Regenerates the Java bindings of native/include/gelu.h into
# java/src/main/java/dev/gelu/internal/ffm (GeluNative*.java: committed; never edit them by hand).
# Needs `jextract` on PATH (openjdk/jextract; not part of this repository). Re-run after every
# change to gelu.h: the output is a function of gelu.h and the jextract version only.
# BindingsMatchHeaderTest (java/src/test, runs without jextract) fails when the committed
# bindings lack a function or constant of gelu.h, have one it lacks, or disagree with a prototype.
#
# 1. What to bind: jextract --dump-includes lists every symbol the header's translation unit
#    declares, each tagged with its header; the lines of gelu.h itself (every GELU_API
#    function, every integer #define GELU_*) become the --include-* filter, so a new entry point
#    or constant needs no edit here, and nothing from stddef.h/stdint.h is generated.
# 2. jextract writes GeluNative.java (one holder per function: $address, $descriptor, $handle,
#    and a wrapper) and GeluNative$shared.java (the C layouts).
# 3. One substitution in GeluNative.java: the generated SYMBOL_LOOKUP is
#    SymbolLookup.loaderLookup(), which sees only libraries that System.load put in the class
#    loader, and the JDK lets one class loader System.load a given file. It becomes
#    NativeLibrary.symbols(): the library that NativeLibrary opened with dlopen
#    (SymbolLookup.libraryLookup) in this class loader, so every class loader that loads the
#    classes gets working bindings. The script fails if jextract no longer generates the line.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jextract >/dev/null || { echo "jextract.sh: jextract is not on PATH" >&2; exit 1; }

header=native/include/gelu.h
out=java/src/main/java
pkg=dev.gelu.internal.ffm
dir=$out/${pkg//.//}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. the symbols gelu.h declares; the dump tags each line "# header: <absolute path>"
jextract --dump-includes "$tmp/dump" "$header" 2>/dev/null
grep -F "# header: $PWD/$header" "$tmp/dump" | sed 's/[[:space:]]*#.*//' > "$tmp/includes"
grep -q -- '--include-function' "$tmp/includes" || { echo "jextract.sh: no function found in $header" >&2; exit 1; }

# 2. the bindings
rm -f "$dir"/GeluNative*.java
jextract --output "$out" --target-package "$pkg" --header-class-name GeluNative @"$tmp/includes" "$header"

# 3. symbols from NativeLibrary's dlopen'ed library, not from System.load's loader lookup
java_file=$dir/GeluNative.java
sed -i '/^    static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()$/{
N
s/SymbolLookup.loaderLookup()\n *\.or(Linker.nativeLinker().defaultLookup());$/dev.gelu.internal.nativelib.NativeLibrary.symbols();/
}' "$java_file"
if [ "$(grep -c 'SYMBOL_LOOKUP = dev.gelu.internal.nativelib.NativeLibrary.symbols();$' "$java_file")" != 1 ] ||
    grep -q 'loaderLookup' "$java_file"; then
  echo "jextract.sh: $java_file: the generated SYMBOL_LOOKUP has changed; update step 3" >&2
  exit 1
fi
echo "jextract.sh: $(grep -c -- '--include-function' "$tmp/includes") functions and" \
  "$(grep -c -- '--include-constant' "$tmp/includes") constants written to $dir"
