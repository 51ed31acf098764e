//! Hostile workbooks (issue 17, slice D): values that would reach the page as something other
//! than what the department typed (a formula without its result, a number its format cannot
//! show), and messages about refused workbooks that name the wrong thing.

mod common;

use std::path::Path;
use std::process::Output;

use common::{edit_xlsx, hakusho, project_copy};

const KIKAKU: &str = "sources/workbooks/kikaku.xlsx";
const SHEET: &str = "xl/worksheets/sheet1.xml";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `hakusho check` (Japanese messages): exit status 1 and its messages.
fn check_fails(project: &Path) -> String {
    let out = hakusho(project, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "check did not fail:\n{err}");
    err
}

fn line_with<'a>(err: &'a str, needle: &str) -> &'a str {
    err.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no message with {needle:?} in:\n{err}"))
}

// issue 17, point 4: a formula saved without its result (openpyxl writes `<f>..</f><v></v>`)
// printed （空欄）.
#[test]
fn formula_without_a_saved_result_is_an_error_at_its_cell() {
    let dir = project_copy();
    let p = dir.path();
    edit_xlsx(&p.join(KIKAKU), SHEET, |x| {
        x.replace(
            r#"<c r="D4" s="4"><v>34677</v></c>"#,
            r#"<c r="D4" s="4"><f>SUM(30000,4677)</f><v></v></c>"#,
        )
    });
    let err = check_fails(p);
    let line = line_with(&err, "kikaku.xlsx:目標指標!D4:");
    assert!(line.contains("数式"), "{line}");
    assert!(
        line.contains("Excel で開いて保存し直してください"),
        "{line}"
    );
    // the build stops too, instead of printing a blank cell
    let out = hakusho(p, &["build"]);
    assert!(!out.status.success(), "build succeeded:\n{}", stderr(&out));
    assert!(!p.join("build/hakusho-2021.pdf").exists());
}

// issue 17, point 5: 1e308 with format 0.0% printed `inf%`.
#[test]
fn number_too_large_for_its_percent_format_is_an_error_at_its_cell() {
    let dir = project_copy();
    let p = dir.path();
    edit_xlsx(&p.join(KIKAKU), SHEET, |x| {
        x.replace(
            r#"<c r="D7" s="7"><v>0.388</v></c>"#,
            r#"<c r="D7" s="7"><v>1E+308</v></c>"#,
        )
    });
    let err = check_fails(p);
    let line = line_with(&err, "kikaku.xlsx:目標指標!D7:");
    assert!(line.contains("1E+308"), "{line}");
    assert!(line.contains("0.0%"), "{line}");
    assert!(!err.contains("inf"), "{err}");
}

// issue 17, point 5: a percent format with 400 decimals printed `NaN%`.
#[test]
fn format_with_hundreds_of_decimals_is_an_error_at_its_cell() {
    let dir = project_copy();
    let p = dir.path();
    let code = format!("0.{}%", "0".repeat(400));
    edit_xlsx(&p.join(KIKAKU), "xl/styles.xml", |x| {
        x.replace(r#"formatCode="0.0%""#, &format!(r#"formatCode="{code}""#))
    });
    let err = check_fails(p);
    let line = line_with(&err, "kikaku.xlsx:目標指標!D7:");
    assert!(line.contains("400"), "{line}");
    // the format is quoted, not echoed in full
    assert!(line.chars().count() < 300, "{line}");
    assert!(!err.contains("NaN"), "{err}");
}

// issue 17, point 11: a workbook refused by the guard is named by its sheet, and is not also
// reported missing by every policy of its department.
#[test]
fn refused_workbook_names_its_sheet_and_is_not_reported_missing() {
    let dir = project_copy();
    let p = dir.path();
    edit_xlsx(&p.join(KIKAKU), SHEET, |x| {
        x.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#,
        )
    });
    let err = check_fails(p);
    let line = line_with(&err, "max_cells");
    assert!(line.contains("シート 目標指標 "), "{line}");
    assert!(!err.contains("xl/worksheets"), "{err}");
    assert!(!err.contains("kikaku.xlsx がありません"), "{err}");
}

