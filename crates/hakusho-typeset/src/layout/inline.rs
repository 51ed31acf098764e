//! Inline content: text and `<b>`/`<span>`/`<br/>` → styled spans (whitespace collapsed, fonts
//! chosen per character with fallback), composed into lines and placed.

use hakusho_diagnostics::{Diagnostics, Location};

use crate::compose::{self, Align, Line, ParagraphStyle, Span};
use crate::font::{FontIndex, FontSet};
use crate::markup::{collapse_whitespace, Element, Node, Pos};
use crate::page::{Color, Item, TextRun};
use crate::style::{Resolved, Style, TextAlign};

/// Text with the style it is set in, before font fallback.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub text: String,
    pub font: String,
    pub size: f32,
    pub color: Color,
    pub pos: Pos,
    /// The `data-ref` of the `<mark>` the text is in (0: none).
    pub mark: u32,
    /// The `lang` of the `<span>` the text is in (none: the document's language).
    pub lang: Option<std::sync::Arc<str>>,
}

/// One `<br/>`-separated segment of inline content.
pub(crate) type Segment = Vec<Piece>;

pub(crate) fn is_inline(name: &str) -> bool {
    matches!(name, "b" | "span" | "br" | "mark")
}

/// All text of an element with whitespace collapsed (titles for bookmarks and the TOC).
pub(crate) fn plain_text(el: &Element) -> String {
    let raw = el.text_content();
    collapse_whitespace(&raw, None, None).trim().to_string()
}

/// Collects the inline content of `el` (block children are skipped: the caller lays them out).
pub(crate) fn segments(el: &Element, base: &Resolved, style: &Style) -> Vec<Segment> {
    let mut segs: Vec<Segment> = vec![Vec::new()];
    let start = Piece {
        text: String::new(),
        font: base.font_name.clone(),
        size: base.size,
        color: base.color,
        pos: el.pos,
        mark: 0,
        lang: None,
    };
    walk(&el.children, &start, style, &mut segs);
    segs.into_iter().map(normalize).collect()
}

pub(crate) fn nodes_segments(
    nodes: &[Node],
    pos: Pos,
    base: &Resolved,
    style: &Style,
) -> Vec<Segment> {
    let mut segs: Vec<Segment> = vec![Vec::new()];
    let start = Piece {
        text: String::new(),
        font: base.font_name.clone(),
        size: base.size,
        color: base.color,
        pos,
        mark: 0,
        lang: None,
    };
    walk(nodes, &start, style, &mut segs);
    segs.into_iter().map(normalize).collect()
}

fn walk(nodes: &[Node], cur: &Piece, style: &Style, segs: &mut Vec<Segment>) {
    for n in nodes {
        match n {
            Node::Text(t, pos) => segs.last_mut().expect("never empty").push(Piece {
                text: t.clone(),
                pos: *pos,
                ..cur.clone()
            }),
            Node::Element(e) => match e.name.as_str() {
                "br" => segs.push(Vec::new()),
                "b" => {
                    let font = style.bold_of(&cur.font).unwrap_or(&cur.font).to_string();
                    let p = Piece {
                        font,
                        pos: e.pos,
                        ..cur.clone()
                    };
                    walk(&e.children, &p, style, segs);
                }
                "mark" => {
                    let p = Piece {
                        pos: e.pos,
                        mark: e.attr("data-ref").and_then(|r| r.parse().ok()).unwrap_or(0),
                        ..cur.clone()
                    };
                    walk(&e.children, &p, style, segs);
                }
                "span" => {
                    let mut p = Piece {
                        pos: e.pos,
                        ..cur.clone()
                    };
                    if let Some(lang) = e.attr("lang") {
                        p.lang = Some(lang.into());
                    }
                    for c in &e.classes {
                        for key in [format!(".{c}"), format!("span.{c}")] {
                            if let Some(s) = style.file.classes.get(&key) {
                                if let Some(f) = &s.font {
                                    p.font = f.clone();
                                }
                                if let Some(z) = s.size {
                                    p.size = z;
                                }
                                if let Some(col) = s.color {
                                    p.color = col.0;
                                }
                            }
                        }
                    }
                    walk(&e.children, &p, style, segs);
                }
                // Block children are laid out by the caller.
                _ => {}
            },
        }
    }
}

