//! `hakusho workbook DEPARTMENT` / `hakusho workbook --all`: writes each department's indicator
//! workbook for next year's submission (rust_xlsxwriter), prefilled from this year's model.
//!
//! For every configured table (`hakusho.yaml` `tables:`) whose rows belong to the department
//! (and, for tables grouped by policy, every department responsible for a policy), one
//! sheet named as configured:
//!
//! - row 1: a title (the sheet name, the department's name, the year to report);
//! - row 2: a legend (which cells to fill, what the rest is);
//! - row 3: the header, exactly the configured headings (`group`, a reference column with the
//!   policy's or goal's title, `name`, the value columns, the optional note column), each value
//!   heading with a note giving its printed label;
//! - then one row per indicator as read this year: every value written back as it was (numbers
//!   as numbers with their number format reconstructed from the [`Value`], text as text).
//!
//! The value columns declared `fill: true` (the results column that next year's figures
//! replace) are filled yellow; a last sheet, 記入方法, holds the clerk's guide
//! ([`crate::guide`]). The group column has a list validation
//! of the department's codes; value columns an input message (any value: they hold numbers and
//! words such as 維持 / —). Output is deterministic: fixed document properties and dates.
//!
//! [`layout`] and [`cell_for`] are shared with `examples/make_sample_workbooks.rs`.

use std::io;
use std::path::{Path, PathBuf};

use hakusho_sources::config::{RefersTo, TableConfig};
use hakusho_sources::{numfmt, Project, Row, Value, ValueKind};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign, Formula, Note,
    Workbook, Worksheet, XlsxError,
};

/// Default output directory, relative to the project directory.
pub const DEFAULT_OUT_DIR: &str = "build/workbooks";

/// Rows below the prefilled ones that get the same data validation (for added indicators).
const SPARE_ROWS: u32 = 30;

/// Fill colour of the cells next year's figures go into.
const FILL_COLOR: u32 = 0xFFF2CC;
/// Header colour of those columns.
const FILL_HEADER_COLOR: u32 = 0xFFD966;

/// The sheet layout and cell formats shared by the generated workbooks and the sample
/// workbooks of `examples/make_sample_workbooks.rs`: a title in row 1, row 2 free (blank or a
/// legend), the header in row 3, data from row 4.
pub mod layout {
    use rust_xlsxwriter::{
        DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError,
    };

    /// The header row (0-based): title, blank/legend row, header.
    pub const HEADER_ROW: u32 = 2;
    /// The first data row (0-based).
    pub const FIRST_DATA_ROW: u32 = HEADER_ROW + 1;

    pub fn title_format() -> Format {
        Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Left)
    }

    pub fn header_format() -> Format {
        Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(0xDDEBF7)
    }

    /// A text (or empty) data cell.
    pub fn text_format() -> Format {
        Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
    }

    /// A number data cell with the Excel number format `code`.
    pub fn number_format(code: &str) -> Format {
        Format::new()
            .set_num_format(code)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
    }

    /// The title across columns `0..=last_col` of row 1.
    pub fn write_title(sheet: &mut Worksheet, last_col: u16, title: &str) -> Result<(), XlsxError> {
        if last_col == 0 {
            sheet.write_string_with_format(0, 0, title, &title_format())?;
        } else {
            sheet.merge_range(0, 0, 0, last_col, title, &title_format())?;
        }
        Ok(())
    }

    /// The header row: `headings[i]` in column `i` with `formats[i]` (or [`header_format`]),
    /// a taller row, the panes frozen below it.
    pub fn write_header(
        sheet: &mut Worksheet,
        headings: &[String],
        formats: Option<&[Format]>,
    ) -> Result<(), XlsxError> {
        sheet.set_row_height(HEADER_ROW, 30)?;
        let plain = header_format();
        for (c, heading) in headings.iter().enumerate() {
            let format = formats.and_then(|f| f.get(c)).unwrap_or(&plain);
            sheet.write_string_with_format(HEADER_ROW, c as u16, heading, format)?;
        }
        sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
        Ok(())
    }

    /// Fixed document properties (so two runs write identical bytes).
    pub fn properties(
        title: &str,
        author: &str,
        company: &str,
        created: &ExcelDateTime,
    ) -> DocProperties {
        DocProperties::new()
            .set_title(title)
            .set_author(author)
            .set_company(company)
            .set_creation_datetime(created)
    }
}

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number { value: f64, format: String },
}

