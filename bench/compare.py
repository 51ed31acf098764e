#!/usr/bin/env python3
"""Two hakusho binaries on the bundled sample, interleaved: full build (`build --force`) CPU
time (user+sys of the process, from wait4) and wall time, and the size of every PDF.

The machine is shared and noisy: runs alternate A, B, A, B... so both see the same load, and
CPU time (what the process itself spent) is compared rather than wall time.

    bench/compare.py OLD_BINARY NEW_BINARY [--runs 15]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(binary: str, project: Path) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "-C", str(project), "build", "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{binary} build failed ({status})")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hakusho-compare-"))
    projects = {}
    for label in ("old", "new"):
        p = work / label
        for sub in ("sources", "templates", "fonts"):
            shutil.copytree(REPO / sub, p / sub)
        projects[label] = p
    binaries = {"old": args.old, "new": args.new}
    cpu = {"old": [], "new": []}
    wall = {"old": [], "new": []}
    for label in ("old", "new"):  # warm-up: caches, first build
        run(binaries[label], projects[label])
    for _ in range(args.runs):
        for label in ("old", "new"):
            c, w = run(binaries[label], projects[label])
            cpu[label].append(c)
            wall[label].append(w)
    print(f"sample full build, {args.runs} interleaved runs each, load {os.getloadavg()[0]:.1f}")
    print("| binary | CPU s median | CPU s min | wall s median |")
    print("|---|---|---|---|")
    for label in ("old", "new"):
        print(
            f"| {label} | {statistics.median(cpu[label]):.3f} | {min(cpu[label]):.3f} "
            f"| {statistics.median(wall[label]):.3f} |"
        )
    ratio = statistics.median(cpu["new"]) / statistics.median(cpu["old"])
    print(f"\nCPU new/old (medians): {ratio:.3f}\n")
    print("| PDF | old bytes | new bytes | new/old |")
    print("|---|---|---|---|")
    for pdf in sorted((projects["old"] / "build").glob("*.pdf")):
        old = pdf.stat().st_size
        new = (projects["new"] / "build" / pdf.name).stat().st_size
        print(f"| {pdf.name} | {old} | {new} | {new / old:.3f} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
