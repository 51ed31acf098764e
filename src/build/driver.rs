//! The build driver: [`build`] runs the named [`Step`]s of a build, times each, and returns a
//! [`BuildReport`] (what was written or left unchanged and why, the diagnostics, the changes
//! since the last build, the timings). It prints nothing: `hakusho build` and `hakusho watch`
//! ([`crate::cmd`]) print the report through [`crate::messages`].
//!
//! Steps, in order (a failing step ends the build; nothing is written unless every selected
//! document typesets):
//! 1. [`Step::Load`]: read and validate the sources.
//! 2. [`Step::Expand`]: the declared documents (`each: department` → one per department), the
//!    selected ones.
//! 3. [`Step::Plan`]: hash the inputs each document uses, render every document (cheap),
//!    fingerprint what would be typeset, and decide which documents are stale.
//! 4. [`Step::Typeset`]: typeset the stale documents in parallel (style and fonts loaded once,
//!    kept in the [`Session`]).
//! 5. [`Step::Write`]: write the PDFs whose bytes changed (temporary files, then renames).
//! 6. [`Step::Html`]: the web edition of the documents that ask for it (`html:`), from the same
//!    markup, each page linking to its PDF (so after step 5); written like the PDFs.
//! 7. [`Step::Snapshot`]: the proofreading snapshot and the version proofs compare with (full
//!    builds only), and the manifest.
//!    With `--print`, each document's print file (build/print/<name>.pdf) is written from the
//!    same pages in this step too, when it is missing, edited or out of date.
//! 8. [`Step::Proof`] (`--proof` only): the proofs of the documents the last corrections
//!    changed. Their changes are marked in the markup before step 4, and such a document is laid
//!    out once: its real PDF and its proof are written from the same pages.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hakusho_diagnostics::{confined, Diagnostic, Diagnostics};
use hakusho_sources::Project;
use rayon::prelude::*;

use super::deps::{self, DocDeps};
use super::manifest::{self, Manifest};
use super::proofs;
use super::{declared_documents, expand, remove_stale_temps, select, write_output_sets};
use super::{render_one, Built, Job, Options, Reason};
use crate::render::{context, Renderer};
use crate::snapshot::{self, Changes};

/// The named steps of a build, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Load,
    Expand,
    Plan,
    Typeset,
    Write,
    Html,
    Snapshot,
    Proof,
}

impl Step {
    /// The step's name in timings (`HAKUSHO_TIMING=1`).
    pub fn name(self) -> &'static str {
        match self {
            Step::Load => "load",
            Step::Expand => "expand",
            Step::Plan => "plan",
            Step::Typeset => "typeset",
            Step::Write => "write",
            Step::Html => "html",
            Step::Snapshot => "snapshot",
            Step::Proof => "proof",
        }
    }
}

/// What became of one selected document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentState {
    /// Typeset and written into build/, for this reason.
    Written { reason: Reason, pages: usize },
    /// Left as it was: up to date, or typeset to the very bytes already there.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentReport {
    pub name: String,
    /// `build/<name>.pdf`, relative to the project.
    pub path: String,
    pub state: DocumentState,
}

/// The print files of a `--print` build (build/print/).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintReport {
    /// Paths written, relative to the project, in declaration order.
    pub written: Vec<String>,
    /// Print files left as they were (up to date).
    pub unchanged: usize,
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum Failure {
    /// The sources have errors (in [`BuildReport::source_diagnostics`]).
    Sources,
    /// The documents could not be expanded, rendered or typeset (in
    /// [`BuildReport::diagnostics`]).
    Documents,
    /// A document asked for by name is not declared.
    UnknownDocument(Diagnostic),
    /// The PDFs could not be written into build/ (the previous outputs are untouched).
    Output(io::Error),
}

/// Something that went wrong after the PDFs were written: the build still succeeded.
#[derive(Debug)]
pub enum Afterward {
    /// The proofreading snapshot (`hakusho diff`) could not be written.
    SnapshotNotWritten(io::Error),
    /// The manifest could not be written: the next build typesets everything.
    ManifestNotWritten(io::Error),
    /// The web edition could not be made or written (the previous one is left as it was).
    HtmlNotWritten(Diagnostic),
}

