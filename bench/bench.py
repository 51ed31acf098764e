#!/usr/bin/env python3
"""hakusho benchmark driver (run through bench/run.sh, which builds the release binaries first).

For the bundled sample and for generated projects of about 100, 300 and 1,000 white-paper pages:

- `hakusho check` (reading workbooks + YAML + validation: the sources stage on its own);
- for the sample, `hakusho intake` of its prefilled workbooks (identify, check, install each);
- for the sample, the full build with its web edition (`html:` on the white paper and the
  booklets) against the same build without it (alternating runs; the HTML's cost is the CPU
  difference);
- for the sample, `hakusho build --proof` against `hakusho build` after the same kind of
  correction (alternating runs; the proof's cost is the CPU difference);
- full build (`hakusho build`): wall, CPU (user+sys), peak RSS (wait4's ru_maxrss), pages and bytes
  of each PDF; stage times when the binary has `build --timings`;
- one-booklet rebuild after editing one paragraph of that department's YAML (a fresh edit before each
  run, so a cache cannot hide it): `hakusho build booklet-<id>`;
- Typst on the same content (bench/typst/gen_typst.py + compile.py, in one process), if the `typst`
  Python package is installed: wall of the in-process compiles and peak RSS of that process.

Writes bench/results.md (or --out) and prints it. Projects live in --work (default
/tmp/hakusho-bench): the sample is copied there, never edited in place.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INCREMENTAL = False  # set in main(): `hakusho build` has --force (incremental builds)

# Generated project sizes: name → generator options. About 1.2 white-paper pages per policy with the
# templates of 2021-11 (the action plan scales with the policies); one booklet per department.
SIZES = {
    "100": dict(departments=15, policies=84, indicators=2),
    "300": dict(departments=30, policies=252, indicators=2),
    "1000": dict(departments=60, policies=840, indicators=2),
    # One long table (issue 17, point 9): the sample's size with 10,000 / 100,000 extra indicator
    # rows under the first policy; build time per page should stay flat, memory bounded.
    "rows10k": {"departments": 10, "policies": 34, "indicators": 2, "big-table": 10000},
    "rows100k": {"departments": 10, "policies": 34, "indicators": 2, "big-table": 100000},
}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    rustc = sh(["rustc", "--version"]).strip()
    commit = sh(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"]).strip()
    dirty = sh(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"]).strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": mem,
        "os": f"{platform.system()} {platform.release()}",
        "rustc": rustc,
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "load": os.getloadavg(),
    }


def timed_file(cmd, cwd=None, env=None):
    """Runs cmd with output to temporary files; wall time, user+sys CPU and peak RSS of the child
    (from wait4), exit status and output."""
    import tempfile

    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fo, stderr=fe)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        return {
            "wall": wall,
            "cpu": ru.ru_utime + ru.ru_stime,
            "rss_mib": ru.ru_maxrss / 1024,
            "rc": proc.returncode,
            "out": fo.read().decode(errors="replace"),
            "err": fe.read().decode(errors="replace"),
        }


def repeat(cmd, runs, before=None, ok_codes=(0,), **kw):
    results = []
    for i in range(runs):
        if before:
            before(i)
        r = timed_file(cmd, **kw)
        results.append(r)
        if r["rc"] not in ok_codes:
            break
    ok = [r for r in results if r["rc"] in ok_codes]
    best = min(ok, key=lambda r: r["wall"]) if ok else results[-1]
    return {
        "ok": bool(ok) and len(ok) == len(results),
        "min": best["wall"] if ok else None,
        "median": statistics.median(r["wall"] for r in ok) if ok else None,
        "cpu": min(r["cpu"] for r in ok) if ok else None,
        "rss_mib": max(r["rss_mib"] for r in ok) if ok else None,
        "runs": len(results),
        "last": results[-1],
        "best": best,
    }


def pdf_pages(path):
    try:
        out = sh(["pdfinfo", str(path)])
        return int(re.search(r"Pages:\s+(\d+)", out).group(1))
    except (OSError, subprocess.CalledProcessError, AttributeError):
        data = path.read_bytes()
        m = re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)
        return int(m.group(1)) if m else 0


def prepare_sample(work):
    dest = work / "sample"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    # Copies, not links: hakusho refuses fonts and templates reached through a link that
    # leads outside the project.
    for part in ("sources", "templates", "fonts"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def generate(gen, work, name, opts):
    dest = work / f"p{name}"
    cmd = [str(gen), "--out", str(dest), "--sample", str(REPO)]
    for k, v in opts.items():
        cmd += [f"--{k}", str(v)]
    sh(cmd)
    return dest


def booklet_target(project):
    """(document name, department yaml path) of the first department's booklet."""
    import yaml

    config = yaml.safe_load((project / "sources" / "hakusho.yaml").read_text(encoding="utf-8"))
    dept = config["departments"][0]
    for doc in config.get("documents", []):
        if doc.get("each") == "department":
            name = doc["name"].replace("{id}", dept["id"]).replace("{name}", dept["name"])
            return name, project / "sources" / "departments" / f"{dept['id']}.yaml"
    return None, None


