#!/usr/bin/env python3
"""Merges the benchmark CSVs into bench/results/: results.csv, RESULTS.md and gelu-bench.svg.

    python3 bench/report.py [--note TEXT] OUTDIR CSV...

Each input is what bench/gelu_cbench or bench/torch_gelu.py prints: '# key=value' lines
(versions, dist=: the input distribution of that file, max-isa= when it is an AVX2-capped
run, left-out-...= the oneDNN rows it could not run), then CSV rows
impl,form,isa,threads,n,gelem_per_s,ns_per_elem. Standard library only.

The oneDNN anchor is oneDNN 3.8.1 (rows named onednn...); Debian's oneDNN 2.6 runs in the same
process as onednn2...: the ratio columns and targets are against 3.8.1, with 2.6 alongside.

The storage of a row is the suffix of its impl name: none for float32, -bf16 and -f16 for
16 bits in and out, -f32-to-bf16 and -f32-to-f16 for float32 in, 16 bits out, and -2byte for
the copy floors of 2-byte elements. The float32 tables and chart are the rows without a suffix.
"""
import csv
import math
import os
import platform
import sys
from collections import defaultdict

FIELDS = ["dist", "max_isa", "impl", "form", "isa", "threads", "n", "gelem_per_s", "ns_per_elem"]
OURS = "gelu-ffm"
FAITHFUL = "gelu-ffm-faithful"
DISTS = {"normal": "x ~ N(0, 1)", "uniform8": "x uniform in [-8, 8]", "student3": "x ~ Student's t(3)",
         "outliers": "x ~ N(0, 1), 1% from N(0, 30^2)", "subnormal": "x subnormal (uniform, both signs)",
         "far": "x uniform in [-60, -12]"}
# The anchors: oneDNN 3.8.1 and, alongside, Debian's 2.6 (their row names, f32; -bf16 etc. added).
ONEDNN, ONEDNN2 = "onednn", "onednn2"
FORMS = (("erf", "erf form, x·Φ(x)"), ("tanh", "tanh form"),
         ("quick", "quick form, x·σ(1.702x) (oneDNN: eltwise_swish, alpha = 1.702)"))
STORAGES = {"f32": "float32", "bf16": "bf16", "f16": "f16", "f32-to-bf16": "float32 in, bf16 out",
            "f32-to-f16": "float32 in, f16 out"}
# The copy floors shown with each storage: 4-byte copies bound float32 kernels, 2-byte copies
# the 16-bit ones; a narrowing kernel moves 6 bytes per element, between the two.
COPIES = {"f32": ("f32",), "bf16": ("2byte",), "f16": ("2byte",), "f32-to-bf16": ("f32", "2byte"),
          "f32-to-f16": ("f32", "2byte")}


def storage(impl):
    """The storage named by the impl's suffix ('f32' without one)."""
    for suffix in ("f32-to-bf16", "f32-to-f16", "bf16", "f16", "2byte"):
        if impl.endswith("-" + suffix):
            return suffix
    return "f32"


def base(impl):
    """The impl name without its storage suffix: gelu-ffm-bf16 -> gelu-ffm."""
    st = storage(impl)
    return impl if st == "f32" else impl[: -len(st) - 1]


def of_storage(rows, st):
    """The rows of a storage, with the copy floors that go with it."""
    return [r for r in rows if storage(r["impl"]) == st or
            (r["form"] == "copy" and storage(r["impl"]) in COPIES[st])]


def read(paths):
    meta, rows = {}, []
    for path in paths:
        with open(path) as f:
            lines = f.read().splitlines()
        capped = any(l.startswith("# max-isa=avx2") for l in lines)
        for line in lines:
            if line.startswith("#") and "=" in line:
                key, value = line[1:].strip().split("=", 1)
                # the rows an AVX2-capped run left out are that run's own
                meta["avx2-" + key if capped and key.startswith("left-out-") else key] = value
        body = [line for line in lines if line and not line.startswith("#")]
        dist = next((l.split("=", 1)[1] for l in lines if l.startswith("# dist=")), "normal")
        for r in csv.DictReader(body):
            # gelu_cbench --ref-dist: the reference's rows of this run are "normal@uniform8"
            own = r.pop("dist", None) or dist
            r["dist"] = own if own == dist else f"{own}@{dist}"
            r["max_isa"] = "avx2" if capped else ""
            r["threads"], r["n"] = int(r["threads"]), int(r["n"])
            r["gelem_per_s"] = float(r["gelem_per_s"])
            rows.append(r)
    return meta, rows


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def label(r):
    return f"{r['impl']} {r['isa']}"


