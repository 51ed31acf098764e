//! The change report for proofreading: which indicator values and paragraphs changed.
//!
//! Each successful full build records a snapshot of what the documents show — every workbook
//! value with its cell, every text of the YAML files split into paragraphs with its line — in
//! build/.hakusho-snapshot.json (the one before it moves to build/.hakusho-snapshot.prev.json
//! when something changed). The build's summary counts the changes; `hakusho diff` lists them
//! per document:
//!
//! - `hakusho diff`: the sources now against the last build (what the next build will change);
//! - `hakusho diff --last`: what the last build changed (the snapshot before it against its own).
//!
//! ```text
//! build/booklet-kikaku.pdf
//!   sources/workbooks/kikaku.xlsx:目標指標!F7 実績: 202,850件 → 203,000件（市民満足度）
//!   sources/departments/kikaku.yaml:45: 段落を変更（policies.1-1.progress）
//!     - 古い段落
//!     + 新しい段落
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use hakusho_sources::Project;
use serde::{Deserialize, Serialize};

use crate::build::{self, deps::DocDeps, manifest::write_atomic, Job};
use crate::messages::{self, Console, DiffKind};

pub const SNAPSHOT_FILE: &str = ".hakusho-snapshot.json";
pub const PREVIOUS_FILE: &str = ".hakusho-snapshot.prev.json";
const VERSION: u32 = 1;

/// What the documents show, as text, with where each piece comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub values: Vec<ValueItem>,
    pub texts: Vec<TextField>,
}

/// One workbook value (or note) of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueItem {
    /// table, group, row name (#n for repeated names), column key.
    pub key: String,
    /// The model part (`table:<id>:<group>`).
    pub part: String,
    /// `file:sheet!cell`.
    pub location: String,
    /// The row's name (指標名).
    pub name: String,
    /// The column's heading (実績).
    pub column: String,
    pub text: String,
}

/// One text field of a YAML file, as paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextField {
    /// file#path.
    pub key: String,
    pub part: String,
    pub file: String,
    /// Where in the file's structure (`policies.1-1.progress`).
    pub label: String,
    pub paragraphs: Vec<Para>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Para {
    pub text: String,
    /// 1-based line of the paragraph's first line in the file, when found.
    pub line: Option<u32>,
}

// ───── taking a snapshot ─────

