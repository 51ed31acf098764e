#!/usr/bin/env bash
# PDF/UA-1 machine check of every bundled PDF: builds the sample and examples/kawabe with the
# release binary into scratch copies, then runs `pdfua check` (PyPI `pdfua`, built on pikepdf;
# installed with pip if missing) on each PDF. Fails if any file has an ERROR or a WARNING.
# cargo test does not need Python: tests/tagged_pdf.rs checks the same files in Rust.
#
#   bench/pdfua.sh            # release build, check all
#   PDFUA_VERSION=0.1.3 bench/pdfua.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
version="${PDFUA_VERSION:-0.1.3}"
if ! command -v pdfua >/dev/null; then
  python3 -m pip install --quiet "pdfua==$version"
fi
cargo build --release --quiet --bin hakusho
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sample" "$work/kawabe"
cp -r sources templates fonts "$work/sample/"
cp -r examples/kawabe/sources examples/kawabe/templates examples/kawabe/fonts "$work/kawabe/"
status=0
for project in sample kawabe; do
  "$target/release/hakusho" -C "$work/$project" build >/dev/null 2>&1
  for pdf in "$work/$project"/build/*.pdf; do
    report="$(pdfua check "$pdf" 2>&1)" || true
    line="$(grep -m1 'result:' <<<"$report")"
    echo "$project/$(basename "$pdf"): ${line#*result: }"
    if ! grep -q 'errors=0 warnings=0' <<<"$line"; then
      echo "$report"
      status=1
    fi
  done
done
exit $status
