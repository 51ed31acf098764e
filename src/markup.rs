//! The marked-up workbook `hakusho intake` sends back to a department
//! (`build/intake/<id>-指摘.xlsx`): a first sheet listing every problem with its sheet and
//! cell, then the department's own sheets with their values in the same cells (numbers with
//! their number formats, so that `hakusho check` reads the copy as it read the original and
//! reports the same problems at the same cells), each problem cell filled red with a note
//! stating the problem and what to do.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use hakusho_diagnostics::{cell_address, Diagnostics, Lang, Location, Severity};
use hakusho_sources::workbook::{read_stored_cells, StoredCell, StoredSheet};
use hakusho_sources::Limits;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError};

use crate::files::write_atomic;
use crate::messages;
use crate::workbook::layout;

/// Fill of a cell with an error.
const ERROR_COLOR: u32 = 0xFFC7CE;
/// Fill of a cell with a warning.
const WARNING_COLOR: u32 = 0xFFEB9C;
/// Every problem of a cell (severity, Japanese message), by (sheet, row, column).
type ProblemsByCell = BTreeMap<(String, u32, u32), Vec<(Severity, String)>>;

/// The most characters an Excel cell holds.
const EXCEL_MAX_CHARS: usize = 32_767;
/// A note longer than this is cut (Excel shows a small box).
const NOTE_MAX_CHARS: usize = 1500;

/// Writes the marked-up copy of the workbook `source` (shown as `display`) with the problems
/// `diags` to `out`.
pub fn write(
    source: &Path,
    display: &Path,
    limits: &Limits,
    diags: &Diagnostics,
    out: &Path,
) -> Result<()> {
    // a workbook the check could read can be read again; if not, the list alone is sent
    let sheets = read_stored_cells(source, display, limits).unwrap_or_default();
    let bytes = workbook_bytes(display, &sheets, diags)?;
    write_atomic(out, &bytes)?;
    Ok(())
}

fn workbook_bytes(
    display: &Path,
    sheets: &[StoredSheet],
    diags: &Diagnostics,
) -> Result<Vec<u8>, XlsxError> {
    let mut sorted = diags.clone();
    sorted.sort();
    let mut workbook = Workbook::new();
    let file_name = display
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut list_name = messages::markup_list_sheet().to_string();
    while sheets.iter().any(|s| s.name == list_name) {
        list_name.push('2');
    }
    write_list(workbook.add_worksheet(), &list_name, &file_name, &sorted)?;
    // every problem of a cell, by (sheet, row, column)
    let mut by_cell = ProblemsByCell::new();
    for d in sorted.iter() {
        if let Location::Cell {
            sheet, row, col, ..
        } = &d.location
        {
            by_cell
                .entry((sheet.clone(), *row, *col))
                .or_default()
                .push((d.severity, d.ja.clone()));
        }
    }
    let mut used = vec![list_name.to_lowercase()];
    for (n, stored) in sheets.iter().enumerate() {
        // the sheet's own name; one Excel would refuse (a duplicate differing in case, a
        // character rust_xlsxwriter rejects) gets a free numbered one
        let mut name = stored.name.clone();
        let mut k = n + 1;
        while used.contains(&name.to_lowercase())
            || rust_xlsxwriter::Worksheet::new().set_name(&name).is_err()
        {
            name = format!("Sheet{k}");
            k += 1;
        }
        used.push(name.to_lowercase());
        let sheet = workbook.add_worksheet();
        sheet.set_name(&name)?;
        write_sheet(sheet, stored, &by_cell)?;
    }
    workbook.save_to_buffer()
}

