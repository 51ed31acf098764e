#!/usr/bin/env bash
# hakusho benchmarks: builds the release binaries, then times the bundled sample and generated
# projects of about 100, 300 and 1,000 white-paper pages and of one 10,000- and one 100,000-row
# table (sizes rows10k, rows100k: the scale case of issue 17; rows100k is refused up front by
# max_table_rows and shows how fast and lean check and the refusal are) (full build, one-booklet rebuild after an
# edit, check, peak memory, PDF bytes per page) and Typst on the same content; writes
# bench/results.md (+ results.json).
# Intake: `hakusho intake` of the sample's 9 prefilled workbooks (identified, checked, each installed
# with its previous version kept and the changes listed, under the next year's configuration), one
# line under "Targets": 0.24 s wall, peak 26 MiB in the release build (2026-11-30, 2 shared CPUs
# at load 7; most of the wall time is fsync of the installed files and their directory).
# Facing pages (issue 14): the sample's full build (`build --force`, 12 documents, release) with
# the style's print: keys at the top level (facing, pad_to 4: 124 pages instead of 101)
# against the screen style, same binary, 11 interleaved runs: CPU 0.638 s against 0.620 s median
# (+3%), 0.569 s against 0.574 s fastest (2026-11-30, load ~11 on 2 shared CPUs: within noise).
#
#   bench/run.sh                      # everything (a few minutes on 2 cores)
#   bench/run.sh --sizes 100          # sample + the 100-page project only
#   bench/run.sh --sizes '' --runs 5  # sample only
#   bench/run.sh --no-typst
#
# Options are passed to bench/bench.py (--runs, --runs-large, --work DIR, --out FILE).
# Typst needs `pip install typst`; peak memory comes from wait4 (no /usr/bin/time needed).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin hakusho --example gen_project
cargo bench --quiet --bench build --no-run
exec python3 bench/bench.py \
  --hakusho "$target/release/hakusho" \
  --gen "$target/release/examples/gen_project" \
  --command "bench/run.sh $*" \
  "$@"
