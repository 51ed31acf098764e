//! The table of contents: one entry per heading (up to the configured depth), with dotted
//! leaders, right-aligned page numbers and a link to the heading. A list of figures
//! (`<toc kind="figures" title="図表目次"/>`) is set the same way: one entry per captioned
//! figure, its caption as the text.

use super::blocks::{Builder, Ctx, TocOf};
use super::flow::Chunk;
use super::inline::{self, Piece};
use crate::compose::ParagraphStyle;
use crate::page::{Item, Role};

pub(crate) fn build(b: &mut Builder, of: &TocOf, ctx: Ctx) {
    b.open(Role::TOC, Default::default());
    let text = match of {
        // "{title}" is the document's title (for example "○○市自治体経営白書 2021 目次").
        TocOf::Headings => b.style().file.toc.title.replace("{title}", b.doc_title),
        TocOf::Figures { title } => title.replace("{title}", b.doc_title),
    };
    // The title is the TOC's caption: read first, and not one of its entries.
    if !text.trim().is_empty() {
        let caption = b.open(Role::Caption, Default::default());
        b.close();
        title(b, ctx, caption, text);
    }
    match of {
        TocOf::Headings => entries(b, ctx),
        TocOf::Figures { .. } => figure_entries(b, ctx),
    }
    b.close();
}

/// Makes the runs of `chunks` content of the structure element `node`.
fn tag_runs(chunks: &mut [Chunk], node: u32) {
    for c in chunks {
        for it in &mut c.items {
            if let Item::Text(r) = it {
                r.node = node;
            }
        }
        if let Some(l) = &mut c.line {
            for r in &mut l.line.runs {
                r.node = node;
            }
        }
    }
}

/// The TOC's title, set like a chapter heading.
fn title(b: &mut Builder, ctx: Ctx, node: u32, text: String) {
    let style = b.style();
    // Title set like a chapter heading, but not itself a TOC entry or page break.
    let mut title = style.resolve("h1", &[]);
    title.page_break_before = false;
    let segs = vec![vec![Piece {
        text,
        font: title.font_name.clone(),
        size: title.size,
        color: title.color,
        pos: Default::default(),
        mark: 0,
        lang: None,
    }]];
    // Not source text: composed without the accounting.
    let sources = b.set.sources.take();
    let mut chunks = b.paragraph(&segs, &title, Default::default(), ctx, 0.0);
    b.set.sources = sources;
    tag_runs(&mut chunks, node);
    if let Some(c) = chunks.last_mut() {
        c.keep_with_next = true;
        c.space_after = title.space_after;
        if title.rule_below > 0.0 {
            let y = c.height + 1.5 + title.rule_below / 2.0;
            c.items.push(Item::Line {
                x1: ctx.left,
                y1: y,
                x2: ctx.left + ctx.width,
                y2: y,
                width: title.rule_below,
                color: title.rule_color,
            });
            c.height += 1.5 + title.rule_below;
        }
    }
    b.chunks.extend(chunks.into_iter().map(|mut c| {
        c.cover = ctx.cover;
        c
    }));
}

/// One entry per heading in the TOC: text, leaders, page number, link.
fn entries(b: &mut Builder, ctx: Ctx) {
    let levels = &b.style().file.toc.levels;
    for (i, h) in b.headings.iter().enumerate() {
        if !h.in_toc {
            continue;
        }
        let lv = &levels[(h.level as usize - 1).min(levels.len() - 1)];
        let landing = b.landings.and_then(|l| l.get(i).copied());
        let look = Look {
            font: &lv.font,
            size: lv.size,
            indent: lv.indent.resolve(lv.size),
            space_before: lv.space_before.resolve(lv.size),
        };
        entry(b, ctx, &h.toc_title, h.pos, landing, &look);
    }
}

