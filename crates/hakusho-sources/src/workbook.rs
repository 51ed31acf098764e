//! Reading the department workbooks with calamine: tables found by their headings, cells read
//! as typed (Excel number formats applied), every position reported as a real cell address.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{Data, Range, Reader, Sheets, StyleRange};
use hakusho_diagnostics::{cell_address, confined, Diagnostics, Location, Message};

use crate::config::{Headings, TableConfig};
use crate::guard::{self, Limits, ZipKind};
use crate::model::{Loc, Row};
use crate::numfmt;
use crate::text::{half_width, normalize_heading};
use crate::value::Value;

/// Workbook file extensions hakusho reads.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods"];

/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// What was read from one workbook.
#[derive(Debug, Default)]
pub struct WorkbookData {
    /// Sheet names in the workbook.
    pub sheets: Vec<String>,
    /// The configured tables whose sheet is in the workbook.
    pub tables: Vec<TableRows>,
}

/// The rows of one table read from one workbook.
#[derive(Debug)]
pub struct TableRows {
    /// The table id.
    pub id: String,
    pub rows: Vec<Row>,
    /// Rows that were read and checked cell by cell but not kept: past `max_table_rows`
    /// the table is refused anyway, and keeping them would make `check` of a huge workbook
    /// take memory in proportion (issue 17).
    pub not_kept: usize,
}

impl TableRows {
    /// Every row read, kept or not.
    pub fn count(&self) -> usize {
        self.rows.len() + self.not_kept
    }
}

impl WorkbookData {
    pub fn has_table(&self, id: &str) -> bool {
        self.tables.iter().any(|t| t.id == id)
    }
}

type Book = Sheets<Cursor<Vec<u8>>>;

