//! Tables: grid with colspan/rowspan, automatic column widths from min/max content widths
//! (as browsers' auto layout), wrapped and vertically centred cells, rules, header rows that
//! repeat on every page the table continues on (with an optional "（続き）" label).
//!
//! Cells hold inline content or paragraphs (`<p>`, typed list items `p.item`, `<ul>`/`<ol>`);
//! anything else in a cell is reported and its text set as a paragraph, never dropped.
//! Tall rows are cut into bands of lines so a page can break inside them (cells are then
//! top-aligned), and the table keeps its first and last rows with their neighbours.

use hakusho_diagnostics::Location;

use super::blocks::{self, Builder, Ctx};
use super::inline::{self, Piece, Segment};
use super::Chunk;
use crate::compose::{self, Line, Span};
use crate::markup::{Element, Node, Pos};
use crate::page::{Color, Item};
use crate::style::{parse_length, BlockStyle, Length, Resolved};

/// One paragraph of a cell.
struct CellPara {
    spans: Vec<Vec<Span>>,
    res: Resolved,
    first_indent: f32,
    /// Characters of the leading mark the following lines hang under.
    mark: usize,
    pos: Pos,
}

/// A composed line of a cell; `top` is relative to the cell's content box.
struct CellLine {
    line: Line,
    top: f32,
    lh: f32,
    size: f32,
}

struct Cell<'e> {
    el: &'e Element,
    row: usize,
    col: usize,
    colspan: usize,
    rowspan: usize,
    header: bool,
    res: Resolved,
    paras: Vec<CellPara>,
    min: f32,
    max: f32,
    lines: Vec<CellLine>,
    content_h: f32,
}

/// The paragraphs of a cell: its inline content as one paragraph (`<br/>` separating lines),
/// or its block children in order.
fn cell_paras(b: &mut Builder, el: &Element, block: &BlockStyle, res: &Resolved) -> Vec<CellPara> {
    let style = b.style();
    if el.child_elements().all(|c| inline::is_inline(&c.name)) {
        let segs = inline::segments(el, res, style);
        return vec![para(b, &segs, res.clone(), 0.0, 0, el.pos)];
    }
    let mut out = Vec::new();
    block_paras(b, el, block, res, &mut out);
    out
}

fn para(
    b: &mut Builder,
    segs: &[Segment],
    res: Resolved,
    indent: f32,
    mark: usize,
    pos: Pos,
) -> CellPara {
    CellPara {
        spans: segs.iter().map(|s| b.set.spans(s)).collect(),
        res,
        first_indent: indent,
        mark,
        pos,
    }
}

fn block_paras(
    b: &mut Builder,
    el: &Element,
    block: &BlockStyle,
    res: &Resolved,
    out: &mut Vec<CellPara>,
) {
    let style = b.style();
    let mut run: Vec<Node> = Vec::new();
    let flush = |b: &mut Builder, run: &mut Vec<Node>, out: &mut Vec<CellPara>| {
        if run.is_empty() {
            return;
        }
        let segs = inline::nodes_segments(run, el.pos, res, style);
        run.clear();
        if segs.iter().any(|s| !s.is_empty()) {
            out.push(para(b, &segs, res.clone(), 0.0, 0, el.pos));
        }
    };
    for n in &el.children {
        let e = match n {
            Node::Element(e) if !inline::is_inline(&e.name) => e,
            Node::Text(t, _) if run.is_empty() && t.trim().is_empty() => continue,
            other => {
                run.push(other.clone());
                continue;
            }
        };
        flush(b, &mut run, out);
        match e.name.as_str() {
            "p" => {
                let pres = style.resolve_over(block, "p", &e.classes);
                let segs = inline::segments(e, &pres, style);
                let mark = blocks::mark_chars(e, &segs, &style.file.lists.markers);
                let indent = pres.indent;
                out.push(para(b, &segs, pres, indent, mark, e.pos));
                nested_blocks(b, e, block, res, out);
            }
            "ul" | "ol" => {
                let lists = &style.file.lists;
                for (n, li) in e.child_elements().filter(|x| x.name == "li").enumerate() {
                    let marker = if e.name == "ol" {
                        if e.has_class("circled") {
                            blocks::circled(n + 1)
                        } else {
                            lists.number.replace("{n}", &(n + 1).to_string())
                        }
                    } else if e.has_class("double-circle") {
                        lists.double_circle.clone()
                    } else {
                        lists.bullet.clone()
                    };
                    // Latin markers ("(1)") need a space before the text; ①・◎ do not.
                    let marker = if marker.ends_with(|c: char| c.is_ascii()) {
                        format!("{marker} ")
                    } else {
                        marker
                    };
                    let lres = style.resolve_over(block, "li", &li.classes);
                    let mut segs = inline::segments(li, &lres, style);
                    let mark = marker.chars().count();
                    if let Some(first) = segs.first_mut() {
                        if let Some(sources) = b.set.sources.as_deref_mut() {
                            let shown = marker.chars().filter(|c| !c.is_whitespace()).count();
                            sources.add_generated(shown);
                        }
                        first.insert(
                            0,
                            Piece {
                                text: marker,
                                font: lres.font_name.clone(),
                                size: lres.size,
                                color: lres.color,
                                pos: li.pos,
                            },
                        );
                    }
                    out.push(para(b, &segs, lres, 0.0, mark, li.pos));
                    nested_blocks(b, li, block, res, out);
                }
            }
            // Grouping: its content takes part in the cell.
            "div" | "section" => block_paras(b, e, block, res, out),
            other => {
                b.set.diags.warning(
                    Location::text(b.set.source, e.pos.line, e.pos.column),
                    format!("<{other}> は表のセルの中では使えません。文字だけを段落として組みます"),
                    format!("<{other}> is not supported in a table cell; its text is set as a paragraph"),
                );
                let text = inline::plain_text(e);
                if !text.is_empty() {
                    let segs = vec![vec![Piece {
                        text,
                        font: res.font_name.clone(),
                        size: res.size,
                        color: res.color,
                        pos: e.pos,
                    }]];
                    out.push(para(b, &segs, res.clone(), 0.0, 0, e.pos));
                }
            }
        }
    }
    flush(b, &mut run, out);
}