/// How a build went.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// `None`: every selected document is up to date in build/.
    pub failure: Option<Failure>,
    /// The selected documents in declaration order (empty when the build failed).
    pub documents: Vec<DocumentReport>,
    /// What loading the sources found (reported like `hakusho check`).
    pub source_diagnostics: Diagnostics,
    /// What expanding, rendering and typesetting the documents found.
    pub diagnostics: Diagnostics,
    /// Indicator values and paragraphs changed since the last full build (`None`: no snapshot
    /// was compared: a partial build, unchanged sources, or the first build).
    pub changes: Option<Changes>,
    pub afterward: Vec<Afterward>,
    /// The web editions written (`None`: no selected document asks for one).
    pub html: Option<super::html::HtmlReport>,
    /// The proofs made (`--proof`), or why none was.
    pub proof: Option<crate::proof::Report>,
    /// The print files (`--print`).
    pub print: Option<PrintReport>,
    /// How long each step that ran took.
    pub timings: Vec<(Step, Duration)>,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    /// The documents written by this build.
    pub fn written(&self) -> impl Iterator<Item = &DocumentReport> {
        self.documents
            .iter()
            .filter(|d| matches!(d.state, DocumentState::Written { .. }))
    }

    /// The documents left as they were.
    pub fn unchanged(&self) -> impl Iterator<Item = &DocumentReport> {
        self.documents
            .iter()
            .filter(|d| d.state == DocumentState::Unchanged)
    }
}

/// Told about typesetting as it goes (a progress bar); the build calls it from several threads.
pub trait Observer: Sync {
    /// `total` documents are about to be typeset.
    fn typesetting(&self, _total: usize) {}
    /// One document is typeset (successfully or not).
    fn typeset(&self, _name: &str) {}
    /// Typesetting is over.
    fn typeset_all(&self) {}
}

/// An observer that shows nothing.
pub struct Quiet;
impl Observer for Quiet {}

/// What a long-running caller (`hakusho watch`) keeps between builds: the loaded style and
/// fonts, reused while the style sheet, the fonts and the tool are unchanged.
#[derive(Default)]
pub struct Session {
    typesetter: Option<(String, Arc<hakusho_typeset::Typesetter>)>,
}

/// Times the steps of one build.
struct Clock {
    started: Instant,
    last: Instant,
    timings: Vec<(Step, Duration)>,
}

impl Clock {
    fn new() -> Clock {
        let now = Instant::now();
        Clock {
            started: now,
            last: now,
            timings: Vec::new(),
        }
    }

    fn done(&mut self, step: Step) {
        let now = Instant::now();
        self.timings.push((step, now - self.last));
        self.last = now;
    }
}

/// Builds the project (see the module comment).
pub fn build(
    session: &mut Session,
    project: &Path,
    opts: &Options,
    observer: &dyn Observer,
) -> BuildReport {
    let mut clock = Clock::new();
    let mut report = BuildReport::default();
    let result = run_steps(session, project, opts, observer, &mut clock, &mut report);
    if let Err(failure) = result {
        report.failure = Some(failure);
        report.documents.clear();
    }
    report.timings = clock.timings;
    report.elapsed = clock.started.elapsed();
    report
}

fn run_steps(
    session: &mut Session,
    project: &Path,
    opts: &Options,
    observer: &dyn Observer,
    clock: &mut Clock,
    report: &mut BuildReport,
) -> Result<(), Failure> {
    let (model, source_diags) = hakusho_sources::load_project(project);
    report.source_diagnostics = source_diags;
    let model = match model {
        Some(m) if !report.source_diagnostics.has_errors() => m,
        _ => return Err(Failure::Sources),
    };
    clock.done(Step::Load);

    let (all, selected) = expand_documents(&model, opts, report)?;
    clock.done(Step::Expand);

    let print = opts.print.then_some(&model.config.print);
    let mut plan = plan(project, &model, &selected, opts.force, print);
    for p in &plan.documents {
        if let Err(d) = &p.markup {
            report.diagnostics.push(d.clone());
        }
    }
    clock.done(Step::Plan);

    let mut proofs = opts
        .proof
        .then(|| proofs::prepare(project, &model, plan.jobs_and_markups()));
    let built = typeset(
        session,
        project,
        &model,
        &plan,
        proofs.as_mut(),
        observer,
        report,
    )?;
    if report.diagnostics.has_errors() {
        return Err(Failure::Documents);
    }
    clock.done(Step::Typeset);

    let mut manifest = write(project, &mut plan, built, opts, &all, report)?;
    clock.done(Step::Write);

    match super::html::write_editions(
        project,
        model.config.html.as_ref(),
        opts.force,
        plan.documents
            .iter()
            .filter_map(|p| p.markup.as_deref().ok().map(|m| (&p.job, m))),
    ) {
        Ok(html) => report.html = html,
        Err(d) => report.afterward.push(Afterward::HtmlNotWritten(d)),
    }
    if opts.names.is_empty() {
        super::html::remove_stale_editions(project, all.iter());
    }
    clock.done(Step::Html);

    let version = record_snapshot(project, &model, &plan, opts, &mut manifest, report);
    clock.done(Step::Snapshot);

    if let Some(p) = proofs {
        report.proof = Some(proofs::finish(project, p, version));
        clock.done(Step::Proof);
    }
    Ok(())
}

