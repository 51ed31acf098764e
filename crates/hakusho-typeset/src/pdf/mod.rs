//! PDF writer: the only module that touches printpdf and lopdf.
//!
//! Text is written as glyph ids we already looked up (no character→glyph look-ups inside
//! printpdf, which dominated save time), each glyph carrying its source text so the ToUnicode
//! map gives the source back. Positions are absolute (`Tm`), kerning offsets in the `TJ`
//! array reproduce our x positions against the `/W` widths printpdf writes.
//! printpdf's output is then patched through lopdf: nested outline, links, /Lang, /Title,
//! no timestamps and a content-derived /ID, so the same input gives the same bytes.

mod content;
pub mod overlay;
pub mod print;
mod serialize;
mod standards;
pub(crate) mod subset;

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, Color as PColor, DictItem, FontId, Line as PLine, LineDashPattern, LinePoint, Mm,
    Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon,
    PolygonRing, Pt, Rect, Rgb, TextItem, TextMatrix, WindingOrder,
};

use crate::font::FontSet;

/// Why a font cannot be prepared for a PDF or embedded in one (its file's name first).
#[derive(Debug)]
pub enum PdfFontError {
    /// The font, or the subset made of it, does not parse.
    Parse {
        font: String,
        source: ttf_parser::FaceParsingError,
    },
    /// The subsetter refuses the font.
    Subset {
        font: String,
        source: subsetter::Error,
    },
    /// The subset came out empty.
    EmptySubset { font: String },
    /// printpdf cannot parse the subset.
    Unparsable { font: String },
    /// A page's content holds an op the print file's encoder has no case for (a bug).
    Content(content::Unsupported),
}

impl std::fmt::Display for PdfFontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfFontError::Parse { font, source } => write!(f, "{font}: {source}"),
            PdfFontError::Subset { font, source } => {
                write!(f, "{font}: subsetting failed: {source:?}")
            }
            PdfFontError::EmptySubset { font } => write!(f, "{font}: the subset font is empty"),
            PdfFontError::Unparsable { font } => {
                write!(f, "{font}: printpdf cannot parse the subset font")
            }
            PdfFontError::Content(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PdfFontError {}
use crate::page::{
    ArtifactKind, Color, Item, LaidOutDocument, OutlineEntry, Role, Scope, StructElem,
};

/// What the PDF writer keeps of the fonts for a whole build: the font files (shared with
/// layout) and the `/W` widths printpdf will write, so our kerning matches them exactly.
/// Fonts are subset per document ([`subset`]) and only the subset is parsed by printpdf.
pub struct PdfFonts {
    fonts: Vec<(String, std::sync::Arc<Vec<u8>>)>,
    /// Per font: glyph id → advance in 1/1000 em, computed as printpdf computes `/W`.
    widths: Vec<Vec<i64>>,
}

impl std::fmt::Debug for PdfFonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PdfFonts({} fonts)", self.fonts.len())
    }
}

impl PdfFonts {
    pub fn new(fonts: &FontSet) -> Result<PdfFonts, PdfFontError> {
        let mut out = PdfFonts {
            fonts: Vec::new(),
            widths: Vec::new(),
        };
        for i in 0..fonts.len() {
            let font = fonts.get(crate::font::FontIndex(i));
            out.widths.push(pdf_widths(&font.name, &font.data)?);
            out.fonts.push((font.name.clone(), font.data.clone()));
        }
        Ok(out)
    }
}

fn pdf_widths(name: &str, data: &[u8]) -> Result<Vec<i64>, PdfFontError> {
    let face = ttf_parser::Face::parse(data, 0).map_err(|source| PdfFontError::Parse {
        font: name.to_string(),
        source,
    })?;
    let upem = face.units_per_em() as f32;
    Ok((0..face.number_of_glyphs())
        .map(|g| {
            let adv = face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0);
            (adv as f32 * 1000.0 / upem) as i64
        })
        .collect())
}

/// Subsets a sample of a font's glyphs and has printpdf parse the result, as writing a PDF
/// will: a font the subsetter or printpdf refuses must be found when it is loaded, naming its
/// file, not when the first document using it is written. The sample (every mapped character
/// of `probe_chars` plus glyphs spread over the whole glyph range, the last one included)
/// costs well under a millisecond.
pub(crate) fn probe_subset(
    name: &str,
    data: &[u8],
    glyphs: &BTreeMap<u16, String>,
) -> Result<(), PdfFontError> {
    let sub = subset::subset(name, data, glyphs)?;
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(&sub.bytes, 0, &mut warnings)
        .map(|_| ())
        .ok_or_else(|| PdfFontError::Unparsable {
            font: name.to_string(),
        })
}

/// The glyphs each font draws in this document: font index → (glyph id → its text, the text
/// of its last occurrence).
fn used_glyphs(doc: &LaidOutDocument, fonts: usize) -> Vec<BTreeMap<u16, String>> {
    let mut used = vec![BTreeMap::new(); fonts];
    for page in &doc.pages {
        for it in &page.items {
            if let Item::Text(run) = it {
                let Some(map) = used.get_mut(run.font.0) else {
                    continue;
                };
                // The last occurrence's text, as printpdf's ToUnicode keeps it (text_carriers).
                for (g, text) in run.glyph_texts() {
                    match map.entry(g.glyph_id) {
                        std::collections::btree_map::Entry::Vacant(v) => {
                            v.insert(text.to_string());
                        }
                        std::collections::btree_map::Entry::Occupied(mut o) => {
                            if o.get() != text {
                                *o.get_mut() = text.to_string();
                            }
                        }
                    }
                }
            }
        }
    }
    used
}

/// The glyphs each font draws, as a bit set of glyph ids per font: cheap to make and compare.
fn glyph_ids(doc: &LaidOutDocument, fonts: usize) -> Vec<Vec<u64>> {
    let mut ids = vec![Vec::new(); fonts];
    for page in &doc.pages {
        for it in &page.items {
            if let Item::Text(run) = it {
                if let Some(set) = ids.get_mut(run.font.0) {
                    for g in run.glyphs() {
                        insert_id(set, g.glyph_id);
                    }
                }
            }
        }
    }
    ids
}

/// [`glyph_ids`] of [`used_glyphs`]' result.
fn ids_of(used: &[BTreeMap<u16, String>]) -> Vec<Vec<u64>> {
    used.iter()
        .map(|glyphs| {
            let mut set = Vec::new();
            for &g in glyphs.keys() {
                insert_id(&mut set, g);
            }
            set
        })
        .collect()
}

fn insert_id(set: &mut Vec<u64>, id: u16) {
    let word = usize::from(id / 64);
    if set.len() <= word {
        // Every set of the same glyphs grows to the same length: sets compare as vectors.
        set.resize(word + 1, 0);
    }
    set[word] |= 1 << (id % 64);
}

/// printpdf's view of one document's fonts: the subsets, parsed, embedded as they are.
fn subset_fonts(
    used: &[BTreeMap<u16, String>],
    cache: &PdfFonts,
) -> Result<Vec<Option<(subset::Subset, ParsedFont)>>, PdfFontError> {
    used.iter()
        .zip(&cache.fonts)
        .map(|(glyphs, (name, data))| {
            if glyphs.is_empty() {
                return Ok(None);
            }
            let sub = subset::subset(name, data, glyphs)?;
            let mut warnings = Vec::new();
            let parsed = ParsedFont::from_bytes(&sub.bytes, 0, &mut warnings)
                .ok_or_else(|| PdfFontError::Unparsable { font: name.clone() })?;
            Ok(Some((sub, parsed)))
        })
        .collect()
}

