//! Reads a PDF back the way a reader's tools see it: the text through each font's ToUnicode
//! map (what copy-paste, search and screen readers get), the fonts (embedded? subset? mapped to
//! Unicode?), the outline (bookmarks) and the document metadata.
//!
//! hakusho's tests use this instead of poppler's pdftotext/pdffonts so that `cargo test` works on
//! a machine with only the Rust toolchain. It is deliberately independent of the PDF writer.

#![forbid(unsafe_code)]

pub mod pdfa;
pub mod print;
mod tags;
pub mod webfont;
pub use tags::{StructKid, StructNode, Tagging};

use std::collections::{BTreeMap, HashMap};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// What a font looks like to a printer or a screen reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontReport {
    /// The /BaseFont name, e.g. `ABCDEF+BIZUDMincho-Regular`.
    pub base_font: String,
    /// The font program is in the file (FontFile, FontFile2 or FontFile3).
    pub embedded: bool,
    /// The name carries a six-letter subset tag (`ABCDEF+`).
    pub subset: bool,
    /// A /ToUnicode map is present.
    pub unicode_map: bool,
}

/// One bookmark, with its nesting level (1 = top) and the 0-based page it points to.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineItem {
    pub title: String,
    pub level: usize,
    pub page: Option<usize>,
    /// The destination's top coordinate (PDF user space, y up), when given.
    pub top: Option<f32>,
}

#[derive(Debug, Clone, Default)]
pub struct PdfReport {
    /// Text of each page, one string per visual line (runs on one baseline, left to right;
    /// separate runs with a visible gap are joined by a single space).
    pub pages: Vec<Vec<String>>,
    /// The same lines as pdftotext gives them: a space also where the pen moves right inside a
    /// shown string by more than a tenth of an em (a 和欧間 quarter em, a stretched gap), so a
    /// reader's tools see a gap the eye sees.
    pub spaced_pages: Vec<Vec<String>>,
    pub fonts: Vec<FontReport>,
    pub outline: Vec<OutlineItem>,
    pub title: Option<String>,
    pub lang: Option<String>,
    /// Each page's media box (x0, y0, x1, y1).
    pub media_boxes: Vec<[f32; 4]>,
    /// Each page's shown strings, in content order: for checking that every glyph lies on
    /// the page.
    pub runs: Vec<Vec<Run>>,
    /// Each page's filled rectangles, in content order.
    pub fills: Vec<Vec<Fill>>,
    /// Each page's annotations.
    pub annotations: Vec<Vec<Annotation>>,
    /// The structure tree, marked content and the catalog's accessibility entries.
    pub tagging: Tagging,
}

/// A filled rectangle (PDF coordinates: origin bottom left) and its RGB fill colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub rgb: [f32; 3],
}

/// An annotation: its subtype (`Link`, `Text`), rectangle, text (`/Contents`) and, for a link
/// to a page of the document, that page's index.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub subtype: String,
    pub rect: [f32; 4],
    pub contents: Option<String>,
    pub target_page: Option<usize>,
}

impl PdfReport {
    /// All text of the document, lines joined by newlines, pages by form feeds.
    pub fn text(&self) -> String {
        self.pages
            .iter()
            .map(|p| p.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\u{c}")
    }

    /// The text with every kind of whitespace removed: for checking that a source paragraph
    /// survived line breaking and page breaking intact.
    pub fn text_without_whitespace(&self) -> String {
        self.text().chars().filter(|c| !c.is_whitespace()).collect()
    }
}

/// Why a PDF could not be inspected: the part lopdf refused, with its error.
#[derive(Debug)]
pub enum InspectError {
    /// The file is no PDF lopdf can load.
    Load(lopdf::Error),
    PageFonts(lopdf::Error),
    PageContent(lopdf::Error),
    Catalog(lopdf::Error),
}

impl std::fmt::Display for InspectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InspectError::Load(e) => write!(f, "not a readable PDF: {e}"),
            InspectError::PageFonts(e) => write!(f, "page fonts: {e}"),
            InspectError::PageContent(e) => write!(f, "page content: {e}"),
            InspectError::Catalog(e) => write!(f, "catalog: {e}"),
        }
    }
}

impl std::error::Error for InspectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InspectError::Load(e)
            | InspectError::PageFonts(e)
            | InspectError::PageContent(e)
            | InspectError::Catalog(e) => Some(e),
        }
    }
}

