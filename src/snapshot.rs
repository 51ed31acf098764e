//! The snapshot that `hakusho diff` compares: what the documents show, as text, with where each
//! piece comes from — every workbook value with its cell, every text of the YAML files split
//! into paragraphs with its line.
//!
//! Each successful full build records one ([`record`], called by the build driver's snapshot
//! step) in build/.hakusho-snapshot.json; the one before it moves to
//! build/.hakusho-snapshot.prev.json when something changed. [`compare`] turns two snapshots
//! into [`Changes`]; `hakusho diff` ([`crate::diff`]) shows them per document. The files in
//! build/ are read like every other input: a regular file inside the project, size-capped
//! ([`hakusho_diagnostics::confined`]).

use std::collections::HashMap;
use std::io;
use std::path::Path;

use hakusho_diagnostics::confined;
use hakusho_sources::Project;
use hakusho_typeset::ListMarkers;
use serde::{Deserialize, Serialize};

use crate::files::write_atomic;

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
    /// The row's name (the name column).
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
            .map(crate::files::slash)
            .unwrap_or_else(|| format!("sources/departments/{}.yaml", d.id));
        let mut json = to_json(d);
        drop_table_sections(p, &mut json);
        files.push((format!("department:{}", d.id), file, json));
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
    // read like every other input (a regular file inside the project, capped); the loader has
    // reported a file it refused, so an unreadable one just has no lines to point at
    let max_yaml = p.config.limits.max_yaml_mb.saturating_mul(1024 * 1024);
    // list items are split as the templates split them: by the style sheet's markers
    let markers = crate::render::list_markers(&p.root.join("templates"));
    for (part, file, json) in files {
        let text = confined::read_text(&p.root, Path::new(&file), max_yaml).unwrap_or_default();
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
            let paragraphs = paragraphs(&value, &markers)
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

/// A department's `table` sections are workbook rows, compared as values already: they are
/// taken out of its text so that a changed cell is not also reported as a changed paragraph.
fn drop_table_sections(p: &Project, json: &mut serde_json::Value) {
    use hakusho_sources::config::SectionKind;
    let tables = |declared: &[hakusho_sources::config::SectionDecl]| -> Vec<String> {
        declared
            .iter()
            .filter(|s| s.kind == SectionKind::Table)
            .map(|s| s.name.clone())
            .collect()
    };
    let (policy, department) = (
        tables(&p.config.sections.policy),
        tables(&p.config.sections.department),
    );
    if let Some(policies) = json.get_mut("policies").and_then(|v| v.as_object_mut()) {
        for text in policies.values_mut().filter_map(|v| v.as_object_mut()) {
            for name in &policy {
                text.remove(name);
            }
        }
    }
    if let Some(sections) = json.get_mut("sections").and_then(|v| v.as_object_mut()) {
        for name in &department {
            sections.remove(name);
        }
    }
}

/// Narrative text as proofreading units: paragraphs (separated by blank lines), each list item
/// (a line starting with a marker the style sheet declares, or `- `) on its own.
pub fn paragraphs(s: &str, markers: &ListMarkers) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in s.lines() {
        let t = line.trim();
        if t.is_empty() || crate::render::narrative::list_item(t, markers).is_some() {
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

/// Largest snapshot read back: far above what the largest benchmark project writes; a bound
/// against a hostile file, not a budget.
pub const SNAPSHOT_MAX_BYTES: u64 = 1 << 30;

/// The snapshot `file` (one of [`SNAPSHOT_FILE`], [`PREVIOUS_FILE`]) in the project's build/,
/// with its bytes; `None` when absent, refused, unreadable or of another version.
fn read(project: &Path, file: &str) -> Option<(Snapshot, Vec<u8>)> {
    let rel = Path::new("build").join(file);
    let bytes = confined::read(project, &rel, SNAPSHOT_MAX_BYTES).ok()?;
    let snapshot = serde_json::from_slice::<Snapshot>(&bytes)
        .ok()
        .filter(|s| s.version == VERSION)?;
    Some((snapshot, bytes))
}

/// The snapshot `file` in the project's build/ (see [`read`]).
pub fn load(project: &Path, file: &str) -> Option<Snapshot> {
    read(project, file).map(|(s, _)| s)
}

/// Records the snapshot `new` in the project's build/ after a successful full build; returns
/// what changed since the previous one (`None` when there was none). When something changed,
/// the previous snapshot is kept as build/.hakusho-snapshot.prev.json (`hakusho diff --last`).
pub fn record(project: &Path, new: &Snapshot) -> io::Result<Option<Changes>> {
    let build_dir = project.join("build");
    let old = read(project, SNAPSHOT_FILE);
    let json = serde_json::to_vec(&new).map_err(io::Error::other)?;
    match old {
        Some((old, _)) if old == *new => Ok(Some(Changes::default())),
        Some((old, old_bytes)) => {
            let changes = compare(&old, new);
            if !changes.is_empty() {
                write_atomic(&build_dir.join(PREVIOUS_FILE), &old_bytes)?;
            }
            write_atomic(&build_dir.join(SNAPSHOT_FILE), &json)?;
            Ok(Some(changes))
        }
        None => {
            write_atomic(&build_dir.join(SNAPSHOT_FILE), &json)?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_split_paragraphs_and_list_items() {
        assert_eq!(
            paragraphs(
                "一行目\n二行目\n\n①項目\n②項目\n\n終わり",
                &ListMarkers::default()
            ),
            vec!["一行目\n二行目", "①項目", "②項目", "終わり"]
        );
        // a marker the style sheet declares (▶) makes its own unit, as on the page
        let markers = ListMarkers::of_style_text("lists:\n  markers: [\"▶\", \"・\"]\n");
        assert_eq!(
            paragraphs("前文\n▶一つ目\n▶二つ目", &markers),
            vec!["前文", "▶一つ目", "▶二つ目"]
        );
        assert_eq!(
            paragraphs("前文\n▶一つ目", &ListMarkers::default()),
            vec!["前文\n▶一つ目"]
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
