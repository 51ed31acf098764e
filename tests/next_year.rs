//! Issue 18, the next year's headings: the KPI sheet asked for 令和3年度 figures under
//! 「実績値(令和2年度)」, and the configuration of the next year could not read the workbook
//! without hand edits. The yearly cycle, end to end: `workbook --all`, advance the fiscal year
//! in the configuration, fill the yellow columns, `intake`, `check`, `build` — clean, with the
//! new values in the PDF under the new year.

mod common;

use std::fs;
use std::path::Path;

use common::{contains_text, edit_xlsx, hakusho, project_copy};

/// Sets cell `addr` of a sheet's XML to the number `value`, keeping its style.
fn set_number(xml: &str, addr: &str, value: f64) -> String {
    let open = format!("<c r=\"{addr}\"");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no cell {addr}"));
    let rest = &xml[start..];
    let end = if rest.find("/>").unwrap() < rest.find('>').unwrap() + 1 {
        start + rest.find("/>").unwrap() + 2
    } else {
        start + rest.find("</c>").unwrap() + 4
    };
    let cell = &xml[start..end];
    let style = cell
        .split("s=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!(" s=\"{s}\""))
        .unwrap_or_default();
    format!(
        "{}<c r=\"{addr}\"{style}><v>{value}</v></c>{}",
        &xml[..start],
        &xml[end..]
    )
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = hakusho(dir, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

#[test]
fn workbooks_sent_out_read_under_the_next_years_configuration() {
    let dir = project_copy();
    let d = dir.path();
    run_ok(d, &["workbook", "--all"]);
    let kikaku = d.join("build/workbooks/kikaku.xlsx");
    // the KPI sheet asks for 令和3年度 under a heading that says so
    let wb_text = {
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&kikaku).unwrap();
        use calamine::Reader;
        let range = book.worksheet_range("総合戦略KPI").unwrap();
        (0..range.width())
            .filter_map(|c| range.get_value((2, c as u32)).map(|v| v.to_string()))
            .collect::<Vec<_>>()
    };
    assert!(
        wb_text.contains(&"実績値(令和3年度)".to_string()),
        "{wb_text:?}"
    );
    assert!(
        !wb_text.contains(&"実績値(令和2年度)".to_string()),
        "{wb_text:?}"
    );

    // the next year's configuration: only the fiscal year changes
    let config = d.join("sources/hakusho.yaml");
    let text = fs::read_to_string(&config).unwrap();
    assert!(text.contains("fiscal_year: 2020"));
    fs::write(
        &config,
        text.replacen("fiscal_year: 2020", "fiscal_year: 2021", 1),
    )
    .unwrap();

    // the department fills the yellow columns: 目標指標 実績 (G) and 総合戦略KPI 実績値 (F)
    edit_xlsx(&kikaku, "xl/worksheets/sheet1.xml", |x| {
        set_number(x, "G4", 246_813.0)
    });
    edit_xlsx(&kikaku, "xl/worksheets/sheet3.xml", |x| {
        set_number(x, "F4", 97_531.0)
    });

    let intake = run_ok(d, &["intake", "build/workbooks"]);
    assert!(intake.contains("未提出 0 部"), "{intake}");
    assert!(intake.contains("→ 246,813件"), "{intake}");
    let check = run_ok(d, &["check"]);
    assert!(check.contains("問題は見つかりませんでした"), "{check}");
    run_ok(d, &["build", "hakusho-2021"]);

    let pdf =
        hakusho_pdfcheck::inspect(&fs::read(d.join("build/hakusho-2021.pdf")).unwrap()).unwrap();
    let text = pdf.text_without_whitespace();
    // the new year's labels, and the new values
    assert!(contains_text(&text, "実績値(令和3年度)"), "KPI heading");
    assert!(
        !text.contains("実績値(令和2年度)"),
        "last year's KPI heading"
    );
    assert!(contains_text(&text, "令和3(2021)年度"), "indicator heading");
    assert!(text.contains("246,813件"), "the indicator's new value");
    assert!(
        text.contains("97531") || text.contains("97,531"),
        "the KPI's new value"
    );
}
