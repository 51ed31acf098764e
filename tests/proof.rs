//! Proofs for corrections (`hakusho build --proof`, `hakusho proof`): the proof PDF read back
//! — the highlights sit on the new text, the change list names each change with its page and
//! source and links to the page, the proof's pages are the real PDF's pages, and the real PDF
//! is the same bytes whether or not a proof is made.

mod common;

use std::fs;
use std::path::Path;

use common::{
    copy_dir, hakusho, kawabe_copy, project_copy, replace_in, repo, run_ok, set_kikaku_indicator,
};
use hakusho_pdfcheck::{inspect, PdfReport};

fn read(path: &Path) -> PdfReport {
    inspect(&fs::read(path).unwrap()).unwrap()
}

/// The text under each highlight of `page` (the characters whose glyph origin lies inside
/// a fill of the proof's marker colour), one string per highlight.
fn highlighted(report: &PdfReport, page: usize) -> Vec<String> {
    let marker = |rgb: [f32; 3]| (rgb[0] - 1.0).abs() < 0.01 && (rgb[2] - 0.45).abs() < 0.01;
    report.fills[page]
        .iter()
        .filter(|f| marker(f.rgb))
        .map(|f| {
            let mut s = String::new();
            for run in &report.runs[page] {
                if run.y < f.y || run.y > f.y + f.height {
                    continue;
                }
                for (x, t) in &run.glyphs {
                    if *x >= f.x - 0.5 && *x < f.x + f.width - 0.5 {
                        s.push_str(t);
                    }
                }
            }
            s
        })
        .collect()
}

/// The runs of a page with their positions, without the proof's margin notes (set at 6 pt,
/// smaller than any text of the documents).
fn body_lines(report: &PdfReport, page: usize) -> Vec<String> {
    let mut runs: Vec<_> = report.runs[page]
        .iter()
        .filter(|r| r.size > 6.5)
        .map(|r| (r.y.round() as i32, r.x.round() as i32, r.text.clone()))
        .collect();
    runs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    runs.into_iter()
        .map(|(y, x, t)| format!("{x},{y}: {t}"))
        .collect()
}

