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
use std::path::Path;

use hakusho_diagnostics::confined;
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

/// What a template (with everything it uses) refers to.
#[derive(Debug, Clone, Default)]
pub struct TemplateRefs {
    /// Global names used in expressions.
    pub names: BTreeSet<String>,
    /// Template files, `templates/<name>` (the template itself first).
    pub files: BTreeSet<String>,
}

/// The expressions of one template unit (a whole template, or one macro's body).
#[derive(Debug, Default)]
struct Scan {
    /// Identifiers not after a `.`.
    names: BTreeSet<String>,
    /// `alias.attr` pairs (`m.policy_block`).
    attrs: BTreeSet<(String, String)>,
    /// `import "x" as alias`.
    imports: Vec<(String, String)>,
    /// `from "x" import a, b as c`: (template, macro names).
    from_imports: Vec<(String, Vec<String>)>,
    /// `include "x"` / `extends "x"`.
    includes: Vec<String>,
}

/// A template's source split into its top level and its macros (name → parameters, body).
#[derive(Debug, Default)]
struct Parsed {
    top: String,
    macros: BTreeMap<String, (Vec<String>, String)>,
}

/// Reads `templates/<name>` and what it uses: templates it includes or extends, and of the
/// templates it imports only the macros it calls (macros calling each other are followed).
pub fn template_refs(templates_dir: &Path, name: &str) -> TemplateRefs {
    let mut refs = TemplateRefs::default();
    let mut parsed: BTreeMap<String, Parsed> = BTreeMap::new();
    // Units to scan: (template, None = top level and its own macros | Some(macro)).
    let mut todo: Vec<(String, Option<String>)> = vec![(name.to_string(), None)];
    let mut done: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut attrs: BTreeSet<(String, String)> = BTreeSet::new();
    loop {
        while let Some(unit) = todo.pop() {
            if !done.insert(unit.clone()) || !load(templates_dir, &unit.0, &mut parsed, &mut refs) {
                continue;
            }
            let p = &parsed[&unit.0];
            let (params, src): (Vec<String>, String) = match &unit.1 {
                None => {
                    // The top level, and (conservatively) every macro the template defines.
                    let mut all = p.top.clone();
                    for (_, body) in p.macros.values() {
                        all.push_str(body);
                    }
                    (Vec::new(), all)
                }
                Some(m) => match p.macros.get(m) {
                    Some((params, body)) => (params.clone(), body.clone()),
                    None => continue,
                },
            };
            let mut scan = Scan::default();
            scan_template(&src, &mut scan);
            for n in &scan.names {
                if p.macros.contains_key(n) {
                    todo.push((unit.0.clone(), Some(n.clone())));
                } else if !params.contains(n) {
                    refs.names.insert(n.clone());
                }
            }
            for (t, alias) in scan.imports {
                aliases.entry(alias).or_default().insert(t);
            }
            for (t, names) in scan.from_imports {
                for n in names {
                    todo.push((t.clone(), Some(n)));
                }
            }
            for t in scan.includes {
                todo.push((t, None));
            }
            attrs.extend(scan.attrs);
        }
        // Calls through an import alias: m.policy_block → that macro of the imported file.
        let before = done.len();
        for (alias, attr) in &attrs {
            for t in aliases.get(alias).into_iter().flatten() {
                let unit = (t.clone(), Some(attr.clone()));
                if !done.contains(&unit) {
                    todo.push(unit);
                }
            }
        }
        if todo.is_empty() && done.len() == before {
            break;
        }
    }
    // Import aliases are names of the template, not globals.
    for a in aliases.keys() {
        refs.names.remove(a);
    }
    refs
}

/// Reads and parses template `t` once; false for a name the renderer would refuse.
fn load(
    templates_dir: &Path,
    t: &str,
    parsed: &mut BTreeMap<String, Parsed>,
    refs: &mut TemplateRefs,
) -> bool {
    if !crate::render::is_safe_template_name(t) {
        return false;
    }
    if !parsed.contains_key(t) {
        // confined and capped like the renderer's loader, which reports what is refused here
        let src =
            confined::read_text(templates_dir, Path::new(t), TEXT_MAX_BYTES).unwrap_or_default();
        parsed.insert(t.to_string(), parse_macros(&src));
        refs.files.insert(format!("templates/{t}"));
    }
    true
}

