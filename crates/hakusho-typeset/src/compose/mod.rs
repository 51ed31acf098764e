//! Line composition: text spans in, justified lines of placed glyphs out (JLREQ / JIS X 4051).
//!
//! CONTRACT (keep these signatures stable for layout): [`Span`], [`Align`], [`ParagraphStyle`],
//! [`Line`], [`MissingGlyph`], [`compose`], [`natural_width`], [`min_width`]; added: [`measure`],
//! `Line::last`, `Line::range`.
//!
//! What compose does, in order (see `docs`/the shared japanese-layout notes for the rules):
//! 1. Characters → items: each gets its glyph from the span's font or, failing that, from
//!    [`FontSet::set_fallback`]'s list (such glyphs go into their own `TextRun` with the fallback
//!    font). No font has it → `Err(MissingGlyph)`; glyph 0 is never emitted. Zero-width
//!    characters (ZWSP, ZWJ, variation selectors, controls) get no glyph: their text is appended
//!    to the neighbouring glyph's `text`, so the concatenated `PlacedGlyph::text` of all lines is
//!    the source text without its `'\n'`s. `'\n'` is a forced line break; a tab is set as a space.
//! 2. Break opportunities: UAX #14 strict (icu_segmenter, one static segmenter) AND our 禁則 guard
//!    (no line starts with 」）、。・：；？！ー 々 small kana ％…, none ends with 「（『【…; ——, ……,
//!    numbers incl. full-width digits, currency+number and Latin words stay whole).
//! 3. Punctuation (約物) widths: full-width 、。」） carry a half-em blank on the right, 「（ on the
//!    left, ・：； a quarter em on each side. Consecutive punctuation is compressed (JLREQ 3.1.4):
//!    closing/、。 followed by closing/、。/・ loses its blank ("。」", "）、"); an opening bracket
//!    after closing/opening/・/、。 loses its blank ("」「" and "）（" keep half an em between).
//!    An opening bracket at ANY line start, paragraph start included, is set flush (天付き; the
//!    caller's `first_indent` still applies): jlreq's default `open_bracket_pos=zenkaku_tentsuki`.
//! 4. 和欧間: a quarter em between Japanese and Western letters/digits (`令和 2 年度`,
//!    `事業 (注)`, `(2020) 年`), never next to Japanese punctuation/brackets or at a line end.
//!    It may shrink to 1/8 em and stretch to 1/2 em (jlreq: .25zw plus .25zw minus .125zw).
//! 5. Line breaking is greedy, line by line: the longest line that fits when shrunk to its
//!    minimum (追い込み) competes with the one a piece shorter (追い出し, stretched); the smaller
//!    TeX-like badness wins (dropping a line-end punctuation blank costs nothing; other shrink
//!    counts against its capacity, stretch against a quarter em per gap; ties go to 追い込み,
//!    JLREQ 3.8's default). A last line of one character is avoided by breaking the previous line
//!    one opportunity earlier (the previous line then stretches). A piece longer than the line is
//!    broken at any boundary the 禁則 guard allows (then only 行頭/行末禁則); if even that is
//!    impossible (a run of ー longer than the line) it breaks where the line is full: 禁則
//!    yields, no character is lost and no line runs past the measure.
//! 6. Justification ([`Align::Justify`]): every line but the last (and but those ending at `'\n'`)
//!    ends exactly at `width`. Shrink order: line-end punctuation blank, word spaces (to half),
//!    和欧間 (to 1/8 em), blanks of ・：；, blanks of brackets/、。 — each step proportionally.
//!    Stretch order: word spaces (+1/4 em), 和欧間 (to 1/2 em), then evenly between characters
//!    (never inside Western words or numbers, nor inside ——/……). Last lines are not stretched
//!    (but shrunk if they must). Start/Center/End lines drop the line-end punctuation blank and
//!    are aligned here: layout need not move them.
//!
//! Coordinates: `TextRun::x` is 0 and `PlacedGlyph::x` is relative to the paragraph's left edge
//! (the indent is included). Trailing spaces at a break hang past the line end (kept as glyphs
//! so text extraction is exact, not counted in `Line::width`).

