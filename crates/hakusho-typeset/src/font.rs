//! Font loading and metrics (ttf-parser). Loaded once per build, shared by all documents.
//!
//! CONTRACT (owned by the composition work; keep these signatures stable for layout and pdf).
//!
//! - [`FontSet::load_file`] reads a TTF/OTF once; [`FontSet::add`] takes an already parsed [`Font`].
//! - [`FontSet::set_fallback`] gives an ordered list of fonts tried for characters the span's own
//!   font lacks (e.g. Gothic for a gap in Mincho). [`FontSet::resolve`] does that lookup; compose
//!   uses it, so a fallback glyph ends up in its own `TextRun` with the fallback's `FontIndex`.
//! - [`Font::glyph`] is O(1) for the BMP (a flat table) and a hash lookup above it. A cmap entry
//!   that points at glyph 0 (.notdef) counts as missing: nothing ever draws glyph 0 silently.
//! - Vertical metrics are fractions of the em (multiply by the size): [`Font::ascender`],
//!   [`Font::descender`] (negative), [`Font::line_gap`]; helpers [`Font::ascent`],
//!   [`Font::descent`], [`Font::default_line_height`] work in pt.
//!
//! `FontSet` is `Send + Sync`: build it once, share it by reference across threads.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use hakusho_diagnostics::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontIndex(pub usize);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphInfo {
    pub id: u16,
    /// Advance width as a fraction of the em (multiply by the font size in pt).
    pub advance: f32,
}

/// One BMP slot: glyph id (0 = absent) and advance in font units. Packed so the whole BMP table
/// is 256 KB per font: a direct index is far cheaper than hashing on every character composed.
#[derive(Clone, Copy, Default)]
struct Slot {
    gid: u16,
    adv: u16,
}

pub struct Font {
    pub name: String,
    pub data: Arc<Vec<u8>>,
    pub units_per_em: u16,
    /// Ascender and descender as fractions of the em (descender negative), from `hhea`
    /// (what most PDF viewers and Typst use for the line box).
    pub ascender: f32,
    pub descender: f32,
    /// `hhea` line gap as a fraction of the em.
    pub line_gap: f32,
    /// Cap height and x-height as fractions of the em, when the OS/2 table gives them.
    pub cap_height: Option<f32>,
    pub x_height: Option<f32>,
    bmp: Vec<Slot>,
    astral: HashMap<char, Slot>,
    glyph_count: usize,
}

impl std::fmt::Debug for Font {
    // Hand-written so that debug output does not dump the 65,536-entry glyph table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name)
            .field("bytes", &self.data.len())
            .field("units_per_em", &self.units_per_em)
            .field("ascender", &self.ascender)
            .field("descender", &self.descender)
            .field("mapped_chars", &self.glyph_count)
            .finish()
    }
}

/// Why a font file could not be loaded by [`Font::from_file`] or [`FontSet::load_file`]
/// (tools and tests; the build loads fonts through the style sheet, which reports a
/// [`Message`] at the file).
#[derive(Debug)]
pub enum FontLoadError {
    /// The file could not be read.
    Read {
        name: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The font is damaged or of a kind that cannot be used (`why`: in both languages).
    Unusable { name: String, why: Message },
}

impl std::fmt::Display for FontLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FontLoadError::Read { name, path, source } => {
                write!(f, "{name}: {}: {source}", path.display())
            }
            FontLoadError::Unusable { name, why } => write!(f, "{name}: {}", why.en),
        }
    }
}

impl std::error::Error for FontLoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FontLoadError::Read { source, .. } => Some(source),
            FontLoadError::Unusable { why, .. } => Some(why),
        }
    }
}

/// Why ttf-parser's face cannot serve as a font here (English: it goes into a [`Message`]'s
/// English text only).
#[derive(Debug)]
enum FaceError {
    Parse(ttf_parser::FaceParsingError),
    ZeroUnitsPerEm,
    NoUnicodeMap,
}

impl std::fmt::Display for FaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaceError::Parse(e) => write!(f, "{e}"),
            FaceError::ZeroUnitsPerEm => f.write_str("units per em is 0"),
            FaceError::NoUnicodeMap => f.write_str("no Unicode character map"),
        }
    }
}

