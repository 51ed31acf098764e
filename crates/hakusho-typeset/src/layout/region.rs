//! Regions: a box of a given width that the block layouter fills, as it fills the page's
//! column. A table cell is one: the table measures its content (min- and max-content widths,
//! to size the columns), then has the block layouter lay it out in the column's width, and
//! places what comes back (lines it can still move, and items) where the cell lands.
//!
//! Inside a region, block styles start from the region's style (a cell's font, size and
//! alignment) instead of the body's, and block margins do not apply (the cell's padding takes
//! their place); text outside any block is set in the region's own style.

use std::rc::Rc;

use hakusho_diagnostics::{Diagnostics, Location};

use super::blocks::{Builder, Ctx};
use super::flow::{push_shifted, Chunk, LineBox, SplitBlock};
use super::inline::{Segment, Setter};
use crate::compose;
use crate::markup::Element;
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

impl Builder<'_> {
    /// Lays the content of `el` out in the region `ctx` (its left edge and width) with the
    /// region's `style`.
    pub fn lay_region(&mut self, el: &Element, style: &Rc<RegionStyle>, ctx: Ctx) -> RegionContent {
        let outer = self.region.replace(style.clone());
        let (from, splits_from) = (self.chunks.len(), self.splits.len());
        self.children(el, ctx);
        self.region = outer;
        let chunks: Vec<Chunk> = self.chunks.drain(from..).collect();
        let splits: Vec<Box<dyn SplitBlock>> = self.splits.drain(splits_from..).collect();
        stack(chunks, &splits, splits_from)
    }

    /// The min- and max-content widths of `el`'s content in a region with `style`, measured
    /// as if the region were `ctx.width` wide. Nothing is composed and nothing is reported
    /// (the layout that follows reports).
    pub fn measure_region(
        &mut self,
        el: &Element,
        style: &Rc<RegionStyle>,
        ctx: Ctx,
    ) -> (f32, f32) {
        let mut scratch = Diagnostics::new();
        let mut m = Builder::new(
            self.set.style,
            self.set.fonts,
            self.set.source,
            &mut scratch,
            self.headings,
            self.landings,
            self.routines,
        );
        m.region = Some(style.clone());
        m.measure = Some(Measure {
            left: ctx.left,
            min: 0.0,
            max: 0.0,
        });
        m.children(el, ctx);
        m.measure.map_or((0.0, 0.0), |m| (m.min, m.max))
    }

    /// A block that has no place in a region (a page break, a table of contents in a table
    /// cell): said so, and left out.
    pub fn not_in_region(&mut self, el: &Element) {
        self.set.diags.warning(
            Location::text(self.set.source, el.pos.line, el.pos.column),
            format!("<{}> は表のセルの中では使えません。無視します", el.name),
            format!("<{}> has no place in a table cell; it is left out", el.name),
        );
    }
}

/// Stacks a region's chunks top to bottom (the space between two is the larger of the one
/// after the first and the one before the second). A block that splits itself (a table in a
/// cell) is laid out as one part: a region is never cut.
fn stack(mut chunks: Vec<Chunk>, splits: &[Box<dyn SplitBlock>], first: usize) -> RegionContent {
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
