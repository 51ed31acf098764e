//! Proofs for corrections: for each document the corrections touched, build/proof/<name>.pdf —
//! the document's own pages with every changed value and run of words highlighted, the old
//! wording beside it in the margin and as a note, after a list of every change with its page
//! and its source (file, sheet!cell or line), each entry a link to its page.
//!
//! Steps: the documents are rendered as they are now and compared, markup against markup,
//! with a kept version ([`store`]): the previous build by default, or a named round. The
//! changes are marked in the new markup ([`markdiff`]); a `<mark>` changes nothing in
//! composition, so the proof's pages break exactly where the real PDF's do — the highlight is
//! drawn under the text after layout ([`hakusho_typeset::marks`]). Each change is matched with
//! what the sources say changed ([`crate::snapshot::compare`]) to name its cell or line.

pub mod markdiff;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Location};
use hakusho_typeset::marks::{self, MarkedArea};
use hakusho_typeset::page::LaidOutDocument;
use hakusho_typeset::pdf::overlay::{self, Overlay, PageBox};
use hakusho_typeset::Typesetter;
use rayon::prelude::*;

use crate::build::{select, Job};
use crate::files::write_atomic;
use crate::render::narrative::escaped;
use crate::snapshot::{self, Changes, ParaKind};
use markdiff::Hunk;
use store::Version;

/// Where proofs are written, inside the project.
pub const PROOF_DIR: &str = "build/proof";

/// What `hakusho proof` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A kept round to compare with, instead of the previous build.
    pub since: Option<String>,
    /// Only these documents (all that changed when empty).
    pub names: Vec<String>,
}

/// What a proof run did.
#[derive(Debug, Default)]
pub struct Report {
    /// The version compared with: its round name (or `None` for the previous build) and when
    /// it was built.
    pub baseline: Option<(Option<String>, String)>,
    /// The round the version shown was kept as (`--since` takes it later).
    pub kept_as: Option<String>,
    pub documents: Vec<DocumentProof>,
    pub diagnostics: Diagnostics,
    pub failure: Option<Failure>,
}

#[derive(Debug)]
pub enum Failure {
    /// The sources have errors (in `diagnostics`).
    Sources,
    /// No version to compare with: no build before the last corrections.
    NoBaseline,
    /// `--since` names no kept round; the kept ones are listed.
    UnknownRound { name: String, kept: Vec<String> },
    /// A document named on the command line does not exist.
    UnknownDocument(Diagnostic),
    /// A document could not be typeset or written (in `diagnostics`).
    Documents,
}

/// One proof written.
#[derive(Debug, Clone)]
pub struct DocumentProof {
    pub name: String,
    /// Project-relative path of the proof.
    pub path: PathBuf,
    pub entries: Vec<Entry>,
}

/// One change as the change list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The page it is on (1-based, as the document numbers its pages).
    pub page: Option<usize>,
    pub kind: EntryKind,
    pub source: Source,
    pub old: String,
    pub new: String,
    /// Unchanged text of the same paragraph or row just before and after the change (empty
    /// for a whole paragraph added or removed).
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Changed,
    Added,
    Removed,
}

/// Where a change comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A workbook cell: `file:sheet!cell`, the row's name and the column's heading.
    Cell {
        location: String,
        row: String,
        column: String,
    },
    /// A text of a YAML file: the file, the line of the paragraph, where in the file.
    Text {
        file: String,
        line: Option<u32>,
        label: String,
    },
    /// Nothing in the sources matches: a template, the configuration or a derived value.
    Other,
}

/// How long the markup diff of one document may take before it settles for a coarser result.
const DIFF_DEADLINE: Duration = Duration::from_secs(5);

/// Makes the proofs (see the module comment).
pub fn make(project: &Path, opts: &Options) -> Report {
    let mut report = Report::default();
    if let Err(f) = run(project, opts, &mut report) {
        report.failure = Some(f);
    }
    report
}

