//! `hakusho diff`: the indicator values and paragraphs changed since the last build (with their
//! cell / line, per document), the build summary's count, and `hakusho diff --last`.

mod common;

use std::fs;

use common::{
    hakusho, hakusho_into_closed_pipe, project_copy, replace_in, run_ok, set_kikaku_indicator,
};

#[test]
fn diff_shows_edited_values_and_paragraphs_per_document() {
    let dir = project_copy();
    let p = dir.path();

    // No build yet: nothing to compare with.
    let out = hakusho(p, &["diff"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hakusho build"));

    run_ok(p, &["build"]);
    let stdout = run_ok(p, &["diff"]);
    assert!(stdout.contains("変更はありません"), "{stdout}");

    // 企画部: one paragraph of policy 1-1's progress, and one indicator value (目標指標!F4).
    let yaml = p.join("sources/departments/kikaku.yaml");
    let line = replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計8台配置した。",
    );
    set_kikaku_indicator(p, "F4", "293478", "293500");

    // 企画部's main projects: in its booklet only.
    let text = fs::read_to_string(&yaml).unwrap();
    fs::write(
        &yaml,
        text.replacen("三鷹のブランド力の向上", "三鷹のブランド力の一層の向上", 1),
    )
    .unwrap();

    let stdout = run_ok(p, &["diff"]);
    let section = |doc: &str| -> String {
        stdout
            .split("\n\n")
            .find(|s| s.starts_with(&format!("{doc}\n")))
            .unwrap_or_else(|| panic!("no section {doc} in:\n{stdout}"))
            .to_string()
    };
    assert!(section("build/booklet-kikaku.pdf").contains("段落を変更（main_projects[2].text）"));
    assert!(
        !section("build/hakusho-2021.pdf").contains("main_projects"),
        "{stdout}"
    );
    assert!(stdout.contains("    ≫ …"), "{stdout}");
    assert!(stdout.contains("〔7→8〕台配置した。"), "{stdout}");
    let para =
        format!("sources/departments/kikaku.yaml:{line}: 段落を変更（policies.1-1.progress）");
    assert!(stdout.contains(&para), "no '{para}' in:\n{stdout}");
    assert!(
        stdout.contains("    - 市役所の各窓口での外国人対応をサポートするため"),
        "{stdout}"
    );
    assert!(stdout.contains("計7台配置した。\n"), "{stdout}");
    assert!(stdout.contains("計8台配置した。\n"), "{stdout}");
    let value = stdout
        .lines()
        .find(|l| l.contains("sources/workbooks/kikaku.xlsx:目標指標!F4 "))
        .unwrap_or_else(|| panic!("no value line in:\n{stdout}"));
    assert!(
        value.contains("293,478") && value.contains("→ 293,500"),
        "{value}"
    );
    // Per document: the white paper and 企画部's booklet show both; 総務部's booklet neither.
    for doc in ["build/hakusho-2021.pdf", "build/booklet-kikaku.pdf"] {
        assert!(
            stdout.contains(&format!("{doc}\n")),
            "{doc} missing:\n{stdout}"
        );
    }
    assert!(!stdout.contains("build/booklet-somu.pdf"), "{stdout}");
    assert!(stdout.contains("指標の値 1 件、段落 2 件"), "{stdout}");

    // The build says so briefly; afterwards `diff` is empty and `diff --last` has the details.
    let stdout = run_ok(p, &["build"]);
    assert!(
        stdout.contains("前回のビルドからの変更: 指標の値 1 件、段落 2 件"),
        "{stdout}"
    );
    let stdout = run_ok(p, &["diff"]);
    assert!(stdout.contains("変更はありません"), "{stdout}");
    let stdout = run_ok(p, &["diff", "--last"]);
    assert!(stdout.contains(&para), "{stdout}");
    assert!(stdout.contains("→ 293,500"), "{stdout}");

    let stdout = run_ok(p, &["--lang", "en", "diff", "--last"]);
    assert!(
        stdout.contains("paragraph changed (policies.1-1.progress)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 indicator value, 2 paragraphs"),
        "{stdout}"
    );
}

/// Issue 11 item 12: `hakusho diff --last | head -1` panicked ("failed printing to stdout:
/// Broken pipe") with a backtrace; a closed pipe now ends the command quietly with status 0.
#[test]
fn a_closed_pipe_ends_diff_quietly() {
    let dir = project_copy();
    let p = dir.path();
    run_ok(p, &["build"]);
    for args in [&["diff", "--last"][..], &["diff"][..]] {
        let out = hakusho_into_closed_pipe(p, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}
