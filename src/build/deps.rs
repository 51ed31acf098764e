//! What each document depends on: the model parts it shows (`config`, `plan`,
//! `department:<id>`, `table:<table>:<group>` ... as in [`hakusho_sources::Input::parts`]), the
//! templates it is made of, the style sheet and the fonts; and the fingerprints of those files.
//!
//! Whether a document is typeset again is decided exactly, by the fingerprint of its rendered
//! markup (see `build.rs`). The dependencies here explain *why* a document changed ("変更:
//! sources/departments/kikaku.yaml") and group `hakusho diff`'s changes by document; where they
//! cannot be precise they over-approximate.
//!
//! A template's dependencies are read from its source: the global names used inside `{{ }}` and
//! `{% %}` (`wp`, `plan`, `policies`, `tables`, `rows(...)`, `dept`, ...), and the templates it
//! imports or includes, followed recursively.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use hakusho_sources::Project;

use super::Job;

/// The dependencies of one document.
#[derive(Debug, Clone, Default)]
pub struct DocDeps {
    /// Part patterns: a part name, or one with `*` segments (`department:*`, `table:*:1-1`).
    pub parts: BTreeSet<String>,
    /// Project-relative paths of files the document uses directly (templates, the style sheet,
    /// fonts, the department's own workbook).
    pub files: BTreeSet<String>,
}

impl DocDeps {
    /// Whether a model part (`department:kikaku`, `table:indicators:1-1`) feeds this document.
    pub fn covers(&self, part: &str) -> bool {
        self.parts.iter().any(|p| part_matches(p, part))
    }

    /// Whether an input file (with the parts it feeds) is one this document uses.
    pub fn uses(&self, path: &str, parts: &[String]) -> bool {
        self.files.contains(path) || parts.iter().any(|p| self.covers(p))
    }
}

/// `pattern` matches `part` when both have the same number of `:` segments and each pattern
/// segment is `*` or equal.
pub fn part_matches(pattern: &str, part: &str) -> bool {
    let a: Vec<&str> = pattern.split(':').collect();
    let b: Vec<&str> = part.split(':').collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| *x == "*" || x == y)
}

/// What a template (with everything it imports) refers to.
#[derive(Debug, Clone, Default)]
pub struct TemplateRefs {
    /// Global names used in expressions.
    pub names: BTreeSet<String>,
    /// Template files, `templates/<name>` (the template itself first).
    pub files: BTreeSet<String>,
}

/// Reads `templates/<name>` and the templates it imports, includes or extends.
pub fn template_refs(templates_dir: &Path, name: &str) -> TemplateRefs {
    let mut refs = TemplateRefs::default();
    let mut todo = vec![name.to_string()];
    while let Some(t) = todo.pop() {
        if !crate::render::is_safe_template_name(&t) || !refs.files.insert(format!("templates/{t}"))
        {
            continue;
        }
        let Ok(src) = fs::read_to_string(templates_dir.join(&t)) else {
            continue;
        };
        scan_template(&src, &mut refs.names, &mut todo);
    }
    refs
}

/// Collects global-looking identifiers of the expressions in `src` (not after a `.`, not in
/// string literals) and the names of templates it loads.
fn scan_template(src: &str, names: &mut BTreeSet<String>, loads: &mut Vec<String>) {
    let mut rest = src;
    while let Some(start) = rest.find(['{']) {
        let after = &rest[start..];
        let close = if after.starts_with("{{") {
            "}}"
        } else if after.starts_with("{%") {
            "%}"
        } else {
            rest = &rest[start + 1..];
            continue;
        };
        let body_end = after[2..].find(close).map(|i| i + 2).unwrap_or(after.len());
        scan_expression(&after[2..body_end], names, loads);
        rest = &after[(body_end + 2).min(after.len())..];
    }
}

fn scan_expression(expr: &str, names: &mut BTreeSet<String>, loads: &mut Vec<String>) {
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut prev_significant: Option<char> = None;
    let mut last_word = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            let mut j = i + 1;
            let mut lit = String::new();
            while j < chars.len() && chars[j] != c {
                lit.push(chars[j]);
                j += 1;
            }
            if matches!(
                last_word.as_str(),
                "import" | "include" | "extends" | "from"
            ) {
                loads.push(lit);
            }
            last_word.clear();
            prev_significant = Some(c);
            i = j + 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut j = i;
            let mut w = String::new();
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                w.push(chars[j]);
                j += 1;
            }
            if prev_significant != Some('.') {
                names.insert(w.clone());
            }
            last_word = w;
            prev_significant = Some('a');
            i = j;
        } else {
            if !c.is_whitespace() {
                prev_significant = Some(c);
                last_word.clear();
            }
            i += 1;
        }
    }
}

