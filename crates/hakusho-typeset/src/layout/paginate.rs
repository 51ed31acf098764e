//! Pagination: chunks → pages, honouring page breaks, keep-with-next chains and repeated
//! table headers; then running headers, footers and page numbers.

use super::{shift, Chunk, HeadingInfo, Landing};
use crate::font::FontSet;
use crate::page::{Color, Item, Page};
use crate::style::{RunningStyle, Style};

pub(crate) struct PageBuild {
    /// What goes on the page, in drawing order. Chunks are referred to, not copied: the TOC
    /// passes paginate the same chunks several times, and only the final pages get the items.
    pub items: Vec<Placement>,
    pub cover: bool,
    /// Headings whose top is on this page, in order.
    pub headings: Vec<usize>,
}

pub(crate) struct Paged {
    pub pages: Vec<PageBuild>,
    pub landings: Vec<Landing>,
}

/// One entry of a page under construction.
pub(crate) enum Placement {
    /// The items of chunk `n`, moved down by `dy`.
    Chunk(usize, f32),
    /// The header rows of table `n`, repeated on a page the table continues on.
    TableHeader(usize, f32),
    /// The label cells of the cut row chunk `n` belongs to: at the top of the part, or centred.
    BandLabel {
        chunk: usize,
        centred: bool,
        dy: f32,
    },
    Item(Item),
}

struct Placed {
    chunk: usize,
    items_before: usize,
    /// y of the chunk's bottom edge.
    bottom: f32,
}

pub(crate) fn paginate(
    chunks: &[Chunk],
    table_headers: &[Option<Chunk>],
    style: &Style,
    n_headings: usize,
) -> Paged {
    let (top, _, bottom_margin, _) = style.margins();
    let bottom = style.page_height - bottom_margin;
    let mut pages: Vec<PageBuild> = Vec::new();
    let mut landings: Vec<Landing> = vec![(0, top); n_headings];
    let new_page = || PageBuild {
        items: Vec::new(),
        cover: false,
        headings: Vec::new(),
    };
    let mut cur = new_page();
    let mut placed: Vec<Placed> = Vec::new();
    let mut y = top;
    let mut prev_after = 0.0f32;
    // The part of a cut table row on this page: (its first band's index, its top y).
    let mut part: Option<(usize, f32)> = None;
    let mut i = 0;
    while i < chunks.len() {
        let c = &chunks[i];
        if c.page_break_before && !placed.is_empty() {
            pages.push(std::mem::replace(&mut cur, new_page()));
            placed.clear();
            y = top;
            continue;
        }
        if c.is_break() {
            // An explicit <pagebreak/> at the top of an empty page does nothing: no blank
            // pages (a pagebreak right after a page filled up, or before an h1 that starts a
            // page of its own anyway).
            i += 1;
            continue;
        }
        if placed.is_empty() {
            cur.cover = c.cover;
            // A table continued from the previous page gets its header rows again.
            if let (Some(t), false) = (c.table, c.is_table_header) {
                let continued = i > 0 && chunks[i - 1].table == Some(t);
                if let (true, Some(Some(h))) = (continued, table_headers.get(t)) {
                    cur.items.push(Placement::TableHeader(t, y));
                    y += h.height;
                }
            }
        }
        let gap = if placed.is_empty() {
            0.0
        } else {
            prev_after.max(c.space_before)
        };
        if !placed.is_empty() && y + gap + c.height > bottom + 0.01 {
            // Move the keep-with-next chain ending here along, unless it fills the page (a
            // chain longer than a page breaks where it must).
            let first = placed[0].chunk;
            let mut j = i;
            while j > first && chunks[j - 1].keep_with_next {
                j -= 1;
            }
            if let (true, Some(k)) = (j > first && j < i, placed.iter().position(|p| p.chunk == j))
            {
                cur.items.truncate(placed[k].items_before);
                cur.headings.retain(|h| {
                    chunks[j..i]
                        .iter()
                        .all(|c| c.headings.iter().all(|(id, _)| id != h))
                });
                placed.truncate(k);
                i = j;
                part = open_part(chunks, &placed);
            }
            // A table row cut between two bands: close it at the page bottom, with its
            // labels at the top of the part on this page.
            if let (Some(last), Some(a), Some(b)) =
                (placed.last(), chunks[i - 1].cut_rule, chunks[i].cut_rule)
            {
                if a.row == b.row {
                    cur.items.push(Placement::Item(a.line(last.bottom)));
                    if let (Some((_, top)), Some(_)) = (part, &chunks[i - 1].band) {
                        cur.items.push(Placement::BandLabel {
                            chunk: i - 1,
                            centred: false,
                            dy: top,
                        });
                    }
                }
            }
            part = None;
            pages.push(std::mem::replace(&mut cur, new_page()));
            placed.clear();
            y = top;
            continue;
        }
        let at = y + gap;
        if placed.is_empty() && i > 0 {
            // ... and open it again at the top of the next page.
            if let (Some(a), Some(b)) = (chunks[i - 1].cut_rule, c.cut_rule) {
                if a.row == b.row {
                    cur.items.push(Placement::Item(b.line(at)));
                }
            }
        }
        placed.push(Placed {
            chunk: i,
            items_before: cur.items.len(),
            bottom: at + c.height,
        });
        cur.items.push(Placement::Chunk(i, at));
        for &(h, off) in &c.headings {
            landings[h] = (pages.len(), at + off);
            cur.headings.push(h);
        }
        if let Some(band) = &c.band {
            let top = match part {
                Some((_, top)) => top,
                None => {
                    part = Some((band.index, at));
                    at
                }
            };
            if band.index + 1 == band.count {
                // The row ends here: labels centred in a whole row, at the top of a last part.
                let whole = part.is_some_and(|(first, _)| first == 0);
                cur.items.push(Placement::BandLabel {
                    chunk: i,
                    centred: whole,
                    dy: top,
                });
                part = None;
            }
        }
        y = at + c.height;
        prev_after = c.space_after;
        i += 1;
    }
    if !placed.is_empty() || pages.is_empty() {
        pages.push(cur);
    }
    Paged { pages, landings }
}

