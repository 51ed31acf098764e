//! The commands: each a few lines over the library (the build driver, the snapshot, the
//! workbook writer) that print what it reports through [`crate::messages`]. Nothing in the
//! library imports these.

pub mod build;
pub mod check;
pub mod diff;
pub mod guide;
pub mod intake;
pub mod progress;
pub mod proof;
pub mod status;
pub mod watch;
pub mod workbook;

use std::io;
use std::path::Path;

use hakusho_diagnostics::Lang;
use hakusho_sources::Project;

use crate::messages::{self, Console};

/// The project loaded for a command that writes from it (`workbook`, `guide`): its problems
/// printed; `None` (after `refused` is printed) when it has errors.
fn load_clean(
    project_dir: &Path,
    console: &mut Console,
    refused: fn(&mut dyn io::Write, Lang) -> io::Result<()>,
) -> io::Result<Option<Project>> {
    let (model, diags) = hakusho_sources::load_project(project_dir);
    let errors = messages::diagnostics_with_count(console.err, console.lang, &diags)?;
    match model {
        Some(m) if !errors => Ok(Some(m)),
        _ => {
            refused(console.err, console.lang)?;
            Ok(None)
        }
    }
}

/// The departments as (id, name), in order.
fn departments(project: &Project) -> Vec<(String, String)> {
    project
        .departments
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect()
}

/// The department named by its id or its Japanese name; an unknown one is reported, with the
/// known ids.
fn find_department<'a>(
    departments: &'a [(String, String)],
    wanted: &str,
    console: &mut Console,
) -> io::Result<Option<&'a (String, String)>> {
    let found = departments
        .iter()
        .find(|(id, name)| id == wanted || name == wanted);
    if found.is_none() {
        messages::unknown_department(console.err, console.lang, wanted, departments)?;
    }
    Ok(found)
}
