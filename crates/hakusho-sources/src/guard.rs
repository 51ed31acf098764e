//! Robustness guard: looks inside a workbook before calamine reads it.
//!
//! calamine 0.38 aborts the whole process (allocation failure, not a panic) on some crafted
//! files: a `sharedStrings.xml` claiming a huge `uniqueCount`, a sheet with cells at `A1` and
//! `XFD1048576` (the bounding box is allocated), decompression bombs. So every `.xlsx`/`.xlsm`/
//! `.ods` (a zip) is inspected first with the `zip` crate: entry count, each entry's real
//! decompressed size (declared sizes are not trusted: each entry is decompressed with a cap),
//! the total, the compression ratio, the shared-string counts, and each sheet's cell bounding
//! box (from the cell references, `<dimension>` aside); for `.ods`, the cells that repeated
//! rows/columns would create. A `.xls` (OLE2 compound file) cannot be inspected this cheaply: it
//! gets a size limit and is then probed in a child process under a memory and a time limit
//! ([`crate::isolate`]).
//!
//! The limits are [`Limits`] (defaults below), configurable in `sources/hakusho.yaml` under
//! `limits:`. Every refusal names the limit and how to raise it.

use std::io::{Cursor, Read};

use hakusho_diagnostics::Message;
use serde::{Deserialize, Serialize};

/// Limits applied before a workbook is read. Sizes in MiB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest workbook file (any format). Default 50 MiB.
    pub max_file_mb: u64,
    /// Largest `.xls` file (not inspectable inside). Default 20 MiB.
    pub max_xls_mb: u64,
    /// Largest decompressed zip entry (one sheet's XML, the shared strings...). Default 64 MiB.
    pub max_entry_mb: u64,
    /// Largest total decompressed size of a zip workbook. Default 256 MiB.
    pub max_total_mb: u64,
    /// Largest ratio decompressed/compressed of an entry bigger than 1 MiB. Default 200.
    pub max_compression_ratio: u64,
    /// Most entries in a zip workbook. Default 10,000.
    pub max_zip_entries: u64,
    /// Most shared strings declared (`count`/`uniqueCount`). Default 1,000,000.
    pub max_shared_strings: u64,
    /// Most cells in one sheet's bounding box (rows × columns from the first to the last used
    /// cell; calamine allocates 32 bytes for each). Default 5,000,000 (~160 MB).
    pub max_cells: u64,
    /// Memory a `.xls` may take while it is probed in a child process (see [`crate::isolate`]).
    /// Default 1,024 MiB.
    pub max_read_mb: u64,
    /// Time a `.xls` probe may take. Default 60 seconds.
    pub max_read_seconds: u64,
    /// Largest YAML file in sources/. Default 8 MiB.
    pub max_yaml_mb: u64,
    /// Most pages of one document: a longer one is refused after its first pagination, before
    /// its pages and PDF take memory (a table of 100,000 rows is about 5,500 pages). Default
    /// 10,000.
    pub max_pages: u64,
    /// Most rows of one workbook table (all departments' workbooks together). Layout keeps
    /// about 25 KB per table row while a document is paginated, and a table is printed in
    /// more than one document at once, so this bounds a build's memory before anything is
    /// rendered: 10,000 rows take about 0.5 GB. Default 15,000.
    pub max_table_rows: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_mb: 50,
            max_xls_mb: 20,
            max_entry_mb: 64,
            max_total_mb: 256,
            max_compression_ratio: 200,
            max_zip_entries: 10_000,
            max_shared_strings: 1_000_000,
            max_cells: 5_000_000,
            max_read_mb: 1024,
            max_read_seconds: 60,
            max_yaml_mb: 8,
            max_pages: 10_000,
            max_table_rows: 15_000,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// Why a file was not handed to calamine: `found` is over the limit `key` = `limit`.
pub(crate) fn over_limit(key: &str, found_ja: String, found_en: String, limit: u64) -> Message {
    Message::new(
        format!(
            "{found_ja}。上限 {key} = {limit} を超えるため読み込みません（正しいファイルなら sources/hakusho.yaml の limits: に {key}: を書いて上限を上げてください）"
        ),
        format!(
            "{found_en}, over the limit {key} = {limit}; not read (if the file is genuine, raise it with `{key}:` under `limits:` in sources/hakusho.yaml)"
        ),
    )
}