/// Collapses whitespace across piece boundaries and trims the segment's ends.
fn normalize(seg: Segment) -> Segment {
    let n = seg.len();
    let mut out: Segment = Vec::with_capacity(n);
    for i in 0..n {
        let before = seg[..i].iter().rev().find_map(|p| p.text.chars().last());
        let after = seg[i + 1..].iter().find_map(|p| p.text.chars().next());
        let mut text = collapse_whitespace(&seg[i].text, before, after);
        let prev_space = out
            .iter()
            .rev()
            .find_map(|p: &Piece| p.text.chars().last())
            .is_none_or(|c| c == ' ');
        if prev_space && text.starts_with(' ') {
            text.remove(0);
        }
        out.push(Piece {
            text,
            ..seg[i].clone()
        });
    }
    if let Some(last) = out.iter_mut().rev().find(|p| !p.text.is_empty()) {
        let t = last.text.trim_end().to_string();
        last.text = t;
    }
    out.retain(|p| !p.text.is_empty());
    out
}

/// Composition helpers with the fonts, style and diagnostics at hand.
pub(crate) struct Setter<'a> {
    pub style: &'a Style,
    pub fonts: &'a FontSet,
    pub source: &'a str,
    pub diags: &'a mut Diagnostics,
    /// Where composed source text is registered for the accounting after layout (None while
    /// only generated text, such as a table of contents, is being set).
    pub sources: Option<&'a mut super::account::Sources>,
}

impl Setter<'_> {
    /// Pieces → spans, choosing for each character the piece's font or the first fallback font
    /// that has it. A character no font has is reported and shown as 〓 (the geta mark Japanese
    /// typesetting uses for a missing character) so the gap stays visible in proofs.
    pub fn spans(&mut self, seg: &[Piece]) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for p in seg {
            let primary = self.style.font(&p.font);
            for c in p.text.chars() {
                let (font, ch) = match self.pick_font(primary, c) {
                    Some(f) => (f, c),
                    None => {
                        self.missing(c, p.pos);
                        match self.pick_font(primary, '〓') {
                            Some(f) => (f, '〓'),
                            None => continue,
                        }
                    }
                };
                match spans.last_mut() {
                    Some(s)
                        if s.font == font
                            && s.size == p.size
                            && s.color == p.color
                            && s.mark == p.mark
                            && s.lang == p.lang =>
                    {
                        s.text.push(ch)
                    }
                    _ => spans.push(Span {
                        text: ch.to_string(),
                        font,
                        size: p.size,
                        color: p.color,
                        mark: p.mark,
                        lang: p.lang.clone(),
                    }),
                }
            }
        }
        spans
    }

    fn pick_font(&self, primary: FontIndex, c: char) -> Option<FontIndex> {
        if self.fonts.get(primary).glyph(c).is_some() {
            return Some(primary);
        }
        self.style
            .fallback
            .iter()
            .copied()
            .find(|&f| self.fonts.get(f).glyph(c).is_some())
    }

    fn missing(&mut self, c: char, pos: Pos) {
        let code = format!("U+{:04X}", c as u32);
        self.diags.error(
            Location::text(self.source, pos.line, pos.column),
            format!("文字 {code}「{c}」はどのフォントにもありません"),
            format!("character {code} '{c}' is in none of the fonts"),
        );
    }

    /// Composes spans. Compose aligns Start/Center/End lines itself (it knows the punctuation
    /// blanks it trimmed at the line ends), so lines are placed as they come.
    /// The lines' runs are tagged with the source paragraph they set, for the accounting;
    /// `segment` tells the parts of an element split at `<br/>` apart.
    pub fn compose(
        &mut self,
        spans: &[Span],
        ps: &ParagraphStyle,
        pos: Pos,
        segment: usize,
    ) -> Vec<Line> {
        let mut lines = self.compose_generated(spans, ps, pos);
        if let Some(sources) = self.sources.as_deref_mut() {
            sources.register(spans, ps, (pos, segment), &mut lines);
        }
        lines
    }

    /// As [`Self::compose`] for text layout makes up itself (table of contents entries,
    /// （続き） labels): not counted as source text.
    pub fn compose_generated(
        &mut self,
        spans: &[Span],
        ps: &ParagraphStyle,
        pos: Pos,
    ) -> Vec<Line> {
        if spans.is_empty() {
            return Vec::new();
        }
        match compose::compose(spans, ps, self.fonts) {
            Ok(lines) => lines,
            Err(m) => {
                self.missing(m.character, pos);
                Vec::new()
            }
        }
    }

    /// Width of a text set in one font (markers, page numbers), without breaking.
    /// Measured as compose sets it (fallback fonts, 和欧間, punctuation compression), so it
    /// agrees with line breaking.
    pub fn width(&self, text: &str, font: FontIndex, size: f32) -> f32 {
        compose::measure(text, font, size, self.fonts)
    }

    /// A single-line run at (x, baseline), for markers, leaders, running heads and numbers.
    pub fn run(
        &mut self,
        text: &str,
        font: FontIndex,
        size: f32,
        color: Color,
        x: f32,
        y: f32,
    ) -> TextRun {
        simple_run(self.fonts, self.style, text, font, size, color, x, y)
    }
}

