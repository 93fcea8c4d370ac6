"""Writes bench/results/INTEROP.md from the CSVs of scripts/interop.sh.

    python3 report.py OUT.md META.txt C.csv JAVA.csv PY.csv

Each CSV has path,n,ns_per_call, one line per round; the tables show medians over rounds (and
the fastest round). META.txt holds key=value lines: cpu, cores, isa, java, python, date,
command, pinning, rounds.
"""
import csv
import statistics
import sys
from collections import defaultdict

ABOUT = {
    "c_direct": ("C", "gelu_erf_f32 called from C (interop_c), the baseline"),
    "c_direct_faithful": ("C", "gelu_erf_f32_faithful called from C"),
    "c_heap_layout": ("C", "gelu_erf_f32 from C, x and y laid out like two back-to-back float[n] on the Java heap "
                      "(at n = 1 y starts 24 bytes after x)"),
    "c_loop_in_jvm": ("C in JVM", "the same C loop, started from the Java harness: its C reference"),
    "ffm_critical_heap": ("Java FFM", "critical(true) downcall, heap float[] wrapped by MemorySegment.ofArray per call"),
    "ffm_critical_offheap_shared": ("Java FFM", "critical(false) downcall, off-heap segments of Arena.ofShared()"),
    "ffm_critical_offheap_global": ("Java FFM", "critical(false) downcall, off-heap segments of Arena.global()"),
    "ffm_plain_offheap_shared": ("Java FFM", "plain downcall, off-heap segments of Arena.ofShared()"),
    "ffm_plain_offheap_global": ("Java FFM", "plain downcall, off-heap segments of Arena.global()"),
    "ffm_critical_offheap_shared_faithful": ("Java FFM", "as ffm_critical_offheap_shared, gelu_erf_f32_faithful"),
    "jni_critical_array": ("Java JNI", "float[] through GetPrimitiveArrayCritical (both arrays)"),
    "jni_region_copy": ("Java JNI", "float[] copied: GetFloatArrayRegion, kernel, SetFloatArrayRegion"),
    "jni_direct_buffer": ("Java JNI", "direct ByteBuffers through GetDirectBufferAddress"),
    "jni_address": ("Java JNI", "raw long addresses (MemorySegment.address())"),
    "api_heap": ("Java API", "Gelu.apply(Form.ERF, float[], float[]); n <= 2 runs in Java, no downcall"),
    "api_segment_shared": ("Java API", "Gelu.apply(Form.ERF, seg, seg), shared arena; n = 1 runs in Java"),
    "c_loop_in_python": ("C in Python", "the same C loop, started from the Python harness: its C reference"),
    "py_ctypes": ("Python", "ctypes, argtypes declared, pointers converted once (c_void_p)"),
    "py_ctypes_data_as": ("Python", "ctypes with x.ctypes.data_as(POINTER(c_float)) per call"),
    "numpy_negative": ("Python", "np.negative(x, out=y): numpy's own per-call floor (no GELU)"),
    "py_loop_only": ("Python", "the empty timing loop: the floor under every Python row"),
}
# same-process C reference of each harness, for the second overhead column
REF = {"C": "c_direct", "C in JVM": "c_loop_in_jvm", "Java FFM": "c_loop_in_jvm", "Java JNI": "c_loop_in_jvm",
       "Java API": "c_loop_in_jvm", "C in Python": "c_loop_in_python", "Python": "c_loop_in_python"}
NOT_A_CALL = {"numpy_negative", "py_loop_only"}  # no GELU call: no overhead to give