mod breaks;
mod classes;
mod justify;
#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::font::{FontIndex, FontSet};
use crate::page::{Color, TextRun};

use classes::{classify, zero_width, Class};

/// A run of text in one font and size (a paragraph is a list of spans: plain, bold...).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub font: FontIndex,
    pub size: f32,
    pub color: Color,
    /// The `data-ref` of the `<mark>` the text is in (0: none). Carried to the glyphs
    /// ([`TextRun::marks`]); composition never looks at it.
    pub mark: u32,
    /// The language of the text when it is not the document's (`<span lang>`); carried to
    /// the runs ([`TextRun::lang`]), never looked at by composition.
    pub lang: Option<std::sync::Arc<str>>,
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

/// One composed line. Runs have x = 0 and y = 0 (the baseline); glyph x positions are relative to
/// the paragraph's left edge, indent included. Layout moves runs into place.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub runs: Vec<TextRun>,
    /// Right edge of the last glyph box, from the paragraph's left edge (indent included), in pt:
    /// `== ParagraphStyle::width` for a justified line that is not the last. Hanging trailing
    /// spaces are not counted.
    pub width: f32,
    /// Largest ascent and descent (positive, pt) of the fonts on the line.
    pub ascent: f32,
    pub descent: f32,
    /// The paragraph's last line, or a line ended by a forced break (`'\n'`): not stretched.
    pub last: bool,
    /// Byte range of the line's text in the concatenated span text.
    pub range: Range<usize>,
}

/// A character no configured font can draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyph {
    pub character: char,
    /// Byte offset of the character in the concatenated span text.
    pub offset: usize,
}

/// Tolerance for "fits", in pt: far below anything visible, above f32 noise on a 500 pt line.
const EPS: f32 = 0.005;

/// One drawable character with everything composition needs, all lengths in pt.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub ch: char,
    /// Source bytes this glyph stands for (its character plus attached zero-width ones).
    pub start: usize,
    pub end: usize,
    pub font: FontIndex,
    pub size: f32,
    pub color: Color,
    pub mark: u32,
    pub lang: Option<std::sync::Arc<str>>,
    pub gid: u16,
    pub adv: f32,
    pub class: Class,
    /// Blank inside the glyph box before/after the ink (full-width punctuation).
    pub full_bb: f32,
    pub full_ba: f32,
    /// What is left of those blanks after compression of consecutive punctuation.
    pub bb: f32,
    pub ba: f32,
    /// Natural 和欧間 between this item and the next (0 = none).
    pub glue: f32,
}

impl Item {
    pub fn ink(&self) -> f32 {
        self.adv - self.full_bb - self.full_ba
    }
    pub fn is_space(&self) -> bool {
        self.class == Class::Space
    }
}

/// A paragraph turned into items, with its break opportunities.
pub(crate) struct Prepared {
    pub text: String,
    pub items: Vec<Item>,
    /// `allowed[i]`: a normal break opportunity before item `i` (index 0 unused).
    pub allowed: Vec<bool>,
    /// Item indices where a forced break (`'\n'`) falls, in order (repeated for blank lines).
    pub hard: Vec<usize>,
    /// Metrics for lines without items (blank lines), from the first span.
    pub empty_ascent: f32,
    pub empty_descent: f32,
    /// (ascender, descender) per font index, as fractions of the em.
    pub metrics: Vec<(f32, f32)>,
}