/// Step 2: the declared documents (all of them), and the selected ones.
fn expand_documents(
    model: &Project,
    opts: &Options,
    report: &mut BuildReport,
) -> Result<(Vec<Job>, Vec<Job>), Failure> {
    let (declared, departments) = declared_documents(model);
    let all = match expand(declared, &departments) {
        Ok(j) => j,
        Err(d) => {
            report.diagnostics.extend(d);
            return Err(Failure::Documents);
        }
    };
    let selected = select(all.clone(), &opts.names).map_err(Failure::UnknownDocument)?;
    Ok((all, selected))
}

/// One selected document on its way through the build.
struct Planned {
    job: Job,
    deps: DocDeps,
    markup: Result<String, Diagnostic>,
    fingerprint: String,
    /// blake3 of build/<name>.pdf as it is now.
    existing: Option<String>,
    /// `None`: up to date.
    reason: Option<Reason>,
    /// With `--print`: the print file's fingerprint and whether it must be written again.
    print: Option<PrintPlan>,
}

/// The print file of one document in a `--print` build.
struct PrintPlan {
    /// The document's fingerprint with the print settings.
    fingerprint: String,
    /// blake3 of build/print/<name>.pdf as it is now.
    existing: Option<String>,
    stale: bool,
}

/// What step 3 decided, and what the later steps need of it.
struct Plan {
    documents: Vec<Planned>,
    manifest: Manifest,
    /// Every input of the selected documents: (project-relative path, model parts).
    inputs: Vec<(String, Vec<String>)>,
    hashes: BTreeMap<String, String>,
    /// Everything besides the markup that shapes a PDF (tool, style sheet, fonts).
    setup: blake3::Hash,
    /// The print settings of a `--print` build.
    print: Option<hakusho_sources::config::PrintConfig>,
    tool: String,
}

/// Step 3: every document rendered (what each render read is what it depends on), the
/// fingerprints of the inputs they use, the previous build's manifest; each document judged
/// stale or up to date.
fn plan(
    project: &Path,
    model: &Project,
    jobs: &[Job],
    force: bool,
    print: Option<&hakusho_sources::config::PrintConfig>,
) -> Plan {
    let out_dir = project.join("build");
    // a killed build's temporary files go now, whether or not this build writes anything
    remove_stale_temps(&out_dir);
    let fonts = deps::style_fonts(project);
    let renderer = Renderer::new(&project.join("templates"));
    let base = context::base(model);
    let rendered: Vec<(Result<String, Diagnostic>, DocDeps)> = jobs
        .par_iter()
        .map(|job| {
            let (markup, recorded) = render_one(&renderer, &base, job);
            (markup, deps::of_document(model, job, recorded, &fonts))
        })
        .collect();
    // only the files the documents use (and the sources) are hashed
    let inputs = deps::all_inputs(model, rendered.iter().flat_map(|(_, d)| &d.files));
    let mut manifest = Manifest::load(project);
    let hashes = deps::hash_inputs(project, &inputs, &mut manifest.stamps);
    let tool = manifest::tool_id();
    let judge = Judge {
        project,
        force,
        tool_changed: !manifest.documents.is_empty() && manifest.tool != tool,
        setup: setup_hash(&tool, &hashes, &fonts),
        manifest: &manifest,
        inputs: &inputs,
        hashes: &hashes,
        print,
    };
    let documents: Vec<Planned> = jobs
        .par_iter()
        .zip(rendered)
        .map(|(job, (markup, deps))| judge.planned(job, markup, deps))
        .collect();
    let setup = judge.setup;
    Plan {
        documents,
        print: print.cloned(),
        manifest,
        inputs,
        hashes,
        setup,
        tool,
    }
}

impl Plan {
    /// Each selected document with its markup (`None`: it did not render).
    fn jobs_and_markups(&self) -> impl Iterator<Item = (&Job, Option<&str>)> + Clone {
        self.documents
            .iter()
            .map(|p| (&p.job, p.markup.as_deref().ok()))
    }
}

