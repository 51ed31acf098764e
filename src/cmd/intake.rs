//! `hakusho intake FOLDER-OR-FILE...`: takes in the departments' workbooks ([`crate::intake`]),
//! prints every problem found (as `check` does), then the board; writes the board to
//! `build/intake/status.xlsx`. Exit status: 0 every workbook taken was installed, 1 some file
//! was refused or not taken, 2 the project could not be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use crate::intake::{State, STATUS_XLSX};
use crate::messages::{self, Console};

pub fn run(project: &Path, inputs: &[PathBuf], console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
    if inputs.is_empty() {
        messages::intake_nothing_given(console.err, lang)?;
        return Ok(ExitCode::from(2));
    }
    let report = match crate::intake::intake(project, inputs, SystemTime::now())? {
        Ok(r) => r,
        Err(diags) => {
            messages::diagnostics(console.err, lang, &diags)?;
            messages::intake_refused(console.err, lang)?;
            return Ok(ExitCode::from(2));
        }
    };
    messages::diagnostics(console.err, lang, &report.diagnostics)?;
    crate::board::write_xlsx(project, &report.board, lang)?;
    messages::board(console.out, lang, &report.board)?;
    messages::board_summary(console.out, lang, &report.board, STATUS_XLSX)?;
    let refused = report
        .board
        .departments
        .iter()
        .any(|l| report.processed.contains(&l.id) && l.state == State::Refused);
    Ok(if refused || !report.board.others.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
