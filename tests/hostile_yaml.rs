//! Issue 17, slice B: hostile YAML through the binary (`hakusho check` on a scratch copy of the
//! sample). Duplicate keys at every depth, a BOM, tabs, ids that climb out of the project, huge
//! values, and every reported position compared with where the text really is (computed from
//! the file's text here, never hard-coded).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// Runs `hakusho check` (Japanese unless `lang` says otherwise); (exit code, stderr lines).
fn check(project: &Path, lang: &str) -> (i32, Vec<String>) {
    run(project, &["--lang", lang, "check"])
}

/// Runs `hakusho` with `args`; (exit code, stderr lines).
fn run(project: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let out = hakusho(project, args);
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    (
        out.status.code().unwrap_or(-1),
        text.lines().map(str::to_string).collect(),
    )
}

fn read(project: &Path, rel: &str) -> String {
    fs::read_to_string(project.join(rel)).unwrap()
}

fn write(project: &Path, rel: &str, text: &str) {
    fs::write(project.join(rel), text).unwrap();
}

/// `text` with the first occurrence of `from` replaced (which must exist).
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the file");
    text.replacen(from, to, 1)
}

/// 1-based line and column (in characters) of the `nth` (1-based) occurrence of `needle`.
fn pos(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let mut from = 0;
    let mut at = None;
    for _ in 0..nth {
        let p = from + text[from..].find(needle).expect("needle in text");
        at = Some(p);
        from = p + needle.len();
    }
    let at = at.unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = text[line_start..at].chars().count() + 1;
    (line, column)
}

/// The reported line at `file:line:column:` containing `needle`, or a panic listing all lines.
fn reported_at(lines: &[String], file: &str, (line, column): (usize, usize), needle: &str) {
    let prefix = format!("{file}:{line}:{column}: ");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&prefix) && l.contains(needle)),
        "expected a message at {prefix} containing {needle:?}; got:\n{}",
        lines.join("\n")
    );
}

/// English words that must never appear inside a Japanese message.
const ENGLISH: &[&str] = &[
    "found",
    "character",
    "cannot",
    "token",
    "expected",
    "invalid",
    "string",
    "sequence",
    "struct",
    "map",
    "while",
    "scanning",
    "parsing",
    "document",
    "integer",
    "boolean",
    "unit",
];

fn assert_no_english(lines: &[String]) {
    for l in lines {
        // the location and quoted values aside, the sentence is Japanese
        let msg = l.splitn(4, ": ").last().unwrap_or(l);
        let without_quotes: String = {
            let mut out = String::new();
            let mut depth = 0;
            for c in msg.chars() {
                match c {
                    '「' => depth += 1,
                    '」' => depth -= 1,
                    _ if depth == 0 => out.push(c),
                    _ => {}
                }
            }
            out
        };
        let lower = without_quotes.to_lowercase();
        for w in ENGLISH {
            let found = lower
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|word| word == *w);
            assert!(!found, "English {w:?} in a Japanese message: {l}");
        }
    }
}

// ───── point 1: duplicate keys ─────

/// Issue 17, point 1: two `"1-1":` under `policies:` lost the first entry's text silently.
#[test]
fn a_duplicate_policy_key_in_a_department_yaml_is_refused_at_the_duplicate() {
    let p = project_copy();
    let f = "sources/departments/kikaku.yaml";
    let text = replace_once(
        &read(p.path(), f),
        "  \"1-2\":",
        "  \"1-1\":\n    progress: 二度目の文章\n  \"1-2\":",
    );
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    let first = pos(&text, "\"1-1\":", 1);
    reported_at(&lines, f, pos(&text, "\"1-1\":", 2), "1-1");
    let dup = lines.iter().find(|l| l.contains("1-1")).unwrap();
    assert!(
        dup.contains(&format!("{}行", first.0)),
        "names the first's line: {dup}"
    );
    assert_no_english(&lines);
}