/// Reads a PDF from memory.
pub fn inspect(bytes: &[u8]) -> Result<PdfReport, InspectError> {
    let doc = Document::load_mem(bytes).map_err(InspectError::Load)?;
    let pages = doc.get_pages();
    let page_index: HashMap<ObjectId, usize> =
        pages.values().enumerate().map(|(i, id)| (*id, i)).collect();

    let mut fonts: BTreeMap<ObjectId, FontReport> = BTreeMap::new();
    let mut cmaps: HashMap<ObjectId, FontDecoder> = HashMap::new();
    let mut page_texts = Vec::new();
    let mut spaced_texts = Vec::new();
    let mut page_runs = Vec::new();
    let mut media_boxes = Vec::new();
    let mut fills = Vec::new();
    let mut annotations = Vec::new();
    let mut contents = Vec::new();
    for page_id in pages.values() {
        annotations.push(page_annotations(&doc, *page_id, &page_index));
        media_boxes.push(media_box(&doc, *page_id));
        let page_fonts = doc
            .get_page_fonts(*page_id)
            .map_err(InspectError::PageFonts)?;
        let mut by_name: HashMap<Vec<u8>, ObjectId> = HashMap::new();
        let resources = font_references(&doc, *page_id);
        for (name, dict) in &page_fonts {
            let id = resources
                .get(name)
                .copied()
                .unwrap_or((u32::MAX, name.len() as u16));
            by_name.insert(name.clone(), id);
            if let std::collections::btree_map::Entry::Vacant(e) = fonts.entry(id) {
                e.insert(font_report(&doc, dict));
                cmaps.insert(id, FontDecoder::new(&doc, dict));
            }
        }
        let content = doc.get_page_content(*page_id);
        let content = Content::decode(&content).map_err(InspectError::PageContent)?;
        let runs = page_runs_of(&content, &by_name, &cmaps);
        fills.push(page_fills_of(&content));
        page_texts.push(page_lines(runs.clone(), |r| &r.text));
        spaced_texts.push(page_lines(runs.clone(), |r| &r.spaced));
        page_runs.push(runs);
        contents.push((*page_id, content, by_name));
    }

    let catalog = doc.catalog().map_err(InspectError::Catalog)?;
    let pages_fonts: Vec<_> = contents
        .into_iter()
        .map(|(id, content, by_name)| {
            let fonts: HashMap<Vec<u8>, &FontDecoder> = by_name
                .into_iter()
                .filter_map(|(name, id)| cmaps.get(&id).map(|d| (name, d)))
                .collect();
            (id, content, fonts)
        })
        .collect();
    let tagging = tags::read(&doc, catalog, &pages_fonts);
    let lang = catalog.get(b"Lang").ok().and_then(|o| text_string(&doc, o));
    let title = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .and_then(|d| d.get(b"Title").ok())
        .and_then(|o| text_string(&doc, o));
    let mut outline = Vec::new();
    if let Ok(outlines) = catalog
        .get_deref(b"Outlines", &doc)
        .and_then(|o| o.as_dict())
    {
        if let Ok(first) = outlines.get(b"First").and_then(|o| o.as_reference()) {
            read_outline(&doc, first, 1, &page_index, &mut outline, 0);
        }
    }
    Ok(PdfReport {
        pages: page_texts,
        spaced_pages: spaced_texts,
        fonts: fonts.into_values().collect(),
        outline,
        title,
        lang,
        media_boxes,
        runs: page_runs,
        fills,
        annotations,
        tagging,
    })
}

/// A page's /MediaBox, inherited from the page tree if need be (A4 if there is none).
fn media_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut id = Some(page_id);
    for _ in 0..32 {
        let Some(dict) = id.and_then(|i| doc.get_dictionary(i).ok()) else {
            break;
        };
        if let Ok(a) = dict.get_deref(b"MediaBox", doc).and_then(|o| o.as_array()) {
            let v: Vec<f32> = a.iter().filter_map(|o| o.as_float().ok()).collect();
            if v.len() == 4 {
                return [v[0], v[1], v[2], v[3]];
            }
        }
        id = dict.get(b"Parent").and_then(|o| o.as_reference()).ok();
    }
    [0.0, 0.0, 595.28, 841.89]
}