/// Blocks inside a cell's paragraph or list item (a list inside an item): set after it.
fn nested_blocks(
    b: &mut Builder,
    el: &Element,
    block: &BlockStyle,
    res: &Resolved,
    out: &mut Vec<CellPara>,
) {
    if el.child_elements().all(|c| inline::is_inline(&c.name)) {
        return;
    }
    let only_blocks = Element {
        children: el
            .children
            .iter()
            .filter(|n| matches!(n, Node::Element(e) if !inline::is_inline(&e.name)))
            .cloned()
            .collect(),
        ..el.clone()
    };
    block_paras(b, &only_blocks, block, res, out);
}

pub(crate) fn build(b: &mut Builder, el: &Element, ctx: Ctx) {
    let style = b.style();
    let ts = &style.file.table;
    let pad_h = ts.padding_h.resolve(ts.size);
    let pad_v = ts.padding_v.resolve(ts.size);

    // Rows in order, header rows first (a <thead> written after <tbody> still heads the table).
    let mut header_rows: Vec<&Element> = Vec::new();
    let mut body_rows: Vec<&Element> = Vec::new();
    let mut col_specs: Vec<Option<String>> = Vec::new();
    for c in el.child_elements() {
        match c.name.as_str() {
            "thead" => header_rows.extend(c.child_elements().filter(|r| r.name == "tr")),
            "tbody" => body_rows.extend(c.child_elements().filter(|r| r.name == "tr")),
            "tr" => body_rows.push(c),
            "col" => col_specs.push(c.attr("width").map(str::to_string)),
            "colgroup" => col_specs.extend(
                c.child_elements()
                    .filter(|x| x.name == "col")
                    .map(|x| x.attr("width").map(str::to_string)),
            ),
            _ => {}
        }
    }
    let n_header = header_rows.len();
    let rows: Vec<&Element> = header_rows.into_iter().chain(body_rows).collect();
    if rows.is_empty() {
        return;
    }

    let base = |header: bool| BlockStyle {
        font: Some(if header {
            ts.header_font.clone().unwrap_or(ts.font.clone())
        } else {
            ts.font.clone()
        }),
        size: Some(ts.size),
        line_height: Some(ts.line_height),
        color: style.file.body.color,
        ..BlockStyle::default()
    };

    // Place cells on the grid.
    let mut occupied: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    let mut cells: Vec<Cell> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let mut col = 0;
        for c in row
            .child_elements()
            .filter(|c| c.name == "td" || c.name == "th")
        {
            while occupied[r].get(col).copied().unwrap_or(false) {
                col += 1;
            }
            let span = |a: &str| {
                c.attr(a)
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 1000)
            };
            let colspan = span("colspan");
            let rowspan = span("rowspan").min(rows.len() - r);
            for row in &mut occupied[r..r + rowspan] {
                if row.len() < col + colspan {
                    row.resize(col + colspan, false);
                }
                row[col..col + colspan].fill(true);
            }
            let header = r < n_header || c.name == "th";
            let block = style.block_over(&base(header), &c.name, &c.classes);
            let res = style.resolve_over(&base(header), &c.name, &c.classes);
            let paras = cell_paras(b, c, &block, &res);
            let (mut min, mut max) = (0.0f32, 0.0f32);
            for p in &paras {
                for (k, s) in p.spans.iter().enumerate() {
                    let indent = if k == 0 { p.first_indent } else { 0.0 };
                    min = min.max(compose::min_width(s, b.set.fonts) + indent);
                    max = max.max(compose::natural_width(s, b.set.fonts) + indent);
                }
            }
            cells.push(Cell {
                el: c,
                row: r,
                col,
                colspan,
                rowspan,
                header,
                res,
                paras,
                min: min + 2.0 * pad_h,
                max: max + 2.0 * pad_h,
                lines: Vec::new(),
                content_h: 0.0,
            });
            col += colspan;
        }
    }
    // Rows not in the markup's own rows (a header row without cells, say) are harmless;
    // other children of <table>/<tr> are reported.
    report_strays(b, el);
    let ncols = occupied.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let fixed: Vec<Option<f32>> = (0..ncols)
        .map(|i| {
            col_specs
                .get(i)
                .cloned()
                .flatten()
                .and_then(|w| col_width(&w, ctx.width, ts.size))
        })
        .collect();
    let spans: Vec<(usize, usize, f32, f32)> = cells
        .iter()
        .map(|c| (c.col, c.colspan, c.min, c.max))
        .collect();
    let widths = column_widths(&spans, ncols, &fixed, ctx.width);
    let xs: Vec<f32> = std::iter::once(0.0)
        .chain(widths.iter().scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        }))
        .map(|x| x + ctx.left)
        .collect();

    // Compose cell text and size the rows.
    let mut row_h: Vec<f32> = vec![0.0; rows.len()];
    for cell in &mut cells {
        let w = (xs[cell.col + cell.colspan] - xs[cell.col] - 2.0 * pad_h).max(1.0);
        let mut y = 0.0;
        let mut prev_after: Option<f32> = None;
        // a cell's paragraphs are composed once: freed as soon as they are (memory of long
        // tables, issue 17 point 9)
        for p in std::mem::take(&mut cell.paras) {
            let lines = b.spans_marked(&p.spans, &p.res, p.pos, w, p.first_indent, p.mark);
            if lines.is_empty() {
                continue;
            }
            y += prev_after.map_or(0.0, |a| a.max(p.res.space_before));
            let lh = p.res.size * p.res.line_height;
            for line in lines {
                cell.lines.push(CellLine {
                    line,
                    top: y,
                    lh,
                    size: p.res.size,
                });
                y += lh;
            }
            prev_after = Some(p.res.space_after);
        }
        cell.content_h = y.max(cell.res.size * cell.res.line_height);
        let need = cell.content_h + 2.0 * pad_v;
        if cell.rowspan == 1 {
            row_h[cell.row] = row_h[cell.row].max(need);
        }
    }
    align_decimals(&mut cells, ncols, b.set.fonts);
    for h in row_h.iter_mut() {
        if *h == 0.0 {
            *h = ts.size * ts.line_height + 2.0 * pad_v;
        }
    }
    for cell in cells.iter().filter(|c| c.rowspan > 1) {
        let need = cell.content_h + 2.0 * pad_v;
        let have: f32 = row_h[cell.row..cell.row + cell.rowspan].iter().sum();
        if need > have {
            row_h[cell.row + cell.rowspan - 1] += need - have;
        }
    }

    // The cells of each row (cells were placed row by row): every step below looks at the
    // cells of a few rows, so a table of 100,000 rows costs 100,000 steps, not their square.
    let mut row_cells: Vec<std::ops::Range<usize>> = vec![0..0; rows.len()];
    {
        let mut i = 0;
        for (r, range) in row_cells.iter_mut().enumerate() {
            let from = i;
            while i < cells.len() && cells[i].row == r {
                i += 1;
            }
            *range = from..i;
        }
    }
    let cells_of = |a: usize, z: usize| row_cells[a].start..row_cells[z].end;

    // Row groups: rows tied by a rowspan move between pages together.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    if n_header > 0 {
        groups.push((0, n_header - 1));
    }
    let mut r = n_header;
    while r < rows.len() {
        let mut end = r;
        let mut k = r;
        while k <= end {
            for c in &cells[cells_of(k, k)] {
                end = end.max(c.row + c.rowspan - 1);
            }
            k += 1;
        }
        groups.push((r, end));
        r = end + 1;
    }

    let table_id = b.table_headers.len();
    let rule_color = ts.rule_color.map(|c| c.0).unwrap_or(Color::BLACK);
    let last_row = rows.len() - 1;
    let mut header_chunk = None;
    let start = b.chunks.len();
    let (m_top, _, m_bottom, _) = style.margins();
    let page_body = style.page_height - m_top - m_bottom;
    let header_h: f32 = row_h[..n_header].iter().sum();
    // A row taller than this is cut into bands of lines so a page can break inside it.
    let band_above = (ts.size * ts.line_height * 6.0 + 2.0 * pad_v).min(page_body - header_h - 1.0);
    let mut body_groups: Vec<std::ops::Range<usize>> = Vec::new();
    for &(a, z) in &groups {
        // Each cell belongs to one group: its lines are freed once the group's chunks hold
        // them as items (memory of long tables, issue 17 point 9).
        let group_cells = cells_of(a, z);
        let is_header = n_header > 0 && a == 0;
        let first_chunk = b.chunks.len();
        if !is_header && a == z && row_h[a] > band_above && row_h[a] > 4.0 * ts.size {
            bands(
                b,
                &cells[group_cells.clone()],
                a,
                row_h[a],
                &xs,
                ncols,
                n_header,
                last_row,
                table_id,
                ctx,
            );
            body_groups.push(first_chunk..b.chunks.len());
            free_lines(&mut cells[group_cells]);
            continue;
        }
        // row_top[k]: the top of row a + k within the group
        let mut row_top = vec![0.0; z - a + 2];
        for rr in a..=z {
            row_top[rr - a + 1] = row_top[rr - a] + row_h[rr];
        }
        let height = row_top[z - a + 1];
        let mut fills = Vec::new();
        let mut texts = Vec::new();
        let mut rules = Vec::new();
        for cell in &cells[group_cells.clone()] {
            let x0 = xs[cell.col];
            let x1 = xs[cell.col + cell.colspan];
            let y0 = row_top[cell.row - a];
            let y1 = row_top[(cell.row + cell.rowspan).min(z + 1) - a];
            if cell.header {
                if let Some(bg) = ts.header_background {
                    fills.push(Item::Rect {
                        x: x0,
                        y: y0,
                        width: x1 - x0,
                        height: y1 - y0,
                        fill: bg.0,
                    });
                }
            }
            let top = y0 + ((y1 - y0) - cell.content_h) / 2.0;
            for l in &cell.lines {
                inline::line_items(&l.line, x0 + pad_h, top + l.top, l.lh, l.size, &mut texts);
            }
            let top_w = if cell.row == 0 {
                ts.outer_rule
            } else if cell.row == n_header && n_header > 0 {
                ts.header_rule
            } else {
                ts.rule
            };
            let left_w = if cell.col == 0 {
                ts.outer_rule
            } else {
                ts.rule
            };
            rules.push((x0, y0, x1, y0, top_w));
            rules.push((x0, y0, x0, y1, left_w));
            if cell.col + cell.colspan == ncols {
                rules.push((x1, y0, x1, y1, ts.outer_rule));
            }
            if cell.row + cell.rowspan > z {
                let w = if z == last_row {
                    ts.outer_rule
                } else if is_header {
                    ts.header_rule
                } else {
                    ts.rule
                };
                rules.push((x0, y1, x1, y1, w));
            }
        }
        let items = stack_items(fills, rules, texts, rule_color);
        let chunk = Chunk {
            height,
            items,
            keep_with_next: is_header,
            table: Some(table_id),
            is_table_header: is_header,
            cover: ctx.cover,
            ..Chunk::default()
        };
        if is_header {
            header_chunk = Some(chunk.clone());
        } else {
            body_groups.push(first_chunk..first_chunk + 1);
        }
        b.chunks.push(chunk);
        free_lines(&mut cells[group_cells]);
    }
    keep_rows_together(&mut b.chunks[start..], &body_groups, start, page_body);
    let repeated = repeated_header(b, header_chunk, ctx);
    b.table_headers.push(repeated);
    if let Some(c) = b.chunks.get_mut(start) {
        c.space_before = ts.space_before.resolve(ts.size);
    }
    if let Some(c) = b.chunks.last_mut() {
        c.space_after = ts.space_after.resolve(ts.size);
    }
}

