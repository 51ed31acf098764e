//! Layout: document tree → pages of positioned glyphs, rules and links, plus the outline.
//!
//! Blocks are first cut into [`flow::Chunk`]s — vertical pieces that are never split (a
//! paragraph line, a heading, a table row group) — carrying keep-with-next information; a
//! table is a block that splits itself ([`flow::SplitBlock`]): its rows are pieces of the
//! flow, and it lays out the part each page gets. [`paginate`] fills pages with chunks. The
//! table of contents needs the pages headings land on, so the TOC is set again with the page
//! numbers and the document paginated again until the heading pages stop changing (at most
//! three passes).
//!
//! A table cell is a region ([`region`]): the same block layouter measures its content and
//! lays it out in the cell's width; the table places what comes back.
//!
//! Modules depend one way: `flow` and `inline` are leaves, `region` uses only them; `blocks`
//! lays out blocks (on the page and in regions) and reaches tables and the TOC through
//! [`blocks::Routines`] given here, so `table` and `toc` can use the block layouter without a
//! cycle; `paginate` knows chunks and split blocks only.

mod account;
mod blocks;
mod chart;
/// A chart's data as the PDF draws it, for the HTML edition.
pub(crate) use chart::{
    format_number as chart_number, progress as chart_progress, read as read_chart, ChartData,
    Kind as ChartKind,
};
mod flow;
mod inline;
mod paginate;
mod region;
mod table;
mod toc;

use std::ops::Range;
use std::rc::Rc;

use hakusho_diagnostics::Diagnostics;

use crate::font::FontSet;
use crate::markup::{Document, Element};

use crate::page::{LaidOutDocument, OutlineEntry};
use crate::style::Style;
use blocks::{Ctx, Routines, TocOf};
use flow::{heading_level, Chunk, FigureInfo, HeadingInfo, Landing, SplitBlock};

/// The layouters blocks.rs reaches through its builder.
const ROUTINES: Routines = Routines {
    table: table::build,
    toc: toc::build,
};

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
    let composed = compose(doc, style, fonts, source_name, diags);
    paginate_checked(composed, doc, style, fonts, source_name, diags, max_pages)
}

/// The screen layout of `doc` (with `screen`) and its print layout (with `print`), each as
/// [`layout_bounded`] makes it, problems in `screen_diags` and `print_diags`. With
/// `share_composition` (only when `screen.composes_like(print)`: the caller decides once per
/// pair of styles), the document is composed once and that composition paginated with each
/// style; else the print layout is made from scratch. The print layout is not made (empty)
/// when the screen's has errors.
pub fn layout_screen_and_print(
    doc: &Document,
    (screen, print): (&Style, &Style),
    share_composition: bool,
    fonts: &FontSet,
    source_name: &str,
    (screen_diags, print_diags): (&mut Diagnostics, &mut Diagnostics),
    max_pages: usize,
) -> (LaidOutDocument, LaidOutDocument) {
    if !share_composition {
        let laid = layout_bounded(doc, screen, fonts, source_name, screen_diags, max_pages);
        if screen_diags.has_errors() {
            return (laid, LaidOutDocument::default());
        }
        let print_laid = layout_bounded(doc, print, fonts, source_name, print_diags, max_pages);
        return (laid, print_laid);
    }
    let composed = compose(doc, screen, fonts, source_name, screen_diags);
    // (not copied when composing already failed: no print layout then)
    let for_print = (!screen_diags.has_errors()).then(|| composed.clone());
    let laid = paginate_checked(
        composed,
        doc,
        screen,
        fonts,
        source_name,
        screen_diags,
        max_pages,
    );
    let Some(for_print) = for_print.filter(|_| !screen_diags.has_errors()) else {
        return (laid, LaidOutDocument::default());
    };
    let print_laid = paginate_checked(
        for_print,
        doc,
        print,
        fonts,
        source_name,
        print_diags,
        max_pages,
    );
    (laid, print_laid)
}

/// [`paginate_composed`], then the accounting of the pages made against the source.
fn paginate_checked(
    composed: Composition,
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
    max_pages: usize,
) -> LaidOutDocument {
    let (laid, sources) = paginate_composed(composed, style, fonts, source_name, diags, max_pages);
    // Missing glyphs were replaced by 〓 and already stop the build: account only for a
    // document that would otherwise be written.
    if !diags.has_errors() {
        account::check(&doc.root, &laid.pages, &sources, fonts, source_name, diags);
    }
    laid
}