/// Resource name and subset tag: fixed (printpdf would draw them from a process-wide counter,
/// making the second document of a process differ from the first).
fn font_id(i: usize) -> FontId {
    let a = (b'A' + (i / 26 % 26) as u8) as char;
    let b = (b'A' + (i % 26) as u8) as char;
    FontId(format!("HKSF{a}{b}"))
}

fn rgb(c: Color) -> PColor {
    PColor::Rgb(Rgb::new(c.r, c.g, c.b, None))
}

/// Which colours a file is written in: the screen's RGB, or the inks of the print profile.
#[derive(Clone, Copy)]
enum Paint<'a> {
    Screen,
    Print(&'a print::PrintSetup),
}

impl Paint<'_> {
    fn fill(self, c: Color, ops: &mut Vec<Op>) {
        match self {
            Paint::Screen => ops.push(Op::SetFillColor { col: rgb(c) }),
            Paint::Print(_) => print::color_ops(c, false, ops),
        }
    }

    fn stroke(self, c: Color, ops: &mut Vec<Op>) {
        match self {
            Paint::Screen => ops.push(Op::SetOutlineColor { col: rgb(c) }),
            Paint::Print(_) => print::color_ops(c, true, ops),
        }
    }

    /// Whether `a` and `b` are written the same (no colour op needed between them).
    fn same(self, a: Color, b: Color) -> bool {
        match self {
            Paint::Screen => a.screen() == b.screen(),
            Paint::Print(_) => a.ink == b.ink,
        }
    }

    fn bleed_rect(self, r: (f32, f32, f32, f32), page: (f32, f32)) -> (f32, f32, f32, f32) {
        match self {
            Paint::Screen => r,
            Paint::Print(p) => print::bleed_rect(r, page, p.bleed),
        }
    }

    fn bleed_line(self, l: (f32, f32, f32, f32), page: (f32, f32)) -> (f32, f32, f32, f32) {
        match self {
            Paint::Screen => l,
            Paint::Print(p) => print::bleed_line(l, page, p.bleed),
        }
    }
}

/// Writes the laid-out document as PDF bytes. Fails only if a font cannot be subset.
pub fn write(doc: &LaidOutDocument, cache: &PdfFonts) -> Result<Vec<u8>, PdfFontError> {
    write_compressed(doc, cache, 6)
}

/// [`write`] with flate level `level` (1 = fastest): a proof, read once and thrown away, is
/// written faster at a little more size.
pub fn write_compressed(
    doc: &LaidOutDocument,
    cache: &PdfFonts,
    level: u32,
) -> Result<Vec<u8>, PdfFontError> {
    let used = used_glyphs(doc, cache.fonts.len());
    let (bytes, _) = write_screen(doc, cache, level, &used, &Shared::default(), false)?;
    Ok(bytes)
}

/// The print file of the laid-out document (see [`print`]): the same pages in inks, in the
/// trim box of a media with bleed and crop marks, PDF/X-1a:2003.
pub fn write_print(
    doc: &LaidOutDocument,
    cache: &PdfFonts,
    setup: &print::PrintSetup,
) -> Result<Vec<u8>, PdfFontError> {
    let used = used_glyphs(doc, cache.fonts.len());
    write_print_with(doc, cache, setup, &used, &Shared::default(), None)
}

/// Flate level of the screen file, and of the embedded fonts in both files (so the print
/// file takes the screen file's deflated fonts as they are).
const SCREEN_LEVEL: u32 = 6;

/// Flate level of the print file's pages: the fastest (a few percent larger); it goes to the
/// print shop once, and its size matters less than the build's time.
const PRINT_LEVEL: u32 = 1;

/// The screen file of `screen` and the print file of `print` — one layout of a document, or
/// two (the print style's facing pages add blank pages and move page numbers) — each the
/// bytes [`write`] and [`write_print`] write alone. When both use the same glyphs (always for
/// one layout; usually for two: blank pages and moved numbers add none), the print file takes
/// the screen file's embedded fonts as they are, so it costs little more than its pages.
pub fn write_screen_and_print_of(
    screen: &LaidOutDocument,
    print: &LaidOutDocument,
    cache: &PdfFonts,
    setup: &print::PrintSetup,
) -> Result<(Vec<u8>, Vec<u8>), PdfFontError> {
    let fonts = cache.fonts.len();
    let used = used_glyphs(screen, fonts);
    // Which glyphs the print layout draws is all that decides; their texts are only needed
    // for fonts of its own.
    let same_glyphs = std::ptr::eq(screen, print) || glyph_ids(print, fonts) == ids_of(&used);
    let print_used;
    let print_used = if same_glyphs {
        &used
    } else {
        print_used = used_glyphs(print, fonts);
        &print_used
    };
    let shared = Shared::default();
    // Other glyphs: other subsets.
    let own = Shared::default();
    let print_shared = if same_glyphs { &shared } else { &own };
    shared.subsets(&used, cache)?;
    let print_subsets = print_shared.subsets(print_used, cache)?;
    // The print pages are drawn while the screen file is written: a core that has finished
    // the other documents takes them (the white paper's files are the build's longest task).
    let (screen_file, print_pages) = rayon::join(
        || write_screen(screen, cache, SCREEN_LEVEL, &used, &shared, same_glyphs),
        || print_pages(print, cache, print_subsets, setup),
    );
    let (screen_bytes, screen_fonts) = screen_file?;
    let fonts = match screen_fonts {
        Some(f) => f,
        None => fonts_of_own(print, print_used, print_subsets),
    };
    let print_bytes = finish_print(print, fonts, print_pages?, setup);
    Ok((screen_bytes, print_bytes))
}

/// Font subsets of a document, as [`subset_fonts`] makes them.
type Subsets = Vec<Option<(subset::Subset, ParsedFont)>>;

/// What the files written from one document share: its font subsets.
#[derive(Default)]
struct Shared {
    subsets: std::sync::OnceLock<Subsets>,
}

impl Shared {
    /// The subsets of `used`, made by the first file that asks.
    fn subsets(
        &self,
        used: &[BTreeMap<u16, String>],
        cache: &PdfFonts,
    ) -> Result<&Subsets, PdfFontError> {
        if self.subsets.get().is_none() {
            let _ = self.subsets.set(subset_fonts(used, cache)?);
        }
        self.subsets.get().ok_or_else(|| PdfFontError::EmptySubset {
            font: String::new(),
        })
    }
}

