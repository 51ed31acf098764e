//! `hakusho guide DEPARTMENT`: prints how the department fills in its workbook (Japanese
//! Markdown, made by [`crate::guide`] from the configuration).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::messages::{self, Console};

pub fn run(project_dir: &Path, wanted: &str, console: &mut Console) -> Result<ExitCode> {
    let Some(project) = super::load_clean(project_dir, console, messages::no_guide_written)? else {
        return Ok(ExitCode::from(1));
    };
    let departments = super::departments(&project);
    let Some((id, name)) = super::find_department(&departments, wanted, console)? else {
        return Ok(ExitCode::from(1));
    };
    // the guide to the workbook sent out: its headings are next year's
    match crate::guide::for_department(&crate::workbook::for_next_year(&project), id) {
        Some(guide) => {
            console.out.write_all(guide.to_markdown().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            messages::no_sheet_to_fill(console.err, console.lang, id, name)?;
            Ok(ExitCode::from(1))
        }
    }
}