/// Whether a path has a workbook extension (case-insensitive).
pub fn is_workbook_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Reads the configured tables from a workbook. `display` is the path shown in messages;
/// `department` is stored on the rows. Problems go to `diags`; `None` when the file could not
/// be read at all.
pub fn read_workbook(
    real: &Path,
    display: &Path,
    department: Option<&str>,
    tables: &[TableConfig],
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Option<WorkbookData> {
    let file = Location::file(display);
    let (mut book, uncached) = open(real, display, limits)
        .map_err(|m| diags.push(m.error_at(file.clone())))
        .ok()?;
    let sheets = match catch_unwind(AssertUnwindSafe(|| book.sheet_names())) {
        Ok(s) => s,
        Err(_) => {
            diags.error(file, PANIC_JA, PANIC_EN);
            return None;
        }
    };
    let mut data = WorkbookData {
        sheets: sheets.clone(),
        tables: Vec::new(),
    };
    for table in tables {
        let wanted = normalize_heading(&table.sheet);
        let Some(sheet) = sheets.iter().find(|s| normalize_heading(s) == wanted) else {
            continue;
        };
        // an unreadable sheet was reported; it still counts as present
        let unreadable: Vec<(u32, u32)> = uncached
            .iter()
            .filter(|(s, ..)| s == sheet)
            .map(|&(_, r, c)| (r, c))
            .collect();
        let at = SheetRead {
            sheet,
            display,
            department,
            uncached: &unreadable,
            keep_rows: usize::try_from(limits.max_table_rows)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        };
        let (rows, not_kept) = read_table(&mut book, &at, table, diags).unwrap_or_default();
        data.tables.push(TableRows {
            id: table.id.clone(),
            rows,
            not_kept,
        });
    }
    Some(data)
}

const PANIC_JA: &str = "ワークブックの読み込み中に読み取りライブラリが異常終了しました。Excel で開いて .xlsx 形式で保存し直してください";
const PANIC_EN: &str = "the spreadsheet library failed while reading this workbook; open it in Excel and save it again as .xlsx";

/// Formula cells saved without their result: (sheet, row, column), from the guard.
type Uncached = Vec<(String, u32, u32)>;

/// Opens a workbook after the guard's checks. The format is told by the content, not the
/// extension (a `.xls` that is really an `.xlsx` is read; a text file named `.xlsx` is refused).
fn open(real: &Path, display: &Path, limits: &Limits) -> Result<(Book, Uncached), Message> {
    // one confined, capped reader: a link to /dev/zero or a FIFO is refused before it is opened
    let split = |e: confined::ReadError| e.diagnostic.text();
    let resolved = confined::resolve_source(real, display).map_err(split)?;
    guard::check_file_size(resolved.metadata.len(), false, limits)?;
    let max_bytes = limits.max_file_mb.saturating_mul(1024 * 1024);
    let bytes =
        confined::read_resolved(&resolved, display, max_bytes).map_err(|e| match e.too_large {
            // the file grew since it was measured: the limit's own message
            Some(len) => guard::check_file_size(len, false, limits)
                .err()
                .unwrap_or_else(|| split(e)),
            None => split(e),
        })?;
    let ext = real
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let found = guard::inspect_zip(&bytes, limits)?;
        let uncached = found.uncached_formulas;
        match found.kind {
            ZipKind::Xlsx => guarded(|| calamine::Xlsx::new(Cursor::new(bytes)).map(Sheets::Xlsx))
                .map(|b| (b, uncached)),
            ZipKind::Ods => guarded(|| calamine::Ods::new(Cursor::new(bytes)).map(Sheets::Ods))
                .map(|b| (b, uncached)),
            ZipKind::Xlsb => Err(Message::new(
                "バイナリ形式 (.xlsb) のワークブックは読めません。Excel で「Excel ブック (.xlsx)」として保存し直してください",
                "binary workbooks (.xlsb) are not read; save it in Excel as an Excel Workbook (.xlsx)",
            )),
            ZipKind::Other => Err(Message::new(
                "ZIP ファイルですが、Excel や LibreOffice のワークブックではありません（Word 文書などではありませんか）",
                "a zip file but not an Excel or LibreOffice workbook (a Word document?)",
            )),
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        guard::check_file_size(bytes.len() as u64, true, limits)?;
        // calamine parses every sheet on open and trusts declared sizes: probe it in a child
        crate::isolate::probe(&resolved.real, limits)?;
        guarded(|| calamine::Xls::new(Cursor::new(bytes)).map(Sheets::Xls))
            .map(|b| (b, Vec::new()))
            .map_err(|Message { ja, en }| {
            // an encrypted .xlsx is an OLE file without a Workbook stream
            if en.contains("Workbook stream") || en.to_ascii_lowercase().contains("password") {
                Message::new(
                    format!("{ja}（パスワードで保護されたファイルは読めません。保護を解除して保存してください）"),
                    format!("{en} (password-protected files cannot be read; remove the protection and save)"),
                )
            } else {
                Message::new(ja, en)
            }
        })
    } else {
        let looks_text =
            !bytes.is_empty() && std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok();
        let what_ja = if bytes.is_empty() {
            "空のファイルです".to_string()
        } else if looks_text {
            "テキストファイル（CSV など）のようです".to_string()
        } else {
            "中身がワークブックの形式ではありません".to_string()
        };
        let what_en = if bytes.is_empty() {
            "the file is empty"
        } else if looks_text {
            "it looks like a text file (CSV?)"
        } else {
            "its content is not a workbook format"
        };
        Err(Message::new(
            format!(
                "Excel のワークブックではありません（拡張子 .{ext}、{what_ja}）。Excel で開いて .xlsx 形式で保存してください"
            ),
            format!("not an Excel workbook (extension .{ext}; {what_en}); open it in Excel and save it as .xlsx"),
        ))
    }
}

fn guarded<E: std::fmt::Display>(f: impl FnOnce() -> Result<Book, E>) -> Result<Book, Message> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(b)) => Ok(b),
        // the library's English text goes to the English message only
        Ok(Err(e)) => Err(Message::new(
            "ワークブックとして開けません（中身が壊れているか、対応していない形式です）。Excel で開いて .xlsx 形式で保存し直してください".to_string(),
            format!("cannot open the workbook ({e}); open it in Excel and save it again as .xlsx"),
        )),
        Err(_) => Err(Message::new(PANIC_JA, PANIC_EN)),
    }
}