/// The snapshot of a loaded project.
pub fn snapshot(p: &Project) -> Snapshot {
    let mut snap = Snapshot {
        version: VERSION,
        ..Snapshot::default()
    };
    for t in &p.tables {
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for row in &t.rows {
            let n = seen.entry((&row.group, &row.name)).or_default();
            *n += 1;
            let base = format!("{}\u{1f}{}\u{1f}{}#{}", t.config.id, row.group, row.name, n);
            let part = format!("table:{}:{}", t.config.id, row.group);
            for col in &t.config.values {
                let text = row
                    .values
                    .get(&col.key)
                    .map(|v| v.text.clone())
                    .unwrap_or_default();
                let location = row
                    .cells
                    .get(&col.key)
                    .unwrap_or(&row.location.0)
                    .to_string();
                snap.values.push(ValueItem {
                    key: format!("{base}\u{1f}{}", col.key),
                    part: part.clone(),
                    location,
                    name: row.name.clone(),
                    column: col.heading.main().to_string(),
                    text,
                });
            }
            if let Some(note) = &t.config.note {
                snap.values.push(ValueItem {
                    key: format!("{base}\u{1f}\u{1f}note"),
                    part: part.clone(),
                    location: row.location.0.to_string(),
                    name: row.name.clone(),
                    column: note.heading.main().to_string(),
                    text: row.note.clone(),
                });
            }
        }
    }

    let mut files: Vec<(String, String, serde_json::Value)> = Vec::new();
    files.push((
        "config".into(),
        hakusho_sources::CONFIG_PATH.into(),
        to_json(&p.config),
    ));
    files.push(("plan".into(), "sources/plan.yaml".into(), to_json(&p.plan)));
    for d in &p.departments {
        let file = d
            .file
            .as_deref()
            .map(build::deps::slash)
            .unwrap_or_else(|| format!("sources/departments/{}.yaml", d.id));
        files.push((format!("department:{}", d.id), file, to_json(d)));
    }
    if let Some(x) = &p.white_paper {
        files.push((
            "white_paper".into(),
            "sources/white_paper.yaml".into(),
            to_json(x),
        ));
    }
    if let Some(x) = &p.action_plan {
        files.push((
            "action_plan".into(),
            "sources/action_plan.yaml".into(),
            to_json(x),
        ));
    }
    if let Some(x) = &p.plan_summaries {
        files.push((
            "plan_summaries".into(),
            "sources/plan_summaries.yaml".into(),
            to_json(x),
        ));
    }
    if let Some(x) = &p.booklet {
        files.push(("booklet".into(), "sources/booklet.yaml".into(), to_json(x)));
    }
    for (part, file, json) in files {
        let text = fs::read_to_string(p.root.join(&file)).unwrap_or_default();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let lines = Lines {
            text: &text,
            starts,
        };
        let mut fields = Vec::new();
        walk(&json, String::new(), &mut fields);
        let mut hint = 0usize;
        for (label, value) in fields {
            let paragraphs = paragraphs(&value)
                .into_iter()
                .map(|t| {
                    let line = find_line(&lines, &t, &mut hint);
                    Para { text: t, line }
                })
                .collect();
            snap.texts.push(TextField {
                key: format!("{file}#{label}"),
                part: part.clone(),
                file: file.clone(),
                label,
                paragraphs,
            });
        }
    }
    snap
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Every scalar of `v` with its path; locations and file paths are not content.
fn walk(v: &serde_json::Value, path: String, out: &mut Vec<(String, String)>) {
    use serde_json::Value as J;
    match v {
        J::Object(m) => {
            for (k, x) in m {
                if matches!(k.as_str(), "location" | "file" | "workbook") {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, out);
            }
        }
        J::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, format!("{path}[{i}]"), out);
            }
        }
        J::String(s) => out.push((path, s.clone())),
        J::Number(n) => out.push((path, n.to_string())),
        J::Bool(b) => out.push((path, b.to_string())),
        J::Null => {}
    }
}

/// Narrative text as proofreading units: paragraphs (separated by blank lines), each list item
/// (a line starting with ①–⑳, ・, ◎, ○ or `- `) on its own.
pub fn paragraphs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in s.lines() {
        let t = line.trim();
        if t.is_empty() || is_list_item(t) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if t.is_empty() {
                continue;
            }
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(t);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_list_item(t: &str) -> bool {
    let c = t.chars().next().unwrap_or(' ');
    ('①'..='⑳').contains(&c) || matches!(c, '・' | '◎' | '○') || t.starts_with("- ")
}

/// A file's text and the byte offsets its lines start at.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

/// The line (1-based) holding the start of `para`, searching from byte `hint` on (then from
/// the top); moves `hint` there.
fn find_line(lines: &Lines, para: &str, hint: &mut usize) -> Option<u32> {
    let first = para.lines().next()?.trim();
    let end = first.char_indices().nth(24).map_or(first.len(), |(i, _)| i);
    let needle = &first[..end];
    if needle.is_empty() {
        return None;
    }
    let from = (*hint).min(lines.text.len());
    let pos = lines
        .text
        .get(from..)
        .and_then(|t| t.find(needle))
        .map(|i| i + from)
        .or_else(|| lines.text.find(needle))?;
    *hint = pos;
    Some(lines.starts.partition_point(|&s| s <= pos) as u32)
}

// ───── comparing ─────

#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub values: Vec<ValueChange>,
    pub paragraphs: Vec<ParaChange>,
}