/// What a zip workbook turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipKind {
    /// Office Open XML spreadsheet (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
    /// A zip that is none of these (a .docx, an archive...).
    Other,
}

/// Checks the file size before reading it.
pub fn check_file_size(len: u64, is_xls: bool, limits: &Limits) -> Result<(), Message> {
    let mb = len.div_ceil(MIB);
    if len > limits.max_file_mb.saturating_mul(MIB) {
        return Err(over_limit(
            "max_file_mb",
            format!("ファイルの大きさが {mb} MiB あります"),
            format!("the file is {mb} MiB"),
            limits.max_file_mb,
        ));
    }
    if is_xls && len > limits.max_xls_mb.saturating_mul(MIB) {
        return Err(over_limit(
            "max_xls_mb",
            format!("古い形式 (.xls) のファイルの大きさが {mb} MiB あります"),
            format!("the old-format (.xls) file is {mb} MiB"),
            limits.max_xls_mb,
        ));
    }
    Ok(())
}

/// What the guard learned about a zip workbook calamine may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub kind: ZipKind,
    /// Formula cells saved without their result (`<f>` without a `<v>`, as openpyxl and some
    /// other tools write them): calamine reads them as empty, so the reader must refuse them.
    /// (sheet name, row, column), 0-based.
    pub uncached_formulas: Vec<(String, u32, u32)>,
}

/// One worksheet part as scanned: its cell bounding box and its formulas without a result.
struct SheetScan {
    part: String,
    bounds: Option<(u64, u64, u64, u64)>,
    uncached: Vec<(u32, u32)>,
}

