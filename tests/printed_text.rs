//! What a reader of the printed documents sees, read back from every PDF of the bundled sample
//! the way pdftotext reads it: no serialized structure, no line-start or line-end prohibition
//! broken, no gap between a numeral and ％; and a clerk's line break inside a cell survives.

mod common;

use std::fs;
use std::path::Path;

use common::{edit_xlsx, hakusho, project_copy, squash};

/// JLREQ 行頭禁則 (closing brackets, 、。 and their kin, small kana, ー, 々, postfixed
/// abbreviations). `・` is left out: it starts a line as a list marker.
const NO_LINE_START: &str = "」』）〕］｝〉》】〙〗〟’”)]}、。，．,.：；？！ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％‰℃";
/// JLREQ 行末禁則 (opening brackets).
const NO_LINE_END: &str = "「『（〔［｛〈《【〘〖〝‘“([{";

/// Every document of a build of `project`, as (file name, lines with pdftotext's spacing).
fn built_documents(project: &Path) -> Vec<(String, Vec<String>)> {
    let out = hakusho(project, &["build"]);
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut docs = Vec::new();
    for e in fs::read_dir(project.join("build")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "pdf") {
            let report = hakusho_pdfcheck::inspect(&fs::read(&path).unwrap()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            docs.push((name, report.spaced_pages.concat()));
        }
    }
    docs.sort();
    docs
}

/// A numeral, then white space, then a postfixed abbreviation (「90 ％」).
fn numeral_gap_abbreviation(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.windows(3).any(|w| {
        (w[0].is_ascii_digit() || ('０'..='９').contains(&w[0]))
            && w[1].is_whitespace()
            && "％%‰℃".contains(w[2])
    })
}

#[test]
fn every_sample_pdf_reads_as_clean_text() {
    let dir = project_copy();
    assert_clean_text(dir.path());
}

/// The second example city (examples/kawabe), read the same way.
#[test]
fn every_pdf_of_the_second_city_reads_as_clean_text() {
    let dir = common::kawabe_copy();
    assert_clean_text(dir.path());
}

fn assert_clean_text(project: &Path) {
    let docs = built_documents(project);
    assert!(docs.len() >= 3, "{docs:?}");
    let mut problems = Vec::new();
    for (name, lines) in &docs {
        for (k, line) in lines.iter().enumerate() {
            let at = format!("{name} line {}: {line}", k + 1);
            for raw in ["\"kind\":", "None", "{\""] {
                if line.contains(raw) {
                    problems.push(format!("raw structure {raw}: {at}"));
                }
            }
            let trimmed = line.trim();
            if let Some(first) = trimmed.chars().next() {
                if NO_LINE_START.contains(first) {
                    problems.push(format!("line starts with {first}: {at}"));
                }
            }
            if let Some(last) = trimmed.chars().next_back() {
                if NO_LINE_END.contains(last) {
                    problems.push(format!("line ends with {last}: {at}"));
                }
            }
            if numeral_gap_abbreviation(line) {
                problems.push(format!(
                    "space between a numeral and its abbreviation: {at}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A clerk's Alt+Enter inside a workbook cell is a line break on the page, not lost
/// (「再設定」「調整中」 stay on two lines, never 「再設定調整中」).
#[test]
fn a_line_break_typed_in_a_cell_is_kept() {
    let dir = project_copy();
    edit_xlsx(
        &dir.path().join("sources/workbooks/kikaku.xlsx"),
        "xl/sharedStrings.xml",
        |xml| xml.replace("<t>概ね5%を超えないこと</t>", "<t>再設定\n調整中</t>"),
    );
    let docs = built_documents(dir.path());
    for name in ["booklet-kikaku.pdf", "hakusho-2021.pdf"] {
        let lines: Vec<String> = docs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
            .iter()
            .map(|l| squash(l))
            .collect();
        assert!(
            !lines.iter().any(|l| l.contains("再設定調整中")),
            "{name}: the break was dropped"
        );
        let first = lines
            .iter()
            .position(|l| l.contains("再設定"))
            .unwrap_or_else(|| panic!("{name}: 再設定 not printed"));
        assert!(
            lines[first + 1..(first + 4).min(lines.len())]
                .iter()
                .any(|l| l.contains("調整中")),
            "{name}: 調整中 is not on a following line: {:?}",
            &lines[first..(first + 4).min(lines.len())]
        );
    }
}
