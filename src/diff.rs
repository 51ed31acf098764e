//! `hakusho diff`'s view of the [`crate::snapshot`] changes: which document shows which change.
//!
//! - `hakusho diff`: the sources now against the last build (what the next build will change);
//! - `hakusho diff --last`: what the last build changed (the snapshot before it against its own).
//!
//! ```text
//! build/booklet-kikaku.pdf
//!   sources/workbooks/kikaku.xlsx:<sheet>!F7 <column>: 202,850件 → 203,000件（<row name>）
//!   sources/departments/kikaku.yaml:45: 段落を変更（policies.1-1.progress）
//!     - 古い段落
//!     + 新しい段落
//! ```

use std::collections::BTreeMap;

use hakusho_sources::Project;

use crate::build::{self, deps::DocDeps, Job};
use crate::snapshot::{Changes, ParaChange, ValueChange};

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
    use crate::snapshot::{compare, snapshot};

    fn sample() -> Project {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (p, _) = hakusho_sources::load_project(&root);
        p.expect("the sample loads")
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
}
