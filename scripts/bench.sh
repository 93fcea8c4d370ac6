#!/usr/bin/env bash
# The whole speed comparison, written to bench/results/ (results.csv, RESULTS.md and
# gelu-bench.svg): the native kernels (every ISA, both forms, both accuracies, 1 and 2 threads)
# against oneDNN, SLEEF, libmvec and glibc GELU loops and a copy floor in the same run, then
# PyTorch; on x ~ N(0, 1) (the headline: what pre-activations look like), then on x uniform in
# [-8, 8] (the adversarial case) at the sizes of the targets. The same for 16-bit storage
# (bf16, f16, float32 -> bf16/f16; oneDNN's bf16 kernel and PyTorch's bf16 F.gelu, 2-byte copy
# floors), in the same runs.
#   scripts/bench.sh           n from 1 to 2^24, rounds of >= 20 ms: about 10 minutes
#   scripts/bench.sh --quick   fewer sizes, shorter and fewer rounds: to check the pipeline
# GELU_BENCH_NOTE="..." adds a note to RESULTS.md (e.g. that the machine was shared); the load
# average before and after the run goes there too.
# Installs the missing packages when run as root; an anchor whose library is missing is left out.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"

args=()
wide=(--sizes "65536,16777216" --threads 1)
case "${1:-}" in
  "") ;;
  --quick) args=(--sizes "1,16,256,4096,65536,1048576" --rounds 3 --min-ms 5)
           wide=(--sizes 65536 --threads 1 --rounds 3 --min-ms 5) ;;
  *) echo "usage: scripts/bench.sh [--quick]" >&2; exit 2 ;;
esac

gelu_ensure_packages cmake gcc make libmpfr-dev
gelu_ensure_packages libdnnl-dev libsleef-dev || echo "gelu: benchmarking without oneDNN and SLEEF" >&2
# python3-torch is large (about 1 GB with its dependencies); the rest runs without it.
gelu_ensure_packages python3-torch || echo "gelu: python3-torch is missing; benchmarking without PyTorch" >&2

cmake -S "$root" -B "$root/build" -DGELU_BUILD_TESTS=ON -DGELU_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target gelu_cbench >/dev/null

raw="$root/build/bench"
csvs=("$raw/cbench.csv" "$raw/cbench-uniform8.csv" "$raw/load.csv")
echo "# load-before=$(cut -d' ' -f1-3 /proc/loadavg)" >"$raw/load.csv"
echo "gelu: timing the native kernels and the anchors, x ~ N(0, 1)" >&2
"$raw/gelu_cbench" "${args[@]}" --dist normal >"$raw/cbench.csv"
echo "gelu: the same on x uniform in [-8, 8]" >&2
"$raw/gelu_cbench" "${wide[@]}" --dist uniform8 \
  --only gelu-ffm,gelu-ffm-faithful,onednn,sleef-erff-u10,gelu-ffm-bf16,gelu-ffm-f16,gelu-ffm-f32-to-bf16,gelu-ffm-f32-to-f16,onednn-bf16 \
  >"$raw/cbench-uniform8.csv"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "gelu: timing PyTorch" >&2
  /usr/bin/python3 "$root/bench/torch_gelu.py" "${args[@]}" --dist normal >"$raw/torch.csv"
  csvs+=("$raw/torch.csv")
else
  echo "gelu: /usr/bin/python3 cannot import torch; PyTorch left out" >&2
fi
echo "# load-after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw/load.csv"
note=()
[ -n "${GELU_BENCH_NOTE:-}" ] && note=(--note "$GELU_BENCH_NOTE")
/usr/bin/python3 "$root/bench/report.py" "${note[@]}" "$root/bench/results" "${csvs[@]}"
echo "gelu: wrote bench/results/results.csv, RESULTS.md and gelu-bench.svg" >&2