/// Opens a workbook (after the guard) and reads every sheet's cells and styles, returning
/// each sheet's name and number of used cells: a robustness probe (tests, `examples/`).
pub fn read_all_sheets(real: &Path, limits: &Limits) -> Result<Vec<(String, usize)>, Message> {
    let (mut book, _) = open(real, real, limits)?;
    let names = catch_unwind(AssertUnwindSafe(|| book.sheet_names()))
        .map_err(|_| Message::new(PANIC_JA, PANIC_EN))?;
    let mut out = Vec::new();
    for name in names {
        let range = catch_unwind(AssertUnwindSafe(|| book.worksheet_range(&name)))
            .map_err(|_| Message::new(PANIC_JA, PANIC_EN))?;
        let _ = catch_unwind(AssertUnwindSafe(|| book.worksheet_style(&name)));
        let _ = merged_regions(&mut book, &name);
        let used = match range {
            Ok(r) => r.used_cells().count(),
            Err(e) => return Err(unreadable_sheet(&name, &e)),
        };
        out.push((name, used));
    }
    Ok(out)
}

/// One cell of a workbook as stored: what `hakusho intake` copies into the marked-up workbook
/// it sends back, so that reading the copy gives the same values (and the same problems).
#[derive(Debug, Clone, PartialEq)]
pub enum StoredCell {
    Text(String),
    /// A number (dates and times included) with its Excel number format.
    Number(f64, String),
    Bool(bool),
    /// An error value (`#DIV/0!`).
    Error(String),
}

/// The used cells of one sheet, in row order.
#[derive(Debug, Clone, Default)]
pub struct StoredSheet {
    pub name: String,
    pub hidden: bool,
    /// (row, column, cell), 0-based.
    pub cells: Vec<(u32, u32, StoredCell)>,
    /// Merged regions: ((first row, first column), (last row, last column)).
    pub merged: Vec<((u32, u32), (u32, u32))>,
}

/// Every sheet's used cells with their number formats, read behind the same guard as
/// [`read_workbook`] (size, zip and cell limits; `.xls` probed in a child first).
pub fn read_stored_cells(
    real: &Path,
    display: &Path,
    limits: &Limits,
) -> Result<Vec<StoredSheet>, Message> {
    let (mut book, _) = open(real, display, limits)?;
    let metadata = catch_unwind(AssertUnwindSafe(|| book.sheets_metadata().to_vec()))
        .map_err(|_| Message::new(PANIC_JA, PANIC_EN))?;
    let mut out = Vec::new();
    for sheet in metadata {
        let name = sheet.name.clone();
        let range = match catch_unwind(AssertUnwindSafe(|| book.worksheet_range(&name))) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(unreadable_sheet(&name, &e)),
            Err(_) => return Err(Message::new(PANIC_JA, PANIC_EN)),
        };
        let styles = match catch_unwind(AssertUnwindSafe(|| book.worksheet_style(&name))) {
            Ok(Ok(s)) => s,
            _ => StyleRange::empty(),
        };
        let merged = merged_regions(&mut book, &name);
        let mut cells = Vec::new();
        let start = range.start().unwrap_or((0, 0));
        for (r, c, data) in range.used_cells() {
            let pos = (start.0 + r as u32, start.1 + c as u32);
            let cell = match data {
                Data::Empty => continue,
                Data::String(s) => StoredCell::Text(s.clone()),
                Data::Float(f) => StoredCell::Number(*f, format_code(&styles, pos)),
                Data::Int(i) => StoredCell::Number(*i as f64, format_code(&styles, pos)),
                Data::Bool(b) => StoredCell::Bool(*b),
                Data::DateTime(dt) => StoredCell::Number(dt.as_f64(), format_code(&styles, pos)),
                Data::DateTimeIso(s) | Data::DurationIso(s) => StoredCell::Text(s.clone()),
                Data::Error(e) => StoredCell::Error(e.to_string()),
            };
            cells.push((pos.0, pos.1, cell));
        }
        out.push(StoredSheet {
            name,
            hidden: sheet.visible != calamine::SheetVisible::Visible,
            cells,
            merged,
        });
    }
    Ok(out)
}

/// Cell error values as text (ods gives them as strings).
const ERROR_TEXTS: &[&str] = &[
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#DATA!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
];

/// The message for a sheet calamine cannot read: its English text in the English message only.
fn unreadable_sheet(sheet: &str, e: &dyn std::fmt::Display) -> Message {
    Message::new(
        format!(
            "シート {sheet} を読めません（中身が壊れています）。Excel で開いて保存し直してください"
        ),
        format!("cannot read sheet {sheet} ({e}); open the file in Excel and save it again"),
    )
}