#[derive(Debug, Clone)]
pub struct ValueChange {
    pub part: String,
    pub location: String,
    pub name: String,
    pub column: String,
    /// `None`: the row was not there.
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParaKind {
    Changed,
    Added,
    Removed,
}

#[derive(Debug, Clone)]
pub struct ParaChange {
    pub part: String,
    pub file: String,
    pub label: String,
    pub kind: ParaKind,
    pub line: Option<u32>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What changed from `old` to `new`.
pub fn compare(old: &Snapshot, new: &Snapshot) -> Changes {
    let mut changes = Changes::default();
    let old_values: HashMap<&str, &ValueItem> =
        old.values.iter().map(|v| (v.key.as_str(), v)).collect();
    let new_keys: std::collections::HashSet<&str> =
        new.values.iter().map(|v| v.key.as_str()).collect();
    for v in &new.values {
        match old_values.get(v.key.as_str()) {
            Some(o) if o.text == v.text => {}
            Some(o) => changes.values.push(ValueChange {
                part: v.part.clone(),
                location: v.location.clone(),
                name: v.name.clone(),
                column: v.column.clone(),
                old: Some(o.text.clone()),
                new: Some(v.text.clone()),
            }),
            None if v.text.is_empty() => {}
            None => changes.values.push(ValueChange {
                part: v.part.clone(),
                location: v.location.clone(),
                name: v.name.clone(),
                column: v.column.clone(),
                old: None,
                new: Some(v.text.clone()),
            }),
        }
    }
    for o in &old.values {
        if !new_keys.contains(o.key.as_str()) && !o.text.is_empty() {
            changes.values.push(ValueChange {
                part: o.part.clone(),
                location: o.location.clone(),
                name: o.name.clone(),
                column: o.column.clone(),
                old: Some(o.text.clone()),
                new: None,
            });
        }
    }

    let empty: Vec<Para> = Vec::new();
    let old_texts: HashMap<&str, &TextField> =
        old.texts.iter().map(|t| (t.key.as_str(), t)).collect();
    let mut seen = std::collections::HashSet::new();
    for t in &new.texts {
        seen.insert(t.key.as_str());
        let before = old_texts
            .get(t.key.as_str())
            .map_or(&empty, |o| &o.paragraphs);
        diff_paragraphs(t, before, &t.paragraphs, &mut changes.paragraphs);
    }
    for o in &old.texts {
        if !seen.contains(o.key.as_str()) {
            diff_paragraphs(o, &o.paragraphs, &empty, &mut changes.paragraphs);
        }
    }
    changes
}

/// Paragraph-level diff of one field (longest common subsequence); a run of removed paragraphs
/// facing a run of added ones pairs up as changed paragraphs.
fn diff_paragraphs(field: &TextField, a: &[Para], b: &[Para], out: &mut Vec<ParaChange>) {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i].text == b[j].text {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut dels: Vec<&Para> = Vec::new();
    let mut ins: Vec<&Para> = Vec::new();
    let flush = |dels: &mut Vec<&Para>, ins: &mut Vec<&Para>, out: &mut Vec<ParaChange>| {
        let pairs = dels.len().min(ins.len());
        let mk = |kind, line, old: Option<&Para>, new: Option<&Para>| ParaChange {
            part: field.part.clone(),
            file: field.file.clone(),
            label: field.label.clone(),
            kind,
            line,
            old: old.map(|p| p.text.clone()),
            new: new.map(|p| p.text.clone()),
        };
        for k in 0..pairs {
            out.push(mk(
                ParaKind::Changed,
                ins[k].line,
                Some(dels[k]),
                Some(ins[k]),
            ));
        }
        for d in &dels[pairs..] {
            out.push(mk(ParaKind::Removed, d.line, Some(d), None));
        }
        for a in &ins[pairs..] {
            out.push(mk(ParaKind::Added, a.line, None, Some(a)));
        }
        dels.clear();
        ins.clear();
    };
    while i < n || j < m {
        if i < n && j < m && a[i].text == b[j].text {
            flush(&mut dels, &mut ins, out);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ins.push(&b[j]);
            j += 1;
        } else {
            dels.push(&a[i]);
            i += 1;
        }
    }
    flush(&mut dels, &mut ins, out);
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.paragraphs.is_empty()
    }
}

/// The changes each document shows (documents in order), then those no document shows: what
/// the detailed report of [`crate::messages::changes_detailed`] walks.
pub struct Grouped<'a> {
    /// (document name, values it shows, paragraphs it shows), only documents showing any.
    pub documents: Vec<(String, Vec<&'a ValueChange>, Vec<&'a ParaChange>)>,
    pub unshown_values: Vec<&'a ValueChange>,
    pub unshown_paragraphs: Vec<&'a ParaChange>,
}

