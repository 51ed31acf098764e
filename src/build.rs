//! `hakusho build`: every document declared in sources/hakusho.yaml (or the named ones) →
//! build/<name>.pdf, typesetting only what changed.
//!
//! Steps: load and validate the sources (reported exactly like `hakusho check`); expand the
//! declared documents (`each: department` → one per department); render every document (cheap)
//! and fingerprint what would be typeset — the markup, the style sheet, the fonts and the tool —
//! with blake3; typeset (in parallel) only the documents whose fingerprint differs from the one
//! in build/.hakusho-manifest.json, or whose PDF is missing or was changed by hand (`--force`:
//! all); then, only if every document succeeded, write each new PDF to a temporary file in
//! build/ (fsync), rename it into place and fsync build/. A build with any error writes no PDF
//! and leaves the previous outputs (and the manifest) untouched. A PDF whose bytes would not
//! change is not rewritten (its mtime stays).
//!
//! The summary names each rebuilt document with the inputs that changed for it (see
//! [`deps`]), counts the unchanged ones, and (for a full build) counts the indicator values and
//! paragraphs that changed since the last build (`hakusho diff --last` for the details).

pub mod deps;
pub mod manifest;
pub mod progress;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Location};
use rayon::prelude::*;

use crate::messages::{self, Console};
use crate::render::{context, Renderer};

use deps::DocDeps;
use manifest::Manifest;

/// One document to build, after expanding `each: department`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Output name: build/<name>.pdf.
    pub name: String,
    /// Template file inside templates/.
    pub template: String,
    /// The document title (PDF /Title, `document.title` in templates).
    pub title: String,
    /// For `each: department` documents, the department id.
    pub department: Option<String>,
}

/// A document declaration as written in hakusho.yaml.
#[derive(Debug, Clone)]
pub struct Declared {
    pub name: String,
    pub template: String,
    pub title: String,
    pub each: Option<String>,
    pub location: Location,
}

/// Whether `name` can name a file directly inside build/: no path separators, no `..`, not
/// hidden, no control characters.
pub fn is_safe_output_name(name: &str) -> bool {
    hakusho_sources::is_safe_file_name(name)
}