/// A single-line run without breaking; characters missing from `font` use the fallback list.
#[allow(clippy::too_many_arguments)]
pub(crate) fn simple_run(
    fonts: &FontSet,
    _style: &Style,
    text: &str,
    font: FontIndex,
    size: f32,
    color: Color,
    x: f32,
    y: f32,
) -> TextRun {
    let f = fonts.get(font);
    let mut run = TextRun::new(font, size, x, y, color);
    let mut cx = 0.0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        // One run has one font: running heads and markers use characters their font has.
        if let Some(g) = f.glyph(c) {
            run.push(g.id, cx, c.encode_utf8(&mut buf));
            cx += g.advance * size;
        }
    }
    run
}

/// Left and right edge of the ink-advance box of a composed line (line coordinates).
pub(crate) fn extent(line: &Line, fonts: &FontSet) -> Option<(f32, f32)> {
    let mut left = f32::MAX;
    let mut right = f32::MIN;
    for r in &line.runs {
        let f = fonts.get(r.font);
        for (g, text) in r.glyph_texts() {
            let adv = text
                .chars()
                .next()
                .and_then(|c| f.glyph(c))
                .map_or(0.0, |gi| gi.advance * r.size);
            left = left.min(r.x + g.x);
            right = right.max(r.x + g.x + adv);
        }
    }
    (left <= right).then_some((left, right))
}

pub(crate) fn to_align(a: TextAlign) -> Align {
    match a {
        TextAlign::Justify => Align::Justify,
        TextAlign::Start => Align::Start,
        TextAlign::Center => Align::Center,
        TextAlign::End => Align::End,
    }
}

/// Baseline offset inside a line box of height `lh` for text of `size`: the em box is centred
/// (half-leading above and below), the baseline 0.88 em below the em box's top as in the
/// ideographic em box of Japanese fonts.
pub(crate) fn baseline(lh: f32, size: f32) -> f32 {
    (lh - size) / 2.0 + 0.88 * size
}

/// Items of a composed line whose box top is at `top` and left edge at `x`.
pub(crate) fn line_items(line: &Line, x: f32, top: f32, lh: f32, size: f32, out: &mut Vec<Item>) {
    let base = top + baseline(lh, size);
    for r in &line.runs {
        if r.glyphs().is_empty() {
            continue;
        }
        let mut run = r.clone();
        run.x += x;
        run.y = base + r.y;
        out.push(Item::Text(run));
    }
}
