//! Tables: grid with colspan/rowspan, automatic column widths from min/max content widths
//! (as browsers' auto layout), wrapped and vertically centred cells, rules, header rows that
//! repeat on every page the table continues on (with an optional "（続き）" label).
//!
//! A cell is a region ([`super::region`]): the block layouter measures its content (to size
//! the columns) and lays it out in its column's width, as it lays out the page; the table
//! places the lines and items that come back (centred in the row, or cut into bands).
//! Tall rows are cut into bands of lines so a page can break inside them (cells are then
//! top-aligned), and the table keeps its first and last rows with their neighbours.

use hakusho_diagnostics::Location;

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use super::blocks::{Builder, Ctx};
use super::flow::{push_shifted, shift, Chunk, PieceOf, SplitBlock};
use super::inline::{self, Piece};
use super::region::{RegionContent, RegionStyle};
use crate::compose::{self, Line};
use crate::markup::{Element, Pos};
use crate::page::{Color, Item, Role, Scope};
use crate::style::{parse_length, BlockStyle, Length, TableStyle};

struct Cell<'e> {
    el: &'e Element,
    row: usize,
    col: usize,
    colspan: usize,
    rowspan: usize,
    header: bool,
    /// The cell as a region: what the blocks inside it start from.
    region: Rc<RegionStyle>,
    min: f32,
    max: f32,
    content: RegionContent,
    content_h: f32,
}

/// A band of a row cut into lines: band `index` of `count`.
#[derive(Debug)]
struct BandOf {
    index: usize,
    count: usize,
    label: Arc<BandLabel>,
}

/// The label cells of a cut row ("概要"), y relative to the top of the row (part).
#[derive(Debug, Default)]
struct BandLabel {
    /// At the top of a part, for a row a page break cuts.
    top: Vec<Item>,
    /// Centred in the row, for a row that stays whole.
    centred: Vec<Item>,
}

/// A table as the flow sees it: its rows are pieces of the flow (one chunk per row group, or
/// per band of a cut row); it lays out the part of itself each page gets.
struct Table {
    /// What a continuing part starts with: the header rows, with the continued label.
    header: Option<Chunk>,
    /// For each piece, the band of a cut row it is, if it is one.
    bands: Vec<Option<BandOf>>,
    /// The rule that closes a cut row at a page bottom and opens it at the next top.
    cut: CutRule,
}

#[derive(Debug, Clone, Copy)]
struct CutRule {
    x0: f32,
    x1: f32,
    width: f32,
    color: Color,
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

impl SplitBlock for Table {
    fn continuation_height(&self) -> Option<f32> {
        self.header.as_ref().map(|h| h.height)
    }

    /// The header rows again on a continuing part; a row cut by a page break is closed by a
    /// rule at the bottom of one part and opened at the top of the next, its labels at the
    /// top of each part (centred in a row that stays whole).
    fn lay_part(
        &self,
        part: &[(usize, f32)],
        page_top: f32,
        chunks: &mut [Chunk],
        out: &mut Vec<Item>,
    ) {
        let piece = |c: &Chunk| c.piece.map_or(0, |p| p.index);
        let Some(&(first, _)) = part.first() else {
            return;
        };
        if piece(&chunks[first]) > 0 {
            if let Some(h) = &self.header {
                push_shifted(out, h.items.iter().cloned(), page_top);
            }
        }
        // The cut row part being laid out: its first band's index and its top.
        let mut open: Option<(usize, f32)> = None;
        for &(n, dy) in part {
            let band = self.bands[piece(&chunks[n])].as_ref();
            if let (true, Some(band)) = (n == first, band) {
                if band.index > 0 {
                    out.push(self.cut.line(dy));
                }
            }
            push_shifted(out, std::mem::take(&mut chunks[n].items), dy);
            let Some(band) = band else {
                continue;
            };
            let (first_band, top) = *open.get_or_insert((band.index, dy));
            if band.index + 1 == band.count {
                if first_band == 0 {
                    push_shifted(out, band.label.centred.iter().cloned(), top);
                } else {
                    push_repeated(out, &band.label.top, top);
                }
                open = None;
            }
        }
        let Some(&(last, dy)) = part.last() else {
            return;
        };
        if let Some(band) = &self.bands[piece(&chunks[last])] {
            if band.index + 1 < band.count {
                out.push(self.cut.line(dy + chunks[last].height));
                match open {
                    Some((0, top)) => push_shifted(out, band.label.top.iter().cloned(), top),
                    Some((_, top)) => push_repeated(out, &band.label.top, top),
                    None => {}
                }
            }
        }
    }
}

/// The label cells of a cut row again on a later part: artifacts (the first part's are read).
fn push_repeated(out: &mut Vec<Item>, label: &[Item], top: f32) {
    let from = out.len();
    push_shifted(out, label.iter().cloned(), top);
    as_artifacts(&mut out[from..]);
}

/// The rows of a table, header rows first (a `<thead>` written after `<tbody>` still heads
/// the table), and its `<col>` widths.
struct Rows<'e> {
    /// Where the `<table>` is (its structure element's key).
    pos: Pos,
    rows: Vec<&'e Element>,
    n_header: usize,
    col_specs: Vec<Option<String>>,
}