/// What deciding whether a rendered document is stale needs.
struct Judge<'a> {
    project: &'a Path,
    force: bool,
    tool_changed: bool,
    setup: blake3::Hash,
    manifest: &'a Manifest,
    inputs: &'a [(String, Vec<String>)],
    hashes: &'a BTreeMap<String, String>,
    print: Option<&'a hakusho_sources::config::PrintConfig>,
}

impl Judge<'_> {
    /// `job` rendered to `markup`, fingerprinted and judged against the manifest and build/.
    fn planned(&self, job: &Job, markup: Result<String, Diagnostic>, deps: DocDeps) -> Planned {
        let fingerprint = match &markup {
            Ok(m) => {
                let mut h = blake3::Hasher::new();
                h.update(self.setup.as_bytes());
                h.update(job.name.as_bytes());
                h.update(b"\0");
                h.update(m.as_bytes());
                h.finalize().to_hex().to_string()
            }
            Err(_) => String::new(),
        };
        let existing = hash_output(self.project, &job.name);
        let entry = self.manifest.documents.get(&job.name);
        let reason = decide(
            self.force,
            entry,
            &fingerprint,
            existing.as_deref(),
            self.tool_changed,
            || {
                let previous = entry.map(|e| e.inputs.clone()).unwrap_or_default();
                changed_inputs(self.inputs, self.hashes, &deps, &previous)
            },
        );
        let print = self.print.map(|settings| {
            let mut h = blake3::Hasher::new();
            h.update(fingerprint.as_bytes());
            h.update(b"\0print\0");
            h.update(format!("{settings:?}").as_bytes());
            let fingerprint = h.finalize().to_hex().to_string();
            let existing = hash_file(self.project, &print_path(&job.name));
            let recorded = entry.and_then(|e| e.print.as_ref());
            let stale = self.force
                || existing.is_none()
                || recorded.is_none_or(|r| {
                    r.fingerprint != fingerprint || existing.as_deref() != Some(r.pdf.as_str())
                });
            PrintPlan {
                fingerprint,
                existing,
                stale,
            }
        });
        Planned {
            job: job.clone(),
            deps,
            markup,
            fingerprint,
            existing,
            reason,
            print,
        }
    }
}

/// build/print/<name>.pdf, relative to the project.
fn print_path(name: &str) -> std::path::PathBuf {
    Path::new("build").join("print").join(format!("{name}.pdf"))
}

/// blake3 (hex) of build/<name>.pdf as it is now, streamed; `None` when it is absent or no
/// regular file inside the project (read like every other input).
fn hash_output(project: &Path, name: &str) -> Option<String> {
    hash_file(project, &Path::new("build").join(format!("{name}.pdf")))
}

/// blake3 (hex) of the project file `rel`, as [`hash_output`].
fn hash_file(project: &Path, rel: &Path) -> Option<String> {
    let (mut file, _) = confined::open(project, rel).ok()?;
    let mut h = blake3::Hasher::new();
    io::copy(&mut file, &mut h).ok()?;
    Some(h.finalize().to_hex().to_string())
}

/// Everything besides the markup that shapes the PDF: the tool, the style sheet, the fonts.
fn setup_hash(tool: &str, hashes: &BTreeMap<String, String>, fonts: &[String]) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(tool.as_bytes());
    h.update(b"\0style\0");
    h.update(
        hashes
            .get(deps::STYLE_PATH)
            .map_or(b"".as_slice(), |s| s.as_bytes()),
    );
    for f in fonts {
        h.update(b"\0font\0");
        h.update(f.as_bytes());
        h.update(hashes.get(f).map_or(b"".as_slice(), |s| s.as_bytes()));
    }
    h.finalize()
}

