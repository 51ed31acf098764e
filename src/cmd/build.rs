//! `hakusho build [NAME...] [--force] [--proof]`: a few lines over the build driver
//! ([`crate::build::driver`]); the report is printed through [`crate::messages`].

use std::path::Path;
use std::process::ExitCode;

use crate::build::{build, Options, Session};
use crate::cmd::progress::Progress;
use crate::messages::{self, Console};

/// `hakusho build [--proof]`: builds through [`driver::build`] and prints its report (with
/// the proofs made, when asked for).
pub fn run(project: &Path, opts: &Options, console: &mut Console) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(console.lang);
    let report = build(&mut Session::default(), project, opts, &progress);
    messages::build_report(console, &report)?;
    if let Some(proof) = &report.proof {
        messages::proof_report(console, proof)?;
        if proof.failure.is_some() {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
