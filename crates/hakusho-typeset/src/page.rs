//! The laid-out document handed from layout to the PDF writer.
//!
//! Units are PDF points; the origin is the top-left corner of the page and y grows downwards.
//! The PDF writer flips coordinates; nothing here depends on printpdf.

use crate::font::FontIndex;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    pub r: f32,
    pub g: f32,
    pub b: f32,
}

impl Color {
    pub const BLACK: Color = Color {
        r: 0.0,
        g: 0.0,
        b: 0.0,
    };
}

/// One glyph placed on a line: its glyph id in the font, its x position relative to the
/// start of the run, and the source text it stands for (usually one character; empty for
/// a glyph that carries no text). The text is what ToUnicode maps back, so extraction gives
/// the source text exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub glyph_id: u16,
    pub x: f32,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub font: FontIndex,
    pub size: f32,
    /// Start of the run (left edge) on the page.
    pub x: f32,
    /// Baseline position on the page.
    pub y: f32,
    pub color: Color,
    pub glyphs: Vec<PlacedGlyph>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextRun),
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        fill: Color,
    },
    /// A clickable area that jumps to a point of another page (table of contents entries).
    Link {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        target_page: usize,
        target_y: f32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

/// A bookmark: nesting follows `level` (1 = top).
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub level: u8,
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaidOutDocument {
    pub title: String,
    pub lang: String,
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
}