def size_label(n):
    return f"2^{n.bit_length() - 1}" if n >= 1024 and n & (n - 1) == 0 else str(n)


def ours_best(cols, impl=OURS):
    """Our fastest ISA present (AVX-512 on the machines that have it): the one users get."""
    return next((c for c in cols if c.split()[0] == impl), None)


def ours_of(st):
    """Our correctly rounded kernel's impl name in a storage."""
    return OURS if st == "f32" else f"{OURS}-{st}"


def columns(rows, form):
    """Ours first (fastest ISA first), then the anchors, then the copy floors."""
    isa_rank = {"avx512": 0, "avx2": 1, "scalar": 2}

    def key(r):
        b = base(r["impl"])
        group = 0 if b == OURS else 1 if b == FAITHFUL else 3 if r["form"] == "copy" else 2
        return group, isa_rank.get(r["isa"], 0) if group < 2 else 0, r["impl"]

    keys = {label(r): key(r) for r in rows if r["form"] in (form, "copy")}
    return sorted(keys, key=keys.get)


def ratio_pairs(rows, form, st, cols):
    """The ratio columns of a table, (numerator, denominator, header): float32 compares ours
    and the faithful kernel with oneDNN, bf16 ours with oneDNN's bf16, f16 ours with our bf16,
    the narrowing kernels with our float32 kernel."""
    if st in ("f32", "bf16"):
        suffix = "" if st == "f32" else "-" + st
        mine = [ours_best(cols, ours_of(st))] + ([ours_best(cols, FAITHFUL)] if st == "f32" else [])
        out = []
        for lib in (ONEDNN, ONEDNN2):
            b = next((c for c in cols if c.split()[0] == lib + suffix), None)
            out += [(a, b, f"{a.split()[0]} / {lib + suffix}") for a in mine if a and b]
        return out
    other = "bf16" if st == "f16" else "f32"
    other_cols = columns([r for r in rows if storage(r["impl"]) == other], form)
    b = ours_best(other_cols, ours_of(other))
    a = ours_best(cols, ours_of(st))
    return [(a, b, f"{a} / {b}")] if a and b else []


def table(rows, form, st="f32"):
    """rows: those of one distribution, every storage (a ratio may compare two storages)."""
    mine = of_storage(rows, st)
    cols = columns(mine, form)
    value = {(label(r), r["n"], r["threads"]): r["gelem_per_s"] for r in rows if r["form"] in (form, "copy")}
    ratios = ratio_pairs(rows, form, st, cols)
    head = ["n", "threads"] + cols + [h for _, _, h in ratios]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, threads in sorted({(r["n"], r["threads"]) for r in mine if r["form"] == form}, key=lambda k: (k[1], k[0])):
        cells = [size_label(n), str(threads)]
        cells += [f"{value[(c, n, threads)]:.3g}" if (c, n, threads) in value else "" for c in cols]
        for c, d, _ in ratios:
            a, b = value.get((c, n, threads)), value.get((d, n, threads))
            cells.append(f"**{a / b:.2f}**" if a and b else "")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def best(rows, impl, form, dist, n, max_isa=""):
    """The fastest ISA of an impl at 1 thread, or None."""
    v = [r["gelem_per_s"] for r in rows if r["impl"] == impl and r["form"] == form and r["dist"] == dist
         and r["n"] == n and r["threads"] == 1 and r.get("max_isa", "") == max_isa]
    return max(v) if v else None