/// What to do about a damaged font, said in every message that finds one.
const REPLACE_JA: &str = "フォントの配布元から入手した元のファイルに置き換えてください（使えるのは TrueType / OpenType のアウトラインフォント .ttf / .otf です）";
const REPLACE_EN: &str = "replace it with the original file from the font's distribution (TrueType/OpenType outline fonts, .ttf/.otf, work)";

fn damaged(ja: String, en: String) -> Message {
    Message {
        ja: format!("{ja}。{REPLACE_JA}"),
        en: format!("{en}; {REPLACE_EN}"),
    }
}

/// Checks, before any glyph is looked up, that a font file is whole and of a kind the layout
/// and the PDF writer can use. ttf-parser alone accepts a cut-off file (tables past the end
/// read as absent), which made layout fall back to another font without a word; the
/// subsetter then failed only when a PDF was written, naming no file.
fn validate(name: &str, data: &[u8]) -> Result<(), Message> {
    let raw = ttf_parser::RawFace::parse(data, 0).map_err(|e| {
        damaged(
            "フォントファイルとして読めません（先頭が TrueType / OpenType の形式ではありません）"
                .to_string(),
            format!("not a TrueType/OpenType font ({e})"),
        )
    })?;
    let mut tags = Vec::new();
    for r in raw.table_records {
        let tag = String::from_utf8_lossy(&r.tag.to_bytes())
            .trim_end()
            .to_string();
        let end = (r.offset as u64) + (r.length as u64);
        if end > data.len() as u64 {
            return Err(damaged(
                format!(
                    "ファイルが途中で切れています（{tag} 表は {end} バイト目まで続くはずですが、ファイルは {} バイトです）",
                    data.len()
                ),
                format!(
                    "the file is truncated (table {tag} ends at byte {end}, the file has {} bytes)",
                    data.len()
                ),
            ));
        }
        tags.push(tag);
    }
    let has = |t: &str| tags.iter().any(|x| x == t);
    let outlines = (has("glyf") && has("loca")) || has("CFF") || has("CFF2");
    if let Some(kind) = ["CBDT", "sbix", "COLR", "SVG"].into_iter().find(|t| has(t)) {
        return Err(Message {
            ja: format!("カラー絵文字などのカラーフォント（{kind} 表）は使えません。PDF に埋め込める文字の形がないか、色が失われます。TrueType / OpenType の通常のアウトラインフォント（.ttf / .otf）を指定してください"),
            en: format!("colour fonts (table {kind}) cannot be used: their glyphs cannot be embedded in the PDF as outlines, or lose their colours; name an ordinary TrueType/OpenType outline font (.ttf/.otf)"),
        });
    }
    let missing: Vec<&str> = ["cmap", "head", "hhea", "hmtx", "maxp"]
        .into_iter()
        .filter(|t| !has(t))
        .collect();
    if !missing.is_empty() || !outlines {
        let what = if outlines {
            missing.join(", ")
        } else {
            let mut m = missing.join(", ");
            if !m.is_empty() {
                m.push_str(", ");
            }
            m + "glyf/CFF"
        };
        return Err(damaged(
            format!("文字を描くのに必要な表（{what}）がありません。アウトラインのないフォント（ビットマップフォントなど）か、壊れたファイルです"),
            format!("tables needed to draw text are missing ({what}): a font without outlines (a bitmap font) or a damaged file"),
        ));
    }
    let face = ttf_parser::Face::parse(data, 0).map_err(|e| {
        damaged(
            "フォントの表が壊れています".to_string(),
            format!("the font's tables are damaged ({e})"),
        )
    })?;
    // Probe the subsetter (and printpdf behind it) with glyphs from all over the font.
    let n = face.number_of_glyphs();
    let mut sample = std::collections::BTreeMap::new();
    for c in "あ亜一、。Aa0".chars() {
        if let Some(g) = face.glyph_index(c) {
            sample.insert(g.0, c.to_string());
        }
    }
    for k in 1..=16u32 {
        let g = (n as u32 * k / 16).min((n as u32).saturating_sub(1)) as u16;
        if g != 0 {
            sample.entry(g).or_default();
        }
    }
    crate::pdf::probe_subset(name, data, &sample).map_err(|e| {
        damaged(
            "PDF に埋め込むための切り出し（サブセット化）ができません。ファイルが壊れているか、対応していない形式です".to_string(),
            format!("the font cannot be subset for embedding in the PDF ({e})"),
        )
    })
}

