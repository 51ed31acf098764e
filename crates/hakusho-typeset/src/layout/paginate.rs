//! Pagination: chunks → pages, honouring page breaks and keep-with-next chains; then running
//! headers, footers and page numbers. A block that splits itself (a table) is seen only through
//! [`SplitBlock`]: the height its continuing parts start with, and its parts to lay out.

use std::borrow::Cow;

use super::flow::{push_shifted, Chunk, HeadingInfo, Landing, SplitBlock};
use crate::font::FontSet;
use crate::page::{ArtifactKind, Color, Item, Page};
use crate::style::{RunningStyle, Style};

pub(crate) struct PageBuild {
    /// The chunks on the page, as (chunk index, top), in order. Chunks are referred to, not
    /// copied: the TOC passes paginate the same chunks several times, and only the final
    /// pages get the items.
    pub placed: Vec<(usize, f32)>,
    pub cover: bool,
    /// Left blank (facing pages, padding): counted, with nothing printed on it, not even
    /// its number.
    pub blank: bool,
    /// Headings whose top is on this page, in order.
    pub headings: Vec<usize>,
}

pub(crate) struct Paged {
    pub pages: Vec<PageBuild>,
    pub landings: Vec<Landing>,
    /// How far right the composed blocks move on every page: the page style's left margin
    /// less the one they were set at (0 unless a print style with another binding margin
    /// paginates the screen's composition).
    pub blocks_dx: f32,
}

/// Fills pages with chunks. A chunk that does not fit starts a new page; so does the
/// keep-with-next chain it ends, unless that chain began the page (a chain longer than a page
/// breaks where it must). A page that continues a split block first gets room for what the
/// block repeats there. With facing pages, a chunk that starts a right-hand page and would
/// start a left-hand one gets a blank page before it; with `pad_to`, blank pages make the
/// count a multiple of it.
pub(crate) fn paginate(
    chunks: &[Chunk],
    splits: &[Box<dyn SplitBlock>],
    style: &Style,
    n_anchors: usize,
) -> Paged {
    let (top, _, bottom_margin, _) = style.margins();
    let bottom = style.page_height - bottom_margin;
    let mut pages: Vec<PageBuild> = Vec::new();
    let mut landings: Vec<Landing> = vec![(0, top); n_anchors];
    let facing = style.file.page.facing;
    let new_page = || PageBuild {
        placed: Vec::new(),
        cover: false,
        blank: false,
        headings: Vec::new(),
    };
    let mut cur = new_page();
    let mut y = top;
    let mut prev_after = 0.0f32;
    let mut i = 0;
    while i < chunks.len() {
        let c = &chunks[i];
        let empty = cur.placed.is_empty();
        if c.page_break_before && !empty {
            pages.push(std::mem::replace(&mut cur, new_page()));
            y = top;
            continue;
        }
        // Page indices count from 0: an odd index is an even page number, a left-hand page
        // (a horizontal Japanese document is bound on the left; its first page is a right
        // one).
        if facing && c.right_page && empty && pages.len() % 2 == 1 {
            cur.blank = true;
            pages.push(std::mem::replace(&mut cur, new_page()));
            continue;
        }
        if c.is_break() {
            // An explicit <pagebreak/> at the top of an empty page does nothing: no blank
            // pages (a pagebreak right after a page filled up, or before an h1 that starts a
            // page of its own anyway).
            i += 1;
            continue;
        }
        if empty {
            cur.cover = c.cover;
            if let Some(h) = c
                .continues_block()
                .and_then(|b| splits[b].continuation_height())
            {
                y += h;
            }
        }
        let gap = if empty {
            0.0
        } else {
            prev_after.max(c.space_before)
        };
        if !empty
            && (y + gap + c.height > bottom + 0.01
                || chain_overflows(chunks, i, y, prev_after, bottom))
        {
            pages.push(std::mem::replace(&mut cur, new_page()));
            y = top;
            continue;
        }
        let at = y + gap;
        cur.placed.push((i, at));
        for &(h, off) in &c.headings {
            landings[h] = (pages.len(), at + off);
            cur.headings.push(h);
        }
        y = at + c.height;
        prev_after = c.space_after;
        i += 1;
    }
    if !cur.placed.is_empty() || pages.is_empty() {
        pages.push(cur);
    }
    if let Some(n) = style
        .file
        .page
        .pad_to
        .map(|n| n as usize)
        .filter(|&n| n > 1)
    {
        let missing = (n - pages.len() % n) % n;
        // A last page without running heads (a colophon, a back cover) stays the last.
        let at = match pages.last() {
            Some(last) if last.cover && pages.len() > 1 => pages.len() - 1,
            _ => pages.len(),
        };
        let blank = || PageBuild {
            blank: true,
            ..new_page()
        };
        pages.splice(at..at, std::iter::repeat_with(blank).take(missing));
        for (page, _) in &mut landings {
            if *page >= at {
                *page += missing;
            }
        }
    }
    Paged {
        pages,
        landings,
        blocks_dx: 0.0,
    }
}