enum Cell {
    Value(Value),
    Error(String),
    /// A number its format cannot show (`inf%`, hundreds of decimals): (value, format code, why).
    Unprintable(f64, String, numfmt::Unprintable),
    /// A date/time cell; (year, month, day).
    Date(Value, (i32, u32, u32)),
}

fn format_code(styles: &StyleRange, pos: (u32, u32)) -> String {
    let Some(nf) = styles.get(pos).and_then(|s| s.number_format.as_ref()) else {
        return "General".to_string();
    };
    if nf.format_code.eq_ignore_ascii_case("general") {
        if let Some(code) = nf.format_id.and_then(numfmt::builtin_east_asian) {
            return code.to_string();
        }
    }
    nf.format_code.clone()
}

fn read_cell(range: &Range<Data>, styles: &StyleRange, pos: (u32, u32)) -> Cell {
    let Some(data) = range.get_value(pos) else {
        return Cell::Value(Value::empty());
    };
    match data {
        Data::Empty => Cell::Value(Value::empty()),
        Data::String(s) => {
            let t = s.trim();
            if ERROR_TEXTS.contains(&t) || t.starts_with("Err:") {
                Cell::Error(t.to_string())
            } else {
                Cell::Value(Value::from_text(s))
            }
        }
        Data::Float(f) => number_cell(*f, format_code(styles, pos)),
        Data::Int(i) => number_cell(*i as f64, format_code(styles, pos)),
        Data::Bool(b) => Cell::Value(Value::from_text(if *b { "TRUE" } else { "FALSE" })),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                Cell::Value(Value::from_number(dt.as_f64(), "General"))
            } else {
                let v = Value::from_date_serial(dt.as_f64(), &format_code(styles, pos));
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                Cell::Date(v, (i32::from(y), u32::from(m), u32::from(d)))
            }
        }
        Data::DateTimeIso(s) => {
            let mut v = Value::from_text(s);
            let ymd = s.get(..10).and_then(|d| {
                let mut it = d.split('-').map(|x| x.parse::<u32>().ok());
                Some((it.next()?? as i32, it.next()??, it.next()??))
            });
            if let Some((y, m, d)) = ymd {
                v.text = format!("{y}/{m}/{d}");
                v.date = Some(format!("{y:04}-{m:02}-{d:02}"));
                return Cell::Date(v, (y, m, d));
            }
            Cell::Value(v)
        }
        Data::DurationIso(s) => Cell::Value(Value::from_text(s)),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn number_cell(n: f64, code: String) -> Cell {
    match Value::try_from_number(n, &code) {
        Ok(v) => Cell::Value(v),
        Err(why) => Cell::Unprintable(n, code, why),
    }
}

/// Plain text of a cell for heading matching (strings only; numbers as General).
fn cell_text(range: &Range<Data>, pos: (u32, u32)) -> String {
    match range.get_value(pos) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => numfmt::general(*f).text,
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

struct Columns {
    group: Option<u32>,
    name: Option<u32>,
    note: Option<u32>,
    values: Vec<(String, Option<u32>)>,
    last_header_row: u32,
}

/// At most `max` characters of a value quoted in a message (a format code may be thousands of
/// characters long).
fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Which sheet a table is read from, and what the guard found in it.
struct SheetRead<'a> {
    sheet: &'a str,
    display: &'a Path,
    department: Option<&'a str>,
    /// Formula cells without a saved result (row, column).
    uncached: &'a [(u32, u32)],
    /// Rows kept at most; the rest are checked and counted (one past the table limit is
    /// enough for the limit's message).
    keep_rows: usize,
}

/// The message for a cell whose value cannot reach the page as typed (issue 17, points 4, 5).
fn lost_cell_message(addr: &str, cell: &Cell) -> Option<Message> {
    const RESAVE_JA: &str = "Excel で開いて保存し直してください";
    match cell {
        Cell::Unprintable(n, code, why) => {
            let code = excerpt(code, 80);
            let shown = numfmt::general(*n).text;
            Some(match why {
                numfmt::Unprintable::TooLarge => Message::new(
                    format!("セル {addr} の数値 {shown} は書式「{code}」では大きすぎて数字として印刷できません。値と書式を確かめ、{RESAVE_JA}"),
                    format!("cell {addr}: the number {shown} is too large to print with the format \"{code}\"; check the value and the format, then open the file in Excel and save it again"),
                ),
                numfmt::Unprintable::TooManyDecimals(d) => Message::new(
                    format!("セル {addr} の書式「{code}」は小数点以下 {d} 桁を表示する指定です（上限 {} 桁）。書式の桁数を直し、{RESAVE_JA}", numfmt::MAX_DECIMALS),
                    format!("cell {addr}: the format \"{code}\" shows {d} decimals (at most {}); fix the format, then open the file in Excel and save it again", numfmt::MAX_DECIMALS),
                ),
            })
        }
        _ => None,
    }
}

