//! `hakusho check` as a clerk runs it: output lines, summary, exit status.

#[path = "../crates/hakusho-sources/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use rust_xlsxwriter::Formula;

fn check(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(root)
        .arg("check")
        .args(args)
        .current_dir(root)
        .output()
        .expect("run hakusho")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_clean_project_exits_0_with_a_summary() {
    let dir = project();
    clean_workbooks(dir.path());
    let out = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "問題は見つかりませんでした（ワークブック 2 件、目標指標 2 行）"
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn problems_exit_1_one_line_each() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(ws, &[("1-1", "件数", ["1", "", "3"])]);
        ws.write_formula(3, 4, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
    });
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        vec![
            "sources/workbooks/kikaku.xlsx:目標指標!E4: セル E4 がエラー値 #DIV/0! です。数値か文字列を入力してください",
            "エラー 1 件、警告 0 件",
        ]
    );
    assert_eq!(text(&out.stdout), "");
    // English
    let out = Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .args(["--lang", "en", "check"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(text(&out.stderr).contains("cell E4 holds the error value #DIV/0!"));
}

#[test]
fn a_single_file_is_checked_as_given() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&root.join("自分のファイル.xlsx"), |ws| {
        standard_sheet(
            ws,
            &[
                ("1-1", "件数", ["1", "2", "3"]),
                ("1-1", "人数", ["1", "2", "3"]),
            ],
        )
    });
    let out = check(root, &["自分のファイル.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "問題は見つかりませんでした（ワークブック 1 件、目標指標 2 行）"
    );
    std::fs::write(root.join("メモ.xlsx"), "not a workbook").unwrap();
    let out = check(root, &["メモ.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("メモ.xlsx: Excel のワークブックではありません"));
}

#[test]
fn without_a_project_configuration_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sources")).unwrap();
    let out = check(dir.path(), &["a.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("プロジェクト設定 sources/hakusho.yaml が見つかりません"));
    let out = check(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
}

/// Issue 11 item 13: a check that found only warnings said 「問題は見つかりませんでした」 on
/// stdout and 「エラー 0 件、警告 1 件」 on stderr. Now one summary counts the warnings.
#[test]
fn only_warnings_give_one_summary_that_counts_them() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    // a declared department without its YAML file is a warning, not an error
    std::fs::remove_file(root.join("sources/departments/seikatsu.yaml")).unwrap();
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(!stdout.contains("問題は見つかりませんでした"), "{stdout}");
    assert!(!stderr.contains("エラー 0 件"), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("エラーはありません。警告 1 件（ワークブック 2 件"),
        "{stdout}"
    );
    assert!(stderr.contains("seikatsu"), "{stderr}");
}

/// `hakusho check | head -1`: the reader is gone; the check ends quietly with status 0.
#[test]
fn a_closed_pipe_ends_check_quietly() {
    let dir = project();
    clean_workbooks(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(dir.path())
        .arg("check")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hakusho");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}
