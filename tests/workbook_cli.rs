//! `hakusho workbook`: prefilled workbooks for next year's submission pass `hakusho check`, are
//! byte-identical from run to run, and unknown departments are refused with the known ids.

mod common;

use std::fs;
use std::path::PathBuf;

use common::{hakusho, project_copy};

#[test]
fn every_prefilled_workbook_passes_check() {
    let dir = project_copy();
    let out = tempfile::tempdir().unwrap();
    let run = hakusho(
        dir.path(),
        &["workbook", "--all", "--out", out.path().to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let (project, _) = hakusho_sources::load_project(dir.path());
    let project = project.unwrap();
    let mut written = 0;
    for d in &project.departments {
        let path = out.path().join(format!("{}.xlsx", d.id));
        let has_rows = project.tables.iter().any(|t| {
            t.rows
                .iter()
                .any(|r| r.department.as_deref() == Some(&d.id))
        });
        assert_eq!(path.is_file(), has_rows, "{}", d.id);
        if !has_rows {
            assert!(stdout.contains(&d.id), "{stdout}");
            continue;
        }
        written += 1;
        // the library check
        let diags = hakusho_sources::check_files(dir.path(), std::slice::from_ref(&path));
        assert!(diags.is_empty(), "{}: {diags:?}", d.id);
        // the CLI check, with the same row counts as this year's workbook
        let check = hakusho(dir.path(), &["check", path.to_str().unwrap()]);
        let summary = String::from_utf8_lossy(&check.stdout);
        assert!(
            check.status.success(),
            "{}: {summary}\n{}",
            d.id,
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(
            check.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let original = dir
            .path()
            .join("sources/workbooks")
            .join(format!("{}.xlsx", d.id));
        let before = hakusho(dir.path(), &["check", original.to_str().unwrap()]);
        assert_eq!(
            summary,
            String::from_utf8_lossy(&before.stdout),
            "row counts differ for {}",
            d.id
        );
    }
    assert_eq!(written, 9);
}

#[test]
fn output_is_deterministic_and_goes_to_build_workbooks_by_default() {
    let dir = project_copy();
    let run = hakusho(dir.path(), &["workbook", "kikaku"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let path = dir.path().join("build/workbooks/kikaku.xlsx");
    let first = fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run = hakusho(dir.path(), &["workbook", "kikaku"]);
    assert!(run.status.success());
    assert_eq!(first, fs::read(&path).unwrap(), "two runs differ");
    // no temporary file left behind
    let names: Vec<String> = fs::read_dir(dir.path().join("build/workbooks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["kikaku.xlsx".to_string()]);

    // the library gives the same bytes; the Japanese name selects the department too
    let (project, _) = hakusho_sources::load_project(dir.path());
    let bytes = hakusho::workbook::workbook_bytes(&project.unwrap(), "kikaku")
        .unwrap()
        .unwrap();
    assert_eq!(bytes, first);
    let out = tempfile::tempdir().unwrap();
    let run = hakusho(
        dir.path(),
        &["workbook", "企画部", "--out", out.path().to_str().unwrap()],
    );
    assert!(run.status.success());
    assert_eq!(fs::read(out.path().join("kikaku.xlsx")).unwrap(), first);
}

#[test]
fn unknown_department_lists_the_known_ids() {
    let dir = project_copy();
    let run = hakusho(dir.path(), &["workbook", "zaimu"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("部「zaimu」はありません"), "{stderr}");
    for id in ["kikaku", "somu", "shimin", "kyoiku"] {
        assert!(stderr.contains(id), "{stderr}");
    }
    assert!(!dir.path().join("build/workbooks").exists());

    let run = hakusho(dir.path(), &["--lang", "en", "workbook", "zaimu"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("no department \"zaimu\""), "{stderr}");
    assert!(stderr.contains("kikaku (企画部)"), "{stderr}");
}

#[test]
fn department_without_tables_writes_nothing() {
    let dir = project_copy();
    let run = hakusho(dir.path(), &["workbook", "shimin"]);
    assert!(run.status.success());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("ワークブックはありません"), "{stdout}");
    assert!(!dir.path().join("build/workbooks/shimin.xlsx").exists());
}

#[test]
fn broken_sources_write_no_workbook() {
    let dir = project_copy();
    let wb: PathBuf = dir.path().join("sources/workbooks/somu.xlsx");
    fs::write(&wb, "施策コード,指標名\n").unwrap();
    let run = hakusho(dir.path(), &["workbook", "--all"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("somu.xlsx"), "{stderr}");
    assert!(
        stderr.contains("ワークブックを作れませんでした"),
        "{stderr}"
    );
    assert!(!dir.path().join("build/workbooks").exists());
}

#[test]
fn the_columns_to_fill_are_the_declared_ones() {
    let (project, _) = hakusho_sources::load_project(&common::repo());
    let project = project.unwrap();
    let fill = |table: &str| {
        let t = project.config.table(table).unwrap();
        hakusho::workbook::fill_columns(t)
            .into_iter()
            .map(|i| t.values[i].key.clone())
            .collect::<Vec<_>>()
    };
    // the sample declares 実績 and 実績値({fiscal_year}) `fill: true`; the 数値目標 none
    assert_eq!(fill("indicators"), vec!["current"]);
    assert_eq!(fill("strategy_kpi"), vec!["current"]);
    assert!(fill("strategy_goals").is_empty());
}

// issue 11, item 7: the column to fill was guessed from the fiscal year in its label; a city
// whose columns are 現状値 / 目標値 had its baseline coloured as the column to overwrite
#[test]
fn a_column_named_with_the_fiscal_year_is_not_filled_unless_declared() {
    let dir = project_copy();
    let config = dir.path().join("sources/hakusho.yaml");
    let text = fs::read_to_string(&config).unwrap();
    let from = "label: \"{fiscal_year_era}({fiscal_year_western})\\n年度\", fill: true }";
    assert!(text.contains(from), "the sample's 実績 column");
    let text = text
        .replacen(
            from,
            "label: \"{fiscal_year_era}({fiscal_year_western})\\n年度\" }",
            1,
        )
        .replacen(
            "{ key: target,   heading: 目標,",
            "{ key: target,   fill: true, heading: 目標,",
            1,
        );
    fs::write(&config, text).unwrap();
    let (project, diags) = hakusho_sources::load_project(dir.path());
    let project = project.unwrap_or_else(|| panic!("{diags:?}"));
    let t = project.config.table("indicators").unwrap();
    let keys: Vec<&str> = hakusho::workbook::fill_columns(t)
        .into_iter()
        .map(|i| t.values[i].key.as_str())
        .collect();
    assert_eq!(keys, ["target"]);
}

#[test]
fn long_code_lists_live_on_a_hidden_sheet() {
    let dir = project_copy();
    let plan = dir.path().join("sources/plan.yaml");
    let text = fs::read_to_string(&plan).unwrap();
    let mut part = String::from("  - number: 第9部\n    title: 試験\n    policies:\n");
    for n in 1..=60 {
        part.push_str(&format!(
            "      - code: \"9-{n}\"\n        number: 第{n}\n        title: 試験の施策{n}\n        department: kikaku\n        division: 企画経営課\n"
        ));
    }
    let at = text.find("\nstrategy:").unwrap() + 1;
    fs::write(&plan, format!("{}{}{}", &text[..at], part, &text[at..])).unwrap();

    let out = tempfile::tempdir().unwrap();
    let run = hakusho(
        dir.path(),
        &["workbook", "kikaku", "--out", out.path().to_str().unwrap()],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let path = out.path().join("kikaku.xlsx");
    let sheets = hakusho_sources::workbook::read_all_sheets(&path, &Default::default()).unwrap();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "目標指標",
            "総合戦略数値目標",
            "総合戦略KPI",
            hakusho::workbook::GUIDE_SHEET,
            "施策コード一覧",
            hakusho::workbook::ID_SHEET,
        ]
    );
    assert_eq!(sheets[4].1, 65, "5 codes in use + 60 added");
    let check = hakusho(dir.path(), &["check", path.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

// issue 17: the OS's English ("No such file or directory (os error 2)") was inside the
// Japanese sentence; it is said in Japanese, and the English message keeps it
#[test]
fn a_file_system_error_is_said_in_japanese() {
    let out = hakusho(
        &common::repo(),
        &["workbook", "kikaku", "--out", "/proc/nope/dir"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("実行できませんでした（/proc/nope/dir: 見つかりません）"),
        "{err}"
    );
    assert!(!err.contains("No such file"), "{err}");
    let out = hakusho(
        &common::repo(),
        &[
            "--lang",
            "en",
            "workbook",
            "kikaku",
            "--out",
            "/proc/nope/dir",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("No such file or directory"));
}