/// A document composed and not yet paginated: pass 1 of layout, everything set in its band
/// (the TOC with placeholder page numbers). Nothing in it depends on what only pagination
/// and the page furniture read (facing pages, padding, running heads: see
/// [`Style::composes_like`]), so one composition can be paginated with the screen style and
/// with a print style that composes like it.
#[derive(Clone)]
pub(crate) struct Composition {
    title: String,
    lang: String,
    headings: Vec<HeadingInfo>,
    figures: Vec<FigureInfo>,
    chunks: Vec<Chunk>,
    /// Read only by pagination (`lay_part` takes `&self`): shared, not copied.
    splits: Rc<[Box<dyn SplitBlock>]>,
    tocs: Vec<(Ctx, TocOf, Range<usize>)>,
    sources: account::Sources,
    /// The left margin the blocks were set at: paginated with a style whose margin (of a
    /// right-hand page) is elsewhere, the pages' blocks move by the difference.
    left: f32,
}

/// Pass 1 of layout: `doc` composed with `style`.
pub(crate) fn compose(
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
) -> Composition {
    let headings = collect_headings(&doc.root, style);
    let figures = collect_figures(&doc.root);
    skipped_levels(&headings, source_name, diags);
    // Pass 1 lays out everything (TOC with placeholder numbers). Only the TOC depends on the
    // heading pages, so later passes recompose just the TOC and splice it in.
    let mut sources = account::Sources::default();
    let mut b = blocks::Builder::new(style, fonts, source_name, diags, &headings, None, ROUTINES);
    b.set.sources = Some(&mut sources);
    b.doc_title = &doc.title;
    b.figures = &figures;
    b.document(&doc.root);
    let tocs = std::mem::take(&mut b.tocs);
    let (chunks, splits) = b.finish();
    Composition {
        title: doc.title.clone(),
        lang: doc.lang.clone(),
        headings,
        figures,
        chunks,
        splits: splits.into(),
        tocs,
        sources,
        left: style.margins().3,
    }
}

/// Layout without the accounting, with what the accounting needs.
#[cfg(test)]
pub(crate) fn layout_unchecked(
    doc: &Document,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
    max_pages: usize,
) -> (LaidOutDocument, account::Sources) {
    let composed = compose(doc, style, fonts, source_name, diags);
    paginate_composed(composed, style, fonts, source_name, diags, max_pages)
}