fn read_table(
    book: &mut Book,
    at: &SheetRead<'_>,
    table: &TableConfig,
    diags: &mut Diagnostics,
) -> Option<(Vec<Row>, usize)> {
    let (sheet, display, department) = (at.sheet, at.display, at.department);
    let sheet_loc = Location::sheet(display, sheet);
    let range = match catch_unwind(AssertUnwindSafe(|| book.worksheet_range(sheet))) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            diags.push(unreadable_sheet(sheet, &e).error_at(sheet_loc));
            return None;
        }
        Err(_) => {
            diags.error(sheet_loc, PANIC_JA, PANIC_EN);
            return None;
        }
    };
    // number formats: XLSX only (others give none and numbers show as General)
    let styles = match catch_unwind(AssertUnwindSafe(|| book.worksheet_style(sheet))) {
        Ok(Ok(s)) => s,
        _ => StyleRange::empty(),
    };
    let merged = merged_regions(book, sheet);
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        diags.error(
            sheet_loc,
            format!(
                "シート {sheet} が空です。見出し行（{}）と指標の行を入力してください",
                expected_headings(table).join("、")
            ),
            format!(
                "sheet {sheet} is empty; enter the header row ({}) and the indicator rows",
                expected_headings(table).join(", ")
            ),
        );
        return None;
    };
    let cols = find_columns(&range, start, end, table, sheet, &sheet_loc, diags)?;
    let (Some(group_col), Some(name_col)) = (cols.group, cols.name) else {
        return None;
    };
    let group_heading = table.group.heading.main();
    let name_heading = table.name.heading.main();
    let mut rows = Vec::new();
    let mut not_kept = 0;
    let mut previous_group: Option<(String, u32)> = None;
    for r in cols.last_header_row + 1..=end.0 {
        let cell_loc = |c: u32| Location::cell(display, sheet, r, c);
        let mut errors = false;
        let mut get = |c: u32, diags: &mut Diagnostics| -> (Value, Option<(i32, u32, u32)>) {
            if at.uncached.contains(&(r, c)) {
                errors = true;
                let addr = cell_address(r, c);
                diags.error(
                    cell_loc(c),
                    format!("セル {addr} は数式ですが、計算結果が保存されていません（数式を計算せずに保存するツールで作られたファイルです）。このままでは空欄になるため読み込みません。Excel で開いて保存し直してください"),
                    format!("cell {addr} holds a formula saved without its result (the tool that wrote the file does not calculate); it would print blank, so it is not read. Open the file in Excel and save it again"),
                );
                return (Value::empty(), None);
            }
            let cell = read_cell(&range, &styles, (r, c));
            if let Some(m) = lost_cell_message(&cell_address(r, c), &cell) {
                errors = true;
                diags.push(m.error_at(cell_loc(c)));
                return (Value::empty(), None);
            }
            match cell {
                Cell::Value(v) => (v, None),
                Cell::Date(v, ymd) => (v, Some(ymd)),
                Cell::Unprintable(..) => (Value::empty(), None),
                Cell::Error(e) => {
                    errors = true;
                    let addr = cell_address(r, c);
                    diags.error(
                        cell_loc(c),
                        format!("セル {addr} がエラー値 {e} です。数値か文字列を入力してください"),
                        format!("cell {addr} holds the error value {e}; enter a number or text"),
                    );
                    (Value::empty(), None)
                }
            }
        };
        let (group_v, group_date) = get(group_col, diags);
        let (name_v, _) = get(name_col, diags);
        let note_v = cols.note.map(|c| get(c, diags).0).unwrap_or_default();
        // past the limit a row is checked cell by cell but not kept: no maps built for it
        let keep = rows.len() < at.keep_rows;
        let mut values = BTreeMap::new();
        let mut cells = BTreeMap::new();
        let mut values_empty = true;
        for (key, col) in &cols.values {
            if let Some(c) = col {
                let value = get(*c, diags).0;
                values_empty &= value.is_empty();
                if keep {
                    values.insert(key.clone(), value);
                    cells.insert(key.clone(), cell_loc(*c));
                }
            }
        }
        if name_v.is_empty() && values_empty && group_v.is_empty() && !errors {
            continue; // blank row
        }
        if name_v.is_empty() && values_empty && !errors {
            // a line of text in the group column under the table, e.g. "(注) ..."
            let t = group_v.text.trim();
            if t.chars().count() > 12 || t.starts_with(['(', '（', '※', '＊', '*']) {
                continue;
            }
        }
        let mut group = normalize_code(&group_v.text);
        if let Some((y, m, d)) = group_date {
            let addr = cell_address(r, group_col);
            diags.error(
                cell_loc(group_col),
                format!(
                    "セル {addr} の{group_heading}が日付（{y}年{m}月{d}日）になっています。「{m}-{d}」のつもりなら、セルの書式を「文字列」にしてから入力し直してください"
                ),
                format!(
                    "cell {addr} ({group_heading}) is a date ({y}-{m:02}-{d:02}); if you meant \"{m}-{d}\", format the cell as Text and type it again"
                ),
            );
            continue;
        }
        if group.is_empty() {
            // a group cell merged over several rows: the code of the row above
            match &previous_group {
                Some((g, prev_row))
                    if merged.iter().any(|(s, e)| {
                        s.1 <= group_col && group_col <= e.1 && s.0 <= *prev_row && r <= e.0
                    }) =>
                {
                    group = g.clone();
                }
                _ => {
                    if !errors {
                        let addr = cell_address(r, group_col);
                        diags.error(
                            cell_loc(group_col),
                            format!("セル {addr} の{group_heading}が空です（指標「{}」の行）。{group_heading}を入力してください", name_v.text.trim()),
                            format!("cell {addr} ({group_heading}) is empty (row of \"{}\"); enter the code", name_v.text.trim()),
                        );
                    }
                    continue;
                }
            }
        }
        previous_group = Some((group.clone(), r));
        if name_v.is_empty() {
            if !errors {
                let addr = cell_address(r, name_col);
                diags.error(
                    cell_loc(name_col),
                    format!("セル {addr} の{name_heading}が空です（{group_heading} {group} の行）。{name_heading}を入力してください"),
                    format!("cell {addr} ({name_heading}) is empty (row of {group}); enter the name"),
                );
            }
            continue;
        }
        if rows.len() >= at.keep_rows {
            not_kept += 1;
            continue;
        }
        rows.push(Row {
            group,
            name: name_v.text.trim().to_string(),
            note: note_v.text.trim().to_string(),
            values,
            department: department.map(str::to_string),
            location: Loc(cell_loc(name_col)),
            group_cell: cell_loc(group_col),
            note_cell: cols.note.map(cell_loc),
            cells,
        });
    }
    Some((rows, not_kept))
}

