//! Characters that no configured font has are reported where they were typed — the YAML
//! line:column or the workbook cell — by `check` and by `build`, never at generated markup
//! (issue 17 point 11, issue 11 "characters checked at the source").

mod common;

use std::fs;

use common::*;

const HOUSE: &str = "🏠"; // U+1F3E0: in neither BIZ UD font

/// 1-based (line, column in characters) of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[test]
fn a_character_no_font_has_is_named_where_it_was_typed() {
    let dir = project_copy();
    let p = dir.path();

    // in a YAML block scalar (a department's progress text), in a flow-quoted value, and in a
    // comment (not printed, so not reported)
    let rel = "sources/departments/kikaku.yaml";
    let text = fs::read_to_string(p.join(rel)).unwrap();
    let text = text
        .replacen(
            "貸出用を含め計7台配置した。",
            &format!("貸出用を含め計7台配置した{HOUSE}。"),
            1,
        )
        .replacen(
            "mission: \"\"",
            &format!("mission: \"家{HOUSE}\"  # {HOUSE} in a comment"),
            1,
        );
    fs::write(p.join(rel), &text).unwrap();
    let (progress_line, progress_col) = {
        let (l, c) = position(&text, &format!("7台配置した{HOUSE}"));
        (l, c + "7台配置した".chars().count())
    };
    let (mission_line, mission_col) = {
        let (l, c) = position(&text, &format!("家{HOUSE}"));
        (l, c + 1)
    };

    // in a workbook cell: 企画部's first indicator name (目標指標!C4)
    edit_xlsx(
        &p.join("sources/workbooks/kikaku.xlsx"),
        "xl/sharedStrings.xml",
        |xml| {
            xml.replacen(
                "<t>英語版ホームページのアクセス件数</t>",
                &format!("<t>英語版ホームページ{HOUSE}のアクセス件数</t>"),
                1,
            )
        },
    );

    let yaml_at = |l: usize, c: usize| format!("{rel}:{l}:{c}: 文字 U+1F3E0「{HOUSE}」");
    let cell_at = format!("sources/workbooks/kikaku.xlsx:目標指標!C4: 文字 U+1F3E0「{HOUSE}」");
    for command in ["check", "build"] {
        let out = hakusho(p, &[command]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        for expected in [
            yaml_at(progress_line, progress_col),
            yaml_at(mission_line, mission_col),
            cell_at.clone(),
        ] {
            assert!(
                stderr.lines().any(|l| l.starts_with(&expected)),
                "{command}: no line starting {expected:?} in\n{stderr}"
            );
        }
        // three places, no more: the comment is not printed, and nothing points at markup
        assert_eq!(stderr.matches("U+1F3E0").count(), 3, "{command}: {stderr}");
        assert!(!stderr.contains("markup.html"), "{command}: {stderr}");
        assert!(stderr.contains("fallback:"), "says what to do: {stderr}");
    }
    assert!(!p.join("build/booklet-kikaku.pdf").exists());

    // a clerk checking the one workbook before sending it hears of it too (issue 17: `check
    // FILE` did not run the characters check)
    let out = hakusho(p, &["check", "sources/workbooks/kikaku.xlsx"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with(&cell_at)),
        "check FILE: no line starting {cell_at:?} in\n{stderr}"
    );
    assert_eq!(stderr.matches("U+1F3E0").count(), 1, "{stderr}");
}