/// Expands the declared documents: `{id}` and `{name}` in a per-department document's name and
/// title are replaced by each department's id and Japanese name (`departments` in order).
pub fn expand(
    declared: &[Declared],
    departments: &[(String, String)],
) -> Result<Vec<Job>, Diagnostics> {
    let mut jobs = Vec::new();
    let mut diags = Diagnostics::new();
    for d in declared {
        match d.each.as_deref() {
            None => jobs.push(Job {
                name: d.name.clone(),
                template: d.template.clone(),
                title: d.title.clone(),
                department: None,
            }),
            Some("department") => {
                for (id, name) in departments {
                    let fill = |s: &str| s.replace("{id}", id).replace("{name}", name);
                    jobs.push(Job {
                        name: fill(&d.name),
                        template: d.template.clone(),
                        title: fill(&d.title),
                        department: Some(id.clone()),
                    });
                }
            }
            Some(other) => diags.error(
                d.location.clone(),
                format!(
                    "文書「{}」の each: {other} は使えません（department のみ）",
                    d.name
                ),
                format!(
                    "document '{}': each: {other} is not supported (only department)",
                    d.name
                ),
            ),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (job, loc) in jobs.iter().map(|j| {
        let loc = declared
            .iter()
            .find(|d| d.template == j.template)
            .map(|d| d.location.clone())
            .unwrap_or(Location::None);
        (j, loc)
    }) {
        if !is_safe_output_name(&job.name) {
            diags.error(
                loc.clone(),
                format!(
                    "文書名「{}」は使えません。build/ の中のファイル名になるため、/ \\ .. などを含めないでください",
                    job.name
                ),
                format!(
                    "document name '{}' is not allowed: it names a file inside build/, so it must not contain / \\ .. or similar",
                    job.name
                ),
            );
        } else if !seen.insert(job.name.clone()) {
            diags.error(
                loc,
                format!("文書名「{}」が重複しています", job.name),
                format!("document name '{}' is declared twice", job.name),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(jobs)
    }
}

/// Picks the named jobs (all when `names` is empty). An unknown name is an error that lists the
/// declared names.
pub fn select(jobs: Vec<Job>, names: &[String]) -> Result<Vec<Job>, Diagnostic> {
    if names.is_empty() {
        return Ok(jobs);
    }
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !jobs.iter().any(|j| &j.name == *n))
        .collect();
    if !unknown.is_empty() {
        let unknown = unknown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let declared = jobs
            .iter()
            .map(|j| j.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Diagnostic::error(
            Location::file("sources/hakusho.yaml"),
            format!(
                "文書 {unknown} は sources/hakusho.yaml の documents に宣言されていません。宣言されている文書: {declared}"
            ),
            format!(
                "document {unknown} is not declared in sources/hakusho.yaml (documents); declared: {declared}"
            ),
        ));
    }
    let mut picked = Vec::new();
    for j in jobs {
        if names.contains(&j.name) {
            picked.push(j);
        }
    }
    Ok(picked)
}

/// A finished document, not yet written.
pub struct Built {
    pub name: String,
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Writes every PDF to a temporary file in `dir` (each fsynced), then renames them all into
/// place and fsyncs `dir`. If any temporary file cannot be written, none is renamed and the
/// temporary files are removed, so the previous outputs stay as they were. Returns the final
/// paths.
pub fn write_outputs(dir: &Path, built: &[Built]) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    remove_stale_temps(dir);
    let pid = std::process::id();
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for b in built {
            let final_path = dir.join(format!("{}.pdf", b.name));
            let tmp = dir.join(format!(".{}.pdf.{pid}.tmp", b.name));
            temps.push((tmp.clone(), final_path));
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&b.pdf)?;
            f.sync_all()?;
        }
        Ok(())
    })();
    // A final path that cannot be replaced by a file fails the whole write before any rename.
    let result = result.and_then(|()| match temps.iter().find(|(_, f)| f.is_dir()) {
        Some((_, f)) => Err(io::Error::other(format!("{} is a directory", f.display()))),
        None => Ok(()),
    });
    if let Err(e) = result {
        for (tmp, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    for (tmp, final_path) in &temps {
        if let Err(e) = fs::rename(tmp, final_path) {
            for (t, _) in &temps {
                let _ = fs::remove_file(t);
            }
            return Err(e);
        }
        written.push(final_path.clone());
    }
    manifest::sync_dir(dir);
    Ok(written)
}

/// Removes temporary files (`.<name>.<pid>.tmp`: PDFs, the manifest) that a killed build left
/// in `dir`: those whose process is not a running hakusho. Decided by pid rather than under a
/// build lock: a lock left by a killed build would need the same staleness test, and two builds
/// of one project (`watch` and a manual `build`) must not delete each other's files in flight
/// (a running hakusho's temps are kept; a pid reused by another program does not keep them).
/// Only where processes can be told apart (Linux: /proc); elsewhere the files stay.
pub fn remove_stale_temps(dir: &Path) {
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    let own = fs::read(proc.join("comm")).ok();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".tmp").filter(|_| name.starts_with('.')) else {
            continue;
        };
        let Some(pid) = stem.rsplit('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let running_hakusho = fs::read(format!("/proc/{pid}/comm"))
            .ok()
            .is_some_and(|c| Some(c) == own);
        if !running_hakusho && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn display_path(project: &Path, path: &Path) -> String {
    path.strip_prefix(project)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The documents hakusho.yaml declares, and the departments (id, name) in order.
pub fn declared_documents(p: &hakusho_sources::Project) -> (Vec<Declared>, Vec<(String, String)>) {
    let declared = p
        .config
        .documents
        .iter()
        .map(|d| Declared {
            name: d.name.clone(),
            template: d.template.clone(),
            title: d.title.clone(),
            each: d.each.map(|_| "department".to_string()),
            location: d.location.0.clone(),
        })
        .collect();
    let departments = p
        .departments
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    (declared, departments)
}

/// Every document of the project with its dependencies (for `hakusho diff`, `hakusho watch`).
pub fn documents(p: &hakusho_sources::Project) -> Result<Vec<(Job, DocDeps)>, Diagnostics> {
    let (declared, departments) = declared_documents(p);
    let jobs = expand(&declared, &departments)?;
    let fonts = deps::style_fonts(&p.root);
    Ok(jobs
        .into_iter()
        .map(|j| {
            let d = deps::of_job(p, &j, &fonts);
            (j, d)
        })
        .collect())
}

/// Every document of the project with its dependencies and its markup rendered from the
/// sources as they are (`None` when its template fails).
pub fn rendered_documents(
    p: &hakusho_sources::Project,
) -> Result<Vec<(Job, DocDeps, Option<String>)>, Diagnostics> {
    let renderer = Renderer::new(&p.root.join("templates"));
    let base = context::base(p);
    Ok(documents(p)?
        .into_par_iter()
        .map(|(job, deps)| {
            let markup = render_one(&renderer, &base, &job).ok();
            (job, deps, markup)
        })
        .collect())
}

/// What `hakusho build` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Document names; empty: every declared document.
    pub names: Vec<String>,
    /// Typeset and write every selected document, changed or not.
    pub force: bool,
}

/// How a build went.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether it succeeded (every selected document is up to date in build/).
    pub ok: bool,
    /// The exit code for the command line.
    pub code: u8,
    /// Names of the documents written by this build.
    pub written: Vec<String>,
    /// Names of the documents left as they were.
    pub unchanged: Vec<String>,
}

/// `HAKUSHO_TIMING=1`: the build's phases on stderr.
struct Timing {
    on: bool,
    last: Instant,
}

impl Timing {
    fn new() -> Timing {
        Timing {
            on: std::env::var_os("HAKUSHO_TIMING").is_some(),
            last: Instant::now(),
        }
    }

    fn phase(&mut self, name: &str) {
        if self.on {
            eprintln!(
                "timing: {name}: {:.1} ms",
                self.last.elapsed().as_secs_f64() * 1000.0
            );
        }
        self.last = Instant::now();
    }
}

/// Why a document is typeset again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `--force`.
    Forced,
    /// Not in the manifest (first build, or the manifest was removed).
    New,
    /// These inputs changed since the document was last built.
    Inputs(Vec<String>),
    /// Another tool version or binary.
    Tool,
    /// The markup changed but no recorded input did (e.g. an older manifest).
    Content,
    /// The PDF in build/ is gone.
    Missing,
    /// The PDF in build/ is not the one written.
    Modified,
}

pub fn run(project: &Path, opts: &Options, console: &mut Console) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::from(execute(project, opts, console)?.code))
}

