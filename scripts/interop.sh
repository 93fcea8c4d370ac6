#!/usr/bin/env bash
# Cross-language call cost (issue #13): gelu_erf_f32 at n = 1, 16, 256, 4096 called from C, Java
# FFM (critical and plain downcalls, heap and off-heap), JNI, the Java API and Python ctypes on
# numpy arrays, in one report: bench/results/INTEROP.md.
#   scripts/interop.sh            about 40 s after the builds
#   INTEROP_CPU=0 scripts/interop.sh      pin to another CPU (default: the last one; "none": no pinning)
#   INTEROP_ROUNDS=R INTEROP_ROUND_US=U   rounds per cell and µs per round (default 201 and 200)
#   INTEROP_FORKS=F                       runs of each harness, pooled (default 3)
# Builds what is missing (libgelu, the jar or the library classes, the C driver, the JNI shim, the
# harness) under build/; installs cmake gcc make libmpfr-dev and python3-numpy when run as root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
cd "$root"

rounds="${INTEROP_ROUNDS:-201}"
forks="${INTEROP_FORKS:-3}"
round_us="${INTEROP_ROUND_US:-200}"
out="$root/build/interop"
src="$root/bench/interop"
mkdir -p "$out/classes"

gelu_ensure_packages cmake gcc make libmpfr-dev
gelu_find_jdk
if [ ! -e "$root/build/libgelu.so" ]; then
  echo "interop: building libgelu" >&2
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=ON >/dev/null
  cmake --build build -j2 --target gelu >/dev/null
fi
lib="$root/build/libgelu.so"

# The library's Java API: the jar when there is one, else its sources compiled here (no Maven:
# a package next to other people's `mvn test` in the same target/ would trip them up).
jar="$root/target/gelu-ffm.jar"
if [ -f "$jar" ]; then
  api_cp="$jar"
else
  echo "interop: no target/gelu-ffm.jar; compiling java/src/main with javac into build/interop/gelu-classes" >&2
  rm -rf "$out/gelu-classes"
  find java/src/main/java -name '*.java' >"$out/gelu-sources.txt"
  "$JAVA_HOME/bin/javac" --release 25 -nowarn -d "$out/gelu-classes" @"$out/gelu-sources.txt" 2>&1 |
    grep -v '^Note:' >&2 || true
  api_cp="$out/gelu-classes"
fi

# Python with numpy: python3 on PATH if it has it, else Debian's with python3-numpy.
py=""
for c in "$(command -v python3 || true)" /usr/bin/python3; do
  if [ -n "$c" ] && "$c" -c 'import numpy' 2>/dev/null; then py="$c"; break; fi
done
if [ -z "$py" ]; then
  gelu_ensure_packages python3-numpy
  py=/usr/bin/python3
fi

echo "interop: building the C driver, the JNI shim and the Java harness" >&2
cflags=(-O2 -Wall -Wextra -I"$root/native/include")
# shellcheck disable=SC2016 # $ORIGIN is for the dynamic linker, not the shell
rpath='-Wl,-rpath,$ORIGIN/..' # build/interop/ -> build/libgelu.so
gcc "${cflags[@]}" "$src/interop_c.c" -o "$out/interop_c" -L"$root/build" -lgelu "$rpath"
gcc "${cflags[@]}" -shared -fPIC -fvisibility=hidden -DINTEROP_NO_MAIN "$src/interop_c.c" \
  -o "$out/libinterop_c.so" -L"$root/build" -lgelu "$rpath"
gcc "${cflags[@]}" -shared -fPIC -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" "$src/gelu_jni.c" \
  -o "$out/libgelu_jni.so" -L"$root/build" -lgelu "$rpath"
"$JAVA_HOME/bin/javac" --release 25 -cp "$api_cp" -d "$out/classes" "$src"/java/gelu/interop/*.java

# One CPU for every measurement, the same one for all three processes.
cpu="${INTEROP_CPU:-$(($(nproc) - 1))}"
pin=()
if [ "$cpu" != none ] && command -v taskset >/dev/null; then
  pin=(taskset -c "$cpu")
  pinning="taskset -c $cpu (every process on CPU $cpu)"
else
  pinning="none"
fi
args=(--rounds "$rounds" --min-us "$round_us" --sizes "1,16,256,4096")
# pinned to one CPU the JVM would pick Serial GC; G1, the server default, is what matters for
# JNI critical arrays (region pinning)
jvm_flags=(-XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dgelu.backend=native -Dgelu.library.path="$lib")

# Each harness runs $forks times, alternating (C, Java, Python, C, ...): a fresh JVM each time,
# since JIT decisions differ from one JVM to the next; the report pools the rounds.
start=$(date +%s)
csvs=()
rm -f "$out"/c.*.csv "$out"/java.*.csv "$out"/py.*.csv
for f in $(seq 1 "$forks"); do
  echo "interop: run $f/$forks: C" >&2
  "${pin[@]}" "$out/interop_c" "${args[@]}" >"$out/c.$f.csv" 2>"$out/c.log"
  echo "interop: run $f/$forks: Java (FFM, JNI, API)" >&2
  "${pin[@]}" "$JAVA_HOME/bin/java" "${jvm_flags[@]}" -cp "$api_cp:$out/classes" gelu.interop.InteropBench \
    "$lib" "$out/libgelu_jni.so" "$out/libinterop_c.so" "${args[@]}" >"$out/java.$f.csv" 2>"$out/java.log"
  echo "interop: run $f/$forks: Python (ctypes, numpy)" >&2
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "${pin[@]}" "$py" "$src/interop_py.py" "$lib" "$out/libinterop_c.so" \
    "${args[@]}" >"$out/py.$f.csv" 2>"$out/py.log"
  csvs+=("$out/c.$f.csv" "$out/java.$f.csv" "$out/py.$f.csv")
done

isa=$(sed -n 's/^interop_c: isa \([a-z0-9]*\).*/\1/p' "$out/c.log")
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs ($(lscpu | sed -n 's/^Core(s) per socket: *//p' | head -1) cores per socket, $(lscpu | sed -n 's/^Thread(s) per core: *//p' | head -1) thread(s) per core)"
  echo "cores=$(nproc) online; load average at the start of the report: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "isa=$isa"
  echo "pinning=$pinning"
  echo "java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1) ($JAVA_HOME), API from ${api_cp#"$root/"}"
  echo "jvm_flags=${jvm_flags[*]/#-Dgelu.library.path=*/-Dgelu.library.path=build/libgelu.so}"
  echo "python=$(sed -n 's/^interop_py: //p' "$out/py.log") ($py)"
  echo "command=scripts/interop.sh (INTEROP_ROUNDS=$rounds INTEROP_ROUND_US=$round_us INTEROP_FORKS=$forks)"
  echo "wall=$(($(date +%s) - start)) s of timing"
  echo "forks=$forks"
  echo "round_us=$round_us"
} >"$out/meta.txt"
mkdir -p "$root/bench/results"
"$py" "$src/report.py" "$root/bench/results/INTEROP.md" "$out/meta.txt" "${csvs[@]}"
echo "interop: wrote bench/results/INTEROP.md (raw rounds in build/interop/*.csv)" >&2