/// Prints how long the steps of writing a file took (`HAKUSHO_TIMING`).
fn lap_timer() -> impl Fn(&str) {
    let timing = std::env::var_os("HAKUSHO_TIMING").is_some();
    let t = std::time::Instant::now();
    move |what: &str| {
        if timing {
            eprintln!(
                "pdf: {what} at {:.1} ms",
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}

/// A printpdf document holding the subset fonts, each under its fixed resource name.
fn document_with_fonts(title: &str, subsets: &Subsets) -> PdfDocument {
    let mut pdf = PdfDocument::new(title);
    for (i, entry) in subsets.iter().enumerate() {
        if let Some((_, parsed)) = entry {
            let meta = printpdf::PrintpdfFontMeta {
                embedding_mode: printpdf::FontEmbeddingMode::Full,
                requires_subsetting: false,
                ..Default::default()
            };
            pdf.resources.fonts.map.insert(
                font_id(i),
                printpdf::PdfFont::with_meta(parsed.clone(), meta),
            );
        }
    }
    pdf
}

const SAVE_OPTIONS: PdfSaveOptions = PdfSaveOptions {
    optimize: true,
    subset_fonts: true,
    secure: true,
    image_optimization: None,
};

/// The screen file and, when `keep_fonts`, its embedded fonts as written (for the print file).
fn write_screen(
    doc: &LaidOutDocument,
    cache: &PdfFonts,
    level: u32,
    used: &[BTreeMap<u16, String>],
    shared: &Shared,
    keep_fonts: bool,
) -> Result<(Vec<u8>, Option<FontObjects>), PdfFontError> {
    let lap = lap_timer();
    let subsets = shared.subsets(used, cache)?;
    lap("fonts subset");
    let mut pdf = document_with_fonts(&doc.title, subsets);
    let carriers = text_carriers(doc);
    // Untagged (`standards: []`): no run opens a marked-content sequence and no structure
    // tree is written.
    let roles: &[StructElem] = if doc.standards.tagged() {
        &doc.structure
    } else {
        &[]
    };
    let (pages, marked): (Vec<PdfPage>, Vec<Vec<u32>>) = doc
        .pages
        .iter()
        .zip(&carriers)
        .map(|(p, carries)| {
            page_ops(p, cache, subsets, carries, roles, Paint::Screen).into_printpdf()
        })
        .unzip();
    pdf.with_pages(pages);
    lap("ops built");
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&SAVE_OPTIONS, &mut warnings);
    // The ops of every page are in `lo` now as content streams.
    drop(pdf);
    lap("printpdf to_lopdf_document (subsetting)");
    patch(&mut lo, doc, &marked, Paint::Screen);
    tag_subset_fonts(&mut lo);
    compress(&mut lo, level);
    lap("patched, compressed");
    let fonts = keep_fonts.then(|| FontObjects::of(&lo));
    // The structure tree is thousands of small dictionaries: in compressed object streams
    // (PDF 1.5) they cost a fraction of what plain objects and their xref rows would. The
    // object streams (the structure tree, mostly) at the best level: their dictionaries are a
    // small share of the bytes to deflate, and the tree is what tagging adds.
    let out = serialize::save(&lo, level.max(9));
    lap("saved");
    Ok((out, fonts))
}

/// The font resources of the first page (printpdf gives every page the same).
fn font_resources(lo: &lopdf::Document) -> Option<Dictionary> {
    lo.get_pages()
        .values()
        .next()
        .and_then(|&p| lo.get_dictionary(p).ok())
        .and_then(|page| page.get(b"Resources").ok())
        .and_then(|r| lo.dereference(r).ok().map(|(_, o)| o))
        .and_then(|r| r.as_dict().ok())
        .and_then(|r| r.get(b"Font").ok())
        .and_then(|f| lo.dereference(f).ok().map(|(_, o)| o))
        .and_then(|f| f.as_dict().ok())
        .cloned()
}

/// A file's embedded fonts as written: every object the pages' font resources reach, copied
/// into a document of their own (numbered from 1 in the order they are reached, so the same
/// fonts are the same objects whichever file they came from), and the font resources.
struct FontObjects {
    doc: lopdf::Document,
    resources: Dictionary,
}

impl FontObjects {
    fn of(lo: &lopdf::Document) -> FontObjects {
        let font_dict = font_resources(lo).unwrap_or_default();
        let mut doc = lopdf::Document::with_version("1.4");
        // PDF 1.4 (PDF/X-1a) has only the classic xref table.
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        let mut ids = BTreeMap::new();
        let resources = match copy_object(lo, &Object::Dictionary(font_dict), &mut doc, &mut ids) {
            Object::Dictionary(d) => d,
            _ => Dictionary::new(),
        };
        FontObjects { doc, resources }
    }
}

/// `obj` with every object it reaches copied from `from` into `to` (`ids`: the copies made).
fn copy_object(
    from: &lopdf::Document,
    obj: &Object,
    to: &mut lopdf::Document,
    ids: &mut BTreeMap<ObjectId, ObjectId>,
) -> Object {
    match obj {
        Object::Reference(id) => {
            if let Some(&copied) = ids.get(id) {
                return Object::Reference(copied);
            }
            let new_id = to.new_object_id();
            ids.insert(*id, new_id);
            let copy = match from.get_object(*id) {
                Ok(target) => copy_object(from, target, to, ids),
                Err(_) => Object::Null,
            };
            to.objects.insert(new_id, copy);
            Object::Reference(new_id)
        }
        Object::Array(items) => Object::Array(
            items
                .iter()
                .map(|o| copy_object(from, o, to, ids))
                .collect(),
        ),
        Object::Dictionary(d) => Object::Dictionary(copy_dictionary(from, d, to, ids)),
        Object::Stream(s) => {
            // `new` sets /Length to the content's.
            let mut copy =
                lopdf::Stream::new(copy_dictionary(from, &s.dict, to, ids), s.content.clone());
            copy.allows_compression = s.allows_compression;
            Object::Stream(copy)
        }
        other => other.clone(),
    }
}

fn copy_dictionary(
    from: &lopdf::Document,
    d: &Dictionary,
    to: &mut lopdf::Document,
    ids: &mut BTreeMap<ObjectId, ObjectId>,
) -> Dictionary {
    let mut copy = Dictionary::new();
    for (k, v) in d.iter() {
        copy.set(k.clone(), copy_object(from, v, to, ids));
    }
    copy
}

/// The print file: the document's pages drawn by [`print_pages`] over the fonts of the screen
/// file when it drew the same glyphs (`fonts`), else over [`fonts_of_own`].
fn write_print_with(
    doc: &LaidOutDocument,
    cache: &PdfFonts,
    setup: &print::PrintSetup,
    used: &[BTreeMap<u16, String>],
    shared: &Shared,
    fonts: Option<FontObjects>,
) -> Result<Vec<u8>, PdfFontError> {
    let subsets = shared.subsets(used, cache)?;
    let pages = print_pages(doc, cache, subsets, setup)?;
    let fonts = match fonts {
        Some(f) => f,
        None => fonts_of_own(doc, used, subsets),
    };
    Ok(finish_print(doc, fonts, pages, setup))
}

/// The print file's page content streams, each with its media size (points).
type PrintPages = Vec<(lopdf::Stream, (f32, f32))>;

/// The print file's pages: each drawn in inks, untagged (the press reads no structure tree),
/// encoded by [`content::encode`] and deflated; with its media size.
fn print_pages(
    doc: &LaidOutDocument,
    cache: &PdfFonts,
    subsets: &Subsets,
    setup: &print::PrintSetup,
) -> Result<PrintPages, PdfFontError> {
    let lap = lap_timer();
    let pages = doc
        .pages
        .iter()
        .map(|p| {
            let made = page_ops(p, cache, subsets, &[], &[], Paint::Print(setup));
            let bytes = content::encode(&made.ops).map_err(PdfFontError::Content)?;
            let mut stream = lopdf::Stream::new(Dictionary::new(), Vec::new());
            match deflate(&bytes, PRINT_LEVEL) {
                Some(z) => {
                    stream
                        .dict
                        .set("Filter", Object::Name(b"FlateDecode".to_vec()));
                    stream.set_content(z);
                }
                None => stream.set_content(bytes),
            }
            Ok((stream, made.media))
        })
        .collect();
    lap("print: pages encoded and deflated");
    pages
}

/// Embedded fonts of `used` for a file whose glyphs the screen file does not draw: printpdf
/// writes them from a page showing every glyph once with its text — the objects the screen
/// file would have for the same glyphs.
fn fonts_of_own(
    doc: &LaidOutDocument,
    used: &[BTreeMap<u16, String>],
    subsets: &Subsets,
) -> FontObjects {
    let mut pdf = document_with_fonts(&doc.title, subsets);
    pdf.with_pages(vec![glyph_inventory(used, subsets)]);
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&SAVE_OPTIONS, &mut warnings);
    tag_subset_fonts(&mut lo);
    let mut fonts = FontObjects::of(&lo);
    compress(&mut fonts.doc, SCREEN_LEVEL);
    fonts
}

/// The print file's bytes: its pages over its fonts, patched (outline, /Info, PDF/X), saved as
/// PDF 1.4.
fn finish_print(
    doc: &LaidOutDocument,
    fonts: FontObjects,
    pages: PrintPages,
    setup: &print::PrintSetup,
) -> Vec<u8> {
    let lap = lap_timer();
    let mut lo = print_document(fonts, pages);
    patch(&mut lo, doc, &[], Paint::Print(setup));
    lap("print: patched");
    // PDF/X-1a is PDF 1.4: no object streams, no xref stream.
    let mut out = Vec::new();
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(false)
        .use_xref_streams(false)
        .compression_level(PRINT_LEVEL)
        .build();
    // Writing into a Vec cannot fail.
    let _ = lo.save_with_options(&mut out, options);
    lap("print: saved");
    out
}

/// One page showing every glyph of `used` once, each with its text: what printpdf builds a
/// font's ToUnicode map and /W widths from.
fn glyph_inventory(used: &[BTreeMap<u16, String>], subsets: &Subsets) -> PdfPage {
    let mut ops = vec![Op::StartTextSection];
    for (i, (glyphs, entry)) in used.iter().zip(subsets).enumerate() {
        let Some((sub, _)) = entry else { continue };
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(i)),
            size: Pt(10.0),
        });
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(0.0), Pt(0.0)),
        });
        let cps = glyphs
            .iter()
            .map(|(&gid, text)| Codepoint {
                gid: sub.new_id(gid).unwrap_or(0),
                offset: 0.0,
                cid: (!text.is_empty()).then(|| text.clone()),
            })
            .collect();
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(cps)],
        });
    }
    ops.push(Op::EndTextSection);
    PdfPage::new(Mm(10.0), Mm(10.0), ops)
}