fn push_shifted(items: &mut Vec<Item>, add: impl IntoIterator<Item = Item>, dy: f32) {
    for mut it in add {
        shift(&mut it, dy);
        items.push(it);
    }
}

/// The items of a page: each chunk's items are moved out of `chunks` (a chunk lands on one
/// page only); repeated table headers and row labels are copied.
fn materialize(
    placements: Vec<Placement>,
    chunks: &mut [Chunk],
    table_headers: &[Option<Chunk>],
) -> Vec<Item> {
    let size = |p: &Placement| match p {
        Placement::Chunk(n, _) => chunks[*n].items.len(),
        Placement::TableHeader(t, _) => table_headers
            .get(*t)
            .and_then(Option::as_ref)
            .map_or(0, |h| h.items.len()),
        Placement::BandLabel { chunk, centred, .. } => band_label(chunks, *chunk, *centred).len(),
        Placement::Item(_) => 1,
    };
    // Running heads and the page number follow: a few items more.
    let mut items = Vec::with_capacity(placements.iter().map(size).sum::<usize>() + 8);
    for p in placements {
        match p {
            Placement::Chunk(n, dy) => {
                push_shifted(&mut items, std::mem::take(&mut chunks[n].items), dy)
            }
            Placement::TableHeader(t, dy) => {
                if let Some(Some(h)) = table_headers.get(t) {
                    push_shifted(&mut items, h.items.iter().cloned(), dy);
                }
            }
            Placement::BandLabel { chunk, centred, dy } => {
                let label = band_label(chunks, chunk, centred).to_vec();
                push_shifted(&mut items, label, dy);
            }
            Placement::Item(it) => items.push(it),
        }
    }
    items
}

/// The label cells of the cut row `chunk` belongs to (none if it is not a band).
fn band_label(chunks: &[Chunk], chunk: usize, centred: bool) -> &[Item] {
    match &chunks[chunk].band {
        Some(band) if centred => &band.label.centred,
        Some(band) => &band.label.top,
        None => &[],
    }
}