def fmt(v):
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def main():
    out_md, meta_txt, *csvs = sys.argv[1:]
    meta = {}
    for line in open(meta_txt):
        k, _, v = line.rstrip("\n").partition("=")
        meta[k] = v
    rows = defaultdict(list)
    order = []
    per_run = defaultdict(list)  # (path, n) -> the median of each run (file)
    for f in csvs:
        mine = defaultdict(list)
        for r in csv.DictReader(open(f)):
            key = (r["path"], int(r["n"]))
            if r["path"] not in order:
                order.append(r["path"])
            rows[key].append(float(r["ns_per_call"]))
            mine[key].append(float(r["ns_per_call"]))
        for key, v in mine.items():
            per_run[key].append(statistics.median(v))
    sizes = sorted({n for _, n in rows})
    med = {k: statistics.median(v) for k, v in rows.items()}
    best = {k: min(v) for k, v in rows.items()}
    rounds = {len(v) for v in rows.values()}

    def ns(table, p, n):
        return table.get((p, n))

    def overhead(table, p, ref):
        if p in NOT_A_CALL or p == ref:
            return None
        if p.endswith("_faithful"):
            ref = "c_direct_faithful"
            if p == ref:
                return None
        a, b = ns(table, p, 1), ns(table, ref, 1)
        return None if a is None or b is None else a - b

    L = []
    L.append("# Cross-language call cost: the same kernel from C, Java (FFM, JNI, the API) and Python")
    L.append("")
    L.append("Written by `scripts/interop.sh` (issue #13). ns per call of `gelu_erf_f32` (correctly rounded, "
             f"erf form, ISA {meta.get('isa', '?')}) on n float32 inputs uniform in [-5, 5], in-cache buffers "
             "(x and y distinct), one thread. Each cell is warmed up, then timed in "
             f"{'/'.join(str(r) for r in sorted(rounds))} rounds (pooled over {meta.get('forks', '1')} runs of each harness, "
             f"run C, Java, Python, C, Java, ...) of about {meta.get('round_us', '?')} µs each, "
             "round-robin over the cells of its process; the table gives the median round.")
    L.append("")
    L.append("```")
    for k in ("date", "cpu", "cores", "pinning", "java", "jvm_flags", "python", "command", "wall"):
        if k in meta:
            L.append(f"{k:9s} {meta[k]}")
    L.append("```")
    L.append("")
    L.append("**overhead** is the time at n = 1 minus C's time at n = 1: *vs C driver* against the `c_direct` "
             "row (another process, run minutes apart), *vs same process* against the C loop that the same "
             "harness timed among its own cells (`c_loop_in_jvm`, `c_loop_in_python`): on a shared machine the "
             "second one is the one to trust. Faithful rows are compared with `c_direct_faithful`.")
    L.append("")

    def table(tab, title):
        L.append(f"### {title}")
        L.append("")
        head = "| path | via | " + " | ".join(f"n={n}" for n in sizes) + " | overhead vs C driver | overhead vs same process |"
        L.append(head)
        L.append("|" + "---|" * (2 + len(sizes) + 2))
        for p in order:
            via = ABOUT.get(p, ("?", ""))[0]
            cells = [fmt(ns(tab, p, n)) for n in sizes]
            o1 = overhead(tab, p, "c_direct")
            o2 = overhead(tab, p, REF.get(via, "c_direct"))
            L.append(f"| `{p}` | {via} | " + " | ".join(cells) + f" | {fmt(o1)} | {fmt(o2)} |")
        L.append("")

    table(med, "ns per call, median round")
    table(best, "ns per call, fastest round (the least disturbed: a lower bound)")
    L.append("### Spread between runs: lowest–highest of the per-run medians")
    L.append("")
    L.append("Each run is a fresh process (for Java a fresh JVM, with its own JIT decisions). A wide cell means "
             "the path has more than one steady state, or the machine changed speed between runs (see the C "
             "reference rows of the same harness).")
    L.append("")
    L.append("| path | " + " | ".join(f"n={n}" for n in sizes) + " |")
    L.append("|" + "---|" * (1 + len(sizes)))
    for p in order:
        cells = []
        for n in sizes:
            v = per_run.get((p, n))
            cells.append("—" if not v else f"{fmt(min(v))}–{fmt(max(v))}")
        L.append(f"| `{p}` | " + " | ".join(cells) + " |")
    L.append("")
    L.append("### Paths")
    L.append("")
    for p in order:
        L.append(f"- `{p}`: {ABOUT.get(p, ('?', '?'))[1]}.")
    L.append("")
    L.append("`c_heap_layout` at n = 1: when y starts less than 32 bytes after x, as two float[1] allocated one "
             "after the other on the Java heap do, a call costs about 30 ns more: the kernel's masked vector store "
             "to y blocks the next call's masked load of x (no store forwarding). The Java harness allocates a "
             "spacer between its x and y arrays so that the heap rows do not depend on where the GC put them; "
             "without it `ffm_critical_heap` at n = 1 read 30 or 62 ns depending on the run.")
    L.append("")
    L.append("`api_heap` and `api_segment_shared` at n = 1 are not downcalls: the library computes one or two "
             "elements in Java (Gelu.java, `kernels`), so their overhead is negative; the raw `ffm_*` rows are "
             "the downcalls. The API rows run in the same JVM as every other Java path, after the API was "
             "used at n = 1 (Java code) and on both heap arrays and segments, as a program mixing them would.")
    L.append("")
    with open(out_md, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