fn free_lines(cells: &mut [Cell]) {
    for c in cells {
        c.lines = Vec::new();
    }
}

/// Orphan and widow control for a table: a small table stays whole; otherwise its first body
/// row never ends a page alone (it goes with the next row, the header with both) and its last
/// row never starts a page alone. `groups` are chunk ranges (absolute indices) of the body
/// row groups; `chunks` starts at `start`.
/// A row's items in painting order: cell fills under the rules, text on top.
fn stack_items(
    fills: Vec<Item>,
    rules: Vec<(f32, f32, f32, f32, f32)>,
    texts: Vec<Item>,
    color: Color,
) -> Vec<Item> {
    let mut items = fills;
    items.extend(rules.into_iter().map(|(x1, y1, x2, y2, width)| Item::Line {
        x1,
        y1,
        x2,
        y2,
        width,
        color,
    }));
    items.extend(texts);
    items
}

fn keep_rows_together(
    chunks: &mut [Chunk],
    groups: &[std::ops::Range<usize>],
    start: usize,
    page_body: f32,
) {
    let n = chunks.len();
    if n == 0 {
        return;
    }
    let total: f32 = chunks.iter().map(|c| c.height).sum();
    if total <= page_body * 0.15 {
        for c in &mut chunks[..n - 1] {
            c.keep_with_next = true;
        }
        return;
    }
    let m = groups.len();
    if m >= 2 {
        // The end of the first group goes with the start of the second.
        chunks[groups[0].end - 1 - start].keep_with_next = true;
        // The last group is not left alone at the top of a page (when it is one chunk: a
        // cut row keeps its own last lines together).
        if groups[m - 1].len() == 1 {
            chunks[groups[m - 1].start - 1 - start].keep_with_next = true;
        }
    }
}

