#!/usr/bin/env python3
"""What the charts cost on the bundled sample's full build: one hakusho binary, two copies
of the sample (charts as bundled, and `charts: { show: false }`), full builds (`build
--force`) interleaved on, off, on, off... so both see the same load; CPU time (user+sys, from
wait4) compared, wall time shown; page counts of the white paper and booklets.

    bench/charts_cost.py target/release/hakusho [--runs 15]
"""
import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from compare import run  # one interleaved `build --force`: (CPU s from wait4, wall s)

REPO = Path(__file__).resolve().parent.parent


def copy_sample(into: Path, show: bool) -> Path:
    for d in ("sources", "templates", "fonts"):
        shutil.copytree(REPO / d, into / d)
    if not show:
        cfg = into / "sources" / "hakusho.yaml"
        text = cfg.read_text(encoding="utf-8")
        assert "  show: true" in text
        cfg.write_text(text.replace("  show: true", "  show: false", 1), encoding="utf-8")
    return into


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        on = copy_sample(Path(tmp) / "on", True)
        off = copy_sample(Path(tmp) / "off", False)
        run(args.binary, on)
        run(args.binary, off)
        cpu = {"on": [], "off": []}
        wall = {"on": [], "off": []}
        for _ in range(args.runs):
            for name, project in (("on", on), ("off", off)):
                c, w = run(args.binary, project)
                cpu[name].append(c)
                wall[name].append(w)
        size = {
            name: sum(p.stat().st_size for p in (project / "build").glob("*.pdf"))
            for name, project in (("on", on), ("off", off))
        }
    m = {k: statistics.median(v) for k, v in cpu.items()}
    mw = {k: statistics.median(v) for k, v in wall.items()}
    print(f"runs: {args.runs} each, interleaved")
    print(f"CPU median: charts off {m['off']:.3f} s, on {m['on']:.3f} s: {100 * (m['on'] / m['off'] - 1):+.1f}%")
    print(f"wall median: charts off {mw['off']:.3f} s, on {mw['on']:.3f} s: {100 * (mw['on'] / mw['off'] - 1):+.1f}%")
    print(f"PDF bytes: off {size['off']:,}, on {size['on']:,}: {100 * (size['on'] / size['off'] - 1):+.1f}%")


if __name__ == "__main__":
    main()