/// The dependencies of `job` in `project`: the parts its template's names stand for (see the
/// module comment), its templates, the style sheet and `fonts` (project-relative paths).
pub fn of_job(project: &Project, job: &Job, fonts: &[String]) -> DocDeps {
    let refs = template_refs(&project.root.join("templates"), &job.template);
    let mut deps = DocDeps::default();
    deps.parts.insert("config".into());
    let dept_codes: Option<Vec<&str>> = job.department.as_deref().map(|id| {
        project
            .policies()
            .filter(|p| p.department == id)
            .map(|p| p.code.as_str())
            .collect()
    });
    for n in &refs.names {
        match n.as_str() {
            "wp" => {
                deps.parts.insert("white_paper".into());
            }
            "plan" | "policies" => {
                deps.parts.insert("plan".into());
            }
            "action_plan" => {
                deps.parts.insert("action_plan".into());
            }
            "summaries" => {
                deps.parts.insert("plan_summaries".into());
            }
            "booklet" => {
                deps.parts.insert("booklet".into());
            }
            "departments" | "department" => {
                deps.parts.insert("department:*".into());
            }
            "dept" => {
                if let Some(id) = &job.department {
                    deps.parts.insert(format!("department:{id}"));
                }
            }
            "tables" | "rows" => match &dept_codes {
                // A department's document shows the rows of the policies it is in charge of.
                Some(codes) => {
                    for c in codes {
                        deps.parts.insert(format!("table:*:{c}"));
                    }
                }
                None => {
                    deps.parts.insert("table:*:*".into());
                }
            },
            _ => {}
        }
    }
    if let Some(d) = job
        .department
        .as_deref()
        .and_then(|id| project.department(id))
    {
        if let Some(wb) = &d.workbook {
            deps.files.insert(slash(wb));
        }
    }
    deps.files.extend(refs.files);
    deps.files.insert(STYLE_PATH.into());
    deps.files.extend(fonts.iter().cloned());
    deps
}

/// The style sheet, relative to the project directory.
pub const STYLE_PATH: &str = "templates/style.yaml";

/// A path as shown and stored: forward slashes.
pub fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The font files the style sheet names (project-relative), in the style's order; empty when
/// the style cannot be read (typesetting will report that).
pub fn style_fonts(project: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(project.join(STYLE_PATH)) else {
        return Vec::new();
    };
    match hakusho_typeset::Style::parse(&text, STYLE_PATH) {
        Ok(file) => file.fonts.values().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// blake3 of a file's bytes (hex), or `"missing"` when it cannot be read.
pub fn hash_file(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => blake3::hash(&bytes).to_hex().to_string(),
        Err(_) => "missing".into(),
    }
}

/// Every input file of the build with its parts: the sources (from `Project::inputs()`), every
/// template file under templates/, the style sheet and the fonts.
pub fn all_inputs(project: &Project, fonts: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = project
        .inputs()
        .iter()
        .map(|i| (slash(&i.path), i.parts.clone()))
        .collect();
    let templates = project.root.join("templates");
    let mut stack = vec![(templates.clone(), String::from("templates"))];
    while let Some((dir, rel)) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let r = format!("{rel}/{name}");
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push((e.path(), r)),
                Ok(_) => {
                    if !out.iter().any(|(p, _)| *p == r) {
                        out.push((r, Vec::new()));
                    }
                }
                Err(_) => {}
            }
        }
    }
    for f in fonts {
        if !out.iter().any(|(p, _)| p == f) {
            out.push((f.clone(), Vec::new()));
        }
    }
    out
}

/// Hashes the given input files (in parallel; fonts are large).
pub fn hash_inputs(project: &Path, inputs: &[(String, Vec<String>)]) -> BTreeMap<String, String> {
    use rayon::prelude::*;
    inputs
        .par_iter()
        .map(|(p, _)| (p.clone(), hash_file(&project.join(p))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(part_matches("department:*", "department:kikaku"));
        assert!(part_matches("table:*:1-1", "table:indicators:1-1"));
        assert!(!part_matches("table:*:1-1", "table:indicators:1-2"));
        assert!(!part_matches("config", "department:kikaku"));
        assert!(part_matches("config", "config"));
    }

    #[test]
    fn scans_globals_and_imports() {
        let mut names = BTreeSet::new();
        let mut loads = Vec::new();
        scan_template(
            r#"{% import "macros.html" as m %}<p class="plan">{{ dept.name }} {{ rows("x", policy.code) }}{{ "wp" }}</p>{% include 'part.html' %}"#,
            &mut names,
            &mut loads,
        );
        assert!(names.contains("dept") && names.contains("rows") && names.contains("policy"));
        assert!(!names.contains("name") && !names.contains("code"));
        assert!(!names.contains("plan") && !names.contains("wp"));
        assert_eq!(loads, vec!["macros.html", "part.html"]);
    }
}