impl Prepared {
    fn new(spans: &[Span], fonts: &FontSet, skip_missing: bool) -> Result<Prepared, MissingGlyph> {
        let total: usize = spans.iter().map(|s| s.text.len()).sum();
        let mut text = String::with_capacity(total);
        let mut items: Vec<Item> = Vec::with_capacity(total / 3 + 1);
        let mut hard = Vec::new();
        // Start of zero-width characters waiting for the next glyph (paragraph start, or after
        // a forced break, where there is no previous glyph on the same line to take them).
        let mut pending: Option<usize> = None;
        let mut after_hard = true;
        for span in spans {
            let base = text.len();
            text.push_str(&span.text);
            for (off, c) in span.text.char_indices() {
                let at = base + off;
                let end = at + c.len_utf8();
                if c == '\n' {
                    hard.push(items.len());
                    after_hard = true;
                    continue;
                }
                if zero_width(c) {
                    match items.last_mut() {
                        Some(last) if !after_hard && pending.is_none() => last.end = end,
                        _ => {
                            pending.get_or_insert(at);
                        }
                    }
                    continue;
                }
                let lookup = if c == '\t' { ' ' } else { c };
                let Some((font, g)) = fonts.resolve(span.font, lookup) else {
                    if skip_missing {
                        continue;
                    }
                    return Err(MissingGlyph {
                        character: c,
                        offset: at,
                    });
                };
                let adv = g.advance * span.size;
                let class = classify(c, g.advance);
                let full_width = g.advance > 0.9;
                let (full_bb, full_ba) = match class {
                    Class::Opening if full_width => (adv / 2.0, 0.0),
                    c if c.closing_type() && full_width => (0.0, adv / 2.0),
                    Class::MiddleDot if full_width => (adv / 4.0, adv / 4.0),
                    _ => (0.0, 0.0),
                };
                items.push(Item {
                    ch: c,
                    start: pending.take().unwrap_or(at),
                    end,
                    font,
                    size: span.size,
                    color: span.color,
                    mark: span.mark,
                    lang: span.lang.clone(),
                    gid: g.id,
                    adv,
                    class,
                    full_bb,
                    full_ba,
                    bb: full_bb,
                    ba: full_ba,
                    glue: 0.0,
                });
                after_hard = false;
            }
        }
        if pending.is_some() {
            // Zero-width characters with no glyph after them: give them to the last glyph (a
            // '\n' caught in between is removed when the glyph's text is taken).
            if let Some(last) = items.last_mut() {
                last.end = text.len();
            }
        }
        compress_and_glue(&mut items);
        let allowed = break_opportunities(&text, &items);
        let (empty_ascent, empty_descent) = spans
            .first()
            .map(|s| {
                let f = fonts.get(s.font);
                (f.ascent(s.size), f.descent(s.size))
            })
            .unwrap_or((0.0, 0.0));
        Ok(Prepared {
            text,
            items,
            allowed,
            hard,
            empty_ascent,
            empty_descent,
            metrics: (0..fonts.len())
                .map(|i| {
                    let f = fonts.get(FontIndex(i));
                    (f.ascender, f.descender)
                })
                .collect(),
        })
    }

    /// Segments between forced breaks, as item ranges (empty ranges for blank lines).
    fn segments(&self) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(self.hard.len() + 1);
        let mut s = 0;
        for &h in &self.hard {
            out.push(s..h);
            s = h;
        }
        out.push(s..self.items.len());
        out
    }

    /// Natural width of items `s..e` set ragged: line-start bracket trimmed, line-end blank and
    /// trailing spaces dropped.
    pub fn ragged_width(&self, s: usize, e: usize) -> f32 {
        let items = &self.items;
        let mut w = 0.0;
        let mut trail = 0.0;
        let mut last_ba = 0.0;
        for j in s..e {
            let it = &items[j];
            if j > s {
                w += items[j - 1].glue;
            }
            if it.is_space() {
                w += it.adv;
                trail += it.adv;
            } else {
                let bb = if j == s { 0.0 } else { it.bb };
                w += it.ink() + bb + it.ba;
                trail = 0.0;
                last_ba = it.ba;
            }
        }
        w - trail - last_ba
    }
}