def edit_paragraph(path, i):
    """Edits one paragraph of a department YAML: the first sentence end (。) of the first
    main_projects text (or of the first progress paragraph) gets a marker before it."""
    text = path.read_text(encoding="utf-8")
    key = text.find("main_projects:")
    if key < 0:
        key = text.find("progress:")
    pos = text.find("。", max(key, 0))
    if pos < 0:
        return
    text = text[:pos] + f"（編集{i}）" + text[pos:]
    path.write_text(text, encoding="utf-8")


def stage_times(text):
    """Lines like `stage: 0.123 s` or `stage 123 ms` printed by `build --timings`."""
    stages = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\w\-/ ()]+?)\s*[:=]?\s+([\d.]+)\s*(ms|s)\b", line)
        if m:
            v = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
            stages[m.group(1).strip()] = v
    return stages


def stage_bench(project, runs):
    """Per-stage times through the library API (benches/build.rs), single thread."""
    r = timed_file(
        ["cargo", "bench", "--quiet", "--bench", "build", "--", "--runs", str(runs), "--json", str(project)],
        cwd=str(REPO),
    )
    if r["rc"] != 0:
        return None, (r["err"] or r["out"])[-1500:]
    try:
        return json.loads(r["out"].strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, r["out"][-1500:]


def bench_project(label, project, hakusho, runs, typst_ok, has_timings):
    row = {"label": label, "project": str(project), "load": os.getloadavg()[0]}
    env = dict(os.environ)
    # check: the sources stage alone; exit 1 (problems found, such as a table over
    # max_table_rows) is a finished check and is timed too
    chk = repeat([str(hakusho), "-C", str(project), "check"], runs, ok_codes=(0, 1))
    row["check"] = chk
    # full build
    build_dir = project / "build"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    # With incremental builds, --force makes every run a full build.
    force = ["--force"] if INCREMENTAL else []
    full = repeat([str(hakusho), "-C", str(project), "build"] + force, runs, env=env)
    row["build"] = full
    if not full["ok"]:
        row["error"] = (full["last"]["err"] or full["last"]["out"])[-2000:]
        # a table over max_table_rows is refused before anything is rendered (issue 17): how
        # fast, and in how much memory, is the result
        if "max_table_rows" in row["error"]:
            last = full["last"]
            row["refused"] = {"wall": last["wall"], "rss_mib": last["rss_mib"]}
    pdfs = sorted(build_dir.glob("*.pdf")) if build_dir.exists() else []
    docs = []
    for p in pdfs:
        docs.append({"name": p.stem, "pages": pdf_pages(p), "bytes": p.stat().st_size})
    row["docs"] = docs
    if has_timings and full["ok"]:
        t = timed_file([str(hakusho), "-C", str(project), "build", "--timings"], env=env)
        row["cli_stages"] = stage_times(t["err"] + "\n" + t["out"])
    if full["ok"]:
        row["stages"], err = stage_bench(project, runs)
        if err:
            row["stages_error"] = err
    # one-booklet rebuild after an edit
    name, yaml_path = booklet_target(project)
    if name and full["ok"]:
        # Incremental builds: the whole `hakusho build` after the edit (it re-typesets only what
        # changed). Without them: the single document, `hakusho build <name>`.
        cmd = [str(hakusho), "-C", str(project), "build"] + ([] if INCREMENTAL else [name])
        one = repeat(
            cmd,
            runs,
            before=lambda i: edit_paragraph(yaml_path, i),
            env=env,
        )
        row["rebuild"] = one
        row["rebuild_name"] = name
        row["rebuild_output"] = one["last"]["out"][-600:]
    # Typst
    if typst_ok:
        tdir = project / "typst"
        if tdir.exists():
            shutil.rmtree(tdir)
        gen = timed_file([sys.executable, str(REPO / "bench/typst/gen_typst.py"), str(project), str(tdir)])
        if gen["rc"] == 0:
            best = None
            for _ in range(runs):
                cmd = [sys.executable, str(REPO / "bench/typst/compile.py"), str(tdir), str(REPO / "fonts"), "--json"]
                if name:
                    cmd += ["--rebuild", name]
                r = timed_file(cmd)
                if r["rc"] != 0:
                    row["typst_error"] = r["err"][-1500:]
                    break
                summary = json.loads(r["out"].strip().splitlines()[-1])
                summary["rss_mib"] = r["rss_mib"]
                summary["process_wall"] = r["wall"]
                summary["process_cpu"] = r["cpu"]
                if best is None or summary["total_seconds"] < best["total_seconds"]:
                    best = summary
            row["typst"] = best
        else:
            row["typst_error"] = gen["err"][-1500:]
    return row


def bench_intake(project, hakusho, runs):
    """`hakusho intake` of the sample's workbooks as the departments send them back: the prefilled
    workbooks of `hakusho workbook --all` (identified by their hidden sheet, checked, installed with
    the previous version kept and the changes listed). The installed workbooks are restored before
    every run, so each run installs all of them."""
    inbox = project / "inbox"
    if inbox.exists():
        shutil.rmtree(inbox)
    sh([str(hakusho), "-C", str(project), "workbook", "--all", "--out", str(inbox)])
    pristine = project / "workbooks.pristine"
    if pristine.exists():
        shutil.rmtree(pristine)
    shutil.copytree(project / "sources" / "workbooks", pristine)

    def restore(_i):
        shutil.rmtree(project / "sources" / "workbooks")
        shutil.copytree(pristine, project / "sources" / "workbooks")

    # taken in under the next year's configuration, as in the yearly cycle
    config = project / "sources" / "hakusho.yaml"
    text = config.read_text(encoding="utf-8")
    advanced = re.sub(r"(?m)^fiscal_year:\s*(\d+)", lambda m: f"fiscal_year: {int(m.group(1)) + 1}", text, count=1)
    config.write_text(advanced, encoding="utf-8")
    try:
        r = repeat([str(hakusho), "-C", str(project), "intake", str(inbox)], runs, before=restore)
    finally:
        config.write_text(text, encoding="utf-8")
        restore(0)
    r["files"] = len(list(inbox.glob("*.xlsx")))
    return r


def bench_proof(project, hakusho, runs):
    """`hakusho build --proof` against `hakusho build` after the same kind of correction: a
    paragraph of a policy's progress (shown in the white paper and the department's booklet)
    edited before every run, so both re-typeset the same two documents; the runs alternate,
    so a busy machine slows both alike. The proof's cost is the CPU difference."""
    _, yaml_path = booklet_target(project)
    if yaml_path is None:
        return None

    def edit(i):
        text = yaml_path.read_text(encoding="utf-8")
        pos = text.find("。", max(text.find("progress:"), 0))
        if pos >= 0:
            yaml_path.write_text(text[:pos] + f"（校正{i}）" + text[pos:], encoding="utf-8")

    original = yaml_path.read_text(encoding="utf-8")
    base = [str(hakusho), "-C", str(project), "build"]
    sh(base)
    plain, proof = [], []
    try:
        for i in range(runs):
            edit(2 * i)
            plain.append(timed_file(base))
            edit(2 * i + 1)
            proof.append(timed_file(base + ["--proof"]))
    finally:
        yaml_path.write_text(original, encoding="utf-8")
        sh(base)
    ok = all(r["rc"] == 0 for r in plain + proof)
    cpu = lambda rs: min(r["cpu"] for r in rs)
    return {
        "ok": ok,
        "build_cpu": cpu(plain) if ok else None,
        "proof_cpu": cpu(proof) if ok else None,
        "build_wall": min(r["wall"] for r in plain) if ok else None,
        "proof_wall": min(r["wall"] for r in proof) if ok else None,
        "runs": runs,
    }


def bench_print(project, hakusho, runs):
    """`hakusho build --force --print` against `hakusho build --force` of the same documents
    (every document typeset; the print files written beside the screen files, from the same
    pages). Runs alternate, so a busy machine slows both alike; the print files' cost is the
    CPU difference."""
    base = [str(hakusho), "-C", str(project), "build", "--force"]
    plain, printed = [], []
    for _ in range(runs):
        plain.append(timed_file(base))
        printed.append(timed_file(base + ["--print"]))
    ok = all(r["rc"] == 0 for r in plain + printed)
    cpu = lambda rs: min(r["cpu"] for r in rs)
    return {
        "ok": ok,
        "plain_cpu": cpu(plain) if ok else None,
        "print_cpu": cpu(printed) if ok else None,
        "plain_wall": min(r["wall"] for r in plain) if ok else None,
        "print_wall": min(r["wall"] for r in printed) if ok else None,
        "runs": runs,
    }


def bench_html(project, hakusho, runs):
    """The web edition's cost: `hakusho build --force` of the sample as it is (white paper and
    booklets with `html:`) against a twin whose documents do not ask for it; the runs
    alternate, so a busy machine slows both alike. The cost is the CPU difference."""
    twin = project.parent / (project.name + "-no-html")
    if twin.exists():
        shutil.rmtree(twin)
    shutil.copytree(project, twin, ignore=shutil.ignore_patterns("build"))
    cfg = twin / "sources" / "hakusho.yaml"
    text = cfg.read_text(encoding="utf-8")
    stripped = re.sub(r"(?m)^[ \t]+html:.*\n", "", text)
    if stripped == text:
        return None
    cfg.write_text(stripped, encoding="utf-8")
    with_html, without = [], []
    for _ in range(runs):
        without.append(timed_file([str(hakusho), "-C", str(twin), "build", "--force"]))
        with_html.append(timed_file([str(hakusho), "-C", str(project), "build", "--force"]))
    ok = all(r["rc"] == 0 for r in with_html + without)
    cpu = lambda rs: min(r["cpu"] for r in rs)
    wall = lambda rs: min(r["wall"] for r in rs)
    return {
        "ok": ok,
        "html_cpu": cpu(with_html) if ok else None,
        "plain_cpu": cpu(without) if ok else None,
        "html_wall": wall(with_html) if ok else None,
        "plain_wall": wall(without) if ok else None,
        "runs": runs,
    }


def bench_tagging(project, hakusho, runs):
    """What tagging costs: `hakusho build --force` of the sample as it is (every document
    `pdf: { standards: [ua-1, a-2a] }`: structure tree, marked content, PDF/A-2) against a twin
    whose documents say `standards: []` (untagged, nothing declared); the runs alternate, so a
    busy machine slows both alike. Compared: median CPU (user+sys) and the white paper's size."""
    twin = project.parent / (project.name + "-untagged")
    if twin.exists():
        shutil.rmtree(twin)
    shutil.copytree(project, twin, ignore=shutil.ignore_patterns("build"))
    cfg = twin / "sources" / "hakusho.yaml"
    text = cfg.read_text(encoding="utf-8")
    untagged = re.sub(r"(?m)^([ \t]+)pdf: \{ *standards:.*\n", r"\1pdf: { standards: [] }\n", text)
    if untagged == text:
        return None
    cfg.write_text(untagged, encoding="utf-8")
    tagged, plain = [], []
    for _ in range(runs):
        plain.append(timed_file([str(hakusho), "-C", str(twin), "build", "--force"]))
        tagged.append(timed_file([str(hakusho), "-C", str(project), "build", "--force"]))
    # Tagging alone (`[ua-1]`, the default) for the size: PDF/A-2's output intent (the sRGB
    # profile) and XMP extension schema are PDF/A's bytes, not the tags'.
    ua_only = project.parent / (project.name + "-ua1")
    if ua_only.exists():
        shutil.rmtree(ua_only)
    shutil.copytree(project, ua_only, ignore=shutil.ignore_patterns("build"))
    (ua_only / "sources" / "hakusho.yaml").write_text(
        re.sub(r"(?m)^([ \t]+)pdf: \{ *standards:.*\n", r"\1pdf: { standards: [ua-1] }\n", text),
        encoding="utf-8",
    )
    ua_run = timed_file([str(hakusho), "-C", str(ua_only), "build", "--force"])
    ok = all(r["rc"] == 0 for r in tagged + plain + [ua_run])
    size = lambda p: (p / "build" / "hakusho-2021.pdf").stat().st_size
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    return {
        "ok": ok,
        "tagged_cpu": med(tagged, "cpu") if ok else None,
        "plain_cpu": med(plain, "cpu") if ok else None,
        "tagged_cpu_min": min(r["cpu"] for r in tagged) if ok else None,
        "plain_cpu_min": min(r["cpu"] for r in plain) if ok else None,
        "tagged_bytes": size(project) if ok else None,
        "ua1_bytes": size(ua_only) if ok else None,
        "plain_bytes": size(twin) if ok else None,
        "runs": runs,
    }


def fmt_s(v):
    return "—" if v is None else f"{v:.3f}"


def report(info, rows, command, notes):
    lines = []
    lines.append("# hakusho benchmarks\n")
    lines.append(f"Reproduce: `{command}`\n")
    lines.append(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}; {info['rustc']}; "
        f"commit {info['commit']}; load average at start {info['load'][0]:.2f}.\n"
    )
    lines.append(
        "Times are wall seconds, best of the runs (median in parentheses); CPU = user+sys of the best run; "
        "peak = max RSS of the process; load = 1-minute load average when the project started (2 CPUs shared "
        "with other work: wall times above ~2 are inflated, CPU times much less). Full build = `hakusho build --force` (every document typeset). "
        "Rebuild = `hakusho build` (incremental) after editing one paragraph of the first department's "
        "main projects (a fresh edit before every run; only its booklet changes). Typst = the same content compiled "
        "in-process by typst-py (bench/typst), fonts from fonts/.\n"
    )
    lines.append(
        "| project | load | white paper pages | all pages (docs) | check s | full build s | CPU s | peak MiB | "
        "rebuild 1 booklet s (CPU) | white paper KiB | KiB/page (white paper) | Typst s (process CPU) | Typst peak MiB | hakusho/Typst wall (CPU) | Typst incremental recompile of the booklet s |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        b = r["build"]
        docs = r.get("docs", [])
        wp = next((d for d in docs if not d["name"].startswith(("booklet", "plan"))), None)
        all_pages = sum(d["pages"] for d in docs)
        ty = r.get("typst")
        ratio = "—"
        if ty and b["min"]:
            ratio = f"{b['min'] / ty['total_seconds']:.2f}"
            if ty.get("process_cpu") and b.get("cpu"):
                ratio += f" ({b['cpu'] / ty['process_cpu']:.2f})"
        rb = r.get("rebuild")
        lines.append(
            "| {label} | {load:.1f} | {wpp} | {allp} ({nd}) | {chk} | {full} | {cpu} | {rss} | {rb} | {wpk} | {kpp} | {ts} | {trss} | {ratio} | {trb} |".format(
                label=r["label"],
                load=r.get("load", 0.0),
                wpp=wp["pages"] if wp else "—",
                allp=all_pages,
                nd=len(docs),
                chk=(f"{fmt_s(r['check']['min'])} ({r['check']['rss_mib']:.0f} MiB)") if r["check"]["ok"] else "fails",
                full=f"{fmt_s(b['min'])} ({fmt_s(b['median'])})" if b["ok"] else (
                    f"refused up front (max_table_rows) in {fmt_s(r['refused']['wall'])}, {r['refused']['rss_mib']:.0f} MiB"
                    if r.get("refused") else "fails"),
                cpu=fmt_s(b["cpu"]),
                rss=f"{b['rss_mib']:.0f}" if b["rss_mib"] else "—",
                rb=f"{fmt_s(rb['min'])} ({fmt_s(rb['cpu'])})" if rb and rb["ok"] else "—",
                wpk=f"{wp['bytes'] / 1024:.0f}" if wp else "—",
                kpp=f"{wp['bytes'] / 1024 / max(wp['pages'], 1):.1f}" if wp else "—",
                ts=(fmt_s(ty["total_seconds"]) + (f" ({fmt_s(ty['process_cpu'])})" if ty.get("process_cpu") else "")) if ty else "—",
                trss=f"{ty['rss_mib']:.0f}" if ty else "—",
                ratio=ratio,
                trb=fmt_s(ty.get("rebuild_seconds")) if ty else "—",
            )
        )
    stage_rows = [r for r in rows if r.get("stages")]
    if stage_rows:
        keys = ["workbooks", "sources", "fonts", "render", "parse", "layout", "pdf", "total"]
        lines.append(
            "\nStages, one thread, through the library API (`cargo bench --bench build -- DIR`; "
            "`sources` includes `workbooks`; `fonts` = reading and indexing the font files; `pdf` = "
            "subsetting, printpdf, lopdf patching and compression; summed over all documents; seconds, best of the runs):\n"
        )
        lines.append("| project | " + " | ".join(keys) + " | largest doc: layout | its layout without TOC passes | its pdf | its content streams written directly |")
        lines.append("|---|" + "---|" * (len(keys) + 4))
        for r in stage_rows:
            st, lg = r["stages"]["stages"], r["stages"]["largest"]
            lines.append(
                "| " + r["label"] + " | " + " | ".join(fmt_s(st.get(k)) for k in keys)
                + f" | {fmt_s(lg.get('layout'))} | {fmt_s(lg.get('layout_without_toc'))} | {fmt_s(lg.get('pdf'))}"
                + f" | {fmt_s(lg.get('content_direct'))} |"
            )
    cli_rows = [r for r in rows if r.get("cli_stages")]
    if cli_rows:
        names = []
        for r in cli_rows:
            for k in r["cli_stages"]:
                if k not in names:
                    names.append(k)
        lines.append("\nStages reported by `hakusho build --timings` (seconds):\n")
        lines.append("| project | " + " | ".join(names) + " |")
        lines.append("|---|" + "---|" * len(names))
        for r in cli_rows:
            lines.append("| " + r["label"] + " | " + " | ".join(fmt_s(r["cli_stages"].get(n)) for n in names) + " |")
    # targets
    lines.append("\nTargets:\n")
    sample = next((r for r in rows if r["label"] == "sample"), None)

    def verdict(ok):
        return "met" if ok else "NOT met"

    def added_cost(what, budget, r, key):
        """A target line (`what`, then the budget) for a feature measured in alternating runs
        with it (`key`_cpu, `key`_wall) and without (plain_cpu, plain_wall), best of the runs."""
        extra = r[f"{key}_cpu"] / r["plain_cpu"] - 1
        lines.append(
            f"- {what.format(budget=f'{budget:.0%}')}: "
            f"{fmt_s(r[f'{key}_cpu'])} s CPU against {fmt_s(r['plain_cpu'])} s (+{extra:.0%}; wall {fmt_s(r[f'{key}_wall'])} s against {fmt_s(r['plain_wall'])} s, best of {r['runs']} alternating runs), {verdict(extra <= budget)}"
        )

    if sample and sample.get("intake"):
        it = sample["intake"]
        lines.append(
            f"- intake of the sample's workbooks ({it['files']} prefilled files: identified, checked, installed): "
            + (f"{fmt_s(it['min'])} s ({fmt_s(it['median'])}), peak {it['rss_mib']:.0f} MiB" if it["ok"] else "fails")
        )
    if sample and sample.get("html") and sample["html"]["ok"]:
        added_cost(
            "web edition (`html:` on the white paper and the 10 booklets, `build --force`) adds at most {budget} to the full build",
            0.2, sample["html"], "html")
    if sample and sample.get("print") and sample["print"]["ok"]:
        added_cost(
            "print files (`build --force --print`: the 12 screen PDFs and their PDF/X-1a print files) add at most {budget} to the screen build",
            0.15, sample["print"], "print")
    if sample and sample.get("tagging") and sample["tagging"]["ok"]:
        t = sample["tagging"]
        cpu = t["tagged_cpu"] / t["plain_cpu"] - 1
        size = t["tagged_bytes"] / t["plain_bytes"] - 1
        lines.append(
            f"- tagging (`standards: [ua-1, a-2a]` against `[]`, `build --force`, {t['runs']} alternating runs each) adds at most 10% to the full build: "
            f"{fmt_s(t['tagged_cpu'])} s CPU against {fmt_s(t['plain_cpu'])} s, medians (+{cpu:.0%}; best {fmt_s(t['tagged_cpu_min'])} against {fmt_s(t['plain_cpu_min'])}), {verdict(cpu <= 0.1)}"
        )
        ua = t["ua1_bytes"] / t["plain_bytes"] - 1
        lines.append(
            f"- tagging (`[ua-1]`) adds at most 10% to the white paper's size: {t['ua1_bytes']} bytes against {t['plain_bytes']} (+{ua:.1%}), {verdict(ua <= 0.1)}; "
            f"with PDF/A-2a as bundled (its sRGB profile and XMP schema) {t['tagged_bytes']} bytes (+{size:.1%})"
        )
    if sample and sample.get("proof") and sample["proof"]["ok"]:
        pr = sample["proof"]
        extra = pr["proof_cpu"] / pr["build_cpu"] - 1
        lines.append(
            f"- proof build (`build --proof` after a corrected paragraph, white paper + booklet) adds at most 20% to the same build: "
            f"{fmt_s(pr['proof_cpu'])} s CPU against {fmt_s(pr['build_cpu'])} s (+{extra:.0%}; wall {fmt_s(pr['proof_wall'])} s against {fmt_s(pr['build_wall'])} s), {verdict(extra <= 0.2)}"
        )
    if sample and sample["build"]["ok"]:
        lines.append(f"- bundled sample full build < 0.3 s: {fmt_s(sample['build']['min'])} s, {verdict(sample['build']['min'] < 0.3)}")
        rb = sample.get("rebuild")
        if rb and rb["ok"]:
            lines.append(f"- one-booklet rebuild after an edit < 0.1 s: {fmt_s(rb['min'])} s, {verdict(rb['min'] < 0.1)}")
        peak = max(r["build"]["rss_mib"] or 0 for r in rows if r["build"]["ok"])
        lines.append(f"- peak memory < 150 MB: sample {sample['build']['rss_mib']:.0f} MiB; largest project {peak:.0f} MiB")
        wp = next((d for d in sample["docs"] if not d["name"].startswith(("booklet", "plan"))), None)
        if wp:
            lines.append(f"- white paper PDF < 1.5 MB: {wp['bytes'] / 1e6:.2f} MB, {verdict(wp['bytes'] < 1.5e6)}")
    p100 = next((r for r in rows if r["label"].startswith("100")), None)
    p1000 = next((r for r in rows if r["label"].startswith("1000")), None)
    if p100 and p1000 and p100["build"]["ok"] and p1000["build"]["ok"]:
        f = p1000["build"]["min"] / p100["build"]["min"]
        pages = lambda r: sum(d["pages"] for d in r["docs"])
        lines.append(
            f"- 1,000 pages < 10× the 100-page time: {f:.1f}× the time for {pages(p1000) / max(pages(p100), 1):.1f}× the pages, {verdict(f < 10)}"
        )
    for r in rows:
        if r.get("error"):
            lines.append(f"\n`{r['label']}` build failed:\n\n```\n{r['error'].strip()}\n```")
        if r.get("stages_error"):
            lines.append(f"\n`{r['label']}` stage bench failed:\n\n```\n{r['stages_error'].strip()}\n```")
        if r.get("typst_error"):
            lines.append(f"\n`{r['label']}` Typst failed:\n\n```\n{r['typst_error'].strip()}\n```")
    if notes:
        lines.append("\n" + notes)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hakusho", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--sizes", default="100,300,1000,rows10k,rows100k", help="generated sizes (pages), comma-separated; '' for none")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-large", type=int, default=1, help="runs for projects of 1,000 pages")
    ap.add_argument("--work", default=os.environ.get("BENCH_DIR", "/tmp/hakusho-bench"))
    ap.add_argument("--out", default=str(REPO / "bench" / "results.md"))
    ap.add_argument("--no-typst", action="store_true")
    ap.add_argument("--command", default="bench/run.sh")
    args = ap.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    hakusho = Path(args.hakusho)
    help_text = subprocess.run([str(hakusho), "build", "--help"], capture_output=True, text=True).stdout
    has_timings = "--timings" in help_text
    global INCREMENTAL
    INCREMENTAL = "--force" in help_text
    typst_ok = False
    if not args.no_typst:
        typst_ok = subprocess.run([sys.executable, "-c", "import typst"], capture_output=True).returncode == 0
    notes = []
    if not args.no_typst and not typst_ok:
        notes.append("Typst: the `typst` Python package is not installed (`pip install typst`); no comparison.")

    projects = [("sample", prepare_sample(work))]
    for size in [s for s in args.sizes.split(",") if s]:
        opts = SIZES.get(size)
        if opts is None:
            sys.exit(f"unknown size {size}; known: {', '.join(SIZES)}")
        if "big-table" in opts:
            label = f"{size} (a table of {opts['big-table']:,} rows)"
        else:
            label = f"{size} pages ({opts['departments']} depts, {opts['policies']} policies)"
        projects.append((label, generate(args.gen, work, size, opts)))

    rows = []
    for label, project in projects:
        runs = args.runs_large if label.startswith(("1000", "rows100k")) else args.runs
        print(f"== {label}: {project}", file=sys.stderr)
        row = bench_project(label, project, hakusho, runs, typst_ok, has_timings)
        if label == "sample":
            row["intake"] = bench_intake(project, hakusho, runs)
            print(f"   intake {fmt_s(row['intake']['min'])} s", file=sys.stderr)
            row["html"] = bench_html(project, hakusho, max(runs, 5))
            if row["html"] and row["html"]["ok"]:
                print(
                    f"   with web edition {fmt_s(row['html']['html_cpu'])} s CPU, without {fmt_s(row['html']['plain_cpu'])} s CPU",
                    file=sys.stderr,
                )
            row["print"] = bench_print(project, hakusho, max(runs, 5))
            if row["print"] and row["print"]["ok"]:
                print(
                    f"   with print files {fmt_s(row['print']['print_cpu'])} s CPU, without {fmt_s(row['print']['plain_cpu'])} s CPU",
                    file=sys.stderr,
                )
            row["tagging"] = bench_tagging(project, hakusho, max(runs, 15))
            if row["tagging"] and row["tagging"]["ok"]:
                t = row["tagging"]
                print(
                    f"   tagged {fmt_s(t['tagged_cpu'])} s CPU, untagged {fmt_s(t['plain_cpu'])} s CPU (medians); "
                    f"white paper {t['tagged_bytes']} against {t['plain_bytes']} bytes",
                    file=sys.stderr,
                )
            row["proof"] = bench_proof(project, hakusho, runs)
            if row["proof"] and row["proof"]["ok"]:
                print(
                    f"   proof build {fmt_s(row['proof']['proof_cpu'])} s CPU, build {fmt_s(row['proof']['build_cpu'])} s CPU",
                    file=sys.stderr,
                )
        b = row["build"]
        print(
            f"   build {fmt_s(b['min'])} s, peak {b['rss_mib'] or 0:.0f} MiB, {sum(d['pages'] for d in row['docs'])} pages"
            + (f", typst {row['typst']['total_seconds']:.3f} s" if row.get("typst") else ""),
            file=sys.stderr,
        )
        rows.append(row)
    text = report(info, rows, args.command, "\n".join(notes))
    Path(args.out).write_text(text, encoding="utf-8")
    raw = Path(args.out).with_suffix(".json")
    for r in rows:
        for k in ("check", "build", "rebuild", "intake"):
            if k in r:
                r[k] = {kk: vv for kk, vv in r[k].items() if kk not in ("last", "best")}
    raw.write_text(json.dumps({"machine": info, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