/// The print file's document before [`patch`]: the fonts, one resource dictionary, and a page
/// of each content stream and media size.
fn print_document(fonts: FontObjects, pages: PrintPages) -> lopdf::Document {
    let FontObjects { mut doc, resources } = fonts;
    let mut res = Dictionary::new();
    res.set("Font", Object::Dictionary(resources));
    let res = doc.add_object(res);
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for (stream, (w, h)) in pages {
        let stream = doc.add_object(stream);
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)]),
        );
        page.set("Resources", Object::Reference(res));
        page.set("Contents", Object::Reference(stream));
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Count", Object::Integer(kids.len() as i64));
    tree.set("Kids", Object::Array(kids));
    doc.objects.insert(pages_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog));
    doc
}

/// Gives every embedded font the `ABCDEF+` subset tag (ISO 32000-1, 9.6.4) on /BaseFont at both
/// levels and on the descriptor's /FontName: printpdf writes a font it did not subset itself
/// without one. The tag is the font's resource name (six capitals, fixed per font slot).
fn tag_subset_fonts(lo: &mut lopdf::Document) {
    fn tag_name(d: &mut Dictionary, key: &[u8], tag: &[u8]) {
        if let Ok(Object::Name(name)) = d.get_mut(key) {
            if !name.contains(&b'+') {
                let mut tagged = tag.to_vec();
                tagged.push(b'+');
                tagged.extend_from_slice(name);
                *name = tagged;
            }
        }
    }
    let Some(font_dict) = font_resources(lo) else {
        return;
    };
    for (tag, font_ref) in font_dict.iter() {
        let Ok(type0_id) = font_ref.as_reference() else {
            continue;
        };
        let mut descriptors = Vec::new();
        if let Ok(type0) = lo.get_dictionary_mut(type0_id) {
            tag_name(type0, b"BaseFont", tag);
            // printpdf writes the descendant CIDFont inline.
            if let Ok(Object::Array(kids)) = type0.get_mut(b"DescendantFonts") {
                for kid in kids.iter_mut() {
                    if let Object::Dictionary(cid) = kid {
                        tag_name(cid, b"BaseFont", tag);
                        if let Ok(Object::Reference(d)) = cid.get(b"FontDescriptor") {
                            descriptors.push(*d);
                        }
                    }
                }
            }
        }
        for d in descriptors {
            if let Ok(desc) = lo.get_dictionary_mut(d) {
                tag_name(desc, b"FontName", tag);
            }
        }
    }
}

/// Flate-compresses every stream not yet filtered. lopdf's own `compress` uses the slowest
/// level, which made compression the largest part of writing a white paper (the embedded
/// subset fonts are most of the bytes); the default level costs a few percent in size.
/// Streams are compressed in two halves of about the same bytes, side by side on the build's
/// pool (the build machine has two cores).
fn compress(lo: &mut lopdf::Document, level: u32) {
    let mut streams: Vec<&mut lopdf::Stream> = lo
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    let work = |part: &mut [&mut lopdf::Stream]| {
        for s in part {
            if let Some(z) = deflate(&s.content, level) {
                s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                s.set_content(z);
            }
        }
    };
    // Split by size so both halves carry about the same bytes (fonts dominate).
    streams.sort_by_key(|s| std::cmp::Reverse(s.content.len()));
    let (mut a, mut b): (Vec<&mut lopdf::Stream>, Vec<&mut lopdf::Stream>) =
        (Vec::new(), Vec::new());
    let (mut sa, mut sb) = (0usize, 0usize);
    for s in streams {
        if sa <= sb {
            sa += s.content.len();
            a.push(s);
        } else {
            sb += s.content.len();
            b.push(s);
        }
    }
    rayon::join(|| work(&mut a), || work(&mut b));
}

/// `content` deflated at `level`, if that makes it smaller (by more than the filter's entry).
fn deflate(content: &[u8], level: u32) -> Option<Vec<u8>> {
    use flate2::write::ZlibEncoder;
    use std::io::Write;
    let mut enc = ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    enc.write_all(content).ok()?;
    let z = enc.finish().ok()?;
    (z.len() + 19 < content.len()).then_some(z)
}

/// Which glyphs carry their text to printpdf: per page, one flag per glyph of its text runs in
/// order, set on the last occurrence of each (font, glyph) in the document.
///
/// printpdf builds ToUnicode from the text given with each glyph, the last one winning; a glyph
/// given without text gets the subset's own cmap reading (the same character for every glyph
/// with a one-character BMP text). Giving the text once instead of with every glyph saves a
/// heap string per glyph (two million of them in a 1,000-page white paper).
fn text_carriers(doc: &LaidOutDocument) -> Vec<Vec<bool>> {
    let mut seen = std::collections::HashSet::new();
    let mut flags: Vec<Vec<bool>> = Vec::with_capacity(doc.pages.len());
    for page in doc.pages.iter().rev() {
        let mut page_flags = Vec::new();
        for it in page.items.iter().rev() {
            if let Item::Text(run) = it {
                for g in run.glyphs().iter().rev() {
                    page_flags.push(seen.insert((run.font.0, g.glyph_id)));
                }
            }
        }
        page_flags.reverse();
        flags.push(page_flags);
    }
    flags.reverse();
    flags
}