/// Groups `changes` by the documents of `docs` that show them.
pub fn group_by_document<'a>(changes: &'a Changes, docs: &[DocView]) -> Grouped<'a> {
    let mut shown_values = vec![false; changes.values.len()];
    let mut shown_paras = vec![false; changes.paragraphs.len()];
    let mut documents = Vec::new();
    for d in docs {
        let mut values = Vec::new();
        for (k, v) in changes.values.iter().enumerate() {
            if d.shows_value(v) {
                shown_values[k] = true;
                values.push(v);
            }
        }
        let mut paras = Vec::new();
        for (k, p) in changes.paragraphs.iter().enumerate() {
            if d.shows_paragraph(p) {
                shown_paras[k] = true;
                paras.push(p);
            }
        }
        if !values.is_empty() || !paras.is_empty() {
            documents.push((d.job.name.clone(), values, paras));
        }
    }
    Grouped {
        documents,
        unshown_values: changes
            .values
            .iter()
            .zip(&shown_values)
            .filter(|(_, s)| !**s)
            .map(|(v, _)| v)
            .collect(),
        unshown_paragraphs: changes
            .paragraphs
            .iter()
            .zip(&shown_paras)
            .filter(|(_, s)| !**s)
            .map(|(p, _)| p)
            .collect(),
    }
}

/// Where two versions of a long paragraph differ, with a little context:
/// `…含め計〔7→8〕台配置…`.
pub fn inline_change(old: &str, new: &str) -> String {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    const CONTEXT: usize = 12;
    let before: String = a[prefix.saturating_sub(CONTEXT)..prefix].iter().collect();
    let after: String = a[a.len() - suffix..(a.len() - suffix + CONTEXT.min(suffix))]
        .iter()
        .collect();
    let mid_old: String = a[prefix..a.len() - suffix].iter().collect();
    let mid_new: String = b[prefix..b.len() - suffix].iter().collect();
    format!(
        "{}{before}〔{}→{}〕{after}{}",
        if prefix > CONTEXT { "…" } else { "" },
        mid_old.replace('\n', " "),
        mid_new.replace('\n', " "),
        if suffix > CONTEXT { "…" } else { "" },
    )
}

// ───── the files in build/ ─────

fn load(path: &Path) -> Option<Snapshot> {
    let bytes = fs::read(path).ok()?;
    serde_json::from_slice::<Snapshot>(&bytes)
        .ok()
        .filter(|s| s.version == VERSION)
}

/// Records the snapshot of `p` after a successful full build; returns what changed since the
/// previous one (`None` when there was none). When something changed, the previous snapshot
/// is kept as build/.hakusho-snapshot.prev.json (`hakusho diff --last`).
pub fn record(build_dir: &Path, p: &Project) -> io::Result<Option<Changes>> {
    let new = snapshot(p);
    let old_path = build_dir.join(SNAPSHOT_FILE);
    let old = load(&old_path);
    let json = serde_json::to_vec(&new).map_err(io::Error::other)?;
    match old {
        Some(old) if old == new => Ok(Some(Changes::default())),
        Some(old) => {
            let changes = compare(&old, &new);
            if !changes.is_empty() {
                fs::copy(&old_path, build_dir.join(PREVIOUS_FILE)).map(|_| ())?;
            }
            write_atomic(&old_path, &json)?;
            Ok(Some(changes))
        }
        None => {
            write_atomic(&old_path, &json)?;
            Ok(None)
        }
    }
}

