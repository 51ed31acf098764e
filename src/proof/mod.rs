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
use hakusho_typeset::page::{Color, Item, LaidOutDocument, OutlineEntry};
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
    let baseline = match &opts.since {
        Some(name) => store::round(project, name).ok_or_else(|| Failure::UnknownRound {
            name: name.clone(),
            kept: store::rounds(project),
        })?,
        None => store::previous(project).ok_or(Failure::NoBaseline)?,
    };
    report.baseline = Some((opts.since.clone(), baseline.built.clone()));

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

/// The proof of one document, `None` when its markup differs only where nothing shows.
fn proof_one(
    project: &Path,
    ts: &Typesetter,
    job: &Job,
    old: &str,
    new: &str,
    changes: &Changes,
) -> Result<Option<DocumentProof>, Diagnostics> {
    let (marked, hunks) = markdiff::mark_changes(old, new, DIFF_DEADLINE);
    if hunks.is_empty() {
        return Ok(None);
    }
    let source_name = format!("{}.markup.html", job.name);
    let (mut laid, _) = ts.layout(&marked, &source_name)?;
    let areas = marks::marked_areas(&laid, ts.fonts());
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
    decorate(&mut laid, ts, &hunks, &areas);
    let list = change_list(ts, job, &entries, &source_name)?;
    let proof = prepend(list, laid, &entries, ts.fonts());
    let pdf = ts.write_pdf(&proof)?;
    let rel = Path::new(PROOF_DIR).join(format!("{}.pdf", job.name));
    write_atomic(&project.join(&rel), &pdf).map_err(|e| {
        let mut d = Diagnostics::new();
        let (ja, en) = hakusho_diagnostics::confined::io_reason(&e);
        d.error(
            Location::file(&rel),
            format!("校正刷りを書き込めません（{ja}）"),
            format!("cannot write the proof ({en})"),
        );
        d
    })?;
    Ok(Some(DocumentProof {
        name: job.name.clone(),
        path: rel,
        entries,
    }))
}

/// The colour of margin notes: dark red on screen, dark grey in black-and-white print.
const NOTE_COLOR: Color = Color {
    r: 0.7,
    g: 0.0,
    b: 0.0,
};

/// Highlights under every changed run, and beside its first line the old wording: in the
/// margin (printed) and as a note (the whole of it, in the viewer).
fn decorate(laid: &mut LaidOutDocument, ts: &Typesetter, hunks: &[Hunk], areas: &[MarkedArea]) {
    let removal: HashMap<u32, bool> = hunks.iter().map(|h| (h.tag, h.removal)).collect();
    let by_tag: HashMap<u32, &Hunk> = hunks.iter().map(|h| (h.tag, h)).collect();
    for a in areas {
        if !removal.get(&a.tag).copied().unwrap_or(true) {
            if let Some(page) = laid.pages.get_mut(a.page) {
                marks::highlight(page, a, marks::HIGHLIGHT);
            }
        }
    }
    // one note per change, at its first line; notes of one page stack downwards
    let mut next_free: HashMap<usize, f32> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for a in areas {
        if !seen.insert(a.tag) {
            continue;
        }
        let Some(h) = by_tag.get(&a.tag) else {
            continue;
        };
        let Some(page) = laid.pages.get_mut(a.page) else {
            continue;
        };
        let text = note_text(h);
        // the note's first line on the changed line's baseline (the area is the em box)
        let baseline = a.y + a.height * (0.88 / 1.12);
        let free = next_free.entry(a.page).or_insert(0.0);
        let baseline = baseline.max(*free + marks::NOTE_SIZE);
        *free = marks::margin_note(page, ts.style(), ts.fonts(), baseline, &text, NOTE_COLOR);
        page.items.push(Item::Note {
            x: page.width - marks::NOTE_ICON,
            y: baseline - marks::NOTE_SIZE,
            width: 10.0,
            height: 10.0,
            text,
        });
    }
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
    source_name: &str,
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
    let name = format!("{source_name} (変更一覧)");
    ts.layout(&m, &name).map(|(laid, _)| laid)
}

/// The proof: the change list's pages, then the document's; the list's page numbers link to
/// their pages, and the document's own links and bookmarks follow it.
fn prepend(
    list: LaidOutDocument,
    doc: LaidOutDocument,
    entries: &[Entry],
    fonts: &hakusho_typeset::FontSet,
) -> LaidOutDocument {
    let shift = list.pages.len();
    let list_areas = marks::marked_areas(&list, fonts);
    let mut pages = list.pages;
    for a in list_areas {
        let i = (a.tag - LIST_TAG) as usize;
        let Some(target) = entries.get(i).and_then(|e| e.page) else {
            continue;
        };
        if let Some(p) = pages.get_mut(a.page) {
            p.items.push(Item::Link {
                x: a.x - 2.0,
                y: a.y,
                width: a.width + 4.0,
                height: a.height,
                target_page: shift + target - 1,
                target_y: 0.0,
            });
        }
    }
    for mut p in doc.pages {
        for it in &mut p.items {
            if let Item::Link { target_page, .. } = it {
                *target_page += shift;
            }
        }
        pages.push(p);
    }
    let mut outline = vec![OutlineEntry {
        title: "変更一覧".into(),
        level: 1,
        page: 0,
        y: 0.0,
    }];
    outline.extend(doc.outline.into_iter().map(|mut o| {
        o.page += shift;
        o
    }));
    LaidOutDocument {
        title: format!("{}（校正刷り）", doc.title),
        lang: doc.lang,
        pages,
        outline,
    }
}
