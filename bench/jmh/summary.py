#!/usr/bin/env python3
"""Merges JMH CSVs (-rf csv) into OUTDIR/jmh.csv and writes OUTDIR/JMH.md.

    python3 bench/jmh/summary.py [--info FILE] OUTDIR CSV...

JMH.md lists every (benchmark, parameters) with ns/op and Gelem/s (n elements per call, or one
for GeluSingleBench.value), and checks the issue's targets:
  - Java API through FFM, n >= 4096: at least 0.95x the throughput of the C bench's run of the
    same kernel (OUTDIR/results.csv from scripts/bench.sh: impl gelu-ffm, one thread);
  - n = 1: at most 10 ns per call on heap arrays and on global and auto arena segments;
  - the Vector API backend (GeluBackendBench backend=vector): at least 0.5x the native AVX-512
    kernel (backend=native-avx512) and at least 2x ONNX Runtime's Gelu (OnnxGeluBench), same
    form and n, n >= 4096, from this JMH run.
The API's benchmarks run the backend the library picks; --info is the output of `./gelu info`,
whose "backend native (ISA)" line names it (native avx512 without it). GeluBackendBench names
its own.
Standard library only.
"""
import argparse
import csv
import os
import re
from collections import defaultdict

PARAM_ORDER = ["backend", "accuracy", "dist", "arena", "form", "n"]
C_TARGET = 0.95  # the API's share of the C bench's throughput, n >= 4096
C_MIN_N = 4096
CALL_TARGET_NS = 10.0  # one-element call on heap arrays and global/auto segments
VECTOR_VS_NATIVE = 0.5  # the Vector API backend's share of the native AVX-512 kernel
VECTOR_VS_ONNX = {"CORRECTLY_ROUNDED": 2.0, "FAITHFUL": 1.0}  # the Vector API backend over ONNX Runtime's Gelu
SHORT = "dev.gelu.bench."


def read_jmh(paths):
    """Rows as dicts: bench, params (name -> value), score, error; runs may differ in columns."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if r["Unit"] != "ns/op":
                    raise SystemExit(f"{path}: unit {r['Unit']}, expected ns/op")
                params = {k[len("Param: "):]: v for k, v in r.items() if k.startswith("Param: ") and v}
                rows.append({
                    "raw": r,
                    "bench": r["Benchmark"].removeprefix(SHORT),
                    "params": params,
                    "score": float(r["Score"]),
                    "error": float(r["Score Error (99.9%)"]),
                })
    return rows


def write_merged(path, rows):
    fields = []
    for r in rows:
        fields += [k for k in r["raw"] if k not in fields]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, quoting=csv.QUOTE_NONNUMERIC)
        w.writeheader()
        for r in rows:
            w.writerow({k: r["raw"].get(k, "") for k in fields})


def read_c(path):
    """(form, isa, n) -> ns per call of the C bench's gelu-ffm runs on one thread."""
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        body = [line for line in f if not line.startswith("#")]
    c = {}
    for r in csv.DictReader(body):
        if r["impl"] == "gelu-ffm" and r["threads"] == "1":
            n = int(r["n"])
            c[(r["form"], r["isa"], n)] = float(r["ns_per_elem"]) * n
    return c


def api_isa(info_path):
    """The native ISA behind the API's calls; None when the API ran a Java backend."""
    if not info_path:
        return "avx512"
    with open(info_path) as f:
        m = re.search(r"^backend\s+native \((\w+)\)", f.read(), re.M)
    return m.group(1) if m else None


def kernel_isa(row, isa):
    """The native ISA a row ran, or None when it ran Java (no C counterpart)."""
    backend = row["params"].get("backend")
    if backend is None:
        return isa if row["bench"].startswith(("GeluSegmentBench", "GeluHeapBench")) else None
    return backend.removeprefix("native-") if backend.startswith("native-") else None


def elements(row):
    return int(row["params"].get("n", 1))


def vs_c(row, c, isa):
    """Throughput relative to the C bench (C ns per call / our ns per call), or None."""
    k = kernel_isa(row, isa)
    n = elements(row)
    key = (row["params"].get("form", "").lower(), k, n)
    if k is None or n < C_MIN_N or key not in c:
        return None
    return c[key] / row["score"]


def sort_key(row):
    p = row["params"]
    return tuple((int(p[k]) if k == "n" else p[k]) if k in p else "" for k in PARAM_ORDER)


def label(row, names):
    return " ".join(f"{k}={row['params'][k]}" for k in names if k in row["params"])


def fmt_ns(x):
    if x != x:
        return "-"  # NaN: JMH gives no error for a single sample
    return f"{x:,.0f}" if x >= 1000 else f"{x:.3g}"