/// The header repeated on continuation pages, with the continued label above it.
fn repeated_header(b: &mut Builder, header: Option<Chunk>, ctx: Ctx) -> Option<Chunk> {
    let style = b.style();
    let ts = &style.file.table;
    let Some(label) = ts.continued_label.as_deref().filter(|l| !l.is_empty()) else {
        return header;
    };
    let size = (ts.size * 0.9).max(6.0);
    let lh = size * 1.5;
    let color = Color {
        r: 0.35,
        g: 0.35,
        b: 0.35,
    };
    // Composed flush right like any line, so a closing bracket's blank does not push the ink
    // past the table's edge.
    let spans = b.set.spans(&[Piece {
        text: label.to_string(),
        font: ts.font.clone(),
        size,
        color,
        pos: Pos::default(),
    }]);
    let ps = compose::ParagraphStyle {
        width: ctx.width,
        first_indent: 0.0,
        rest_indent: 0.0,
        align: compose::Align::End,
    };
    let mut items = Vec::new();
    for (i, l) in b
        .set
        .compose_generated(&spans, &ps, Pos::default())
        .iter()
        .enumerate()
    {
        inline::line_items(l, ctx.left, i as f32 * lh, lh, size, &mut items);
    }
    let mut height = lh;
    if let Some(h) = header {
        for mut it in h.items {
            super::shift(&mut it, lh);
            items.push(it);
        }
        height += h.height;
    }
    Some(Chunk {
        height,
        items,
        ..Chunk::default()
    })
}