/// One selected document on its way through the build.
struct Planned<'a> {
    job: &'a Job,
    deps: DocDeps,
    markup: Result<String, Diagnostic>,
    fingerprint: String,
    /// blake3 of build/<name>.pdf as it is now.
    existing: Option<String>,
    /// `None`: up to date.
    reason: Option<Reason>,
}

/// Builds (see the module comment); prints problems to stderr and the summary to stdout.
pub fn execute(project: &Path, opts: &Options, console: &mut Console) -> io::Result<Outcome> {
    execute_in(&mut Session::default(), project, opts, console)
}

/// What a long-running caller (`hakusho watch`) keeps between builds: the loaded style and
/// fonts, reused while the style sheet, the fonts and the tool are unchanged.
#[derive(Default)]
pub struct Session {
    typesetter: Option<(String, Arc<hakusho_typeset::Typesetter>)>,
}

/// [`execute`], reusing what `session` holds from an earlier build.
pub fn execute_in(
    session: &mut Session,
    project: &Path,
    opts: &Options,
    console: &mut Console,
) -> io::Result<Outcome> {
    let lang = console.lang;
    let started = Instant::now();
    let mut timing = Timing::new();
    let fail = |code: u8| {
        Ok(Outcome {
            ok: false,
            code,
            ..Outcome::default()
        })
    };

    // 1. Sources, reported exactly like `hakusho check`.
    let (model, source_diags) = hakusho_sources::load_project(project);
    let source_errors = messages::diagnostics_with_count(console.err, lang, &source_diags)?;
    let model = match model {
        Some(m) if !source_errors => m,
        _ => {
            messages::build_failed(console.err, lang)?;
            return fail(1);
        }
    };

    timing.phase("load sources");

    // 2. The documents to build.
    let (declared, departments) = declared_documents(&model);
    let jobs = match expand(&declared, &departments) {
        Ok(j) => j,
        Err(d) => {
            messages::diagnostics_with_count(console.err, lang, &d)?;
            messages::build_failed(console.err, lang)?;
            return fail(1);
        }
    };
    let jobs = match select(jobs, &opts.names) {
        Ok(j) => j,
        Err(d) => {
            messages::diagnostic(console.err, lang, &d)?;
            return fail(1);
        }
    };

    // 3. Fingerprints of the inputs, the previous build's manifest.
    let out_dir = project.join("build");
    // a killed build's temporary files go now, whether or not this build writes anything
    remove_stale_temps(&out_dir);
    let fonts = deps::style_fonts(project);
    // what each document uses; only those files (and the sources) are hashed
    let job_deps: Vec<DocDeps> = jobs
        .iter()
        .map(|job| deps::of_job(&model, job, &fonts))
        .collect();
    let inputs = deps::all_inputs(&model, job_deps.iter().flat_map(|d| &d.files));
    let mut manifest = Manifest::load(&out_dir);
    let hashes = deps::hash_inputs(project, &inputs, &mut manifest.stamps);
    let tool = manifest::tool_id();
    let tool_changed = !manifest.documents.is_empty() && manifest.tool != tool;
    let setup = {
        // Everything besides the markup that shapes the PDF.
        let mut h = blake3::Hasher::new();
        h.update(tool.as_bytes());
        h.update(b"\0style\0");
        h.update(
            hashes
                .get(deps::STYLE_PATH)
                .map_or(b"".as_slice(), |s| s.as_bytes()),
        );
        for f in &fonts {
            h.update(b"\0font\0");
            h.update(f.as_bytes());
            h.update(hashes.get(f).map_or(b"".as_slice(), |s| s.as_bytes()));
        }
        h.finalize()
    };

    timing.phase("hash inputs");

    // 4. Render every document (cheap) and decide which ones to typeset.
    let renderer = Renderer::new(&project.join("templates"));
    let base = context::base(&model);
    let planned: Vec<Planned> = jobs
        .par_iter()
        .zip(job_deps)
        .map(|(job, deps)| {
            let markup = render_one(&renderer, &base, job);
            let fingerprint = match &markup {
                Ok(m) => {
                    let mut h = blake3::Hasher::new();
                    h.update(setup.as_bytes());
                    h.update(job.name.as_bytes());
                    h.update(b"\0");
                    h.update(m.as_bytes());
                    h.finalize().to_hex().to_string()
                }
                Err(_) => String::new(),
            };
            let existing = fs::read(out_dir.join(format!("{}.pdf", job.name)))
                .ok()
                .map(|b| blake3::hash(&b).to_hex().to_string());
            let reason = decide(
                opts.force,
                manifest.documents.get(&job.name),
                &fingerprint,
                existing.as_deref(),
                tool_changed,
                || {
                    let previous = manifest
                        .documents
                        .get(&job.name)
                        .map(|e| &e.inputs)
                        .cloned()
                        .unwrap_or_default();
                    changed_inputs(&inputs, &hashes, &deps, &previous)
                },
            );
            Planned {
                job,
                deps,
                markup,
                fingerprint,
                existing,
                reason,
            }
        })
        .collect();

    timing.phase("render + fingerprint");
    let mut diags = Diagnostics::new();
    for p in &planned {
        if let Err(d) = &p.markup {
            diags.push(d.clone());
        }
    }
    let to_typeset: Vec<&Planned> = planned
        .iter()
        .filter(|p| p.reason.is_some() && p.markup.is_ok())
        .collect();

    // 5. Typeset what changed, in parallel; style and fonts loaded once, only when needed.
    let mut built: Vec<(usize, Built)> = Vec::new();
    if !to_typeset.is_empty() {
        let key = setup.to_hex().to_string();
        let cached = session
            .typesetter
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, t)| t.clone());
        let typesetter = match cached {
            Some(t) => t,
            None => {
                let style_path = project.join(deps::STYLE_PATH);
                match hakusho_typeset::Style::load(&style_path, project).and_then(
                    |(style, fonts)| hakusho_typeset::Typesetter::new(style, Arc::new(fonts)),
                ) {
                    Ok(t) => {
                        let t = Arc::new(t);
                        session.typesetter = Some((key, t.clone()));
                        t
                    }
                    Err(d) => {
                        diags.extend(d);
                        messages::diagnostics_with_count(console.err, lang, &diags)?;
                        messages::build_failed(console.err, lang)?;
                        return fail(1);
                    }
                }
            }
        };
        timing.phase("load style + fonts");
        // a character no font has is named where it was typed, before layout can only name
        // the generated markup
        let uncovered = crate::characters::check(&model, typesetter.fonts(), deps::STYLE_PATH);
        if uncovered.has_errors() {
            diags.extend(uncovered);
            messages::diagnostics_with_count(console.err, lang, &diags)?;
            messages::build_failed(console.err, lang)?;
            return fail(1);
        }
        timing.phase("characters");
        let progress = progress::Progress::new(to_typeset.len(), lang);
        let max_pages = usize::try_from(model.config.limits.max_pages).unwrap_or(usize::MAX);
        let results: Vec<(usize, Typeset)> = to_typeset
            .par_iter()
            .map(|p| {
                let markup = p.markup.as_ref().expect("rendered");
                let r = typeset_one(project, &typesetter, p.job, markup, max_pages);
                progress.finished(&p.job.name);
                let idx = planned
                    .iter()
                    .position(|q| std::ptr::eq(q.job, p.job))
                    .unwrap_or(0);
                (idx, r)
            })
            .collect();
        progress.clear();
        timing.phase("typeset");
        for (idx, r) in results {
            match r {
                Ok((b, w)) => {
                    diags.extend(w);
                    built.push((idx, b));
                }
                Err(d) => diags.extend(d),
            }
        }
    }
    if messages::diagnostics_with_count(console.err, lang, &diags)? {
        messages::build_failed(console.err, lang)?;
        return fail(1);
    }

    // 6. Write what differs from build/: temporary files, then rename into place.
    let mut to_write: Vec<Built> = Vec::new();
    let mut written_reasons: Vec<(Reason, usize)> = Vec::new();
    let mut new_entries: Vec<(String, manifest::Entry)> = Vec::new();
    let mut unchanged: Vec<String> = Vec::new();
    for (idx, b) in built {
        let p = &planned[idx];
        let pdf_hash = blake3::hash(&b.pdf).to_hex().to_string();
        new_entries.push((
            b.name.clone(),
            manifest::Entry {
                fingerprint: p.fingerprint.clone(),
                pdf: pdf_hash.clone(),
                pages: b.pages,
                inputs: relevant_hashes(&inputs, &hashes, &p.deps),
            },
        ));
        if !opts.force && p.existing.as_deref() == Some(pdf_hash.as_str()) {
            // Same bytes as the PDF already there: leave it (and its mtime) alone.
            unchanged.push(b.name.clone());
        } else {
            written_reasons.push((p.reason.clone().unwrap_or(Reason::Content), b.pages));
            to_write.push(b);
        }
    }
    for p in planned.iter().filter(|p| p.reason.is_none()) {
        unchanged.push(p.job.name.clone());
        if let Some(e) = manifest.documents.get(&p.job.name) {
            let mut e = e.clone();
            e.inputs = relevant_hashes(&inputs, &hashes, &p.deps);
            new_entries.push((p.job.name.clone(), e));
        }
    }
    let written = if to_write.is_empty() {
        Vec::new()
    } else {
        match write_outputs(&out_dir, &to_write) {
            Ok(w) => w,
            Err(e) => {
                messages::write_failed(console.err, lang, &e)?;
                return fail(1);
            }
        }
    };
    for p in &planned {
        // The markup kept by an earlier failed build of this document is stale now.
        let _ = fs::remove_file(out_dir.join(format!("{}.markup.html", p.job.name)));
    }
    for (name, e) in new_entries {
        manifest.documents.insert(name, e);
    }
    if opts.names.is_empty() {
        // Documents no longer declared.
        manifest
            .documents
            .retain(|name, _| jobs.iter().any(|j| j.name == *name));
    }
    timing.phase("write");

    // 7. The proofreading snapshot (full builds only: a partial build leaves other documents
    //    as they were, so "changed since the last build" keeps meaning the last full build).
    //    Skipped when no source file changed since the snapshot was taken.
    let sources = {
        let mut h = blake3::Hasher::new();
        h.update(tool.as_bytes());
        for i in model.inputs() {
            let path = deps::slash(&i.path);
            h.update(path.as_bytes());
            h.update(b"\0");
            h.update(hashes.get(&path).map_or(b"".as_slice(), |x| x.as_bytes()));
            h.update(b"\0");
        }
        h.finalize().to_hex().to_string()
    };
    let snapshot_current =
        manifest.sources == sources && out_dir.join(crate::diff::SNAPSHOT_FILE).is_file();
    let changes = if opts.names.is_empty() && !snapshot_current {
        match crate::diff::record(&out_dir, &model) {
            Ok(c) => {
                manifest.sources = sources;
                c
            }
            Err(e) => {
                messages::snapshot_not_written(console.err, lang, &e)?;
                None
            }
        }
    } else {
        None
    };

    timing.phase("snapshot");
    if let Err(e) = manifest.save(&out_dir, &tool) {
        messages::manifest_not_written(console.err, lang, manifest::MANIFEST_FILE, &e)?;
    }

    // 8. Summary.
    for (path, (reason, pages)) in written.iter().zip(&written_reasons) {
        messages::document_written(
            console.out,
            lang,
            &display_path(project, path),
            *pages,
            reason,
        )?;
    }
    if !unchanged.is_empty() {
        messages::documents_unchanged(console.out, lang, unchanged.len())?;
    }
    if let Some(line) = changes
        .as_ref()
        .and_then(|c| messages::changes_brief(c, lang))
    {
        writeln!(console.out, "{line}")?;
    }
    let secs = started.elapsed().as_secs_f64();
    messages::build_finished(console.out, lang, written.len(), secs)?;
    Ok(Outcome {
        ok: true,
        code: 0,
        written: to_write.iter().map(|b| b.name.clone()).collect(),
        unchanged,
    })
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
    hashes: &std::collections::BTreeMap<String, String>,
    deps: &DocDeps,
    previous: &std::collections::BTreeMap<String, String>,
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
    hashes: &std::collections::BTreeMap<String, String>,
    deps: &DocDeps,
) -> std::collections::BTreeMap<String, String> {
    inputs
        .iter()
        .filter(|(p, parts)| deps.uses(p, parts))
        .filter_map(|(p, _)| hashes.get(p).map(|h| (p.clone(), h.clone())))
        .collect()
}

