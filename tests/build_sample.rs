//! `hakusho build` on a copy of the bundled sample project: every document is written, the
//! white paper holds every piece of the sources, the TOC gives the pages headings land on, and
//! a failing build leaves the previous PDFs byte-identical.

mod common;

use std::fs;

use common::{contains_text, hakusho, project_copy, squash};
use hakusho::render::narrative::plain_blocks;

/// A temporary file (or any hidden file but the build's records: `.hakusho-manifest.json`,
/// `.hakusho-snapshot*.json`).
fn is_left_over(name: &str) -> bool {
    name.ends_with(".tmp") || (name.starts_with('.') && !name.starts_with(".hakusho-"))
}

#[test]
fn sample_build_writes_every_document_with_all_the_sources_text() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "build failed:\n{stdout}\n{stderr}");

    let (project, _) = hakusho_sources::load_project(dir.path());
    let project = project.expect("sample project loads");
    let build = dir.path().join("build");
    assert!(stdout.contains("build/hakusho-2021.pdf"), "{stdout}");
    for d in &project.departments {
        let path = build.join(format!("booklet-{}.pdf", d.id));
        assert!(path.is_file(), "missing {}", path.display());
        let booklet = hakusho_pdfcheck::inspect(&fs::read(&path).unwrap()).unwrap();
        assert!(booklet.text_without_whitespace().contains(&squash(&d.name)));
    }
    assert!(build.join("plan-summaries.pdf").is_file());
    // No temporary files are left behind.
    for e in fs::read_dir(&build).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!is_left_over(&name), "left over: {name}");
    }

    let pdf = fs::read(build.join("hakusho-2021.pdf")).unwrap();
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let text = report.text_without_whitespace();
    let mut missing = Vec::new();
    let mut check = |what: &str, s: &str| {
        let s = squash(s);
        if !s.is_empty() && !contains_text(&text, &s) {
            missing.push(format!("{what}: {s}"));
        }
    };
    for p in project.policies() {
        check("policy title", &p.title);
    }
    for t in &project.tables {
        for row in &t.rows {
            for v in row.values.values() {
                check("indicator value", &v.text);
            }
        }
    }
    let markers = hakusho::render::list_markers(&dir.path().join("templates"));
    let ap = project.action_plan.as_ref().expect("action plan");
    for s in &ap.systems {
        for item in &s.items {
            check("action item title", &item.title);
            for para in plain_blocks(&item.summary, &markers)
                .iter()
                .chain(plain_blocks(&item.status, &markers).iter())
            {
                check("action item text", para);
            }
        }
    }
    for d in &project.departments {
        for (code, pt) in &d.policies {
            for para in plain_blocks(pt.text("progress"), &markers) {
                check(&format!("progress of {code}"), &para);
            }
            for note in pt.items("notes") {
                check(&format!("note of {code}"), note);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} pieces of the sources are not in the white paper:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn toc_lists_headings_with_the_pages_they_land_on() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build", "hakusho-2021"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = fs::read(dir.path().join("build/hakusho-2021.pdf")).unwrap();
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();

    // The TOC pages: from the page holding the first TOC line to the page before the first
    // chapter's page.
    let first_chapter = report
        .outline
        .iter()
        .find_map(|o| o.page)
        .expect("outline has pages");
    let toc_lines: Vec<String> = report.pages[..first_chapter]
        .iter()
        .flatten()
        .map(|l| squash(l))
        .collect();
    let mut checked = 0;
    for item in report.outline.iter().filter(|o| o.level <= 3) {
        let title = squash(&item.title);
        let line = toc_lines
            .iter()
            .find(|l| l.starts_with(&title))
            .unwrap_or_else(|| panic!("TOC has no line for {title}: {toc_lines:#?}"));
        let digits = common::trailing_digits(line);
        let printed: usize = digits
            .parse()
            .unwrap_or_else(|_| panic!("no page in {line}"));
        let page = item.page.expect("bookmark has a page");
        assert_eq!(
            printed,
            page + 1,
            "{title}: TOC says {printed}, lands on {}",
            page + 1
        );
        // And the heading is really on that page.
        let on_page = squash(&report.pages[page].join("\n"));
        assert!(
            on_page.contains(&title)
                || title.starts_with("第") && on_page.contains(&title[..title.len().min(9)]),
            "{title} not on page {}",
            page + 1
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} TOC entries checked");
}

#[test]
fn a_failing_build_leaves_previous_pdfs_byte_identical() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let build = dir.path().join("build");
    let before: Vec<(String, Vec<u8>)> = {
        let mut v: Vec<_> = fs::read_dir(&build)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert!(before.len() >= 3);

    // A data change that would alter the white paper, plus a template error in the booklets:
    // the white paper renders fine, the booklets fail, so nothing may be written.
    let kikaku = dir.path().join("sources/departments/kikaku.yaml");
    let yaml = fs::read_to_string(&kikaku).unwrap();
    fs::write(
        &kikaku,
        yaml.replacen("progress: |", "progress: |\n      変更された段落。\n", 1),
    )
    .unwrap();
    let booklet = dir.path().join("templates/booklet.html");
    let src = fs::read_to_string(&booklet).unwrap();
    fs::write(
        &booklet,
        src.replacen("{{ dept.name }}", "{{ dept.nmae }}", 1),
    )
    .unwrap();

    let out = hakusho(dir.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("templates/booklet.html:"), "{stderr}");
    for (name, bytes) in &before {
        assert_eq!(
            &fs::read(build.join(name)).unwrap(),
            bytes,
            "{name} changed although the build failed"
        );
    }
    for e in fs::read_dir(&build).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!is_left_over(&name), "left over: {name}");
    }
}
