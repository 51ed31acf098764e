//! `hakusho build [NAME...] [--force]`: a few lines over the build driver
//! ([`crate::build::driver`]); the report is printed through [`crate::messages`].

use std::path::Path;
use std::process::ExitCode;

use crate::build::{build, Options, Session};
use crate::cmd::progress::Progress;
use crate::messages::{self, Console};

/// `hakusho build`: builds through [`driver::build`] and prints its report.
/// With `proof`, a successful build is followed by the proofs of what the last corrections
/// touched ([`crate::cmd::proof`]).
pub fn run(
    project: &Path,
    opts: &Options,
    proof: bool,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(console.lang);
    let report = build(&mut Session::default(), project, opts, &progress);
    messages::build_report(console, &report)?;
    if !report.succeeded() {
        return Ok(ExitCode::from(1));
    }
    if proof {
        let proof_opts = crate::proof::Options {
            since: None,
            names: opts.names.clone(),
        };
        return crate::cmd::proof::run(project, &proof_opts, false, console);
    }
    Ok(ExitCode::SUCCESS)
}