/// The page's content stream ops and, when `tagged`, the structure element of each marked
/// content sequence (index: its MCID). Tagged, every text run is in a sequence: consecutive
/// runs of one element share one (`BDC /P <</MCID n>>`), runs of no element are `/Artifact`,
/// and so are all fills and rules.
fn page_ops(
    page: &crate::page::Page,
    cache: &PdfFonts,
    subsets: &[Option<(subset::Subset, ParsedFont)>],
    carries_text: &[bool],
    roles: &[StructElem],
    paint: Paint,
) -> PageOps {
    let tagged = !roles.is_empty();
    let h = page.height;
    let size = (page.width, page.height);
    let mut glyph_index = 0usize;
    let mut ops = Vec::new();
    if let Paint::Print(setup) = paint {
        if setup.marks {
            ops.extend(print::mark_ops(page.width, page.height, setup));
        }
        ops.push(Op::SaveGraphicsState);
        ops.push(print::shift_ops(setup));
    }
    let mut marked: Vec<u32> = Vec::new();
    let graphics = page
        .items
        .iter()
        .any(|it| matches!(it, Item::Rect { .. } | Item::Line { .. } | Item::Path(_)));
    if tagged && graphics {
        ops.push(Op::BeginMarkedContent {
            tag: "Artifact".into(),
        });
    }
    // Fills first, rules over them, text on top.
    for it in &page.items {
        if let Item::Rect {
            x,
            y,
            width,
            height,
            fill,
        } = it
        {
            paint.fill(*fill, &mut ops);
            let (x, y, width, height) = paint.bleed_rect((*x, *y, *width, *height), size);
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(h - y - height),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            });
        }
    }
    path_ops(page, &mut ops, paint);
    let mut stroke: Option<(f32, Color)> = None;
    for it in &page.items {
        if let Item::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } = it
        {
            if !stroke.is_some_and(|(w, c)| w == *width && paint.same(c, *color)) {
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                paint.stroke(*color, &mut ops);
                stroke = Some((*width, *color));
            }
            let (x1, y1, x2, y2) = paint.bleed_line((*x1, *y1, *x2, *y2), size);
            let pt = |x: f32, y: f32| LinePoint {
                p: Point {
                    x: Pt(x),
                    y: Pt(h - y),
                },
                bezier: false,
            };
            ops.push(Op::DrawLine {
                line: PLine {
                    points: vec![pt(x1, y1), pt(x2, y2)],
                    is_closed: false,
                },
            });
        }
    }
    if tagged && graphics {
        ops.push(Op::EndMarkedContent);
    }
    let mut in_text = false;
    let mut cur_font: Option<(usize, f32)> = None;
    let mut cur_color: Option<Color> = None;
    // The marked-content sequence open now: the element of its runs (0: artifact, of a kind).
    let mut open: Option<(u32, ArtifactKind, Option<&str>)> = None;
    for it in &page.items {
        let Item::Text(run) = it else { continue };
        let first_glyph = glyph_index;
        glyph_index += run.glyphs().len();
        // Every font that draws a glyph has a subset (collected from these same runs).
        let Some((sub, _)) = subsets.get(run.font.0).and_then(Option::as_ref) else {
            continue;
        };
        if run.glyphs().is_empty() {
            continue;
        }
        if !in_text {
            ops.push(Op::StartTextSection);
            in_text = true;
        }
        // A passage in another language is a sequence of its own, with its `/Lang`.
        let sequence = (
            run.node,
            if run.node == 0 {
                run.artifact
            } else {
                ArtifactKind::Other
            },
            run.lang.as_deref().filter(|_| run.node != 0),
        );
        if tagged && open != Some(sequence) {
            if open.is_some() {
                ops.push(Op::EndMarkedContent);
            }
            ops.push(begin_marked(sequence, &mut marked, roles));
            open = Some(sequence);
        }
        if cur_font != Some((run.font.0, run.size)) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(run.font.0)),
                size: Pt(run.size),
            });
            cur_font = Some((run.font.0, run.size));
        }
        if !cur_color.is_some_and(|c| paint.same(c, run.color)) {
            paint.fill(run.color, &mut ops);
            cur_color = Some(run.color);
        }
        let x0 = run.x + run.glyphs()[0].x;
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(x0), Pt(h - run.y)),
        });
        let widths = &cache.widths[run.font.0];
        let glyphs = run.glyphs();
        let n = glyphs.len();
        let cps = run
            .glyph_texts()
            .enumerate()
            .map(|(k, (g, text))| {
                // TJ offset after this glyph: where the viewer's pen will be (glyph x plus
                // its /W width) minus where the next glyph must start, in 1/1000 em.
                let offset = if k + 1 < n {
                    let w = widths.get(g.glyph_id as usize).copied().unwrap_or(0) as f32;
                    let d = (g.x - glyphs[k + 1].x) * 1000.0 / run.size + w;
                    if d.abs() < 0.05 {
                        0.0
                    } else {
                        (d * 100.0).round() / 100.0
                    }
                } else {
                    0.0
                };
                Codepoint {
                    gid: sub.new_id(g.glyph_id).unwrap_or(0),
                    offset,
                    cid: (carries_text.get(first_glyph + k) == Some(&true) && !text.is_empty())
                        .then(|| text.to_string()),
                }
            })
            .collect();
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(cps)],
        });
    }
    if open.is_some() {
        ops.push(Op::EndMarkedContent);
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    let (mut media_w, mut media_h) = size;
    if let Paint::Print(setup) = paint {
        ops.push(Op::RestoreGraphicsState);
        media_w += 2.0 * setup.margin();
        media_h += 2.0 * setup.margin();
    }
    // Every page's ops are held until printpdf writes the document: no spare capacity.
    ops.shrink_to_fit();
    PageOps {
        ops,
        media: (media_w, media_h),
        marked,
    }
}

/// What [`page_ops`] makes of a page.
struct PageOps {
    ops: Vec<Op>,
    /// Media width and height in points.
    media: (f32, f32),
    /// The structure element of each marked-content sequence (index: its MCID).
    marked: Vec<u32>,
}

impl PageOps {
    fn into_printpdf(self) -> (PdfPage, Vec<u32>) {
        let (w, h) = self.media;
        let page = PdfPage::new(Mm(w * 25.4 / 72.0), Mm(h * 25.4 / 72.0), self.ops);
        (page, self.marked)
    }
}

/// Opens the marked-content sequence of element `node` (its structure type as the tag, the
/// next MCID of the page), or an artifact for 0: a running header or footer as
/// `/Type /Pagination` with its `/Subtype` (ISO 32000-1, 14.8.2.2.2), so a reader can tell
/// page furniture from the rest.
fn begin_marked(
    (node, artifact, lang): (u32, ArtifactKind, Option<&str>),
    marked: &mut Vec<u32>,
    roles: &[StructElem],
) -> Op {
    match roles.get(node as usize).filter(|_| node != 0) {
        None => match artifact {
            ArtifactKind::Other => Op::BeginMarkedContent {
                tag: "Artifact".into(),
            },
            ArtifactKind::Header | ArtifactKind::Footer => {
                let subtype: &[u8] = if artifact == ArtifactKind::Header {
                    b"Header"
                } else {
                    b"Footer"
                };
                Op::BeginMarkedContentWithProperties {
                    tag: "Artifact".into(),
                    properties: DictItem::Dict {
                        map: BTreeMap::from([
                            ("Type".to_string(), DictItem::Name(b"Pagination".to_vec())),
                            ("Subtype".to_string(), DictItem::Name(subtype.to_vec())),
                        ]),
                    },
                }
            }
        },
        Some(e) => {
            let mcid = marked.len() as i64;
            marked.push(node);
            let mut map = BTreeMap::from([("MCID".to_string(), DictItem::Int(mcid))]);
            // ISO 32000-1, 14.9.2.2: a marked-content sequence may name its language
            if let Some(lang) = lang {
                map.insert(
                    "Lang".to_string(),
                    DictItem::String {
                        data: lang.as_bytes().to_vec(),
                        literal: true,
                    },
                );
            }
            Op::BeginMarkedContentWithProperties {
                tag: e.role.name().into(),
                properties: DictItem::Dict { map },
            }
        }
    }
}

