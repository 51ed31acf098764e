//! The robustness guard: crafted and broken files give a clear refusal, never an abort.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::*;
use hakusho_sources::workbook::read_all_sheets;
use hakusho_sources::{check_files, Limits};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/calamine")
        .join(name)
}

fn probe(name: &str) -> Result<Vec<(String, usize)>, String> {
    read_all_sheets(&fixture(name), &Limits::default()).map_err(|m| m.ja)
}

#[test]
fn calamine_corpus_never_crashes() {
    // read
    for f in [
        "OOM_alloc.xls",
        "OOM_alloc2.xls",
        "issue_174.xlsx",
        "issue_530.xlsx",
        "minimal_package.xlsx",
        "errors.xlsx",
        "merged_cells.ods",
        "any_sheets.ods",
        "date.xls",
        "rph.xlsx",
    ] {
        let r = probe(f);
        assert!(r.is_ok(), "{f}: {r:?}");
    }
    assert_eq!(probe("issue_174.xlsx").unwrap()[0].1, 22);
    // refused, each with a reason
    let cases = [
        ("issue_594_dos.ods", "max_cells"),
        ("issue_666_panic.xlsb", ".xlsx"),
        ("pass_protected.xlsx", "パスワード"),
        ("too_small.xls", "ワークブックではありません"),
        ("issue252.xlsx", "壊れています"),
        ("OOM_alloc3.xls", "開けません"),
    ];
    for (f, why) in cases {
        let e = probe(f).expect_err(f);
        assert!(e.contains(why), "{f}: {e}");
    }
}

#[test]
fn far_apart_cells_are_refused_before_calamine_allocates_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "a").unwrap();
    ws.write_string(1_048_575, 16_383, "z").unwrap();
    wb.save(&path).unwrap();
    let hakusho_diagnostics::Message { ja, en } =
        read_all_sheets(&path, &Limits::default()).unwrap_err();
    assert!(
        ja.contains("A1:XFD1048576") && ja.contains("max_cells = 5000000"),
        "{ja}"
    );
    assert!(ja.contains("limits:"), "{ja}");
    assert!(
        en.contains("raise it with `max_cells:` under `limits:`"),
        "{en}"
    );
    // a raised limit lets it through the guard (not read here: it would allocate 512 GiB)
}

/// Rewrites one entry of a zip (stored, uncompressed).
fn rewrite_entry(src: &Path, dst: &Path, entry: &str, edit: impl Fn(String) -> String) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        if name == entry {
            buf = edit(String::from_utf8(buf).unwrap()).into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&buf).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn a_huge_shared_string_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "施策コード").unwrap();
    wb.save(&ok).unwrap();
    assert!(read_all_sheets(&ok, &Limits::default()).is_ok());
    let bad = dir.path().join("bad.xlsx");
    rewrite_entry(&ok, &bad, "xl/sharedStrings.xml", |xml| {
        xml.replace("uniqueCount=\"1\"", "uniqueCount=\"100000000000\"")
    });
    let ja = read_all_sheets(&bad, &Limits::default()).unwrap_err().ja;
    assert!(
        ja.contains("100000000000") && ja.contains("max_shared_strings"),
        "{ja}"
    );
}

#[test]
fn limits_come_from_the_project_configuration() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    let config = format!("{CONFIG}limits:\n  max_file_mb: 0\n");
    std::fs::write(root.join("sources/hakusho.yaml"), config).unwrap();
    let d = check_files(root, &[PathBuf::from("sources/workbooks/kikaku.xlsx")]);
    let e = errors(&d);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("上限 max_file_mb = 0 を超えるため読み込みません"),
        "{}",
        e[0]
    );
    // a typo in limits is reported, not ignored
    std::fs::write(
        root.join("sources/hakusho.yaml"),
        format!("{CONFIG}limits:\n  max_cell: 10\n"),
    )
    .unwrap();
    let d = check_files(root, &[PathBuf::from("sources/workbooks/kikaku.xlsx")]);
    assert!(
        errors(&d)[0].contains("不明な項目 max_cell"),
        "{:?}",
        errors(&d)
    );
}