/// Cuts a tall row into one chunk per line band of its tallest cell, so that a page can break
/// between its lines. Cells are top-aligned; each band draws its part of the vertical rules,
/// the first band the row's top rule, the last its bottom rule.
#[allow(clippy::too_many_arguments)]
fn bands(
    b: &mut Builder,
    cells: &[Cell],
    row: usize,
    height: f32,
    xs: &[f32],
    ncols: usize,
    n_header: usize,
    last_row: usize,
    table_id: usize,
    ctx: Ctx,
) {
    let style = b.style();
    let ts = &style.file.table;
    let pad_v = ts.padding_v.resolve(ts.size);
    let pad_h = ts.padding_h.resolve(ts.size);
    let rule_color = ts.rule_color.map(|c| c.0).unwrap_or(Color::BLACK);
    // `cells` are the cells of this row
    let row_cells: Vec<&Cell> = cells.iter().filter(|c| c.row == row).collect();
    let Some(driver) = row_cells
        .iter()
        .max_by(|x, y| x.content_h.total_cmp(&y.content_h))
    else {
        return;
    };
    // Band edges: the row top, then the top of each of the driver's lines after the first.
    let mut edges: Vec<f32> = vec![0.0];
    edges.extend(driver.lines.iter().skip(1).map(|l| pad_v + l.top));
    edges.push(height);
    let n = edges.len() - 1;
    let first_chunk = b.chunks.len();
    // Row labels (th cells other than the tallest one: "概要") are placed by paginate: centred
    // in the row when it stays whole, at the top of each part when a page break cuts it, so
    // no part loses its first column.
    let is_label = |c: &Cell| c.header && !std::ptr::eq(c, *driver);
    let (mut top_items, mut centred_items) = (Vec::new(), Vec::new());
    for c in row_cells.iter().filter(|c| is_label(c)) {
        let x0 = xs[c.col];
        let centre_top = (height - c.content_h) / 2.0;
        for l in &c.lines {
            let (x, lh, size) = (x0 + pad_h, l.lh, l.size);
            inline::line_items(&l.line, x, pad_v + l.top, lh, size, &mut top_items);
            inline::line_items(&l.line, x, centre_top + l.top, lh, size, &mut centred_items);
        }
    }
    let label = std::sync::Arc::new(super::BandLabel {
        top: top_items,
        centred: centred_items,
    });
    for k in 0..n {
        let (y0, y1) = (edges[k], edges[k + 1]);
        let h = y1 - y0;
        let mut fills = Vec::new();
        let mut rules = Vec::new();
        let mut texts = Vec::new();
        for c in &row_cells {
            let (x0, x1) = (xs[c.col], xs[c.col + c.colspan]);
            if c.header {
                if let Some(bg) = ts.header_background {
                    fills.push(Item::Rect {
                        x: x0,
                        y: 0.0,
                        width: x1 - x0,
                        height: h,
                        fill: bg.0,
                    });
                }
            }
            if is_label(c) {
                continue;
            }
            for l in &c.lines {
                let top = pad_v + l.top;
                let in_band =
                    top >= y0 - 0.01 && (top < y1 - 0.01 || (k + 1 == n && top < y1 + 0.01));
                if in_band {
                    inline::line_items(&l.line, x0 + pad_h, top - y0, l.lh, l.size, &mut texts);
                }
            }
            let left_w = if c.col == 0 { ts.outer_rule } else { ts.rule };
            rules.push((x0, 0.0, x0, h, left_w));
            if c.col + c.colspan == ncols {
                rules.push((x1, 0.0, x1, h, ts.outer_rule));
            }
            if k == 0 {
                let top_w = if row == 0 {
                    ts.outer_rule
                } else if row == n_header && n_header > 0 {
                    ts.header_rule
                } else {
                    ts.rule
                };
                rules.push((x0, 0.0, x1, 0.0, top_w));
            }
            if k + 1 == n {
                let w = if row == last_row {
                    ts.outer_rule
                } else {
                    ts.rule
                };
                rules.push((x0, h, x1, h, w));
            }
        }
        let items = stack_items(fills, rules, texts, rule_color);
        b.chunks.push(Chunk {
            height: h,
            items,
            table: Some(table_id),
            cover: ctx.cover,
            // A page break between two bands closes the row at the page bottom and opens it
            // again at the top of the next page.
            band: Some(super::Band {
                index: k,
                count: n,
                label: label.clone(),
            }),
            cut_rule: Some(super::CutRule {
                x0: xs[0],
                x1: xs[ncols],
                width: ts.rule,
                color: rule_color,
                row: (table_id, row),
            }),
            ..Chunk::default()
        });
    }
    // At least two lines of the row on each side of a page break.
    let made = b.chunks.len() - first_chunk;
    if made >= 2 {
        b.chunks[first_chunk].keep_with_next = true;
        b.chunks[first_chunk + made - 2].keep_with_next = true;
    }
}