/// Chart paths, in item order, in their own graphics state (dashes and colours do not leak
/// into the rules drawn after them). Nothing is written for a page without paths, so pages
/// without charts keep their bytes.
fn path_ops(page: &crate::page::Page, ops: &mut Vec<Op>, paint: Paint) {
    let h = page.height;
    let mut opened = false;
    for it in &page.items {
        let Item::Path(path) = it else { continue };
        if path.points.len() < 2 || (path.fill.is_none() && path.stroke.is_none()) {
            continue;
        }
        if !opened {
            ops.push(Op::SaveGraphicsState);
            opened = true;
        }
        let points: Vec<LinePoint> = path
            .points
            .iter()
            .map(|&(x, y)| LinePoint {
                p: Point {
                    x: Pt(x),
                    y: Pt(h - y),
                },
                bezier: false,
            })
            .collect();
        if let Some(fill) = path.fill {
            paint.fill(fill, ops);
            ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings: vec![PolygonRing {
                        points: points.clone(),
                    }],
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
        }
        if let Some(stroke) = &path.stroke {
            ops.push(Op::SetOutlineThickness {
                pt: Pt(stroke.width),
            });
            paint.stroke(stroke.color, ops);
            ops.push(Op::SetLineDashPattern {
                dash: LineDashPattern::new(0.0, &stroke.dash),
            });
            ops.push(Op::DrawLine {
                line: PLine {
                    points,
                    is_closed: path.closed,
                },
            });
        }
    }
    if opened {
        ops.push(Op::RestoreGraphicsState);
    }
}

fn text_string(s: &str) -> Object {
    // UTF-16BE with BOM: the PDF text-string encoding that holds Japanese.
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn dest(page: ObjectId, top: f32) -> Object {
    Object::Array(vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Real(0.0),
        Object::Real(top),
        Object::Null,
    ])
}

fn patch(lo: &mut lopdf::Document, doc: &LaidOutDocument, marked: &[Vec<u32>], paint: Paint) {
    lo.version = "1.7".into();
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    // A destination's top in the page's own coordinates: the print file's content sits
    // above the media's bottom edge by the margin of bleed and marks.
    let lift = match paint {
        Paint::Screen => 0.0,
        Paint::Print(p) => p.margin(),
    };
    let height = |i: usize| doc.pages.get(i).map_or(842.0, |p| p.height) + lift;
    let print_setup = match paint {
        Paint::Print(p) => Some(p),
        Paint::Screen => None,
    };

    // Links (TOC entries): their Link element, annotation and page.
    let mut links: Vec<(u32, ObjectId, usize)> = Vec::new();
    let tagged = doc.standards.tagged() && !doc.structure.is_empty() && print_setup.is_none();
    for (pi, page) in doc.pages.iter().enumerate() {
        let mut annots = Vec::new();
        for it in &page.items {
            if let (
                Item::Link {
                    x,
                    y,
                    width,
                    height: lh,
                    target_page,
                    target_y,
                    node,
                    contents,
                },
                None,
            ) = (it, print_setup)
            {
                // No links in the print file: PDF/X allows no annotation on the printed area.
                let Some(&target) = page_ids.get(*target_page) else {
                    continue;
                };
                let hgt = page.height;
                let mut a = Dictionary::new();
                a.set("Type", Object::Name(b"Annot".to_vec()));
                a.set("Subtype", Object::Name(b"Link".to_vec()));
                a.set(
                    "Rect",
                    Object::Array(
                        [*x, hgt - y - lh, x + width, hgt - y]
                            .iter()
                            .map(|v| Object::Real(*v))
                            .collect(),
                    ),
                );
                a.set("Border", Object::Array(vec![0.into(), 0.into(), 0.into()]));
                // Print flag (PDF/A-2, 6.3.2: an annotation is printed as it is seen).
                a.set("F", Object::Integer(4));
                a.set("Dest", dest(target, height(*target_page) - target_y));
                a.set("Contents", text_string(contents));
                if tagged && *node != 0 {
                    // Keys after the pages' in the parent tree.
                    a.set(
                        "StructParent",
                        Object::Integer((doc.pages.len() + links.len()) as i64),
                    );
                }
                let id = lo.add_object(a);
                if tagged && *node != 0 {
                    links.push((*node, id, pi));
                }
                annots.push(Object::Reference(id));
            }
        }
        if let Some(&pid) = page_ids.get(pi) {
            if let Ok(d) = lo.get_dictionary_mut(pid) {
                if annots.is_empty() {
                    d.remove(b"Annots");
                } else {
                    d.set("Annots", Object::Array(annots));
                    // Tab order follows the structure (PDF/UA).
                    d.set("Tabs", Object::Name(b"S".to_vec()));
                }
                if tagged {
                    d.set("StructParents", Object::Integer(pi as i64));
                }
            }
        }
    }

    let outline_root = build_outline(lo, &doc.outline, &page_ids, &height);
    let struct_root = tagged.then(|| build_structure(lo, doc, marked, &links, &page_ids));

    let lang = if doc.lang.is_empty() { "ja" } else { &doc.lang };
    // Info: title and producer only; no dates, so rebuilds are byte-identical.
    let mut info = Dictionary::new();
    info.set("Title", text_string(&doc.title));
    info.set("Producer", text_string(standards::PRODUCER));
    let info_id = lo.add_object(info);
    if let Ok(Object::Reference(old)) = lo.trailer.get(b"Info").cloned() {
        lo.objects.remove(&old);
    }
    lo.trailer.set("Info", Object::Reference(info_id));
    // The print file's packet is written with its other PDF/X parts (print::finish).
    let metadata = print_setup
        .is_none()
        .then(|| lo.add_object(Object::Stream(standards::xmp(doc, lang, tagged))));

    if let Ok(Object::Reference(root)) = lo.trailer.get(b"Root").cloned() {
        if let Ok(cat) = lo.get_dictionary_mut(root) {
            cat.set(
                "Lang",
                Object::String(lang.as_bytes().to_vec(), StringFormat::Literal),
            );
            let mut vp = Dictionary::new();
            vp.set("DisplayDocTitle", Object::Boolean(true));
            cat.set("ViewerPreferences", Object::Dictionary(vp));
            if let Some(metadata) = metadata {
                cat.set("Metadata", Object::Reference(metadata));
            }
            if let Some(root) = struct_root {
                cat.set("StructTreeRoot", Object::Reference(root));
                let mut mark = Dictionary::new();
                mark.set("Marked", Object::Boolean(true));
                cat.set("MarkInfo", Object::Dictionary(mark));
            }
            match outline_root {
                Some(o) => {
                    cat.set("Outlines", Object::Reference(o));
                    cat.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
                }
                None => {
                    cat.remove(b"Outlines");
                    cat.set("PageMode", Object::Name(b"UseNone".to_vec()));
                }
            }
        }
        // the print file's output intent is PDF/X's (print::finish); PDF/A's would contradict it
        if print_setup.is_none() {
            standards::add_output_intent(lo, root, doc.standards);
        }
    }

    if let Some(setup) = print_setup {
        print::finish(lo, doc, setup, &page_ids);
    }
    let mut id = content_id(doc);
    if print_setup.is_some() {
        // Another file of the same pages: another /ID.
        id = blake3::hash(&[id.as_slice(), b"print"].concat()).as_bytes()[..16].to_vec();
    }
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
}