def on_isa(rows, impl, form, dist, n, isa):
    """One ISA's Gelem/s of an impl at 1 thread, or None."""
    v = [r["gelem_per_s"] for r in rows if r["impl"] == impl and r["form"] == form and r["dist"] == dist
         and r["n"] == n and r["threads"] == 1 and r["isa"] == isa]
    return v[0] if v else None


# The targets of issues #19 (float32) and #21 (16-bit), 1 thread, best ISA of each:
# (what, impl, form, dist, n, baseline impl, the ratio to reach). A baseline named onednn...
# is oneDNN 3.8.1; the table shows the same ratio to 2.6 (onednn2...) alongside.
def _targets():
    t = []
    for form in ("erf", "tanh", "quick"):
        t += [("faithful", FAITHFUL, form, "normal", 65536, ONEDNN, 0.8),
              ("faithful", FAITHFUL, form, "uniform8", 65536, ONEDNN, 0.5),
              ("faithful", FAITHFUL, form, "normal", 1 << 24, ONEDNN, 1.5),
              ("correctly rounded", OURS, form, "normal", 65536, ONEDNN, 0.5),
              ("correctly rounded", OURS, form, "normal", 1 << 24, ONEDNN, 1.0)]
    for form in ("erf", "tanh", "quick"):
        t += [("backward", f"{OURS}-backward", form, "normal", 65536, "onednn-backward", 0.8),
              ("backward", f"{OURS}-backward", form, "normal", 1 << 24, "onednn-backward", 1.0)]
    for form in ("erf", "tanh"):
        t += [("bf16", f"{OURS}-bf16", form, "normal", 65536, "onednn-bf16", 1.2),
              ("bf16", f"{OURS}-bf16", form, "uniform8", 65536, "onednn-bf16", 0.8),
              ("bf16", f"{OURS}-bf16", form, "normal", 1 << 24, "onednn-bf16", 2.0),
              ("bf16 backward", f"{OURS}-backward-bf16", form, "normal", 65536, "onednn-backward-bf16", 1.0),
              ("bf16 backward", f"{OURS}-backward-bf16", form, "uniform8", 65536, "onednn-backward-bf16", 0.8)]
    t += [("bf16", f"{OURS}-bf16", "quick", "normal", 65536, "onednn-bf16", 1.2)]
    for form in ("erf", "tanh", "quick"):
        t += [("f16 (no oneDNN f16 here: against our bf16)", f"{OURS}-f16", form, dist, 65536, f"{OURS}-bf16", 0.9)
              for dist in ("normal", "uniform8")]
    return t


TARGETS = _targets()


