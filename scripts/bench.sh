#!/usr/bin/env bash
# The whole speed comparison, written to bench/results/ (results.csv, RESULTS.md and
# gelu-bench.svg): the native kernels (every ISA, the three forms, both accuracies, 1 and 2
# threads) against oneDNN 3.8.1 (the anchor) and Debian's oneDNN 2.6 side by side, SLEEF,
# libmvec and glibc GELU loops and a copy floor in the same run, then PyTorch; on x ~ N(0, 1)
# (the headline: what pre-activations look like), then at the sizes of the targets on x uniform
# in [-8, 8] (the adversarial case), on two heavy-tailed inputs (Student's t(3); 1% outliers
# 30 times wider) and on two that look for slow paths (subnormal x; x in [-60, -12]), then
# AVX2 against AVX2 (gelu_cbench --max-isa avx2: oneDNN capped as
# ONEDNN_MAX_CPU_ISA=AVX2 would). The same for 16-bit storage (bf16, f16, float32 -> bf16/f16;
# oneDNN's bf16 kernels, PyTorch's bf16 F.gelu, 2-byte copy floors) and the backward, in the
# same runs.
#   scripts/bench.sh           n from 1 to 2^24, rounds of >= 20 ms: about 20 minutes
#   scripts/bench.sh --quick   fewer sizes, shorter and fewer rounds: to check the pipeline
#   scripts/bench.sh --smoke   n = 2^16 only, 3 short rounds, 1 thread, no PyTorch: that every
#                              row runs and every ratio prints; written to build/bench/smoke/,
#                              never over the results of a real run
# GELU_BENCH_NOTE="..." adds a note to RESULTS.md (e.g. that the machine was shared); the load
# average before and after the run goes there too.
# Installs the missing packages when run as root and fetches oneDNN 3.8.1 from Maven Central
# (bench/fetch_onednn.sh); an anchor whose library is missing is left out.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"

args=()
wide=(--sizes "65536,16777216" --threads 1)
out="$root/bench/results"
torch=yes
case "${1:-}" in
  "") ;;
  --quick) args=(--sizes "1,16,256,4096,65536,1048576" --rounds 3 --min-ms 5)
           wide=(--sizes 65536 --threads 1 --rounds 3 --min-ms 5) ;;
  --smoke) args=(--sizes 65536 --threads 1 --rounds 3 --min-ms 5)
           wide=(--sizes 65536 --threads 1 --rounds 3 --min-ms 5)
           out="$root/build/bench/smoke" torch="" ;;
  *) echo "usage: scripts/bench.sh [--quick|--smoke]" >&2; exit 2 ;;
esac

gelu_ensure_packages cmake gcc make libmpfr-dev unzip
# libOpenCL.so.1 is a dependency of both oneDNN builds (their GPU runtime), even on a CPU
gelu_ensure_packages ocl-icd-libopencl1 maven libdnnl-dev libsleef-dev ||
  echo "gelu: benchmarking without some of oneDNN 2.6, oneDNN 3.8.1 and SLEEF" >&2
"$root/bench/fetch_onednn.sh" || echo "gelu: oneDNN 3.8.1 could not be fetched; benchmarking without it" >&2
# python3-torch is large (about 1 GB with its dependencies); the rest runs without it.
if [ -n "$torch" ]; then
  gelu_ensure_packages python3-torch || echo "gelu: python3-torch is missing; benchmarking without PyTorch" >&2
fi

cmake -S "$root" -B "$root/build" -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target gelu_cbench >/dev/null

raw="$root/build/bench"
csvs=("$raw/cbench.csv" "$raw/load.csv")
echo "# load-before=$(cut -d' ' -f1-3 /proc/loadavg)" >"$raw/load.csv"
echo "gelu: timing the native kernels and the anchors, x ~ N(0, 1)" >&2
"$raw/gelu_cbench" "${args[@]}" --dist normal >"$raw/cbench.csv"
# The rows of the targets, on the other inputs and capped at AVX2
only=gelu-ffm,gelu-ffm-faithful,onednn,onednn2,sleef-erff-u10,gelu-ffm-bf16,gelu-ffm-f16
only+=,gelu-ffm-f32-to-bf16,gelu-ffm-f32-to-f16,onednn-bf16,onednn2-bf16,gelu-ffm-backward
only+=,gelu-ffm-backward-bf16,gelu-ffm-backward-f16,onednn-backward,onednn2-backward
only+=,onednn-backward-bf16,onednn2-backward-bf16
for dist in uniform8 student3 outliers subnormal far; do
  echo "gelu: the same on x ~ $dist" >&2
  "$raw/gelu_cbench" "${wide[@]}" --dist "$dist" --ref-dist normal --only "$only" >"$raw/cbench-$dist.csv"
  csvs+=("$raw/cbench-$dist.csv")
done
echo "gelu: AVX2 against AVX2 (ours on AVX2, oneDNN capped at AVX2)" >&2
"$raw/gelu_cbench" "${wide[@]}" --max-isa avx2 --only "$only" >"$raw/cbench-avx2.csv"
csvs+=("$raw/cbench-avx2.csv")
if [ -n "$torch" ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "gelu: timing PyTorch" >&2
  /usr/bin/python3 "$root/bench/torch_gelu.py" "${args[@]}" --dist normal >"$raw/torch.csv"
  csvs+=("$raw/torch.csv")
elif [ -n "$torch" ]; then
  echo "gelu: /usr/bin/python3 cannot import torch; PyTorch left out" >&2
fi
echo "# load-after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw/load.csv"
note=()
[ -n "${GELU_BENCH_NOTE:-}" ] && note=(--note "$GELU_BENCH_NOTE")
/usr/bin/python3 "$root/bench/report.py" "${note[@]}" "$out" "${csvs[@]}"
echo "gelu: wrote $out/results.csv, RESULTS.md and gelu-bench.svg" >&2