fn rows_of(el: &Element) -> Rows<'_> {
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
    Rows {
        pos: el.pos,
        rows: header_rows.into_iter().chain(body_rows).collect(),
        n_header,
        col_specs,
    }
}

/// A table's geometry once its columns and rows are sized.
struct Grid {
    /// Column edges, absolute.
    xs: Vec<f32>,
    ncols: usize,
    n_header: usize,
    row_h: Vec<f32>,
    /// The cells of each row (cells are placed row by row): every step looks at the cells of
    /// a few rows, so a table of 100,000 rows costs 100,000 steps, not their square.
    row_cells: Vec<Range<usize>>,
    pad_v: f32,
    rule_color: Color,
    cover: bool,
}

impl Grid {
    fn cells_of(&self, a: usize, z: usize) -> Range<usize> {
        self.row_cells[a].start..self.row_cells[z].end
    }

    fn last_row(&self) -> usize {
        self.row_h.len() - 1
    }

    /// The rule above row `row`.
    fn top_rule(&self, ts: &TableStyle, row: usize) -> f32 {
        if row == 0 {
            ts.outer_rule
        } else if row == self.n_header && self.n_header > 0 {
            ts.header_rule
        } else {
            ts.rule
        }
    }
}

/// Tables nested in cells deeper than this are set as text: each level measures and lays out
/// the levels inside it again, and no markup may exhaust the stack.
const MAX_NESTING: usize = 8;

pub(crate) fn build(b: &mut Builder, el: &Element, ctx: Ctx) {
    let rows = rows_of(el);
    if rows.rows.is_empty() {
        return;
    }
    if b.region_depth >= MAX_NESTING {
        too_deep(b, el, ctx);
        return;
    }
    let (mut cells, ncols) = place_cells(b, &rows, ctx);
    if b.measure.is_some() {
        // A table inside a cell being measured: its columns' widths are what it needs.
        measure_table(b, &cells, ncols, ctx);
        return;
    }
    // Rows not in the markup's own rows (a header row without cells, say) are harmless;
    // other children of <table>/<tr> are reported.
    report_strays(b, el);
    let grid = size_grid(b, &mut cells, &rows, ncols, ctx);
    let block = b.splits.len();
    let start = b.chunks.len();
    let (header, bands) = lay_rows(b, &mut cells, &grid, ctx);
    for (index, c) in b.chunks[start..].iter_mut().enumerate() {
        c.piece = Some(PieceOf { block, index });
    }
    let ts = &b.style().file.table;
    let cut = CutRule {
        x0: grid.xs[0],
        x1: grid.xs[grid.ncols],
        width: ts.rule,
        color: grid.rule_color,
    };
    b.splits.push(Box::new(Table { header, bands, cut }));
}