/// Children of `<table>`/`<tr>` that are not rows or cells: reported (their content would be
/// lost otherwise).
fn report_strays(b: &mut Builder, table: &Element) {
    let mut strays: Vec<&Element> = Vec::new();
    for c in table.child_elements() {
        match c.name.as_str() {
            "thead" | "tbody" => {
                for r in c.child_elements() {
                    if r.name == "tr" {
                        strays.extend(
                            r.child_elements()
                                .filter(|x| x.name != "td" && x.name != "th"),
                        );
                    } else {
                        strays.push(r);
                    }
                }
            }
            "tr" => strays.extend(
                c.child_elements()
                    .filter(|x| x.name != "td" && x.name != "th"),
            ),
            "col" | "colgroup" => {}
            _ => strays.push(c),
        }
    }
    for s in strays {
        let text = inline::plain_text(s);
        b.set.diags.warning(
            Location::text(b.set.source, s.pos.line, s.pos.column),
            format!(
                "<{}> は表のこの位置では使えません（セルの外の内容は組まれません）: {text}",
                s.name
            ),
            format!(
                "<{}> is not expected here in a table (content outside cells is not set): {text}",
                s.name
            ),
        );
    }
}

/// `<col width>`: `25%` of the table, or a length (`30mm`, `80pt`, `80`).
fn col_width(spec: &str, table_width: f32, em: f32) -> Option<f32> {
    if let Some(p) = spec.trim().strip_suffix('%') {
        return p
            .trim()
            .parse::<f32>()
            .ok()
            .map(|v| table_width * v / 100.0);
    }
    parse_length(spec).map(|l: Length| l.resolve(em))
}

