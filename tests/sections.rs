//! Issue 11: a policy's narrative sections are declared in hakusho.yaml (`sections: policy:`)
//! with a kind; templates reach them by name; what is written is checked against the
//! declaration at its own line.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn edit(project: &Path, rel: &str, from: &str, to: &str) {
    let path = project.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {rel}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// 1-based line and column of the first `needle` in the project file `rel`.
fn position(project: &Path, rel: &str, needle: &str) -> (usize, usize) {
    let text = fs::read_to_string(project.join(rel)).unwrap();
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    (line, text[start..at].chars().count() + 1)
}

/// `hakusho check` exits 1 and reports `message` at the first `needle` of the file `rel`.
fn assert_refused_at(project: &Path, rel: &str, needle: &str, message: &str) {
    let out = hakusho(project, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let (l, c) = position(project, rel, needle);
    let prefix = format!("{rel}:{l}:{c}: ");
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|line| line.starts_with(&prefix) && line.contains(message)),
        "expected {prefix}…{message} in:\n{err}"
    );
}

const DECLARED: &str =
    "    - { name: progress, kind: paragraphs, label: 施策の達成に向けた取り組み状況 }     # (2)\n";

/// A city whose policies also have 現状と課題 (paragraphs), 取組内容 (a list) and a table of
/// projects read from a workbook sheet: declared, written, printed by name.
#[test]
fn declared_sections_reach_the_page_by_name() {
    let dir = project_copy();
    let p = dir.path();
    edit(
        p,
        "sources/hakusho.yaml",
        DECLARED,
        &format!(
            "{DECLARED}    - {{ name: issues, kind: paragraphs, label: 現状と課題 }}\n    - {{ name: actions, kind: list, label: 取組内容 }}\n    - {{ name: rows_again, kind: table, table: indicators }}\n"
        ),
    );
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "  \"1-1\":  # 第1 国際化の推進\n    notes: []\n",
        "  \"1-1\":  # 第1 国際化の推進\n    notes: []\n    issues: 外国籍市民の増加に応じた窓口の多言語化が課題である。\n    actions:\n      - 多言語翻訳機の配置\n      - 1.50\n",
    );
    edit(
        p,
        "templates/macros.html",
        "{{ text.progress|narrative }}\n",
        "{{ text.progress|narrative }}\n{{ subhead(\"現状と課題\") }}\n{{ text.issues|narrative }}\n{% for a in text.actions %}<p>・{{ a }}</p>\n{% endfor %}{% for r in text.rows_again %}<p>再掲：{{ r.name|cell }}</p>\n{% endfor %}",
    );
    let out = hakusho(p, &["build", "booklet-kikaku"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = fs::read(p.join("build/booklet-kikaku.pdf")).unwrap();
    let text = hakusho_pdfcheck::inspect(&pdf)
        .unwrap()
        .text_without_whitespace();
    assert!(text.contains("外国籍市民の増加に応じた窓口の多言語化が課題である。"));
    assert!(text.contains("・多言語翻訳機の配置"));
    // a number typed in a list keeps the text typed
    assert!(text.contains("・1.50"), "1.50 must not become 1.5");
    // the table section: the policy's rows of the indicators table, by name
    let (project, _) = hakusho_sources::load_project(p);
    let project = project.unwrap();
    let rows: Vec<&str> = project
        .tables
        .iter()
        .find(|t| t.config.id == "indicators")
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.group == "1-1")
        .map(|r| r.name.as_str())
        .collect();
    assert!(!rows.is_empty());
    for name in rows {
        assert!(text.contains(&squash(&format!("再掲：{name}"))), "{name}");
    }
}

#[test]
fn what_is_written_is_checked_against_the_declaration_at_its_line() {
    let dir = project_copy();
    let p = dir.path();
    edit(
        p,
        "sources/hakusho.yaml",
        DECLARED,
        &format!("{DECLARED}    - {{ name: rows_again, kind: table, table: indicatrs }}\n"),
    );
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "    notes: []\n    progress: |\n",
        "    notes: { a: 1 }\n    rows_again: []\n    progres: x\n    progress: |\n",
    );
    let expect = [
        ("sources/hakusho.yaml", "table: indicatrs", "表 indicatrs は tables: にありません"),
        ("sources/departments/kikaku.yaml", "{ a: 1 }", "には項目の一覧（文字列のリスト）を書いてください"),
        ("sources/departments/kikaku.yaml", "rows_again: []", "ワークブックから読みます。YAML には書けません"),
        ("sources/departments/kikaku.yaml", "progres: x", "節「progres」は宣言されていません（宣言されている節: notes、progress、rows_again。もしかして progress ではありませんか）"),
    ];
    for (rel, needle, message) in expect {
        assert_refused_at(p, rel, needle, message);
    }
}