// issue 17, point 11: calamine's English text stays out of Japanese messages; `--lang en`
// keeps it.
#[test]
fn library_errors_stay_out_of_japanese_messages() {
    let dir = project_copy();
    let p = dir.path();
    // a shared-string index that does not exist
    edit_xlsx(&p.join(KIKAKU), SHEET, |x| {
        x.replace(
            r#"<c r="B4" s="3" t="s"><v>11</v></c>"#,
            r#"<c r="B4" s="3" t="s"><v>99999</v></c>"#,
        )
    });
    let err = check_fails(p);
    let line = line_with(&err, "kikaku.xlsx");
    // after the location (file:sheet!cell: ), no English word
    let message = line.split_once(": ").map_or(line, |(_, m)| m);
    let english: Vec<&str> = message
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(english.is_empty(), "English {english:?} in: {line}");
    let en = stderr(&hakusho(p, &["--lang", "en", "check"]));
    assert!(
        line_with(&en, "kikaku.xlsx").contains("cannot read"),
        "{en}"
    );
}

// issue 17, point 9: a document over `max_pages` is refused with the limit's name and how to
// raise it, and no PDF is written (a 100,000-row table would otherwise take gigabytes).
#[test]
fn document_over_max_pages_is_refused_with_the_limit() {
    let dir = project_copy();
    let p = dir.path();
    let config = p.join("sources/hakusho.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nlimits:\n  max_pages: 5\n");
    std::fs::write(&config, text).unwrap();
    let out = hakusho(p, &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = line_with(&err, "max_pages = 5");
    assert!(line.contains("ページになります"), "{line}");
    assert!(line.contains("limits:"), "{line}");
    assert!(!p.join("build/hakusho-2021.pdf").exists());
}

// issue 17, point 9: a table too long to lay out within the memory a build may take is
// refused up front — by `check` too, before anything is rendered — naming the limit, the
// count and the workbooks the rows come from
#[test]
fn table_over_max_table_rows_is_refused_before_rendering() {
    let dir = project_copy();
    let p = dir.path();
    let config = p.join("sources/hakusho.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nlimits:\n  max_table_rows: 50\n");
    std::fs::write(&config, text).unwrap();
    for command in ["check", "build"] {
        let out = hakusho(p, &[command]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        let line = line_with(&err, "max_table_rows = 50");
        // the sample's 目標指標 table: 68 rows from the departments' workbooks
        assert!(line.contains("目標指標 の表が 68 行"), "{line}");
        assert!(line.contains("sources/workbooks/"), "{line}");
        assert!(line.contains("limits:"), "{line}");
    }
    assert!(!p.join("build/hakusho-2021.pdf").exists());
}

// issue 17, "linear scale": past the limit, rows are checked and counted but not kept, so
// `check` of a huge workbook takes bounded memory; the message still counts every row, per
// workbook, as it does when every row is kept
#[test]
fn rows_past_max_table_rows_are_counted_though_not_kept() {
    let dir = project_copy();
    let p = dir.path();
    let config = p.join("sources/hakusho.yaml");
    let original = std::fs::read_to_string(&config).unwrap();
    let refused_with = |max: u32| {
        std::fs::write(
            &config,
            format!("{original}\nlimits:\n  max_table_rows: {max}\n"),
        )
        .unwrap();
        let out = hakusho(p, &["check"]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        let line = line_with(&err, &format!("max_table_rows = {max}")).to_string();
        // what is said of the rows: the count and the workbooks they come from
        let counts = line[line.find("の表が").unwrap()..line.find("）").unwrap()].to_string();
        counts.replace(&format!("上限 max_table_rows = {max} "), "")
    };
    // 68 rows in all, the largest workbook holding more than 3: with a limit of 3 most rows
    // are not kept, yet the counts are the same as when every row is kept
    let all_kept = refused_with(50);
    assert!(all_kept.contains("68 行"), "{all_kept}");
    assert_eq!(refused_with(3), all_kept);
}