/// Issue 17, point 1: a duplicate top-level key was reported at 1:1; duplicates deeper (a
/// flow mapping in hakusho.yaml, a policy's field in plan.yaml, white_paper.yaml's headings)
/// were not reported at all or at the wrong place.
#[test]
fn duplicate_keys_are_refused_at_every_depth_at_their_own_position() {
    let p = project_copy();
    let dept = "sources/departments/kikaku.yaml";
    let dept_text = replace_once(
        &read(p.path(), dept),
        "resources:\n",
        "mission: 二度目\nresources:\n",
    );
    write(p.path(), dept, &dept_text);

    let plan = "sources/plan.yaml";
    let plan_text = replace_once(
        &read(p.path(), plan),
        "        title: 平和・人権施策の推進\n",
        "        title: 平和・人権施策の推進\n        title: 別の題\n",
    );
    write(p.path(), plan, &plan_text);

    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(&lines, dept, pos(&dept_text, "mission:", 2), "mission");
    reported_at(&lines, plan, pos(&plan_text, "title: 別の題", 1), "title");
    assert_no_english(&lines);

    // the configuration (read first, alone: nothing else is checked without it)
    let cfg = "sources/hakusho.yaml";
    let cfg_text = replace_once(
        &read(p.path(), cfg),
        "{ key: baseline, heading: 計画策定時,",
        "{ key: baseline, heading: 計画策定時, key: base2,",
    );
    write(p.path(), cfg, &cfg_text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(&lines, cfg, pos(&cfg_text, "key: base2", 1), "key");
    assert_no_english(&lines);
}

#[test]
fn duplicate_heading_keys_in_white_paper_yaml_are_refused() {
    // issue 17, point 1 (a BTreeMap of white_paper.yaml kept only the last)
    let p = project_copy();
    let f = "sources/white_paper.yaml";
    let text = read(p.path(), f);
    let start = text.find("headings:").expect("headings");
    let start = start + text[start..].find('\n').unwrap() + 1;
    let first_entry_line = text[start..].lines().next().unwrap().to_string();
    let text = format!("{}{first_entry_line}\n{}", &text[..start], &text[start..]);
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    let key = first_entry_line.trim_start();
    let key = &key[..key.find(':').unwrap() + 1];
    let before = text[..start].matches(key).count();
    reported_at(
        &lines,
        f,
        pos(&text, key, before + 2),
        key.trim_end_matches(':'),
    );
}

// ───── point 6: BOM ─────

/// Issue 17, point 6: a UTF-8 BOM before the first key (Windows Notepad) was refused with an
/// English message and no line.
#[test]
fn a_bom_before_the_first_key_is_accepted_and_positions_stay_right() {
    let p = project_copy();
    for f in [
        "sources/hakusho.yaml",
        "sources/plan.yaml",
        "sources/departments/kikaku.yaml",
        "sources/booklet.yaml",
    ] {
        let text = read(p.path(), f);
        write(p.path(), f, &format!("\u{feff}{text}"));
    }
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 0, "{lines:#?}");
    // a mistake on the first line is still at column 1
    let f = "sources/departments/kikaku.yaml";
    let text = read(p.path(), f);
    assert!(text.starts_with("\u{feff}name:"));
    write(p.path(), f, &text.replacen("name:", "nmae:", 1));
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1);
    reported_at(&lines, f, (1, 1), "nmae");
}

// ───── point 11: positions, one test per file kind ─────

/// Issue 17, point 11: after the same wrong department is written in several policies, each
/// error named the first one's line.
#[test]
fn plan_yaml_positions_are_where_the_text_is() {
    let p = project_copy();
    let f = "sources/plan.yaml";
    let text = read(p.path(), f);
    // every policy of kikaku now names an undeclared department
    let n = text.matches("department: kikaku\n").count();
    assert!(n >= 3, "sample has kikaku policies");
    let text = text.replace("department: kikaku\n", "department: kikakuu\n");
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1);
    for i in 1..=n {
        reported_at(&lines, f, pos(&text, "department: kikakuu", i), "kikakuu");
    }
    // the policies themselves: every workbook-coverage message sits at its policy's code
    let p = project_copy();
    fs::remove_file(p.path().join("sources/workbooks/kikaku.xlsx")).unwrap();
    let text = read(p.path(), f);
    let (_, lines) = check(p.path(), "ja");
    for code in ["1-1", "1-2", "1-3"] {
        reported_at(
            &lines,
            f,
            pos(&text, &format!("code: \"{code}\""), 1),
            &format!("施策 {code}"),
        );
    }
    assert_no_english(&lines);
}