fn font_references(doc: &Document, page_id: ObjectId) -> HashMap<Vec<u8>, ObjectId> {
    let mut out = HashMap::new();
    let Ok(page) = doc.get_dictionary(page_id) else {
        return out;
    };
    let Ok(resources) = page.get_deref(b"Resources", doc).and_then(|o| o.as_dict()) else {
        return out;
    };
    if let Ok(font_dict) = resources.get_deref(b"Font", doc).and_then(|o| o.as_dict()) {
        for (name, obj) in font_dict.iter() {
            if let Ok(id) = obj.as_reference() {
                out.insert(name.clone(), id);
            }
        }
    }
    out
}

fn text_string(doc: &Document, obj: &Object) -> Option<String> {
    let (_, obj) = doc.dereference(obj).ok()?;
    match obj {
        Object::String(bytes, _) => Some(decode_pdf_text(bytes)),
        Object::Name(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    }
}

/// PDF text strings are UTF-16BE with a BOM, or PDFDocEncoding (ASCII-compatible).
fn decode_pdf_text(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(&bytes[3..]).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

fn read_outline(
    doc: &Document,
    mut id: ObjectId,
    level: usize,
    pages: &HashMap<ObjectId, usize>,
    out: &mut Vec<OutlineItem>,
    depth: usize,
) {
    // Outlines are linked lists; a malformed file could loop, so bound the walk.
    let mut guard = 0;
    while guard < 100_000 && depth < 32 {
        guard += 1;
        let Ok(item) = doc.get_dictionary(id) else {
            return;
        };
        let title = item
            .get(b"Title")
            .ok()
            .and_then(|o| text_string(doc, o))
            .unwrap_or_default();
        let dest = item
            .get_deref(b"Dest", doc)
            .ok()
            .or_else(|| {
                item.get_deref(b"A", doc)
                    .ok()
                    .and_then(|a| a.as_dict().ok())
                    .and_then(|a| a.get_deref(b"D", doc).ok())
            })
            .and_then(|d| d.as_array().ok());
        let page = dest
            .and_then(|d| d.first())
            .and_then(|p| p.as_reference().ok())
            .and_then(|p| pages.get(&p).copied());
        let top = dest
            .filter(|d| d.get(1).and_then(|o| o.as_name().ok()) == Some(b"XYZ".as_slice()))
            .and_then(|d| d.get(3))
            .and_then(|o| o.as_float().ok());
        out.push(OutlineItem {
            title,
            level,
            page,
            top,
        });
        if let Ok(first) = item.get(b"First").and_then(|o| o.as_reference()) {
            read_outline(doc, first, level + 1, pages, out, depth + 1);
        }
        match item.get(b"Next").and_then(|o| o.as_reference()) {
            Ok(next) => id = next,
            Err(_) => return,
        }
    }
}

fn font_report(doc: &Document, font: &Dictionary) -> FontReport {
    let base_font = font
        .get(b"BaseFont")
        .ok()
        .and_then(|o| o.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let descriptor = font
        .get_deref(b"FontDescriptor", doc)
        .ok()
        .or_else(|| {
            font.get_deref(b"DescendantFonts", doc)
                .ok()
                .and_then(|d| d.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|d| doc.dereference(d).ok())
                .and_then(|(_, d)| d.as_dict().ok())
                .and_then(|d| d.get_deref(b"FontDescriptor", doc).ok())
        })
        .and_then(|d| d.as_dict().ok());
    let embedded = descriptor.is_some_and(|d| {
        [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .any(|k| d.has(k))
    });
    let subset = base_font.len() > 7
        && base_font.as_bytes()[6] == b'+'
        && base_font.as_bytes()[..6]
            .iter()
            .all(|b| b.is_ascii_uppercase());
    FontReport {
        base_font,
        embedded,
        subset,
        unicode_map: font.has(b"ToUnicode"),
    }
}

/// Decodes the bytes of shown strings into text and advances, per font.
struct FontDecoder {
    two_byte: bool,
    to_unicode: HashMap<u32, String>,
    widths: HashMap<u32, f32>,
    default_width: f32,
}

impl FontDecoder {
    fn new(doc: &Document, font: &Dictionary) -> Self {
        let two_byte = font.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"Type0");
        let mut to_unicode = HashMap::new();
        if let Ok(stream) = font
            .get_deref(b"ToUnicode", doc)
            .and_then(|o| o.as_stream())
        {
            let data = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            parse_to_unicode(&String::from_utf8_lossy(&data), &mut to_unicode);
        }
        let mut widths = HashMap::new();
        let mut default_width = 1000.0;
        if two_byte {
            if let Some(cid_font) = font
                .get_deref(b"DescendantFonts", doc)
                .ok()
                .and_then(|d| d.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|d| doc.dereference(d).ok())
                .and_then(|(_, d)| d.as_dict().ok())
            {
                if let Ok(dw) = cid_font.get(b"DW").and_then(|o| o.as_float()) {
                    default_width = dw;
                }
                if let Ok(w) = cid_font.get_deref(b"W", doc).and_then(|o| o.as_array()) {
                    parse_cid_widths(doc, w, &mut widths);
                }
            }
        } else if let (Ok(first), Ok(w)) = (
            font.get(b"FirstChar").and_then(|o| o.as_i64()),
            font.get_deref(b"Widths", doc).and_then(|o| o.as_array()),
        ) {
            for (i, v) in w.iter().enumerate() {
                if let Ok(v) = v.as_float() {
                    widths.insert(first as u32 + i as u32, v);
                }
            }
            default_width = 500.0;
        }
        FontDecoder {
            two_byte,
            to_unicode,
            widths,
            default_width,
        }
    }

    /// Text and total advance (in text space units / 1000) of a shown string.
    /// Each glyph's text and advance (thousandths of the size).
    fn decode(&self, bytes: &[u8]) -> Vec<(String, f32)> {
        let codes: Vec<u32> = if self.two_byte {
            bytes
                .chunks(2)
                .map(|c| {
                    if c.len() == 2 {
                        u16::from_be_bytes([c[0], c[1]]) as u32
                    } else {
                        c[0] as u32
                    }
                })
                .collect()
        } else {
            bytes.iter().map(|&b| b as u32).collect()
        };
        codes
            .into_iter()
            .map(|code| {
                let text = match self.to_unicode.get(&code) {
                    Some(s) => s.clone(),
                    None if !self.two_byte => (code as u8 as char).to_string(),
                    None => '\u{FFFD}'.to_string(),
                };
                let advance = self
                    .widths
                    .get(&code)
                    .copied()
                    .unwrap_or(self.default_width);
                (text, advance)
            })
            .collect()
    }
}

fn parse_cid_widths(doc: &Document, w: &[Object], widths: &mut HashMap<u32, f32>) {
    let mut i = 0;
    while i < w.len() {
        let Ok(first) = w[i].as_i64() else { return };
        let next = w.get(i + 1).map(|o| doc.dereference(o).map(|(_, o)| o));
        match next {
            Some(Ok(Object::Array(list))) => {
                for (k, v) in list.iter().enumerate() {
                    if let Ok(v) = v.as_float() {
                        widths.insert(first as u32 + k as u32, v);
                    }
                }
                i += 2;
            }
            Some(Ok(last)) => {
                let (Ok(last), Some(Ok(v))) = (last.as_i64(), w.get(i + 2).map(|o| o.as_float()))
                else {
                    return;
                };
                for c in first..=last.min(first + 65_536) {
                    widths.insert(c as u32, v);
                }
                i += 3;
            }
            _ => return,
        }
    }
}

fn hex_tokens(s: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let hex: String = rest[start + 1..start + end]
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .collect();
        let bytes = (0..hex.len() / 2)
            .filter_map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).ok())
            .collect();
        out.push(bytes);
        rest = &rest[start + end + 1..];
    }
    out
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32)
}

