//! `hakusho build`: every document declared in sources/hakusho.yaml (or the named ones) →
//! build/<name>.pdf, typesetting only what changed.
//!
//! The build itself is [`driver::build`] (named steps, a typed [`BuildReport`]); this module
//! holds what its steps use — the documents to build ([`Job`], [`expand`], [`select`]), the
//! atomic writing of outputs ([`write_outputs`]), why a document is rebuilt ([`Reason`]). The
//! the command ([`crate::cmd::build`]), which prints the report through [`crate::messages`].
//!
//! A build with any error writes no PDF and leaves the previous outputs (and the manifest)
//! untouched. A PDF whose bytes would not change is not rewritten (its mtime stays). The
//! summary names each rebuilt document with the inputs that changed for it (see [`deps`]),
//! counts the unchanged ones, and (for a full build) counts the indicator values and paragraphs
//! that changed since the last build (`hakusho diff --last` for the details).

pub mod deps;
pub mod driver;
pub mod html;
pub mod manifest;
mod proofs;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Location};
use hakusho_sources::config::{DocumentDecl, Each};
use rayon::prelude::*;

use crate::render::record::{RecordedDeps, Recorder};
use crate::render::{context, Renderer};

use deps::DocDeps;
pub use driver::{
    build, Afterward, BuildReport, DocumentReport, DocumentState, Failure, Observer, Quiet,
    Session, Step,
};

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
    /// The web edition asked for (`html:` of the declaration).
    pub html: Option<hakusho_sources::config::HtmlEdition>,
    /// The standards its PDF declares (`pdf: { standards: [...] }` of the declaration).
    pub standards: hakusho_typeset::Standards,
}

/// The typesetter's view of `pdf: { standards: [...] }` (validation has refused two PDF/A
/// levels; were there two, the first would count).
pub fn standards_of(pdf: &hakusho_sources::config::PdfOptions) -> hakusho_typeset::Standards {
    use hakusho_sources::config::PdfStandard;
    use hakusho_typeset::PdfALevel;
    hakusho_typeset::Standards {
        ua1: pdf.standards.contains(&PdfStandard::Ua1),
        pdfa: pdf.standards.iter().find_map(|s| match s {
            PdfStandard::Ua1 => None,
            PdfStandard::A2a => Some(PdfALevel::A),
            PdfStandard::A2b => Some(PdfALevel::B),
            PdfStandard::A2u => Some(PdfALevel::U),
        }),
    }
}

/// Whether `name` can name a file directly inside build/: no path separators, no `..`, not
/// hidden, no control characters.
pub fn is_safe_output_name(name: &str) -> bool {
    hakusho_sources::is_safe_file_name(name)
}