fn run(project: &Path, opts: &Options, report: &mut Report) -> Result<(), Failure> {
    let (model, diags) = hakusho_sources::load_project(project);
    report.diagnostics.extend(diags);
    let model = match model {
        Some(m) if !report.diagnostics.has_errors() => m,
        _ => return Err(Failure::Sources),
    };
    let rendered = crate::build::rendered_documents(&model).map_err(|d| {
        report.diagnostics.extend(d);
        Failure::Documents
    })?;
    let jobs: Vec<Job> = rendered.iter().map(|(j, ..)| j.clone()).collect();
    let wanted: Vec<String> = select(jobs, &opts.names)
        .map_err(Failure::UnknownDocument)?
        .into_iter()
        .map(|j| j.name)
        .collect();
    let now = Version::new(
        snapshot::snapshot(&model),
        rendered
            .iter()
            .filter_map(|(j, _, m)| m.clone().map(|m| (j.name.clone(), m)))
            .collect(),
    );
    let baseline = match &opts.since {
        Some(name) => store::round(project, name).ok_or_else(|| Failure::UnknownRound {
            name: name.clone(),
            kept: store::rounds(project),
        })?,
        None => store::baseline(project, &now).ok_or(Failure::NoBaseline)?,
    };
    report.baseline = Some((opts.since.clone(), baseline.built.clone()));
    let changes = snapshot::compare(&baseline.snapshot, &now.snapshot);

    let touched: Vec<(&Job, &str, &str)> = rendered
        .iter()
        .filter(|(j, ..)| wanted.contains(&j.name))
        .filter_map(|(j, _, m)| {
            let new = m.as_deref()?;
            let old = baseline.documents.get(&j.name)?;
            (old != new).then_some((j, old.as_str(), new))
        })
        .collect();
    if touched.is_empty() {
        report.kept_as = store::keep_round(project, &now).ok();
        return Ok(());
    }
    let typesetter = typesetter(project, report)?;
    let results: Vec<Result<Option<DocumentProof>, Diagnostics>> = touched
        .par_iter()
        .map(|(job, old, new)| proof_one(project, &typesetter, job, old, new, &changes))
        .collect();
    for r in results {
        match r {
            Ok(Some(p)) => report.documents.push(p),
            Ok(None) => {}
            Err(d) => report.diagnostics.extend(d),
        }
    }
    if report.diagnostics.has_errors() {
        return Err(Failure::Documents);
    }
    report.kept_as = store::keep_round(project, &now).ok();
    Ok(())
}

fn typesetter(project: &Path, report: &mut Report) -> Result<Typesetter, Failure> {
    let style_path = project.join("templates/style.yaml");
    hakusho_typeset::Style::load(&style_path, project)
        .and_then(|(style, fonts)| Typesetter::new(style, Arc::new(fonts)))
        .map_err(|d| {
            report.diagnostics.extend(d);
            Failure::Documents
        })
}

/// One document's changes, found before it is typeset: its markup with the changes marked.
#[derive(Debug, Clone)]
pub struct Marked {
    pub markup: String,
    pub hunks: Vec<Hunk>,
}

/// The changes between a document's `old` and `new` markup; `None` when they differ only
/// where nothing shows.
pub fn mark(old: &str, new: &str) -> Option<Marked> {
    let (markup, hunks) = markdiff::mark_changes(old, new, DIFF_DEADLINE);
    (!hunks.is_empty()).then_some(Marked { markup, hunks })
}

/// The proof of a document laid out from its marked markup (`laid`) and written as `real`
/// (the document's PDF, from the same pages): `real` with the change list before it, each
/// change highlighted and its old wording attached as a note. Returns it with the change list.
pub fn proof_pdf(
    ts: &Typesetter,
    job: &Job,
    laid: &LaidOutDocument,
    real: &[u8],
    hunks: &[Hunk],
    changes: &Changes,
) -> Result<(Vec<u8>, Vec<Entry>), Diagnostics> {
    let areas = marks::marked_areas(laid, ts.fonts());
    let first_area: HashMap<u32, &MarkedArea> = areas.iter().rev().map(|a| (a.tag, a)).collect();
    let entries: Vec<Entry> = hunks
        .iter()
        .map(|h| Entry {
            page: first_area.get(&h.tag).map(|a| a.page + 1),
            kind: if h.removal {
                EntryKind::Removed
            } else if h.old.is_empty() {
                EntryKind::Added
            } else {
                EntryKind::Changed
            },
            source: source_of(h, changes),
            old: h.old.clone(),
            new: h.new.clone(),
            before: h.before.clone(),
            after: h.after.clone(),
        })
        .collect();
    let list = change_list(ts, job, &entries)?;
    let front = ts.write_draft_pdf(&list)?;
    let overlay = Overlay {
        highlights: highlights(hunks, &areas),
        notes: notes(laid, hunks, &areas),
        links: links(&list, ts, &entries),
        front_bookmark: "変更一覧".into(),
        title: format!("{}（校正刷り）", laid.title),
    };
    let pdf = overlay::proof(real, &front, &overlay, marks::HIGHLIGHT).map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(
            Location::file(format!("build/{}.pdf", job.name)),
            "校正刷りを作れません（書き出した PDF を読み直せません）。この文書の元データとともに報告してください".to_string(),
            format!("cannot make the proof (the PDF written cannot be read back: {e}); please report it with this document's sources"),
        );
        d
    })?;
    Ok((pdf, entries))
}