/// Compression of consecutive punctuation (JLREQ 3.1.4) and 和欧間 glue between neighbours.
fn compress_and_glue(items: &mut [Item]) {
    for i in 1..items.len() {
        let (a, b) = (items[i - 1].class, items[i].class);
        if a.closing_type() && (b.closing_type() || b == Class::MiddleDot) {
            items[i - 1].ba = 0.0;
        }
        if b == Class::Opening && (a == Class::Opening || a.closing_type() || a == Class::MiddleDot)
        {
            items[i].bb = 0.0;
        }
        if b == Class::MiddleDot && a == Class::Opening {
            items[i].bb = 0.0;
        }
        if classes::wa_ou_kan(items[i - 1].ch, a, items[i].ch, b) {
            let em = items[i - 1].size.max(items[i].size);
            items[i - 1].glue = em / 4.0;
        }
    }
}

/// `allowed[i]` for every item boundary: the segmenter offers it and the 禁則 guard agrees.
fn break_opportunities(text: &str, items: &[Item]) -> Vec<bool> {
    let n = items.len();
    let mut allowed = vec![false; n.max(1)];
    let mut seg = breaks::segmenter_breaks(text).peekable();
    let mut last_ns = ' ';
    for i in 1..n {
        let prev = &items[i - 1];
        if !prev.is_space() {
            last_ns = prev.ch;
        }
        // A segmenter break belongs to boundary i when it lies between the previous glyph's
        // source bytes and this one's character (attached zero-width text or a skipped '\n').
        let lo = prev.end;
        let hi = items[i].end - items[i].ch.len_utf8();
        let mut offered = false;
        while let Some(&b) = seg.peek() {
            if b < lo {
                seg.next();
            } else if b <= hi {
                offered = true;
                seg.next();
            } else {
                break;
            }
        }
        allowed[i] = offered && breaks::guard_allows(prev.ch, last_ns, items[i].ch);
    }
    allowed
}

/// Breaks and justifies a paragraph.
pub fn compose(
    spans: &[Span],
    style: &ParagraphStyle,
    fonts: &FontSet,
) -> Result<Vec<Line>, MissingGlyph> {
    let p = Prepared::new(spans, fonts, false)?;
    let justify = style.align == Align::Justify;
    let mut lines = Vec::new();
    let mut first = true;
    for seg in p.segments() {
        let ranges = break_segment(&p, seg.clone(), style, first, justify);
        let k = ranges.len();
        for (n, r) in ranges.into_iter().enumerate() {
            let indent = if first {
                style.first_indent
            } else {
                style.rest_indent
            };
            first = false;
            let ctx = justify::LineCtx {
                indent,
                avail: style.width - indent,
                align: style.align,
                last: n + 1 == k,
            };
            lines.push(justify::set_line(&p, r, &ctx));
        }
    }
    // Only zero-width characters: no glyph to carry them, so an invisible space glyph does
    // (text extraction still gives the source text back).
    let text: String = p.text.chars().filter(|&c| c != '\n').collect();
    if p.items.is_empty() && !text.is_empty() {
        if let (Some(line), Some(span)) = (lines.first_mut(), spans.first()) {
            if let Some((font, g)) = fonts.resolve(span.font, ' ') {
                let mut run = TextRun::new(font, span.size, 0.0, 0.0, span.color);
                run.push(g.id, style.first_indent, &text);
                line.runs.push(run);
            }
        }
    }
    Ok(lines)
}

