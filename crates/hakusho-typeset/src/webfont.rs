//! Web fonts for the HTML edition: a bundled font cut to the characters one edition shows and
//! packed as WOFF2, so a reader without BIZ UD sees the pages in the fonts of the PDF.
//!
//! The cut is the PDF's ([`crate::pdf::subset`]: Typst's `subsetter`, plus a `cmap` for the
//! characters and the original `OS/2`). A browser asks more of a font than a PDF reader does —
//! Chromium's sanitizer (OTS) refuses a font without `name` or `post` — so those two are added
//! back: `name` as it is (the OFL lets a subset keep its name: the BIZ UD fonts declare no
//! Reserved Font Name), `post` as version 3.0 (no glyph names, which the renumbered glyphs no
//! longer match). WOFF2 packing is `ttf2woff2` (pure Rust brotli).

use std::collections::BTreeMap;
use std::fmt;

use ttf2woff2::{BrotliQuality, EncodeOptions};

use crate::pdf::subset;

/// Brotli quality for the packed fonts. Measured on the sample white paper's cut of BIZ UD Gothic
/// (1,249 characters, a 351 KB font): quality 5 packs it in ~13 ms to 232 KB, 9 in ~90 ms to
/// 227 KB, 11 in ~850 ms to 215 KB.
const QUALITY: u8 = 5;

/// Why a web font could not be made.
#[derive(Debug)]
pub enum WebFontError {
    /// The font file is not a font this tool can read, or cutting it failed.
    Font(crate::pdf::PdfFontError),
    /// WOFF2 packing failed.
    Pack(String),
}

impl fmt::Display for WebFontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebFontError::Font(e) => write!(f, "{e}"),
            WebFontError::Pack(e) => write!(f, "WOFF2: {e}"),
        }
    }
}

impl std::error::Error for WebFontError {}

/// `data` (a TrueType or OpenType font named `name` in messages) cut to the glyphs of the
/// characters in `text` that it has, as WOFF2 bytes. Characters the font lacks are left to the
/// browser's fallback, as the stylesheet's font list says.
pub fn woff2_subset(
    name: &str,
    data: &[u8],
    text: impl IntoIterator<Item = char>,
) -> Result<Vec<u8>, WebFontError> {
    let parse_error = |source| {
        WebFontError::Font(crate::pdf::PdfFontError::Parse {
            font: name.to_string(),
            source,
        })
    };
    let face = ttf_parser::Face::parse(data, 0).map_err(parse_error)?;
    let mut used: BTreeMap<u16, String> = BTreeMap::new();
    for c in text {
        if let Some(g) = face.glyph_index(c) {
            used.entry(g.0).or_insert_with(|| c.to_string());
        }
    }
    let cut = subset::subset(name, data, &used).map_err(WebFontError::Font)?;
    let sfnt = with_browser_tables(&cut.bytes, data).map_err(parse_error)?;
    let options = EncodeOptions {
        quality: BrotliQuality::from(QUALITY),
        // Chromium's decoder refuses some transformed glyf tables (ttf2woff2 issue #30).
        transform_glyf_loca: false,
        // single-threaded: the output is then the same bytes on every machine
        threads: None,
    };
    ttf2woff2::encode_with_options(&sfnt, options).map_err(|e| WebFontError::Pack(e.to_string()))
}

/// The cut font with `name` and `post` added from the original when missing.
fn with_browser_tables(
    cut: &[u8],
    original: &[u8],
) -> Result<Vec<u8>, ttf_parser::FaceParsingError> {
    let mut tables = subset::tables_of(cut)?;
    let original = ttf_parser::RawFace::parse(original, 0)?;
    let has = subset::has;
    if !has(&tables, b"name") {
        if let Some(name) = original.table(ttf_parser::Tag::from_bytes(b"name")) {
            tables.push((*b"name", name.to_vec()));
        }
    }
    if !has(&tables, b"post") {
        if let Some(post) = original.table(ttf_parser::Tag::from_bytes(b"post")) {
            if post.len() >= 32 {
                let mut v3 = post[..32].to_vec();
                v3[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
                tables.push((*b"post", v3));
            }
        }
    }
    let version: [u8; 4] = cut
        .get(..4)
        .and_then(|v| v.try_into().ok())
        .unwrap_or([0, 1, 0, 0]);
    Ok(subset::assemble(version, tables))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font(file: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../../fonts/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn the_cut_holds_every_character_of_the_text_with_the_tables_a_browser_needs() {
        let data = font("BIZUDGothic-Regular.ttf");
        let text = "三鷹市の市民満足度 2021年度（％）";
        let woff2 = woff2_subset("gothic", &data, text.chars()).unwrap();
        let tables = hakusho_pdfcheck::webfont::tables(&woff2).unwrap();
        for tag in [
            b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post",
        ] {
            assert!(tables.contains_key(tag), "{}", String::from_utf8_lossy(tag));
        }
        let sfnt = subset::assemble([0, 1, 0, 0], tables.into_iter().collect());
        assert_eq!(
            hakusho_pdfcheck::webfont::characters(&woff2).unwrap(),
            text.chars().collect()
        );
        let small = ttf_parser::Face::parse(&sfnt, 0).unwrap();
        let full = ttf_parser::Face::parse(&data, 0).unwrap();
        for c in text.chars() {
            let new = small.glyph_index(c).unwrap_or_else(|| panic!("{c} lost"));
            let old = full.glyph_index(c).unwrap();
            assert_eq!(
                small.glyph_hor_advance(new),
                full.glyph_hor_advance(old),
                "{c}"
            );
        }
        assert_eq!(
            small.glyph_index('鷺'),
            None,
            "a character not in the text is cut"
        );
        assert!(
            woff2.len() < 20_000,
            "{} bytes for 18 characters",
            woff2.len()
        );
    }

    #[test]
    fn the_same_text_packs_to_the_same_bytes() {
        let data = font("BIZUDMincho-Regular.ttf");
        let a = woff2_subset("mincho", &data, "白書の本文".chars()).unwrap();
        let b = woff2_subset("mincho", &data, "本文の白書".chars()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_file_that_is_no_font_is_an_error_not_a_panic() {
        assert!(matches!(
            woff2_subset("broken", b"not a font at all", "字".chars()),
            Err(WebFontError::Font(_))
        ));
    }
}
