#!/usr/bin/env python3
"""Merges the benchmark CSVs into bench/results/: results.csv, RESULTS.md and gelu-bench.svg.

    python3 bench/report.py [--note TEXT] OUTDIR CSV...

Each input is what bench/gelu_cbench or bench/torch_gelu.py prints: '# key=value' lines
(versions, and dist=: the input distribution of that file), then CSV rows
impl,form,isa,threads,n,gelem_per_s,ns_per_elem. Standard library only.

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

FIELDS = ["dist", "impl", "form", "isa", "threads", "n", "gelem_per_s", "ns_per_elem"]
OURS = "gelu-ffm"
FAITHFUL = "gelu-ffm-faithful"
DISTS = {"normal": "x ~ N(0, 1)", "uniform8": "x uniform in [-8, 8]", "student3": "x ~ Student's t(3)"}
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
        for line in lines:
            if line.startswith("#") and "=" in line:
                key, value = line[1:].strip().split("=", 1)
                meta[key] = value
        body = [line for line in lines if line and not line.startswith("#")]
        dist = next((l.split("=", 1)[1] for l in lines if l.startswith("# dist=")), "normal")
        for r in csv.DictReader(body):
            r["dist"] = dist
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
    if st == "f32":
        onednn = next((c for c in cols if c.startswith("onednn")), None)
        return [(c, onednn, f"{c} / onednn") for c in (ours_best(cols), ours_best(cols, FAITHFUL)) if c and onednn]
    other = {"bf16": "bf16", "f16": "bf16"}.get(st, "f32")
    other_cols = columns([r for r in rows if storage(r["impl"]) == other], form)
    b = (next((c for c in cols if c.startswith("onednn-bf16")), None) if st == "bf16"
         else ours_best(other_cols, ours_of(other)))
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


# The targets of the speed issue: (kernel, form, dist, n, the ratio to reach), 1 thread.
TARGETS = [(FAITHFUL, "erf", "normal", 65536, 1.0), (FAITHFUL, "erf", "uniform8", 65536, 0.7),
           (FAITHFUL, "erf", "normal", 1 << 24, 2.0), (FAITHFUL, "tanh", "normal", 65536, 1.0),
           (FAITHFUL, "tanh", "uniform8", 65536, 0.7), (FAITHFUL, "tanh", "normal", 1 << 24, 2.0),
           (OURS, "erf", "normal", 65536, 0.5), (OURS, "erf", "uniform8", 65536, 0.4),
           (OURS, "erf", "normal", 1 << 24, 1.0), (OURS, "tanh", "normal", 65536, 0.8),
           (OURS, "tanh", "uniform8", 65536, 0.7), (OURS, "tanh", "normal", 1 << 24, 1.5)]


def best(rows, impl, form, dist, n):
    """The fastest ISA of an impl at 1 thread, or None."""
    v = [r["gelem_per_s"] for r in rows if r["impl"] == impl and r["form"] == form and r["dist"] == dist
         and r["n"] == n and r["threads"] == 1]
    return max(v) if v else None


def targets(rows):
    """The ratio of our best ISA to oneDNN's same form, same run, for each target."""
    best_of = lambda impl, form, dist, n: best(rows, impl, form, dist, n)
    out = ["| kernel | form | input | n | Gelem/s | oneDNN Gelem/s | ratio | target |", "|---|---|---|---|---|---|---|---|"]
    for impl, form, dist, n, goal in TARGETS:
        a, b = best_of(impl, form, dist, n), best_of("onednn", form, dist, n)
        if a is None or b is None:
            continue
        name = "faithful" if impl == FAITHFUL else "correctly rounded"
        mark = "met" if a / b >= goal else "missed"
        out.append(f"| {name} | {form} | {DISTS.get(dist, dist)} | {size_label(n)} | {a:.3g} | {b:.3g} | "
                   f"**{a / b:.2f}** | >= {goal} ({mark}) |")
    return "\n".join(out) if len(out) > 2 else ""


