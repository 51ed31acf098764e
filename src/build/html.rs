//! Step [`super::Step::Html`]: the web edition of every document whose declaration asks for it
//! (`html:` in sources/hakusho.yaml) → `build/html/<name>/` (index.html, 01.html…, all.html),
//! with the city's stylesheet `templates/web.css` copied to `build/html/web.css`.
//!
//! The pages are written from the markup the PDF was typeset from (the writer is
//! [`hakusho_typeset::html`]), after the PDFs, because each page links to its PDF with the
//! PDF's size. Like the PDFs: every page is made in memory first, then written to a temporary
//! file; only when all are written are they renamed into place, so a failure leaves the
//! previous edition as it was. A page whose bytes would not change is not rewritten (its mtime
//! stays); a page no longer made (a chapter removed) is removed.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use hakusho_diagnostics::{confined, Diagnostic, Location};
use hakusho_sources::config::HtmlConfig;
use hakusho_typeset::html::{self, Labels};
use rayon::prelude::*;

use super::Job;
use crate::files::{slash, sync_dir};

/// The edition's folder inside build/.
pub const HTML_DIR: &str = "html";
/// The city's stylesheet, copied beside the editions.
pub const STYLESHEET: &str = "templates/web.css";
const STYLESHEET_FILE: &str = "web.css";
/// No page or stylesheet of an edition is read back larger than this (comparing it costs a read).
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// What the step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HtmlReport {
    /// `build/html/<name>/` of each edition, in declaration order.
    pub editions: Vec<String>,
    /// Pages (and the stylesheet) written because they are new or changed.
    pub written: usize,
    /// Pages left as they were.
    pub unchanged: usize,
}

/// One file of the editions: where it goes (relative to the project) and its bytes.
struct OutFile {
    rel: PathBuf,
    bytes: Vec<u8>,
}

/// Writes the editions of `documents` (each job with its markup) whose job asks for one;
/// `force` (`build --force`) writes every page, changed or not. `Ok(None)` when none asks.
pub fn write_editions<'a>(
    project: &Path,
    labels: Option<&HtmlConfig>,
    force: bool,
    documents: impl Iterator<Item = (&'a Job, &'a str)>,
) -> Result<Option<HtmlReport>, Diagnostic> {
    let wanted: Vec<(&Job, &str, u8)> = documents
        .filter_map(|(job, markup)| job.html.map(|h| (job, markup, h.split)))
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    // validation refuses html: on a document without the labels; say so rather than panic
    let Some(labels) = labels.map(labels_of) else {
        return Err(Diagnostic::error(
            Location::file("sources/hakusho.yaml"),
            "ウェブ版の文言（sources/hakusho.yaml の html:）がありません",
            "sources/hakusho.yaml has no html: labels for the web edition",
        ));
    };
    let css =
        confined::read(project, Path::new(STYLESHEET), MAX_PAGE_BYTES).map_err(Diagnostic::from)?;
    let base = Path::new("build").join(HTML_DIR);
    let made: Vec<Result<Vec<OutFile>, Diagnostic>> = wanted
        .par_iter()
        .map(|&(job, markup, split)| edition(project, &base, &labels, job, markup, split))
        .collect();
    let mut files = vec![OutFile {
        rel: base.join(STYLESHEET_FILE),
        bytes: css,
    }];
    for m in made {
        files.extend(m?);
    }
    let mut report = HtmlReport {
        editions: wanted
            .iter()
            .map(|(job, ..)| format!("build/{HTML_DIR}/{}/", job.name))
            .collect(),
        ..HtmlReport::default()
    };
    // unchanged pages are left alone (read back through the confined reader: a link planted in
    // build/html is never followed)
    let changed: Vec<&OutFile> = files
        .iter()
        .filter(|f| {
            let same = !force
                && confined::read(project, &f.rel, MAX_PAGE_BYTES).is_ok_and(|old| old == f.bytes);
            !same
        })
        .collect();
    report.unchanged = files.len() - changed.len();
    report.written = changed.len();
    let dirs: BTreeSet<PathBuf> = std::iter::once(base.clone())
        .chain(wanted.iter().map(|(job, ..)| base.join(&job.name)))
        .collect();
    write_all(project, &dirs, &changed).map_err(|(rel, e)| write_error(&rel, &e))?;
    for (job, ..) in &wanted {
        let dir = base.join(&job.name);
        let keep: BTreeSet<PathBuf> = files
            .iter()
            .filter(|f| f.rel.parent() == Some(dir.as_path()))
            .map(|f| f.rel.clone())
            .collect();
        remove_pages_not_made(project, &dir, &keep);
    }
    Ok(Some(report))
}

fn labels_of(c: &HtmlConfig) -> Labels {
    Labels {
        contents: c.contents.clone(),
        skip_to_content: c.skip_to_content.clone(),
        breadcrumbs: c.breadcrumbs.clone(),
        pager: c.pager.clone(),
        previous: c.previous.clone(),
        next: c.next.clone(),
        pdf: c.pdf.clone(),
        single_page: c.single_page.clone(),
    }
}