/// Renders one document's template.
fn render_one(renderer: &Renderer, base: &context::Base, job: &Job) -> Result<String, Diagnostic> {
    let ctx = context::for_document(
        base,
        &context::DocumentInfo {
            name: &job.name,
            title: &job.title,
            template: &job.template,
            department: job.department.as_deref(),
        },
    );
    renderer.render(&job.template, ctx)
}

/// A typeset document with its warnings, or its errors.
type Typeset = Result<(Built, Diagnostics), Diagnostics>;

/// Typesets one document's markup.
fn typeset_one(
    project: &Path,
    typesetter: &hakusho_typeset::Typesetter,
    job: &Job,
    markup: &str,
    max_pages: usize,
) -> Typeset {
    // Diagnostics of the typesetter point into the rendered markup; keep it where the template
    // author can read those lines (build/<name>.markup.html: not a PDF).
    let markup_name = format!("build/{}.markup.html", job.name);
    match typesetter.typeset_bounded(markup, &markup_name, max_pages) {
        Ok(out) => Ok((
            Built {
                name: job.name.clone(),
                pdf: out.pdf,
                pages: out.pages,
            },
            out.warnings,
        )),
        Err(d) => {
            let dir = project.join("build");
            let _ = fs::create_dir_all(&dir);
            let _ = fs::write(dir.join(format!("{}.markup.html", job.name)), markup);
            Err(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_renames_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.pdf"), b"old a").unwrap();
        fs::write(d.join("c.pdf"), b"old c").unwrap();
        let built = |name: &str| Built {
            name: name.into(),
            pdf: format!("new {name}").into_bytes(),
            pages: 1,
        };
        // b's temporary file cannot be created (a directory is in the way).
        let blocker = d.join(format!(".b.pdf.{}.tmp", std::process::id()));
        fs::create_dir(&blocker).unwrap();
        assert!(write_outputs(d, &[built("a"), built("b")]).is_err());
        assert_eq!(fs::read(d.join("a.pdf")).unwrap(), b"old a");
        fs::remove_dir(&blocker).unwrap();
        // c's final path is a directory: nothing is renamed either.
        fs::remove_file(d.join("c.pdf")).unwrap();
        fs::create_dir(d.join("c.pdf")).unwrap();
        assert!(write_outputs(d, &[built("a"), built("c")]).is_err());
        assert_eq!(fs::read(d.join("a.pdf")).unwrap(), b"old a");
        let names: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
        // And a good write replaces the file.
        fs::remove_dir(d.join("c.pdf")).unwrap();
        write_outputs(d, &[built("a"), built("c")]).unwrap();
        assert_eq!(fs::read(d.join("a.pdf")).unwrap(), b"new a");
        assert_eq!(fs::read(d.join("c.pdf")).unwrap(), b"new c");
    }

    #[test]
    fn output_names_stay_inside_build() {
        assert!(is_safe_output_name("hakusho-2021"));
        assert!(is_safe_output_name("booklet-seikatsu-kankyo"));
        assert!(!is_safe_output_name("../x"));
        assert!(!is_safe_output_name("a/b"));
        assert!(!is_safe_output_name(".."));
        assert!(!is_safe_output_name(".hidden"));
        assert!(!is_safe_output_name(""));
        assert!(!is_safe_output_name("a\\b"));
    }

    #[test]
    fn each_department_expands() {
        let declared = vec![Declared {
            name: "booklet-{id}".into(),
            template: "booklet.html".into(),
            title: "運営方針 {name}".into(),
            each: Some("department".into()),
            location: Location::None,
        }];
        let jobs = expand(
            &declared,
            &[
                ("kikaku".into(), "企画部".into()),
                ("somu".into(), "総務部".into()),
            ],
        )
        .unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[1].name, "booklet-somu");
        assert_eq!(jobs[1].title, "運営方針 総務部");
        assert_eq!(jobs[1].department.as_deref(), Some("somu"));
    }

    #[test]
    fn unknown_names_list_the_declared_ones() {
        let jobs = vec![Job {
            name: "a".into(),
            template: "t.html".into(),
            title: "T".into(),
            department: None,
        }];
        let err = select(jobs, &["b".into()]).unwrap_err();
        assert!(err.ja.contains("b") && err.ja.contains("宣言されている文書: a"));
    }
}