fn utf16_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn parse_to_unicode(cmap: &str, out: &mut HashMap<u32, String>) {
    for block in cmap.split("beginbfchar").skip(1) {
        let body = block.split("endbfchar").next().unwrap_or("");
        let tokens = hex_tokens(body);
        for pair in tokens.chunks(2) {
            if let [src, dst] = pair {
                out.insert(code_of(src), utf16_string(dst));
            }
        }
    }
    for block in cmap.split("beginbfrange").skip(1) {
        let body = block.split("endbfrange").next().unwrap_or("");
        for line in body.lines() {
            let tokens = hex_tokens(line);
            if tokens.len() < 3 {
                continue;
            }
            let (lo, hi) = (code_of(&tokens[0]), code_of(&tokens[1]));
            if line.contains('[') {
                for (k, dst) in tokens[2..].iter().enumerate() {
                    out.insert(lo + k as u32, utf16_string(dst));
                }
            } else {
                let base = &tokens[2];
                for (k, code) in (lo..=hi.min(lo + 65_536)).enumerate() {
                    let mut dst = base.clone();
                    if let Some(last) = dst.last_mut() {
                        *last = last.wrapping_add(k as u8);
                    }
                    out.insert(code, utf16_string(&dst));
                }
            }
        }
    }
}

/// One shown string: where it starts and ends on its baseline (PDF user space, y up), its
/// size and the text it maps back to.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub x: f32,
    pub y: f32,
    /// x after the last glyph's advance.
    pub end: f32,
    pub size: f32,
    pub text: String,
    /// `text` with a space where a `TJ` offset opens a gap wider than a tenth of an em.
    pub spaced: String,
    /// Each glyph's x and the text it stands for.
    pub glyphs: Vec<(f32, String)>,
}