impl Font {
    /// Parses a font, refusing a damaged or unusable one with a message in both languages.
    pub fn from_bytes_checked(name: &str, data: Vec<u8>) -> Result<Font, Message> {
        validate(name, &data)?;
        Font::parse(name, data)
            .map_err(|e| damaged("フォントを読めません".to_string(), format!("{name}: {e}")))
    }

    /// [`Font::from_bytes_checked`], its refusal as a [`FontLoadError`].
    pub fn from_bytes(name: &str, data: Vec<u8>) -> Result<Font, FontLoadError> {
        Font::from_bytes_checked(name, data).map_err(|why| FontLoadError::Unusable {
            name: name.to_string(),
            why,
        })
    }

    fn parse(name: &str, data: Vec<u8>) -> Result<Font, FaceError> {
        let face = ttf_parser::Face::parse(&data, 0).map_err(FaceError::Parse)?;
        let upem = face.units_per_em();
        if upem == 0 {
            return Err(FaceError::ZeroUnitsPerEm);
        }
        let mut bmp = vec![Slot::default(); 0x10000];
        let mut astral = HashMap::new();
        let mut glyph_count = 0usize;
        if let Some(cmap) = face.tables().cmap {
            // Subtables are visited in file order; the first Unicode subtable that maps a code
            // point wins, as in the previous HashMap::entry().or_insert() approach.
            for sub in cmap.subtables {
                if !sub.is_unicode() {
                    continue;
                }
                sub.codepoints(|cp| {
                    let Some(c) = char::from_u32(cp) else { return };
                    let Some(gid) = sub.glyph_index(cp) else {
                        return;
                    };
                    if gid.0 == 0 {
                        return;
                    }
                    let slot = Slot {
                        gid: gid.0,
                        adv: face.glyph_hor_advance(gid).unwrap_or(0),
                    };
                    if (cp as usize) < bmp.len() {
                        if bmp[cp as usize].gid == 0 {
                            bmp[cp as usize] = slot;
                            glyph_count += 1;
                        }
                    } else if let std::collections::hash_map::Entry::Vacant(e) = astral.entry(c) {
                        e.insert(slot);
                        glyph_count += 1;
                    }
                });
            }
        }
        if glyph_count == 0 {
            return Err(FaceError::NoUnicodeMap);
        }
        let em = upem as f32;
        Ok(Font {
            name: name.to_string(),
            units_per_em: upem,
            ascender: face.ascender() as f32 / em,
            descender: face.descender() as f32 / em,
            line_gap: face.line_gap() as f32 / em,
            cap_height: face.capital_height().map(|v| v as f32 / em),
            x_height: face.x_height().map(|v| v as f32 / em),
            bmp,
            astral,
            glyph_count,
            data: Arc::new(data),
        })
    }

    /// Reads and parses a font file.
    pub fn from_file(name: &str, path: &Path) -> Result<Font, FontLoadError> {
        let data = std::fs::read(path).map_err(|source| FontLoadError::Read {
            name: name.to_string(),
            path: path.to_path_buf(),
            source,
        })?;
        Font::from_bytes(name, data)
    }

    /// Glyph and advance for a character, `None` when the font has no (non-.notdef) glyph.
    #[inline]
    pub fn glyph(&self, c: char) -> Option<GlyphInfo> {
        let cp = c as usize;
        let slot = if cp < 0x10000 {
            self.bmp[cp]
        } else {
            *self.astral.get(&c)?
        };
        if slot.gid == 0 {
            return None;
        }
        Some(GlyphInfo {
            id: slot.gid,
            advance: slot.adv as f32 / self.units_per_em as f32,
        })
    }

    pub fn has_glyph(&self, c: char) -> bool {
        self.glyph(c).is_some()
    }

    /// Number of characters the cmap maps to a real glyph.
    pub fn mapped_chars(&self) -> usize {
        self.glyph_count
    }

