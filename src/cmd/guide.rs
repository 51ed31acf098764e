//! `hakusho guide DEPARTMENT`: prints how the department fills in its workbook (Japanese
//! Markdown, made by [`crate::guide`] from the configuration).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::messages::{self, Console};

pub fn run(project_dir: &Path, wanted: &str, console: &mut Console) -> Result<ExitCode> {
    let lang = console.lang;
    let (model, diags) = hakusho_sources::load_project(project_dir);
    let errors = messages::diagnostics_with_count(console.err, lang, &diags)?;
    let project = match model {
        Some(m) if !errors => m,
        _ => {
            messages::no_guide_written(console.err, lang)?;
            return Ok(ExitCode::from(1));
        }
    };
    let departments: Vec<(String, String)> = project
        .departments
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    let Some((id, name)) = departments
        .iter()
        .find(|(id, name)| id == wanted || name == wanted)
    else {
        messages::unknown_department(console.err, lang, wanted, &departments)?;
        return Ok(ExitCode::from(1));
    };
    match crate::guide::for_department(&project, id) {
        Some(guide) => {
            console.out.write_all(guide.to_markdown().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            messages::no_sheet_to_fill(console.err, lang, id, name)?;
            Ok(ExitCode::from(1))
        }
    }
}
