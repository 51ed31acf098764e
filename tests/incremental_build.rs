//! Incremental `hakusho build` on a copy of the bundled project: only the documents that show
//! an edited paragraph are rewritten (the others keep their bytes and mtime), the summary says
//! why, a build without changes rewrites nothing, a PDF deleted or edited by hand is rebuilt,
//! `--force` rebuilds everything, and a failed build leaves PDFs and manifest as they were.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::{hakusho, project_copy, squash};

/// Every PDF in build/ → (bytes, mtime).
fn outputs(project: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    fs::read_dir(project.join("build"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
        .map(|e| {
            let m = e.metadata().unwrap().modified().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                (fs::read(e.path()).unwrap(), m),
            )
        })
        .collect()
}

fn build(project: &Path, args: &[&str]) -> String {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = hakusho(project, &all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "build failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Names of the PDFs whose bytes or mtime differ between two listings.
fn rewritten(
    before: &BTreeMap<String, (Vec<u8>, SystemTime)>,
    after: &BTreeMap<String, (Vec<u8>, SystemTime)>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(name, now)| before.get(*name) != Some(*now))
        .map(|(name, _)| name.clone())
        .collect()
}

/// The summary line of `doc` (`build/<doc>.pdf（4ページ）— reason`), page count left out:
/// `build/<doc>.pdf — reason`.
fn summary_line(stdout: &str, doc: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("build/{doc}.pdf")))
        .unwrap_or_else(|| panic!("no line for {doc} in:\n{stdout}"));
    let (head, reason) = line.split_once("— ").expect("a reason");
    let name = head.split(['（', ' ']).next().unwrap();
    assert!(
        head.contains("ページ）") || head.contains(" page"),
        "{line}"
    );
    format!("{name} — {reason}")
}

fn edit(project: &Path, rel: &str, from: &str, to: &str) {
    let path = project.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn pdf_text(project: &Path, name: &str) -> String {
    let bytes = fs::read(project.join("build").join(name)).unwrap();
    hakusho_pdfcheck::inspect(&bytes)
        .unwrap()
        .text_without_whitespace()
}

#[test]
fn editing_one_paragraph_rewrites_only_the_documents_that_show_it() {
    let dir = project_copy();
    let p = dir.path();
    build(p, &[]);
    let first = outputs(p);
    assert_eq!(first.len(), 12);

    // A second build with no change rewrites nothing.
    let stdout = build(p, &[]);
    assert_eq!(rewritten(&first, &outputs(p)), Vec::<String>::new());
    assert!(stdout.contains("変更なし: 12 件"), "{stdout}");
    assert!(!stdout.contains("ページ"), "{stdout}");

    // 企画部's progress paragraph of policy 1-1: in the white paper and 企画部's booklet.
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計8台配置した。",
    );
    let stdout = build(p, &[]);
    let second = outputs(p);
    assert_eq!(
        rewritten(&first, &second),
        vec!["booklet-kikaku.pdf", "hakusho-2021.pdf"],
        "{stdout}"
    );
    for doc in ["booklet-kikaku", "hakusho-2021"] {
        assert_eq!(
            summary_line(&stdout, doc),
            format!("build/{doc}.pdf — 変更: sources/departments/kikaku.yaml")
        );
    }
    for line in ["変更なし: 10 件", "段落 1 件"] {
        assert!(stdout.contains(line), "no '{line}' in:\n{stdout}");
    }
    assert!(!stdout.contains("booklet-somu"), "{stdout}");
    for doc in ["booklet-kikaku.pdf", "hakusho-2021.pdf"] {
        assert!(pdf_text(p, doc).contains("計8台配置した"), "{doc}");
    }

    // 企画部's main projects are in its booklet only.
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "三鷹のブランド力の向上に向けて取り組みます。",
        "三鷹のブランド力の一層の向上に向けて取り組みます。",
    );
    let stdout = build(p, &[]);
    let third = outputs(p);
    assert_eq!(
        rewritten(&second, &third),
        vec!["booklet-kikaku.pdf"],
        "{stdout}"
    );
    assert!(stdout.contains("変更なし: 11 件"), "{stdout}");
    assert!(pdf_text(p, "booklet-kikaku.pdf").contains("一層の向上"));

    // And again nothing to do.
    let stdout = build(p, &[]);
    assert_eq!(rewritten(&third, &outputs(p)), Vec::<String>::new());
    assert!(stdout.contains("すべての文書が最新です"), "{stdout}");
}