def targets(rows, c, isa):
    out = ["## Targets", ""]
    ratios = defaultdict(list)
    for r in rows:
        v = vs_c(r, c, isa)
        if v is not None:
            path = r["bench"] + " " + label(r, ["backend", "arena"])
            ratios[path.strip()].append((v, r))
    if not c:
        out.append("FFM vs C: no bench/results/results.csv (scripts/bench.sh writes it).")
    elif not ratios:
        out.append(f"FFM vs C: no native row with n >= {C_MIN_N} that the C bench has.")
    else:
        out += [f"Java API through FFM, n >= {C_MIN_N}: throughput / C bench of the same kernel "
                f"(the API ran native {isa}), target >= {C_TARGET}.", "",
                "| path | worst | at | best | target |", "|---|---|---|---|---|"]
        for path, vs in ratios.items():
            worst, at = min(vs, key=lambda t: t[0])
            best = max(v for v, _ in vs)
            ok = "met" if worst >= C_TARGET else "**missed**"
            out.append(f"| {path} | {worst:.3f} | {label(at, ['form', 'n'])} | {best:.3f} | {ok} |")
    out.append("")

    single = [r for r in rows if elements(r) == 1 and (
        r["bench"] == "GeluHeapBench.array"
        or (r["bench"] == "GeluSegmentBench.apply" and r["params"].get("arena") in ("global", "auto")))]
    if single:
        out += [f"n = 1, target <= {CALL_TARGET_NS:g} ns per call:", "",
                "| call | ns/op | target |", "|---|---|---|"]
        for r in sorted(single, key=lambda r: (r["bench"], sort_key(r))):
            ok = "met" if r["score"] <= CALL_TARGET_NS else "**missed**"
            out.append(f"| {r['bench']} {label(r, ['arena', 'form'])} | {r['score']:.1f} | {ok} |")
    else:
        out.append("n = 1: no heap-array or global/auto segment row (the full run has them).")
    return out + [""] + vector_targets(rows)


def vector_targets(rows):
    """The Vector API backend against native AVX-512 and ONNX Runtime, same form and n."""
    def by(bench, backend=None):
        return {(r["params"].get("accuracy", "CORRECTLY_ROUNDED"), r["params"]["form"], int(r["params"]["n"])): r["score"]
                for r in rows if r["bench"] == bench and (backend is None or r["params"].get("backend") == backend)
                and int(r["params"].get("n", 0)) >= C_MIN_N and r["params"].get("dist", "normal") == "normal"}
    vec = by("GeluBackendBench.apply", "vector")
    nat = by("GeluBackendBench.apply", "native-avx512")
    # ONNX Runtime has one accuracy; both of ours are compared with it
    ort = {(a, f, n): v for (_, f, n), v in by("OnnxGeluBench.apply").items() for a in VECTOR_VS_ONNX}
    if not vec or not (nat or ort):
        return ["Vector API backend: no GeluBackendBench vector row with native-avx512 or "
                "OnnxGeluBench rows at the same n >= 4096 (the full run has them).", ""]
    out = [f"Vector API backend, n >= {C_MIN_N}: throughput over native AVX-512 of the same accuracy "
           f"(target >= {VECTOR_VS_NATIVE}) and over ONNX Runtime's Gelu (target >= "
           f"{VECTOR_VS_ONNX['CORRECTLY_ROUNDED']} correctly rounded, >= {VECTOR_VS_ONNX['FAITHFUL']} faithful); "
           "native AVX-512 over ONNX Runtime for reference. Speed ratios: a score is ns per call.", "",
           "| accuracy | form | n | vector / native | target | vector / ONNX Runtime | target | native / ONNX Runtime |",
           "|---|---|---|---|---|---|---|---|"]
    for key in sorted(vec):
        cells = []
        for other, goal in ((nat, VECTOR_VS_NATIVE), (ort, VECTOR_VS_ONNX[key[0]])):
            if key in other:
                v = other[key] / vec[key]
                cells += [f"{v:.2f}", "met" if v >= goal else "**missed**"]
            else:
                cells += ["", ""]
        cells.append(f"{ort[key] / nat[key]:.2f}" if key in ort and key in nat else "")
        out.append(f"| {key[0].lower()} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
    return out + [""]


def table(bench, rows, c, isa):
    names = [k for k in PARAM_ORDER if any(k in r["params"] for r in rows)]
    names += sorted({k for r in rows for k in r["params"]} - set(names))
    with_c = any(vs_c(r, c, isa) is not None for r in rows)
    head = names + ["ns/op", "±", "Gelem/s"] + (["× C"] if with_c else [])
    out = [f"### {bench}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sorted(rows, key=sort_key):
        cells = [r["params"].get(k, "") for k in names]
        cells += [fmt_ns(r["score"]), fmt_ns(r["error"]), f"{elements(r) / r['score']:.3g}"]
        if with_c:
            v = vs_c(r, c, isa)
            cells.append(f"{v:.3f}" if v is not None else "")
        out.append("| " + " | ".join(cells) + " |")
    return out + [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--info", help="output of ./gelu info, for the API's native ISA")
    ap.add_argument("outdir")
    ap.add_argument("csvs", nargs="+")
    args = ap.parse_args()

    rows = read_jmh(args.csvs)
    write_merged(os.path.join(args.outdir, "jmh.csv"), rows)
    c = read_c(os.path.join(args.outdir, "results.csv"))
    isa = api_isa(args.info)

    md = ["# JMH: the Java API", "",
          "Written by scripts/jmh.sh from jmh.csv. ns/op is one call (average time, 99.9% error), "
          "Gelem/s is n / (ns/op); × C is that throughput over the C bench's (results.csv, "
          "same kernel, form and n, one thread). The C figures are medians from the last "
          "scripts/bench.sh run, not from this session: for a ratio to trust, run both on a quiet "
          "machine.", ""]
    if args.info:
        with open(args.info) as f:
            md += ["```", f.read().strip(), "```", ""]
    md += targets(rows, c, isa)
    md += ["## All results", ""]
    by_bench = defaultdict(list)
    for r in rows:
        by_bench[r["bench"]].append(r)
    for bench in sorted(by_bench):
        md += table(bench, by_bench[bench], c, isa)
    with open(os.path.join(args.outdir, "JMH.md"), "w") as f:
        f.write("\n".join(md).rstrip() + "\n")


if __name__ == "__main__":
    main()
