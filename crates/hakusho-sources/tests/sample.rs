//! The real sample project in the repository (sources/ of the workspace root): it loads
//! without errors and its Chapter 1 indicator table is complete.

use std::path::{Path, PathBuf};

use hakusho_diagnostics::{Lang, Severity};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The number of 目標指標 rows of the 2021 white paper: seed 002 prints 68 rows in the 34
/// policies' tables and says so itself (第1章: 「全34施策に定められた、68のまちづくり指標」);
/// tools/sample-data/indicators.tsv transcribes them.
const CHAPTER1_INDICATOR_ROWS: usize = 68;

#[test]
fn sample_project_loads_cleanly() {
    let root = workspace_root();
    if !root.join("sources/workbooks").is_dir() {
        panic!("the sample workbooks (sources/workbooks) are missing");
    }
    let (project, diags) = hakusho_sources::load_project(&root);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.render(Lang::Ja))
        .collect();
    assert!(errors.is_empty(), "errors:\n{}", errors.join("\n"));
    let project = project.expect("a model");

    let indicators = project.table("indicators").expect("table indicators");
    let n = indicators.rows.len();
    assert_eq!(n, CHAPTER1_INDICATOR_ROWS, "Chapter 1 indicator rows");
    // every value present, every row under a policy of the plan
    for row in &indicators.rows {
        assert!(
            project.policy(&row.group).is_some(),
            "{}: {}",
            row.location.0,
            row.group
        );
        for col in &indicators.config.values {
            let v = row.values.get(&col.key);
            assert!(
                v.is_some_and(|v| !v.is_empty()),
                "{}: {} has no {}",
                row.location.0,
                row.name,
                col.key
            );
        }
    }
    // every policy has its table
    for p in project.policies() {
        assert!(
            !project.rows("indicators", &p.code).is_empty(),
            "policy {}",
            p.code
        );
    }
    // values as printed in the seed
    let find = |name: &str| {
        indicators
            .rows
            .iter()
            .find(|r| r.name.starts_with(name))
            .unwrap_or_else(|| panic!("row {name}"))
    };
    let r = find("英語版ホームページのアクセス件数");
    assert_eq!(r.values["baseline"].text, "34,677件");
    assert_eq!(r.values["baseline"].number, Some(34677.0));
    let r = find("市の行政委員会・審議会等における女性委員の割合");
    assert_eq!(r.values["baseline"].text, "38.8%");
    assert!(r.values["baseline"].percent);
    let r = find("製造業事業所数");
    assert_eq!(r.values["baseline"].text, "326事業所 (平成21年)");
    assert_eq!(
        r.values["baseline"].annotation.as_deref(),
        Some("(平成21年)")
    );
    let r = find("SOHO集積施設数");
    assert_eq!(r.values["baseline"].parts.len(), 2);

    // the inputs list names every workbook with the policies it feeds
    let wb = project
        .inputs()
        .iter()
        .find(|i| i.path == Path::new("sources/workbooks/kikaku.xlsx"))
        .expect("kikaku.xlsx input");
    assert!(
        wb.parts.iter().any(|p| p == "table:indicators:1-1"),
        "{:?}",
        wb.parts
    );
}

/// Every row and every value of seed 002's Chapter 1 indicator tables (copied into
/// tests/fixtures/seed/) is in the model, as printed. Whitespace is ignored on both sides: the
/// extraction put spaces where the printed cell had line breaks ("通訳・翻訳ボランティア、 防災…").
#[test]
fn sample_indicator_values_match_seed_002() {
    let root = workspace_root();
    let seed =
        std::fs::read_to_string(root.join("tests/fixtures/seed/002-chapter1-indicators.tsv"))
            .expect("seed excerpt");
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (project, _) = hakusho_sources::load_project(&root);
    let project = project.expect("a model");
    let table = project.table("indicators").expect("table indicators");
    let keys: Vec<&str> = table.config.values.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys.len(), 5, "the sample shows five value columns");

    let mut rows = 0;
    let mut values = 0;
    let mut mismatches = Vec::new();
    for line in seed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cells: Vec<&str> = line.split('\t').collect();
        let name = squeeze(cells[0]);
        let Some(row) = table.rows.iter().find(|r| squeeze(&r.name) == name) else {
            mismatches.push(format!("row missing: {name}"));
            continue;
        };
        rows += 1;
        for (key, printed) in keys.iter().zip(&cells[1..]) {
            let ours = row
                .values
                .get(*key)
                .map(|v| squeeze(&v.text))
                .unwrap_or_default();
            if ours == squeeze(printed) {
                values += 1;
            } else {
                mismatches.push(format!("{name} {key}: seed {printed:?}, model {ours:?}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(rows, CHAPTER1_INDICATOR_ROWS);
    assert_eq!(values, CHAPTER1_INDICATOR_ROWS * 5);
    assert_eq!(table.rows.len(), rows, "no row beyond the seed's");
}
