//! Shared helpers of the build/render tests: a copy of the bundled project in a temp dir, and
//! running the `hakusho` binary on it.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the project's sources/, templates/ and fonts/ in a fresh temp dir.
pub fn project_copy() -> tempfile::TempDir {
    copy_of(&repo())
}

/// A scratch copy of the second example city (examples/kawabe).
pub fn kawabe_copy() -> tempfile::TempDir {
    copy_of(&repo().join("examples/kawabe"))
}

fn copy_of(project: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["sources", "templates", "fonts"] {
        copy_dir(&project.join(sub), &dir.path().join(sub));
    }
    dir
}

/// Runs hakusho and returns its standard output; fails the test, showing both outputs, when
/// the command fails.
pub fn run_ok(project: &Path, args: &[&str]) -> String {
    let out = hakusho(project, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

pub fn hakusho(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(project)
        .args(args)
        .output()
        .unwrap()
}

/// Runs hakusho with its stdout a pipe whose reading end is closed before the program writes
/// (what `hakusho diff | head -1` does once `head` has its line).
pub fn hakusho_into_closed_pipe(project: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(project)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// Removes every whitespace character (line breaks, spaces, ideographic spaces).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `needle` occurs in `hay`, exactly or (for text wrapped inside a table cell, whose
/// lines interleave with the neighbouring cells' lines in extraction) as an in-order
/// subsequence spanning at most a few times its own length.
pub fn contains_text(hay: &str, needle: &str) -> bool {
    if hay.contains(needle) {
        return true;
    }
    let h: Vec<char> = hay.chars().collect();
    let n: Vec<char> = needle.chars().collect();
    if n.is_empty() {
        return true;
    }
    let max_span = n.len() * 8 + 40;
    for start in 0..h.len() {
        if h[start] != n[0] {
            continue;
        }
        let mut k = 1;
        let mut i = start + 1;
        while k < n.len() && i < h.len() && i - start <= max_span {
            if h[i] == n[k] {
                k += 1;
            }
            i += 1;
        }
        if k == n.len() {
            return true;
        }
    }
    false
}

/// Rewrites one entry of a workbook (an .xlsx is a zip of XML parts) with `edit`.
pub fn edit_xlsx(path: &Path, entry: &str, edit: impl Fn(&str) -> String) {
    let bytes = fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == entry {
            let text = String::from_utf8(data).unwrap();
            let edited = edit(&text);
            assert_ne!(edited, text, "the edit changed nothing in {entry}");
            data = edited.into_bytes();
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// Replaces the first `from` in a text file of the project with `to`; returns the 1-based
/// line it was on (a correction a department sends: 「計7台」→「計8台」).
pub fn replace_in(project: &Path, rel: &str, from: &str, to: &str) -> usize {
    let path = project.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains(from))
        .unwrap_or_else(|| panic!("{from} is not in {rel}"))
        + 1;
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    line
}

/// Sets a numeric cell of 企画部's 目標指標 sheet (styled like its neighbours) from `old` to
/// `new`.
pub fn set_kikaku_indicator(project: &Path, cell: &str, old: &str, new: &str) {
    edit_xlsx(
        &project.join("sources/workbooks/kikaku.xlsx"),
        "xl/worksheets/sheet1.xml",
        |xml| {
            xml.replacen(
                &format!(r#"<c r="{cell}" s="4"><v>{old}</v>"#),
                &format!(r#"<c r="{cell}" s="4"><v>{new}</v>"#),
                1,
            )
        },
    );
}

/// The digits a line ends with (a table-of-contents entry's page number), or "".
pub fn trailing_digits(line: &str) -> String {
    let start = line
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map_or(line.len(), |(i, _)| i);
    line[start..].to_string()
}