/// Pagination of a composition with `style`: the pages, the TOC set again with the pages
/// headings land on until they stop changing, running heads and folios. Returns what the
/// accounting needs with the layout.
pub(crate) fn paginate_composed(
    composed: Composition,
    style: &Style,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
    max_pages: usize,
) -> (LaidOutDocument, account::Sources) {
    let Composition {
        title,
        lang,
        headings,
        figures,
        mut chunks,
        splits,
        mut tocs,
        mut sources,
        left,
    } = composed;
    // Figures land after the headings in the landings (a list of figures needs their pages).
    let anchors = headings.len() + figures.len();
    let mut paged = paginate::paginate(&chunks, &splits, style, anchors);
    if paged.pages.len() > max_pages {
        too_many_pages(&title, paged.pages.len(), max_pages, diags);
        let refused = LaidOutDocument {
            title,
            lang: String::new(),
            pages: Vec::new(),
            outline: Vec::new(),
            structure: Vec::new(),
            standards: Default::default(),
        };
        return (refused, sources);
    }
    for _ in 1..3 {
        if tocs.is_empty() {
            break;
        }
        let landings = paged.landings.clone();
        let mut scratch = Diagnostics::new();
        chunks = splice_tocs(chunks, &mut tocs, |ctx, of| {
            let mut tb = blocks::Builder::new(
                style,
                fonts,
                source_name,
                &mut scratch,
                &headings,
                Some(&landings),
                ROUTINES,
            );
            tb.doc_title = &title;
            tb.figures = &figures;
            // Only to find the TOC's structure elements made in the first pass: the TOC
            // registers no source text.
            tb.set.sources = Some(&mut sources);
            toc::build(&mut tb, of, ctx);
            tb.finish().0
        });
        let next = paginate::paginate(&chunks, &splits, style, anchors);
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
    paged.blocks_dx = style.margins().3 - left;
    let pages = paginate::finish_pages(paged, chunks, &splits, style, fonts, &title, &headings);
    let laid = LaidOutDocument {
        title,
        lang,
        pages,
        outline,
        structure: sources.take_structure(),
        standards: Default::default(),
    };
    (laid, sources)
}

/// Replaces the chunks of each table of contents or list of figures (`tocs`: the band each
/// was set in, what it lists and its chunks) with the ones `set` makes, keeping the ranges up
/// to date.
fn splice_tocs(
    chunks: Vec<Chunk>,
    tocs: &mut [(Ctx, TocOf, Range<usize>)],
    mut set: impl FnMut(Ctx, &TocOf) -> Vec<Chunk>,
) -> Vec<Chunk> {
    let mut out = Vec::with_capacity(chunks.len());
    let mut old = chunks.into_iter().enumerate().peekable();
    for (ctx, of, range) in tocs.iter_mut() {
        while let Some((_, c)) = old.next_if(|(k, _)| *k < range.start) {
            out.push(c);
        }
        // A page break asked of what holds the TOC (its section) stays on its first chunk.
        let mut breaks = None;
        while let Some((_, c)) = old.next_if(|(k, _)| range.contains(k)) {
            breaks.get_or_insert((c.page_break_before, c.right_page));
        }
        let from = out.len();
        out.extend(set(*ctx, of));
        if let (Some((page, right)), Some(first)) = (breaks, out.get_mut(from)) {
            first.page_break_before |= page;
            first.right_page |= right;
        }
        *range = from..out.len();
    }
    out.extend(old.map(|(_, c)| c));
    out
}

fn pages_of(l: &[Landing]) -> Vec<usize> {
    l.iter().map(|(p, _)| *p).collect()
}

/// Visits the elements the block layouter lays out as blocks of the document (not those inside
/// tables or paragraphs), in document order; `found` returns true for an element it takes,
/// whose content is then not visited.
fn visit_blocks(el: &Element, found: &mut impl FnMut(&Element) -> bool) {
    if found(el) || matches!(el.name.as_str(), "table" | "p") {
        return;
    }
    for c in el.child_elements() {
        visit_blocks(c, found);
    }
}

fn collect_headings(root: &Element, style: &Style) -> Vec<HeadingInfo> {
    let depth = style.file.toc.depth;
    let mut out = Vec::new();
    // Headings inside tables and paragraphs are not laid out as headings.
    visit_blocks(root, &mut |el| {
        let Some(level) = heading_level(&el.name) else {
            return false;
        };
        let title = inline::plain_text(el);
        let toc_title = el
            .attr("data-short")
            .map(str::to_string)
            .unwrap_or_else(|| title.clone());
        out.push(HeadingInfo {
            level,
            tag_level: level,
            in_toc: el.attr("data-toc") != Some("no") && level <= depth,
            title,
            toc_title,
            pos: el.pos,
        });
        true
    });
    let mut above = 0;
    for h in &mut out {
        h.tag_level = h.level.min(above + 1);
        above = h.tag_level;
    }
    out
}

/// The figures in document order, where the block layouter lays them out (not in tables or
/// paragraphs, like headings), with their captions' text.
fn collect_figures(root: &Element) -> Vec<FigureInfo> {
    let mut out = Vec::new();
    visit_blocks(root, &mut |el| {
        if el.name != "figure" {
            return false;
        }
        let caption = el
            .child_elements()
            .find(|c| c.name == "figcaption")
            .map(|c| inline::plain_text(c).trim().to_string())
            .unwrap_or_default();
        out.push(FigureInfo {
            caption,
            pos: el.pos,
        });
        true
    });
    out
}

/// A heading more than one level below the one before it (an h4 right after an h2): a
/// screen reader's list of headings shows a gap. Tagged one level down from the one before.
fn skipped_levels(headings: &[HeadingInfo], source_name: &str, diags: &mut Diagnostics) {
    for pair in headings.windows(2) {
        let (before, h) = (&pair[0], &pair[1]);
        if h.level > before.level + 1 {
            diags.warning(
                hakusho_diagnostics::Location::text(source_name, h.pos.line, h.pos.column),
                format!(
                    "見出し「{}」は h{} ですが、直前の見出し「{}」は h{} です。見出しの階層を飛ばすと、読み上げソフトの見出し一覧に抜けができます（PDF では H{} の見出しとして扱います）。テンプレートで h{} にしてください",
                    h.title, h.level, before.title, before.level, h.tag_level, before.level + 1
                ),
                format!(
                    "the heading \"{}\" is an h{} but the heading before it, \"{}\", is an h{}: a skipped level leaves a gap in a screen reader's list of headings (the PDF tags it as H{}); make it an h{} in the template",
                    h.title, h.level, before.title, before.level, h.tag_level, before.level + 1
                ),
            );
        }
    }
}
