//! The build driver's part in proofs (`hakusho build --proof`, see [`crate::proof`]): before
//! typesetting, each document whose markup differs from the version the last corrections were
//! made against gets its changes marked ([`prepare`]); such a document is laid out once, from
//! the marked markup, and both its real PDF and its proof are written from those pages
//! ([`typeset_with_proof`]) — a `<mark>` changes nothing in composition, so the real PDF is the
//! same bytes as a build without proofs makes. [`finish`] writes the proofs after the real PDFs.

use std::collections::HashMap;
use std::path::Path;

use hakusho_diagnostics::Diagnostics;
use hakusho_sources::Project;
use hakusho_typeset::Typesetter;
use rayon::prelude::*;

use super::driver::Typeset;
use super::{Built, Job};
use crate::proof::store::{self, Version};
use crate::proof::{self, DocumentProof, Entry, Failure, Marked, Report};
use crate::snapshot::{self, Changes};

/// Proofs on their way through a build.
pub(super) struct Pending {
    /// Plan index → the document's markup with its changes marked.
    pub marked: HashMap<usize, Marked>,
    pub changes: Changes,
    /// The proofs made while typesetting.
    pub made: Vec<Made>,
    /// What the build's documents show now (kept as a round when the proofs are written).
    now: Version,
    report: Report,
}

/// One proof made while typesetting: its PDF and change list, or why it could not be made.
pub(super) struct Made {
    name: String,
    result: Result<(Vec<u8>, Vec<Entry>), Diagnostics>,
}

/// What the documents show: the model's snapshot and each document's markup.
pub(super) fn version_of<'a>(
    model: &Project,
    documents: impl Iterator<Item = (&'a Job, Option<&'a str>)>,
) -> Version {
    version_with(snapshot::snapshot(model), documents)
}

/// [`version_of`] with the snapshot already taken.
pub(super) fn version_with<'a>(
    snapshot: snapshot::Snapshot,
    documents: impl Iterator<Item = (&'a Job, Option<&'a str>)>,
) -> Version {
    Version::new(
        snapshot,
        documents
            .filter_map(|(job, markup)| Some((job.name.clone(), markup?.to_string())))
            .collect(),
    )
}

/// Finds the changes of every document against the baseline and marks them.
pub(super) fn prepare<'a>(
    project: &Path,
    model: &Project,
    documents: impl Iterator<Item = (&'a Job, Option<&'a str>)> + Clone,
) -> Pending {
    let t = std::time::Instant::now();
    let lap = |what: &str| {
        if std::env::var_os("HAKUSHO_TIMING").is_some() {
            eprintln!(
                "proofs: {what} at {:.1} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
    };
    let now = version_of(model, documents.clone());
    lap("version");
    let mut report = Report::default();
    let Some(base) = store::baseline(project, &now) else {
        report.failure = Some(Failure::NoBaseline);
        return Pending {
            marked: HashMap::new(),
            changes: Changes::default(),
            made: Vec::new(),
            now,
            report,
        };
    };
    lap("baseline read");
    report.baseline = Some((None, base.built.clone()));
    let changes = snapshot::compare(&base.snapshot, &now.snapshot);
    lap("compared");
    let docs: Vec<(usize, &str, &str)> = documents
        .enumerate()
        .filter_map(|(i, (job, markup))| {
            let new = markup?;
            let old = base.documents.get(&job.name)?;
            (old != new).then_some((i, old.as_str(), new))
        })
        .collect();
    let marked = docs
        .par_iter()
        .filter_map(|&(i, old, new)| proof::mark(old, new).map(|m| (i, m)))
        .collect();
    lap("marked");
    Pending {
        marked,
        changes,
        made: Vec::new(),
        now,
        report,
    }
}

/// Lays `job` out once from its marked markup; its real PDF (the marks ignored) and its proof.
pub(super) fn typeset_with_proof(
    project: &Path,
    ts: &Typesetter,
    job: &Job,
    marked: &Marked,
    changes: &Changes,
    max_pages: usize,
    printing: Option<&super::driver::Printing>,
) -> (Typeset, Option<Made>) {
    let markup_name = format!("build/{}.markup.html", job.name);
    let laid = super::driver::lay_out(ts, printing, &marked.markup, &markup_name, max_pages);
    let (mut laid, print_laid, warnings) = match laid {
        Ok(l) => l,
        Err(d) => {
            let dir = project.join("build");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(
                dir.join(format!("{}.markup.html", job.name)),
                &marked.markup,
            );
            return (Err(d), None);
        }
    };
    laid.standards = job.standards;
    let written = match printing {
        Some(p) => p
            .files(&laid, print_laid.as_ref())
            .map(|(pdf, print)| (pdf, Some(print))),
        None => ts.write_pdf(&laid).map(|pdf| (pdf, None)),
    };
    let (pdf, print) = match written {
        Ok(w) => w,
        Err(d) => return (Err(d), None),
    };
    let made = Made {
        name: job.name.clone(),
        result: proof::proof_pdf(ts, job, &laid, &pdf, &marked.hunks, changes),
    };
    let built = Built {
        name: job.name.clone(),
        pdf,
        pages: laid.pages.len(),
        print,
    };
    (Ok((built, warnings)), Some(made))
}

/// Writes the proofs made (after the real PDFs) and keeps the version they show as a round.
pub(super) fn finish(project: &Path, pending: Pending, recorded: Option<Version>) -> Report {
    let mut report = pending.report;
    if report.failure.is_some() {
        return report;
    }
    let mut made = pending.made;
    made.sort_by(|a, b| a.name.cmp(&b.name));
    for m in made {
        let written = m
            .result
            .and_then(|(pdf, entries)| Ok((proof::write_proof(project, &m.name, &pdf)?, entries)));
        match written {
            Ok((path, entries)) => report.documents.push(DocumentProof {
                name: m.name,
                path,
                entries,
            }),
            Err(d) => report.diagnostics.extend(d),
        }
    }
    if report.diagnostics.has_errors() {
        report.failure = Some(Failure::Documents);
        return report;
    }
    report.kept_as = store::keep_round(project, recorded.as_ref().unwrap_or(&pending.now)).ok();
    report
}
