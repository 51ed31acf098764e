//! `hakusho check`.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hakusho_diagnostics::Lang;

pub fn run(_project: &Path, _files: &[PathBuf], _lang: Lang) -> anyhow::Result<ExitCode> {
    anyhow::bail!("check is not implemented yet")
}