#[test]
fn a_pdf_deleted_or_edited_by_hand_is_rebuilt_and_force_rebuilds_all() {
    let dir = project_copy();
    let p = dir.path();
    build(p, &[]);
    let first = outputs(p);
    let build_dir = p.join("build");

    // What a build killed while writing would leave (its process is gone).
    let stale = build_dir.join(".booklet-somu.pdf.999999999.tmp");
    fs::write(&stale, b"%PDF-1.7 partial").unwrap();
    fs::remove_file(build_dir.join("booklet-somu.pdf")).unwrap();
    let mut bytes = first["booklet-kodomo.pdf"].0.clone();
    bytes.extend_from_slice(b"\n% edited\n");
    fs::write(build_dir.join("booklet-kodomo.pdf"), &bytes).unwrap();
    let stdout = build(p, &[]);
    assert_eq!(
        summary_line(&stdout, "booklet-somu"),
        "build/booklet-somu.pdf — 出力がなかったため"
    );
    assert_eq!(
        summary_line(&stdout, "booklet-kodomo"),
        "build/booklet-kodomo.pdf — 出力が書き換えられていたため"
    );
    assert!(stdout.contains("変更なし: 10 件"), "{stdout}");
    if Path::new("/proc/self").exists() {
        assert!(!stale.exists(), "stale temporary file kept");
    }
    let second = outputs(p);
    for (name, (bytes, _)) in &first {
        assert_eq!(
            &second[name].0, bytes,
            "{name} differs from the first build"
        );
    }

    let stdout = build(p, &["--force"]);
    assert_eq!(rewritten(&second, &outputs(p)).len(), 12, "{stdout}");
    assert!(stdout.contains("— --force"), "{stdout}");
    assert!(stdout.contains("12件の文書を作成しました"), "{stdout}");
}

#[test]
fn a_template_change_names_the_template_and_english_summary() {
    let dir = project_copy();
    let p = dir.path();
    build(p, &[]);
    let first = outputs(p);
    edit(
        p,
        "templates/plan_summaries.html",
        "<doc title=\"{{ document.title }}\"",
        "<doc title=\"{{ document.title }}（改訂）\"",
    );
    let out = hakusho(p, &["--lang", "en", "build"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        rewritten(&first, &outputs(p)),
        vec!["plan-summaries.pdf"],
        "{stdout}"
    );
    assert_eq!(
        summary_line(&stdout, "plan-summaries"),
        "build/plan-summaries.pdf — changed: templates/plan_summaries.html"
    );
    assert!(stdout.contains("unchanged: 11"), "{stdout}");
}

#[test]
fn a_failed_incremental_build_changes_nothing_and_the_next_one_catches_up() {
    let dir = project_copy();
    let p = dir.path();
    build(p, &[]);
    let first = outputs(p);
    let manifest = fs::read(p.join("build/.hakusho-manifest.json")).unwrap();
    let snapshot = fs::read(p.join("build/.hakusho-snapshot.json")).unwrap();

    // A paragraph edit (white paper + 企画部's booklet) and a typo in the plan summaries'
    // template: nothing may be written.
    edit(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計9台配置した。",
    );
    let tmpl = p.join("templates/plan_summaries.html");
    let good = fs::read_to_string(&tmpl).unwrap();
    fs::write(
        &tmpl,
        good.replacen("{{ document.title }}", "{{ document.titel }}", 1),
    )
    .unwrap();
    let out = hakusho(p, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("templates/plan_summaries.html:"),
        "{stderr}"
    );
    assert_eq!(rewritten(&first, &outputs(p)), Vec::<String>::new());
    assert_eq!(
        fs::read(p.join("build/.hakusho-manifest.json")).unwrap(),
        manifest
    );
    assert_eq!(
        fs::read(p.join("build/.hakusho-snapshot.json")).unwrap(),
        snapshot
    );
    for e in fs::read_dir(p.join("build")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "temporary file left over: {name}");
    }

    // Fixed: the documents the paragraph is in are rebuilt, the rest stays.
    fs::write(&tmpl, good).unwrap();
    let stdout = build(p, &[]);
    assert_eq!(
        rewritten(&first, &outputs(p)),
        vec!["booklet-kikaku.pdf", "hakusho-2021.pdf"],
        "{stdout}"
    );
    assert!(squash(&pdf_text(p, "hakusho-2021.pdf")).contains("計9台配置した"));
}