#[test]
fn a_proof_highlights_an_edited_cell_and_paragraph_and_lists_them_with_their_pages() {
    let dir = project_copy();
    let p = dir.path();

    // nothing to compare with before a first build
    let out = hakusho(p, &["proof"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hakusho build"));

    run_ok(p, &["build"]);
    let before = fs::read(p.join("build/booklet-kikaku.pdf")).unwrap();

    let line = replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計8台配置した。",
    );
    set_kikaku_indicator(p, "G4", "202850", "210000");
    let stdout = run_ok(p, &["build", "--proof"]);
    assert!(
        stdout.contains("build/proof/booklet-kikaku.pdf"),
        "{stdout}"
    );
    assert!(stdout.contains("build/proof/hakusho-2021.pdf"), "{stdout}");
    // documents the corrections did not touch get no proof
    assert!(!p.join("build/proof/booklet-somu.pdf").exists());

    let real = read(&p.join("build/booklet-kikaku.pdf"));
    let proof = read(&p.join("build/proof/booklet-kikaku.pdf"));
    assert_ne!(
        before,
        fs::read(p.join("build/booklet-kikaku.pdf")).unwrap()
    );

    // the change list: both changes, with their source and page, each a link to its page
    let list = proof.pages[0].join("\n");
    assert!(list.contains("変更一覧"), "{list}");
    assert!(list.contains("202,850 → 210,000"), "{list}");
    assert!(list.contains("〔7→8〕"), "{list}");
    assert!(
        common::contains_text(&list, "kikaku.xlsx:目標指標!G4"),
        "{list}"
    );
    assert!(
        common::contains_text(&list, &format!("kikaku.yaml:{line}")),
        "{list}"
    );
    let list_pages = proof.pages.len() - real.pages.len();
    assert_eq!(list_pages, 1);
    let links: Vec<usize> = proof.annotations[0]
        .iter()
        .filter(|a| a.subtype == "Link")
        .filter_map(|a| a.target_page)
        .collect();
    assert_eq!(links.len(), 2, "{:?}", proof.annotations[0]);

    // the highlights sit exactly on the new text, on the page the list names
    let value_page = links[0];
    let marked = highlighted(&proof, value_page);
    assert!(marked.iter().any(|h| h == "210,000"), "{marked:?}");
    let text_page = links[1];
    let marked = highlighted(&proof, text_page);
    assert!(marked.iter().any(|h| h == "8"), "{marked:?}");
    // the old value beside it: a note in the margin
    let notes: Vec<String> = proof.annotations[value_page]
        .iter()
        .filter(|a| a.subtype == "Text")
        .filter_map(|a| a.contents.clone())
        .collect();
    assert!(notes.contains(&"旧: 202,850".to_string()), "{notes:?}");

    // the proof's pages are the real PDF's pages: same count, same lines on each page
    for page in 0..real.pages.len() {
        assert_eq!(
            body_lines(&real, page),
            body_lines(&proof, page + list_pages),
            "page {}",
            page + 1
        );
    }

    // the real PDF is the same bytes as a build without proofs makes
    let plain = tempfile::tempdir().unwrap();
    copy_dir(&p.join("sources"), &plain.path().join("sources"));
    copy_dir(&p.join("templates"), &plain.path().join("templates"));
    copy_dir(&p.join("fonts"), &plain.path().join("fonts"));
    run_ok(plain.path(), &["build"]);
    for doc in ["booklet-kikaku.pdf", "hakusho-2021.pdf"] {
        assert!(
            fs::read(p.join("build").join(doc)).unwrap()
                == fs::read(plain.path().join("build").join(doc)).unwrap(),
            "{doc} differs when a proof is made"
        );
    }
}

#[test]
fn removed_and_added_paragraphs_and_a_proof_against_an_earlier_round() {
    let dir = project_copy();
    let p = dir.path();
    run_ok(p, &["build"]);
    let yaml = p.join("sources/departments/kikaku.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    let removed = "国際交流センター機能を拡充した「多文化共生センター（仮称）」の整備に向けた取り組みとして、みたか国際化円卓会議において、外国籍市民の視点から同センターに求める機能・取り組みなどについて検討し、提言を受けた。";
    assert!(text.contains(removed));
    let added = "オンラインでの多言語相談窓口を新たに開設した。";
    fs::write(
        &yaml,
        text.replacen(&format!("      {removed}\n\n"), "", 1)
            .replacen(
                "      市役所の各窓口での外国人対応",
                &format!("      {added}\n\n      市役所の各窓口での外国人対応"),
                1,
            ),
    )
    .unwrap();
    let stdout = run_ok(p, &["build", "--proof"]);
    let first_round = stdout
        .lines()
        .find_map(|l| l.split("hakusho proof --since ").nth(1))
        .expect("the kept round is named")
        .trim()
        .to_string();
    let proof = read(&p.join("build/proof/booklet-kikaku.pdf"));
    let list = proof.pages[0].join("");
    assert!(
        common::contains_text(&list, removed),
        "the removed wording is listed: {list}"
    );
    assert!(list.contains("削除") && list.contains("追加"), "{list}");
    let added_page = proof.annotations[0]
        .iter()
        .filter(|a| a.subtype == "Link")
        .filter_map(|a| a.target_page)
        .collect::<Vec<_>>();
    assert!(added_page
        .iter()
        .any(|&pg| highlighted(&proof, pg).iter().any(|h| h == added)));

    // a second correction, proofed against the first round: both corrections show
    replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計9台配置した。",
    );
    run_ok(p, &["build"]);
    let stdout = run_ok(p, &["proof", "--since", &first_round, "booklet-kikaku"]);
    assert!(stdout.contains(&first_round), "{stdout}");
    let list = read(&p.join("build/proof/booklet-kikaku.pdf")).pages[0].join("");
    assert!(list.contains("〔7→9〕"), "{list}");
    // against the first round, the paragraphs changed before it are no change
    assert!(!list.contains("削除"), "{list}");
    // the default baseline is the build before the last corrections: only 7 → 9
    let stdout = run_ok(p, &["proof", "booklet-kikaku"]);
    assert!(stdout.contains("変更 1 件"), "{stdout}");

    // corrections not built yet are proofed against the last build
    replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計9台配置した。",
        "貸出用を含め計10台配置した。",
    );
    let stdout = run_ok(p, &["proof", "booklet-kikaku"]);
    assert!(stdout.contains("変更 1 件"), "{stdout}");
    let list = read(&p.join("build/proof/booklet-kikaku.pdf")).pages[0].join("");
    assert!(list.contains("〔9→10〕"), "{list}");

    let out = hakusho(p, &["proof", "--since", "no-such-round"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&first_round),
        "the kept rounds are listed: {err}"
    );
}

