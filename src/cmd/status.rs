//! `hakusho status`: the submission status board of the last `intake` of the configured
//! fiscal year (every department not submitted when there was none), in the terminal and as
//! `build/intake/status.xlsx`.

use std::path::Path;
use std::process::ExitCode;

use crate::intake::STATUS_XLSX;
use crate::messages::{self, Console};

pub fn run(project_dir: &Path, console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
    let (project, diags) = hakusho_sources::load_project(project_dir);
    let Some(project) = project else {
        messages::diagnostics(console.err, lang, &diags)?;
        messages::intake_refused(console.err, lang)?;
        return Ok(ExitCode::from(2));
    };
    let board = crate::intake::previous_board(project_dir, &project);
    crate::board::write_xlsx(project_dir, &board, lang)?;
    messages::board(console.out, lang, &board)?;
    messages::board_summary(console.out, lang, &board, STATUS_XLSX)?;
    Ok(ExitCode::SUCCESS)
}
