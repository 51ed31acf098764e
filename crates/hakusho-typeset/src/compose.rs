//! Line composition: text spans in, justified lines of placed glyphs out.
//!
//! CONTRACT (keep these signatures stable for layout). The body below is a naive placeholder
//! (greedy, breaks anywhere) to be replaced by the JLREQ implementation.

use crate::font::{FontIndex, FontSet};
use crate::page::{Color, PlacedGlyph, TextRun};

/// A run of text in one font and size (a paragraph is a list of spans: plain, bold...).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub font: FontIndex,
    pub size: f32,
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Full justification (両端揃え); the last line is set flush start.
    Justify,
    Start,
    Center,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParagraphStyle {
    /// Line length in pt.
    pub width: f32,
    /// First-line indent in pt (one em for body paragraphs: 字下げ).
    pub first_indent: f32,
    /// Indent of the following lines in pt (hanging lists).
    pub rest_indent: f32,
    pub align: Align,
}

/// One composed line. Runs have x relative to the line's start and y = 0 (the baseline);
/// layout moves them into place.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub runs: Vec<TextRun>,
    /// Width actually occupied, in pt.
    pub width: f32,
    /// Largest ascent and descent (positive, pt) of the fonts on the line.
    pub ascent: f32,
    pub descent: f32,
}

/// A character no configured font can draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyph {
    pub character: char,
    /// Byte offset of the character in the concatenated span text.
    pub offset: usize,
}

/// Breaks and justifies a paragraph.
pub fn compose(
    spans: &[Span],
    style: &ParagraphStyle,
    fonts: &FontSet,
) -> Result<Vec<Line>, MissingGlyph> {
    let mut lines = Vec::new();
    let mut current = Line { runs: Vec::new(), width: 0.0, ascent: 0.0, descent: 0.0 };
    let mut x = style.first_indent;
    let mut limit = style.width;
    let mut offset = 0;
    for span in spans {
        let font = fonts.get(span.font);
        for c in span.text.chars() {
            let g = font.glyph(c).ok_or(MissingGlyph { character: c, offset })?;
            offset += c.len_utf8();
            let adv = g.advance * span.size;
            if x + adv > limit && x > 0.0 {
                current.width = x;
                lines.push(std::mem::replace(
                    &mut current,
                    Line { runs: Vec::new(), width: 0.0, ascent: 0.0, descent: 0.0 },
                ));
                x = style.rest_indent;
                limit = style.width;
            }
            let same_run = matches!(current.runs.last(), Some(r) if r.font == span.font && r.size == span.size);
            if !same_run {
                current.runs.push(TextRun { font: span.font, size: span.size, x: 0.0, y: 0.0, color: span.color, glyphs: Vec::new() });
            }
            current.ascent = current.ascent.max(font.ascender * span.size);
            current.descent = current.descent.max(-font.descender * span.size);
            current.runs.last_mut().expect("run pushed above").glyphs.push(PlacedGlyph { glyph_id: g.id, x, text: c.to_string() });
            x += adv;
        }
    }
    current.width = x;
    if !current.runs.is_empty() {
        lines.push(current);
    }
    Ok(lines)
}

/// Width of the text set on one line without breaking (max-content), in pt.
pub fn natural_width(spans: &[Span], fonts: &FontSet) -> f32 {
    spans
        .iter()
        .map(|s| {
            let f = fonts.get(s.font);
            s.text.chars().filter_map(|c| f.glyph(c)).map(|g| g.advance * s.size).sum::<f32>()
        })
        .sum()
}

/// Width of the widest piece that can never be broken (min-content), in pt.
pub fn min_width(spans: &[Span], fonts: &FontSet) -> f32 {
    spans
        .iter()
        .flat_map(|s| {
            let f = fonts.get(s.font);
            s.text.chars().filter_map(move |c| f.glyph(c)).map(move |g| g.advance * s.size)
        })
        .fold(0.0, f32::max)
}