/// Places the cells on the grid (colspan, rowspan) and measures their content; returns them
/// in row order with the number of columns.
fn place_cells<'e>(b: &mut Builder, rows: &Rows<'e>, ctx: Ctx) -> (Vec<Cell<'e>>, usize) {
    let style = b.style();
    let ts = &style.file.table;
    let pad_h = ts.padding_h.resolve(ts.size);
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
    let n_rows = rows.rows.len();
    let mut occupied: Vec<Vec<bool>> = vec![Vec::new(); n_rows];
    let mut cells: Vec<Cell> = Vec::new();
    let mut regions: HashMap<(bool, &str, &[String]), Rc<RegionStyle>> = HashMap::new();
    for (r, row) in rows.rows.iter().enumerate() {
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
            let rowspan = span("rowspan").min(n_rows - r);
            for row in &mut occupied[r..r + rowspan] {
                if row.len() < col + colspan {
                    row.resize(col + colspan, false);
                }
                row[col..col + colspan].fill(true);
            }
            let header = r < rows.n_header || c.name == "th";
            // Cells of one kind share their style (a long table has few kinds of cells).
            let region = regions
                .entry((header, c.name.as_str(), c.classes.as_slice()))
                .or_insert_with(|| {
                    let block = style.block_over(&base(header), &c.name, &c.classes);
                    let res = style.resolve_over(&base(header), &c.name, &c.classes);
                    Rc::new(RegionStyle::new(block, res))
                })
                .clone();
            open_cell(b, rows, r, c, (rowspan, colspan));
            let (min, max) = b.measure_region(c, &region, ctx);
            close_cell(b);
            cells.push(Cell {
                el: c,
                row: r,
                col,
                colspan,
                rowspan,
                header,
                region,
                min: min + 2.0 * pad_h,
                max: max + 2.0 * pad_h,
                content: RegionContent::default(),
                content_h: 0.0,
            });
            col += colspan;
        }
    }
    let ncols = occupied.iter().map(Vec::len).max().unwrap_or(0).max(1);
    (cells, ncols)
}

/// Enters the structure elements the content of cell `c` of row `r` belongs to: the table,
/// its head or body, the row, the cell (a header cell of a header row heads its column, one
/// in a body row its row). Measuring and setting a cell enter the same elements.
fn open_cell(
    b: &mut Builder,
    rows: &Rows,
    r: usize,
    c: &Element,
    (rowspan, colspan): (usize, usize),
) {
    let in_head = r < rows.n_header;
    let span = |n: usize| n.min(u16::MAX as usize) as u16;
    let cell = if in_head {
        Role::TH(Scope::Column, span(rowspan), span(colspan))
    } else if c.name == "th" {
        Role::TH(Scope::Row, span(rowspan), span(colspan))
    } else {
        Role::TD(span(rowspan), span(colspan))
    };
    b.open(Role::Table, rows.pos);
    b.open(if in_head { Role::THead } else { Role::TBody }, rows.pos);
    b.open(Role::TR, rows.rows[r].pos);
    b.open(cell, c.pos);
}

fn close_cell(b: &mut Builder) {
    for _ in 0..4 {
        b.close();
    }
}