/// Browser-style automatic table layout, table as wide as `avail`: every column gets at least
/// its min-content width; if the max-content widths fit, the rest is shared in proportion to
/// them; otherwise each column gets its minimum plus a share of the remaining space in
/// proportion to how much more it would like.
/// `cells`: (first column, colspan, min-content width, max-content width).
fn column_widths(
    cells: &[(usize, usize, f32, f32)],
    ncols: usize,
    fixed: &[Option<f32>],
    avail: f32,
) -> Vec<f32> {
    let mut min = vec![0.0f32; ncols];
    let mut max = vec![0.0f32; ncols];
    for &(col, _, cmin, cmax) in cells.iter().filter(|c| c.1 == 1) {
        min[col] = min[col].max(cmin);
        max[col] = max[col].max(cmax);
    }
    let mut spanning: Vec<&(usize, usize, f32, f32)> = cells.iter().filter(|c| c.1 > 1).collect();
    spanning.sort_by_key(|c| c.1);
    for &&(col, span, cmin, cmax) in &spanning {
        let r = col..col + span;
        for (vals, want) in [(&mut min, cmin), (&mut max, cmax)] {
            let have: f32 = vals[r.clone()].iter().sum();
            if want > have {
                let add = (want - have) / span as f32;
                for v in &mut vals[r.clone()] {
                    *v += add;
                }
            }
        }
    }
    for i in 0..ncols {
        if let Some(w) = fixed[i] {
            min[i] = w;
            max[i] = w;
        }
        max[i] = max[i].max(min[i]);
    }
    let sum_min: f32 = min.iter().sum();
    let sum_max: f32 = max.iter().sum();
    if sum_max <= avail {
        let flexible: f32 = (0..ncols)
            .filter(|&i| fixed[i].is_none())
            .map(|i| max[i])
            .sum();
        let extra = avail - sum_max;
        (0..ncols)
            .map(|i| {
                if fixed[i].is_none() && flexible > 0.0 {
                    max[i] + extra * max[i] / flexible
                } else {
                    max[i]
                }
            })
            .collect()
    } else if sum_min >= avail {
        // Overfull: shrink proportionally (text may overflow its cell, but the page survives).
        min.iter().map(|m| m * avail / sum_min).collect()
    } else {
        let f = (avail - sum_min) / (sum_max - sum_min);
        (0..ncols).map(|i| min[i] + (max[i] - min[i]) * f).collect()
    }
}

/// Lines up numbers on their decimal point (or the end of their integer part) in `td.num`
/// columns, units hanging to the right: right alignment already lines up the last character,
/// which puts the points of "38.8%", "12件" and "1.25ha" at different places. Each number line
/// moves left by how much shorter its part after the point (fraction and unit) is than the
/// longest one in the column. Lines that are not numbers ("―", "(平成21年)"), compound values
/// ("8施設 98事業者") and columns whose units differ by more than two ems stay right-aligned.
fn align_decimals(cells: &mut [Cell], ncols: usize, fonts: &crate::font::FontSet) {
    for col in 0..ncols {
        // (cell, line, width after the point, room on the left, font size)
        let mut shapes: Vec<(usize, usize, f32, f32, f32)> = Vec::new();
        for (ci, c) in cells.iter().enumerate() {
            if c.col != col || c.colspan != 1 || c.header || !c.el.has_class("num") {
                continue;
            }
            for (li, l) in c.lines.iter().enumerate() {
                if let Some((after, left)) = number_shape(&l.line, fonts) {
                    shapes.push((ci, li, after, left, l.size));
                }
            }
        }
        if shapes.len() < 2 {
            continue;
        }
        let max = shapes.iter().map(|s| s.2).fold(0.0, f32::max);
        let min = shapes.iter().map(|s| s.2).fold(f32::MAX, f32::min);
        let em = shapes.iter().map(|s| s.4).fold(0.0, f32::max);
        if max - min > 2.0 * em || shapes.iter().any(|s| max - s.2 > s.3 + 0.01) {
            continue;
        }
        for (ci, li, after, _, _) in shapes {
            let d = max - after;
            if d > 0.01 {
                for r in &mut cells[ci].lines[li].line.runs {
                    r.x -= d;
                }
            }
        }
    }
}

