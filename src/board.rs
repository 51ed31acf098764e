//! The submission status board as a workbook (`build/intake/status.xlsx`), for the editor to
//! keep and forward: the departments (those that have not submitted first), the values each
//! installed workbook changed, and the files intake did not take. The texts are those of the
//! terminal board ([`crate::messages`]).

use std::path::Path;

use anyhow::{Context, Result};
use hakusho_diagnostics::Lang;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::files::write_atomic;
use crate::intake::{shown_order, Board, STATUS_XLSX};
use crate::messages;
use crate::workbook::layout;

/// Writes the board to `build/intake/status.xlsx`.
pub fn write_xlsx(project_dir: &Path, board: &Board, lang: Lang) -> Result<()> {
    let bytes = xlsx_bytes(board, lang)?;
    write_atomic(&project_dir.join(STATUS_XLSX), &bytes).context(STATUS_XLSX)
}

fn table(
    sheet: &mut Worksheet,
    name: &str,
    headings: &[&str],
    rows: &[Vec<String>],
    widths: &[f64],
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let headings: Vec<String> = headings.iter().map(|h| h.to_string()).collect();
    layout::write_title(sheet, headings.len() as u16 - 1, name)?;
    layout::write_header(sheet, &headings, None)?;
    let cell = layout::text_format();
    for (i, row) in rows.iter().enumerate() {
        let r = layout::FIRST_DATA_ROW + i as u32;
        for (c, text) in row.iter().enumerate() {
            match text.parse::<f64>() {
                Ok(n) if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) => {
                    sheet.write_number_with_format(r, c as u16, n, &layout::number_format("0"))?
                }
                _ => sheet.write_string_with_format(r, c as u16, text, &cell)?,
            };
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

fn xlsx_bytes(board: &Board, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let names = messages::board_sheets(lang);
    let lines = shown_order(board);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| messages::board_row(l, lang).to_vec())
        .collect();
    table(
        workbook.add_worksheet(),
        names[0],
        &messages::board_headings(lang),
        &rows,
        &[26.0, 30.0, 40.0, 20.0, 8.0, 8.0, 12.0, 36.0],
    )?;
    let changes: Vec<Vec<String>> = lines
        .iter()
        .flat_map(|l| {
            l.changes.iter().map(move |c| {
                vec![
                    l.name.clone(),
                    c.cell.clone(),
                    c.column.clone(),
                    c.name.clone(),
                    messages::change_value(&c.old, lang),
                    messages::change_value(&c.new, lang),
                ]
            })
        })
        .collect();
    table(
        workbook.add_worksheet(),
        names[1],
        &messages::change_headings(lang),
        &changes,
        &[20.0, 22.0, 16.0, 50.0, 18.0, 18.0],
    )?;
    let others: Vec<Vec<String>> = board
        .others
        .iter()
        .map(|o| {
            vec![
                o.file.clone(),
                messages::board_time(o.modified),
                messages::other_reason(&o.reason, lang),
            ]
        })
        .collect();
    table(
        workbook.add_worksheet(),
        names[2],
        &messages::other_headings(lang),
        &others,
        &[40.0, 20.0, 90.0],
    )?;
    workbook.save_to_buffer()
}