/// Line ranges (item indices) for one segment between forced breaks.
fn break_segment(
    p: &Prepared,
    seg: Range<usize>,
    style: &ParagraphStyle,
    first: bool,
    justify: bool,
) -> Vec<Range<usize>> {
    let avail = |line_no: usize| {
        let indent = if first && line_no == 0 {
            style.first_indent
        } else {
            style.rest_indent
        };
        style.width - indent
    };
    if seg.is_empty() {
        return vec![seg];
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut s = seg.start;
    while s < seg.end {
        let a = avail(out.len());
        let e = choose_break(p, s, seg.end, a, justify);
        out.push(s..e);
        s = e;
    }
    let last_avail = avail(out.len().max(1));
    avoid_single_char_last_line(p, &mut out, seg.end, last_avail, justify);
    out
}

/// Which boundaries a scan may break at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Segmenter + guard.
    Normal,
    /// Any character boundary the full guard allows (inside over-long segmenter pieces).
    Guard,
    /// Any boundary that keeps 行頭/行末禁則 (breaks words and numbers).
    Kinsoku,
    /// Any boundary not before a space (where nothing else fits: the line must end somewhere).
    Any,
}

fn boundary_ok(p: &Prepared, e: usize, last_ns: char, level: Level) -> bool {
    let items = &p.items;
    match level {
        Level::Normal => p.allowed[e],
        Level::Guard => breaks::guard_allows(items[e - 1].ch, last_ns, items[e].ch),
        Level::Kinsoku => breaks::kinsoku_allows(last_ns, items[e].ch),
        Level::Any => !matches!(items[e].ch, ' ' | '\t'),
    }
}

/// Scans items from `s`: the last break (≤ `end`) whose line fits `avail`, and the first break.
/// Widths are the line's minimum: fully shrunk when justifying (追い込み), else natural minus
/// the line-end blank. Both only grow with the line, so the scan stops at the first misfit.
fn scan(p: &Prepared, s: usize, end: usize, avail: f32, justify: bool, level: Level) -> Scan {
    let items = &p.items;
    let (mut acc_min, mut acc_nat) = (0.0f32, 0.0f32);
    let (mut trail_min, mut trail_nat) = (0.0f32, 0.0f32);
    let mut last_ba = 0.0f32;
    let mut last_ns = ' ';
    let mut best = None;
    let mut before_best = None;
    let mut first_cand = None;
    for j in s..end {
        let it = &items[j];
        if j > s {
            let g = items[j - 1].glue;
            acc_nat += g;
            acc_min += g * 0.5;
        }
        if it.is_space() {
            acc_nat += it.adv;
            acc_min += it.adv * 0.5;
            trail_nat += it.adv;
            trail_min += it.adv * 0.5;
        } else {
            let bb = if j == s { 0.0 } else { it.bb };
            acc_nat += it.ink() + bb + it.ba;
            acc_min += it.ink();
            trail_nat = 0.0;
            trail_min = 0.0;
            last_ba = it.ba;
            last_ns = it.ch;
        }
        let e = j + 1;
        // A line of nothing but (leading) spaces would be an empty line: never break there.
        let has_ink = last_ns != ' ';
        if e == end || (has_ink && boundary_ok(p, e, last_ns, level)) {
            if first_cand.is_none() {
                first_cand = Some(e);
            }
            let w = if justify {
                acc_min - trail_min
            } else {
                acc_nat - trail_nat - last_ba
            };
            if w <= avail + EPS {
                before_best = best;
                best = Some(e);
            } else {
                break;
            }
        }
    }
    Scan {
        best,
        before_best,
        first: first_cand,
    }
}

/// Result of [`scan`].
struct Scan {
    /// The last break whose line fits.
    best: Option<usize>,
    /// The fitting break before `best`.
    before_best: Option<usize>,
    /// The first break at all (fitting or not).
    first: Option<usize>,
}