/// Sizes the columns, composes each cell's text in its column and sizes the rows.
fn size_grid(b: &mut Builder, cells: &mut [Cell], rows: &Rows, ncols: usize, ctx: Ctx) -> Grid {
    let style = b.style();
    let ts = &style.file.table;
    let pad_h = ts.padding_h.resolve(ts.size);
    let pad_v = ts.padding_v.resolve(ts.size);
    let fixed: Vec<Option<f32>> = (0..ncols)
        .map(|i| {
            rows.col_specs
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
    let n_rows = rows.rows.len();
    let mut row_h: Vec<f32> = vec![0.0; n_rows];
    for cell in cells.iter_mut() {
        let w = (xs[cell.col + cell.colspan] - xs[cell.col] - 2.0 * pad_h).max(1.0);
        let inner = Ctx {
            left: xs[cell.col] + pad_h,
            width: w,
            cover: ctx.cover,
        };
        open_cell(b, rows, cell.row, cell.el, (cell.rowspan, cell.colspan));
        cell.content = b.lay_region(cell.el, &cell.region, inner);
        close_cell(b);
        let res = &cell.region.res;
        cell.content_h = cell.content.height.max(res.size * res.line_height);
        let need = cell.content_h + 2.0 * pad_v;
        if cell.rowspan == 1 {
            row_h[cell.row] = row_h[cell.row].max(need);
        }
    }
    align_decimals(cells, ncols, b.set.fonts);
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
    let mut row_cells: Vec<Range<usize>> = vec![0..0; n_rows];
    let mut i = 0;
    for (r, range) in row_cells.iter_mut().enumerate() {
        let from = i;
        while i < cells.len() && cells[i].row == r {
            i += 1;
        }
        *range = from..i;
    }
    Grid {
        xs,
        ncols,
        n_header: rows.n_header,
        row_h,
        row_cells,
        pad_v,
        rule_color: ts.rule_color.map(|c| c.0).unwrap_or(Color::BLACK),
        cover: ctx.cover,
    }
}

/// Row groups: rows tied by a rowspan move between pages together; the header rows are one.
fn row_groups(cells: &[Cell], grid: &Grid) -> Vec<(usize, usize)> {
    let n_header = grid.n_header;
    let mut groups: Vec<(usize, usize)> = Vec::new();
    if n_header > 0 {
        groups.push((0, n_header - 1));
    }
    let mut r = n_header;
    while r < grid.row_h.len() {
        let mut end = r;
        let mut k = r;
        while k <= end {
            for c in &cells[grid.cells_of(k, k)] {
                end = end.max(c.row + c.rowspan - 1);
            }
            k += 1;
        }
        groups.push((r, end));
        r = end + 1;
    }
    groups
}

/// Lays the rows out as chunks of the flow, one per row group (a tall row: one per band of
/// lines); returns the header to repeat and the band of each chunk.
fn lay_rows(
    b: &mut Builder,
    cells: &mut [Cell],
    grid: &Grid,
    ctx: Ctx,
) -> (Option<Chunk>, Vec<Option<BandOf>>) {
    let style = b.style();
    let ts = &style.file.table;
    let n_header = grid.n_header;
    let mut header_chunk = None;
    let mut bands = Vec::new();
    let start = b.chunks.len();
    let (m_top, _, m_bottom, _) = style.margins();
    let page_body = style.page_height - m_top - m_bottom;
    let header_h: f32 = grid.row_h[..n_header].iter().sum();
    // A row taller than this is cut into bands of lines so a page can break inside it.
    let band_above =
        (ts.size * ts.line_height * 6.0 + 2.0 * grid.pad_v).min(page_body - header_h - 1.0);
    let mut body_groups: Vec<Range<usize>> = Vec::new();
    for (a, z) in row_groups(cells, grid) {
        // Each cell belongs to one group: its lines are freed once the group's chunks hold
        // them as items (memory of long tables, issue 17 point 9).
        let group_cells = grid.cells_of(a, z);
        let is_header = n_header > 0 && a == 0;
        let first_chunk = b.chunks.len();
        let row_h = grid.row_h[a];
        if !is_header && a == z && row_h > band_above && row_h > 4.0 * ts.size {
            for (chunk, band) in cut_row(ts, &cells[group_cells.clone()], a, grid) {
                b.chunks.push(chunk);
                bands.push(Some(band));
            }
            body_groups.push(first_chunk..b.chunks.len());
            free_lines(&mut cells[group_cells]);
            continue;
        }
        let chunk = group_chunk(ts, &cells[group_cells.clone()], a, z, grid);
        if is_header {
            header_chunk = Some(chunk.clone());
        } else {
            body_groups.push(first_chunk..first_chunk + 1);
        }
        b.chunks.push(chunk);
        bands.push(None);
        free_lines(&mut cells[group_cells]);
    }
    keep_rows_together(&mut b.chunks[start..], &body_groups, start, page_body);
    let repeated = repeated_header(b, header_chunk, ctx);
    if let Some(c) = b.chunks.get_mut(start) {
        c.space_before = ts.space_before.resolve(ts.size);
    }
    if let Some(c) = b.chunks.last_mut() {
        c.space_after = ts.space_after.resolve(ts.size);
    }
    (repeated, bands)
}

/// The chunk of the row group `a..=z` (its cells `cells`): fills, rules and vertically
/// centred text.
fn group_chunk(ts: &TableStyle, cells: &[Cell], a: usize, z: usize, grid: &Grid) -> Chunk {
    let is_header = grid.n_header > 0 && a == 0;
    // row_top[k]: the top of row a + k within the group
    let mut row_top = vec![0.0; z - a + 2];
    for rr in a..=z {
        row_top[rr - a + 1] = row_top[rr - a] + grid.row_h[rr];
    }
    let height = row_top[z - a + 1];
    let mut fills = Vec::new();
    let mut texts = Vec::new();
    let mut rules = Vec::new();
    for cell in cells {
        let x0 = grid.xs[cell.col];
        let x1 = grid.xs[cell.col + cell.colspan];
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
        // Items first: a list marker comes before its text in the content stream.
        push_shifted(&mut texts, cell.content.items.iter().cloned(), top);
        for l in &cell.content.lines {
            inline::line_items(&l.line, l.x, top + l.top, l.lh, l.size, &mut texts);
        }
        let left_w = if cell.col == 0 {
            ts.outer_rule
        } else {
            ts.rule
        };
        rules.push((x0, y0, x1, y0, grid.top_rule(ts, cell.row)));
        rules.push((x0, y0, x0, y1, left_w));
        if cell.col + cell.colspan == grid.ncols {
            rules.push((x1, y0, x1, y1, ts.outer_rule));
        }
        if cell.row + cell.rowspan > z {
            let w = if z == grid.last_row() {
                ts.outer_rule
            } else if is_header {
                ts.header_rule
            } else {
                ts.rule
            };
            rules.push((x0, y1, x1, y1, w));
        }
    }
    Chunk {
        height,
        items: stack_items(fills, rules, texts, grid.rule_color),
        keep_with_next: is_header,
        cover: grid.cover,
        ..Chunk::default()
    }
}

/// Cuts a tall row into one chunk per line band of its tallest cell, so that a page can break
/// between its lines. Cells are top-aligned; each band draws its part of the vertical rules,
/// the first band the row's top rule, the last its bottom rule.
fn cut_row(ts: &TableStyle, cells: &[Cell], row: usize, grid: &Grid) -> Vec<(Chunk, BandOf)> {
    let height = grid.row_h[row];
    let pad_v = grid.pad_v;
    let Some(driver) = cells
        .iter()
        .max_by(|x, y| x.content_h.total_cmp(&y.content_h))
    else {
        return Vec::new();
    };
    // Band edges: the row top, then the top of each of the driver's lines after the first.
    let mut edges: Vec<f32> = vec![0.0];
    edges.extend(driver.content.lines.iter().skip(1).map(|l| pad_v + l.top));
    edges.push(height);
    let n = edges.len() - 1;
    // Row labels (th cells other than the tallest one: "概要") are placed by the table's
    // parts: centred in the row when it stays whole, at the top of each part when a page
    // break cuts it, so no part loses its first column.
    let is_label = |c: &Cell| c.header && !std::ptr::eq(c, driver);
    let (mut top_items, mut centred_items) = (Vec::new(), Vec::new());
    for c in cells.iter().filter(|c| is_label(c)) {
        let centre_top = (height - c.content_h) / 2.0;
        let items = &c.content.items;
        push_shifted(&mut top_items, items.iter().cloned(), pad_v);
        push_shifted(&mut centred_items, items.iter().cloned(), centre_top);
        for l in &c.content.lines {
            let (x, lh, size) = (l.x, l.lh, l.size);
            inline::line_items(&l.line, x, pad_v + l.top, lh, size, &mut top_items);
            inline::line_items(&l.line, x, centre_top + l.top, lh, size, &mut centred_items);
        }
    }
    let label = Arc::new(BandLabel {
        top: top_items,
        centred: centred_items,
    });
    let mut made = Vec::with_capacity(n);
    for k in 0..n {
        let (y0, y1) = (edges[k], edges[k + 1]);
        let h = y1 - y0;
        let mut fills = Vec::new();
        let mut rules = Vec::new();
        let mut texts = Vec::new();
        for c in cells {
            let (x0, x1) = (grid.xs[c.col], grid.xs[c.col + c.colspan]);
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
            let in_band =
                |top: f32| top >= y0 - 0.01 && (top < y1 - 0.01 || (k + 1 == n && top < y1 + 0.01));
            let items = c.content.items.iter();
            for it in items.filter(|it| in_band(pad_v + item_top(it))) {
                let mut it = it.clone();
                shift(&mut it, pad_v - y0);
                texts.push(it);
            }
            for l in &c.content.lines {
                let top = pad_v + l.top;
                if in_band(top) {
                    inline::line_items(&l.line, l.x, top - y0, l.lh, l.size, &mut texts);
                }
            }
            let left_w = if c.col == 0 { ts.outer_rule } else { ts.rule };
            rules.push((x0, 0.0, x0, h, left_w));
            if c.col + c.colspan == grid.ncols {
                rules.push((x1, 0.0, x1, h, ts.outer_rule));
            }
            if k == 0 {
                rules.push((x0, 0.0, x1, 0.0, grid.top_rule(ts, row)));
            }
            if k + 1 == n {
                let w = if row == grid.last_row() {
                    ts.outer_rule
                } else {
                    ts.rule
                };
                rules.push((x0, h, x1, h, w));
            }
        }
        let chunk = Chunk {
            height: h,
            items: stack_items(fills, rules, texts, grid.rule_color),
            cover: grid.cover,
            ..Chunk::default()
        };
        let band = BandOf {
            index: k,
            count: n,
            label: label.clone(),
        };
        made.push((chunk, band));
    }
    // At least two lines of the row on each side of a page break.
    if n >= 2 {
        made[0].0.keep_with_next = true;
        made[n - 2].0.keep_with_next = true;
    }
    made
}

fn free_lines(cells: &mut [Cell]) {
    for c in cells {
        c.content = RegionContent::default();
    }
}

/// The top of an item (a band of a cut row takes the items that start in it).
fn item_top(item: &Item) -> f32 {
    match item {
        Item::Text(r) => r.y - r.size,
        Item::Line { y1, y2, .. } => y1.min(*y2),
        Item::Rect { y, .. } | Item::Link { y, .. } => *y,
        Item::Path(p) => p.points.iter().map(|&(_, y)| y).fold(f32::MAX, f32::min),
    }
}

/// The min- and max-content widths of a table inside a cell being measured: the sums of
/// its columns' (cells spanning columns are left to the columns they span).
fn measure_table(b: &mut Builder, cells: &[Cell], ncols: usize, ctx: Ctx) {
    let (mut min, mut max) = (vec![0.0f32; ncols], vec![0.0f32; ncols]);
    for c in cells.iter().filter(|c| c.colspan == 1) {
        min[c.col] = min[c.col].max(c.min);
        max[c.col] = max[c.col].max(c.max);
    }
    if let Some(m) = &mut b.measure {
        let (min, max): (f32, f32) = (min.iter().sum(), max.iter().sum());
        m.reach_from(ctx.left, min, max);
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

/// Makes text items artifacts: a copy of what the structure tree already holds.
fn as_artifacts(items: &mut [Item]) {
    for it in items {
        if let Item::Text(r) = it {
            r.node = 0;
        }
    }
}

/// The header repeated on continuation pages, with the continued label above it.
fn repeated_header(b: &mut Builder, header: Option<Chunk>, ctx: Ctx) -> Option<Chunk> {
    // Read once where the table starts; a reader does not hear it again.
    let header = header.map(|mut h| {
        as_artifacts(&mut h.items);
        h
    });
    let style = b.style();
    let ts = &style.file.table;
    let Some(label) = ts.continued_label.as_deref().filter(|l| !l.is_empty()) else {
        return header;
    };
    let size = (ts.size * 0.9).max(6.0);
    let lh = size * 1.5;
    let color = Color::rgb(0.35, 0.35, 0.35);
    // Composed flush right like any line, so a closing bracket's blank does not push the ink
    // past the table's edge.
    let spans = b.set.spans(&[Piece {
        text: label.to_string(),
        font: ts.font.clone(),
        size,
        color,
        pos: Pos::default(),
        mark: 0,
        lang: None,
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
            shift(&mut it, lh);
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

/// A table nested too deep: said so, and its text set as one paragraph (nothing dropped).
fn too_deep(b: &mut Builder, el: &Element, ctx: Ctx) {
    b.set.diags.warning(
        Location::text(b.set.source, el.pos.line, el.pos.column),
        format!(
            "表の中の表が {MAX_NESTING} 段を超えて入れ子になっています。この表は文字だけを段落として組みます。入れ子を浅くしてください"
        ),
        format!(
            "a table nested more than {MAX_NESTING} deep in table cells; its text is set as a paragraph. Nest tables less deeply"
        ),
    );
    let res = b.resolve("p", &["noindent".to_string()]);
    let text = inline::plain_text(el);
    let segs = vec![vec![Piece {
        text,
        font: res.font_name.clone(),
        size: res.size,
        color: res.color,
        pos: el.pos,
        mark: 0,
        lang: None,
    }]];
    let chunks = b.paragraph(&segs, &res, el.pos, ctx, 0.0);
    b.chunks.extend(chunks);
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
            for (li, l) in c.content.lines.iter().enumerate() {
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
                for r in &mut cells[ci].content.lines[li].line.runs {
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