/// Writes one data cell with the layout's formats ([`layout::text_format`] /
/// [`layout::number_format`]), on a `fill` background colour when given.
pub fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &CellValue,
    fill: Option<u32>,
) -> Result<(), XlsxError> {
    let with_fill = |f: Format| match fill {
        Some(color) => f.set_background_color(color),
        None => f,
    };
    match cell {
        CellValue::Empty => {
            sheet.write_blank(row, col, &with_fill(layout::text_format()))?;
        }
        CellValue::Text(s) => {
            sheet.write_string_with_format(row, col, s, &with_fill(layout::text_format()))?;
        }
        CellValue::Number { value, format } => {
            sheet.write_number_with_format(
                row,
                col,
                *value,
                &with_fill(layout::number_format(format)),
            )?;
        }
    }
    Ok(())
}

/// How to write a [`Value`] back so that reading it gives the same text and number: a number
/// cell with the number format reconstructed from the value (decimals, percent, grouping,
/// unit) when that format displays exactly `value.text`; otherwise the text as typed.
pub fn cell_for(value: &Value) -> CellValue {
    match value.kind {
        ValueKind::Empty if value.text.is_empty() => CellValue::Empty,
        ValueKind::Number => match (value.number, number_format_for(value)) {
            (Some(n), Some(format)) => CellValue::Number { value: n, format },
            _ => CellValue::Text(value.text.clone()),
        },
        _ => CellValue::Text(value.text.clone()),
    }
}

/// The Excel number format that shows `value.number` as `value.text` (`#,##0"件"`, `0.0%`,
/// `0"ha"`, `General`), or `None` when no simple format does (annotations, compound values,
/// full-width digits, `△3`...).
pub fn number_format_for(value: &Value) -> Option<String> {
    let n = value.number.filter(|n| n.is_finite())?;
    if value.kind != ValueKind::Number
        || value.annotation.is_some()
        || !value.parts.is_empty()
        || value.date.is_some()
    {
        return None;
    }
    let decimals = value.decimals.unwrap_or(0) as usize;
    let mut core = String::from(if value.grouping { "#,##0" } else { "0" });
    if decimals > 0 {
        core.push('.');
        core.push_str(&"0".repeat(decimals));
    }
    if value.percent {
        core.push('%');
    }
    let shows = |code: &str| numfmt::format_number(n, code).text == value.text;
    let core_text = numfmt::format_number(n, &core).text;
    let mut candidates = Vec::new();
    if let Some(rest) = value.text.strip_prefix(core_text.as_str()) {
        if rest.is_empty() {
            candidates.push(core.clone());
        } else if !rest.chars().any(|c| c.is_ascii_digit()) {
            candidates.push(format!("{core}{}", quote_literal(rest)));
        }
    }
    candidates.push("General".to_string());
    candidates.into_iter().find(|c| shows(c))
}

/// Literal text in a number format: `"件"`; characters that cannot sit inside quotes are
/// escaped one by one.
fn quote_literal(s: &str) -> String {
    if s.contains('"') {
        s.chars().map(|c| format!("\\{c}")).collect()
    } else {
        format!("\"{s}\"")
    }
}

/// One sheet to write: a table and the department's rows of it.
pub struct SheetPlan<'a> {
    pub table: &'a TableConfig,
    pub rows: Vec<&'a Row>,
}

/// The sheets of `department`'s workbook: every table with rows of the department, and every
/// policy-grouped table when the department is responsible for a policy. Empty when the
/// department submits no workbook.
pub fn plan_sheets<'a>(project: &'a Project, department: &str) -> Vec<SheetPlan<'a>> {
    let has_policies = project.policies().any(|p| p.department == department);
    project
        .tables
        .iter()
        .filter_map(|t| {
            let rows: Vec<&Row> = t
                .rows
                .iter()
                .filter(|r| r.department.as_deref() == Some(department))
                .collect();
            let include =
                !rows.is_empty() || (t.config.group.refers_to == RefersTo::Policy && has_policies);
            include.then_some(SheetPlan {
                table: &t.config,
                rows,
            })
        })
        .collect()
}

/// The fixed creation time of the workbooks: the start (April 1) of the fiscal year whose
/// results they collect.
fn creation_time(project: &Project) -> Result<ExcelDateTime, XlsxError> {
    let year = (project.fiscal_year + 1).clamp(1900, 9999) as u16;
    ExcelDateTime::from_ymd(year, 4, 1)?.and_hms(0, 0, 0)
}