/// A group code as compared with plan.yaml: half-width, without spaces.
pub fn normalize_code(s: &str) -> String {
    half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, 'ー' | '―' | '‐' | '–' | '—') {
                '-'
            } else {
                c
            }
        })
        .collect()
}

fn merged_regions(book: &mut Book, sheet: &str) -> Vec<((u32, u32), (u32, u32))> {
    let dims = catch_unwind(AssertUnwindSafe(|| match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).ok(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).ok(),
        _ => None,
    }))
    .ok()
    .flatten()
    .unwrap_or_default();
    dims.into_iter().map(|d| (d.start, d.end)).collect()
}

fn expected_headings(table: &TableConfig) -> Vec<String> {
    let mut v = vec![
        table.group.heading.main().to_string(),
        table.name.heading.main().to_string(),
    ];
    v.extend(table.values.iter().map(|c| c.heading.main().to_string()));
    v
}

/// Finds the header row (the row, among the first [`HEADER_SEARCH_ROWS`] rows of the used
/// range, matching the most
/// headings; a heading may also sit in the row just above or below it, for two-row headers)
/// and each column. Reports missing headings.
fn find_columns(
    range: &Range<Data>,
    start: (u32, u32),
    end: (u32, u32),
    table: &TableConfig,
    sheet: &str,
    sheet_loc: &Location,
    diags: &mut Diagnostics,
) -> Option<Columns> {
    let mut wanted: Vec<&Headings> = vec![&table.group.heading, &table.name.heading];
    wanted.extend(table.values.iter().map(|v| &v.heading));
    let last_search = end.0.min(start.0.saturating_add(HEADER_SEARCH_ROWS - 1));
    let count = |r: u32| {
        wanted
            .iter()
            .filter(|h| (start.1..=end.1).any(|c| h.matches(&cell_text(range, (r, c)))))
            .count()
    };
    let mut best: Option<(u32, usize)> = None;
    for r in start.0..=last_search {
        let n = count(r);
        if n > 0 && best.is_none_or(|(_, b)| n > b) {
            best = Some((r, n));
        }
    }
    let header_row = best.map(|(r, _)| r);
    let mut used: Vec<u32> = Vec::new();
    let mut last_header_row = header_row.unwrap_or(start.0);
    let mut find = |h: &Headings, used: &mut Vec<u32>| -> Option<u32> {
        let hr = header_row?;
        let rows = [Some(hr), hr.checked_sub(1), Some(hr + 1)];
        for r in rows.into_iter().flatten() {
            if r < start.0 || r > end.0 {
                continue;
            }
            if let Some(c) = (start.1..=end.1)
                .find(|c| !used.contains(c) && h.matches(&cell_text(range, (r, *c))))
            {
                used.push(c);
                last_header_row = last_header_row.max(r);
                return Some(c);
            }
        }
        None
    };
    let group = find(&table.group.heading, &mut used);
    let name = find(&table.name.heading, &mut used);
    let values: Vec<(String, Option<u32>)> = table
        .values
        .iter()
        .map(|v| (v.key.clone(), find(&v.heading, &mut used)))
        .collect();
    let note = table
        .note
        .as_ref()
        .and_then(|n| find(&n.heading, &mut used));
    let mut missing: Vec<&str> = Vec::new();
    if group.is_none() {
        missing.push(table.group.heading.main());
    }
    if name.is_none() {
        missing.push(table.name.heading.main());
    }
    for ((_, c), v) in values.iter().zip(&table.values) {
        if c.is_none() {
            missing.push(v.heading.main());
        }
    }
    if !missing.is_empty() {
        // what the clerk's header row holds (or the first row with text)
        let shown_row = header_row.or_else(|| {
            (start.0..=last_search).find(|r| {
                (start.1..=end.1)
                    .filter(|c| !cell_text(range, (*r, *c)).trim().is_empty())
                    .count()
                    >= 2
            })
        });
        let found: Vec<String> = shown_row
            .map(|r| {
                (start.1..=end.1)
                    .map(|c| {
                        cell_text(range, (r, c))
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join("")
                    })
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let quoted: Vec<String> = missing.iter().map(|m| format!("「{m}」")).collect();
        let (where_ja, where_en) = match shown_row {
            Some(r) => (
                format!("見出し行は {} 行目", r + 1),
                format!("header row {}", r + 1),
            ),
            None => (
                format!("先頭 {HEADER_SEARCH_ROWS} 行に見出し行がありません"),
                format!("no header row in the first {HEADER_SEARCH_ROWS} rows"),
            ),
        };
        let found_ja = if found.is_empty() {
            "なし".to_string()
        } else {
            found.join("、")
        };
        let found_en = if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        };
        diags.error(
            match shown_row {
                Some(r) => Location::cell(
                    sheet_loc.path().unwrap_or(Path::new("")),
                    sheet,
                    r,
                    start.1,
                ),
                None => sheet_loc.clone(),
            },
            format!(
                "シート {sheet} に見出し{}がありません（{where_ja}。見つかった見出し: {found_ja}）。必要な見出し: {}",
                quoted.join(""),
                expected_headings(table).join("、")
            ),
            format!(
                "sheet {sheet} has no heading {} ({where_en}; headings found: {found_en}); required: {}",
                missing.join(", "),
                expected_headings(table).join(", ")
            ),
        );
    }
    Some(Columns {
        group,
        name,
        note,
        values,
        last_header_row,
    })
}
