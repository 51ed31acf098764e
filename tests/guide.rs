//! Issue 11: the clerk's guide comes from the configuration (`hakusho guide`, and the 記入方法
//! sheet of every workbook `hakusho workbook` writes). Expectations are computed from the
//! project's configuration, never typed here, so the tests hold for any city.

mod common;

use std::fs;

use common::*;

fn guide(project: &std::path::Path, department: &str) -> (i32, String, String) {
    let out = hakusho(project, &["guide", department]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The guide row (a Markdown table line) whose first cell is `heading`.
fn row<'a>(text: &'a str, heading: &str) -> &'a str {
    text.lines()
        .find(|l| {
            l.starts_with(&format!("| {heading} |")) || l.starts_with(&format!("| {heading}（"))
        })
        .unwrap_or_else(|| panic!("no guide row for {heading:?} in:\n{text}"))
}

#[test]
fn the_guide_names_every_configured_sheet_heading_and_column_to_fill() {
    let (project, _) = hakusho_sources::load_project(&repo());
    // the guide is to the workbook sent out, whose headings are for the year it asks for
    let project = hakusho::workbook::for_next_year(&project.unwrap());
    let (code, text, err) = guide(&repo(), "kikaku");
    assert_eq!(code, 0, "{err}");
    let sheets = hakusho::workbook::plan_sheets(&project, "kikaku");
    assert!(!sheets.is_empty());
    for plan in &sheets {
        let t = plan.table;
        assert!(
            text.contains(&format!("## シート「{}」", t.sheet)),
            "{}",
            t.sheet
        );
        row(&text, t.group.heading.main());
        row(&text, t.name.heading.main());
        let fill = hakusho::workbook::fill_columns(t);
        for (i, v) in t.values.iter().enumerate() {
            let line = row(&text, v.heading.main());
            assert_eq!(
                line.contains("の値を入力する列"),
                fill.contains(&i),
                "{} of {}: {line}",
                v.heading.main(),
                t.sheet
            );
        }
    }
    // the department's own policy codes are listed; another department's are not
    for p in project.policies() {
        let listed = text.contains(&format!("- {} {}", p.code, p.title));
        assert_eq!(listed, p.department == "kikaku", "{}", p.code);
    }
}

#[test]
fn the_guide_follows_the_configuration() {
    let dir = project_copy();
    let config = dir.path().join("sources/hakusho.yaml");
    let text = fs::read_to_string(&config).unwrap();
    // another city: the column to fill is 目標 and the name column is called 成果指標
    let text = text
        .replacen(", fill: true }", " }", 1)
        .replacen(
            "{ key: target,   heading: 目標,",
            "{ key: target,   fill: true, heading: 目標,",
            1,
        )
        .replacen(
            "name: { heading: 指標名 }",
            "name: { heading: [成果指標, 指標名] }",
            1,
        );
    fs::write(&config, text).unwrap();
    let (code, guide, err) = guide(dir.path(), "kikaku");
    assert_eq!(code, 0, "{err}");
    assert!(row(&guide, "目標").contains("の値を入力する列"), "{guide}");
    assert!(!row(&guide, "実績").contains("の値を入力する列"), "{guide}");
    assert!(row(&guide, "成果指標").contains("指標名 でも可"), "{guide}");
}

#[test]
fn an_unknown_department_is_named_with_the_known_ids() {
    let (code, text, err) = guide(&repo(), "nosuch");
    assert_eq!(code, 1);
    assert!(text.is_empty());
    assert!(err.contains("部「nosuch」はありません"), "{err}");
    assert!(err.contains("kikaku（企画部）"), "{err}");
}

#[test]
fn every_written_workbook_carries_the_guide_on_its_last_visible_sheet() {
    let out = tempfile::tempdir().unwrap();
    let run = hakusho(
        &repo(),
        &["workbook", "kikaku", "--out", out.path().to_str().unwrap()],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (_, guide_text, _) = guide(&repo(), "kikaku");
    let title = guide_text.lines().next().unwrap().trim_start_matches("# ");
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(out.path().join("kikaku.xlsx")).unwrap();
    let range = wb.worksheet_range(hakusho::workbook::GUIDE_SHEET).unwrap();
    let cells: Vec<String> = range.cells().map(|(_, _, d)| d.to_string()).collect();
    assert_eq!(cells.first().map(String::as_str), Some(title));
    // every guide table row is on the sheet, cell by cell
    for line in guide_text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| 見出し"))
    {
        let first = line.trim_start_matches("| ").split(" | ").next().unwrap();
        assert!(cells.iter().any(|c| c == first), "{first} not on the sheet");
    }
}
