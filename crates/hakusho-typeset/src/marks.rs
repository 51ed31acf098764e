//! Where marked text landed, and the decorations a proof draws there.
//!
//! A `<mark data-ref="N">` in the markup changes nothing in composition: its glyphs are set
//! exactly as they would be without it and only remember the tag ([`crate::page::GlyphMark`]).
//! After layout, [`marked_areas`] gives the boxes the tagged glyphs cover, page by page, so a
//! caller can draw a highlight under them ([`highlight`]), attach a note, or find the page of
//! a change — without the layout of the document moving by a point.

use crate::font::FontSet;
use crate::page::{Color, Item, LaidOutDocument, Page};

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
/// print (luminance about 0.9), so the text stays legible either way.
pub const HIGHLIGHT: Color = Color {
    r: 1.0,
    g: 0.91,
    b: 0.45,
};

/// Puts a filled box under the text of `area` on `page`. The writer draws fills in item order
/// before rules and text: appended last, the box lies over a shaded table cell and under every
/// rule and character. Nothing else on the page moves.
pub fn highlight(page: &mut Page, area: &MarkedArea, fill: Color) {
    page.items.push(Item::Rect {
        x: area.x,
        y: area.y,
        width: area.width,
        height: area.height,
        fill,
    });
}

/// Size of margin notes, pt.
pub const NOTE_SIZE: f32 = 6.0;

/// Room kept at the page's right edge for a viewer's note icon, pt.
pub const NOTE_ICON: f32 = 14.0;

/// Writes `text` small in the right margin of `page`, its first baseline at `baseline`, in at
/// most three lines cut to the margin's width (the end replaced by …) and clear of the note
/// icon at the page edge; returns the y below it, so that notes of one page stack instead of
/// overlapping. The margin is the style's right page margin.
pub fn margin_note(
    page: &mut Page,
    style: &crate::Style,
    fonts: &FontSet,
    baseline: f32,
    text: &str,
    color: Color,
) -> f32 {
    const SIZE: f32 = NOTE_SIZE;
    const LINES: usize = 3;
    let (_, right, ..) = style.margins();
    let x = page.width - right + 3.0;
    let room = (right - 6.0 - NOTE_ICON).max(SIZE * 2.0);
    let font = style.resolve("p", &[]).font;
    let f = fonts.get(font);
    let advance = |c: char| f.glyph(c).map_or(0.0, |g| g.advance * SIZE);
    let ellipsis = advance('…');
    let mut lines: Vec<String> = vec![String::new()];
    let mut width = 0.0;
    let mut chars = text.chars().filter(|c| !c.is_control()).peekable();
    while let Some(c) = chars.next() {
        let w = advance(c);
        if width + w > room {
            if lines.len() == LINES {
                let last = lines.last_mut().expect("full lines");
                while width + ellipsis > room {
                    match last.pop() {
                        Some(p) => width -= advance(p),
                        None => break,
                    }
                }
                last.push('…');
                break;
            }
            lines.push(String::new());
            width = 0.0;
        }
        lines.last_mut().expect("one line").push(c);
        width += w;
        if chars.peek().is_none() {
            break;
        }
    }
    let mut baseline = baseline;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let run = crate::layout::simple_run(fonts, style, line, font, SIZE, color, x, baseline);
        page.items.push(Item::Text(run));
        baseline += SIZE * 1.2;
    }
    baseline - SIZE + 1.0
}
