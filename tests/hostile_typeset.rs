//! Hostile input for typesetting (issue 17, slice A): runs of characters that may neither start
//! nor end a line, longer than a line, in a paragraph and in a table cell; damaged fonts.

mod common;

use std::fs;
use std::path::Path;

use common::{hakusho, project_copy};

/// Every PDF of build/, read back.
fn pdfs(project: &Path) -> Vec<(String, hakusho_pdfcheck::PdfReport)> {
    let mut out = Vec::new();
    for e in fs::read_dir(project.join("build")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pdf") {
            let bytes = fs::read(&p).unwrap();
            let r = hakusho_pdfcheck::inspect(&bytes).unwrap();
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), r));
        }
    }
    out
}

/// Count of `c` in `s`.
fn count(s: &str, c: char) -> usize {
    s.chars().filter(|&x| x == c).count()
}

/// Issue 17, point 2: `mission: "ー"×60` and `（`×3000 used to be cut to one line (60 became
/// 50, 30,000 became 50 in the PDF's text) running past the page edge; 30 × ー in a table cell
/// overprinted the next cell. Now every character is in the PDF and every glyph on its page.
#[test]
fn prohibited_runs_longer_than_a_line_are_set_whole_and_inside_the_page() {
    let dir = project_copy();
    let yaml = dir.path().join("sources/departments/kikaku.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    let mission = format!("{}三鷹{}", "ー".repeat(60), "（".repeat(3000));
    let text = text
        .replacen("mission: \"\"", &format!("mission: \"{mission}\""), 1)
        .replacen("staff: \"\"", &format!("staff: \"{}\"", "ー".repeat(30)), 1);
    assert!(
        text.contains("三鷹（（（"),
        "the sample's kikaku.yaml changed shape"
    );
    fs::write(&yaml, text).unwrap();
    let out = hakusho(dir.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = false;
    for (name, report) in pdfs(dir.path()) {
        let all = report.text_without_whitespace();
        if !all.contains("三鷹（") {
            continue;
        }
        found = true;
        // The booklet prints the mission once and the staff cell once.
        assert!(
            count(&all, '（') >= 3000,
            "{name}: {} （",
            count(&all, '（')
        );
        assert!(count(&all, 'ー') >= 90, "{name}: {} ー", count(&all, 'ー'));
        for (p, runs) in report.runs.iter().enumerate() {
            let [x0, y0, x1, y1] = report.media_boxes[p];
            for r in runs {
                assert!(
                    r.x >= x0 - 0.1 && r.end <= x1 + 0.1 && r.y >= y0 && r.y <= y1,
                    "{name} page {}: {:?} at x {}..{} y {} outside {:?}",
                    p + 1,
                    r.text.chars().take(20).collect::<String>(),
                    r.x,
                    r.end,
                    r.y,
                    report.media_boxes[p]
                );
            }
        }
    }
    assert!(found, "no PDF has the mission text");
}

fn break_font(project: &Path, bytes: usize) -> String {
    let f = project.join("fonts/BIZUDMincho-Regular.ttf");
    let data = fs::read(&f).unwrap();
    fs::write(&f, &data[..bytes.min(data.len() - 1)]).unwrap();
    let out = hakusho(project, &["build"]);
    assert!(!out.status.success(), "a damaged font must stop the build");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Issue 17, point 3: a font cut at 100 kB built with exit 0 and set the body in Gothic; cut at
/// 3 MB it failed naming no file. Both are now refused at load, naming the file as style.yaml
/// gives it (relative to the project), saying what to do, in Japanese without library text.
#[test]
fn damaged_fonts_stop_the_build_naming_the_file() {
    for cut in [100_000, 3_000_000] {
        let dir = project_copy();
        let err = break_font(dir.path(), cut);
        assert!(
            err.contains("fonts/BIZUDMincho-Regular.ttf")
                && err.contains("置き換えて")
                && err.contains("途中で切れて"),
            "{cut}: {err}"
        );
        assert!(
            !err.contains("UnknownKind") && !err.contains("subsetting failed"),
            "{cut}: {err}"
        );
    }
}