def targets(rows):
    out = ["| kernel | form | input | n | Gelem/s | baseline | baseline Gelem/s | ratio | target | "
           "oneDNN 2.6 Gelem/s | ratio to 2.6 |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for what, impl, form, dist, n, baseline, goal in TARGETS:
        a, b = best(rows, impl, form, dist, n), best(rows, baseline, form, dist, n)
        if a is None or b is None:
            continue
        mark = "met" if a / b >= goal else "missed"
        old = best(rows, baseline.replace(ONEDNN, ONEDNN2, 1), form, dist, n) if baseline.startswith(ONEDNN) else None
        tail = f"{old:.3g} | {a / old:.2f}" if old else " | "
        out.append(f"| {what} | {form} | {DISTS.get(dist, dist)} | {size_label(n)} | {a:.3g} | {baseline} | "
                   f"{b:.3g} | **{a / b:.2f}** | >= {goal} ({mark}) | {tail} |")
    return "\n".join(out) if len(out) > 2 else ""


def slow_inputs(rows):
    """Issues #19/#21's "no slow inputs": each of our kernels at 2^16, 1 thread, best ISA, on
    every other distribution as a share of its own N(0, 1) throughput (targets: 16-bit >= 0.5,
    float32 >= 0.4)."""
    others = [d for d in DISTS if d != "normal" and any(r["dist"] == d for r in rows)]
    kernels = sorted({(r["impl"], r["form"]) for r in rows if r["impl"].startswith(OURS) and r["n"] == 65536
                      and r["dist"] in others and r.get("max_isa", "") == ""})
    if not others or not kernels:
        return ""
    out = ["| kernel | form | N(0, 1) Gelem/s | " + " | ".join(DISTS[d] for d in others) + " | target |",
           "|---|---|---|" + "---|" * len(others) + "---|"]
    for impl, form in kernels:
        base = best(rows, impl, form, "normal", 65536)
        if not base:
            continue
        goal = 0.4 if storage(impl) == "f32" else 0.5
        cells = []
        for d in others:
            # the share against N(0, 1) timed in the same run when it was (--ref-dist)
            v, ref = best(rows, impl, form, d, 65536), best(rows, impl, form, f"normal@{d}", 65536) or base
            cells.append(f"{v:.3g} (**{v / ref:.2f}**{'' if v / ref >= goal else ', missed'})" if v else "")
        out.append(f"| {impl} | {form} | {base:.3g} | " + " | ".join(cells) + f" | >= {goal} of N(0, 1) |")
    return "\n".join(out)


def avx2_table(rows):
    """The AVX2-capped run (gelu_cbench --max-isa avx2): ours on AVX2 against both oneDNNs
    capped at AVX2, with issue #19's AVX2 targets: faithful >= 1.2x our correctly rounded AVX2
    kernel of the same form, correctly rounded erf >= 0.4x oneDNN 3.8.1."""
    capped = [r for r in rows if r.get("max_isa") == "avx2" and r["threads"] == 1]
    out = ["| form | input | n | gelu-ffm avx2 | gelu-ffm-faithful avx2 | onednn (3.8.1) | onednn2 (2.6) | "
           "ours / onednn | faithful / onednn | faithful / ours | targets |", "|---|---|---|" + "---|" * 8]
    for form, _ in FORMS:
        for dist, n in sorted({(r["dist"], r["n"]) for r in capped if r["form"] == form}):
            cr, fa = (on_isa(capped, impl, form, dist, n, "avx2") for impl in (OURS, FAITHFUL))
            d3, d2 = (best(capped, lib, form, dist, n, "avx2") for lib in (ONEDNN, ONEDNN2))
            ratio = lambda a, b: f"**{a / b:.2f}**" if a and b else ""
            goals = []
            if fa and cr:
                goals.append(f"faithful/ours >= 1.2 ({'met' if fa / cr >= 1.2 else 'missed'})")
            if form == "erf" and cr and d3:
                goals.append(f"ours/onednn >= 0.4 ({'met' if cr / d3 >= 0.4 else 'missed'})")
            cells = [f"{v:.3g}" if v else "" for v in (cr, fa, d3, d2)]
            out.append(f"| {form} | {DISTS.get(dist, dist)} | {size_label(n)} | " + " | ".join(cells) +
                       f" | {ratio(cr, d3)} | {ratio(fa, d3)} | {ratio(fa, cr)} | {'; '.join(goals)} |")
    return "\n".join(out) if len(out) > 2 else ""


# Issue #10's operations: rows whose impl names one (gelu-ffm-bias, twopass-geglu, ...).
OPS = ("bias", "geglu", "backward")


def op(impl):
    return next((o for o in OPS if f"-{o}" in impl), None)


def ops_table(rows, name, form):
    """Gelem/s of every impl of one operation and form (all ISAs), one row per n and threads."""
    mine = [r for r in rows if op(r["impl"]) == name and r["form"] == form]
    cols = sorted({label(r) for r in mine}, key=lambda c: (not c.startswith(OURS), c))
    value = {(label(r), r["n"], r["threads"]): r["gelem_per_s"] for r in mine}
    head = ["n", "threads"] + cols
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, threads in sorted({(r["n"], r["threads"]) for r in mine}, key=lambda k: (k[1], k[0])):
        cells = [size_label(n), str(threads)]
        cells += [f"{value[(c, n, threads)]:.3g}" if (c, n, threads) in value else "" for c in cols]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def markdown(meta, rows):
    capped = [r for r in rows if r.get("max_isa") == "avx2"]
    rows = [r for r in rows if r.get("max_isa", "") == ""]
    all_rows = rows
    op_rows = [r for r in rows if op(r["impl"]) and r["dist"] == "normal"]
    rows = [r for r in rows if not op(r["impl"])]
    versions = [f"gelu-ffm {meta.get('gelu-ffm', '?')}", f"glibc {meta.get('glibc', '?')}"]
    names = {"onednn": "oneDNN (the anchor, `onednn`)", "onednn2": "oneDNN (Debian's, `onednn2`)"}
    versions += [f"{names.get(k, k)} {meta[k]}" for k in ("onednn", "onednn2", "sleef", "torch") if k in meta]
    parts = [
        "# GELU benchmark",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical CPUs",
        f"- Compiler: {meta.get('compiler', '?')}",
        f"- Libraries: {', '.join(versions)}",
        f"- Date: {meta.get('date', '?')}",
        "- Command: `scripts/bench.sh`",
    ]
    if "load-before" in meta:
        parts.append(f"- Load average (1, 5, 15 min) before / after the run: {meta['load-before']} / "
                     f"{meta.get('load-after', '?')}")
    if meta.get("note"):
        parts.append(f"- Note: {meta['note']}")
    parts += [
        "",
        "Gelem/s (10^9 elements per second, higher is better), out of place, float32 unless the "
        "name says otherwise (below); the median of "
        f"{meta.get('rounds', '?')} rounds of at least {meta.get('min-ms', '?')} ms, "
        "the implementations taking turns round by round within each size. `gelu-ffm` is the "
        "correctly rounded kernel, `gelu-ffm-faithful` the faithful one (`*_faithful`). With 2 "
        "threads the C implementations split the array into two halves, one per thread, with a "
        "barrier after every call, and oneDNN runs one OpenMP thread under each; PyTorch uses its "
        "own pool (`torch.set_num_threads`) and runs in its own process, after the C benchmark. "
        "The ratio columns compare ours to oneDNN from the same run: they are what to compare "
        "across machines and runs, as the noise of a shared machine cancels out in them. The copy "
        "floors (memcpy; stream-copy, non-temporal stores) bound any kernel that reads x and "
        "writes y.",
        "",
        "The anchor is oneDNN 3.8.1 (`onednn`, Maven Central's `org.bytedeco:dnnl:3.8.1-1.5.12`, "
        "fetched by `bench/fetch_onednn.sh`); Debian's oneDNN 2.6 (`onednn2`), the anchor before "
        "it, runs alongside in the same process (each library loaded with `dlopen`, so the two "
        "versions' `dnnl_*` symbols never meet), and every ratio to 3.8.1 has its ratio to 2.6 "
        "next to it. A oneDNN column's ISA is the kernel oneDNN reported (`jit:avx512_core`). "
        "3.8.1's AVX-512 `gelu_erf` is an exp-free polynomial (`vpermt2ps`, no divide); 2.6's "
        "computes an exp and a `vdivps` (their JIT dumps show it). The quick form is compared with "
        "oneDNN's `eltwise_swish` at alpha = 1.702, which is x·σ(1.702x) exactly.",
        "",
    ]
    left_out = {k[len("left-out-"):]: v for k, v in meta.items() if k.startswith("left-out-")}
    f16 = sorted(k for k in left_out if "-f16-" in k)
    if f16:
        parts += ["oneDNN has no f16 eltwise kernel on this CPU (it needs AVX512-FP16): the f16 rows have no "
                  "oneDNN column, and f16 is compared with our own bf16 kernel instead "
                  f"(left out: {', '.join(f16)}).", ""]
    others = sorted(k for k in left_out if "-f16-" not in k)
    if others:
        parts += ["Other oneDNN rows left out: " + "; ".join(f"{k}: {left_out[k]}" for k in others) + ".", ""]
    if any(storage(r["impl"]) != "f32" for r in rows):
        parts += [
            "The 16-bit rows are the same measurement on 16-bit storage: "
            "`gelu-ffm-bf16` and `gelu-ffm-f16` read and write bf16 or f16 (`gelu_<form>_bf16`, "
            "`gelu_<form>_f16`), `gelu-ffm-f32-to-bf16`/`-f16` read float32 and write 16 bits "
            "(`gelu_<form>_f32_to_bf16`/`_f16`); every result is correctly rounded to the 16-bit "
            "format. Their inputs are the same draws rounded to the format (to nearest even). "
            "`onednn-bf16` and `onednn2-bf16` are oneDNN's eltwise forward primitive on a bf16 memory "
            "descriptor; `pytorch-bf16` is PyTorch's `F.gelu` on a bf16 tensor, 1 thread only (PyTorch has "
            "no float16 GELU on CPU). `memcpy-2byte` and `stream-copy-2byte` are the copy floors for "
            "2-byte elements.",
            "",
        ]
    t = targets(all_rows)
    if t:
        parts += ["## Against the targets of issues #19 and #21 (1 thread, best ISA, ratio to oneDNN 3.8.1)", "",
                  "Each ratio is ours over the baseline in the same run; the last two columns are the same "
                  "against Debian's oneDNN 2.6.", "", t, ""]
    t = slow_inputs(all_rows)
    if t:
        parts += ["## No slow inputs (n = 2^16, 1 thread, best ISA): Gelem/s, and the share of N(0, 1)'s", "",
                  "Each share is against N(0, 1) timed in the same run, interleaved with it (`gelu_cbench "
                  "--ref-dist normal`); the N(0, 1) column is the first run's.", "", t, ""]
    t = avx2_table(capped)
    if t:
        gone = sorted(k[len("avx2-left-out-"):] for k in meta if k.startswith("avx2-left-out-"))
        gone = f" Capped at AVX2, oneDNN has no jit kernel for: {', '.join(gone)}." if gone else ""
        parts += ["## AVX2 against AVX2 (`gelu_cbench --max-isa avx2`, 1 thread)", "",
                  "Our AVX2 kernels against both oneDNNs capped at AVX2 (`dnnl_set_max_cpu_isa`, what "
                  f"`ONEDNN_MAX_CPU_ISA=AVX2` does).{gone}", "", t, ""]
    dists = [d for d in DISTS if any(r["dist"] == d for r in rows)]
    for dist in dists:
        sub = [r for r in rows if r["dist"] == dist]
        for form, title in FORMS:
            if any(r["form"] == form and storage(r["impl"]) == "f32" for r in sub):
                parts += [f"## {title}, {DISTS[dist]}", "", table(sub, form), ""]
    for dist in dists:
        sub = [r for r in rows if r["dist"] == dist]
        for st in [s for s in STORAGES if s != "f32"]:
            for form, title in FORMS:
                if any(r["form"] == form and storage(r["impl"]) == st for r in sub):
                    parts += [f"## {STORAGES[st]}, {title}, {DISTS[dist]}", "", table(sub, form, st), ""]
    if op_rows:
        parts += ["## Composed operations and the backward, x ~ N(0, 1)", "",
                  "`gelu-ffm-bias` is `gelu_<form>_bias_f32` on rows of 4096 (an FFN width; one row when n "
                  "is not a multiple) with a bias of 4096 values; `twopass-bias` the same with an AVX-512 add "
                  "pass into y, then our `gelu_<form>_f32` in place; `onednn-bias` oneDNN's binary add "
                  "(bias broadcast over the rows) with GELU as an eltwise post-op, one primitive; "
                  "`pytorch-bias` `torch.add(x, b, out=y)` then GELU in place. `gelu-ffm-geglu` is "
                  "`geglu_<form>_f32`, `twopass-geglu` our GELU into y then an AVX-512 `y *= a`, "
                  "`pytorch-geglu` the same two kernels in PyTorch. `gelu-ffm-backward` is "
                  "`gelu_<form>_backward_f32` (dy of draws), `-backward-bf16` and `-backward-f16` the "
                  "16-bit backward (x and dy in the format), `onednn-backward` oneDNN's eltwise backward "
                  "(`dnnl_backward_data`, from src; bf16 too). Ours are correctly rounded; oneDNN and "
                  "PyTorch are not.", ""]
        for name in OPS:
            for form, title in FORMS:
                if any(op(r["impl"]) == name and r["form"] == form for r in op_rows):
                    parts += [f"### {name}, {title}", "", ops_table(op_rows, name, form), ""]
    parts += ["![Gelem/s against n, erf form, 1 thread, x ~ N(0, 1)](gelu-bench.svg)", ""]
    return "\n".join(parts)


PALETTE = ["#d62728", "#ff7f0e", "#e377c2", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
           "#17becf", "#bcbd22", "#7f7f7f"]


def svg(rows):
    """A line chart of Gelem/s (log scale) against log2 n, erf form, 1 thread."""
    pts = defaultdict(list)
    rows = [r for r in rows if r["dist"] == "normal" and storage(r["impl"]) == "f32"]
    for r in rows:
        if r["form"] in ("erf", "copy") and r["threads"] == 1 and r["gelem_per_s"] > 0:
            pts[label(r)].append((math.log2(r["n"]), r["gelem_per_s"]))
    W, H, left, right, top, bottom = 900, 500, 70, 230, 50, 50
    xs = [x for p in pts.values() for x, _ in p]
    ys = [y for p in pts.values() for _, y in p]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    # The throughputs span decades (a call on 1 element vs a streaming copy): a log axis keeps
    # every line readable.
    d0, d1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    px = lambda x: left + (x - x0) / (x1 - x0) * (W - left - right)
    py = lambda y: top + (d1 - math.log10(y)) / (d1 - d0) * (H - top - bottom)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="13">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="16">GELU, erf form, 1 thread, '
         'x ~ N(0, 1): throughput against array size</text>']
    for d in range(d0, d1 + 1):
        y = py(10 ** d)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{W - right}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{10.0 ** d:g}</text>')
    for k in range(math.ceil(x0), math.floor(x1) + 1, 2):
        x = px(k)
        o.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{H - bottom}" stroke="#eee"/>')
        o.append(f'<text x="{x:.1f}" y="{H - bottom + 18}" text-anchor="middle">2<tspan dy="-6" font-size="10">{k}</tspan></text>')
    o.append(f'<text x="{(left + W - right) / 2}" y="{H - 10}" text-anchor="middle">n (elements)</text>')
    o.append(f'<text transform="translate(18 {(top + H - bottom) / 2}) rotate(-90)" '
             'text-anchor="middle">Gelem/s (log scale)</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{W - left - right}" height="{H - top - bottom}" '
             'fill="none" stroke="#333"/>')
    for i, name in enumerate(columns(rows, "erf")):
        if name not in pts:
            continue
        p = sorted(pts[name])
        dash = {"memcpy": "6 4", "stream-copy": "2 3"}.get(name.split()[0])
        color = "#555" if dash else PALETTE[i % len(PALETTE)]
        style = f' stroke-dasharray="{dash}"' if dash else ""
        width = 3 if name.startswith(OURS) else 1.8
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in p)
        o.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"{style}/>')
        ly = top + 10 + 20 * i
        o.append(f'<line x1="{W - right + 15}" y1="{ly}" x2="{W - right + 45}" y2="{ly}" stroke="{color}" '
                 f'stroke-width="{width}"{style}/>')
        o.append(f'<text x="{W - right + 52}" y="{ly + 4}">{name}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    args = sys.argv[1:]
    note = None
    if args[:1] == ["--note"] and len(args) > 1:
        note, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit("usage: report.py [--note TEXT] OUTDIR CSV...")
    out, paths = args[0], args[1:]
    meta, rows = read(paths)
    if note:
        meta["note"] = note
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(out, "RESULTS.md"), "w") as f:
        f.write(markdown(meta, rows))
    with open(os.path.join(out, "gelu-bench.svg"), "w") as f:
        f.write(svg([r for r in rows if not op(r["impl"]) and r["max_isa"] == ""]))


if __name__ == "__main__":
    main()
