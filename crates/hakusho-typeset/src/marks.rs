//! Where marked text landed, and the decorations a proof draws there.
//!
//! A `<mark data-ref="N">` in the markup changes nothing in composition: its glyphs are set
//! exactly as they would be without it and only remember the tag ([`crate::page::GlyphMark`]).
//! After layout, [`marked_areas`] gives the boxes the tagged glyphs cover, page by page, so a
//! caller can highlight them ([`crate::pdf::overlay`]), attach a note, or find the page of a
//! change — without the layout of the document moving by a point.

use crate::font::FontSet;
use crate::page::{Color, Item, LaidOutDocument};

/// The box of consecutive glyphs of one `<mark>` on one line. Top-left origin, pt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkedArea {
    pub tag: u32,
    /// Page index (0-based).
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// Every marked stretch of glyphs in `doc`, in page and reading order.
pub fn marked_areas(doc: &LaidOutDocument, fonts: &FontSet) -> Vec<MarkedArea> {
    let mut out = Vec::new();
    for (page_index, page) in doc.pages.iter().enumerate() {
        for item in &page.items {
            let Item::Text(run) = item else { continue };
            if run.marks.is_empty() {
                continue;
            }
            let font = fonts.get(run.font);
            let glyphs: Vec<_> = run.glyph_texts().collect();
            for m in &run.marks {
                let (start, end) = (m.start as usize, (m.end as usize).min(glyphs.len()));
                if start >= end {
                    continue;
                }
                let first = glyphs[start].0;
                let (last, last_text) = glyphs[end - 1];
                let advance = last_text
                    .chars()
                    .next()
                    .and_then(|c| font.glyph(c))
                    .map_or(run.size / 2.0, |g| g.advance * run.size);
                // The box of the em square: from the ascender down past the baseline, as a
                // marker pen covers the characters (the descent keeps 「、」 inside).
                let top = run.y - 0.88 * run.size;
                out.push(MarkedArea {
                    tag: m.tag,
                    page: page_index,
                    x: run.x + first.x,
                    y: top,
                    width: (last.x + advance - first.x).max(run.size / 4.0),
                    height: 1.12 * run.size,
                });
            }
        }
    }
    out
}

/// A light marker colour: yellow on screen, a pale grey behind black text in black-and-white
/// print (luminance about 0.9), so the text stays legible either way (laid over the text with
/// the multiply blend mode, see [`crate::pdf::overlay`]).
pub const HIGHLIGHT: Color = Color {
    r: 1.0,
    g: 0.91,
    b: 0.45,
    // Proofs are never printed by the print profile; yellow as process colour all the same.
    ink: crate::page::Ink::Cmyk([0.0, 0.09, 0.55, 0.0]),
};
