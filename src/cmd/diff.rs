//! `hakusho diff [--last]`: the indicator values and paragraphs changed since the last build
//! (or by it), per document that shows them.

use std::path::Path;
use std::process::ExitCode;

use crate::diff::DocView;
use crate::messages::{self, Console, DiffKind};
use crate::snapshot::{self, PREVIOUS_FILE, SNAPSHOT_FILE};

/// `hakusho diff [--last]`.
pub fn run(project: &Path, last: bool, console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
    let (model, diags) = hakusho_sources::load_project(project);
    let errors = messages::diagnostics_with_count(console.err, lang, &diags)?;
    let Some(model) = model.filter(|_| !errors) else {
        return Ok(ExitCode::from(1));
    };
    let docs = match DocView::all(&model) {
        Ok(d) => d,
        Err(d) => {
            messages::diagnostics_with_count(console.err, lang, &d)?;
            return Ok(ExitCode::from(1));
        }
    };
    let (old, new, kind) = if last {
        let Some(new) = snapshot::load(project, SNAPSHOT_FILE) else {
            messages::no_snapshot(console.err, lang, SNAPSHOT_FILE)?;
            return Ok(ExitCode::from(1));
        };
        let Some(old) = snapshot::load(project, PREVIOUS_FILE) else {
            messages::no_changes(console.out, lang, DiffKind::Last)?;
            return Ok(ExitCode::SUCCESS);
        };
        (old, new, DiffKind::Last)
    } else {
        let Some(old) = snapshot::load(project, SNAPSHOT_FILE) else {
            messages::no_snapshot(console.err, lang, SNAPSHOT_FILE)?;
            return Ok(ExitCode::from(1));
        };
        (old, snapshot::snapshot(&model), DiffKind::Pending)
    };
    let changes = snapshot::compare(&old, &new);
    if changes.is_empty() {
        messages::no_changes(console.out, lang, kind)?;
    } else {
        messages::changes(console.out, lang, kind, &changes, &docs)?;
    }
    Ok(ExitCode::SUCCESS)
}