#[test]
fn hakusho_yaml_positions_are_where_the_text_is() {
    // issue 17, point 11
    let p = project_copy();
    let f = "sources/hakusho.yaml";
    let text = replace_once(
        &read(p.path(), f),
        "  - id: kyoiku\n    name: 教育部\n",
        "  - id: kyoiku\n    name: 教育部\n  - id: somu\n    name: 総務部その二\n",
    );
    let text = replace_once(
        &text,
        "- { key: mid,    heading: 実績値(平成30年度)",
        "- { key: early,    heading: 実績値(平成30年度)",
    );
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(&lines, f, pos(&text, "id: somu", 2), "somu");
    reported_at(
        &lines,
        f,
        pos(&text, "key: early,    heading: 実績値(平成30年度)", 1),
        "early",
    );
    assert_no_english(&lines);
}

#[test]
fn department_yaml_positions_are_where_the_text_is() {
    // issue 17, point 11
    let p = project_copy();
    let f = "sources/departments/kikaku.yaml";
    let text = read(p.path(), f);
    // a key text that also appears earlier inside a value must not be taken for the key
    let text = replace_once(
        &text,
        "policies:\n",
        "policies:\n  \"9-9\":\n    progress: x\n  '9-8':\n    progress: |\n      \"9-7\": 本文\n  \"9-7\":\n    notes: []\n",
    );
    let text = text.replacen("name: 企画部", "name: 企画部ちがう", 1);
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1);
    reported_at(&lines, f, pos(&text, "\"9-9\":", 1), "9-9");
    reported_at(&lines, f, pos(&text, "'9-8':", 1), "9-8");
    reported_at(&lines, f, pos(&text, "\"9-7\":", 2), "9-7");
    reported_at(&lines, f, pos(&text, "name:", 1), "企画部");
    assert_no_english(&lines);
}

#[test]
fn action_plan_yaml_positions_are_where_the_text_is() {
    // issue 17, point 11: a repeated id was reported at its first occurrence
    let p = project_copy();
    let f = "sources/action_plan.yaml";
    let text = read(p.path(), f);
    let text = replace_once(
        &text,
        "systems: [\"1\", \"2\"]",
        "systems: [\"1\", \"2\", \"99\"]",
    );
    let text = replace_once(
        &text,
        "- id: 1-(2)\n",
        "- id: 1-(2)\n        title: 二つめ\n      - id: 1-(2)\n",
    );
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(&lines, f, pos(&text, "id: 1-(2)", 2), "1-(2)");
    reported_at(&lines, f, pos(&text, "\"99\"", 1), "99");
    assert_no_english(&lines);
}

#[test]
fn plan_summaries_yaml_positions_are_where_the_text_is() {
    // issue 17, point 11
    let p = project_copy();
    let f = "sources/plan_summaries.yaml";
    let text = read(p.path(), f).replace("department: kikaku", "department: nosuch");
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    for i in 1..=3 {
        reported_at(&lines, f, pos(&text, "department: nosuch", i), "nosuch");
    }
}

