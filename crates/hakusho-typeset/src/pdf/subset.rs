//! Font subsetting, done before printpdf sees a font.
//!
//! printpdf subsets with allsorts, which reads the whole 20,000-glyph CJK font per document and
//! needs the full font parsed up front (~11 ms per font); together they were a third of a build's
//! CPU. Typst's `subsetter` cuts a font to the used glyphs in well under a millisecond. Its
//! output keeps only what a PDF needs to draw glyphs, so the two tables printpdf's parser insists
//! on are added back: a `cmap` for the used characters and the original `OS/2` (descriptor
//! metrics). printpdf then embeds these bytes as they are.

use std::collections::BTreeMap;

use subsetter::GlyphRemapper;

use super::PdfFontError;

/// A font cut to the glyphs one document uses, with the renumbering.
pub struct Subset {
    pub bytes: Vec<u8>,
    remapper: GlyphRemapper,
}

impl Subset {
    /// The subset's glyph id for an original glyph id (None if the glyph was not requested).
    pub fn new_id(&self, old: u16) -> Option<u16> {
        self.remapper.get(old)
    }
}

/// Subsets `data` to the glyphs in `used` (original glyph id → the text it stands for).
pub fn subset(
    name: &str,
    data: &[u8],
    used: &BTreeMap<u16, String>,
) -> Result<Subset, PdfFontError> {
    let parse_error = |source| PdfFontError::Parse {
        font: name.to_string(),
        source,
    };
    let mut remapper = GlyphRemapper::new();
    for &gid in used.keys() {
        remapper.remap(gid);
    }
    let cut = subsetter::subset(data, 0, &remapper).map_err(|source| PdfFontError::Subset {
        font: name.to_string(),
        source,
    })?;
    let mut tables = tables_of(&cut).map_err(parse_error)?;
    let original = ttf_parser::RawFace::parse(data, 0).map_err(parse_error)?;
    if !has(&tables, b"OS/2") {
        if let Some(os2) = original.table(ttf_parser::Tag::from_bytes(b"OS/2")) {
            tables.push((*b"OS/2", os2.to_vec()));
        }
    }
    if !has(&tables, b"cmap") {
        let pairs: Vec<(u16, u16)> = used
            .iter()
            .filter_map(|(&old, text)| {
                let mut chars = text.chars();
                let c = chars.next()?;
                let code = u16::try_from(u32::from(c)).ok()?;
                // Ligature-like glyphs (several characters) and astral characters get no
                // entry: text comes from ToUnicode, drawing from glyph ids.
                if chars.next().is_some() || code == 0xFFFF {
                    return None;
                }
                Some((code, remapper.get(old)?))
            })
            .collect();
        tables.push((*b"cmap", cmap_format4(pairs)));
    }
    // TrueType (0x00010000) or CFF ('OTTO') outlines, as the subsetter wrote them.
    let version: [u8; 4] = cut
        .get(..4)
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| PdfFontError::EmptySubset {
            font: name.to_string(),
        })?;
    Ok(Subset {
        bytes: assemble(version, tables),
        remapper,
    })
}

/// An sfnt's tables as (tag, bytes), in directory order.
pub(crate) type Tables = Vec<([u8; 4], Vec<u8>)>;

pub(crate) fn tables_of(font: &[u8]) -> Result<Tables, ttf_parser::FaceParsingError> {
    Ok(ttf_parser::RawFace::parse(font, 0)?
        .table_records
        .into_iter()
        .filter_map(|r| {
            let start = r.offset as usize;
            let bytes = font.get(start..start.checked_add(r.length as usize)?)?;
            Some((r.tag.to_bytes(), bytes.to_vec()))
        })
        .collect())
}

pub(crate) fn has(tables: &[([u8; 4], Vec<u8>)], tag: &[u8; 4]) -> bool {
    tables.iter().any(|(t, _)| t == tag)
}