/// The first sheet: every problem, one row each.
fn write_list(
    sheet: &mut Worksheet,
    name: &str,
    file_name: &str,
    diags: &Diagnostics,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let (errors, warnings) = messages::severity_counts(diags);
    layout::write_title(
        sheet,
        4,
        &messages::markup_title(file_name, errors, warnings),
    )?;
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter);
    sheet.merge_range(1, 0, 1, 4, messages::markup_instructions(), &wrap)?;
    sheet.set_row_height(1, 48)?;
    let headings: Vec<String> = messages::markup_list_headings()
        .iter()
        .map(|h| h.to_string())
        .collect();
    layout::write_header(sheet, &headings, None)?;
    for (c, w) in [6.0, 16.0, 8.0, 8.0, 90.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    for (i, d) in diags.iter().enumerate() {
        let r = layout::FIRST_DATA_ROW + i as u32;
        let (sheet_name, address) = match &d.location {
            Location::Cell {
                sheet, row, col, ..
            } => (sheet.clone(), cell_address(*row, *col)),
            Location::Sheet { sheet, .. } => (sheet.clone(), String::new()),
            _ => (String::new(), String::new()),
        };
        let fill = match d.severity {
            Severity::Error => ERROR_COLOR,
            Severity::Warning => WARNING_COLOR,
        };
        sheet.write_number_with_format(r, 0, (i + 1) as f64, &cell)?;
        sheet.write_string_with_format(r, 1, &sheet_name, &cell)?;
        sheet.write_string_with_format(r, 2, &address, &cell)?;
        sheet.write_string_with_format(
            r,
            3,
            messages::severity_word(d.severity, Lang::Ja),
            &cell.clone().set_background_color(fill),
        )?;
        sheet.write_string_with_format(r, 4, &d.ja, &cell)?;
        let lines = d.ja.chars().count().div_ceil(45).max(1);
        sheet.set_row_height(r, 15.0 * lines as f64 + 3.0)?;
    }
    Ok(())
}

/// One of the department's sheets: its cells as read, the problem cells marked.
fn write_sheet(
    sheet: &mut Worksheet,
    stored: &StoredSheet,
    by_cell: &ProblemsByCell,
) -> Result<(), XlsxError> {
    let problems: BTreeMap<(u32, u32), &Vec<(Severity, String)>> = by_cell
        .iter()
        .filter(|((s, ..), _)| *s == stored.name)
        .map(|((_, r, c), v)| ((*r, *c), v))
        .collect();
    let mark = |format: Format, pos: (u32, u32)| match problems.get(&pos) {
        Some(list) if list.iter().any(|(s, _)| *s == Severity::Error) => {
            format.set_background_color(ERROR_COLOR)
        }
        Some(_) => format.set_background_color(WARNING_COLOR),
        None => format,
    };
    for ((r0, c0), (r1, c1)) in &stored.merged {
        let first = stored
            .cells
            .iter()
            .find(|(r, c, _)| (*r, *c) == (*r0, *c0))
            .and_then(|(_, _, cell)| match cell {
                StoredCell::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .unwrap_or("");
        // an overlapping or single-cell region in the source is left unmerged
        let _ = sheet.merge_range(*r0, *c0 as u16, *r1, *c1 as u16, first, &Format::new());
    }
    // a cell Excel cannot hold as it came (text over Excel's 32,767 characters, a position
    // out of range) is cut or left out: the copy is for reading, the original stays as sent
    for (r, c, cell) in &stored.cells {
        let (r, c16) = (*r, *c as u16);
        let _ = match cell {
            StoredCell::Text(t) => {
                let t: String = t.chars().take(EXCEL_MAX_CHARS).collect();
                sheet.write_string_with_format(r, c16, t, &mark(Format::new(), (r, *c)))
            }
            StoredCell::Number(n, code) => {
                let format = mark(Format::new().set_num_format(code), (r, *c));
                sheet.write_number_with_format(r, c16, *n, &format)
            }
            StoredCell::Bool(b) => {
                sheet.write_boolean_with_format(r, c16, *b, &mark(Format::new(), (r, *c)))
            }
            // read back as the same error value
            StoredCell::Error(e) => {
                sheet.write_string_with_format(r, c16, e, &mark(Format::new(), (r, *c)))
            }
        };
    }
    for ((r, c), list) in &problems {
        let has_value = stored.cells.iter().any(|(cr, cc, _)| (cr, cc) == (r, c));
        if !has_value {
            let _ = sheet.write_blank(*r, *c as u16, &mark(Format::new(), (*r, *c)));
        }
        let text: Vec<String> = list
            .iter()
            .map(|(s, m)| format!("{}: {m}", messages::severity_word(*s, Lang::Ja)))
            .collect();
        let mut text = text.join("\n");
        if text.chars().count() > NOTE_MAX_CHARS {
            text = text.chars().take(NOTE_MAX_CHARS - 1).collect::<String>() + "…";
        }
        let note = Note::new(text)
            .add_author_prefix(false)
            .set_width(320)
            .set_height(120);
        let _ = sheet.insert_note(*r, *c as u16, &note);
    }
    let last_col = stored.cells.iter().map(|(_, c, _)| *c).max().unwrap_or(0);
    for c in 0..=last_col.min(u32::from(u16::MAX)) {
        let _ = sheet.set_column_width(c as u16, 16);
    }
    if stored.hidden {
        sheet.set_hidden(true);
    }
    Ok(())
}
