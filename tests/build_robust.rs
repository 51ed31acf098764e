//! Nothing lost, nothing half-written:
//! - every narrative paragraph and short text of sources/ that a document is meant to print
//!   appears in that document's extracted text (build_sample.rs covers the white paper's
//!   policies, indicator values, action items, progress and notes; this covers the rest:
//!   white_paper.yaml, the 総合戦略 goals, the action plan's prose, the booklets and the plan
//!   summaries);
//! - a build killed (SIGKILL) at any moment leaves every PDF in build/ either as it was or as a
//!   complete new PDF identical to a clean build's, and no temporary file named *.pdf.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{contains_text, hakusho, project_copy, squash};
use hakusho::render::narrative::plain_blocks;
use hakusho_sources::model::Prose;

fn pdf_text(path: &Path) -> String {
    let bytes = fs::read(path).unwrap();
    hakusho_pdfcheck::inspect(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .text_without_whitespace()
}

struct Checker<'a> {
    text: &'a str,
    doc: &'a str,
    missing: Vec<String>,
}

impl Checker<'_> {
    fn short(&mut self, what: &str, s: &str) {
        let sq = squash(s);
        if !sq.is_empty() && !contains_text(self.text, &sq) {
            self.missing.push(format!("{}: {what}: {s}", self.doc));
        }
    }
    fn narrative(&mut self, what: &str, s: &str) {
        let markers = hakusho::render::list_markers(&common::repo().join("templates"));
        for p in plain_blocks(s, &markers) {
            self.short(what, &p);
        }
    }
}

#[test]
fn every_text_of_the_sources_is_in_its_document() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (project, _) = hakusho_sources::load_project(dir.path());
    let p = project.expect("sample project loads");
    let build = dir.path().join("build");
    let mut missing = Vec::new();

    // The white paper
    let text = pdf_text(&build.join("hakusho-2021.pdf"));
    let mut c = Checker {
        text: &text,
        doc: "hakusho-2021",
        missing: Vec::new(),
    };
    let wp = p.white_paper.as_ref().expect("white_paper.yaml");
    c.short("title", &wp.title);
    c.short("subtitle", &wp.subtitle);
    c.short("cover_note", &wp.cover_note);
    for (k, h) in &wp.headings {
        c.short(&format!("heading {k}"), &h.title);
    }
    for (k, prose) in &wp.chapters {
        match prose {
            Prose::Text(t) => c.narrative(&format!("chapter {k}"), t),
            Prose::Blocks(bs) => {
                for b in bs {
                    c.short(&format!("chapter {k} heading"), &b.heading);
                    c.narrative(&format!("chapter {k}"), &b.text);
                }
            }
        }
    }
    for l in &wp.colophon.lines {
        c.short("colophon", l);
    }
    for part in &p.plan.parts {
        c.short("part title", &part.title);
    }
    if let Some(s) = &p.plan.strategy {
        for g in &s.goals {
            c.short("goal title", &g.title);
            c.narrative("goal direction", &g.direction);
            for n in &g.kpi_notes {
                c.short("kpi note", n);
            }
        }
    }
    let ap = p.action_plan.as_ref().expect("action_plan.yaml");
    c.narrative("action plan overview", &ap.overview);
    c.narrative("action plan systems_intro", &ap.systems_intro);
    c.narrative("action plan intro", &ap.intro);
    for pr in &ap.principles {
        c.short("principle", &pr.title);
    }
    for s in &ap.systems {
        c.short("system", &s.title);
    }
    missing.extend(c.missing);

    // The booklets: the department's own text in its booklet, booklet.yaml in every booklet
    let booklet = p.booklet.as_ref().expect("booklet.yaml");
    for d in &p.departments {
        let text = pdf_text(&build.join(format!("booklet-{}.pdf", d.id)));
        let doc = format!("booklet-{}", d.id);
        let mut c = Checker {
            text: &text,
            doc: &doc,
            missing: Vec::new(),
        };
        c.short("name", &d.name);
        c.narrative("mission", &d.mission);
        c.short("staff", &d.resources.staff);
        c.short("budget", &d.resources.budget);
        for m in &d.main_projects {
            c.short("main project title", &m.title);
            c.narrative("main project", &m.text);
            c.short("main project contact", &m.contact);
        }
        c.short("booklet title", &booklet.title);
        c.narrative("booklet intro", &booklet.intro);
        c.narrative("booklet note", &booklet.note);
        missing.extend(c.missing);
    }

    // The plan summaries
    let text = pdf_text(&build.join("plan-summaries.pdf"));
    let mut c = Checker {
        text: &text,
        doc: "plan-summaries",
        missing: Vec::new(),
    };
    let ps = p.plan_summaries.as_ref().expect("plan_summaries.yaml");
    c.short("title", &ps.title);
    c.short("subtitle", &ps.subtitle);
    if let Some(n) = &ps.note {
        c.short("note heading", &n.heading);
        c.narrative("note", &n.text);
    }
    if let Some(a) = &ps.public_comment {
        c.short("pc headline", &a.headline);
        c.short("pc subtitle", &a.subtitle);
        c.narrative("pc intro", &a.intro);
        c.narrative("pc notes", &a.notes);
        c.short("pc figure", &a.figure);
        c.narrative("pc mark_note", &a.mark_note);
        c.narrative("pc how_to_submit", &a.how_to_submit);
    }
    for plan in &ps.plans {
        c.short("plan title", &plan.title);
        c.narrative("plan purpose", &plan.purpose);
        for i in &plan.indicators {
            c.short("indicator", &i.name);
            c.short("indicator target", &i.target.text);
        }
        for pr in &plan.projects {
            c.short("project title", &pr.title);
            c.narrative("project", &pr.text);
        }
        for is in &plan.issues {
            c.short("issues heading", &is.heading);
            for it in &is.items {
                c.short("issue", it);
            }
        }
        c.short("contact", &plan.contact);
        if let Some(pc) = &plan.public_comment {
            c.narrative("pc purpose", &pc.purpose);
            c.narrative("pc structure", &pc.structure);
            c.narrative("pc projects", &pc.projects);
            c.short("pc contact", &pc.contact);
            c.short("pc phone", &pc.phone);
            c.short("pc email", &pc.email);
        }
    }
    missing.extend(c.missing);

    // Known gaps, reported to the render engineer: templates/plan_summaries.html does not print
    // public_comment.figure (the heading of a diagram the seed lost) nor mark_note. Remove an
    // entry once the template prints it.
    const KNOWN_GAPS: &[&str] = &[
        "plan-summaries: pc figure: ",
        "plan-summaries: pc mark_note: ",
    ];
    for m in missing
        .iter()
        .filter(|m| KNOWN_GAPS.iter().any(|g| m.starts_with(g)))
    {
        eprintln!("known gap: {m}");
    }
    missing.retain(|m| !KNOWN_GAPS.iter().any(|g| m.starts_with(g)));
    assert!(
        missing.is_empty(),
        "{} pieces of the sources are missing from their documents:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

fn pdfs(build: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    if let Ok(rd) = fs::read_dir(build) {
        for e in rd {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".pdf") {
                m.insert(name, fs::read(e.path()).unwrap());
            }
        }
    }
    m
}

