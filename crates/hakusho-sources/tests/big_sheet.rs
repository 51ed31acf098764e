//! An enormous but legitimate workbook: a 100,000-row indicator sheet is read (no limit is
//! hit), in bounded time. Peak memory was measured by hand (docs/limits.md): set
//! HAKUSHO_KEEP_BIG_SHEET=path to keep the generated file.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use hakusho_sources::check_files_with_counts;

const ROWS: u32 = 100_000;

#[test]
fn a_100k_row_indicator_sheet_is_read() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    let path = workbook_path(root, "kikaku");
    write_workbook(&path, |ws| {
        // the sample project's headings too (前期, 中期), so the kept file checks there as well
        let headings = [
            "施策コード",
            "指標名",
            "計画策定時",
            "実績",
            "目標",
            "前期",
            "中期",
        ];
        for (c, h) in headings.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let pct = rust_xlsxwriter::Format::new().set_num_format("0.0%");
        for i in 0..ROWS {
            let r = i + 1;
            ws.write_string(r, 0, "1-1").unwrap();
            ws.write_string(r, 1, format!("指標{i:06}")).unwrap();
            ws.write_number(r, 2, f64::from(i)).unwrap();
            ws.write_number_with_format(r, 3, f64::from(i % 1000) / 1000.0, &pct)
                .unwrap();
            ws.write_string(r, 4, format!("{i}件")).unwrap();
            ws.write_string(r, 5, "平成26年度").unwrap();
            ws.write_number(r, 6, 1234.5).unwrap();
        }
    });
    if let Ok(keep) = std::env::var("HAKUSHO_KEEP_BIG_SHEET") {
        std::fs::copy(&path, keep).unwrap();
    }
    let t = Instant::now();
    let (d, counts) =
        check_files_with_counts(root, &[PathBuf::from("sources/workbooks/kikaku.xlsx")]);
    let took = t.elapsed();
    let e = errors(&d);
    assert!(e.is_empty(), "{:#?}", &e[..e.len().min(5)]);
    let rows: usize = counts.rows.iter().map(|(_, n)| *n).sum();
    assert_eq!(rows, ROWS as usize, "{counts:?}");
    // a hang detector, not a benchmark (debug build, shared CI cores)
    assert!(took < Duration::from_secs(300), "took {took:?}");
}
