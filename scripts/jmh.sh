#!/usr/bin/env bash
# JMH benchmarks of the Java API (bench/jmh/), and of ONNX Runtime's Gelu from Java as the
# anchor, written to bench/results/jmh.csv and JMH.md.
#   scripts/jmh.sh                 every benchmark and parameter (the scalar backends up to
#                                  n = 2^20), 3x1 s warmup, 5x1 s measured, one fork each:
#                                  about half an hour
#   scripts/jmh.sh --quick         n in {1, 65536}, confined arena and heap, 1x1 s warmup,
#                                  2x200 ms measured: about two minutes, to check the pipeline
#   scripts/jmh.sh [--quick] ARGS  ARGS go to every JMH run: options (-f 3, -prof gc), -p
#                                  values (they replace the script's for that parameter), a
#                                  regex of benchmarks to keep, -e for ones to drop
# Builds the library jar and then the benchmark jar (bench/jmh/target/gelu-jmh.jar, which
# contains both and runs on its own: java -jar bench/jmh/target/gelu-jmh.jar -h).
# Throughput in Gelem/s is n / (ns/op); JMH.md has it, and the ratio to the C bench where
# bench/results/results.csv exists (scripts/bench.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"

quick=false
if [ "${1:-}" = --quick ]; then
  quick=true
  shift
fi
args=("$@")

gelu_build_if_needed
gelu_ensure_packages maven
echo "gelu: building bench/jmh/target/gelu-jmh.jar" >&2
(cd "$root" && mvn -q -B -f bench/jmh/pom.xml package) >&2

jar="$root/bench/jmh/target/gelu-jmh.jar"
host=(--sun-misc-unsafe-memory-access=allow) # JMH calls sun.misc.Unsafe, which JDK 24+ warns about
work="$root/bench/jmh/target/runs"
rm -rf "$work"
mkdir -p "$work" "$root/bench/results"
# the backend and ISA the API runs here, for JMH.md and for which C figures to compare with
"$root/gelu" info >"$work/info.txt"

# JMH adds repeated -p values up, so a parameter that ARGS set replaces the script's choice.
user_sets() {
  local a
  for a in "${args[@]}"; do [[ $a == "$1="* ]] && return 0; done
  return 1
}
param() { user_sets "$1" || echo "-p $1=$2"; }

# One JMH run per element; each is a string of arguments (no spaces inside one argument).
if $quick; then
  # a second of warmup even here: C2 needs about that before the Vector API kernels are
  # compiled to vector code, and in the interpreter they are a hundred times slower
  runs=("-wi 1 -w 1s -i 2 -r 200ms $(param n 1,65536) $(param arena confined)")
else
  # Exclusions rather than names select each run's benchmarks, so that a regex in ARGS
  # narrows every run instead of adding to it.
  runs=("-e Gelu(Backend|Half|Ops)Bench")
  if user_sets backend; then
    runs+=("-e Gelu(Segment|Heap|Single)Bench")
  else
    # The scalar backends take 10 to 40 ns per element, up to 0.7 s a call at n = 2^24:
    # they get a run of their own, capped at 2^20.
    runs+=(
      "-e Gelu(Segment|Heap|Single)Bench -p backend=native-avx512,native-avx2,vector"
      "-e Gelu(Segment|Heap|Single)Bench -p backend=native-scalar,scalar $(param n 1,16,256,4096,65536,1048576)"
    )
  fi
fi

csvs=()
for i in "${!runs[@]}"; do
  read -r -a run <<<"${runs[$i]}"
  # a regex in ARGS can leave a run with nothing to do, which JMH reports as a misspelling
  listed="$("$GELU_JAVA" "${host[@]}" -jar "$jar" -l "${run[@]}" "${args[@]}")"
  grep -q '^dev\.gelu\.bench\.' <<<"$listed" || continue
  "$GELU_JAVA" "${host[@]}" -jar "$jar" "${run[@]}" "${args[@]}" -rf csv -rff "$work/run$i.csv"
  csvs+=("$work/run$i.csv")
done
if [ ${#csvs[@]} -eq 0 ]; then
  echo "gelu: no benchmark matches ${args[*]}" >&2
  exit 1
fi

python3 "$root/bench/jmh/summary.py" --info "$work/info.txt" "$root/bench/results" "${csvs[@]}"
echo "gelu: wrote bench/results/jmh.csv and JMH.md" >&2
cat "$root/bench/results/JMH.md"