/// A year as printed (`令和3年度`), or the western year when no era is known.
fn year_label(year: i32) -> String {
    hakusho_sources::era_label(year, "年度").unwrap_or_else(|| format!("{year}年度"))
}

/// The value columns (indexes into `table.values`) that next year's figures go into: those
/// declared `fill: true` in sources/hakusho.yaml.
pub fn fill_columns(table: &TableConfig) -> Vec<usize> {
    table
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.fill)
        .map(|(i, _)| i)
        .collect()
}

/// The heading of the reference column holding the policy's (goal's) title: the declared
/// `title_heading`, else the group heading without a trailing コード, plus 名 (ＸＸコード →
/// ＸＸ名); never one of the table's configured headings.
fn title_heading(table: &TableConfig) -> String {
    let group = table.group.heading.main();
    let base = group.strip_suffix("コード").unwrap_or(group);
    let mut heading = match &table.group.title_heading {
        Some(declared) if !declared.trim().is_empty() => declared.trim().to_string(),
        _ => format!("{base}名"),
    };
    let clashes = |h: &str| {
        table.group.heading.matches(h)
            || table.name.heading.matches(h)
            || table.note.as_ref().is_some_and(|n| n.heading.matches(h))
            || table.values.iter().any(|v| v.heading.matches(h))
    };
    while clashes(&heading) {
        heading.push_str("（参考）");
    }
    heading
}

/// Display width in Excel column units (wide characters count 2), of the longest line.
fn text_width(s: &str) -> usize {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| {
                    if (c as u32) < 0x1100 || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                        1
                    } else {
                        2
                    }
                })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

/// Truncates to `max` characters (Excel's limits on validation titles/messages).
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn one_line(s: &str) -> String {
    s.split('\n').map(str::trim).collect::<Vec<_>>().join("")
}

/// The project as next year's workbook presents it: the tables' headings and labels filled
/// for the fiscal year whose figures the workbook asks for (a heading `…({fiscal_year})` is
/// written with 令和3年度 in the workbooks sent out after the 令和2年度 report), so that the
/// configuration of that year reads them as they are.
pub fn for_next_year(project: &Project) -> Project {
    let mut next = project.clone();
    let tables = project.config.tables_for_year(project.fiscal_year + 1);
    for t in &mut next.tables {
        if let Some(c) = tables.iter().find(|c| c.id == t.config.id) {
            t.config = c.clone();
        }
    }
    next.config.tables = tables;
    next
}

/// Why a workbook could not be made or written: the tool's own failures (the configuration is
/// checked before, and reported as diagnostics).
#[derive(Debug)]
pub enum WorkbookError {
    UnknownDepartment(String),
    /// Two tables of hakusho.yaml name the same sheet.
    SheetUsedTwice(String),
    /// The spreadsheet writer refused, while writing `sheet` when one is named.
    Xlsx {
        sheet: Option<String>,
        source: XlsxError,
    },
    /// The file could not be written at `path`.
    Write {
        path: PathBuf,
        source: io::Error,
    },
}