#[test]
fn booklet_and_white_paper_yaml_type_errors_are_where_the_value_is() {
    // issue 17, point 11 (and point 11's English: "a string" in a Japanese message)
    let p = project_copy();
    let f = "sources/booklet.yaml";
    let text = read(p.path(), f);
    let line = text.lines().find(|l| l.starts_with("headline:")).unwrap();
    let text = replace_once(&text, line, "headline: [一, 二]");
    write(p.path(), f, &text);
    let w = "sources/white_paper.yaml";
    let wtext = read(p.path(), w);
    let line = wtext.lines().find(|l| l.starts_with("subtitle:")).unwrap();
    let wtext = replace_once(&wtext, line, "subtitle: { a: 1 }");
    write(p.path(), w, &wtext);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(&lines, f, pos(&text, "[一, 二]", 1), "リスト");
    reported_at(&lines, w, pos(&wtext, "{ a: 1 }", 1), "");
    assert_no_english(&lines);
}

// ───── tabs and other syntax errors in Japanese ─────

/// Issue 17, point 11: a tab gave `found character that cannot start any token`.
#[test]
fn a_tab_in_indentation_is_named_in_japanese_at_its_position() {
    let p = project_copy();
    let f = "sources/departments/kikaku.yaml";
    let text = replace_once(&read(p.path(), f), "  staff:", "\tstaff:");
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1);
    let (line, _) = pos(&text, "\tstaff:", 1);
    let msg = lines
        .iter()
        .find(|l| l.starts_with(&format!("{f}:{line}:")))
        .unwrap_or_else(|| panic!("at line {line}: {lines:#?}"));
    assert!(msg.contains("タブ"), "{msg}");
    assert!(msg.contains("空白"), "{msg}");
    assert_no_english(&lines);
    // the English message keeps the library's text
    let (_, en) = check(p.path(), "en");
    assert!(en.iter().any(|l| l.contains("tab")), "{en:#?}");
}

#[test]
fn common_syntax_errors_are_japanese_sentences() {
    // issue 17, point 11 (English inside Japanese sentences)
    for broken in [
        "mission: \"閉じない\nresources: {}\n",
        "mission: [a, b\n",
        "mission: x\n  staff: y\n",
        "- a\nb: c\n",
        "mission: *nothing\n",
        "mission: 1\n---\nmission: 2\n",
    ] {
        let p = project_copy();
        write(p.path(), "sources/departments/kikaku.yaml", broken);
        let (code, lines) = check(p.path(), "ja");
        assert_eq!(code, 1, "{broken:?}");
        assert_no_english(&lines);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("sources/departments/kikaku.yaml:")),
            "{broken:?}: {lines:#?}"
        );
    }
}

// ───── point 10: ids that leave the project, huge values ─────

/// A project at `<tmp>/a/b/proj`, with `<tmp>/x.yaml` and `<tmp>/secret.yaml` outside it.
fn nested_project() -> (tempfile::TempDir, PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    let proj = outer.path().join("a").join("b").join("proj");
    for sub in ["sources", "templates", "fonts"] {
        copy_dir(&repo().join(sub), &proj.join(sub));
    }
    for name in ["x.yaml", "secret.yaml"] {
        fs::write(
            outer.path().join(name),
            "outside_secret_key: 外の秘密\nname: 外\n",
        )
        .unwrap();
    }
    (outer, proj)
}

/// Issue 17, point 10: `../../../../../x` was refused at its line, but `x.yaml` outside the
/// project was parsed first (its keys appeared in a message); an absolute id read that path.
#[test]
fn department_ids_leaving_the_project_are_refused_before_any_file_is_read() {
    let (outer, proj) = nested_project();
    let f = "sources/hakusho.yaml";
    let abs = outer.path().join("secret");
    let text = replace_once(
        &read(&proj, f),
        "  - id: somu\n",
        "  - id: ../../../../../x\n",
    );
    let text = replace_once(
        &text,
        "  - id: shimin\n",
        &format!("  - id: {}\n", abs.display()),
    );
    write(&proj, f, &text);
    for lang in ["ja", "en"] {
        let (code, lines) = check(&proj, lang);
        assert_eq!(code, 1);
        let all = lines.join("\n");
        assert!(!all.contains("outside_secret_key"), "read outside: {all}");
        assert!(!all.contains("外の秘密"), "read outside: {all}");
        reported_at(
            &lines,
            f,
            pos(&text, "id: ../../../../../x", 1),
            "../../../../../x",
        );
    }
    // and the build refuses too, without reading
    let out = hakusho(&proj, &["build"]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("outside_secret_key"));
}