/// The pages of one document's edition, in memory.
fn edition(
    project: &Path,
    base: &Path,
    labels: &Labels,
    job: &Job,
    markup: &str,
    split: u8,
) -> Result<Vec<OutFile>, Diagnostic> {
    let source_name = format!("build/{}.markup.html", job.name);
    // The typesetter parsed this very markup (in this build or the one that wrote the PDF), so
    // an error here is not expected; it is reported, never a panic.
    let doc = hakusho_typeset::markup::parse(markup, &source_name).map_err(|d| {
        d.into_iter()
            .next()
            .unwrap_or_else(|| write_error(base, &io::ErrorKind::InvalidData.into()))
    })?;
    let pdf_rel = Path::new("build").join(format!("{}.pdf", job.name));
    let pdf_size = confined::resolve(project, &pdf_rel)
        .ok()
        .map(|r| r.metadata.len());
    let pdf_href = format!("../../{}.pdf", job.name);
    let opts = html::Options {
        split_level: split,
        labels,
        stylesheet: "../web.css",
        pdf: pdf_size.map(|s| (pdf_href.as_str(), s)),
    };
    let dir = base.join(&job.name);
    Ok(html::write_edition(&doc, &opts)
        .into_iter()
        .map(|p| OutFile {
            rel: dir.join(p.file),
            bytes: p.html.into_bytes(),
        })
        .collect())
}

/// Creates the folders (refusing a link or a file in their place: the edition stays inside
/// build/), writes every file to a temporary file, and renames them all only when every one was
/// written. On failure the temporary files are removed and nothing is renamed.
fn write_all(
    project: &Path,
    dirs: &BTreeSet<PathBuf>,
    files: &[&OutFile],
) -> Result<(), (PathBuf, io::Error)> {
    for rel in dirs {
        let dir = project.join(rel);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err((
                    rel.clone(),
                    io::Error::new(io::ErrorKind::AlreadyExists, "not a folder"),
                ))
            }
            Err(_) => fs::create_dir(&dir).map_err(|e| (rel.clone(), e))?,
        }
    }
    let pid = std::process::id();
    let temps: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .map(|f| {
            let target = project.join(&f.rel);
            let name = f
                .rel
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (target.with_file_name(format!(".{name}.{pid}.tmp")), target)
        })
        .collect();
    // written in parallel: the fsyncs of many small pages overlap
    let result = temps
        .par_iter()
        .zip(files.par_iter())
        .map(|((tmp, _), f)| {
            let written = (|| {
                let mut file = fs::File::create(tmp)?;
                file.write_all(&f.bytes)?;
                file.sync_all()
            })();
            written.map_err(|e| (f.rel.clone(), e))
        })
        .collect::<Result<Vec<()>, _>>()
        .map(drop);
    let result = result.and_then(|()| {
        match temps
            .iter()
            .zip(files)
            .find(|((_, target), _)| fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()))
        {
            Some((_, f)) => Err((
                f.rel.clone(),
                io::Error::new(io::ErrorKind::AlreadyExists, "a folder is in the way"),
            )),
            None => Ok(()),
        }
    });
    if let Err(e) = result {
        for (tmp, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    for ((tmp, target), f) in temps.iter().zip(files) {
        fs::rename(tmp, target).map_err(|e| (f.rel.clone(), e))?;
    }
    // only the folders something was renamed into (a build that changes nothing syncs nothing)
    let touched: BTreeSet<&Path> = files.iter().filter_map(|f| f.rel.parent()).collect();
    for rel in dirs.iter().filter(|d| touched.contains(d.as_path())) {
        sync_dir(&project.join(rel));
    }
    Ok(())
}

/// After a full build: the editions of documents that no longer ask for one (or are no longer
/// declared) go — their pages, then their folder when nothing else is in it. Only real
/// folders directly in build/html are looked at, and only `.html` files are removed.
pub fn remove_stale_editions<'a>(project: &Path, editions: impl Iterator<Item = &'a Job>) {
    let keep: BTreeSet<String> = editions
        .filter(|job| job.html.is_some())
        .map(|job| job.name.clone())
        .collect();
    let base = Path::new("build").join(HTML_DIR);
    let Ok(entries) = fs::read_dir(project.join(&base)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if keep.contains(&name) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = base.join(&name);
        remove_pages_not_made(project, &dir, &BTreeSet::new());
        let _ = fs::remove_dir(project.join(&dir));
    }
}

/// Removes the `.html` files of an edition's folder that this build did not make.
fn remove_pages_not_made(project: &Path, dir: &Path, keep: &BTreeSet<PathBuf>) {
    let Ok(entries) = fs::read_dir(project.join(dir)) else {
        return;
    };
    for e in entries.flatten() {
        let rel = dir.join(e.file_name());
        let is_page = rel.extension().is_some_and(|x| x == "html");
        if is_page && !keep.contains(&rel) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn write_error(rel: &Path, e: &io::Error) -> Diagnostic {
    let reason = confined::io_reason(e);
    Diagnostic::error(
        Location::file(slash(rel)),
        format!(
            "ウェブ版を書き込めませんでした: {}（前回のウェブ版はそのまま残っています）",
            reason.ja
        ),
        format!(
            "could not write the web edition: {} (the previous edition is left as it was)",
            reason.en
        ),
    )
}