impl std::fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkbookError::UnknownDepartment(d) => write!(f, "unknown department {d}"),
            WorkbookError::SheetUsedTwice(s) => write!(
                f,
                "two tables use the sheet {s}; one sheet per table is supported"
            ),
            WorkbookError::Xlsx { sheet: Some(s), .. } => write!(f, "sheet {s}"),
            WorkbookError::Xlsx {
                sheet: None,
                source,
            } => write!(f, "{source}"),
            WorkbookError::Write { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

impl std::error::Error for WorkbookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkbookError::Xlsx {
                sheet: Some(_),
                source,
            } => Some(source),
            WorkbookError::Xlsx {
                sheet: None,
                source,
            } => source.source(),
            WorkbookError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<XlsxError> for WorkbookError {
    fn from(source: XlsxError) -> WorkbookError {
        WorkbookError::Xlsx {
            sheet: None,
            source,
        }
    }
}

/// The workbook of `department` as bytes, or `None` when it has no sheet to write.
pub fn workbook_bytes(
    project: &Project,
    department: &str,
) -> Result<Option<Vec<u8>>, WorkbookError> {
    let next = for_next_year(project);
    let project = &next;
    let Some(dept) = project.department(department) else {
        return Err(WorkbookError::UnknownDepartment(department.to_string()));
    };
    let sheets = plan_sheets(project, department);
    if sheets.is_empty() {
        return Ok(None);
    }
    let mut workbook = Workbook::new();
    let next_year = year_label(project.fiscal_year + 1);
    let first = sheets.first().map(|s| s.table.sheet.as_str()).unwrap_or("");
    workbook.set_properties(&layout::properties(
        &format!("{first}（{}）{next_year} 提出用", dept.name),
        &dept.name,
        &project.city,
        &creation_time(project)?,
    ));
    let mut used_names: Vec<String> = Vec::new();
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for plan in &sheets {
        if used_names.contains(&plan.table.sheet) {
            return Err(WorkbookError::SheetUsedTwice(plan.table.sheet.clone()));
        }
        used_names.push(plan.table.sheet.clone());
        write_sheet(
            &mut workbook,
            project,
            (department, &dept.name),
            plan,
            &mut lists,
        )
        .map_err(|source| WorkbookError::Xlsx {
            sheet: Some(plan.table.sheet.clone()),
            source,
        })?;
    }
    if let Some(guide) = crate::guide::for_department(project, department) {
        let mut name = GUIDE_SHEET.to_string();
        while used_names.contains(&name) {
            name.push('2');
        }
        write_guide_sheet(workbook.add_worksheet(), &name, &guide)?;
    }
    // code lists too long for an inline list validation live on hidden sheets
    for (name, codes) in &lists {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        for (i, code) in codes.iter().enumerate() {
            sheet.write_string(i as u32, 0, code)?;
        }
        sheet.set_hidden(true);
    }
    write_id_sheet(workbook.add_worksheet(), project, department, &dept.name)?;
    Ok(Some(workbook.save_to_buffer()?))
}

/// The hidden sheet that says whose workbook this is, so that `hakusho intake` recognises it
/// whatever the file is renamed to: a header row ([`ID_HEADINGS`]) and one row with the
/// department's id, its name and the fiscal year whose figures the workbook asks for.
pub const ID_SHEET: &str = "提出情報";
/// The headings of [`ID_SHEET`]: department id, department name, fiscal year asked for.
pub const ID_HEADINGS: [&str; 3] = ["部のid", "部の名称", "対象年度"];

fn write_id_sheet(
    sheet: &mut Worksheet,
    project: &Project,
    department: &str,
    name: &str,
) -> Result<(), XlsxError> {
    sheet.set_name(ID_SHEET)?;
    for (c, heading) in ID_HEADINGS.iter().enumerate() {
        sheet.write_string(0, c as u16, *heading)?;
    }
    let text = Format::new().set_num_format("@");
    sheet.write_string_with_format(1, 0, department, &text)?;
    sheet.write_string_with_format(1, 1, name, &text)?;
    let year = (project.fiscal_year + 1).to_string();
    sheet.write_string_with_format(1, 2, &year, &text)?;
    sheet.set_hidden(true);
    Ok(())
}

/// The sheet holding the clerk's guide ([`crate::guide`]), after the data sheets.
pub const GUIDE_SHEET: &str = "記入方法";

/// The guide on a sheet: text lines across three columns, tables in the columns; row heights
/// follow the length of the text (Excel does not size merged cells itself).
fn write_guide_sheet(
    sheet: &mut Worksheet,
    name: &str,
    guide: &crate::guide::Guide,
) -> Result<(), XlsxError> {
    use crate::guide::SheetLine;
    // column widths in Excel units (a wide character counts 2)
    const WIDTHS: [usize; 3] = [28, 76, 8];
    let total: usize = WIDTHS.iter().sum();
    sheet.set_name(name)?;
    for (c, w) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(c as u16, *w as f64)?;
    }
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let heading = Format::new().set_bold().set_font_size(12);
    let cell = layout::text_format().set_align(FormatAlign::Top);
    let lines_for = |text: &str, width: usize| text_width(text).div_ceil(width.max(1)).max(1);
    for (r, (kind, cells)) in guide.to_sheet_lines().iter().enumerate() {
        let r = r as u32;
        let text = cells.first().map(String::as_str).unwrap_or("");
        match kind {
            SheetLine::Title => {
                layout::write_title(sheet, 2, text)?;
            }
            SheetLine::Heading => {
                sheet.write_string_with_format(r, 0, text, &heading)?;
            }
            SheetLine::Text => {
                sheet.merge_range(r, 0, r, 2, text, &wrap)?;
                sheet.set_row_height(r, 15.0 * lines_for(text, total) as f64 + 3.0)?;
            }
            SheetLine::TableHeader | SheetLine::TableRow => {
                let format = if *kind == SheetLine::TableHeader {
                    layout::header_format()
                } else {
                    cell.clone()
                };
                let mut height = 1;
                for (c, t) in cells.iter().enumerate().take(3) {
                    sheet.write_string_with_format(r, c as u16, t, &format)?;
                    height = height.max(lines_for(t, WIDTHS[c]));
                }
                sheet.set_row_height(r, 15.0 * height as f64 + 3.0)?;
            }
            SheetLine::Blank => {}
        }
    }
    Ok(())
}