/// Inspects a zip workbook's entries; `Ok` when calamine may read it.
pub fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<Inspection, Message> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Message::new(
            "ZIP 形式として壊れています。Excel で開いて保存し直してください".to_string(),
            format!("the file is a broken zip ({e}); open it in Excel and save it again"),
        )
    })?;
    let n = archive.len() as u64;
    if n > limits.max_zip_entries {
        return Err(over_limit(
            "max_zip_entries",
            format!("ZIP の中に {n} 個のファイルがあります"),
            format!("the zip holds {n} entries"),
            limits.max_zip_entries,
        ));
    }
    let names: Vec<String> = (0..archive.len())
        .filter_map(|i| {
            archive
                .by_index_raw(i)
                .ok()
                .and_then(|f| f.name().ok().map(|s| s.replace('\\', "/")))
        })
        .collect();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let kind = if has("xl/workbook.xml") || has("xl/workbook.bin") {
        if has("xl/workbook.bin") {
            ZipKind::Xlsb
        } else {
            ZipKind::Xlsx
        }
    } else if has("content.xml") {
        ZipKind::Ods
    } else if names.iter().any(|n| n.starts_with("xl/")) || has("[Content_Types].xml") {
        // unusual part names (strict ISO paths, a minimal package...): let calamine decide
        ZipKind::Xlsx
    } else {
        ZipKind::Other
    };
    let entry_limit = limits.max_entry_mb.saturating_mul(MIB);
    let total_limit = limits.max_total_mb.saturating_mul(MIB);
    let mut total: u64 = 0;
    let mut sheets: Vec<SheetScan> = Vec::new();
    let (mut workbook_xml, mut workbook_rels) = (Vec::new(), Vec::new());
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                return Err(Message::new(
                    format!("ZIP の中身 {} 番目が読めません。ファイルが壊れています。Excel で開いて保存し直してください", i + 1),
                    format!("zip entry {} cannot be read ({e}); the file is damaged: open it in Excel and save it again", i + 1),
                ))
            }
        };
        let name = file
            .name()
            .map(|s| s.replace('\\', "/"))
            .unwrap_or_default();
        let compressed = file.compressed_size();
        let lower = name.to_ascii_lowercase();
        let scan = lower == "xl/sharedstrings.xml"
            || (lower.starts_with("xl/worksheets/") && lower.ends_with(".xml"))
            || lower == "content.xml"
            || lower == "xl/workbook.xml"
            || lower == "xl/_rels/workbook.xml.rels";
        // sized from the entry's declared size (capped): growing a tens-of-megabytes sheet by
        // doubling copied it again and again into fresh pages
        let declared = usize::try_from(file.size().min(entry_limit + 1)).unwrap_or(0);
        let mut buf = Vec::with_capacity(if scan { declared } else { 0 });
        let mut counter = CountingSink(0);
        let read = if scan {
            (&mut file)
                .take(entry_limit + 1)
                .read_to_end(&mut buf)
                .map(|n| n as u64)
        } else {
            std::io::copy(&mut (&mut file).take(entry_limit + 1), &mut counter).map(|_| counter.0)
        };
        let size = match read {
            Ok(n) => n,
            Err(e) => {
                return Err(Message::new(
                    format!("ZIP の中身 {name} が展開できません。ファイルが壊れています。Excel で開いて保存し直してください"),
                    format!("zip entry {name} cannot be decompressed ({e}); the file is damaged: open it in Excel and save it again"),
                ))
            }
        };
        if size > entry_limit {
            return Err(over_limit(
                "max_entry_mb",
                format!(
                    "ZIP の中身 {name} を展開すると {} MiB を超えます",
                    limits.max_entry_mb
                ),
                format!(
                    "zip entry {name} decompresses to more than {} MiB",
                    limits.max_entry_mb
                ),
                limits.max_entry_mb,
            ));
        }
        total += size;
        if total > total_limit {
            return Err(over_limit(
                "max_total_mb",
                format!(
                    "ZIP 全体を展開すると {} MiB を超えます",
                    total.div_ceil(MIB)
                ),
                format!(
                    "the zip decompresses to more than {} MiB",
                    total.div_ceil(MIB)
                ),
                limits.max_total_mb,
            ));
        }
        if size > MIB {
            let ratio = size / compressed.max(1);
            if ratio > limits.max_compression_ratio {
                return Err(over_limit(
                    "max_compression_ratio",
                    format!("ZIP の中身 {name} の圧縮率が {ratio} 倍です（圧縮爆弾の疑い）"),
                    format!("zip entry {name} is compressed {ratio} to 1 (a zip bomb?)"),
                    limits.max_compression_ratio,
                ));
            }
        }
        if scan {
            if lower == "xl/sharedstrings.xml" {
                check_shared_strings(&buf, limits)?;
            } else if lower == "content.xml" {
                check_ods_cells(&buf, limits)?;
            } else if lower == "xl/workbook.xml" {
                workbook_xml = buf;
            } else if lower == "xl/_rels/workbook.xml.rels" {
                workbook_rels = buf;
            } else {
                sheets.push(scan_sheet(name, &buf));
            }
        }
    }
    // Sheets are named in messages as the clerk sees them, not by their part in the zip: the
    // names come from xl/workbook.xml, which may be stored after the sheets.
    let names = sheet_part_names(&workbook_xml, &workbook_rels);
    let mut uncached_formulas = Vec::new();
    for sheet in sheets {
        let shown = names
            .iter()
            .find(|(part, _)| part.eq_ignore_ascii_case(&sheet.part))
            .map_or(sheet.part.as_str(), |(_, n)| n.as_str());
        check_sheet_bounds(shown, sheet.bounds, limits)?;
        uncached_formulas.extend(
            sheet
                .uncached
                .into_iter()
                .map(|(r, c)| (shown.to_string(), r, c)),
        );
    }
    Ok(Inspection {
        kind,
        uncached_formulas,
    })
}

/// (part name, sheet name) of each sheet of an xlsx: `<sheet name=".." r:id="rId1"/>` of
/// xl/workbook.xml, joined with the `Target` of that relationship in its rels.
fn sheet_part_names(workbook: &[u8], rels: &[u8]) -> Vec<(String, String)> {
    let targets: Vec<(&[u8], String)> = tags(rels)
        .filter(|t| t.name == b"Relationship")
        .filter_map(|t| {
            let id = attr(t.attrs, b"Id")?;
            let target = unescape(attr(t.attrs, b"Target")?);
            // relative to xl/, or absolute within the package
            let part = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{target}"),
            };
            Some((id, part))
        })
        .collect();
    tags(workbook)
        .filter(|t| t.name == b"sheet")
        .filter_map(|t| {
            let name = unescape(attr(t.attrs, b"name")?);
            let id = attr(t.attrs, b"id")?;
            let (_, part) = targets.iter().find(|(i, _)| *i == id)?;
            Some((part.clone(), name))
        })
        .collect()
}