# Issue #9's targets, 16-bit storage, x ~ N(0, 1): (kernel, form, n, baseline, the ratio to
# reach), 1 thread, best ISA of each. bf16 against oneDNN's bf16 eltwise; f16 against 0.8x our
# own bf16 (f16 has no oneDNN or PyTorch CPU kernel to compare with); float32 -> bf16 against
# our own float32 kernel, the work it replaces (GELU in float32, then a rounding to bf16).
TARGETS16 = [(f"{OURS}-bf16", form, n, "onednn-bf16", goal) for form in ("erf", "tanh")
             for n, goal in ((65536, 1.0), (1 << 24, 1.5))]
TARGETS16 += [(f"{OURS}-f16", form, n, f"{OURS}-bf16", 0.8) for form in ("erf", "tanh") for n in (65536, 1 << 24)]
TARGETS16 += [(f"{OURS}-f32-to-bf16", form, 1 << 24, OURS, 1.0) for form in ("erf", "tanh")]


def targets16(rows):
    out = ["| kernel | form | input | n | Gelem/s | baseline | baseline Gelem/s | ratio | target |",
           "|---|---|---|---|---|---|---|---|---|"]
    for impl, form, n, baseline, goal in TARGETS16:
        a, b = best(rows, impl, form, "normal", n), best(rows, baseline, form, "normal", n)
        if a is None or b is None:
            continue
        mark = "met" if a / b >= goal else "missed"
        out.append(f"| {STORAGES[storage(impl)]} | {form} | {DISTS['normal']} | {size_label(n)} | {a:.3g} | "
                   f"{baseline} | {b:.3g} | **{a / b:.2f}** | >= {goal} ({mark}) |")
    return "\n".join(out) if len(out) > 2 else ""


# Issue #10's operations: rows whose impl names one (gelu-ffm-bias, twopass-geglu, ...).
OPS = ("bias", "geglu", "backward")


def op(impl):
    return next((o for o in OPS if f"-{o}" in impl), None)


# Issue #10's targets, x ~ N(0, 1), 1 thread: (ours, form, n, baseline, the ratio to reach).
TARGETS_OPS = [(f"{OURS}-bias", form, 1 << 24, base, goal) for form in ("erf", "tanh")
               for base, goal in (("twopass-bias", 1.5), ("onednn-bias", 1.0))]
TARGETS_OPS += [(f"{OURS}-geglu", form, 1 << 24, "twopass-geglu", 1.3) for form in ("erf", "tanh")]
TARGETS_OPS += [(f"{OURS}-backward", form, n, "onednn-backward", goal) for form in ("erf", "tanh")
                for n, goal in ((65536, 0.5), (1 << 24, 1.0))]