fn temps(build: &Path) -> usize {
    fs::read_dir(build)
        .unwrap()
        .filter(|e| {
            let n = e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            n.starts_with('.') && n.ends_with(".tmp")
        })
        .count()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            fs::copy(e.path(), &t).unwrap();
        }
    }
}

#[test]
fn a_killed_build_leaves_old_or_complete_new_pdfs() {
    let dir = project_copy();
    let root = dir.path();
    let out = hakusho(root, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let build = root.join("build");
    let old = pdfs(&build);
    assert!(old.len() >= 3);

    // A change that alters the white paper and one booklet.
    let kikaku = root.join("sources/departments/kikaku.yaml");
    let yaml = fs::read_to_string(&kikaku).unwrap();
    fs::write(
        &kikaku,
        yaml.replacen(
            "progress: |",
            "progress: |\n      中断試験で追加した段落。\n",
            1,
        ),
    )
    .unwrap();
    // What a clean build of the changed sources writes.
    let clean = tempfile::tempdir().unwrap();
    for sub in ["sources", "templates", "fonts"] {
        copy_tree(&root.join(sub), &clean.path().join(sub));
    }
    let out = hakusho(clean.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new = pdfs(&clean.path().join("build"));
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>()
    );
    let changed = old.iter().filter(|(k, v)| new[*k] != **v).count();
    assert!(changed >= 2, "the edit changed only {changed} documents");

    let check = |when: &str| {
        let now = pdfs(&build);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            old.keys().collect::<Vec<_>>(),
            "{when}: unexpected *.pdf files"
        );
        let mut n_new = 0;
        for (name, bytes) in &now {
            if *bytes == old[name] {
                continue;
            }
            assert!(
                *bytes == new[name],
                "{when}: {name} is neither the previous nor the new PDF ({} bytes)",
                bytes.len()
            );
            hakusho_pdfcheck::inspect(bytes)
                .unwrap_or_else(|e| panic!("{when}: {name} does not parse: {e:?}"));
            n_new += 1;
        }
        n_new
    };

    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_hakusho"))
            .arg("-C")
            .arg(root)
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // Kill after fixed delays...
    for ms in [0u64, 5, 20, 50, 100, 200, 400, 700, 1000, 1500, 2500] {
        let mut child = spawn();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let n = check(&format!("killed after {ms} ms"));
        eprintln!(
            "killed after {ms} ms: {n} new PDFs, {} temporary files left",
            temps(&build)
        );
    }
    // ...and exactly inside the writing window: as soon as a temporary file appears, and as
    // soon as the first renamed PDF appears (restore the old outputs first so it can be seen).
    for stage in ["temp file", "first rename"] {
        for (name, bytes) in &old {
            fs::write(build.join(name), bytes).unwrap();
        }
        let mut child = spawn();
        let started = Instant::now();
        loop {
            let hit = match stage {
                "temp file" => fs::read_dir(&build).unwrap().any(|e| {
                    let n = e.unwrap().file_name().to_string_lossy().into_owned();
                    n.starts_with('.') && n.ends_with(".tmp")
                }),
                _ => pdfs(&build).iter().any(|(k, v)| *v != old[k]),
            };
            if hit || started.elapsed() > Duration::from_secs(120) {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let n = check(&format!("killed at the {stage}"));
        eprintln!(
            "killed at the {stage}: {n} new PDFs, {} temporary files left",
            temps(&build)
        );
    }
    // A build that runs to the end writes exactly the clean build's PDFs.
    let out = hakusho(root, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(check("after a complete build"), changed);
    assert_eq!(pdfs(&build), new);
}