    /// Ascent above the baseline in pt (positive).
    pub fn ascent(&self, size: f32) -> f32 {
        self.ascender * size
    }

    /// Descent below the baseline in pt (positive).
    pub fn descent(&self, size: f32) -> f32 {
        -self.descender * size
    }

    /// The font's own line height (ascent + descent + line gap) in pt. Japanese body text is
    /// normally set on a fixed pitch (e.g. 1.7 × size) chosen by the style sheet instead; this is
    /// for places that have no such setting.
    pub fn default_line_height(&self, size: f32) -> f32 {
        (self.ascender - self.descender + self.line_gap) * size
    }
}

#[derive(Debug, Default)]
pub struct FontSet {
    fonts: Vec<Font>,
    fallback: Vec<FontIndex>,
}

impl FontSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, font: Font) -> FontIndex {
        self.fonts.push(font);
        FontIndex(self.fonts.len() - 1)
    }

    /// Reads, parses and adds a font file; `name` is what [`FontSet::by_name`] finds it by.
    pub fn load_file(
        &mut self,
        name: &str,
        path: impl AsRef<Path>,
    ) -> Result<FontIndex, FontLoadError> {
        let font = Font::from_file(name, path.as_ref())?;
        Ok(self.add(font))
    }

    pub fn get(&self, index: FontIndex) -> &Font {
        &self.fonts[index.0]
    }

    pub fn by_name(&self, name: &str) -> Option<FontIndex> {
        self.fonts
            .iter()
            .position(|f| f.name == name)
            .map(FontIndex)
    }

    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }

    /// Sets the ordered list of fonts tried when a span's font lacks a character.
    pub fn set_fallback(&mut self, fonts: Vec<FontIndex>) {
        self.fallback = fonts;
    }

    pub fn fallback(&self) -> &[FontIndex] {
        &self.fallback
    }

    /// The font that draws `c` for a span in `font`: `font` itself, else the first fallback that
    /// has it. `None` when no font has it (compose reports a `MissingGlyph`).
    #[inline]
    pub fn resolve(&self, font: FontIndex, c: char) -> Option<(FontIndex, GlyphInfo)> {
        if let Some(g) = self.get(font).glyph(c) {
            return Some((font, g));
        }
        self.fallback
            .iter()
            .filter(|&&f| f != font)
            .find_map(|&f| self.get(f).glyph(c).map(|g| (f, g)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font_path(file: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fonts")
            .join(file)
    }

    #[test]
    fn loads_real_fonts_and_maps_japanese() {
        let mut set = FontSet::new();
        let t = std::time::Instant::now();
        let m = set
            .load_file("mincho", font_path("BIZUDMincho-Regular.ttf"))
            .unwrap();
        let g = set
            .load_file("gothic", font_path("BIZUDGothic-Regular.ttf"))
            .unwrap();
        eprintln!("loading two fonts took {:?}", t.elapsed());
        let mincho = set.get(m);
        assert!(mincho.mapped_chars() > 10_000, "{mincho:?}");
        // Full-width kanji and punctuation are one em; ASCII digits half an em in BIZ UD.
        for c in ['三', '鷹', '、', '。', '「', '）', 'ー'] {
            let gi = mincho.glyph(c).unwrap_or_else(|| panic!("{c} missing"));
            assert!(gi.id != 0);
            assert!((gi.advance - 1.0).abs() < 1e-3, "{c}: {}", gi.advance);
        }
        assert!((mincho.glyph('2').unwrap().advance - 0.5).abs() < 1e-3);
        assert!(mincho.ascender > 0.5 && mincho.descender < 0.0);
        assert_eq!(set.by_name("gothic"), Some(g));
        // A private-use code point is in neither font.
        assert_eq!(set.resolve(m, '\u{E000}'), None);
        assert_eq!(set.resolve(m, '鷹').map(|r| r.0), Some(m));
    }

    #[test]
    fn fallback_is_used_only_for_gaps() {
        let mut set = FontSet::new();
        let m = set
            .load_file("mincho", font_path("BIZUDMincho-Regular.ttf"))
            .unwrap();
        let g = set
            .load_file("gothic", font_path("BIZUDGothic-Regular.ttf"))
            .unwrap();
        set.set_fallback(vec![g]);
        // Find a character Gothic has and Mincho lacks, if any; otherwise the check is vacuous
        // for these fonts, so assert the mechanism with a character both have.
        let gap = (0x2000u32..0x10000)
            .filter_map(char::from_u32)
            .find(|&c| !set.get(m).has_glyph(c) && set.get(g).has_glyph(c));
        if let Some(c) = gap {
            assert_eq!(set.resolve(m, c).map(|r| r.0), Some(g));
        }
        assert_eq!(set.resolve(m, 'あ').map(|r| r.0), Some(m));
    }

    /// An sfnt with the tables of `data` plus `extra` (checksums left 0: parsers ignore them).
    fn with_table(data: &[u8], extra: (&[u8; 4], Vec<u8>)) -> Vec<u8> {
        let raw = ttf_parser::RawFace::parse(data, 0).unwrap();
        let mut tables: Vec<([u8; 4], Vec<u8>)> = raw
            .table_records
            .into_iter()
            .map(|r| {
                let s = r.offset as usize;
                (r.tag.to_bytes(), data[s..s + r.length as usize].to_vec())
            })
            .collect();
        tables.push((*extra.0, extra.1));
        tables.sort_by_key(|t| t.0);
        let n = tables.len();
        let mut out = data[..4].to_vec();
        for v in [n as u16, 16, 0, 0] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        let mut offset = 12 + 16 * n;
        for (tag, t) in &tables {
            out.extend_from_slice(tag);
            out.extend_from_slice(&0u32.to_be_bytes());
            out.extend_from_slice(&(offset as u32).to_be_bytes());
            out.extend_from_slice(&(t.len() as u32).to_be_bytes());
            offset += t.len().div_ceil(4) * 4;
        }
        for (_, t) in &tables {
            out.extend_from_slice(t);
            out.resize(out.len().div_ceil(4) * 4, 0);
        }
        out
    }

    /// Issue 17, point 3: a cut-off font file is refused when it is loaded (it used to load,
    /// map no character, and let layout set everything in the fallback font), saying what is
    /// wrong and what to do, in Japanese without library text.
    #[test]
    fn truncated_fonts_are_refused_at_load() {
        let data = std::fs::read(font_path("BIZUDMincho-Regular.ttf")).unwrap();
        for cut in [100_000, 3_000_000, data.len() - 1] {
            let e = Font::from_bytes_checked("mincho", data[..cut].to_vec())
                .expect_err("a truncated font is refused");
            assert!(
                e.ja.contains("途中で切れて") && e.ja.contains("置き換えて"),
                "{cut}: {}",
                e.ja
            );
            assert!(
                !e.ja.contains("table") && !e.ja.contains("failed"),
                "{}",
                e.ja
            );
            assert!(e.en.contains("truncated"), "{}", e.en);
        }
        let e = Font::from_bytes_checked("x", b"not a font at all".to_vec()).unwrap_err();
        assert!(e.ja.contains("TrueType"), "{}", e.ja);
        assert!(Font::from_bytes_checked("mincho", data).is_ok());
    }

    /// Issue 17, point 3: a colour (bitmap emoji) font is refused with that reason.
    #[test]
    fn colour_bitmap_fonts_are_refused_with_the_reason() {
        let data = std::fs::read(font_path("BIZUDGothic-Regular.ttf")).unwrap();
        for tag in [b"CBDT", b"sbix", b"COLR"] {
            let font = with_table(&data, (tag, vec![0; 8]));
            let e = Font::from_bytes_checked("emoji", font).unwrap_err();
            assert!(
                e.ja.contains("カラー") && e.ja.contains(std::str::from_utf8(tag).unwrap()),
                "{}",
                e.ja
            );
        }
        // The assembled copy itself is fine without the colour table.
        assert!(Font::from_bytes_checked("g", with_table(&data, (b"zzzz", vec![0; 4]))).is_ok());
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let mut set = FontSet::new();
        let e = set.load_file("x", "/nonexistent/font.ttf").unwrap_err();
        assert!(e.to_string().contains("/nonexistent/font.ttf"), "{e}");
    }
}