def targets_ops(rows):
    out = ["| operation | form | n | Gelem/s | baseline | baseline Gelem/s | ratio | target |",
           "|---|---|---|---|---|---|---|---|"]
    for impl, form, n, baseline, goal in TARGETS_OPS:
        a, b = best(rows, impl, form, "normal", n), best(rows, baseline, form, "normal", n)
        if a is None or b is None:
            continue
        mark = "met" if a / b >= goal else "missed"
        out.append(f"| {op(impl)} | {form} | {size_label(n)} | {a:.3g} | {baseline} | {b:.3g} | "
                   f"**{a / b:.2f}** | >= {goal} ({mark}) |")
    return "\n".join(out) if len(out) > 2 else ""


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
    op_rows = [r for r in rows if op(r["impl"]) and r["dist"] == "normal"]
    rows = [r for r in rows if not op(r["impl"])]
    versions = [f"gelu-ffm {meta.get('gelu-ffm', '?')}", f"glibc {meta.get('glibc', '?')}"]
    versions += [f"{k} {meta[k]}" for k in ("onednn", "sleef", "torch") if k in meta]
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
    ]
    if any(storage(r["impl"]) != "f32" for r in rows):
        onednn16 = (f"oneDNN picked {meta['onednn-bf16-erf']} for erf, {meta.get('onednn-bf16-tanh', '?')} "
                    "for tanh" if "onednn-bf16-erf" in meta else "absent from this run")
        parts += [
            "The 16-bit rows (issue #9) are the same measurement on 16-bit storage: "
            "`gelu-ffm-bf16` and `gelu-ffm-f16` read and write bf16 or f16 (`gelu_<form>_bf16`, "
            "`gelu_<form>_f16`), `gelu-ffm-f32-to-bf16`/`-f16` read float32 and write 16 bits "
            "(`gelu_<form>_f32_to_bf16`/`_f16`); every result is correctly rounded to the 16-bit "
            "format. Their inputs are the same draws rounded to the format (to nearest even). "
            f"`onednn-bf16` is oneDNN's eltwise forward primitive on a bf16 memory descriptor ({onednn16}); "
            "`pytorch-bf16` is PyTorch's `F.gelu` on a bf16 tensor, 1 thread only (PyTorch has no "
            "float16 GELU on CPU). `memcpy-2byte` and `stream-copy-2byte` are the copy floors for "
            "2-byte elements.",
            "",
        ]
    t = targets(rows)
    if t:
        parts += ["## Against the targets (1 thread, best ISA, ratio to oneDNN's same form)", "", t, ""]
    t = targets16(rows)
    if t:
        parts += ["## Against issue #9's targets (16-bit storage, 1 thread, best ISA, ratio to the baseline)", "",
                  "bf16 against oneDNN's bf16 kernel; f16 against our own bf16 kernel (target: at least 0.8 "
                  "of its speed); float32 -> bf16 against our own float32 kernel (`gelu_<form>_f32`).", "",
                  t, ""]
    forms = (("erf", "erf form, x·Φ(x)"), ("tanh", "tanh form"))
    dists = [d for d in DISTS if any(r["dist"] == d for r in rows)]
    for dist in dists:
        sub = [r for r in rows if r["dist"] == dist]
        for form, title in forms:
            if any(r["form"] == form and storage(r["impl"]) == "f32" for r in sub):
                parts += [f"## {title}, {DISTS[dist]}", "", table(sub, form), ""]
    for dist in dists:
        sub = [r for r in rows if r["dist"] == dist]
        for st in [s for s in STORAGES if s != "f32"]:
            for form, title in forms:
                if any(r["form"] == form and storage(r["impl"]) == st for r in sub):
                    parts += [f"## {STORAGES[st]}, {title}, {DISTS[dist]}", "", table(sub, form, st), ""]
    if op_rows:
        parts += ["## Composed operations (issue #10), x ~ N(0, 1)", "",
                  "`gelu-ffm-bias` is `gelu_<form>_bias_f32` on rows of 4096 (an FFN width; one row when n "
                  "is not a multiple) with a bias of 4096 values; `twopass-bias` the same with an AVX-512 add "
                  "pass into y, then our `gelu_<form>_f32` in place; `onednn-bias` oneDNN's binary add "
                  "(bias broadcast over the rows) with GELU as an eltwise post-op, one primitive; "
                  "`pytorch-bias` `torch.add(x, b, out=y)` then GELU in place. `gelu-ffm-geglu` is "
                  "`geglu_<form>_f32`, `twopass-geglu` our GELU into y then an AVX-512 `y *= a`, "
                  "`pytorch-geglu` the same two kernels in PyTorch. `gelu-ffm-backward` is "
                  "`gelu_<form>_backward_f32` (dy of draws), `onednn-backward` oneDNN's eltwise backward "
                  "(`dnnl_backward_data`). Ours are correctly rounded; oneDNN and PyTorch are not.", ""]
        t = targets_ops(op_rows)
        if t:
            parts += ["### Against issue #10's targets (1 thread, best ISA)", "", t, ""]
        for name in OPS:
            for form, title in forms:
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
        f.write(svg([r for r in rows if not op(r["impl"])]))


if __name__ == "__main__":
    main()
