//! `hakusho check`: validates the sources without building anything.
//!
//! - `hakusho check` checks the whole project (`sources/`).
//! - `hakusho check FILE...` checks only the given files (a department checks its workbook
//!   before sending it); the table layout comes from `sources/hakusho.yaml` of the project
//!   directory (`-C`).
//!
//! Problems go to stderr, one per line (`file:sheet!cell: message` / `file:line:column:
//! message`), sorted; then one summary. With errors, their count goes to stderr ("エラー 1 件、
//! 警告 0 件"); without, one line to stdout: "問題は見つかりませんでした（ワークブック 9 件、
//! <シート名> 71 行…）", or "エラーはありません。警告 2 件（…）" when only warnings were found.
//! Exit status: 0 no errors (warnings may have been printed), 1 errors found, 2 the check could
//! not run (no project configuration).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hakusho_sources::{Counts, CONFIG_PATH};

use crate::messages::{self, Console};

pub fn run(project: &Path, files: &[PathBuf], console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
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
        let (mut diags, counts, rows) = hakusho_sources::check_files_with_rows(project, files);
        // a clerk checking a workbook before sending it hears of a character no font has, too
        diags.extend(crate::characters::check_rows(
            project,
            &rows,
            crate::build::deps::STYLE_PATH,
        ));
        (diags, counts)
    };
    messages::diagnostics(console.err, lang, &diags)?;
    let (errors, warnings) = messages::severity_counts(&diags);
    if config_missing || errors > 0 {
        if errors > 0 || warnings > 0 {
            messages::check_failed(console.err, lang, errors, warnings)?;
        }
        return Ok(ExitCode::from(if config_missing { 2 } else { 1 }));
    }
    // one summary: the warnings (if any) are counted in it, never next to "no problems"
    messages::check_passed(console.out, lang, &counts, files.len(), warnings)?;
    Ok(ExitCode::SUCCESS)
}
