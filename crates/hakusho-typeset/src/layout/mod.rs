//! Layout: document tree → pages of positioned glyphs, rules and links, plus the outline.
//!
//! Blocks are first cut into [`Chunk`]s — vertical pieces that are never split (a paragraph
//! line, a heading, a table row group) — carrying keep-with-next and table-header information;
//! [`paginate`] then fills pages with them. The table of contents needs the pages headings
//! land on, so the whole document is laid out again with the TOC filled until the heading
//! pages stop changing (at most three passes).

mod account;
mod blocks;
mod inline;
mod paginate;
mod table;
mod toc;

use hakusho_diagnostics::Diagnostics;

use crate::font::FontSet;
use crate::markup::{Document, Element, Pos};

use crate::page::{Item, LaidOutDocument, OutlineEntry};
use crate::style::Style;

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
    /// Part of table `n`: on a new page that table's header rows are repeated first.
    pub table: Option<usize>,
    pub is_table_header: bool,
    /// Made by the `n`th `<toc/>` (recomposed once heading pages are known).
    pub toc: Option<usize>,
    /// Headings (document order number) in this chunk, with their top relative to the chunk's.
    pub headings: Vec<(usize, f32)>,
    /// Belongs to a cover (or another section without running heads, such as the colophon):
    /// the page shows no running header, footer or number.
    pub cover: bool,
    /// A band of a table row cut into lines: where a page break falls between two bands of
    /// the same row, a rule closes the table at the page bottom and opens it at the next top.
    pub cut_rule: Option<CutRule>,
    /// The chunk is band `index` of `count` of a table row cut into lines.
    pub band: Option<Band>,
}

#[derive(Debug, Clone)]
pub(crate) struct Band {
    pub index: usize,
    pub count: usize,
    pub label: std::sync::Arc<BandLabel>,
}

/// The label cells of a cut row ("概要"), y relative to the top of the row (part).
#[derive(Debug, Default)]
pub(crate) struct BandLabel {
    /// At the top of a part, for a row a page break cuts.
    pub top: Vec<Item>,
    /// Centred in the row, for a row that stays whole.
    pub centred: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CutRule {
    pub x0: f32,
    pub x1: f32,
    pub width: f32,
    pub color: crate::page::Color,
    /// (table, row) the band belongs to.
    pub row: (usize, usize),
}

impl CutRule {
    fn line(&self, y: f32) -> Item {
        Item::Line {
            x1: self.x0,
            y1: y,
            x2: self.x1,
            y2: y,
            width: self.width,
            color: self.color,
        }
    }
}

impl Chunk {
    /// A bare `<pagebreak/>`: nothing to draw, only a break before what follows.
    pub fn is_break(&self) -> bool {
        self.page_break_before && self.items.is_empty() && self.height == 0.0
    }
}

/// A heading found in the document, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadingInfo {
    pub level: u8,
    /// Bookmark title: the full heading text.
    pub title: String,
    /// TOC text (`data-short` or the full text).
    pub toc_title: String,
    pub in_toc: bool,
    pub pos: Pos,
}

fn too_many_pages(title: &str, pages: usize, max: usize, diags: &mut Diagnostics) {
    let key = "max_pages";
    diags.error(
        hakusho_diagnostics::Location::None,
        format!(
            "文書「{title}」は {pages} ページになります。上限 {key} = {max} を超えるため PDF を作りません（表の行が多すぎないか確かめてください。正しい内容なら sources/hakusho.yaml の limits: に {key}: を書いて上限を上げてください）"
        ),
        format!(
            "document \"{title}\" would have {pages} pages, over the limit {key} = {max}; no PDF is written (check for a table with too many rows; if the content is right, raise it with `{key}:` under `limits:` in sources/hakusho.yaml)"
        ),
    );
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
    }
}

/// Lays a parsed document out. Problems (missing glyphs...) are collected in `diags`, and so
/// is every difference the accounting finds between the source text and the pages.
pub fn layout(
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
) -> LaidOutDocument {
    layout_bounded(doc, style, fonts, source_name, diags, usize::MAX)
}