/// Whether the keep-with-next chain that starts at chunk `k` (placed after others on a page
/// filled down to `y`) runs past the page `bottom`: then it goes to the next page whole.
fn chain_overflows(chunks: &[Chunk], k: usize, y: f32, prev_after: f32, bottom: f32) -> bool {
    if !chunks[k].keep_with_next || chunks[k - 1].keep_with_next {
        return false;
    }
    let mut y = y;
    let mut after = prev_after;
    for c in &chunks[k..] {
        if c.page_break_before {
            // A forced break ends the page anyway.
            return false;
        }
        let gap = after.max(c.space_before);
        if y + gap + c.height > bottom + 0.01 {
            return true;
        }
        if !c.keep_with_next {
            return false;
        }
        y += gap + c.height;
        after = c.space_after;
    }
    false
}

/// The items of a page: each chunk's items are moved out of `chunks` (a chunk lands on one
/// page only); the pieces of a split block are laid out by the block, one part per page.
fn materialize(
    placed: &[(usize, f32)],
    chunks: &mut [Chunk],
    splits: &[Box<dyn SplitBlock>],
    page_top: f32,
) -> Vec<Item> {
    // Running heads and the page number follow: a few items more.
    let size: usize = placed.iter().map(|&(n, _)| chunks[n].items.len()).sum();
    let mut items = Vec::with_capacity(size + 8);
    let mut k = 0;
    while k < placed.len() {
        let (n, dy) = placed[k];
        let Some(block) = chunks[n].piece.map(|p| p.block) else {
            push_shifted(&mut items, std::mem::take(&mut chunks[n].items), dy);
            k += 1;
            continue;
        };
        let part_len = placed[k..]
            .iter()
            .take_while(|&&(m, _)| chunks[m].piece.is_some_and(|p| p.block == block))
            .count();
        splits[block].lay_part(&placed[k..k + part_len], page_top, chunks, &mut items);
        k += part_len;
    }
    items
}

/// Adds running headers/footers (`{page}`, `{title}`, `{section}`) to every non-cover page.
pub(crate) fn finish_pages(
    paged: Paged,
    mut chunks: Vec<Chunk>,
    splits: &[Box<dyn SplitBlock>],
    style: &Style,
    fonts: &FontSet,
    title: &str,
    headings: &[HeadingInfo],
) -> Vec<Page> {
    let mut section = String::new();
    let (w, h) = (style.page_width, style.page_height);
    let (page_top, ..) = style.margins();
    let mut out = Vec::with_capacity(paged.pages.len());
    for (idx, p) in paged.pages.into_iter().enumerate() {
        // The section a page belongs to: the first chapter starting on it, else the running one.
        let starts: Vec<&HeadingInfo> = p
            .headings
            .iter()
            // (figures are numbered after the headings)
            .filter_map(|&i| headings.get(i))
            .filter(|h| h.level == 1)
            .collect();
        let page_section = starts
            .first()
            .map(|h| h.toc_title.clone())
            .unwrap_or_else(|| section.clone());
        if let Some(last) = starts.last() {
            section = last.toc_title.clone();
        }
        let mut items = materialize(&p.placed, &mut chunks, splits, page_top);
        if paged.blocks_dx != 0.0 {
            items
                .iter_mut()
                .for_each(|it| super::flow::shift_x(it, paged.blocks_dx));
        }
        // With facing pages, an even page is a left-hand one: its left and right slots swap,
        // so that the right slot is always on the outer edge.
        let mirror = style.file.page.facing && idx % 2 == 1;
        if !p.cover && !p.blank {
            let vars = |s: &str| {
                s.replace("{page}", &(idx + 1).to_string())
                    .replace("{title}", title)
                    .replace("{section}", &page_section)
            };
            if let Some(hs) = &style.file.header {
                let base = hs.offset.resolve(hs.size);
                let hs = &*mirrored(hs, mirror);
                let at = (base, ArtifactKind::Header);
                running(&mut items, hs, at, &vars, style, fonts, Some(base + 3.0));
            }
            if let Some(fs) = &style.file.footer {
                let base = h - fs.offset.resolve(fs.size);
                let rule = base - fs.size - 3.0;
                let fs = &*mirrored(fs, mirror);
                let at = (base, ArtifactKind::Footer);
                running(&mut items, fs, at, &vars, style, fonts, Some(rule));
            }
        }
        // Mirrored margins: a left-hand page's text block, heads and all, sits as far from
        // the binding as a right-hand page's.
        let shift = style.left_page_shift();
        if mirror && shift != 0.0 {
            items
                .iter_mut()
                .for_each(|it| super::flow::shift_x(it, shift));
        }
        out.push(Page {
            width: w,
            height: h,
            items,
        });
    }
    out
}