/// After chunks were taken off the page: the cut row part the page now ends in, if any (its
/// first band on the page and that band's top).
fn open_part(chunks: &[Chunk], placed: &[Placed]) -> Option<(usize, f32)> {
    let last = placed.last()?;
    let band = chunks[last.chunk].band.as_ref()?;
    if band.index + 1 == band.count {
        return None;
    }
    let row = chunks[last.chunk].cut_rule.map(|c| c.row);
    let mut first = last;
    for p in placed.iter().rev() {
        if chunks[p.chunk].band.is_none() || chunks[p.chunk].cut_rule.map(|c| c.row) != row {
            break;
        }
        first = p;
    }
    let c = &chunks[first.chunk];
    Some((c.band.as_ref()?.index, first.bottom - c.height))
}

/// Adds running headers/footers (`{page}`, `{title}`, `{section}`) to every non-cover page.
pub(crate) fn finish_pages(
    paged: Paged,
    mut chunks: Vec<Chunk>,
    table_headers: &[Option<Chunk>],
    style: &Style,
    fonts: &FontSet,
    title: &str,
    headings: &[HeadingInfo],
) -> Vec<Page> {
    let mut section = String::new();
    let (w, h) = (style.page_width, style.page_height);
    let mut out = Vec::with_capacity(paged.pages.len());
    for (idx, p) in paged.pages.into_iter().enumerate() {
        // The section a page belongs to: the first chapter starting on it, else the running one.
        let starts: Vec<&HeadingInfo> = p
            .headings
            .iter()
            .map(|&i| &headings[i])
            .filter(|h| h.level == 1)
            .collect();
        let page_section = starts
            .first()
            .map(|h| h.toc_title.clone())
            .unwrap_or_else(|| section.clone());
        if let Some(last) = starts.last() {
            section = last.toc_title.clone();
        }
        let mut items = materialize(p.items, &mut chunks, table_headers);
        if !p.cover {
            let vars = |s: &str| {
                s.replace("{page}", &(idx + 1).to_string())
                    .replace("{title}", title)
                    .replace("{section}", &page_section)
            };
            if let Some(hs) = &style.file.header {
                let base = hs.offset.resolve(hs.size);
                running(&mut items, hs, base, &vars, style, fonts, Some(base + 3.0));
            }
            if let Some(fs) = &style.file.footer {
                let base = h - fs.offset.resolve(fs.size);
                let rule = base - fs.size - 3.0;
                running(&mut items, fs, base, &vars, style, fonts, Some(rule));
            }
        }
        out.push(Page {
            width: w,
            height: h,
            items,
        });
    }
    out
}

fn running(
    items: &mut Vec<Item>,
    rs: &RunningStyle,
    base: f32,
    vars: &dyn Fn(&str) -> String,
    style: &Style,
    fonts: &FontSet,
    rule_y: Option<f32>,
) {
    let (_, right_m, _, left_m) = style.margins();
    let left = left_m;
    let right = style.page_width - right_m;
    let font = style.font(&rs.font);
    let color = rs.color.map(|c| c.0).unwrap_or(Color::BLACK);
    let width = |t: &str| {
        let f = fonts.get(font);
        t.chars()
            .filter_map(|c| f.glyph(c))
            .map(|g| g.advance * rs.size)
            .sum::<f32>()
    };
    for (text, align) in [(&rs.left, 0), (&rs.center, 1), (&rs.right, 2)] {
        let t = vars(text);
        if t.is_empty() {
            continue;
        }
        let tw = width(&t);
        let x = match align {
            0 => left,
            1 => (left + right - tw) / 2.0,
            _ => right - tw,
        };
        let run = super::inline::simple_run(fonts, style, &t, font, rs.size, color, x, base);
        items.push(Item::Text(run));
    }
    if let (true, Some(y)) = (rs.rule > 0.0, rule_y) {
        items.push(Item::Line {
            x1: left,
            y1: y,
            x2: right,
            y2: y,
            width: rs.rule,
            color,
        });
    }
}
