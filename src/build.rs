//! `hakusho build`.
use std::path::Path;
use std::process::ExitCode;

use hakusho_diagnostics::Lang;

pub fn run(_project: &Path, _names: &[String], _lang: Lang) -> anyhow::Result<ExitCode> {
    anyhow::bail!("build is not implemented yet")
}