/// A department's own sections are declared the same way (`sections: department:`) and written
/// under `sections:` of its YAML; a department that writes none still has them (empty).
#[test]
fn department_sections_are_declared_written_and_checked() {
    let dir = project_copy();
    let p = dir.path();
    edit(
        p,
        "sources/hakusho.yaml",
        DECLARED,
        &format!(
            "{DECLARED}  department:\n    - {{ name: vision, kind: paragraphs, label: 部の将来像 }}\n    - {{ name: my_rows, kind: table, table: indicators }}\n"
        ),
    );
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "mission: \"\"\n",
        "mission: \"\"\nsections:\n  vision: 市民とともに考える企画部をめざす。\n",
    );
    edit(
        p,
        "templates/booklet.html",
        "{{ booklet.intro|narrative(\"lead\") }}\n",
        "{{ booklet.intro|narrative(\"lead\") }}\n{{ dept.sections.vision|narrative }}\n<p>行数：{{ dept.sections.my_rows|length }}</p>\n",
    );
    let out = hakusho(p, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (project, _) = hakusho_sources::load_project(p);
    let project = project.unwrap();
    let kikaku_rows = project
        .tables
        .iter()
        .find(|t| t.config.id == "indicators")
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.department.as_deref() == Some("kikaku"))
        .count();
    let pdf = fs::read(p.join("build/booklet-kikaku.pdf")).unwrap();
    let text = hakusho_pdfcheck::inspect(&pdf)
        .unwrap()
        .text_without_whitespace();
    assert!(text.contains("市民とともに考える企画部をめざす。"));
    assert!(
        text.contains(&format!("行数：{kikaku_rows}")),
        "{kikaku_rows}"
    );

    // a typo is an error at its line, naming the declared sections
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "  vision:",
        "  visoin:",
    );
    assert_refused_at(
        p,
        "sources/departments/kikaku.yaml",
        "visoin:",
        "部の節「visoin」は宣言されていません（宣言されている節: vision、my_rows。もしかして vision ではありませんか）",
    );
}

/// Extra plan fields are declared the same way: `sections: part:` and `sections: plan_policy:`
/// are written in plan.yaml under a part's or a policy's `sections:`.
#[test]
fn plan_fields_are_declared_the_same_way() {
    let dir = project_copy();
    let p = dir.path();
    edit(
        p,
        "sources/hakusho.yaml",
        DECLARED,
        &format!(
            "{DECLARED}  part:\n    - {{ name: lead, kind: paragraphs }}\n  plan_policy:\n    - {{ name: goal, kind: paragraphs, label: 施策目標 }}\n"
        ),
    );
    let plan = fs::read_to_string(p.join("sources/plan.yaml")).unwrap();
    // the first policy of the first part
    let code_line = plan
        .lines()
        .find(|l| l.trim_start().starts_with("- code:"))
        .unwrap()
        .to_string();
    let indent = code_line.len() - code_line.trim_start().len() + 2;
    let pad = " ".repeat(indent);
    edit(
        p,
        "sources/plan.yaml",
        &format!("{code_line}\n"),
        &format!("{code_line}\n{pad}sections:\n{pad}  goal: 世界に開かれたまちをめざす。\n"),
    );
    edit(
        p,
        "templates/macros.html",
        "<p class=\"division noindent\">［主な担当課］{{ department_name }}{{ policy.division }}</p>\n",
        "<p class=\"division noindent\">［主な担当課］{{ department_name }}{{ policy.division }}</p>\n{{ policy.sections.goal|narrative }}\n",
    );
    let out = hakusho(p, &["build", "booklet-kikaku"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = fs::read(p.join("build/booklet-kikaku.pdf")).unwrap();
    let text = hakusho_pdfcheck::inspect(&pdf)
        .unwrap()
        .text_without_whitespace();
    assert!(text.contains("世界に開かれたまちをめざす。"));

    // an undeclared plan field is an error at its line
    edit(p, "sources/plan.yaml", "  goal: 世界", "  gaol: 世界");
    assert_refused_at(
        p,
        "sources/plan.yaml",
        "gaol:",
        "節「gaol」は宣言されていません（宣言されている節: goal。もしかして goal ではありませんか）",
    );
}
