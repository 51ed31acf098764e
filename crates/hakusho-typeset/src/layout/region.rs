//! Regions: a box of a given width that the block layouter fills, as it fills the page's
//! column. A table cell is one: the table has the block layouter measure its content (min- and
//! max-content widths, to size the columns), then lay it out in the column's width
//! ([`super::blocks::Builder::lay_region`]), and places what comes back (lines it can still
//! move, and items) where the cell lands. This module holds what a region is made of; it uses
//! no other layout module but `flow` and `inline`.
//!
//! Inside a region, block styles start from the region's style (a cell's font, size and
//! alignment) instead of the body's, and block margins do not apply (the cell's padding takes
//! their place); text outside any block is set in the region's own style.

use super::flow::{push_shifted, Chunk, LineBox, SplitBlock};
use super::inline::{Segment, Setter};
use crate::compose;
use crate::page::Item;
use crate::style::{BlockStyle, Resolved, Style};

/// What the blocks of a region start from.
pub(crate) struct RegionStyle {
    block: BlockStyle,
    /// The region's own style (text outside any block), margins dropped.
    pub res: Resolved,
}

impl RegionStyle {
    /// `block` unresolved, `res` resolved: the region's style.
    pub fn new(block: BlockStyle, res: Resolved) -> Self {
        RegionStyle {
            block,
            res: without_margins(res),
        }
    }

    /// The style of element `name` inside the region.
    pub fn resolve(&self, style: &Style, name: &str, classes: &[String]) -> Resolved {
        without_margins(style.resolve_over(&self.block, name, classes))
    }
}

fn without_margins(mut res: Resolved) -> Resolved {
    res.margin_left = 0.0;
    res.margin_right = 0.0;
    res
}

/// A region's content once laid out: its lines (tops relative to the region's top, each
/// still a line so that the owner can move its runs) and its other items (y relative to the
/// region's top), with the height they take.
#[derive(Debug, Default)]
pub(crate) struct RegionContent {
    pub lines: Vec<LineBox>,
    pub items: Vec<Item>,
    pub height: f32,
}

/// The min- and max-content widths of a region's content, collected while the block layouter
/// walks it without composing: for each paragraph, its widest unbreakable piece and its
/// width set on one line, plus how far in from the region's left edge it starts.
#[derive(Debug)]
pub(crate) struct Measure {
    left: f32,
    pub min: f32,
    pub max: f32,
}

impl Measure {
    /// Measures content set in a region whose left edge is at `left`.
    pub fn new(left: f32) -> Self {
        Measure {
            left,
            min: 0.0,
            max: 0.0,
        }
    }

    /// Records the segments of one paragraph set from `x` (the first one indented by
    /// `first_indent`).
    pub fn segments(&mut self, set: &mut Setter, segs: &[Segment], x: f32, first_indent: f32) {
        let offset = x - self.left;
        for (k, seg) in segs.iter().enumerate() {
            let spans = set.spans(seg);
            let indent = if k == 0 { first_indent } else { 0.0 };
            let min = compose::min_width(&spans, set.fonts) + indent;
            let max = compose::natural_width(&spans, set.fonts) + indent;
            self.reach(offset + min, offset + max);
        }
    }

    /// Content from `x` on needs `min` at least and would like `max`.
    pub fn reach_from(&mut self, x: f32, min: f32, max: f32) {
        let offset = x - self.left;
        self.reach(offset + min, offset + max);
    }

    /// Content needs `min` at least and would like `max`.
    fn reach(&mut self, min: f32, max: f32) {
        self.min = self.min.max(min);
        self.max = self.max.max(max);
    }
}

/// Stacks a region's chunks top to bottom (the space between two is the larger of the one
/// after the first and the one before the second). A block that splits itself (a table in a
/// cell) is laid out as one part: a region is never cut.
pub(crate) fn stack(
    mut chunks: Vec<Chunk>,
    splits: &[Box<dyn SplitBlock>],
    first: usize,
) -> RegionContent {
    let mut tops = Vec::with_capacity(chunks.len());
    let mut y = 0.0f32;
    let mut prev_after: Option<f32> = None;
    for c in &chunks {
        // Added one after the other (not as one sum), as the page flow adds them.
        y += prev_after.map_or(0.0, |a| a.max(c.space_before));
        tops.push(y);
        y += c.height;
        prev_after = Some(c.space_after);
    }
    let mut content = RegionContent {
        height: y,
        ..RegionContent::default()
    };
    let mut i = 0;
    while i < chunks.len() {
        if let Some(block) = chunks[i].piece.map(|p| p.block) {
            let mut part = Vec::new();
            while i < chunks.len() && chunks[i].piece.is_some_and(|p| p.block == block) {
                part.push((i, tops[i]));
                i += 1;
            }
            if let Some(split) = splits.get(block - first) {
                split.lay_part(&part, 0.0, &mut chunks, &mut content.items);
            }
            continue;
        }
        let c = &mut chunks[i];
        if let Some(mut line) = c.line.take() {
            line.top += tops[i];
            content.lines.push(*line);
        }
        push_shifted(&mut content.items, std::mem::take(&mut c.items), tops[i]);
        i += 1;
    }
    content
}