/// The gap (in ems) inside a shown string that pdftotext reads as a word space.
const SPACE_GAP_EM: f32 = 0.1;

fn page_fills_of(content: &Content) -> Vec<Fill> {
    let num = |o: &Object| o.as_float().unwrap_or(0.0);
    let mut rgb = [0.0f32; 3];
    let mut pending: Vec<[f32; 4]> = Vec::new();
    let mut out = Vec::new();
    for op in &content.operations {
        let args = &op.operands;
        match op.operator.as_str() {
            "rg" if args.len() == 3 => rgb = [num(&args[0]), num(&args[1]), num(&args[2])],
            "g" if args.len() == 1 => rgb = [num(&args[0]); 3],
            "re" if args.len() == 4 => {
                pending.push([num(&args[0]), num(&args[1]), num(&args[2]), num(&args[3])])
            }
            "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                out.extend(pending.drain(..).map(|[x, y, width, height]| Fill {
                    x,
                    y,
                    width,
                    height,
                    rgb,
                }))
            }
            "S" | "s" | "n" => pending.clear(),
            _ => {}
        }
    }
    out
}

/// The annotation dictionaries of `page`, each with its /Subtype ("" when it has none).
pub(crate) fn annotation_dicts<'a>(
    doc: &'a Document,
    page: &'a Dictionary,
) -> Vec<(&'a Dictionary, String)> {
    let Ok(annots) = page.get_deref(b"Annots", doc).and_then(|o| o.as_array()) else {
        return Vec::new();
    };
    annots
        .iter()
        .filter_map(|a| doc.dereference(a).ok()?.1.as_dict().ok())
        .map(|d| (d, name_text(d, b"Subtype")))
        .collect()
}

/// The text of the name under `key` in `d` ("" when there is none).
pub(crate) fn name_text(d: &Dictionary, key: &[u8]) -> String {
    d.get(key)
        .and_then(|o| o.as_name())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default()
}

fn page_annotations(
    doc: &Document,
    page: ObjectId,
    page_index: &HashMap<ObjectId, usize>,
) -> Vec<Annotation> {
    let Ok(dict) = doc.get_dictionary(page) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (d, subtype) in annotation_dicts(doc, dict) {
        let mut rect = [0.0f32; 4];
        if let Ok(Object::Array(r)) = d.get(b"Rect") {
            for (k, v) in r.iter().take(4).enumerate() {
                rect[k] = v.as_float().unwrap_or(0.0);
            }
        }
        let contents = d.get(b"Contents").ok().and_then(|o| text_string(doc, o));
        let target_page = match d.get(b"Dest") {
            Ok(Object::Array(dest)) => dest
                .first()
                .and_then(|o| o.as_reference().ok())
                .and_then(|id| page_index.get(&id).copied()),
            _ => None,
        };
        out.push(Annotation {
            subtype,
            rect,
            contents,
            target_page,
        });
    }
    out
}