/// Expands the documents declared in hakusho.yaml: `{id}` and `{name}` in a per-department
/// document's name and title are replaced by each department's id and Japanese name
/// (`departments` in order). Every error points at the `name:` line of the declaration it
/// comes from; a name given twice also names the line of its first declaration.
pub fn expand(
    declared: &[DocumentDecl],
    departments: &[(String, String)],
) -> Result<Vec<Job>, Diagnostics> {
    // each job with the declaration it comes from
    let mut jobs: Vec<(Job, &DocumentDecl)> = Vec::new();
    for d in declared {
        match d.each {
            None => jobs.push((
                Job {
                    name: d.name.clone(),
                    template: d.template.clone(),
                    title: d.title.clone(),
                    department: None,
                    html: d.html,
                    standards: standards_of(&d.pdf),
                },
                d,
            )),
            Some(Each::Department) => {
                for (id, name) in departments {
                    let fill = |s: &str| s.replace("{id}", id).replace("{name}", name);
                    let job = Job {
                        name: fill(&d.name),
                        template: d.template.clone(),
                        title: fill(&d.title),
                        department: Some(id.clone()),
                        html: d.html,
                        standards: standards_of(&d.pdf),
                    };
                    jobs.push((job, d));
                }
            }
        }
    }
    let mut diags = Diagnostics::new();
    let mut first: HashMap<&str, &Location> = HashMap::new();
    for (job, decl) in &jobs {
        let at = &decl.location.0;
        if !is_safe_output_name(&job.name) {
            diags.error(
                at.clone(),
                format!(
                    "文書名「{}」は使えません。build/ の中のファイル名になるため、/ \\ .. などを含めないでください",
                    job.name
                ),
                format!(
                    "document name '{}' is not allowed: it names a file inside build/, so it must not contain / \\ .. or similar",
                    job.name
                ),
            );
        } else if let Some(earlier) = first.get(job.name.as_str()) {
            diags.error(
                at.clone(),
                format!(
                    "文書名「{}」が重複しています（先の宣言: {earlier}）。別の名前にしてください",
                    job.name
                ),
                format!(
                    "document name '{}' is declared twice (first at {earlier}); give it another name",
                    job.name
                ),
            );
        } else {
            first.insert(&job.name, at);
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(jobs.into_iter().map(|(job, _)| job).collect())
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
    /// The print file, when the build makes them (`--print`).
    pub print: Option<Vec<u8>>,
}

/// Writes every PDF to a temporary file in `dir` (each fsynced), then renames them all into
/// place and fsyncs `dir`. If any temporary file cannot be written, none is renamed and the
/// temporary files are removed, so the previous outputs stay as they were. Returns the final
/// paths.
pub fn write_outputs(dir: &Path, built: &[Built]) -> io::Result<Vec<PathBuf>> {
    Ok(write_output_sets(&[(dir, built)])?.concat())
}

/// [`write_outputs`] for several directories at once (the screen files in build/, the print
/// files in build/print/): every file of every set is written before any is renamed. The
/// files are written and fsynced in parallel: an fsync waits for the disk, and the waits
/// overlap.
pub fn write_output_sets(sets: &[(&Path, &[Built])]) -> io::Result<Vec<Vec<PathBuf>>> {
    let pid = std::process::id();
    let mut temps: Vec<(PathBuf, PathBuf, &[u8])> = Vec::new();
    for (dir, built) in sets {
        fs::create_dir_all(dir)?;
        remove_stale_temps(dir);
        for b in *built {
            let final_path = dir.join(format!("{}.pdf", b.name));
            let tmp = dir.join(format!(".{}.pdf.{pid}.tmp", b.name));
            temps.push((tmp, final_path, &b.pdf));
        }
    }
    let written: Vec<io::Result<()>> = temps
        .par_iter()
        .map(|(tmp, _, bytes)| {
            let mut f = fs::File::create(tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })
        .collect();
    let result = written.into_iter().collect::<io::Result<()>>();
    // A final path that cannot be replaced by a file fails the whole write before any rename.
    let result = result.and_then(|()| match temps.iter().find(|(_, f, _)| f.is_dir()) {
        Some((_, f, _)) => Err(io::Error::other(format!("{} is a directory", f.display()))),
        None => Ok(()),
    });
    let remove_temps = || {
        for (tmp, _, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
    };
    if let Err(e) = result {
        remove_temps();
        return Err(e);
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (dir, built) in sets {
        let mut written = Vec::new();
        for (tmp, final_path, _) in &temps[at..at + built.len()] {
            if let Err(e) = fs::rename(tmp, final_path) {
                remove_temps();
                return Err(e);
            }
            written.push(final_path.clone());
        }
        at += built.len();
        crate::files::sync_dir(dir);
        out.push(written);
    }
    Ok(out)
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

/// The documents hakusho.yaml declares, and the departments (id, name) in order.
pub fn declared_documents(
    p: &hakusho_sources::Project,
) -> (&[DocumentDecl], Vec<(String, String)>) {
    let departments = p
        .departments
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    (&p.config.documents, departments)
}

/// Every document of the project rendered from the sources as they are, with its dependencies
/// (what its render read) and its markup (`None` when its template fails), for `hakusho diff`.
pub fn rendered_documents(
    p: &hakusho_sources::Project,
) -> Result<Vec<(Job, DocDeps, Option<String>)>, Diagnostics> {
    let (declared, departments) = declared_documents(p);
    let jobs = expand(declared, &departments)?;
    let fonts = deps::style_fonts(&p.root);
    let renderer = Renderer::new(&p.root.join("templates"));
    let base = context::base(p);
    Ok(jobs
        .into_par_iter()
        .map(|job| {
            let (markup, recorded) = render_one(&renderer, &base, &job);
            let deps = deps::of_document(p, &job, recorded, &fonts);
            (job, deps, markup.ok())
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
    /// Also write the proofs of what the last corrections changed (build/proof/).
    pub proof: bool,
    /// Also write the print files (build/print/<name>.pdf, `print:` of hakusho.yaml).
    pub print: bool,
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

/// Renders one document's template: its markup, and what the render read (also when it
/// failed: what it read until then).
pub(crate) fn render_one(
    renderer: &Renderer,
    base: &context::Base,
    job: &Job,
) -> (Result<String, Diagnostic>, RecordedDeps) {
    let recorder = Recorder::default();
    let ctx = context::for_document(
        base,
        &context::DocumentInfo {
            name: &job.name,
            title: &job.title,
            template: &job.template,
            department: job.department.as_deref(),
        },
        &recorder,
    );
    let markup = renderer.render_recording(&job.template, ctx, &recorder);
    (markup, recorder.recorded())
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
            print: None,
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

    fn decl(name: &str, template: &str, each: Option<Each>, line: u32) -> DocumentDecl {
        DocumentDecl {
            name: name.into(),
            template: template.into(),
            title: "運営方針 {name}".into(),
            each,
            html: None,
            pdf: Default::default(),
            location: hakusho_sources::model::Loc(Location::text("sources/hakusho.yaml", line, 5)),
        }
    }

    #[test]
    fn each_department_expands() {
        let declared = vec![decl(
            "booklet-{id}",
            "booklet.html",
            Some(Each::Department),
            3,
        )];
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

    /// Issue 12: a duplicate name was located at the first declaration using the same template,
    /// which is the wrong line when two documents share one.
    #[test]
    fn a_duplicate_name_points_at_its_own_line() {
        let declared = vec![
            decl("summary", "plan.html", None, 3),
            decl("summary", "plan.html", None, 7),
        ];
        let diags = expand(&declared, &[]).unwrap_err();
        let d = diags.iter().next().unwrap();
        assert_eq!(d.location, Location::text("sources/hakusho.yaml", 7, 5));
        assert!(
            d.ja.contains("先の宣言: sources/hakusho.yaml:3"),
            "{}",
            d.ja
        );
        // one expanded from a per-department declaration points at that declaration
        let declared = vec![
            decl("booklet-kikaku", "a.html", None, 3),
            decl("booklet-{id}", "a.html", Some(Each::Department), 9),
        ];
        let diags = expand(&declared, &[("kikaku".into(), "企画部".into())]).unwrap_err();
        let d = diags.iter().next().unwrap();
        assert_eq!(d.location, Location::text("sources/hakusho.yaml", 9, 5));
    }

    #[test]
    fn unknown_names_list_the_declared_ones() {
        let jobs = vec![Job {
            name: "a".into(),
            template: "t.html".into(),
            title: "T".into(),
            department: None,
            html: None,
            standards: Default::default(),
        }];
        let err = select(jobs, &["b".into()]).unwrap_err();
        assert!(err.ja.contains("b") && err.ja.contains("宣言されている文書: a"));
    }
}