/// The same story through the library: the build driver's report says which documents were
/// written and why, which were left unchanged, what changed in the sources, and how long each
/// step took; a failed build reports its failure and no documents.
#[test]
fn the_build_report_names_each_document_and_why() {
    use hakusho::build::{
        build as build_project, BuildReport, DocumentState, Failure, Options, Quiet, Reason,
        Session, Step,
    };
    let dir = project_copy();
    let p = dir.path();
    let mut session = Session::default();
    let run = |session: &mut Session, opts: &Options| -> BuildReport {
        build_project(session, p, opts, &Quiet)
    };
    let states = |r: &BuildReport| -> BTreeMap<String, DocumentState> {
        r.documents
            .iter()
            .map(|d| (d.name.clone(), d.state.clone()))
            .collect()
    };

    let first = run(&mut session, &Options::default());
    assert!(first.succeeded(), "{:?}", first.failure);
    assert_eq!(first.documents.len(), 12);
    assert!(first.documents.iter().all(|d| matches!(
        d.state,
        DocumentState::Written {
            reason: Reason::New,
            ..
        }
    )));
    assert_eq!(first.documents[0].path, "build/hakusho-2021.pdf");
    let steps: Vec<Step> = first.timings.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        steps,
        [
            Step::Load,
            Step::Expand,
            Step::Plan,
            Step::Typeset,
            Step::Write,
            Step::Html,
            Step::Snapshot
        ]
    );

    let second = run(&mut session, &Options::default());
    assert_eq!(second.written().count(), 0);
    assert_eq!(second.unchanged().count(), 12);

    edit(
        p,
        "sources/departments/kikaku.yaml",
        "貸出用を含め計7台配置した。",
        "貸出用を含め計8台配置した。",
    );
    let third = run(&mut session, &Options::default());
    let written: Vec<(&str, &DocumentState)> = third
        .written()
        .map(|d| (d.name.as_str(), &d.state))
        .collect();
    let edited = Reason::Inputs(vec!["sources/departments/kikaku.yaml".into()]);
    assert_eq!(written.len(), 2, "{written:?}");
    for (name, state) in written {
        assert!(["hakusho-2021", "booklet-kikaku"].contains(&name), "{name}");
        assert!(
            matches!(state, DocumentState::Written { reason, .. } if *reason == edited),
            "{state:?}"
        );
    }
    assert_eq!(states(&third)["booklet-somu"], DocumentState::Unchanged);
    let changes = third.changes.as_ref().expect("a snapshot was compared");
    assert_eq!(changes.paragraphs.len(), 1);
    assert!(changes.values.is_empty());

    // A partial build compares no snapshot; an unknown name fails with no document.
    let named = Options {
        names: vec!["booklet-somu".into()],
        force: true,
        ..Options::default()
    };
    let partial = run(&mut session, &named);
    assert_eq!(partial.documents.len(), 1);
    assert!(matches!(
        partial.documents[0].state,
        DocumentState::Written {
            reason: Reason::Forced,
            ..
        }
    ));
    assert!(partial.changes.is_none());
    let unknown = Options {
        names: vec!["nope".into()],
        ..Options::default()
    };
    let failed = run(&mut session, &unknown);
    assert!(matches!(failed.failure, Some(Failure::UnknownDocument(_))));
    assert!(failed.documents.is_empty());
}

/// Issue 12: what a document depends on is what its render read. The template scanner this
/// replaced took `plan` in `{% for plan in s.plans %}` for plan.yaml, so an edit of both
/// files named plan.yaml among the plan summaries' changed inputs.
#[test]
fn a_rebuilt_document_names_only_the_inputs_its_render_read() {
    use hakusho::build::{build as build_project, DocumentState, Options, Quiet, Reason, Session};
    let dir = project_copy();
    let p = dir.path();
    let mut session = Session::default();
    let first = build_project(&mut session, p, &Options::default(), &Quiet);
    assert!(first.succeeded(), "{:?}", first.failure);
    edit(p, "sources/plan.yaml", "国際化の推進", "国際化の一層の推進");
    edit(
        p,
        "sources/plan_summaries.yaml",
        "また、図書館でも閲覧できます。",
        "また、各図書館でも閲覧できます。",
    );
    let report = build_project(&mut session, p, &Options::default(), &Quiet);
    let summaries = report
        .documents
        .iter()
        .find(|d| d.name == "plan-summaries")
        .unwrap();
    assert!(
        matches!(&summaries.state, DocumentState::Written { reason, .. }
            if *reason == Reason::Inputs(vec!["sources/plan_summaries.yaml".into()])),
        "{:?}",
        summaries.state
    );
    let white_paper = report
        .documents
        .iter()
        .find(|d| d.name == "hakusho-2021")
        .unwrap();
    assert!(
        matches!(&white_paper.state, DocumentState::Written { reason, .. }
            if *reason == Reason::Inputs(vec!["sources/plan.yaml".into()])),
        "{:?}",
        white_paper.state
    );
}

