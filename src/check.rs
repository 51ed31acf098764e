//! `hakusho check`: validates the sources without building anything.
//!
//! - `hakusho check` checks the whole project (`sources/`).
//! - `hakusho check FILE...` checks only the given files (a department checks its workbook
//!   before sending it); the table layout comes from `sources/hakusho.yaml` of the project
//!   directory (`-C`).
//!
//! Problems go to stderr, one per line (`file:sheet!cell: message` / `file:line:column:
//! message`), sorted, then a count. The summary of a clean check ("問題は見つかりませんでした
//! （ワークブック 9 件、目標指標 71 行…）") goes to stdout. Exit status: 0 no errors (warnings
//! may have been printed), 1 errors found, 2 the check could not run (no project
//! configuration, unreadable project directory).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hakusho_diagnostics::Lang;
use hakusho_sources::{Counts, CONFIG_PATH};

use crate::report::print_diagnostics;

pub fn run(project: &Path, files: &[PathBuf], lang: Lang) -> anyhow::Result<ExitCode> {
    if !project.is_dir() {
        anyhow::bail!(match lang {
            Lang::Ja => format!("プロジェクトのフォルダ {} がありません", project.display()),
            Lang::En => format!("no project directory {}", project.display()),
        });
    }
    let config_missing = !project.join(CONFIG_PATH).is_file();
    let (diags, counts) = if files.is_empty() {
        let (model, mut diags) = hakusho_sources::load_project(project);
        let counts = model.as_ref().map(Counts::of_project).unwrap_or_default();
        if let Some(model) = &model {
            diags.extend(crate::characters::check_project(
                model,
                project,
                crate::build::deps::STYLE_PATH,
            ));
        }
        (diags, counts)
    } else {
        hakusho_sources::check_files_with_counts(project, files)
    };
    let has_errors = print_diagnostics(&diags, lang);
    if config_missing {
        return Ok(ExitCode::from(2));
    }
    if has_errors {
        return Ok(ExitCode::from(1));
    }
    println!("{}", summary(&counts, files.len(), lang));
    Ok(ExitCode::SUCCESS)
}

/// "問題は見つかりませんでした（ワークブック 9 件、目標指標 71 行、…）".
pub fn summary(c: &Counts, files: usize, lang: Lang) -> String {
    let mut parts_ja = Vec::new();
    let mut parts_en = Vec::new();
    if c.workbooks > 0 || files == 0 {
        parts_ja.push(format!("ワークブック {} 件", c.workbooks));
        parts_en.push(format!(
            "{} workbook{}",
            c.workbooks,
            if c.workbooks == 1 { "" } else { "s" }
        ));
    }
    if files > 0 && c.yaml_files > 0 {
        parts_ja.push(format!("YAML {} 件", c.yaml_files));
        parts_en.push(format!(
            "{} YAML file{}",
            c.yaml_files,
            if c.yaml_files == 1 { "" } else { "s" }
        ));
    }
    for (sheet, n) in &c.rows {
        if *n > 0 || files == 0 {
            parts_ja.push(format!("{sheet} {n} 行"));
            parts_en.push(format!("{sheet} {n} row{}", if *n == 1 { "" } else { "s" }));
        }
    }
    match lang {
        Lang::Ja => format!("問題は見つかりませんでした（{}）", parts_ja.join("、")),
        Lang::En => format!("no problems found ({})", parts_en.join(", ")),
    }
}
