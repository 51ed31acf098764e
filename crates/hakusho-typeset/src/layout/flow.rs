//! What the flow is made of: [`Chunk`]s, vertical pieces that are never split, and the blocks
//! that split themselves across pages (tables), seen through [`SplitBlock`]. The page flow
//! (`paginate`) breaks pages between chunks; it knows nothing of what a split block draws.

use crate::compose::Line;
use crate::markup::Pos;
use crate::page::Item;

/// A vertical piece of the flow that is never split across pages.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chunk {
    pub height: f32,
    pub space_before: f32,
    pub space_after: f32,
    /// Positions with y relative to the chunk's top; x absolute on the page.
    pub items: Vec<Item>,
    /// Must share a page with the chunk after it (headings, first lines, a table's last row
    /// before its notes).
    pub keep_with_next: bool,
    pub page_break_before: bool,
    /// Starts a right-hand page when the pages face each other (a blank page is put before
    /// it on a left-hand one); with `page_break_before`.
    pub right_page: bool,
    /// Headings (document order number) in this chunk, with their top relative to the chunk's;
    /// figures too, numbered after the headings (see [`FigureInfo`]).
    pub headings: Vec<(usize, f32)>,
    /// Belongs to a cover (or another section without running heads, such as the colophon):
    /// the page shows no running header, footer or number.
    pub cover: bool,
    /// A piece of a block that splits itself: that block lays out the part of it each page
    /// gets (the chunk's items are then the block's to place).
    pub piece: Option<PieceOf>,
    /// A line set in a region (a table cell) and not yet placed: its owner makes its items
    /// where the line lands, after it has moved the line's runs if it needs to (decimal
    /// alignment). Never set on a chunk of the page flow.
    pub line: Option<Box<LineBox>>,
}

/// A composed line with where it goes: its left edge, its top (relative to its chunk's top,
/// or to its region's once the region is stacked), line height and font size.
#[derive(Debug, Clone)]
pub(crate) struct LineBox {
    pub line: Line,
    pub x: f32,
    pub top: f32,
    pub lh: f32,
    pub size: f32,
}

/// Piece `index` of split block `block` (blocks are numbered in document order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PieceOf {
    pub block: usize,
    pub index: usize,
}

impl Chunk {
    /// A bare `<pagebreak/>`: nothing to draw, only a break before what follows.
    pub fn is_break(&self) -> bool {
        self.page_break_before && self.items.is_empty() && self.height == 0.0
    }

    /// Continues a split block begun on an earlier piece.
    pub fn continues_block(&self) -> Option<usize> {
        self.piece.filter(|p| p.index > 0).map(|p| p.block)
    }
}

/// A block that splits itself across pages. It hands the flow its pieces (chunks with
/// `piece` set, each with its height and keeps); the flow chooses the page breaks between
/// chunks; the block then lays out each part it got: what it repeats at the top of a part
/// that continues it, what closes a part a break cuts through.
pub(crate) trait SplitBlock {
    /// The height of what a continuing part starts with (repeated header rows), if anything.
    fn continuation_height(&self) -> Option<f32>;

    /// Lays out one part: consecutive pieces on one page, as (chunk index, top), the page's
    /// body starting at `page_top`. Takes the pieces' items out of `chunks` into `out`.
    fn lay_part(
        &self,
        part: &[(usize, f32)],
        page_top: f32,
        chunks: &mut [Chunk],
        out: &mut Vec<Item>,
    );
}

/// A heading found in the document, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadingInfo {
    pub level: u8,
    /// Its level in the structure tree: never more than one below the heading before it
    /// (a booklet whose first heading is an h2 starts at H1), so a reader's heading list
    /// has no gaps.
    pub tag_level: u8,
    /// Bookmark title: the full heading text.
    pub title: String,
    /// TOC text (`data-short` or the full text).
    pub toc_title: String,
    pub in_toc: bool,
    pub pos: Pos,
}

/// A `<figure>` found in the document, in order, for a list of figures: its caption's text
/// (empty: the figure is not listed). Its landing follows the headings' in the landings, at
/// index `headings.len()` + its number.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FigureInfo {
    pub caption: String,
    pub pos: Pos,
}

/// Where a heading landed: page index and y of its top.
pub(crate) type Landing = (usize, f32);

pub(crate) fn shift(item: &mut Item, dy: f32) {
    match item {
        Item::Text(r) => r.y += dy,
        Item::Line { y1, y2, .. } => {
            *y1 += dy;
            *y2 += dy;
        }
        Item::Rect { y, .. } | Item::Link { y, .. } => *y += dy,
        Item::Path(p) => p.points.iter_mut().for_each(|(_, y)| *y += dy),
    }
}

/// Moves an item right by `dx`.
pub(crate) fn shift_x(item: &mut Item, dx: f32) {
    match item {
        Item::Text(r) => r.x += dx,
        Item::Line { x1, x2, .. } => {
            *x1 += dx;
            *x2 += dx;
        }
        Item::Rect { x, .. } | Item::Link { x, .. } => *x += dx,
        Item::Path(p) => p.points.iter_mut().for_each(|(x, _)| *x += dx),
    }
}

/// Moves items down by `dy` onto `out`.
pub(crate) fn push_shifted(out: &mut Vec<Item>, add: impl IntoIterator<Item = Item>, dy: f32) {
    for mut it in add {
        shift(&mut it, dy);
        out.push(it);
    }
}

pub(crate) fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        _ => None,
    }
}