/// The text of an XML attribute value with its predefined entities replaced.
fn unescape(v: &[u8]) -> String {
    String::from_utf8_lossy(v)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An XML start tag found by [`tags`]: local name and the raw text of its attributes.
struct Tag<'a> {
    name: &'a [u8],
    attrs: &'a [u8],
    /// `<c r="A1" s="3"/>`: no content (a styled empty cell holds no value).
    self_closing: bool,
    /// `</c>`: an end tag (only from [`all_tags`]).
    closing: bool,
    /// The byte after the tag's `>`: where its content starts.
    content: usize,
}

/// Start tags of an XML document (prefixes dropped), without a full parser: good enough to read
/// attributes whose values hold no `>`.
fn tags(xml: &[u8]) -> impl Iterator<Item = Tag<'_>> {
    all_tags(xml).filter(|t| !t.closing)
}

/// Start and end tags of an XML document (prefixes dropped).
fn all_tags(xml: &[u8]) -> impl Iterator<Item = Tag<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || loop {
        let start = pos + xml.get(pos..)?.iter().position(|&b| b == b'<')?;
        let end = start
            + xml[start..]
                .iter()
                .position(|&b| b == b'>')
                .unwrap_or(xml.len() - start);
        pos = end + 1;
        let inner = &xml[start + 1..end.min(xml.len())];
        if inner.first().is_some_and(|b| matches!(b, b'?' | b'!')) {
            continue;
        }
        let closing = inner.first() == Some(&b'/');
        let inner = if closing { &inner[1..] } else { inner };
        let name_end = inner
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(inner.len());
        let full = &inner[..name_end];
        let name = match full.iter().rposition(|&b| b == b':') {
            Some(p) => &full[p + 1..],
            None => full,
        };
        return Some(Tag {
            name,
            attrs: &inner[name_end..],
            self_closing: inner.last() == Some(&b'/'),
            closing,
            content: end + 1,
        });
    })
}

/// The value of attribute `name` (matched with any prefix: `table:number-rows-repeated`).
fn attr<'a>(attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < attrs.len() {
        // attribute name
        while i < attrs.len() && (attrs[i].is_ascii_whitespace() || attrs[i] == b'/') {
            i += 1;
        }
        let n_start = i;
        while i < attrs.len() && attrs[i] != b'=' && !attrs[i].is_ascii_whitespace() {
            i += 1;
        }
        let full = &attrs[n_start..i];
        while i < attrs.len() && (attrs[i] == b'=' || attrs[i].is_ascii_whitespace()) {
            i += 1;
        }
        let quote = *attrs.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let v_start = i + 1;
        let v_end = v_start + attrs[v_start..].iter().position(|&b| b == quote)?;
        i = v_end + 1;
        let local = match full.iter().rposition(|&b| b == b':') {
            Some(p) => &full[p + 1..],
            None => full,
        };
        if local == name {
            return Some(&attrs[v_start..v_end]);
        }
    }
    None
}

fn number(v: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(v).ok()?.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // absurdly long numbers saturate
    Some(s.parse::<u64>().unwrap_or(u64::MAX))
}