/// Splits a template into its top level and its `{% macro name(params) %}...{% endmacro %}`
/// bodies (comments dropped).
fn parse_macros(src: &str) -> Parsed {
    let src = strip_comments(src);
    let mut out = Parsed::default();
    let mut rest = src.as_str();
    loop {
        let Some((start, end, inner)) = next_tag(rest, "macro") else {
            out.top.push_str(rest);
            break;
        };
        out.top.push_str(&rest[..start]);
        let after = &rest[end..];
        let (body, next) = match next_tag(after, "endmacro") {
            Some((s, e, _)) => (&after[..s], &after[e..]),
            None => (after, ""),
        };
        let sig = inner.trim_start_matches("macro").trim();
        let name: String = sig
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let params = sig
            .find('(')
            .map(|i| {
                sig[i + 1..]
                    .split(',')
                    .filter_map(|a| {
                        let w: String = a
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        (!w.is_empty()).then_some(w)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.macros.insert(name, (params, body.to_string()));
        rest = next;
    }
    out
}

/// The next `{% keyword ... %}` tag (also `{%-`/`-%}`): (start, end, inner text).
fn next_tag<'a>(s: &'a str, keyword: &str) -> Option<(usize, usize, &'a str)> {
    let mut from = 0;
    while let Some(i) = s[from..].find("{%") {
        let start = from + i;
        let close = s[start..].find("%}").map(|j| start + j + 2)?;
        let inner = s[start + 2..close - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word == keyword {
            return Some((start, close, inner));
        }
        from = close;
    }
    None
}

fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find("{#") {
        out.push_str(&rest[..i]);
        match rest[i..].find("#}") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Scans the expressions (`{{ }}`, `{% %}`; comments skipped) of `src`.
fn scan_template(src: &str, scan: &mut Scan) {
    let src = strip_comments(src);
    let mut rest = src.as_str();
    while let Some(start) = rest.find('{') {
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
        scan_expression(&after[2..body_end], scan);
        rest = &after[(body_end + 2).min(after.len())..];
    }
}

/// Words of the template language, never globals.
const KEYWORDS: &[&str] = &[
    "import",
    "as",
    "from",
    "include",
    "extends",
    "macro",
    "endmacro",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "in",
    "endfor",
    "set",
    "endset",
    "not",
    "and",
    "or",
    "is",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "with",
    "endwith",
    "without",
    "context",
    "loop",
    "block",
    "endblock",
    "call",
    "endcall",
    "filter",
    "endfilter",
    "caller",
    "recursive",
    "ignore",
    "missing",
    "raw",
    "endraw",
    "autoescape",
    "endautoescape",
    "do",
    "continue",
    "break",
];

fn scan_expression(expr: &str, scan: &mut Scan) {
    let chars: Vec<char> = expr.chars().collect();
    let mut words: Vec<String> = Vec::new(); // the words and string literals of the tag, in order
    let mut i = 0;
    let mut prev_significant: Option<char> = None;
    let mut prev_word = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            let mut j = i + 1;
            let mut lit = String::new();
            while j < chars.len() && chars[j] != c {
                lit.push(chars[j]);
                j += 1;
            }
            words.push(format!("\"{lit}"));
            prev_word.clear();
            prev_significant = Some(c);
            i = j + 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut j = i;
            let mut w = String::new();
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                w.push(chars[j]);
                j += 1;
            }
            if prev_significant == Some('.') {
                if !prev_word.is_empty() {
                    scan.attrs.insert((prev_word.clone(), w.clone()));
                }
            } else if !KEYWORDS.contains(&w.as_str()) {
                scan.names.insert(w.clone());
            }
            words.push(w.clone());
            prev_word = w;
            prev_significant = Some('a');
            i = j;
        } else {
            if !c.is_whitespace() {
                if c != '.' {
                    prev_word.clear();
                }
                prev_significant = Some(c);
            }
            i += 1;
        }
    }
    // Loading tags.
    let lit = |w: &String| w.strip_prefix('"').map(str::to_string);
    match words.first().map(String::as_str) {
        Some("import") => {
            if let (Some(t), Some(pos)) = (
                words.get(1).and_then(lit),
                words.iter().position(|w| w == "as"),
            ) {
                if let Some(alias) = words.get(pos + 1) {
                    scan.imports.push((t, alias.clone()));
                    scan.names.remove(alias);
                }
            }
        }
        Some("from") => {
            if let Some(t) = words.get(1).and_then(lit) {
                let names: Vec<String> = words
                    .iter()
                    .skip_while(|w| *w != "import")
                    .skip(1)
                    .filter(|w| {
                        !w.starts_with('"') && *w != "as" && *w != "with" && *w != "context"
                    })
                    .cloned()
                    .collect();
                scan.from_imports.push((t, names));
            }
        }
        Some("include") | Some("extends") => {
            scan.includes.extend(words.iter().filter_map(lit));
        }
        _ => {}
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

pub use crate::files::slash;

/// The font files the style sheet names (project-relative), in the style's order; empty when
/// the style cannot be read (typesetting will report that).
pub fn style_fonts(project: &Path) -> Vec<String> {
    let Ok(text) = confined::read_text(project, Path::new(STYLE_PATH), TEXT_MAX_BYTES) else {
        return Vec::new();
    };
    match hakusho_typeset::Style::parse(&text, STYLE_PATH) {
        Ok(file) => file.fonts.values().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// Largest template or style sheet read (their loaders refuse larger ones with a message).
pub const TEXT_MAX_BYTES: u64 = crate::render::TEMPLATE_MAX_BYTES;

/// blake3 of a project file's bytes (hex), streamed; `"missing"` when it cannot be read and
/// `"refused"` when it is no regular file inside the project (its reader reports that).
pub fn hash_file(project: &Path, rel: &str) -> String {
    let Ok((mut file, _)) = confined::open(project, Path::new(rel)) else {
        return if project.join(rel).exists() {
            "refused".into()
        } else {
            "missing".into()
        };
    };
    let mut h = blake3::Hasher::new();
    match std::io::copy(&mut file, &mut h) {
        Ok(_) => h.finalize().to_hex().to_string(),
        Err(_) => "missing".into(),
    }
}

/// Every input file of the build with its parts: the sources (from `Project::inputs()`), and
/// the files the documents use (`used`: templates they reach, the style sheet, the fonts).
/// Nothing else under templates/ or fonts/ is read: a stray file there costs nothing.
pub fn all_inputs<'a>(
    project: &Project,
    used: impl IntoIterator<Item = &'a String>,
) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = project
        .inputs()
        .iter()
        .map(|i| (slash(&i.path), i.parts.clone()))
        .collect();
    let known: BTreeSet<String> = out.iter().map(|(p, _)| p.clone()).collect();
    let extra: BTreeSet<&String> = used.into_iter().filter(|f| !known.contains(*f)).collect();
    out.extend(extra.into_iter().map(|f| (f.clone(), Vec::new())));
    out
}

/// A stamp is kept only for a file last modified at least this long before it was hashed: a
/// file system with coarse timestamps (FAT: 2 s) could otherwise show an edit made in the same
/// tick with the same size as unchanged.
const RACY_NS: u128 = 3_000_000_000;

/// Hashes the given input files (in parallel). Size and modification time are the first test:
/// a file whose size and mtime match its entry in `stamps` keeps the recorded hash without
/// being read; `stamps` is updated.
pub fn hash_inputs(
    project: &Path,
    inputs: &[(String, Vec<String>)],
    stamps: &mut BTreeMap<String, super::manifest::Stamp>,
) -> BTreeMap<String, String> {
    use rayon::prelude::*;
    let known = &*stamps;
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let hashed: Vec<(String, String, Option<super::manifest::Stamp>)> = inputs
        .par_iter()
        .map(|(p, _)| {
            // symlinks followed, then confined; a device or FIFO gets no stamp and no read
            let meta = confined::resolve(project, Path::new(p))
                .ok()
                .map(|r| r.metadata);
            let (len, mtime_ns) = meta
                .as_ref()
                .map(|m| {
                    let t = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    (m.len(), t)
                })
                .unwrap_or((0, 0));
            if meta.is_some() && mtime_ns != 0 {
                if let Some(s) = known.get(p) {
                    if s.len == len && s.mtime_ns == mtime_ns {
                        return (p.clone(), s.hash.clone(), Some(s.clone()));
                    }
                }
            }
            let hash = hash_file(project, p);
            let settled = mtime_ns != 0 && mtime_ns.saturating_add(RACY_NS) < now_ns;
            let stamp = (meta.is_some() && settled).then(|| super::manifest::Stamp {
                len,
                mtime_ns,
                hash: hash.clone(),
            });
            (p.clone(), hash, stamp)
        })
        .collect();
    stamps.clear();
    let mut out = BTreeMap::new();
    for (p, h, stamp) in hashed {
        if let Some(s) = stamp {
            stamps.insert(p.clone(), s);
        }
        out.insert(p, h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        let mut scan = Scan::default();
        scan_template(
            r#"{# {{ wp }} #}{% import "macros.html" as m %}<p class="plan">{{ dept.name }} {{ m.block(rows("x", policy.code)) }}{{ "summaries" }}</p>{% include 'part.html' %}"#,
            &mut scan,
        );
        let names = &scan.names;
        assert!(names.contains("dept") && names.contains("rows") && names.contains("policy"));
        assert!(!names.contains("name") && !names.contains("code") && !names.contains("import"));
        assert!(!names.contains("plan") && !names.contains("wp") && !names.contains("summaries"));
        assert_eq!(
            scan.imports,
            vec![("macros.html".to_string(), "m".to_string())]
        );
        assert_eq!(scan.includes, vec!["part.html"]);
        assert!(scan.attrs.contains(&("m".to_string(), "block".to_string())));
    }

    #[test]
    fn only_called_macros_count() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("macros.html"),
            "{% macro a(rows) %}{{ rows }}{{ b() }}{% endmacro %}\n{% macro b() %}{{ booklet }}{% endmacro %}\n{% macro c() %}{{ tables }}{% endmacro %}",
        )
        .unwrap();
        fs::write(
            dir.path().join("doc.html"),
            "{% import \"macros.html\" as m %}{{ m.a(summaries) }}",
        )
        .unwrap();
        let refs = template_refs(dir.path(), "doc.html");
        let names: Vec<&str> = refs.names.iter().map(String::as_str).collect();
        // `rows` is a's parameter, b is called by a, c is never called.
        assert_eq!(names, vec!["booklet", "summaries"]);
        assert!(refs.files.contains("templates/macros.html"));
    }

    #[test]
    fn unchanged_size_and_mtime_keep_the_stored_hash_without_reading() {
        // issue 17, point 8: size+mtime is the first test for every input, small ones too
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        let file = dir.path().join("templates/a.html");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |content: &str| {
            fs::write(&file, content).unwrap();
            fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        write("<p>one</p>");
        let inputs = vec![("templates/a.html".to_string(), Vec::new())];
        let mut stamps = BTreeMap::new();
        let first = hash_inputs(dir.path(), &inputs, &mut stamps);
        // same size, same mtime: not read again (a 2 GB font is not re-read every build)
        write("<p>two</p>");
        let second = hash_inputs(dir.path(), &inputs, &mut stamps);
        assert_eq!(first, second);
        // another size: read again
        write("<p>three</p>");
        let third = hash_inputs(dir.path(), &inputs, &mut stamps);
        assert_ne!(first, third);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_among_the_inputs_is_refused_unread() {
        // issue 17, point 8: a stray /dev/zero link was read until memory ran out
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("fonts")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("fonts/z.ttf")).unwrap();
        let inputs = vec![("fonts/z.ttf".to_string(), Vec::new())];
        let h = hash_inputs(dir.path(), &inputs, &mut BTreeMap::new());
        assert_eq!(h["fonts/z.ttf"], "refused");
    }

    #[test]
    fn only_the_templates_and_fonts_a_document_uses_are_inputs() {
        // issue 17, point 8: every file under templates/ and fonts/ was hashed by every build
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (project, _) = hakusho_sources::load_project(&root);
        let project = project.expect("the sample project loads");
        let used = vec!["templates/booklet.html".to_string()];
        let inputs = all_inputs(&project, &used);
        let outside_sources: Vec<&str> = inputs
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| !p.starts_with("sources/"))
            .collect();
        assert_eq!(outside_sources, vec!["templates/booklet.html"]);
    }
}