/// End of the line starting at `s`.
fn choose_break(p: &Prepared, s: usize, end: usize, avail: f32, justify: bool) -> usize {
    let sc = scan(p, s, end, avail, justify, Level::Normal);
    if let Some(e) = sc.best {
        // 追い込み vs 追い出し: the longest fitting line may need heavy shrinking; one piece
        // less may only need a little stretch spread over many gaps. Take the smaller badness
        // (ties: 追い込み, JLREQ's default). Not for the paragraph's end: the last line is not
        // stretched, and pushing out would only make a short new last line.
        if let (true, true, Some(prev)) = (justify, e < end, sc.before_best) {
            let push_in = justify::measure(&p.items[s..e]).badness(avail);
            if push_in > 0.0 {
                let push_out = justify::measure(&p.items[s..prev]).badness(avail);
                if push_out < push_in {
                    return prev;
                }
            }
        }
        return e;
    }
    // The first piece alone is too long: break inside it, as gently as possible.
    let limit = sc.first.unwrap_or(end);
    for level in [Level::Guard, Level::Kinsoku] {
        if let Some(e) = scan(p, s, limit, avail, justify, level).best {
            if e < limit {
                return e;
            }
        }
    }
    // No legal break within the line (a run of characters that may neither start nor end a
    // line, longer than the line): break anyway where the line is full. JLREQ allows breaking
    // where no break is possible; overflowing instead ran text past the page edge and over
    // neighbouring table cells. A line holds at least one glyph.
    let any = scan(p, s, limit, avail, justify, Level::Any);
    any.best.or(any.first).unwrap_or(limit)
}

/// ぶら下がりなし: a last line holding one character takes the previous line's last piece.
fn avoid_single_char_last_line(
    p: &Prepared,
    lines: &mut [Range<usize>],
    end: usize,
    last_avail: f32,
    justify: bool,
) {
    let k = lines.len();
    if k < 2 {
        return;
    }
    let glyphs = |r: &Range<usize>| p.items[r.clone()].iter().filter(|i| !i.is_space()).count();
    // Closing brackets and 、。 do not count: "す。" or "る」。" alone is still one character.
    let letters = |r: &Range<usize>| {
        p.items[r.clone()]
            .iter()
            .filter(|i| {
                !i.is_space()
                    && !matches!(
                        i.class,
                        Class::Closing | Class::FullStop | Class::Comma | Class::WesternClose
                    )
            })
            .count()
    };
    if letters(&lines[k - 1]) > 1 {
        return;
    }
    let prev = lines[k - 2].clone();
    for x in (prev.start + 2..prev.end).rev() {
        if !p.allowed[x] || glyphs(&(prev.start..x)) < 2 {
            continue;
        }
        if scan(p, x, end, last_avail, justify, Level::Normal).best == Some(end) {
            lines[k - 2] = prev.start..x;
            lines[k - 1] = x..end;
        }
        // Only the latest opportunity is worth it: earlier ones stretch the line further.
        return;
    }
}

/// Width of the text set on one line without breaking (max-content), in pt. Characters no font
/// has are skipped (compose reports them). Forced breaks: the widest line.
pub fn natural_width(spans: &[Span], fonts: &FontSet) -> f32 {
    let Ok(p) = Prepared::new(spans, fonts, true) else {
        return 0.0;
    };
    p.segments()
        .into_iter()
        .map(|r| p.ragged_width(r.start, r.end))
        .fold(0.0, f32::max)
}

/// Width of the widest piece that can never be broken (min-content), in pt, set naturally
/// (without justification shrink).
pub fn min_width(spans: &[Span], fonts: &FontSet) -> f32 {
    let Ok(p) = Prepared::new(spans, fonts, true) else {
        return 0.0;
    };
    let mut widest = 0.0f32;
    for seg in p.segments() {
        let mut s = seg.start;
        for e in seg.start + 1..=seg.end {
            if e == seg.end || p.allowed[e] {
                widest = widest.max(p.ragged_width(s, e));
                s = e;
            }
        }
    }
    widest
}

/// Natural width of `text` in one font and size (with fallback, punctuation compression and
/// 和欧間, as compose would set it on one line), in pt. For markers, page numbers, leaders.
pub fn measure(text: &str, font: FontIndex, size: f32, fonts: &FontSet) -> f32 {
    natural_width(
        &[Span {
            text: text.to_string(),
            font,
            size,
            color: Color::BLACK,
            mark: 0,
            lang: None,
        }],
        fonts,
    )
}
