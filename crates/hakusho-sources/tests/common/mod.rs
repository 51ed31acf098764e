//! A small project written into a temporary directory, with workbooks made by rust_xlsxwriter.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hakusho_diagnostics::{Diagnostics, Lang};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

pub const CONFIG: &str = r#"city: 見本市
fiscal_year: 2020
publication: 令和3（2021）年7月
departments:
  - id: kikaku
    name: 企画部
  - id: seikatsu
    name: 生活環境部
tables:
  - id: indicators
    sheet: 目標指標
    group: { heading: 施策コード, refers_to: policy }
    name: { heading: 指標名 }
    note: { heading: 備考 }
    header_rows:
      - [{ text: 計画策定時 }, { text: 達成値 }, { text: 目標値 }]
    values:
      - { key: baseline, heading: 計画策定時, label: 平成22年度 }
      - { key: current,  heading: 実績,       label: "令和2(2020)\n年度" }
      - { key: target,   heading: 目標,       label: "令和4(2022)\n年度" }
sections:
  policy:
    - { name: notes, kind: footnotes }
    - { name: progress, kind: paragraphs }
documents:
  - name: hakusho
    template: white_paper.html
    title: 見本市白書
"#;

pub const PLAN: &str = r#"title: 見本計画
parts:
  - number: 第1部
    title: 開かれたまち
    policies:
      - code: "1-1"
        number: 第1
        title: 国際化の推進
        department: kikaku
        division: 企画経営課
      - code: "2-4-1"
        number: 第4-1
        group: 第4 商業環境の整備
        title: 商業環境の充実
        department: seikatsu
        division: 生活経済課
"#;

pub const KIKAKU: &str = r#"name: 企画部
mission: |
  市民とともに。
policies:
  "1-1":
    notes:
      - "(注) 見本の注です。"
    progress: |
      取り組みました。
"#;

pub const SEIKATSU: &str = "name: 生活環境部\n";

/// A project directory with config, plan and department files (no workbooks yet).
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = dir.path().join("sources");
    std::fs::create_dir_all(s.join("departments")).unwrap();
    std::fs::create_dir_all(s.join("workbooks")).unwrap();
    std::fs::write(s.join("hakusho.yaml"), CONFIG).unwrap();
    std::fs::write(s.join("plan.yaml"), PLAN).unwrap();
    std::fs::write(s.join("departments/kikaku.yaml"), KIKAKU).unwrap();
    std::fs::write(s.join("departments/seikatsu.yaml"), SEIKATSU).unwrap();
    dir
}

pub fn workbook_path(root: &Path, id: &str) -> PathBuf {
    root.join("sources/workbooks").join(format!("{id}.xlsx"))
}

/// Writes a one-sheet workbook; `fill` writes the cells of sheet `目標指標`.
pub fn write_workbook(path: &Path, fill: impl FnOnce(&mut Worksheet)) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("目標指標").unwrap();
    fill(ws);
    wb.save(path).unwrap();
}

/// A tidy indicator sheet: a merged title row, a blank row, the header on row 3 with an extra
/// column, then rows.
pub fn standard_sheet(ws: &mut Worksheet, rows: &[(&str, &str, [&str; 3])]) {
    ws.merge_range(
        0,
        0,
        0,
        5,
        "令和2年度 目標指標 達成状況（企画部）",
        &Format::new(),
    )
    .unwrap();
    let headings = [
        "施策コード",
        "施策名",
        "指標名",
        "計画策定時",
        "実績",
        "目標",
    ];
    for (c, h) in headings.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, (code, name, values)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, "施策").unwrap();
        ws.write_string(r, 2, *name).unwrap();
        for (j, v) in values.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, 3 + j as u16, *v).unwrap();
            }
        }
    }
}

/// Rendered messages (Japanese), sorted.
pub fn rendered(d: &Diagnostics) -> Vec<String> {
    let mut d = d.clone();
    d.sort();
    d.iter().map(|x| x.render(Lang::Ja)).collect()
}

pub fn errors(d: &Diagnostics) -> Vec<String> {
    let mut d = d.clone();
    d.sort();
    d.iter()
        .filter(|x| x.severity == hakusho_diagnostics::Severity::Error)
        .map(|x| x.render(Lang::Ja))
        .collect()
}

/// Both department workbooks with one clean row each.
pub fn clean_workbooks(root: &Path) {
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(
            ws,
            &[(
                "1-1",
                "英語版ホームページのアクセス件数",
                ["34,677件", "202,850件", "400,000件"],
            )],
        )
    });
    write_workbook(&workbook_path(root, "seikatsu"), |ws| {
        standard_sheet(
            ws,
            &[("2-4-1", "商店会加盟店舗数", ["1,200店", "1,100店", "維持"])],
        )
    });
}
