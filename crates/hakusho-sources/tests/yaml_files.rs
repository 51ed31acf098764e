//! YAML sources: syntax errors, typos, duplicates, cross references.

mod common;

use std::path::PathBuf;

use common::*;
use hakusho_sources::{check_files, load_project};

#[test]
fn a_yaml_syntax_error_has_line_and_column() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::write(
        root.join("sources/plan.yaml"),
        PLAN.replace("title: 国際化の推進", "title: [国際化の推進"),
    )
    .unwrap();
    let (project, diags) = load_project(root);
    assert!(project.is_none());
    let e = errors(&diags);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("sources/plan.yaml:"), "{}", e[0]);
    let pos: Vec<&str> = e[0].split(':').skip(1).take(2).collect();
    assert!(pos.iter().all(|p| p.parse::<u32>().is_ok()), "{}", e[0]);
    assert!(e[0].contains("YAML の書き方に誤りがあります"), "{}", e[0]);
}

#[test]
fn a_typo_in_a_field_name_is_not_ignored() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::write(
        root.join("sources/departments/kikaku.yaml"),
        KIKAKU.replace("progress:", "progres:"),
    )
    .unwrap();
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].starts_with("sources/departments/kikaku.yaml:8:5: "),
        "{}",
        e[0]
    );
    // the sections a policy may have are declared in hakusho.yaml: the message lists them
    assert!(
        e[0].contains("節「progres」は宣言されていません"),
        "{}",
        e[0]
    );
    assert!(
        e[0].contains("宣言されている節: notes、progress"),
        "{}",
        e[0]
    );
    assert!(e[0].contains("もしかして progress"), "{}", e[0]);
}

#[test]
fn duplicate_policy_codes_and_unknown_departments() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    let plan = PLAN
        .replace("code: \"2-4-1\"", "code: \"1-1\"")
        .replace("department: seikatsu", "department: seikatu");
    std::fs::write(root.join("sources/plan.yaml"), plan).unwrap();
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert!(
        e.iter()
            .any(|m| m.starts_with("sources/plan.yaml:11:9: 施策の code 1-1 が重複しています")),
        "{e:#?}"
    );
    assert!(
        e.iter().any(|m| m.starts_with("sources/plan.yaml:15:9: 施策 1-1 の担当部 seikatu は sources/hakusho.yaml の departments にありません（もしかして seikatsu ではありませんか）")),
        "{e:#?}"
    );
}

#[test]
fn department_texts_must_name_existing_policies() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::write(
        root.join("sources/departments/kikaku.yaml"),
        KIKAKU.replace("\"1-1\":", "\"1-2\":"),
    )
    .unwrap();
    std::fs::write(root.join("sources/departments/kikkaku.yaml"), "name: x\n").unwrap();
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert!(e.iter().any(|m| m == "sources/departments/kikaku.yaml:5:3: 施策の code 1-2 は plan.yaml にありません（もしかして 1-1 ではありませんか）"), "{e:#?}");
    assert!(
        e.iter().any(|m| m.starts_with(
            "sources/departments/kikkaku.yaml: kikkaku.yaml はどの部のファイルでもありません"
        )),
        "{e:#?}"
    );
}

#[test]
fn single_files_are_checked_against_the_project_configuration() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    // a department's own copy, outside sources/, given by a path as typed
    let mine = root.join("自分のファイル.xlsx");
    write_workbook(&mine, |ws| {
        standard_sheet(ws, &[("1-9", "件数", ["1", "2", "3"])])
    });
    let d = check_files(root, &[PathBuf::from("自分のファイル.xlsx")]);
    assert_eq!(
        errors(&d),
        vec!["自分のファイル.xlsx:目標指標!A4: 施策コード「1-9」はplan.yaml の施策にありません（もしかして 1-1 ではありませんか）"]
    );
    let d = check_files(
        root,
        &[
            PathBuf::from("sources/workbooks/kikaku.xlsx"),
            PathBuf::from("sources/plan.yaml"),
        ],
    );
    assert!(d.is_empty(), "{:#?}", rendered(&d));
    let d = check_files(root, &[PathBuf::from("nothing.xlsx")]);
    assert_eq!(errors(&d), vec!["nothing.xlsx: ファイルがありません"]);
}

#[test]
fn without_a_project_configuration_check_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = check_files(dir.path(), &[PathBuf::from("a.xlsx")]);
    let e = errors(&d);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("プロジェクト設定 sources/hakusho.yaml が見つかりません"),
        "{}",
        e[0]
    );
    let (p, d) = load_project(dir.path());
    assert!(p.is_none());
    assert!(errors(&d)[0].contains("sources フォルダがありません"));
}

#[test]
fn inputs_list_every_file_with_its_parts() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    let (project, diags) = load_project(root);
    assert!(errors(&diags).is_empty(), "{:#?}", rendered(&diags));
    let project = project.unwrap();
    let inputs: Vec<(String, Vec<String>)> = project
        .inputs()
        .iter()
        .map(|i| (i.path.display().to_string(), i.parts.clone()))
        .collect();
    assert_eq!(
        inputs,
        vec![
            ("sources/hakusho.yaml".into(), vec!["config".into()]),
            ("sources/plan.yaml".into(), vec!["plan".into()]),
            (
                "sources/departments/kikaku.yaml".into(),
                vec!["department:kikaku".into()]
            ),
            (
                "sources/departments/seikatsu.yaml".into(),
                vec!["department:seikatsu".into()]
            ),
            (
                "sources/workbooks/kikaku.xlsx".into(),
                vec!["table:indicators:1-1".into()]
            ),
            (
                "sources/workbooks/seikatsu.xlsx".into(),
                vec!["table:indicators:2-4-1".into()]
            ),
        ]
    );
    let k = project.department("kikaku").unwrap();
    assert_eq!(k.policies["1-1"].items("notes"), ["(注) 見本の注です。"]);
    assert_eq!(
        k.workbook.as_deref(),
        Some(std::path::Path::new("sources/workbooks/kikaku.xlsx"))
    );
}