/// The structure tree (ISO 32000-1, 14.7): one element object per structure element that
/// has content (cells and rows always, so tables stay regular), its kids in order — its
/// content on pages (MCIDs, in page order), then its child elements, then a link's
/// annotation — and the parent tree mapping each page's MCIDs and each link annotation back
/// to its element. Returns the StructTreeRoot.
fn build_structure(
    lo: &mut lopdf::Document,
    doc: &LaidOutDocument,
    marked: &[Vec<u32>],
    links: &[(u32, ObjectId, usize)],
    page_ids: &[ObjectId],
) -> ObjectId {
    let elems = &doc.structure;
    let n = elems.len();
    // Content of each element: (page, MCID) in page order.
    let mut content: Vec<Vec<(usize, i64)>> = vec![Vec::new(); n];
    for (p, nodes) in marked.iter().enumerate() {
        for (mcid, &node) in nodes.iter().enumerate() {
            if let Some(c) = content.get_mut(node as usize) {
                c.push((p, mcid as i64));
            }
        }
    }
    let mut annots: Vec<Vec<(ObjectId, usize)>> = vec![Vec::new(); n];
    for &(node, annot, page) in links {
        if let Some(a) = annots.get_mut(node as usize) {
            a.push((annot, page));
        }
    }
    // A cell whose whole content is one paragraph is that paragraph to a reader: its marked
    // content goes straight into the TD/TH, as it does when a cell holds a line of text. (Such
    // paragraphs were a third of the white paper's elements, and their share of its bytes.)
    let mut owner: Vec<usize> = (0..n).collect();
    let mut child_count = vec![0usize; n];
    for e in elems.iter().skip(1) {
        child_count[e.parent as usize] += 1;
    }
    for i in 1..n {
        let parent = elems[i].parent as usize;
        let lone_paragraph_of_a_cell = matches!(elems[i].role, Role::P)
            && matches!(elems[parent].role, Role::TD(..) | Role::TH(..))
            && child_count[parent] == 1
            && child_count[i] == 0
            && content[parent].is_empty()
            && annots[i].is_empty();
        if lone_paragraph_of_a_cell {
            content[parent] = std::mem::take(&mut content[i]);
            owner[i] = parent;
        }
    }
    // Parents come before their children: one backward pass decides what is kept.
    let mut kept: Vec<bool> = (0..n)
        .map(|i| {
            i == 0
                || !content[i].is_empty()
                || !annots[i].is_empty()
                || matches!(elems[i].role, Role::TD(..) | Role::TH(..))
        })
        .collect();
    for i in (1..n).rev() {
        if kept[i] {
            kept[elems[i].parent as usize] = true;
        }
    }
    let ids: Vec<Option<ObjectId>> = kept
        .iter()
        .map(|&k| k.then(|| lo.new_object_id()))
        .collect();
    let mut children: Vec<Vec<ObjectId>> = vec![Vec::new(); n];
    for i in 1..n {
        if let (Some(id), Some(_)) = (ids[i], ids[elems[i].parent as usize]) {
            children[elems[i].parent as usize].push(id);
        }
    }
    let root = lo.new_object_id();
    for i in 0..n {
        let Some(id) = ids[i] else { continue };
        let e = &elems[i];
        let mut d = Dictionary::new();
        // No /Type: it is optional on a structure element (ISO 32000-1, table 323), and the
        // white paper has thousands of them.
        d.set("S", Object::Name(e.role.name().as_bytes().to_vec()));
        if let Some(alt) = &e.alt {
            d.set("Alt", text_string(alt));
        }
        let parent = if i == 0 {
            root
        } else {
            ids[e.parent as usize].unwrap_or(root)
        };
        d.set("P", Object::Reference(parent));
        let home = content[i].first().map(|&(p, _)| p);
        if let Some(p) = home {
            d.set("Pg", Object::Reference(page_ids[p]));
        }
        let mut kids = Vec::new();
        for &(p, mcid) in &content[i] {
            if Some(p) == home {
                kids.push(Object::Integer(mcid));
            } else {
                let mut mcr = Dictionary::new();
                mcr.set("Type", Object::Name(b"MCR".to_vec()));
                mcr.set("Pg", Object::Reference(page_ids[p]));
                mcr.set("MCID", Object::Integer(mcid));
                kids.push(Object::Dictionary(mcr));
            }
        }
        kids.extend(children[i].iter().map(|&c| Object::Reference(c)));
        for &(annot, p) in &annots[i] {
            let mut objr = Dictionary::new();
            objr.set("Type", Object::Name(b"OBJR".to_vec()));
            objr.set("Pg", Object::Reference(page_ids[p]));
            objr.set("Obj", Object::Reference(annot));
            kids.push(Object::Dictionary(objr));
        }
        // One kid stands alone (also the form some checkers expect of a one-line heading).
        d.set(
            "K",
            if kids.len() == 1 {
                kids.pop().unwrap_or(Object::Null)
            } else {
                Object::Array(kids)
            },
        );
        if let Some(a) = table_attributes(e.role) {
            d.set("A", Object::Dictionary(a));
        }
        lo.objects.insert(id, Object::Dictionary(d));
    }
    // The parent tree: page i's key is i (its /StructParents), link j's is pages + j.
    let mut nums = Vec::new();
    for (p, nodes) in marked.iter().enumerate() {
        nums.push(Object::Integer(p as i64));
        nums.push(Object::Array(
            nodes
                .iter()
                .map(|&node| ids[owner[node as usize]].map_or(Object::Null, Object::Reference))
                .collect(),
        ));
    }
    for (j, &(node, _, _)) in links.iter().enumerate() {
        nums.push(Object::Integer((marked.len() + j) as i64));
        nums.push(ids[node as usize].map_or(Object::Null, Object::Reference));
    }
    let mut parent_tree = Dictionary::new();
    parent_tree.set("Nums", Object::Array(nums));
    let parent_tree = lo.add_object(parent_tree);
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
    if let Some(doc_elem) = ids[0] {
        r.set("K", Object::Array(vec![Object::Reference(doc_elem)]));
    }
    r.set("ParentTree", Object::Reference(parent_tree));
    r.set(
        "ParentTreeNextKey",
        Object::Integer((marked.len() + links.len()) as i64),
    );
    lo.objects.insert(root, Object::Dictionary(r));
    root
}

/// A table cell's attributes: a header cell's scope, spans over one.
fn table_attributes(role: Role) -> Option<Dictionary> {
    let (scope, rows, cols) = match role {
        Role::TH(scope, r, c) => (Some(scope), r, c),
        Role::TD(r, c) => (None, r, c),
        _ => return None,
    };
    if scope.is_none() && rows <= 1 && cols <= 1 {
        return None;
    }
    let mut a = Dictionary::new();
    a.set("O", Object::Name(b"Table".to_vec()));
    if let Some(scope) = scope {
        let name: &[u8] = match scope {
            Scope::Column => b"Column",
            Scope::Row => b"Row",
        };
        a.set("Scope", Object::Name(name.to_vec()));
    }
    if rows > 1 {
        a.set("RowSpan", Object::Integer(rows as i64));
    }
    if cols > 1 {
        a.set("ColSpan", Object::Integer(cols as i64));
    }
    Some(a)
}