/// Issue 12: the parts and templates noted while rendering, where reading template text guesses
/// wrong: a name in a comment or in a branch not taken, a macro imported but never called, a
/// part read only by a macro another macro calls, a template included by a computed name.
#[test]
fn a_render_records_what_its_templates_touched() {
    use hakusho::render::context::{base, for_document, DocumentInfo};
    use hakusho::render::record::Recorder;
    use hakusho::render::Renderer;
    let (project, _) = hakusho_sources::load_project(&common::repo());
    let project = project.expect("sample project loads");
    let dir = tempfile::tempdir().unwrap();
    let templates = [
        (
            "probe.html",
            concat!(
                "{# {{ dept.mission }} {{ wp.title }} #}",
                "{% import \"unused.html\" as u %}{% import \"m.html\" as m %}",
                "{% if false %}{{ booklet.title }}{{ u.summary() }}{% endif %}",
                "<p>{{ m.outer() }}</p>",
                "{% set kind = \"x\" %}{% include \"part_\" ~ kind ~ \".html\" %}",
                "<p>{{ rows(\"indicators\", \"1-1\")|length }} {{ dept.name }}</p>",
            ),
        ),
        (
            "unused.html",
            "{% macro summary() %}{{ summaries.title }}{% endmacro %}",
        ),
        (
            "m.html",
            "{% macro inner() %}{{ action_plan.systems|length }}{% endmacro %}\
             {% macro outer() %}{{ inner() }}{% endmacro %}",
        ),
        (
            "part_x.html",
            "<p>{{ department(\"kikaku\").mission|length }}</p>",
        ),
    ];
    for (name, text) in templates {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let recorder = Recorder::default();
    let ctx = for_document(
        &base(&project),
        &DocumentInfo {
            name: "probe",
            title: "t",
            template: "probe.html",
            department: Some("somu"),
        },
        &recorder,
    );
    Renderer::new(dir.path())
        .render_recording("probe.html", ctx, &recorder)
        .unwrap();
    let recorded = recorder.recorded();
    // `dept.name` comes from hakusho.yaml: no read of 総務部's own file
    assert_eq!(
        recorded.parts.iter().collect::<Vec<_>>(),
        ["action_plan", "department:kikaku", "table:indicators:1-1"],
    );
    assert_eq!(
        recorded.files.iter().collect::<Vec<_>>(),
        [
            "templates/m.html",
            "templates/part_x.html",
            "templates/probe.html",
            "templates/unused.html"
        ],
    );
}

/// Issue 12: a department's policy sections of kind `table` are rows of the workbooks; reading
/// them through `dept.policies` is a read of those rows (examples/kawabe declares two such
/// sections), and of no other department.
#[test]
fn table_sections_read_through_a_department_are_dependencies() {
    let root = common::repo().join("examples/kawabe");
    let (project, diags) = hakusho_sources::load_project(&root);
    let project = project.unwrap_or_else(|| panic!("kawabe loads: {diags:?}"));
    let docs = hakusho::build::rendered_documents(&project).unwrap();
    let (_, deps, markup) = docs
        .iter()
        .find(|(job, _, _)| job.name == "booklet-seisaku")
        .expect("a booklet for 政策部");
    assert!(markup.is_some());
    for part in [
        "department:seisaku",
        "table:indicators:2-3",
        "table:projects:2-3",
    ] {
        assert!(deps.covers(part), "{part} not in {:?}", deps.parts);
    }
    assert!(!deps.covers("department:kurashi"), "{:?}", deps.parts);
    assert!(
        deps.files.contains("templates/macros.html"),
        "{:?}",
        deps.files
    );
}