/// A `cmap` with one Windows Unicode BMP subtable (format 4), one segment per character.
fn cmap_format4(mut pairs: Vec<(u16, u16)>) -> Vec<u8> {
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    let seg_count = pairs.len() + 1; // + the required 0xFFFF end segment
    let seg_x2 = (seg_count * 2) as u16;
    let entry_selector = (usize::BITS - 1 - seg_count.leading_zeros()) as u16;
    let search_range = 2 * (1u16 << entry_selector);
    let sub_len = 16 + seg_count * 8;
    let mut s = Vec::with_capacity(sub_len);
    let put = |s: &mut Vec<u8>, v: u16| s.extend_from_slice(&v.to_be_bytes());
    for v in [
        4,
        sub_len as u16,
        0,
        seg_x2,
        search_range,
        entry_selector,
        seg_x2 - search_range,
    ] {
        put(&mut s, v);
    }
    for &(c, _) in &pairs {
        put(&mut s, c); // endCode
    }
    put(&mut s, 0xFFFF);
    put(&mut s, 0); // reservedPad
    for &(c, _) in &pairs {
        put(&mut s, c); // startCode
    }
    put(&mut s, 0xFFFF);
    for &(c, g) in &pairs {
        put(&mut s, g.wrapping_sub(c)); // idDelta
    }
    put(&mut s, 1);
    for _ in 0..seg_count {
        put(&mut s, 0); // idRangeOffset
    }
    let mut out = Vec::with_capacity(12 + s.len());
    for v in [0u16, 1, 3, 1] {
        out.extend_from_slice(&v.to_be_bytes()); // version, numTables, platform 3, encoding 1
    }
    out.extend_from_slice(&12u32.to_be_bytes());
    out.extend_from_slice(&s);
    out
}

fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// Writes an sfnt from its tables: sorted directory, 4-byte aligned tables, checksums and the
/// `head` checksum adjustment.
pub(crate) fn assemble(version: [u8; 4], mut tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    tables.sort_by_key(|a| a.0);
    let n = tables.len() as u16;
    let entry_selector = 15 - n.max(1).leading_zeros() as u16;
    let search_range = 16 * (1u16 << entry_selector);
    let mut out = Vec::new();
    out.extend_from_slice(&version);
    for v in [n, search_range, entry_selector, n * 16 - search_range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &mut tables {
        if tag == b"head" && data.len() >= 12 {
            data[8..12].fill(0); // checkSumAdjustment is computed over a zero field
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmap_maps_each_character_to_its_new_glyph() {
        let table = cmap_format4(vec![(0x5E02, 2), (0x0041, 1)]);
        let font = assemble([0, 1, 0, 0], vec![(*b"cmap", table)]);
        let sub = ttf_parser::cmap::Table::parse(
            ttf_parser::RawFace::parse(&font, 0)
                .unwrap()
                .table(ttf_parser::Tag::from_bytes(b"cmap"))
                .unwrap(),
        )
        .unwrap();
        let st = sub.subtables.get(0).unwrap();
        assert_eq!(st.glyph_index(0x41).map(|g| g.0), Some(1));
        assert_eq!(st.glyph_index(0x5E02).map(|g| g.0), Some(2));
        assert_eq!(st.glyph_index(0x42), None);
    }

    #[test]
    fn printpdf_parses_the_subset_and_widths_survive() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fonts/BIZUDMincho-Regular.ttf"
        );
        let data = std::fs::read(path).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let used: BTreeMap<u16, String> = "市民の暮らし、A1。"
            .chars()
            .map(|c| (face.glyph_index(c).unwrap().0, c.to_string()))
            .collect();
        let t = std::time::Instant::now();
        let sub = subset("mincho", &data, &used).unwrap();
        eprintln!("subset: {} bytes, {:?}", sub.bytes.len(), t.elapsed());
        let t = std::time::Instant::now();
        let mut warnings = Vec::new();
        let parsed = printpdf::ParsedFont::from_bytes(&sub.bytes, 0, &mut warnings);
        eprintln!("parsed: {:?}", t.elapsed());
        assert!(
            parsed.is_some(),
            "printpdf rejects the subset: {warnings:?}"
        );
        let small = ttf_parser::Face::parse(&sub.bytes, 0).unwrap();
        assert_eq!(small.number_of_glyphs() as usize, used.len() + 1);
        for (&old, text) in &used {
            let new = sub.new_id(old).unwrap();
            let c = text.chars().next().unwrap();
            assert_eq!(small.glyph_index(c).map(|g| g.0), Some(new), "{text}");
            assert_eq!(
                small.glyph_hor_advance(ttf_parser::GlyphId(new)),
                face.glyph_hor_advance(ttf_parser::GlyphId(old)),
                "{text}"
            );
        }
    }
}