/// Step 4: typesets the stale documents that rendered, in parallel; style and fonts are loaded
/// once, only when needed, and kept in `session`. Returns (index into the plan, PDF).
fn typeset(
    session: &mut Session,
    project: &Path,
    model: &Project,
    plan: &Plan,
    mut proofs: Option<&mut proofs::Pending>,
    observer: &dyn Observer,
    report: &mut BuildReport,
) -> Result<Vec<(usize, Built)>, Failure> {
    // stale documents, those with a proof to make and those whose print file is out of date
    // (laid out once for all)
    let stale: Vec<usize> = (0..plan.documents.len())
        .filter(|&i| {
            let p = &plan.documents[i];
            let proofed = proofs.as_ref().is_some_and(|pr| pr.marked.contains_key(&i));
            let print_stale = p.print.as_ref().is_some_and(|pp| pp.stale);
            (p.reason.is_some() || proofed || print_stale) && p.markup.is_ok()
        })
        .collect();
    if stale.is_empty() {
        return Ok(Vec::new());
    }
    let typesetter = typesetter(session, project, plan.setup, report)?;
    let print_typesetter = plan.print.as_ref().map(|_| print_typesetter(&typesetter));
    // a character no font has is named where it was typed, before layout can only name the
    // generated markup
    let uncovered = crate::characters::check(model, typesetter.fonts(), deps::STYLE_PATH);
    if uncovered.has_errors() {
        report.diagnostics.extend(uncovered);
        return Err(Failure::Documents);
    }
    observer.typesetting(stale.len());
    let max_pages = usize::try_from(model.config.limits.max_pages).unwrap_or(usize::MAX);
    let marked = proofs.as_ref().map(|pr| &pr.marked);
    let changes = proofs.as_ref().map(|pr| &pr.changes);
    let results: Vec<(usize, Typeset, Option<proofs::Made>)> = stale
        .par_iter()
        .map(|&i| {
            let p = &plan.documents[i];
            let markup = p.markup.as_ref().map(String::as_str).unwrap_or_default();
            let printing = plan
                .print
                .as_ref()
                .filter(|_| p.print.is_some())
                .map(|settings| Printing {
                    typesetter: print_typesetter.as_ref().unwrap_or(&typesetter),
                    settings,
                    date: print_date(project, plan, &p.deps),
                });
            let r = match (marked.and_then(|m| m.get(&i)), changes) {
                (Some(m), Some(c)) => {
                    let (r, made) = proofs::typeset_with_proof(
                        project,
                        &typesetter,
                        &p.job,
                        m,
                        c,
                        max_pages,
                        printing.as_ref(),
                    );
                    (i, r, made)
                }
                _ => (
                    i,
                    typeset_one(
                        project,
                        &typesetter,
                        &p.job,
                        markup,
                        max_pages,
                        printing.as_ref(),
                    ),
                    None,
                ),
            };
            observer.typeset(&p.job.name);
            r
        })
        .collect();
    observer.typeset_all();
    let mut built = Vec::new();
    for (i, r, made) in results {
        if let (Some(made), Some(pr)) = (made, proofs.as_deref_mut()) {
            pr.made.push(made);
        }
        match r {
            Ok((b, warnings)) => {
                report.diagnostics.extend(warnings);
                built.push((i, b));
            }
            Err(d) => report.diagnostics.extend(d),
        }
    }
    Ok(built)
}

/// The typesetter of the print files: the one place the print build gets its style. The
/// screen's when the style sheet has no `print:` section, so each document is laid out once and
/// both files are written from its pages; else the print variant of the style (facing pages,
/// another page size), and the print file is laid out on its own ([`Printing::layout`]:
/// paginated from the screen's composition when the print style composes like it).
fn print_typesetter(screen: &Arc<hakusho_typeset::Typesetter>) -> Arc<hakusho_typeset::Typesetter> {
    match screen.for_print() {
        Some(print) => Arc::new(print),
        None => screen.clone(),
    }
}

/// How the print file of one document is made.
pub(super) struct Printing<'a> {
    typesetter: &'a Arc<hakusho_typeset::Typesetter>,
    settings: &'a hakusho_sources::config::PrintConfig,
    /// Seconds since 1970: the date the file carries (PDF/X requires one).
    date: i64,
}

impl Printing<'_> {
    /// The screen layout of `markup` by `screen` and, when the print typesetter is another
    /// one, the print layout (from the same composition when the print style composes like
    /// the screen's, see [`hakusho_typeset::Typesetter::layout_with_print`]).
    pub(super) fn layout(
        &self,
        screen: &hakusho_typeset::Typesetter,
        markup: &str,
        markup_name: &str,
        max_pages: usize,
    ) -> Result<Laid, Diagnostics> {
        // the print typesetter shares the screen's prepared fonts (Typesetter::for_print)
        if std::ptr::eq(self.typesetter.as_ref(), screen) {
            let (laid, warnings) = screen.layout_bounded(markup, markup_name, max_pages)?;
            return Ok((laid, None, warnings));
        }
        let (laid, print, warnings) =
            screen.layout_with_print(self.typesetter, markup, markup_name, max_pages)?;
        Ok((laid, Some(print), warnings))
    }

    /// The screen file of `laid` and the print file of `print` (of `laid` when the print
    /// typesetter is the screen's), written together.
    pub(super) fn files(
        &self,
        laid: &hakusho_typeset::LaidOutDocument,
        print: Option<&hakusho_typeset::LaidOutDocument>,
    ) -> Result<(Vec<u8>, Vec<u8>), Diagnostics> {
        let (bleed, marks) = (self.settings.bleed, self.settings.marks);
        self.typesetter
            .write_pdf_and_print_of(laid, print.unwrap_or(laid), bleed, marks, self.date)
    }
}