/// `hakusho diff [--last]`.
pub fn run(project: &Path, last: bool, console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
    let build_dir = project.join("build");
    let (model, diags) = hakusho_sources::load_project(project);
    let errors = messages::diagnostics_with_count(console.err, lang, &diags)?;
    let Some(model) = model.filter(|_| !errors) else {
        return Ok(ExitCode::from(1));
    };
    let docs = match DocView::all(&model) {
        Ok(d) => d,
        Err(d) => {
            messages::diagnostics_with_count(console.err, lang, &d)?;
            return Ok(ExitCode::from(1));
        }
    };
    let (old, new, kind) = if last {
        let Some(new) = load(&build_dir.join(SNAPSHOT_FILE)) else {
            messages::no_snapshot(console.err, lang, SNAPSHOT_FILE)?;
            return Ok(ExitCode::from(1));
        };
        let Some(old) = load(&build_dir.join(PREVIOUS_FILE)) else {
            messages::no_changes(console.out, lang, DiffKind::Last)?;
            return Ok(ExitCode::SUCCESS);
        };
        (old, new, DiffKind::Last)
    } else {
        let Some(old) = load(&build_dir.join(SNAPSHOT_FILE)) else {
            messages::no_snapshot(console.err, lang, SNAPSHOT_FILE)?;
            return Ok(ExitCode::from(1));
        };
        (old, snapshot(&model), DiffKind::Pending)
    };
    let changes = compare(&old, &new);
    if changes.is_empty() {
        messages::no_changes(console.out, lang, kind)?;
    } else {
        messages::changes(console.out, lang, kind, &changes, &docs)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A document as `diff` sees it: its dependencies and, when it renders, the text of its markup
/// (tags dropped, entities decoded, no whitespace).
pub struct DocView {
    pub job: Job,
    pub deps: DocDeps,
    pub text: Option<String>,
}

impl DocView {
    /// Every document of the project, rendered with the sources as they are now.
    pub fn all(p: &Project) -> Result<Vec<DocView>, hakusho_diagnostics::Diagnostics> {
        Ok(build::rendered_documents(p)?
            .into_iter()
            .map(|(job, deps, markup)| DocView {
                job,
                deps,
                text: markup.map(|m| markup_text(&m)),
            })
            .collect())
    }

    pub fn shows_value(&self, v: &ValueChange) -> bool {
        self.deps.covers(&v.part)
    }

    /// Whether the paragraph's part feeds the document and, for a changed or added paragraph,
    /// its text is in the document's markup (a department's narrative is in the white paper
    /// and its booklet, its main projects only in the booklet). Short texts are not tested
    /// (they occur anywhere).
    pub fn shows_paragraph(&self, p: &ParaChange) -> bool {
        if !self.deps.covers(&p.part) {
            return false;
        }
        let (Some(text), Some(new)) = (&self.text, &p.new) else {
            return true;
        };
        let probe: String = new
            .trim_start_matches("- ")
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(16)
            .collect();
        probe.chars().count() < 8 || text.contains(&probe)
    }
}

/// The text of markup: tags dropped, the usual entities decoded, whitespace removed.
fn markup_text(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag || c.is_whitespace() => {}
            _ => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Changes grouped for callers that want structured access: document name → changes shown.
pub fn by_document(changes: &Changes, docs: &[DocView]) -> BTreeMap<String, Changes> {
    let mut out = BTreeMap::new();
    for d in docs {
        let c = Changes {
            values: changes
                .values
                .iter()
                .filter(|v| d.shows_value(v))
                .cloned()
                .collect(),
            paragraphs: changes
                .paragraphs
                .iter()
                .filter(|p| d.shows_paragraph(p))
                .cloned()
                .collect(),
        };
        if !c.is_empty() {
            out.insert(d.job.name.clone(), c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Project {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (p, _) = hakusho_sources::load_project(&root);
        p.expect("the sample loads")
    }

    #[test]
    fn units_split_paragraphs_and_list_items() {
        assert_eq!(
            paragraphs("一行目\n二行目\n\n①項目\n②項目\n\n終わり"),
            vec!["一行目\n二行目", "①項目", "②項目", "終わり"]
        );
    }

    #[test]
    fn an_edited_value_shows_with_its_cell() {
        let p = sample();
        let before = snapshot(&p);
        let mut q = p.clone();
        let t = q
            .tables
            .iter_mut()
            .find(|t| t.config.id == "indicators")
            .unwrap();
        let row = t
            .rows
            .iter_mut()
            .find(|r| r.department.as_deref() == Some("kikaku") && r.values.contains_key("current"))
            .unwrap();
        let old = row.values["current"].text.clone();
        row.values.get_mut("current").unwrap().text = "203,000件".into();
        let name = row.name.clone();
        let cell = row.cells["current"].to_string();
        let changes = compare(&before, &snapshot(&q));
        assert_eq!(changes.values.len(), 1, "{changes:?}");
        assert!(changes.paragraphs.is_empty());
        let docs = DocView::all(&q).unwrap();
        let report =
            crate::messages::changes_detailed(&changes, &docs, hakusho_diagnostics::Lang::Ja);
        let line = format!("{cell} 実績: {old} → 203,000件（{name}）");
        assert!(report.contains(&line), "{line}\n{report}");
        assert!(
            cell.starts_with("sources/workbooks/kikaku.xlsx:目標指標!"),
            "{cell}"
        );
        let per_doc = by_document(&changes, &docs);
        assert!(per_doc.contains_key("hakusho-2021") && per_doc.contains_key("booklet-kikaku"));
        assert!(
            !per_doc.contains_key("booklet-somu"),
            "{:?}",
            per_doc.keys()
        );
    }

    #[test]
    fn inline_change_points_at_the_edit() {
        assert_eq!(
            inline_change(
                "多言語翻訳機を部署・市政窓口等に、貸出用を含め計7台配置した。",
                "多言語翻訳機を部署・市政窓口等に、貸出用を含め計8台配置した。"
            ),
            "…窓口等に、貸出用を含め計〔7→8〕台配置した。"
        );
        assert_eq!(inline_change("あいう", "あう"), "あ〔い→〕う");
        assert_eq!(inline_change("ああ", "あああ"), "ああ〔→あ〕");
    }

    #[test]
    fn paragraph_edits_pair_up() {
        let field = |ps: &[&str]| TextField {
            key: "k".into(),
            part: "department:kikaku".into(),
            file: "f.yaml".into(),
            label: "policies.1-1.progress".into(),
            paragraphs: ps
                .iter()
                .enumerate()
                .map(|(i, t)| Para {
                    text: t.to_string(),
                    line: Some(i as u32 + 1),
                })
                .collect(),
        };
        let a = Snapshot {
            version: VERSION,
            values: vec![],
            texts: vec![field(&["あ", "い", "う"])],
        };
        let b = Snapshot {
            version: VERSION,
            values: vec![],
            texts: vec![field(&["あ", "いい", "う", "え"])],
        };
        let c = compare(&a, &b);
        let kinds: Vec<ParaKind> = c.paragraphs.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![ParaKind::Changed, ParaKind::Added]);
        assert_eq!(c.paragraphs[0].old.as_deref(), Some("い"));
        assert_eq!(c.paragraphs[0].new.as_deref(), Some("いい"));
    }
}