/// [`layout`], refusing (an error in `diags`, no pages) a document of more than `max_pages`
/// pages as soon as its first pagination counts them: before the table-of-contents passes,
/// the pages' items and the PDF, which take most of the memory of a huge document.
pub fn layout_bounded(
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
    max_pages: usize,
) -> LaidOutDocument {
    let (laid, sources) = layout_unchecked(doc, style, fonts, source_name, diags, max_pages);
    // Missing glyphs were replaced by 〓 and already stop the build: account only for a
    // document that would otherwise be written.
    if !diags.has_errors() {
        account::check(&doc.root, &laid.pages, &sources, fonts, source_name, diags);
    }
    laid
}

/// Layout without the accounting, with what the accounting needs.
pub(crate) fn layout_unchecked(
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
    max_pages: usize,
) -> (LaidOutDocument, account::Sources) {
    let headings = collect_headings(&doc.root, style);
    // Pass 1 lays out everything (TOC with placeholder numbers). Only the TOC depends on the
    // heading pages, so later passes recompose just the TOC and splice it in.
    let mut sources = account::Sources::default();
    let mut b = blocks::Builder::new(style, fonts, source_name, diags, &headings, None);
    b.set.sources = Some(&mut sources);
    b.doc_title = &doc.title;
    b.document(&doc.root);
    let tocs = std::mem::take(&mut b.tocs);
    let (mut chunks, table_headers) = b.finish();
    let mut paged = paginate::paginate(&chunks, &table_headers, style, headings.len());
    if paged.pages.len() > max_pages {
        too_many_pages(&doc.title, paged.pages.len(), max_pages, diags);
        let refused = LaidOutDocument {
            title: doc.title.clone(),
            lang: String::new(),
            pages: Vec::new(),
            outline: Vec::new(),
        };
        return (refused, sources);
    }
    for _ in 1..3 {
        if tocs.is_empty() {
            break;
        }
        let landings = paged.landings.clone();
        let mut scratch = Diagnostics::new();
        let mut spliced = Vec::with_capacity(chunks.len());
        let mut k = 0;
        while k < chunks.len() {
            match chunks[k].toc {
                Some(t) => {
                    let mut tb = blocks::Builder::new(
                        style,
                        fonts,
                        source_name,
                        &mut scratch,
                        &headings,
                        Some(&landings),
                    );
                    tb.doc_title = &doc.title;
                    toc::build(&mut tb, tocs[t], t);
                    spliced.extend(tb.finish().0);
                    while k < chunks.len() && chunks[k].toc == Some(t) {
                        k += 1;
                    }
                }
                None => {
                    spliced.push(std::mem::take(&mut chunks[k]));
                    k += 1;
                }
            }
        }
        chunks = spliced;
        let next = paginate::paginate(&chunks, &table_headers, style, headings.len());
        let stable = pages_of(&landings) == pages_of(&next.landings);
        paged = next;
        if stable {
            break;
        }
    }
    let outline = headings
        .iter()
        .zip(&paged.landings)
        .map(|(h, &(page, y))| OutlineEntry {
            title: h.title.clone(),
            level: h.level,
            page,
            y,
        })
        .collect();
    let pages = paginate::finish_pages(
        paged,
        chunks,
        &table_headers,
        style,
        fonts,
        &doc.title,
        &headings,
    );
    let laid = LaidOutDocument {
        title: doc.title.clone(),
        lang: doc.lang.clone(),
        pages,
        outline,
    };
    (laid, sources)
}

fn pages_of(l: &[Landing]) -> Vec<usize> {
    l.iter().map(|(p, _)| *p).collect()
}

fn collect_headings(root: &Element, style: &Style) -> Vec<HeadingInfo> {
    fn walk(el: &Element, out: &mut Vec<HeadingInfo>, depth: u8) {
        if let Some(level) = heading_level(&el.name) {
            let title = inline::plain_text(el);
            let toc_title = el
                .attr("data-short")
                .map(str::to_string)
                .unwrap_or_else(|| title.clone());
            out.push(HeadingInfo {
                level,
                in_toc: el.attr("data-toc") != Some("no") && level <= depth,
                title,
                toc_title,
                pos: el.pos,
            });
            return;
        }
        // Headings inside tables and paragraphs are not laid out as headings.
        if matches!(el.name.as_str(), "table" | "p") {
            return;
        }
        for c in el.child_elements() {
            walk(c, out, depth);
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out, style.file.toc.depth);
    out
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