/// A document's screen layout, its print layout when it has one of its own, and the warnings.
pub(super) type Laid = (
    hakusho_typeset::LaidOutDocument,
    Option<hakusho_typeset::LaidOutDocument>,
    Diagnostics,
);

/// Lays `markup` out for the screen and, with `printing`, for print ([`Printing::layout`]).
pub(super) fn lay_out(
    typesetter: &hakusho_typeset::Typesetter,
    printing: Option<&Printing>,
    markup: &str,
    markup_name: &str,
    max_pages: usize,
) -> Result<Laid, Diagnostics> {
    match printing {
        Some(p) => p.layout(typesetter, markup, markup_name, max_pages),
        None => typesetter
            .layout_bounded(markup, markup_name, max_pages)
            .map(|(laid, warnings)| (laid, None, warnings)),
    }
}

/// The date a print file carries: `SOURCE_DATE_EPOCH` when set (reproducible builds), else
/// the modification time of the newest input the document uses — the same inputs give the
/// same bytes.
fn print_date(project: &Path, plan: &Plan, deps: &DocDeps) -> i64 {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        return secs;
    }
    plan.inputs
        .iter()
        .filter(|(p, parts)| deps.uses(p, parts))
        .filter_map(|(p, _)| std::fs::metadata(project.join(p)).ok()?.modified().ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
        .unwrap_or(0)
}

/// The typesetter for `setup`: the session's when its style and fonts are the same.
fn typesetter(
    session: &mut Session,
    project: &Path,
    setup: blake3::Hash,
    report: &mut BuildReport,
) -> Result<Arc<hakusho_typeset::Typesetter>, Failure> {
    let key = setup.to_hex().to_string();
    if let Some((k, t)) = &session.typesetter {
        if *k == key {
            return Ok(t.clone());
        }
    }
    let style_path = project.join(deps::STYLE_PATH);
    match hakusho_typeset::Style::load(&style_path, project)
        .and_then(|(style, fonts)| hakusho_typeset::Typesetter::new(style, Arc::new(fonts)))
    {
        Ok(t) => {
            let t = Arc::new(t);
            session.typesetter = Some((key, t.clone()));
            Ok(t)
        }
        Err(d) => {
            report.diagnostics.extend(d);
            Err(Failure::Documents)
        }
    }
}