#[test]
fn unsafe_document_names_are_refused_at_their_line() {
    // issue 17, point 10: ids and names that derive files are validated where they are written
    let p = project_copy();
    let f = "sources/hakusho.yaml";
    let text = replace_once(
        &read(p.path(), f),
        "  - name: plan-summaries\n",
        "  - name: ../../plan-summaries\n",
    );
    write(p.path(), f, &text);
    let (code, lines) = check(p.path(), "ja");
    assert_eq!(code, 1, "{lines:#?}");
    reported_at(
        &lines,
        f,
        pos(&text, "name: ../../plan-summaries", 1),
        "plan-summaries",
    );
}

/// Issue 17, point 10: a 2 MB one-line YAML was echoed as one 2 MB message line.
#[test]
fn huge_values_are_quoted_short_in_messages() {
    let p = project_copy();
    let f = "sources/departments/kikaku.yaml";
    for huge in [
        "あ".repeat(700_000),
        format!("{}: 1", "k".repeat(2_000_000)),
        format!("mission: [{}]", "x".repeat(2_000_000)),
        format!("name: 企画部\nmain_projects: {}", "y".repeat(2_000_000)),
    ] {
        write(p.path(), f, &huge);
        for lang in ["ja", "en"] {
            let (code, lines) = check(p.path(), lang);
            assert_eq!(code, 1);
            assert!(!lines.is_empty());
            for l in &lines {
                assert!(l.chars().count() < 600, "{} chars: {}…", l.len(), &l[..200]);
            }
        }
    }
}

// ───── the style sheet is YAML too ─────

/// templates/style.yaml is read like every YAML file of the project: a repeated key is refused
/// at the repeat (serde_yaml kept the later `size:` silently), and a syntax error is a Japanese
/// sentence at its position.
#[test]
fn style_sheet_duplicate_keys_and_syntax_errors_are_located_in_japanese() {
    let dir = project_copy();
    let p = dir.path();
    let original = read(p, "templates/style.yaml");
    let doubled = replace_once(&original, "  size: 10.5\n", "  size: 10.5\n  size: 12\n");
    write(p, "templates/style.yaml", &doubled);
    let (code, lines) = run(p, &["build"]);
    assert_eq!(code, 1);
    reported_at(
        &lines,
        "templates/style.yaml",
        pos(&doubled, "size: 12", 1),
        "キー「size」が同じまとまりの中に二度",
    );
    assert!(!p.join("build/hakusho-2021.pdf").exists());

    let broken = replace_once(&original, "screen: \"#1A1A1A\" }", "screen: \"#1A1A1A }");
    write(p, "templates/style.yaml", &broken);
    let (code, lines) = run(p, &["build"]);
    assert_eq!(code, 1);
    assert!(
        lines.iter().any(|l| l.starts_with("templates/style.yaml:")),
        "{lines:?}"
    );
    assert_no_english(&lines);
}

/// Issue 11, item 9: the fields one may write were listed as 「書ける項目: one of code、number、
/// group…」 — serde's English inside the Japanese sentence.
#[test]
fn the_fields_one_may_write_are_listed_in_japanese() {
    let dir = project_copy();
    let p = dir.path();
    let plan = read(p, "sources/plan.yaml");
    let typo = replace_once(&plan, "        number: 第1\n", "        nuber: 第1\n");
    write(p, "sources/plan.yaml", &typo);
    let (code, lines) = check(p, "ja");
    assert_eq!(code, 1);
    reported_at(
        &lines,
        "sources/plan.yaml",
        pos(&typo, "nuber", 1),
        "不明な項目 nuber があります（書き間違いではありませんか。書ける項目: code、number、",
    );
    assert!(!lines.iter().any(|l| l.contains("one of")), "{lines:?}");
    assert_no_english(&lines);
}