fn page_runs_of(
    content: &Content,
    fonts: &HashMap<Vec<u8>, ObjectId>,
    decoders: &HashMap<ObjectId, FontDecoder>,
) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let (mut tm_x, mut tm_y, mut scale) = (0.0f32, 0.0f32, 1.0f32);
    let (mut line_x, mut line_y) = (0.0f32, 0.0f32);
    let mut leading = 0.0f32;
    let mut font: Option<&FontDecoder> = None;
    let mut size = 1.0f32;
    let num = |o: &Object| o.as_float().unwrap_or(0.0);
    for op in &content.operations {
        let args = &op.operands;
        match op.operator.as_str() {
            "BT" => {
                (tm_x, tm_y, scale) = (0.0, 0.0, 1.0);
                (line_x, line_y) = (0.0, 0.0);
            }
            "Tf" if args.len() == 2 => {
                font = args[0]
                    .as_name()
                    .ok()
                    .and_then(|n| fonts.get(n))
                    .and_then(|id| decoders.get(id));
                size = num(&args[1]);
            }
            "Tm" if args.len() == 6 => {
                scale = num(&args[0]);
                (tm_x, tm_y) = (num(&args[4]), num(&args[5]));
                (line_x, line_y) = (tm_x, tm_y);
            }
            "Td" | "TD" if args.len() == 2 => {
                if op.operator == "TD" {
                    leading = -num(&args[1]);
                }
                line_x += num(&args[0]) * scale;
                line_y += num(&args[1]) * scale;
                (tm_x, tm_y) = (line_x, line_y);
            }
            "TL" if args.len() == 1 => leading = num(&args[0]),
            "T*" => {
                line_y -= leading * scale;
                (tm_x, tm_y) = (line_x, line_y);
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if op.operator == "'" || op.operator == "\"" {
                    line_y -= leading * scale;
                    (tm_x, tm_y) = (line_x, line_y);
                }
                let Some(decoder) = font else { continue };
                let start = tm_x;
                let mut text = String::new();
                let mut spaced = String::new();
                let mut glyphs = Vec::new();
                let items: Vec<&Object> = match args.last() {
                    Some(Object::Array(a)) => a.iter().collect(),
                    Some(o) => vec![o],
                    None => continue,
                };
                for item in items {
                    match item {
                        Object::String(bytes, _) => {
                            for (t, adv) in decoder.decode(bytes) {
                                text.push_str(&t);
                                spaced.push_str(&t);
                                glyphs.push((tm_x, t));
                                tm_x += adv / 1000.0 * size * scale;
                            }
                        }
                        other => {
                            if let Ok(n) = other.as_float() {
                                tm_x -= n / 1000.0 * size * scale;
                                if -n / 1000.0 > SPACE_GAP_EM
                                    && !spaced.is_empty()
                                    && !spaced.ends_with(' ')
                                {
                                    spaced.push(' ');
                                }
                            }
                        }
                    }
                }
                runs.push(Run {
                    x: start,
                    y: tm_y,
                    end: tm_x,
                    size: size * scale,
                    text,
                    spaced,
                    glyphs,
                });
            }
            _ => {}
        }
    }
    runs
}

fn page_lines(mut runs: Vec<Run>, text_of: impl Fn(&Run) -> &String) -> Vec<String> {
    // Group runs by baseline (top of page first), then left to right.
    runs.sort_by(|a, b| {
        b.y.partial_cmp(&a.y)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.x.partial_cmp(&b.x).unwrap_or(std::cmp::Ordering::Equal))
    });
    let mut lines: Vec<(f32, Vec<Run>)> = Vec::new();
    for run in runs {
        match lines.last_mut() {
            Some((y, group)) if (*y - run.y).abs() < run.size.max(1.0) * 0.3 => group.push(run),
            _ => lines.push((run.y, vec![run])),
        }
    }
    lines
        .into_iter()
        .map(|(_, mut group)| {
            group.sort_by(|a, b| a.x.partial_cmp(&b.x).unwrap_or(std::cmp::Ordering::Equal));
            let mut line = String::new();
            let mut prev_end: Option<f32> = None;
            for run in group {
                if let Some(end) = prev_end {
                    if run.x - end > run.size * 0.6 && !line.ends_with(' ') {
                        line.push(' ');
                    }
                }
                line.push_str(text_of(&run));
                prev_end = Some(run.end);
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_bfchar_and_bfrange_are_read() {
        let cmap = "1 beginbfchar\n<0003> <4E09>\n<0004> <D842DFB7>\nendbfchar\n\
                    1 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<9DF9> <5E02>]\nendbfrange";
        let mut map = HashMap::new();
        parse_to_unicode(cmap, &mut map);
        assert_eq!(map[&3], "三");
        assert_eq!(map[&4], "𠮷");
        assert_eq!(map[&0x11], "B");
        assert_eq!(map[&0x12], "C");
        assert_eq!(map[&0x20], "鷹");
        assert_eq!(map[&0x21], "市");
    }

    #[test]
    fn pdf_text_strings_decode_utf16() {
        assert_eq!(
            decode_pdf_text(&[0xFE, 0xFF, 0x76, 0x7D, 0x66, 0xF8]),
            "白書"
        );
        assert_eq!(decode_pdf_text(b"Title"), "Title");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(inspect(b"not a pdf").is_err());
        assert!(inspect(b"%PDF-1.7\n%%EOF").is_err());
    }
}
