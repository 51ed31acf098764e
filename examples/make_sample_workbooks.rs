//! Writes the sample department workbooks `sources/workbooks/<id>.xlsx` from the transcription in
//! `tools/sample-data/*.tsv` (see tools/sample-data/README.md).
//!
//! ```text
//! cargo run --example make_sample_workbooks [-- OUTDIR]
//! ```
//!
//! Each TSV file describes one sheet:
//!
//! ```text
//! # comment
//! @sheet    目標指標                                  sheet name
//! @title    令和2年度 目標指標 達成状況（{name}）       title row ({name}: the department's name)
//! @columns  施策コード  施策名  指標名  計画策定時 ...  header row (`\n` = line break in the cell)
//! kikaku    1-1  国際化の推進  英語版...  34,677件 = 34677 @ #,##0"件"  ...
//! ```
//!
//! A data line starts with the workbook (department id), then one field per column. A field
//! `printed = number @ format` becomes a number cell with that Excel number format (the program
//! checks that the format displays the number as printed); any other field is a text cell typed
//! as written; an empty field leaves the cell empty. Department names and the workbook order come
//! from `sources/hakusho.yaml`. The output is deterministic (fixed document dates).
//!
//! The sheet layout (title row, header row, frozen panes), the cell formats and the cell writing
//! are `hakusho::workbook`'s, shared with `hakusho workbook`; the display check is the number
//! formatter the workbook reader uses (`hakusho_sources::numfmt`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use hakusho::workbook::{layout, write_cell, CellValue};
use rust_xlsxwriter::{ExcelDateTime, Workbook};

const SHEETS: &[&str] = &["indicators.tsv", "strategy_goals.tsv", "strategy_kpi.tsv"];

struct SheetSpec {
    file: String,
    sheet: String,
    title: String,
    columns: Vec<String>,
    /// workbook id → rows (fields after the workbook id)
    rows: BTreeMap<String, Vec<Vec<String>>>,
}

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = match std::env::args().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => root.join("sources/workbooks"),
    };
    let departments = read_departments(&root.join("sources/hakusho.yaml"))?;
    let data_dir = root.join("tools/sample-data");
    let specs = SHEETS
        .iter()
        .map(|f| read_spec(&data_dir.join(f)))
        .collect::<Result<Vec<_>>>()?;

    for (id, _) in specs.iter().flat_map(|s| s.rows.iter()) {
        if !departments.iter().any(|(d, _)| d == id) {
            bail!("workbook `{id}` is not a department of sources/hakusho.yaml");
        }
    }

    std::fs::create_dir_all(&out_dir)?;
    let mut total = 0;
    for (id, name) in &departments {
        let sheets: Vec<&SheetSpec> = specs.iter().filter(|s| s.rows.contains_key(id)).collect();
        if sheets.is_empty() {
            println!("{id:<16} (no indicator rows: no workbook)");
            continue;
        }
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(2021, 5, 31)?.and_hms(9, 0, 0)?;
        workbook.set_properties(&layout::properties(
            &format!("目標指標 達成状況（{name}）"),
            name,
            "三鷹市",
            &created,
        ));
        let mut summary = Vec::new();
        for spec in sheets {
            let rows = &spec.rows[id];
            write_sheet(&mut workbook, spec, name, rows)
                .with_context(|| format!("{}: workbook {id}", spec.file))?;
            summary.push(format!("{} {}", spec.sheet, rows.len()));
            total += rows.len();
        }
        let path = out_dir.join(format!("{id}.xlsx"));
        workbook
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("{id:<16} {}", summary.join(", "));
    }
    println!("{total} rows → {}", out_dir.display());
    Ok(())
}

fn read_departments(path: &Path) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&text)?;
    let list = doc["departments"]
        .as_sequence()
        .ok_or_else(|| anyhow!("{}: no departments list", path.display()))?;
    list.iter()
        .map(|d| {
            let id = d["id"]
                .as_str()
                .ok_or_else(|| anyhow!("department without id"))?;
            let name = d["name"]
                .as_str()
                .ok_or_else(|| anyhow!("department {id} without name"))?;
            Ok((id.to_string(), name.to_string()))
        })
        .collect()
}

fn read_spec(path: &Path) -> Result<SheetSpec> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut spec = SheetSpec {
        file: file.clone(),
        sheet: String::new(),
        title: String::new(),
        columns: Vec::new(),
        rows: BTreeMap::new(),
    };
    for (i, line) in text.lines().enumerate() {
        let at = || format!("{file}:{}", i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[0] {
            "@sheet" => spec.sheet = fields.get(1).unwrap_or(&"").to_string(),
            "@title" => spec.title = fields.get(1).unwrap_or(&"").to_string(),
            "@columns" => {
                spec.columns = fields[1..].iter().map(|c| c.replace("\\n", "\n")).collect()
            }
            directive if directive.starts_with('@') => {
                bail!("{}: unknown directive {directive}", at())
            }
            id => {
                if spec.columns.is_empty() {
                    bail!("{}: data before @columns", at());
                }
                let mut cells: Vec<String> = fields[1..].iter().map(|s| s.to_string()).collect();
                if cells.len() > spec.columns.len() {
                    bail!(
                        "{}: {} fields for {} columns",
                        at(),
                        cells.len(),
                        spec.columns.len()
                    );
                }
                cells.resize(spec.columns.len(), String::new());
                for cell in &cells {
                    parse_cell(cell).with_context(at)?;
                }
                spec.rows.entry(id.to_string()).or_default().push(cells);
            }
        }
    }
    if spec.sheet.is_empty() || spec.columns.is_empty() {
        bail!("{file}: @sheet and @columns are required");
    }
    Ok(spec)
}

fn parse_cell(field: &str) -> Result<CellValue> {
    if field.is_empty() {
        return Ok(CellValue::Empty);
    }
    let Some((printed, typed)) = field.split_once(" = ") else {
        return Ok(CellValue::Text(field.to_string()));
    };
    let (number, format) = typed
        .split_once(" @ ")
        .ok_or_else(|| anyhow!("`{field}`: expected `printed = number @ format`"))?;
    let value: f64 = number
        .trim()
        .parse()
        .with_context(|| format!("`{field}`: bad number"))?;
    // what the workbook reader will print for this cell
    let shown = hakusho_sources::numfmt::format_number(value, format).text;
    if shown != printed {
        bail!("`{field}`: {value} with format {format} displays `{shown}`, not `{printed}`");
    }
    Ok(CellValue::Number {
        value,
        format: format.to_string(),
    })
}

fn write_sheet(
    workbook: &mut Workbook,
    spec: &SheetSpec,
    name: &str,
    rows: &[Vec<String>],
) -> Result<()> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(&spec.sheet)?;
    let last_col = (spec.columns.len() - 1) as u16;
    layout::write_title(sheet, last_col, &spec.title.replace("{name}", name))?;
    layout::write_header(sheet, &spec.columns, None)?;
    for (c, heading) in spec.columns.iter().enumerate() {
        let width = match heading.as_str() {
            "施策コード" | "基本目標" => 10,
            "施策名" => 26,
            "指標名" | "目標項目" | "指標" => 44,
            "備考" => 18,
            _ => 16,
        };
        sheet.set_column_width(c as u16, width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = layout::FIRST_DATA_ROW + r as u32;
        for (c, field) in row.iter().enumerate() {
            write_cell(sheet, r, c as u16, &parse_cell(field)?, None)?;
        }
    }
    Ok(())
}