/// Step 5: writes what differs from build/ (temporary files, then renames into place) and
/// brings the manifest up to date in memory. A PDF whose bytes would not change is not
/// rewritten (its mtime stays).
fn write(
    project: &Path,
    plan: &mut Plan,
    built: Vec<(usize, Built)>,
    opts: &Options,
    all: &[Job],
    report: &mut BuildReport,
) -> Result<Manifest, Failure> {
    let out_dir = project.join("build");
    let mut manifest = std::mem::take(&mut plan.manifest);
    let mut states: Vec<DocumentState> = vec![DocumentState::Unchanged; plan.documents.len()];
    let mut to_write: Vec<Built> = Vec::new();
    let mut prints: Vec<Built> = Vec::new();
    for (i, mut b) in built {
        let p = &plan.documents[i];
        let pdf_hash = blake3::hash(&b.pdf).to_hex().to_string();
        let previous_print = manifest
            .documents
            .get(&b.name)
            .and_then(|e| e.print.clone());
        let print_entry = match (b.print.take(), &p.print) {
            (Some(bytes), Some(pp)) => {
                let hash = blake3::hash(&bytes).to_hex().to_string();
                if opts.force || pp.existing.as_deref() != Some(hash.as_str()) {
                    prints.push(Built {
                        name: b.name.clone(),
                        pdf: bytes,
                        pages: b.pages,
                        print: None,
                    });
                }
                Some(manifest::PrintEntry {
                    fingerprint: pp.fingerprint.clone(),
                    pdf: hash,
                })
            }
            // Typeset without --print: the print file there is judged by its old entry.
            _ => previous_print,
        };
        manifest.documents.insert(
            b.name.clone(),
            manifest::Entry {
                fingerprint: p.fingerprint.clone(),
                pdf: pdf_hash.clone(),
                pages: b.pages,
                inputs: relevant_hashes(&plan.inputs, &plan.hashes, &p.deps),
                print: print_entry,
            },
        );
        // Same bytes as the PDF already there: leave it (and its mtime) alone.
        if opts.force || p.existing.as_deref() != Some(pdf_hash.as_str()) {
            states[i] = DocumentState::Written {
                reason: p.reason.clone().unwrap_or(Reason::Content),
                pages: b.pages,
            };
            to_write.push(b);
        }
    }
    for p in plan.documents.iter().filter(|p| p.reason.is_none()) {
        if let Some(e) = manifest.documents.get_mut(&p.job.name) {
            e.inputs = relevant_hashes(&plan.inputs, &plan.hashes, &p.deps);
        }
    }
    // The screen and print files are renamed into place together, after all were written.
    let print_dir = out_dir.join("print");
    let mut sets: Vec<(&Path, &[Built])> = Vec::new();
    if !to_write.is_empty() {
        sets.push((&out_dir, &to_write));
    }
    if opts.print && !prints.is_empty() {
        sets.push((&print_dir, &prints));
    }
    if !sets.is_empty() {
        write_output_sets(&sets).map_err(Failure::Output)?;
    }
    if opts.print {
        report.print = Some(PrintReport {
            written: prints
                .iter()
                .map(|b| format!("build/print/{}.pdf", b.name))
                .collect(),
            unchanged: plan.documents.len() - prints.len(),
        });
    }
    for p in &plan.documents {
        // The markup kept by an earlier failed build of this document is stale now.
        let _ = std::fs::remove_file(out_dir.join(format!("{}.markup.html", p.job.name)));
    }
    if opts.names.is_empty() {
        // Documents no longer declared.
        manifest
            .documents
            .retain(|name, _| all.iter().any(|j| j.name == *name));
    }
    report.documents = plan
        .documents
        .iter()
        .zip(states)
        .map(|(p, state)| DocumentReport {
            name: p.job.name.clone(),
            path: format!("build/{}.pdf", p.job.name),
            state,
        })
        .collect();
    Ok(manifest)
}

/// Step 6: the proofreading snapshot (full builds only: a partial build leaves other documents
/// as they were, so "changed since the last build" keeps meaning the last full build), skipped
/// when no source file changed since it was taken; then the manifest.
fn record_snapshot(
    project: &Path,
    model: &Project,
    plan: &Plan,
    opts: &Options,
    manifest: &mut Manifest,
    report: &mut BuildReport,
) -> Option<crate::proof::store::Version> {
    let out_dir = project.join("build");
    let sources = {
        let mut h = blake3::Hasher::new();
        h.update(plan.tool.as_bytes());
        for i in model.inputs() {
            let path = deps::slash(&i.path);
            h.update(path.as_bytes());
            h.update(b"\0");
            h.update(
                plan.hashes
                    .get(&path)
                    .map_or(b"".as_slice(), |x| x.as_bytes()),
            );
            h.update(b"\0");
        }
        h.finalize().to_hex().to_string()
    };
    let snapshot_current =
        manifest.sources == sources && out_dir.join(snapshot::SNAPSHOT_FILE).is_file();
    let mut version = None;
    if opts.names.is_empty() {
        let mut taken = None;
        if !snapshot_current {
            let snap = snapshot::snapshot(model);
            match snapshot::record(project, &snap) {
                Ok(changes) => {
                    manifest.sources = sources.clone();
                    report.changes = changes;
                }
                Err(e) => report.afterward.push(Afterward::SnapshotNotWritten(e)),
            }
            taken = Some(snap);
        }
        version = record_version(project, model, plan, taken, report);
    }
    if let Err(e) = manifest.save(&out_dir, &plan.tool) {
        report.afterward.push(Afterward::ManifestNotWritten(e));
    }
    version
}

