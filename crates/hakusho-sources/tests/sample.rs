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
