//! `hakusho build [NAME...] [--force]`: a few lines over the build driver
//! ([`crate::build::driver`]); the report is printed through [`crate::messages`].

use std::path::Path;
use std::process::ExitCode;

use crate::build::{build, Options, Session};
use crate::cmd::progress::Progress;
use crate::messages::{self, Console};

/// `hakusho build`: builds through [`driver::build`] and prints its report.
pub fn run(project: &Path, opts: &Options, console: &mut Console) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(console.lang);
    let report = build(&mut Session::default(), project, opts, &progress);
    messages::build_report(console, &report)?;
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
