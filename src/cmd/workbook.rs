//! `hakusho workbook DEPARTMENT | --all [--out DIR]`: next year's submission workbooks
//! (prefilled), built by [`crate::workbook`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::messages::{self, Console};
use crate::workbook::{plan_sheets, workbook_bytes, write_atomically, DEFAULT_OUT_DIR};

/// What `hakusho workbook` does: which departments, and where to write.
pub struct Request<'a> {
    pub department: Option<&'a str>,
    pub all: bool,
    pub out: Option<&'a Path>,
}

pub fn run(project_dir: &Path, req: &Request, console: &mut Console) -> Result<ExitCode> {
    let lang = console.lang;
    let Some(project) = super::load_clean(project_dir, console, messages::no_workbook_written)?
    else {
        return Ok(ExitCode::from(1));
    };
    let departments = super::departments(&project);
    let ids: Vec<String> = if req.all {
        departments.iter().map(|(id, _)| id.clone()).collect()
    } else {
        let Some(wanted) = req.department else {
            messages::department_required(console.err, lang, &departments)?;
            return Ok(ExitCode::from(1));
        };
        match super::find_department(&departments, wanted, console)? {
            Some((id, _)) => vec![id.clone()],
            None => return Ok(ExitCode::from(1)),
        }
    };
    let out_dir: PathBuf = match req.out {
        Some(o) => o.to_path_buf(),
        None => project_dir.join(DEFAULT_OUT_DIR),
    };
    std::fs::create_dir_all(&out_dir).with_context(|| format!("{}", out_dir.display()))?;
    let mut written = 0;
    for id in &ids {
        let dept = project.department(id).expect("known department");
        match workbook_bytes(&project, id)? {
            None => messages::no_indicator_table(console.out, lang, id, &dept.name)?,
            Some(bytes) => {
                let path = out_dir.join(format!("{id}.xlsx"));
                write_atomically(&path, &bytes)?;
                let sheets: Vec<(String, usize)> = plan_sheets(&project, id)
                    .iter()
                    .map(|s| (s.table.sheet.clone(), s.rows.len()))
                    .collect();
                messages::workbook_written(console.out, lang, &path, &sheets)?;
                written += 1;
            }
        }
    }
    if ids.len() > 1 {
        messages::workbooks_written(console.out, lang, written, &out_dir)?;
    }
    Ok(ExitCode::SUCCESS)
}