/// One entry per captioned figure in a list of figures, set like the TOC's deepest level
/// without its indent: the captions are all of one rank, below the chapters they belong to.
fn figure_entries(b: &mut Builder, ctx: Ctx) {
    let levels = &b.style().file.toc.levels;
    let Some(lv) = levels.last() else {
        return;
    };
    let look = Look {
        font: &lv.font,
        size: lv.size,
        indent: 0.0,
        space_before: lv.space_before.resolve(lv.size),
    };
    let first = b.headings.len();
    for (k, f) in b.figures.iter().enumerate() {
        if f.caption.is_empty() {
            continue;
        }
        let landing = b.landings.and_then(|l| l.get(first + k).copied());
        entry(b, ctx, &f.caption, f.pos, landing, &look);
    }
}

/// How an entry is set: font, size, indent and space before.
struct Look<'s> {
    font: &'s str,
    size: f32,
    indent: f32,
    space_before: f32,
}

/// One entry: `text` (lines after the first hang one em), leaders, the page number of
/// `landing` (a placeholder before the pages are known), and a link to it.
fn entry(
    b: &mut Builder,
    ctx: Ctx,
    text: &str,
    pos: crate::markup::Pos,
    landing: Option<super::flow::Landing>,
    look: &Look,
) {
    let style = b.style();
    let toc = &style.file.toc;
    let color = style
        .file
        .body
        .color
        .map(|c| c.0)
        .unwrap_or(crate::page::Color::BLACK);
    let right = ctx.left + ctx.width;
    let font = style.font(look.font);
    let size = look.size;
    let indent = look.indent;
    // Before the first pass the pages are unknown; a two-digit placeholder keeps the
    // entry's line breaks close to the final ones.
    let number = landing.map_or("00".to_string(), |(p, _)| (p + 1).to_string());
    let num_w = b.set.width(&number, font, size);
    let leader_w = b.set.width(&toc.leader, font, size).max(0.1);
    let text_w = ctx.width - indent - num_w - 3.0 * leader_w;
    let spans = b.set.spans(&[Piece {
        text: text.to_string(),
        font: look.font.to_string(),
        size,
        color,
        pos,
        mark: 0,
        lang: None,
    }]);
    let ps = ParagraphStyle {
        width: text_w.max(size),
        first_indent: 0.0,
        // Continuation lines hang under the title text.
        rest_indent: size,
        align: crate::compose::Align::Start,
    };
    b.open(Role::TOCI, pos);
    let link = b.open(Role::Link, pos);
    b.close();
    b.close();
    let mut lines = b.set.compose_generated(&spans, &ps, pos);
    for l in &mut lines {
        for r in &mut l.runs {
            r.node = link;
        }
    }
    let lh = size * toc.line_height;
    let x = ctx.left + indent;
    let mut items = Vec::new();
    for (k, l) in lines.iter().enumerate() {
        inline::line_items(l, x, k as f32 * lh, lh, size, &mut items);
    }
    let last_top = (lines.len().max(1) - 1) as f32 * lh;
    let base = last_top + inline::baseline(lh, size);
    // Where the ink of the last line ends (not `Line::width`, which may count blank space
    // the composer reserved at the line end).
    let text_end = x + lines
        .last()
        .and_then(|l| inline::extent(l, b.set.fonts))
        .map_or(0.0, |(_, r)| r);
    let num_x = right - num_w;
    // Leaders end at the same x on every entry (room for a three-digit number), so the
    // dots of all entries line up in columns; they start after the text.
    let lead_end = right - b.set.width("000", font, size) - leader_w * 0.5;
    let room = lead_end - (text_end + leader_w * 0.5);
    let count = (room / leader_w).floor().max(0.0) as usize;
    if count > 0 {
        let leaders = toc.leader.repeat(count);
        let lx = lead_end - count as f32 * leader_w;
        items.push(Item::Text(b.set.run(&leaders, font, size, color, lx, base)));
    }
    let mut number_run = b.set.run(&number, font, size, color, num_x, base);
    number_run.node = link;
    items.push(Item::Text(number_run));
    let height = lines.len().max(1) as f32 * lh;
    if let Some((page, y)) = landing {
        items.push(Item::Link {
            x,
            y: 0.0,
            width: right - x,
            height,
            target_page: page,
            target_y: y,
            node: link,
            contents: format!("{text} {number}"),
        });
    }
    b.chunks.push(Chunk {
        height,
        space_before: look.space_before,
        items,
        cover: ctx.cover,
        ..Chunk::default()
    });
}