fn check_shared_strings(xml: &[u8], limits: &Limits) -> Result<(), Message> {
    if let Some(sst) = tags(xml).find(|t| t.name == b"sst") {
        for key in [&b"uniqueCount"[..], b"count"] {
            if let Some(n) = attr(sst.attrs, key).and_then(number) {
                if n > limits.max_shared_strings {
                    let k = std::str::from_utf8(key).unwrap_or("count");
                    return Err(over_limit(
                        "max_shared_strings",
                        format!(
                            "共有文字列の数が {n} 個と宣言されています（sharedStrings.xml の {k}）"
                        ),
                        format!(
                            "the shared strings declare {n} strings ({k} of sharedStrings.xml)"
                        ),
                        limits.max_shared_strings,
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `"XFD1048576"` → (row, col), 0-based.
fn parse_ref(r: &[u8]) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u64 = 0;
    for b in &r[..letters] {
        col = col * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row = number(&r[letters..])?;
    Some((row.checked_sub(1)?, col - 1))
}

/// Scans one worksheet part: the bounding box of its cells with a value, and its formula cells
/// saved without a result.
fn scan_sheet(part: String, xml: &[u8]) -> SheetScan {
    let (mut min_r, mut max_r, mut min_c, mut max_c) = (u64::MAX, 0u64, u64::MAX, 0u64);
    let mut any = false;
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut uncached = Vec::new();
    // the open `<c>`: position, whether a formula and a non-empty value were seen, and
    // whether its type is a string result (`t="str"`: an empty cached string is a real result)
    let mut cell: Option<(u64, u64, bool, bool, bool)> = None;
    for tag in all_tags(xml) {
        if tag.closing {
            if tag.name == b"c" {
                if let Some((r, c, true, false, false)) = cell.take() {
                    uncached.push((r.min(u32::MAX as u64) as u32, c.min(u32::MAX as u64) as u32));
                }
            }
            continue;
        }
        match tag.name {
            b"row" => {
                row = attr(tag.attrs, b"r")
                    .and_then(number)
                    .map_or(row + 1, |r| r);
                col = 0;
                cell = None;
            }
            b"c" => {
                let (r, c) = match attr(tag.attrs, b"r").and_then(parse_ref) {
                    Some(rc) => rc,
                    None => (row.saturating_sub(1), col),
                };
                col = c + 1;
                if tag.self_closing {
                    // formatting only: calamine keeps no value for it
                    cell = None;
                    continue;
                }
                let str_result = attr(tag.attrs, b"t") == Some(&b"str"[..]);
                cell = Some((r, c, false, false, str_result));
                any = true;
                min_r = min_r.min(r);
                max_r = max_r.max(r);
                min_c = min_c.min(c);
                max_c = max_c.max(c);
            }
            b"f" => {
                if let Some(open) = cell.as_mut() {
                    open.2 = true;
                }
            }
            b"v" => {
                let has_text =
                    !tag.self_closing && xml.get(tag.content).is_some_and(|&b| b != b'<');
                if let Some(open) = cell.as_mut() {
                    open.3 |= has_text;
                }
            }
            _ => {}
        }
    }
    SheetScan {
        part,
        bounds: any.then_some((min_r, max_r, min_c, max_c)),
        uncached,
    }
}

/// Refuses a sheet whose bounding box is over `max_cells` (calamine allocates all of it).
fn check_sheet_bounds(
    name: &str,
    bounds: Option<(u64, u64, u64, u64)>,
    limits: &Limits,
) -> Result<(), Message> {
    let Some((min_r, max_r, min_c, max_c)) = bounds else {
        return Ok(());
    };
    let cells = (max_r - min_r + 1).saturating_mul(max_c - min_c + 1);
    if cells > limits.max_cells {
        return Err(over_limit(
            "max_cells",
            format!(
                "シート {name} のセル範囲が {}{}:{}{} で {cells} セルになります（離れたセルに値や書式が入っていないか確認してください）",
                letters(min_c), min_r + 1, letters(max_c), max_r + 1
            ),
            format!(
                "sheet {name} spans {}{}:{}{}, {cells} cells (look for a stray value or format far away)",
                letters(min_c), min_r + 1, letters(max_c), max_r + 1
            ),
            limits.max_cells,
        ));
    }
    Ok(())
}

fn letters(col: u64) -> String {
    hakusho_diagnostics::column_letters(col.min(u32::MAX as u64) as u32)
}

/// ODS: cells a reader materializes = for each cell with a value, its column repeat × the
/// row's repeat (each capped like calamine: 16,384 columns, 1,048,576 rows).
fn check_ods_cells(xml: &[u8], limits: &Limits) -> Result<(), Message> {
    let mut row_repeat: u64 = 1;
    let mut total: u64 = 0;
    for tag in tags(xml) {
        match tag.name {
            b"table-row" => {
                row_repeat = attr(tag.attrs, b"number-rows-repeated")
                    .and_then(number)
                    .unwrap_or(1)
                    .min(1_048_576);
            }
            b"table-cell" | b"covered-table-cell" if attr(tag.attrs, b"value-type").is_some() => {
                let cols = attr(tag.attrs, b"number-columns-repeated")
                    .and_then(number)
                    .unwrap_or(1)
                    .min(16_384);
                total = total.saturating_add(cols.saturating_mul(row_repeat));
                if total > limits.max_cells {
                    return Err(over_limit(
                        "max_cells",
                        format!("繰り返し指定により {total} 個以上のセルに値が入ります"),
                        format!("repeated rows/columns put values in {total} or more cells"),
                        limits.max_cells,
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_attrs() {
        assert_eq!(parse_ref(b"A1"), Some((0, 0)));
        assert_eq!(parse_ref(b"XFD1048576"), Some((1048575, 16383)));
        assert_eq!(parse_ref(b"1A"), None);
        let xml = br#"<x:sst xmlns:x="..." count="5" uniqueCount='100000000000'><si/></x:sst>"#;
        let t = tags(xml).next().unwrap();
        assert_eq!(t.name, b"sst");
        assert_eq!(attr(t.attrs, b"uniqueCount"), Some(&b"100000000000"[..]));
        assert!(check_shared_strings(xml, &Limits::default()).is_err());
    }

    #[test]
    fn far_cells_are_refused() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        let check = |xml: &[u8]| {
            let scan = scan_sheet("xl/worksheets/sheet1.xml".into(), xml);
            check_sheet_bounds("目標指標", scan.bounds, &Limits::default())
        };
        let e = check(xml).unwrap_err();
        assert!(e.ja.contains("max_cells"), "{}", e.ja);
        assert!(e.en.contains("A1:XFD1048576"), "{}", e.en);
        let ok = br#"<worksheet><sheetData><row r="1"><c r="A1"/><c r="J100"/></row></sheetData></worksheet>"#;
        assert!(check(ok).is_ok());
    }

    // issue 17, point 4
    #[test]
    fn formulas_without_a_result_are_found() {
        let xml = br#"<worksheet><sheetData><row r="2"><c r="A2"><f>SUM(B2:C2)</f><v></v></c><c r="B2"><f>1+1</f><v>2</v></c><c r="C2" t="str"><f>""</f><v></v></c><c r="D2"><f t="shared" si="0"/></c><c r="E2"><v>5</v></c></row></sheetData><extLst><x14:dataValidation><xm:f>Sheet2!A1</xm:f></x14:dataValidation></extLst></worksheet>"#;
        let scan = scan_sheet("xl/worksheets/sheet1.xml".into(), xml);
        assert_eq!(scan.uncached, vec![(1, 0), (1, 3)]);
    }

    // issue 17, point 11: refusals name the sheet, not its part in the zip
    #[test]
    fn sheet_parts_are_named() {
        let wb = r#"<workbook xmlns:r="r"><sheets><sheet name="目標指標 &amp; KPI" sheetId="1" r:id="rId3"/><sheet name="B" sheetId="2" r:id="rId1"/></sheets></workbook>"#.as_bytes();
        let rels = br#"<Relationships><Relationship Id="rId1" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Target="worksheets/sheet1.xml"/></Relationships>"#;
        assert_eq!(
            sheet_part_names(wb, rels),
            vec![
                (
                    "xl/worksheets/sheet1.xml".to_string(),
                    "目標指標 & KPI".to_string()
                ),
                ("xl/worksheets/sheet2.xml".to_string(), "B".to_string())
            ]
        );
    }

    #[test]
    fn repeated_ods_cells_are_counted() {
        let xml = br#"<table:table-row table:number-rows-repeated="999999999"><table:table-cell table:number-columns-repeated="999999999" office:value-type="string"><text:p>X</text:p></table:table-cell></table:table-row>"#;
        assert!(check_ods_cells(xml, &Limits::default()).is_err());
        let empty = br#"<table:table-row table:number-rows-repeated="1048553"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        assert!(check_ods_cells(empty, &Limits::default()).is_ok());
    }
}