/// The group codes offered in the group column: the department's policies (plan order) or
/// every strategy goal, then any other code its rows use.
fn codes_for(project: &Project, plan: &SheetPlan, department: &str) -> Vec<String> {
    let mut codes: Vec<String> = match plan.table.group.refers_to {
        RefersTo::Policy => project
            .policies()
            .filter(|p| p.department == department)
            .map(|p| p.code.clone())
            .collect(),
        RefersTo::StrategyGoal => project
            .plan
            .strategy
            .iter()
            .flat_map(|s| s.goals.iter().map(|g| g.code.clone()))
            .collect(),
    };
    for r in &plan.rows {
        if !codes.contains(&r.group) {
            codes.push(r.group.clone());
        }
    }
    codes
}

fn group_title(project: &Project, refers_to: RefersTo, code: &str) -> String {
    match refers_to {
        RefersTo::Policy => project
            .policy(code)
            .map(|p| p.title.clone())
            .unwrap_or_default(),
        RefersTo::StrategyGoal => project
            .plan
            .strategy
            .iter()
            .flat_map(|s| s.goals.iter())
            .find(|g| g.code == code)
            .map(|g| g.title.clone())
            .unwrap_or_default(),
    }
}

fn write_sheet(
    workbook: &mut Workbook,
    project: &Project,
    (department, dept_name): (&str, &str),
    plan: &SheetPlan,
    lists: &mut Vec<(String, Vec<String>)>,
) -> Result<(), XlsxError> {
    let table = plan.table;
    let this_year = year_label(project.fiscal_year);
    let next_year = year_label(project.fiscal_year + 1);
    let fill = fill_columns(table);

    // columns: group, title (reference), name, values..., note
    const GROUP: u16 = 0;
    const TITLE: u16 = 1;
    const NAME: u16 = 2;
    const FIRST_VALUE: u16 = 3;
    let note_col = table
        .note
        .as_ref()
        .map(|_| FIRST_VALUE + table.values.len() as u16);
    let last_col = note_col.unwrap_or(FIRST_VALUE + table.values.len() as u16 - 1);

    let mut headings = vec![
        table.group.heading.main().to_string(),
        title_heading(table),
        table.name.heading.main().to_string(),
    ];
    headings.extend(table.values.iter().map(|v| v.heading.main().to_string()));
    if let Some(n) = &table.note {
        headings.push(n.heading.main().to_string());
    }
    let fill_header = layout::header_format().set_background_color(FILL_HEADER_COLOR);
    let header_formats: Vec<Format> = (0..headings.len())
        .map(|c| {
            let is_fill = c >= FIRST_VALUE as usize && fill.contains(&(c - FIRST_VALUE as usize));
            if is_fill {
                fill_header.clone()
            } else {
                layout::header_format()
            }
        })
        .collect();

    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet)?;
    layout::write_title(
        sheet,
        last_col,
        &format!("{}（{dept_name}）{next_year} 提出用", table.sheet),
    )?;

    // legend (row 2)
    let fill_names: Vec<String> = fill
        .iter()
        .map(|&i| format!("「{}」", table.values[i].heading.main()))
        .collect();
    let legend = if fill.is_empty() {
        format!(
            "このシートには{this_year}に提出された内容が入っています。変更がある値だけ書き換えてください。行を加えるときは表の下の行に入力します。"
        )
    } else {
        format!(
            "黄色の列{}に{next_year}の値を入力してください（いまは{this_year}の値が入っています）。ほかの列は{this_year}に提出された内容です。変更がある場合だけ書き換えてください。行を加えるときは表の下の行に入力します。",
            fill_names.join("")
        )
    };
    let legend_format = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(if fill.is_empty() {
            0xF2F2F2
        } else {
            FILL_COLOR
        });
    sheet.merge_range(1, 0, 1, last_col, &legend, &legend_format)?;
    sheet.set_row_height(1, 36)?;

    layout::write_header(sheet, &headings, Some(&header_formats))?;
    // printing: A4 landscape, one page wide, the title and header repeated on every page
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, layout::HEADER_ROW)?;
    // the cursor starts on the first cell to fill
    if let (Some(&k), false) = (fill.first(), plan.rows.is_empty()) {
        let cell = (layout::FIRST_DATA_ROW, FIRST_VALUE + k as u16);
        sheet.set_selection(cell.0, cell.1, cell.0, cell.1)?;
    }

    // notes on the value headings: the printed label, and what to enter
    for (i, v) in table.values.iter().enumerate() {
        let label = one_line(&v.label);
        let mut text = if label.is_empty() {
            format!("表の見出し: {}", one_line(v.heading.main()))
        } else {
            format!("表の見出し: {label}")
        };
        if fill.contains(&i) {
            text.push_str(&format!("\nこの列に{next_year}の値を入力してください。"));
        }
        let note = Note::new(text)
            .set_author(project.city.as_str())
            .add_author_prefix(false)
            .set_width(220)
            .set_height(60);
        sheet.insert_note(layout::HEADER_ROW, FIRST_VALUE + i as u16, &note)?;
    }

    // data
    let text_format = layout::text_format();
    let code_format = layout::text_format().set_num_format("@");
    let mut widths: Vec<usize> = headings.iter().map(|h| text_width(h)).collect();
    for (i, row) in plan.rows.iter().enumerate() {
        let r = layout::FIRST_DATA_ROW + i as u32;
        sheet.write_string_with_format(r, GROUP, &row.group, &code_format)?;
        let title = group_title(project, table.group.refers_to, &row.group);
        sheet.write_string_with_format(r, TITLE, &title, &text_format)?;
        sheet.write_string_with_format(r, NAME, &row.name, &text_format)?;
        widths[GROUP as usize] = widths[GROUP as usize].max(text_width(&row.group));
        widths[TITLE as usize] = widths[TITLE as usize].max(text_width(&title));
        widths[NAME as usize] = widths[NAME as usize].max(text_width(&row.name));
        for (k, col) in table.values.iter().enumerate() {
            let c = FIRST_VALUE + k as u16;
            let is_fill = fill.contains(&k);
            let value = row.values.get(&col.key).cloned().unwrap_or_default();
            widths[c as usize] = widths[c as usize].max(text_width(&value.text));
            let fill_color = is_fill.then_some(FILL_COLOR);
            write_cell(sheet, r, c, &cell_for(&value), fill_color)?;
        }
        if let Some(c) = note_col {
            if row.note.is_empty() {
                sheet.write_blank(r, c, &text_format)?;
            } else {
                sheet.write_string_with_format(r, c, &row.note, &text_format)?;
                widths[c as usize] = widths[c as usize].max(text_width(&row.note));
            }
        }
    }

    // column widths: fit the content within sensible bounds (long names wrap)
    for (c, w) in widths.iter().enumerate() {
        let c16 = c as u16;
        let (min, max) = match c16 {
            GROUP => (10, 14),
            TITLE => (20, 30),
            NAME => (30, 50),
            _ if Some(c16) == note_col => (16, 30),
            _ => (12, 24),
        };
        sheet.set_column_width(c16, (*w + 2).clamp(min, max) as f64)?;
    }
    // codes typed in new rows stay text (a typed 1-1 would become a date)
    sheet.set_column_format(GROUP, &Format::new().set_num_format("@"))?;

    // data validation: over the prefilled rows and some spare rows below
    let first = layout::FIRST_DATA_ROW;
    let last = first + plan.rows.len() as u32 + SPARE_ROWS - 1;
    let codes = codes_for(project, plan, department);
    let group_heading = table.group.heading.main();
    if !codes.is_empty() {
        let joined = codes.join(",");
        let list = if joined.chars().count() <= 255 && !codes.iter().any(|c| c.contains(',')) {
            DataValidation::new().allow_list_strings(&codes)?
        } else {
            let name = truncate(&format!("{}一覧", group_heading), 31);
            let mut name = name.replace(['[', ']', ':', '*', '?', '/', '\\'], "_");
            // never the name of a table's sheet (the reader would take it for the table)
            while project.config.tables.iter().any(|t| {
                hakusho_sources::text::normalize_heading(&t.sheet)
                    == hakusho_sources::text::normalize_heading(&name)
            }) {
                name = format!("{}_", truncate(&name, 30));
            }
            let formula = format!("='{}'!$A$1:$A${}", name.replace('\'', "''"), codes.len());
            lists.push((name, codes.clone()));
            DataValidation::new().allow_list_formula(Formula::new(formula))
        };
        let list = list
            .set_input_title(truncate(group_heading, 32))?
            .set_input_message(truncate(
                &format!(
                    "一覧から選ぶか、文字として入力してください（例: {}）。",
                    codes.first().map(String::as_str).unwrap_or("")
                ),
                255,
            ))?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(truncate(&format!("{group_heading}を確かめてください"), 32))?
            .set_error_message(truncate(
                &format!(
                    "入力した{}は一覧にありません（一覧: {}）。このまま入力するときは「はい」を選びます。",
                    group_heading,
                    codes.join("、")
                ),
                255,
            ))?;
        sheet.add_data_validation(first, GROUP, last, GROUP, &list)?;
    }
    for (k, col) in table.values.iter().enumerate() {
        let c = FIRST_VALUE + k as u16;
        let label = one_line(if col.label.is_empty() {
            col.heading.main()
        } else {
            &col.label
        });
        let mut message = String::new();
        if fill.contains(&k) {
            message.push_str(&format!("{next_year}の値を入力してください。"));
        }
        message.push_str(
            "数値か文字を入力します（例: 1234、35.6%、維持、—）。単位は表示形式で付けるか、「34,677件」のように文字で入力します。注記つきの値（326事業所 (平成21年)）は文字で入力します。",
        );
        let dv = DataValidation::new()
            .allow_any_value()
            .set_input_title(truncate(&format!("{}（{label}）", col.heading.main()), 32))?
            .set_input_message(truncate(&message, 255))?;
        sheet.add_data_validation(first, c, last, c, &dv)?;
    }
    Ok(())
}

