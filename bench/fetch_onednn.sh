#!/usr/bin/env bash
# Fetches oneDNN 3.8.1, the benchmark's anchor, from Maven Central (no source build): bytedeco's
# org.bytedeco:dnnl:3.8.1-1.5.12, classifier linux-x86_64, a jar holding libdnnl.so.3 and its C
# headers. Unpacks them into $GELU_ONEDNN3_DIR (default ~/.cache/gelu-ffm/onednn-3.8.1, outside
# git; CMake's GELU_ONEDNN3_DIR has the same default), then reconfigure so that gelu_cbench
# picks it up. libdnnl.so.3 needs libOpenCL.so.1 (Debian: ocl-icd-libopencl1).
#   bench/fetch_onednn.sh        does nothing when the directory is complete already
set -euo pipefail
dir="${GELU_ONEDNN3_DIR:-$HOME/.cache/gelu-ffm/onednn-3.8.1}"
artifact=org.bytedeco:dnnl:3.8.1-1.5.12:jar:linux-x86_64
if [ -f "$dir/libdnnl.so.3" ] && [ -f "$dir/include/oneapi/dnnl/dnnl.h" ]; then
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "gelu: fetching $artifact (Maven Central, about 28 MB)" >&2
mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$tmp" >&2
# the native library and the headers; not the JNI glue of the Java bindings
unzip -q "$tmp"/dnnl-*.jar 'org/bytedeco/dnnl/linux-x86_64/*' -x '*/libjnidnnl.so' -d "$tmp/jar"
mkdir -p "$(dirname "$dir")"
rm -rf "$dir"
mv "$tmp/jar/org/bytedeco/dnnl/linux-x86_64" "$dir"
echo "gelu: oneDNN 3.8.1 in $dir" >&2