/// Nested outline from (level, page, y) entries: an entry is the child of the nearest earlier
/// entry with a smaller level.
fn build_outline(
    lo: &mut lopdf::Document,
    entries: &[OutlineEntry],
    page_ids: &[ObjectId],
    height: &dyn Fn(usize) -> f32,
) -> Option<ObjectId> {
    let entries: Vec<&OutlineEntry> = entries.iter().filter(|e| e.page < page_ids.len()).collect();
    if entries.is_empty() {
        return None;
    }
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = entries.iter().map(|_| lo.new_object_id()).collect();
    // parent[i]: index of the parent entry or None for the root.
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while stack.last().is_some_and(|&j| entries[j].level >= e.level) {
            stack.pop();
        }
        parent.push(stack.last().copied());
        stack.push(i);
    }
    let mut children: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, p) in parent.iter().enumerate() {
        children.entry(*p).or_default().push(i);
    }
    // Chapters (level 1) open, deeper entries closed: the panel shows chapters and their
    // sections. /Count of an open item is its visible descendants; of a closed one, minus the
    // descendants opening it would show. Computed bottom-up.
    let open = |i: usize| entries[i].level <= 1;
    let mut visible = vec![0i64; entries.len()];
    for i in (0..entries.len()).rev() {
        if let Some(p) = parent[i] {
            visible[p] += 1 + if open(i) { visible[i] } else { 0 };
        }
    }
    let count: Vec<i64> = (0..entries.len())
        .map(|i| if open(i) { visible[i] } else { -visible[i] })
        .collect();
    let root_count: i64 = children[&None]
        .iter()
        .map(|&i| 1 + if open(i) { visible[i] } else { 0 })
        .sum();
    for (i, e) in entries.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(&e.title));
        d.set(
            "Parent",
            Object::Reference(parent[i].map_or(root, |p| ids[p])),
        );
        d.set("Dest", dest(page_ids[e.page], height(e.page) - e.y));
        let sib = &children[&parent[i]];
        let k = sib.iter().position(|&s| s == i).expect("own sibling list");
        if k > 0 {
            d.set("Prev", Object::Reference(ids[sib[k - 1]]));
        }
        if k + 1 < sib.len() {
            d.set("Next", Object::Reference(ids[sib[k + 1]]));
        }
        if let Some(kids) = children.get(&Some(i)) {
            d.set("First", Object::Reference(ids[kids[0]]));
            d.set(
                "Last",
                Object::Reference(ids[*kids.last().expect("non-empty")]),
            );
            d.set("Count", Object::Integer(count[i]));
        }
        lo.objects.insert(ids[i], Object::Dictionary(d));
    }
    let top = &children[&None];
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    r.set("First", Object::Reference(ids[top[0]]));
    r.set(
        "Last",
        Object::Reference(ids[*top.last().expect("non-empty")]),
    );
    r.set("Count", Object::Integer(root_count));
    lo.objects.insert(root, Object::Dictionary(r));
    Some(root)
}

/// A 16-byte /ID derived from the laid-out content (same document → same ID): the first 16
/// bytes of its blake3 hash. blake3's output is fixed by its specification, so a toolchain or
/// dependency update cannot change the bytes of a PDF (std's `DefaultHasher` promises no such
/// thing across Rust releases). Strings are length-prefixed so that fields cannot run together.
fn content_id(doc: &LaidOutDocument) -> Vec<u8> {
    let mut hasher = blake3::Hasher::new();
    // Fed through a buffer: a hasher update per few bytes of every glyph cost a white paper
    // milliseconds; the hash of the same bytes is the same however they are split.
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut feed = |bytes: &[u8]| {
        if buffer.len() + bytes.len() > buffer.capacity() {
            hasher.update(&buffer);
            buffer.clear();
        }
        if bytes.len() > buffer.capacity() {
            hasher.update(bytes);
        } else {
            buffer.extend_from_slice(bytes);
        }
    };
    let text = |feed: &mut dyn FnMut(&[u8]), s: &str| {
        feed(&(s.len() as u64).to_le_bytes());
        feed(s.as_bytes());
    };
    text(&mut feed, &doc.title);
    text(&mut feed, &doc.lang);
    // The same pages declaring other standards are another file. Fed only when not the
    // default, so a default document's /ID is what it was before standards could be chosen.
    if doc.standards != crate::page::Standards::default() {
        let pdfa = match doc.standards.pdfa {
            None => 0,
            Some(level) => level.letter().as_bytes()[0],
        };
        feed(&[0xA5, u8::from(doc.standards.ua1), pdfa]);
    }
    for p in &doc.pages {
        feed(&p.width.to_bits().to_le_bytes());
        feed(&p.height.to_bits().to_le_bytes());
        for it in &p.items {
            match it {
                Item::Text(r) => {
                    feed(&[1]);
                    feed(&r.font.0.to_le_bytes());
                    for v in [r.size, r.x, r.y] {
                        feed(&v.to_bits().to_le_bytes());
                    }
                    for (g, text) in r.glyph_texts() {
                        feed(&g.glyph_id.to_le_bytes());
                        feed(&g.x.to_bits().to_le_bytes());
                        feed(&(text.len() as u64).to_le_bytes());
                        feed(text.as_bytes());
                    }
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    ..
                } => {
                    feed(&[2]);
                    for v in [x1, y1, x2, y2, width] {
                        feed(&v.to_bits().to_le_bytes());
                    }
                }
                Item::Rect {
                    x,
                    y,
                    width,
                    height,
                    ..
                } => {
                    feed(&[3]);
                    for v in [x, y, width, height] {
                        feed(&v.to_bits().to_le_bytes());
                    }
                }
                Item::Path(path) => {
                    feed(&[5]);
                    for (x, y) in &path.points {
                        feed(&x.to_bits().to_le_bytes());
                        feed(&y.to_bits().to_le_bytes());
                    }
                }
                Item::Link {
                    x, y, target_page, ..
                } => {
                    feed(&[4]);
                    feed(&x.to_bits().to_le_bytes());
                    feed(&y.to_bits().to_le_bytes());
                    feed(&target_page.to_le_bytes());
                }
            }
        }
    }
    for e in &doc.outline {
        text(&mut feed, &e.title);
        feed(&[e.level]);
        feed(&e.page.to_le_bytes());
    }
    hasher.update(&buffer);
    hasher.finalize().as_bytes()[..16].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The /ID of a fixed document is pinned: if it changes, every PDF's bytes change, which a
    /// toolchain update must never do (std's `DefaultHasher` gave no such promise).
    #[test]
    fn the_document_id_is_a_stable_content_hash() {
        let doc = LaidOutDocument {
            title: "自治体経営白書".into(),
            lang: "ja".into(),
            pages: vec![crate::page::Page {
                width: 595.0,
                height: 842.0,
                items: vec![Item::Line {
                    x1: 10.0,
                    y1: 20.0,
                    x2: 30.0,
                    y2: 20.0,
                    width: 0.5,
                    color: Color::BLACK,
                }],
            }],
            structure: Vec::new(),
            standards: Default::default(),
            outline: vec![OutlineEntry {
                title: "第1部".into(),
                level: 1,
                page: 0,
                y: 800.0,
            }],
        };
        let hex: String = content_id(&doc)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "f2359680e929df6976b700a1657701fa");
        // title and language cannot run together
        let mut shifted = doc.clone();
        shifted.title = "自治体経営白書j".into();
        shifted.lang = "a".into();
        assert_ne!(content_id(&shifted), content_id(&doc));
    }
}