/// Writes through a temporary file in the same directory, then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WorkbookError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WorkbookError::Write { path, source }
    };
    std::fs::write(&tmp, bytes).map_err(failed(&tmp))?;
    std::fs::rename(&tmp, path).map_err(failed(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(v: &Value) -> Value {
        match cell_for(v) {
            CellValue::Empty => Value::empty(),
            CellValue::Text(s) => Value::from_text(&s),
            CellValue::Number { value, format } => Value::from_number(value, &format),
        }
    }

    #[test]
    fn number_formats_are_reconstructed() {
        let cases = [
            (Value::from_number(34677.0, "#,##0\"件\""), "#,##0\"件\""),
            (Value::from_number(0.356, "0.0%"), "0.0%"),
            (Value::from_number(171.0, "0\"ha\""), "0\"ha\""),
            (Value::from_number(1234.5, "#,##0.0"), "#,##0.0"),
            (Value::from_number(3.0, "0\"か所\""), "0\"か所\""),
            (Value::from_text("34,677件"), "#,##0\"件\""),
            (Value::from_text("38.8%"), "0.0%"),
            (Value::from_text("1.16"), "0.00"),
            (Value::from_text("-3人"), "0\"人\""),
        ];
        for (v, code) in cases {
            assert_eq!(number_format_for(&v).as_deref(), Some(code), "{}", v.text);
            let back = roundtrip(&v);
            assert_eq!(back.text, v.text);
            assert_eq!(back.number, v.number);
        }
    }

    #[test]
    fn values_no_format_can_show_stay_text() {
        for s in [
            "２０，２９２",
            "△3",
            "326事業所 (平成21年)",
            "8施設 98事業者",
            "維持",
            "—",
            "平成22年度",
            "171 ha",
        ] {
            let v = Value::from_text(s);
            let back = roundtrip(&v);
            assert_eq!(back.text, v.text, "{s}");
            assert_eq!(back.number, v.number, "{s}");
            if s != "171 ha" {
                assert_eq!(cell_for(&v), CellValue::Text(s.to_string()), "{s}");
            }
        }
        assert_eq!(cell_for(&Value::empty()), CellValue::Empty);
    }
}