#[test]
fn proofs_work_for_the_second_city() {
    let dir = kawabe_copy();
    let p = dir.path();
    run_ok(p, &["build"]);
    // every department's narrative: change the first sentence ending 。 of each YAML file
    let depts = p.join("sources/departments");
    let mut edited = 0;
    for e in fs::read_dir(&depts).unwrap() {
        let path = e.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        if let Some(i) = text.find("した。") {
            fs::write(
                &path,
                format!("{}しました。{}", &text[..i], &text[i + "した。".len()..]),
            )
            .unwrap();
            edited += 1;
        }
    }
    assert!(edited > 0);
    let stdout = run_ok(p, &["build", "--proof"]);
    let proofs: Vec<_> = fs::read_dir(p.join("build/proof"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert!(!proofs.is_empty(), "{stdout}");
    for e in proofs {
        let r = read(&e.path());
        let list = r.pages[0].join("");
        assert!(list.contains("変更一覧"));
        assert!(
            list.contains("〔→まし〕た"),
            "{}: {list}",
            e.path().display()
        );
        let pages: Vec<usize> = r.annotations[0]
            .iter()
            .filter_map(|a| a.target_page)
            .collect();
        assert!(!pages.is_empty());
        assert!(pages
            .iter()
            .any(|&pg| highlighted(&r, pg).iter().any(|h| h == "まし")));
    }
}

/// A `<mark>` changes nothing in composition: every document of both projects, with every
/// piece of its text marked, lays out exactly as without marks (the proof's pages break where
/// the real PDF's do, because they are the same layout).
#[test]
fn marking_every_text_changes_no_glyph_position_in_any_document() {
    use hakusho::proof::markdiff::mark_changes;
    use std::sync::Arc;
    use std::time::Duration;
    for project in [repo(), repo().join("examples/kawabe")] {
        let (model, diags) = hakusho_sources::load_project(&project);
        let model = model.unwrap_or_else(|| panic!("{diags:?}"));
        let (style, fonts) =
            hakusho_typeset::Style::load(&project.join("templates/style.yaml"), &project).unwrap();
        let ts = hakusho_typeset::Typesetter::new(style, Arc::new(fonts)).unwrap();
        for (job, _, markup) in hakusho::build::rendered_documents(&model).unwrap() {
            let markup = markup.unwrap();
            let (marked, hunks) = mark_changes("<doc></doc>", &markup, Duration::from_secs(30));
            assert!(!hunks.is_empty());
            assert!(marked.matches("<mark ").count() > 3, "{}", job.name);
            let (plain, _) = ts.layout(&markup, "plain").unwrap();
            let (mut with_marks, _) = ts.layout(&marked, "marked").unwrap();
            let mut marked_glyphs = 0;
            for page in &mut with_marks.pages {
                for item in &mut page.items {
                    if let hakusho_typeset::page::Item::Text(run) = item {
                        marked_glyphs += run.marks.len();
                        run.marks.clear();
                    }
                }
            }
            assert!(marked_glyphs > 0, "{}", job.name);
            assert_eq!(plain.pages.len(), with_marks.pages.len(), "{}", job.name);
            for (i, (a, b)) in plain.pages.iter().zip(&with_marks.pages).enumerate() {
                if a != b {
                    let d = a.items.iter().zip(&b.items).find(|(x, y)| x != y);
                    panic!(
                        "{} page {}: marks moved the layout ({} vs {} items): {:?}",
                        job.name,
                        i + 1,
                        a.items.len(),
                        b.items.len(),
                        d
                    );
                }
            }
        }
    }
}

/// A damaged or foreign version file is no version: the proof says there is nothing to
/// compare with (and how to get one), never panics, and the next build records a good one.
#[test]
fn a_damaged_version_file_is_reported_as_no_version() {
    let dir = project_copy();
    let p = dir.path();
    run_ok(p, &["build"]);
    replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計8台配置した。",
    );
    for (file, bytes) in [
        ("current.json", b"{\"version\": 1, \"documents\": 3".as_slice()),
        ("current.json", b"\xff\xfe not json at all".as_slice()),
        ("current.json", b"{\"version\": 99, \"built\": \"x\", \"snapshot\": {\"version\": 1, \"values\": [], \"texts\": []}, \"documents\": {}}".as_slice()),
    ] {
        fs::write(p.join("build/.hakusho-proof").join(file), bytes).unwrap();
        let out = hakusho(p, &["proof"]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("比べる前の版がありません"), "{err}");
    }
    // the build after it records a good version again (the damaged one's content is lost):
    // the next correction is proofed against it
    run_ok(p, &["build"]);
    replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計8台配置した。",
        "貸出用を含め計9台配置した。",
    );
    let stdout = run_ok(p, &["build", "--proof"]);
    assert!(
        stdout.contains("build/proof/booklet-kikaku.pdf"),
        "{stdout}"
    );
    let list = read(&p.join("build/proof/booklet-kikaku.pdf")).pages[0].join("");
    assert!(list.contains("〔8→9〕"), "{list}");
}