/// What every document showed, for proofs of the next corrections (crate::proof::store);
/// the version when it was written (`None` when the one recorded shows the same). What the
/// documents show keys it — the snapshot file just recorded and every markup — so that a build
/// that shows nothing new costs a hash, and one that does never reads the old version back.
fn record_version(
    project: &Path,
    model: &Project,
    plan: &Plan,
    snapshot: Option<snapshot::Snapshot>,
    report: &mut BuildReport,
) -> Option<crate::proof::store::Version> {
    let mut key = blake3::Hasher::new();
    let snapshot_file = Path::new("build").join(snapshot::SNAPSHOT_FILE);
    match confined::read(project, &snapshot_file, snapshot::SNAPSHOT_MAX_BYTES) {
        Ok(bytes) => key.update(&bytes),
        // no snapshot to key by: the version is recorded again
        Err(_) => key.update(plan.tool.as_bytes()),
    };
    for (job, markup) in plan.jobs_and_markups() {
        key.update(b"\0doc\0");
        key.update(job.name.as_bytes());
        key.update(b"\0");
        key.update(markup.unwrap_or_default().as_bytes());
    }
    let key = key.finalize().to_hex().to_string();
    let make = || {
        let snapshot = snapshot.unwrap_or_else(|| snapshot::snapshot(model));
        proofs::version_with(snapshot, plan.jobs_and_markups())
    };
    match crate::proof::store::record(project, &key, make) {
        Ok(v) => v,
        Err(e) => {
            report.afterward.push(Afterward::SnapshotNotWritten(e));
            None
        }
    }
}

/// Whether (and why) a document must be typeset again.
fn decide(
    force: bool,
    entry: Option<&manifest::Entry>,
    fingerprint: &str,
    existing_pdf: Option<&str>,
    tool_changed: bool,
    changed: impl FnOnce() -> Vec<String>,
) -> Option<Reason> {
    if force {
        return Some(Reason::Forced);
    }
    let Some(entry) = entry else {
        return Some(Reason::New);
    };
    if entry.fingerprint != fingerprint {
        let changed = changed();
        return Some(if !changed.is_empty() {
            Reason::Inputs(changed)
        } else if tool_changed {
            Reason::Tool
        } else {
            Reason::Content
        });
    }
    match existing_pdf {
        None => Some(Reason::Missing),
        Some(h) if h != entry.pdf => Some(Reason::Modified),
        Some(_) => None,
    }
}

/// The inputs `deps` uses whose fingerprint differs from `previous` (added, changed, removed).
fn changed_inputs(
    inputs: &[(String, Vec<String>)],
    hashes: &BTreeMap<String, String>,
    deps: &DocDeps,
    previous: &BTreeMap<String, String>,
) -> Vec<String> {
    let now = relevant_hashes(inputs, hashes, deps);
    let mut changed: Vec<String> = now
        .iter()
        .filter(|(p, h)| previous.get(*p) != Some(*h))
        .map(|(p, _)| p.clone())
        .collect();
    changed.extend(previous.keys().filter(|p| !now.contains_key(*p)).cloned());
    changed.sort();
    changed
}

/// The fingerprints of the inputs `deps` uses.
fn relevant_hashes(
    inputs: &[(String, Vec<String>)],
    hashes: &BTreeMap<String, String>,
    deps: &DocDeps,
) -> BTreeMap<String, String> {
    inputs
        .iter()
        .filter(|(p, parts)| deps.uses(p, parts))
        .filter_map(|(p, _)| hashes.get(p).map(|h| (p.clone(), h.clone())))
        .collect()
}

/// A typeset document with its warnings, or its errors.
pub(super) type Typeset = Result<(Built, Diagnostics), Diagnostics>;

/// Typesets one document's markup.
fn typeset_one(
    project: &Path,
    typesetter: &hakusho_typeset::Typesetter,
    job: &Job,
    markup: &str,
    max_pages: usize,
    printing: Option<&Printing>,
) -> Typeset {
    // Diagnostics of the typesetter point into the rendered markup; keep it where the template
    // author can read those lines (build/<name>.markup.html: not a PDF).
    let markup_name = format!("build/{}.markup.html", job.name);
    let made = lay_out(typesetter, printing, markup, &markup_name, max_pages).and_then(
        |(mut laid, print_laid, warnings)| {
            laid.standards = job.standards;
            let (pdf, print) = match printing {
                Some(p) => {
                    let (pdf, print) = p.files(&laid, print_laid.as_ref())?;
                    (pdf, Some(print))
                }
                None => (typesetter.write_pdf(&laid)?, None),
            };
            Ok((laid.pages.len(), pdf, print, warnings))
        },
    );
    match made {
        Ok((pages, pdf, print, warnings)) => Ok((
            Built {
                name: job.name.clone(),
                pdf,
                pages,
                print,
            },
            warnings,
        )),
        Err(d) => {
            let dir = project.join("build");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}.markup.html", job.name)), markup);
            Err(d)
        }
    }
}
