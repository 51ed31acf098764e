//! `hakusho proof [NAME...] [--since ROUND] [--list]` and `hakusho build --proof`: a few lines
//! over [`crate::proof::make`].

use std::path::Path;
use std::process::ExitCode;

use crate::messages::{self, Console};
use crate::proof::{self, Options};

/// `hakusho proof`.
pub fn run(
    project: &Path,
    opts: &Options,
    list: bool,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    if list {
        messages::proof_rounds(console.out, console.lang, &proof::store::rounds(project))?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = proof::make(project, opts);
    messages::proof_report(console, &report)?;
    Ok(if report.failure.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