/// `rs` with its left and right slots swapped when `mirror` (a left-hand page).
fn mirrored(rs: &RunningStyle, mirror: bool) -> Cow<'_, RunningStyle> {
    if !mirror {
        return Cow::Borrowed(rs);
    }
    Cow::Owned(RunningStyle {
        left: rs.right.clone(),
        right: rs.left.clone(),
        ..rs.clone()
    })
}

fn running(
    items: &mut Vec<Item>,
    rs: &RunningStyle,
    (base, kind): (f32, ArtifactKind),
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
        let mut run = super::inline::simple_run(fonts, style, &t, font, rs.size, color, x, base);
        run.artifact = kind;
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::path::Path;
    use std::rc::Rc;

    use super::*;
    use crate::layout::flow::PieceOf;

    fn style() -> (Style, FontSet) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        Style::load(&root.join("templates/style.yaml"), &root).unwrap()
    }

    fn body(style: &Style) -> f32 {
        let (top, _, bottom, _) = style.margins();
        style.page_height - top - bottom
    }

    fn chunk(height: f32, keep_with_next: bool) -> Chunk {
        Chunk {
            height,
            keep_with_next,
            ..Chunk::default()
        }
    }

    fn first_chunks(paged: &Paged) -> Vec<usize> {
        paged.pages.iter().map(|p| p.placed[0].0).collect()
    }

    #[test]
    fn a_keep_chain_that_would_run_past_the_page_goes_to_the_next_page_whole() {
        let (style, _) = style();
        let b = body(&style);
        // After the filler, a third of the page is left; the chain needs half of it.
        let chunks = vec![
            chunk(b * 2.0 / 3.0, false),
            chunk(b / 6.0, true),
            chunk(b / 6.0, true),
            chunk(b / 6.0, false),
        ];
        let paged = paginate(&chunks, &[], &style, 0);
        assert_eq!(first_chunks(&paged), vec![0, 1]);
    }

    #[test]
    fn a_keep_chain_that_starts_a_page_breaks_where_it_must() {
        let (style, _) = style();
        let b = body(&style);
        let chunks: Vec<Chunk> = (0..5).map(|k| chunk(b / 3.0 - 1.0, k < 4)).collect();
        let paged = paginate(&chunks, &[], &style, 0);
        assert_eq!(first_chunks(&paged), vec![0, 3]);
    }

    fn facing(pad_to: Option<u32>) -> (Style, FontSet) {
        let (mut style, fonts) = style();
        style.file.page.facing = true;
        style.file.page.pad_to = pad_to;
        (style, fonts)
    }

    fn right_page(height: f32) -> Chunk {
        Chunk {
            page_break_before: true,
            right_page: true,
            headings: vec![(0, 0.0)],
            ..chunk(height, false)
        }
    }

    #[test]
    fn with_facing_pages_a_right_hand_start_on_a_left_hand_page_gets_a_blank_page_before_it() {
        let (style, _) = facing(None);
        // Page 1 holds a paragraph; the chapter would start page 2, a left-hand page.
        let chunks = vec![chunk(50.0, false), right_page(50.0), chunk(50.0, false)];
        let paged = paginate(&chunks, &[], &style, 1);
        let blank: Vec<bool> = paged.pages.iter().map(|p| p.blank).collect();
        assert_eq!(blank, [false, true, false]);
        assert!(paged.pages[1].placed.is_empty());
        assert_eq!(
            paged.landings[0].0, 2,
            "the chapter's heading lands on page 3"
        );
        // Already on a right-hand page: no blank. Without facing pages: none either.
        let chunks = vec![right_page(50.0), chunk(50.0, false)];
        assert_eq!(paginate(&chunks, &[], &style, 1).pages.len(), 1);
        let (screen, _) = self::style();
        let chunks = vec![chunk(50.0, false), right_page(50.0)];
        let paged = paginate(&chunks, &[], &screen, 1);
        assert_eq!(paged.pages.len(), 2);
        assert!(paged.pages.iter().all(|p| !p.blank));
    }

    #[test]
    fn padding_puts_blank_pages_before_a_last_page_without_running_heads() {
        let (style, fonts) = facing(Some(4));
        let b = body(&style);
        let colophon = Chunk {
            page_break_before: true,
            cover: true,
            headings: vec![(0, 0.0)],
            ..chunk(50.0, false)
        };
        let chunks = vec![chunk(b - 1.0, false), chunk(50.0, false), colophon];
        let paged = paginate(&chunks, &[], &style, 1);
        let blank: Vec<bool> = paged.pages.iter().map(|p| p.blank).collect();
        assert_eq!(blank, [false, false, true, false]);
        assert_eq!(
            paged.landings[0].0, 3,
            "the colophon's heading moved with it"
        );
        // Blank pages print nothing, not even their number.
        let heading = HeadingInfo {
            level: 2,
            tag_level: 2,
            title: "奥付".into(),
            toc_title: "奥付".into(),
            in_toc: false,
            pos: Default::default(),
        };
        let pages = finish_pages(paged, chunks, &[], &style, &fonts, "t", &[heading]);
        assert!(pages[2].items.is_empty());
        assert!(!pages[1].items.is_empty());
        // A last page with running heads: the blank pages go after it.
        let chunks = vec![chunk(50.0, false)];
        let paged = paginate(&chunks, &[], &style, 0);
        let blank: Vec<bool> = paged.pages.iter().map(|p| p.blank).collect();
        assert_eq!(blank, [false, true, true, true]);
    }

    /// A block that repeats a 40 pt header and records the parts it is asked to lay out.
    struct Recorder {
        parts: Rc<RefCell<Vec<Vec<usize>>>>,
    }

    impl SplitBlock for Recorder {
        fn continuation_height(&self) -> Option<f32> {
            Some(40.0)
        }

        fn lay_part(
            &self,
            part: &[(usize, f32)],
            _page_top: f32,
            chunks: &mut [Chunk],
            out: &mut Vec<Item>,
        ) {
            self.parts
                .borrow_mut()
                .push(part.iter().map(|&(n, _)| n).collect());
            for &(n, dy) in part {
                push_shifted(out, std::mem::take(&mut chunks[n].items), dy);
            }
        }
    }

    #[test]
    fn a_split_block_gets_room_for_what_it_repeats_and_lays_out_each_part() {
        let (style, fonts) = style();
        let b = body(&style);
        let (top, ..) = style.margins();
        let mut chunks = vec![chunk(10.0, false)];
        chunks.extend((0..4).map(|index| Chunk {
            piece: Some(PieceOf { block: 0, index }),
            ..chunk(b / 2.0 - 25.0, false)
        }));
        chunks.push(chunk(10.0, false));
        let parts = Rc::new(RefCell::new(Vec::new()));
        let splits: Vec<Box<dyn SplitBlock>> = vec![Box::new(Recorder {
            parts: parts.clone(),
        })];
        let paged = paginate(&chunks, &splits, &style, 0);
        assert_eq!(first_chunks(&paged), vec![0, 3]);
        // The continuing part starts below the room kept for the repeated header.
        assert_eq!(paged.pages[1].placed[0], (3, top + 40.0));
        finish_pages(paged, chunks, &splits, &style, &fonts, "t", &[]);
        assert_eq!(*parts.borrow(), vec![vec![1, 2], vec![3, 4]]);
    }
}