fn page_box(a: &MarkedArea) -> PageBox {
    PageBox {
        page: a.page,
        x: a.x,
        y: a.y,
        width: a.width,
        height: a.height,
    }
}

/// A box under every changed run (not under the anchor of a removal).
fn highlights(hunks: &[Hunk], areas: &[MarkedArea]) -> Vec<PageBox> {
    let removal: HashMap<u32, bool> = hunks.iter().map(|h| (h.tag, h.removal)).collect();
    areas
        .iter()
        .filter(|a| !removal.get(&a.tag).copied().unwrap_or(true))
        .map(page_box)
        .collect()
}

/// Beside the first line of each change, in the right margin: a note with its old wording.
fn notes(laid: &LaidOutDocument, hunks: &[Hunk], areas: &[MarkedArea]) -> Vec<(PageBox, String)> {
    let by_tag: HashMap<u32, &Hunk> = hunks.iter().map(|h| (h.tag, h)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for a in areas {
        let (Some(h), Some(page)) = (by_tag.get(&a.tag), laid.pages.get(a.page)) else {
            continue;
        };
        if seen.insert(a.tag) {
            let at = PageBox {
                page: a.page,
                x: page.width - NOTE_MARGIN,
                y: a.y,
                width: 12.0,
                height: 12.0,
            };
            out.push((at, note_text(h)));
        }
    }
    out
}

/// Where a note's icon sits: this far from the page's right edge, pt.
const NOTE_MARGIN: f32 = 24.0;

/// The change list's page numbers, each a link to its page.
fn links(list: &LaidOutDocument, ts: &Typesetter, entries: &[Entry]) -> Vec<(PageBox, usize)> {
    marks::marked_areas(list, ts.fonts())
        .iter()
        .filter_map(|a| {
            let entry = entries.get(a.tag.checked_sub(LIST_TAG)? as usize)?;
            let mut b = page_box(a);
            b.x -= 2.0;
            b.width += 4.0;
            Some((b, entry.page? - 1))
        })
        .collect()
}

/// Writes a proof into build/proof/ (atomically); returns its project-relative path.
pub fn write_proof(project: &Path, name: &str, pdf: &[u8]) -> Result<PathBuf, Diagnostics> {
    let rel = Path::new(PROOF_DIR).join(format!("{name}.pdf"));
    write_atomic(&project.join(&rel), pdf).map_err(|e| {
        let mut d = Diagnostics::new();
        let hakusho_diagnostics::Message { ja, en } = hakusho_diagnostics::confined::io_reason(&e);
        d.error(
            Location::file(&rel),
            format!("校正刷りを書き込めません（{ja}）"),
            format!("cannot write the proof ({en})"),
        );
        d
    })?;
    Ok(rel)
}

/// The proof of one document, `None` when its markup differs only where nothing shows.
fn proof_one(
    project: &Path,
    ts: &Typesetter,
    job: &Job,
    old: &str,
    new: &str,
    changes: &Changes,
) -> Result<Option<DocumentProof>, Diagnostics> {
    let Some(marked) = mark(old, new) else {
        return Ok(None);
    };
    let source_name = format!("build/{}.markup.html", job.name);
    let (mut laid, _) = ts.layout(&marked.markup, &source_name)?;
    laid.standards = job.standards;
    let real = ts.write_pdf(&laid)?;
    let (pdf, entries) = proof_pdf(ts, job, &laid, &real, &marked.hunks, changes)?;
    let path = write_proof(project, &job.name, &pdf)?;
    Ok(Some(DocumentProof {
        name: job.name.clone(),
        path,
        entries,
    }))
}

fn note_text(h: &Hunk) -> String {
    if h.removal {
        format!("削除: {}", h.old)
    } else if h.old.is_empty() {
        "追加".to_string()
    } else {
        format!("旧: {}", h.old)
    }
}

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The source of a change: a workbook value whose new (or, for a removal, old) text holds
/// the change and whose row name is in the same table row; else a YAML paragraph holding it
/// whose text is the change's block; else [`Source::Other`].
fn source_of(h: &Hunk, changes: &Changes) -> Source {
    let (want, side_old) = if h.removal {
        (no_space(&h.old), true)
    } else {
        (no_space(&h.new), false)
    };
    if want.is_empty() {
        return Source::Other;
    }
    let pick = |o: &Option<String>, n: &Option<String>| {
        if side_old { o.as_deref() } else { n.as_deref() }
            .map(no_space)
            .unwrap_or_default()
    };
    let values: Vec<_> = changes
        .values
        .iter()
        .filter(|v| pick(&v.old, &v.new).contains(&want))
        .collect();
    let by_row = values
        .iter()
        .find(|v| !v.name.trim().is_empty() && h.context.contains(&no_space(&v.name)));
    if let Some(v) = by_row.or_else(|| values.first()) {
        return Source::Cell {
            location: v.location.clone(),
            row: v.name.clone(),
            column: v.column.clone(),
        };
    }
    let para = changes.paragraphs.iter().find(|p| {
        if h.removal && p.kind != ParaKind::Removed && p.kind != ParaKind::Changed {
            return false;
        }
        let text = pick(&p.old, &p.new);
        text.contains(&want)
            && (h.removal || h.context.contains(&text) || text.contains(&h.context))
    });
    match para {
        Some(p) => Source::Text {
            file: p.file.clone(),
            line: p.line,
            label: p.label.clone(),
        },
        None => Source::Other,
    }
}

/// The source as the change list shows it.
pub fn source_text(s: &Source) -> String {
    match s {
        Source::Cell {
            location,
            row,
            column,
        } => {
            let what = [row.trim(), column.trim()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join("・");
            if what.is_empty() {
                location.clone()
            } else {
                format!("{location}（{what}）")
            }
        }
        Source::Text { file, line, label } => match line {
            Some(l) => format!("{file}:{l}（{label}）"),
            None => format!("{file}（{label}）"),
        },
        Source::Other => {
            "テンプレートまたは設定（原稿の値・文章には対応する変更がありません）".into()
        }
    }
}

/// What changed, as the change list shows it: a cell's old → new value; inside a paragraph,
/// the change in its words (`…含め計〔7→8〕台配置…`, as `hakusho diff` shows it); a whole
/// paragraph added or removed, its wording.
pub fn change_text(e: &Entry) -> String {
    if matches!(e.source, Source::Cell { .. }) && e.kind == EntryKind::Changed {
        return format!("{} → {}", e.old, e.new);
    }
    if e.before.is_empty() && e.after.is_empty() {
        return match e.kind {
            EntryKind::Changed => format!("{} → {}", e.old, e.new),
            EntryKind::Added => e.new.clone(),
            EntryKind::Removed => e.old.clone(),
        };
    }
    format!("…{}〔{}→{}〕{}…", e.before, e.old, e.new, e.after)
}

fn kind_text(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Changed => "修正",
        EntryKind::Added => "追加",
        EntryKind::Removed => "削除",
    }
}

/// Tags of the change list's page-number cells start here (the document's own marks are
/// numbered from 1).
const LIST_TAG: u32 = 1_000_000;

/// The change list, typeset with the document's style: one row per change (page, what,
/// source, old → new); each page number marked so that it can link to its page.
fn change_list(
    ts: &Typesetter,
    job: &Job,
    entries: &[Entry],
) -> Result<LaidOutDocument, Diagnostics> {
    let mut m = String::new();
    let title = escaped(&job.title);
    m.push_str(&format!(
        "<doc title=\"{title}（校正刷り）\" lang=\"ja\"><section data-running=\"no\">\
         <h1 data-toc=\"no\">変更一覧</h1>\
         <p>{title}の校正刷りです。前回の版から変わったところを本文に色を付けて示し、もとの文字を余白に示しています。次の表のページ番号は本文のページ番号で、押すとそのページに移ります。変更は {} 件です。</p>\
         <table><col width=\"9%\"/><col width=\"9%\"/><col width=\"37%\"/><col width=\"45%\"/>\
         <thead><tr><th>ページ</th><th>種類</th><th>出典</th><th>変更内容</th></tr></thead><tbody>",
        entries.len()
    ));
    for (i, e) in entries.iter().enumerate() {
        let page = e.page.map_or_else(|| "—".to_string(), |p| p.to_string());
        let what = escaped(&change_text(e));
        m.push_str(&format!(
            "<tr><td><mark data-ref=\"{}\">{page}</mark></td><td>{}</td><td>{}</td><td>{what}</td></tr>",
            LIST_TAG + i as u32,
            kind_text(e.kind),
            escaped(&source_text(&e.source)),
        ));
    }
    m.push_str("</tbody></table></section></doc>");
    let name = format!("build/proof/{}（変更一覧）", job.name);
    ts.layout(&m, &name).map(|(laid, _)| laid)
}
