#!/usr/bin/env python3
"""Compiles the Typst sources written by gen_typst.py in one process and times them.

    python3 bench/typst/compile.py TYPST_DIR FONTS_DIR [--only NAME] [--rebuild NAME] [--json]

One typst.Compiler per document (fonts from FONTS_DIR only, no system fonts), all in this process,
one after another; the fonts are scanned once (typst.Fonts) and shared, as hakusho loads its fonts
once. Prints per-document wall time, pages and PDF bytes, and the total; with --json, one JSON
object on the last line. With --rebuild NAME, NAME.typ is then edited (a marker inserted in its
first paragraph) and recompiled with the same Compiler (Typst's incremental compilation), timed
as rebuild_seconds. Needs `pip install typst`.
"""

import json
import re
import sys
import time
from pathlib import Path


def count_pages(pdf):
    m = re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf) or re.search(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)
    return int(m.group(1)) if m else 0


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) < 2:
        sys.exit(__doc__)
    only = rebuild = None
    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1]
        args = [a for a in args if a != only]
    if "--rebuild" in sys.argv:
        rebuild = sys.argv[sys.argv.index("--rebuild") + 1]
        args = [a for a in args if a != rebuild]
    typst_dir, fonts_dir = Path(args[0]), Path(args[1])
    import typst

    t0 = time.perf_counter()
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(fonts_dir)])
    t_fonts = time.perf_counter() - t0
    files = sorted(typst_dir.glob("*.typ"))
    if only:
        files = [f for f in files if f.stem == only]
    results = []
    compilers = {}
    total = time.perf_counter()
    for f in files:
        start = time.perf_counter()
        compiler = typst.Compiler(str(f), root=str(typst_dir), font_paths=fonts, ignore_system_fonts=True)
        pdf = compiler.compile(format="pdf")
        compilers[f.stem] = compiler
        wall = time.perf_counter() - start
        pages = count_pages(pdf)
        results.append({"name": f.stem, "seconds": wall, "pages": pages, "bytes": len(pdf)})
        (typst_dir / f"{f.stem}.pdf").write_bytes(pdf)
        print(f"{f.stem:<32} {wall:7.3f} s {pages:5d} pages {len(pdf):10,d} bytes", file=sys.stderr)
    total = time.perf_counter() - total
    summary = {
        "typst_version": typst.__version__,
        "fonts_seconds": t_fonts,
        "total_seconds": total,
        "documents": results,
        "pages": sum(r["pages"] for r in results),
        "bytes": sum(r["bytes"] for r in results),
    }
    if rebuild in compilers:
        path = typst_dir / f"{rebuild}.typ"
        text = path.read_text(encoding="utf-8")
        i = text.find('#par("')
        if i >= 0:
            path.write_text(text[: i + 6] + "（編集）" + text[i + 6 :], encoding="utf-8")
            start = time.perf_counter()
            compilers[rebuild].compile(format="pdf")
            summary["rebuild_seconds"] = time.perf_counter() - start
            summary["rebuild_name"] = rebuild
            print(f"rebuild {rebuild}: {summary['rebuild_seconds']:.3f} s", file=sys.stderr)
    print(f"fonts {t_fonts:.3f} s; total {total:.3f} s, {summary['pages']} pages, {summary['bytes']:,d} bytes", file=sys.stderr)
    if "--json" in sys.argv:
        print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