/// For a line that starts with a number (digits, thousands commas, an optional fraction) and
/// has no other number after it: the width from the decimal point (or the integer part's end)
/// to the line's end, and the room left of the line (its left edge from the content box's).
fn number_shape(line: &Line, fonts: &crate::font::FontSet) -> Option<(f32, f32)> {
    let mut glyphs: Vec<(f32, f32, char)> = Vec::new();
    for r in &line.runs {
        let f = fonts.get(r.font);
        for (g, text) in r.glyph_texts() {
            let c = text.chars().next()?;
            let adv = f.glyph(c).map_or(0.0, |gi| gi.advance * r.size);
            glyphs.push((r.x + g.x, adv, c));
        }
    }
    let is_digit = |c: char| c.is_ascii_digit();
    let first = glyphs.iter().position(|g| g.2 != ' ')?;
    let mut i = first;
    // A sign belongs to the number.
    if matches!(glyphs[i].2, '-' | '+' | '△' | '▲' | '−') {
        i += 1;
    }
    if !glyphs.get(i).is_some_and(|g| is_digit(g.2)) {
        return None;
    }
    while i < glyphs.len() && (is_digit(glyphs[i].2) || glyphs[i].2 == ',') {
        i += 1;
    }
    let point = if i < glyphs.len() {
        glyphs[i].0
    } else {
        glyphs[i - 1].0 + glyphs[i - 1].1
    };
    if i + 1 < glyphs.len() && glyphs[i].2 == '.' && is_digit(glyphs[i + 1].2) {
        i += 1;
        while i < glyphs.len() && is_digit(glyphs[i].2) {
            i += 1;
        }
    }
    if glyphs[i..].iter().any(|g| is_digit(g.2)) {
        return None;
    }
    let end = glyphs
        .iter()
        .rev()
        .find(|g| g.2 != ' ')
        .map_or(point, |g| g.0 + g.1);
    Some((end - point, glyphs[first].0))
}

#[cfg(test)]
mod tests {
    use super::column_widths;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    }

    #[test]
    fn room_to_spare_is_shared_in_proportion_to_max_content() {
        let w = column_widths(
            &[(0, 1, 10.0, 100.0), (1, 1, 10.0, 50.0)],
            2,
            &[None, None],
            300.0,
        );
        assert!(close(&w, &[200.0, 100.0]), "{w:?}");
    }

    #[test]
    fn tight_tables_grow_from_min_toward_max() {
        let w = column_widths(
            &[(0, 1, 20.0, 220.0), (1, 1, 20.0, 20.0)],
            2,
            &[None, None],
            140.0,
        );
        // 40 of min; 100 left shared by how much more each wants (200 vs 0).
        assert!(close(&w, &[120.0, 20.0]), "{w:?}");
    }

    #[test]
    fn spanning_cells_widen_the_columns_they_span_and_fixed_columns_stay() {
        let cells = [
            (0, 1, 10.0, 10.0),
            (1, 1, 10.0, 10.0),
            (0, 2, 100.0, 100.0),
            (2, 1, 5.0, 5.0),
        ];
        let w = column_widths(&cells, 3, &[None, None, Some(30.0)], 130.0);
        assert!(close(&w, &[50.0, 50.0, 30.0]), "{w:?}");
    }

    #[test]
    fn overfull_tables_shrink_to_the_page() {
        let w = column_widths(
            &[(0, 1, 300.0, 400.0), (1, 1, 100.0, 100.0)],
            2,
            &[None, None],
            200.0,
        );
        assert!(close(&w, &[150.0, 50.0]), "{w:?}");
    }
}
