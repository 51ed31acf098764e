//! `hakusho build`: every document declared in sources/hakusho.yaml (or the named ones) →
//! build/<name>.pdf.
//!
//! Steps: load and validate the sources (reported exactly like `hakusho check`); expand the
//! declared documents (`each: department` → one per department); load the style sheet and fonts
//! once; render and typeset the documents in parallel; then, only if every document succeeded,
//! write each PDF to a temporary file in build/ and rename it into place. A build with any error
//! writes no PDF and leaves the previous outputs untouched.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Lang, Location};
use rayon::prelude::*;

use crate::render::{context, Renderer};
use crate::report;

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
}

/// A document declaration as written in hakusho.yaml.
#[derive(Debug, Clone)]
pub struct Declared {
    pub name: String,
    pub template: String,
    pub title: String,
    pub each: Option<String>,
    pub location: Location,
}

/// Whether `name` can name a file directly inside build/: no path separators, no `..`, not
/// hidden, no control characters.
pub fn is_safe_output_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.chars().any(|c| {
            matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()
        })
}

/// Expands the declared documents: `{id}` and `{name}` in a per-department document's name and
/// title are replaced by each department's id and Japanese name (`departments` in order).
pub fn expand(
    declared: &[Declared],
    departments: &[(String, String)],
) -> Result<Vec<Job>, Diagnostics> {
    let mut jobs = Vec::new();
    let mut diags = Diagnostics::new();
    for d in declared {
        match d.each.as_deref() {
            None => jobs.push(Job {
                name: d.name.clone(),
                template: d.template.clone(),
                title: d.title.clone(),
                department: None,
            }),
            Some("department") => {
                for (id, name) in departments {
                    let fill = |s: &str| s.replace("{id}", id).replace("{name}", name);
                    jobs.push(Job {
                        name: fill(&d.name),
                        template: d.template.clone(),
                        title: fill(&d.title),
                        department: Some(id.clone()),
                    });
                }
            }
            Some(other) => diags.error(
                d.location.clone(),
                format!(
                    "文書「{}」の each: {other} は使えません（department のみ）",
                    d.name
                ),
                format!(
                    "document '{}': each: {other} is not supported (only department)",
                    d.name
                ),
            ),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (job, loc) in jobs.iter().map(|j| {
        let loc = declared
            .iter()
            .find(|d| d.template == j.template)
            .map(|d| d.location.clone())
            .unwrap_or(Location::None);
        (j, loc)
    }) {
        if !is_safe_output_name(&job.name) {
            diags.error(
                loc.clone(),
                format!(
                    "文書名「{}」は使えません。build/ の中のファイル名になるため、/ \\ .. などを含めないでください",
                    job.name
                ),
                format!(
                    "document name '{}' is not allowed: it names a file inside build/, so it must not contain / \\ .. or similar",
                    job.name
                ),
            );
        } else if !seen.insert(job.name.clone()) {
            diags.error(
                loc,
                format!("文書名「{}」が重複しています", job.name),
                format!("document name '{}' is declared twice", job.name),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(jobs)
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
}

/// Writes every PDF to a temporary file in `dir`, then renames them all into place. If any
/// temporary file cannot be written, none is renamed and the temporary files are removed, so
/// the previous outputs stay as they were. Returns the final paths.
pub fn write_outputs(dir: &Path, built: &[Built]) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let pid = std::process::id();
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for b in built {
            let final_path = dir.join(format!("{}.pdf", b.name));
            let tmp = dir.join(format!(".{}.pdf.{pid}.tmp", b.name));
            temps.push((tmp.clone(), final_path));
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&b.pdf)?;
            f.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (tmp, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    for (tmp, final_path) in &temps {
        if let Err(e) = fs::rename(tmp, final_path) {
            for (t, _) in &temps {
                let _ = fs::remove_file(t);
            }
            return Err(e);
        }
        written.push(final_path.clone());
    }
    Ok(written)
}

fn display_path(project: &Path, path: &Path) -> String {
    path.strip_prefix(project)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The documents hakusho.yaml declares, and the departments (id, name) in order.
pub fn declared_documents(p: &hakusho_sources::Project) -> (Vec<Declared>, Vec<(String, String)>) {
    let declared = p
        .config
        .documents
        .iter()
        .map(|d| Declared {
            name: d.name.clone(),
            template: d.template.clone(),
            title: d.title.clone(),
            each: d.each.map(|_| "department".to_string()),
            location: Location::file(hakusho_sources::CONFIG_PATH),
        })
        .collect();
    let departments = p
        .departments
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    (declared, departments)
}

pub fn run(project: &Path, names: &[String], lang: Lang) -> anyhow::Result<ExitCode> {
    let started = Instant::now();

    // 1. Sources, reported exactly like `hakusho check`.
    let (model, source_diags) = hakusho_sources::load_project(project);
    let source_errors = report::print_diagnostics(&source_diags, lang);
    let model = match model {
        Some(m) if !source_errors => m,
        _ => return Ok(failed(lang)),
    };

    // 2. The documents to build.
    let (declared, departments) = declared_documents(&model);
    let jobs = match expand(&declared, &departments) {
        Ok(j) => j,
        Err(d) => {
            report::print_diagnostics(&d, lang);
            return Ok(failed(lang));
        }
    };
    let jobs = match select(jobs, names) {
        Ok(j) => j,
        Err(d) => {
            eprintln!("{}", d.render(lang));
            return Ok(ExitCode::from(1));
        }
    };

    // 3. Style and fonts, once for every document.
    let style_path = project.join("templates").join("style.yaml");
    let typesetter = match hakusho_typeset::Style::load(&style_path, project)
        .and_then(|(style, fonts)| hakusho_typeset::Typesetter::new(style, Arc::new(fonts)))
    {
        Ok(t) => t,
        Err(d) => {
            report::print_diagnostics(&d, lang);
            return Ok(failed(lang));
        }
    };

    // 4. Render and typeset, documents in parallel.
    let renderer = Renderer::new(&project.join("templates"));
    let base = context::base(&model);
    let results: Vec<Result<(Built, Diagnostics), Diagnostics>> = jobs
        .par_iter()
        .map(|job| build_one(project, &renderer, &base, &typesetter, job))
        .collect();

    let mut diags = Diagnostics::new();
    let mut built = Vec::new();
    for r in results {
        match r {
            Ok((b, w)) => {
                diags.extend(w);
                built.push(b);
            }
            Err(d) => diags.extend(d),
        }
    }
    if report::print_diagnostics(&diags, lang) {
        return Ok(failed(lang));
    }

    // 5. Write: temporary files, then rename into place.
    let out_dir = project.join("build");
    let written = match write_outputs(&out_dir, &built) {
        Ok(w) => w,
        Err(e) => {
            match lang {
                Lang::Ja => {
                    eprintln!("build/ に書き込めませんでした: {e}（以前の出力はそのままです）")
                }
                Lang::En => {
                    eprintln!("could not write into build/: {e} (previous outputs are untouched)")
                }
            }
            return Ok(ExitCode::from(1));
        }
    };
    for b in &built {
        // The markup kept by an earlier failed build of this document is stale now.
        let _ = fs::remove_file(out_dir.join(format!("{}.markup.html", b.name)));
    }
    for (path, b) in written.iter().zip(&built) {
        match lang {
            Lang::Ja => println!("{}（{}ページ）", display_path(project, path), b.pages),
            Lang::En => println!(
                "{} ({} page{})",
                display_path(project, path),
                b.pages,
                if b.pages == 1 { "" } else { "s" }
            ),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    match lang {
        Lang::Ja => println!("{}件の文書を作成しました（{secs:.2}秒）", built.len()),
        Lang::En => println!("built {} document(s) in {secs:.2}s", built.len()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders and typesets one document.
fn build_one(
    project: &Path,
    renderer: &Renderer,
    base: &context::Base,
    typesetter: &hakusho_typeset::Typesetter,
    job: &Job,
) -> Result<(Built, Diagnostics), Diagnostics> {
    let ctx = context::for_document(
        base,
        &context::DocumentInfo {
            name: &job.name,
            title: &job.title,
            template: &job.template,
            department: job.department.as_deref(),
        },
    );
    let markup = renderer.render(&job.template, ctx).map_err(|d| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    })?;
    // Diagnostics of the typesetter point into the rendered markup; keep it where the template
    // author can read those lines (build/<name>.markup.html: not a PDF).
    let markup_name = format!("build/{}.markup.html", job.name);
    match typesetter.typeset(&markup, &markup_name) {
        Ok(out) => Ok((
            Built {
                name: job.name.clone(),
                pdf: out.pdf,
                pages: out.pages,
            },
            out.warnings,
        )),
        Err(d) => {
            let dir = project.join("build");
            let _ = fs::create_dir_all(&dir);
            let _ = fs::write(dir.join(format!("{}.markup.html", job.name)), &markup);
            Err(d)
        }
    }
}

fn failed(lang: Lang) -> ExitCode {
    match lang {
        Lang::Ja => {
            eprintln!("エラーがあるため PDF は作成していません（以前の出力はそのままです）")
        }
        Lang::En => eprintln!("no PDF written because of errors (previous outputs are untouched)"),
    }
    ExitCode::from(1)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn each_department_expands() {
        let declared = vec![Declared {
            name: "booklet-{id}".into(),
            template: "booklet.html".into(),
            title: "運営方針 {name}".into(),
            each: Some("department".into()),
            location: Location::None,
        }];
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

    #[test]
    fn unknown_names_list_the_declared_ones() {
        let jobs = vec![Job {
            name: "a".into(),
            template: "t.html".into(),
            title: "T".into(),
            department: None,
        }];
        let err = select(jobs, &["b".into()]).unwrap_err();
        assert!(err.ja.contains("b") && err.ja.contains("宣言されている文書: a"));
    }
}
