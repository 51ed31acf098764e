//! Tables: grid with colspan/rowspan, automatic column widths from min/max content widths
//! (as browsers' auto layout), wrapped and vertically centred cells, rules, header rows that
//! repeat on every page the table continues on.

use super::blocks::{Builder, Ctx};
use super::inline::{self, Segment};
use super::Chunk;
use crate::compose::{self, Line, ParagraphStyle, Span};
use crate::markup::Element;
use crate::page::{Color, Item};
use crate::style::{parse_length, BlockStyle, Length, Resolved};

struct Cell<'e> {
    el: &'e Element,
    row: usize,
    col: usize,
    colspan: usize,
    rowspan: usize,
    header: bool,
    res: Resolved,
    spans: Vec<Vec<Span>>,
    min: f32,
    max: f32,
    lines: Vec<Line>,
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
            for rr in r..r + rowspan {
                if occupied[rr].len() < col + colspan {
                    occupied[rr].resize(col + colspan, false);
                }
                for cc in col..col + colspan {
                    occupied[rr][cc] = true;
                }
            }
            let header = r < n_header || c.name == "th";
            let res = style.resolve_over(&base(header), &c.name, &c.classes);
            let segs: Vec<Segment> = inline::segments(c, &res, style);
            let spans: Vec<Vec<Span>> = segs.iter().map(|s| b.set.spans(s)).collect();
            let min = spans
                .iter()
                .map(|s| compose::min_width(s, b.set.fonts))
                .fold(0.0, f32::max)
                + 2.0 * pad_h;
            let max = spans
                .iter()
                .map(|s| compose::natural_width(s, b.set.fonts))
                .fold(0.0, f32::max)
                + 2.0 * pad_h;
            cells.push(Cell {
                el: c,
                row: r,
                col,
                colspan,
                rowspan,
                header,
                res,
                spans,
                min,
                max,
                lines: Vec::new(),
            });
            col += colspan;
        }
    }
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
        let w = xs[cell.col + cell.colspan] - xs[cell.col] - 2.0 * pad_h;
        let ps = ParagraphStyle {
            width: w.max(1.0),
            first_indent: 0.0,
            rest_indent: 0.0,
            align: inline::to_align(cell.res.align),
        };
        let pos = cell.el.pos;
        for s in &cell.spans {
            let lines = b.set.compose(s, &ps, pos);
            cell.lines.extend(lines);
        }
        let lh = cell.res.size * cell.res.line_height;
        let need = cell.lines.len().max(1) as f32 * lh + 2.0 * pad_v;
        if cell.rowspan == 1 {
            row_h[cell.row] = row_h[cell.row].max(need);
        }
    }
    align_decimals(&mut cells, ncols, b.set.fonts);
    for r in 0..rows.len() {
        if row_h[r] == 0.0 {
            row_h[r] = ts.size * ts.line_height + 2.0 * pad_v;
        }
    }
    for cell in cells.iter().filter(|c| c.rowspan > 1) {
        let lh = cell.res.size * cell.res.line_height;
        let need = cell.lines.len().max(1) as f32 * lh + 2.0 * pad_v;
        let have: f32 = row_h[cell.row..cell.row + cell.rowspan].iter().sum();
        if need > have {
            row_h[cell.row + cell.rowspan - 1] += need - have;
        }
    }

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
            for c in cells.iter().filter(|c| c.row == k) {
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
    // Room for a body row on a page below the repeated header.
    let (m_top, _, m_bottom, _) = style.margins();
    let header_h: f32 = row_h[..n_header].iter().sum();
    let max_body = style.page_height - m_top - m_bottom - header_h - 1.0;
    for &(a, z) in &groups {
        let is_header = n_header > 0 && a == 0;
        if !is_header && a == z && row_h[a] > max_body && max_body > 4.0 * ts.size {
            // Taller than a page: split the row between cell lines; each part repeats the
            // header like any row on a new page, so nothing is lost.
            let row_cells: Vec<&Cell> = cells.iter().filter(|c| c.row == a).collect();
            let rule_w = |is_first: bool| {
                if is_first && a == n_header && n_header > 0 {
                    ts.header_rule
                } else {
                    ts.rule
                }
            };
            let per: Vec<usize> = row_cells
                .iter()
                .map(|c| {
                    let lh = c.res.size * c.res.line_height;
                    (((max_body - 2.0 * pad_v) / lh).floor() as usize).max(1)
                })
                .collect();
            let pieces = row_cells
                .iter()
                .zip(&per)
                .map(|(c, p)| c.lines.len().div_ceil(*p))
                .max()
                .unwrap_or(1);
            for k in 0..pieces {
                let height = row_cells
                    .iter()
                    .zip(&per)
                    .map(|(c, p)| {
                        let n = c.lines.len().saturating_sub(k * p).min(*p);
                        n as f32 * c.res.size * c.res.line_height
                    })
                    .fold(0.0, f32::max)
                    + 2.0 * pad_v;
                let mut items = Vec::new();
                let mut texts = Vec::new();
                for (c, p) in row_cells.iter().zip(&per) {
                    let (x0, x1) = (xs[c.col], xs[c.col + c.colspan]);
                    let lh = c.res.size * c.res.line_height;
                    for (i, l) in c.lines.iter().skip(k * p).take(*p).enumerate() {
                        inline::line_items(
                            l,
                            x0 + pad_h,
                            pad_v + i as f32 * lh,
                            lh,
                            c.res.size,
                            &mut texts,
                        );
                    }
                    let bottom_w = if k + 1 == pieces && a == last_row {
                        ts.outer_rule
                    } else {
                        ts.rule
                    };
                    let left_w = if c.col == 0 { ts.outer_rule } else { ts.rule };
                    let mut edges = vec![
                        (x0, 0.0, x1, 0.0, rule_w(k == 0)),
                        (x0, 0.0, x0, height, left_w),
                        (x0, height, x1, height, bottom_w),
                    ];
                    if c.col + c.colspan == ncols {
                        edges.push((x1, 0.0, x1, height, ts.outer_rule));
                    }
                    items.extend(edges.into_iter().map(|(x1, y1, x2, y2, width)| Item::Line {
                        x1,
                        y1,
                        x2,
                        y2,
                        width,
                        color: rule_color,
                    }));
                }
                items.extend(texts);
                b.chunks.push(Chunk {
                    height,
                    items,
                    table: Some(table_id),
                    cover: ctx.cover,
                    ..Chunk::default()
                });
            }
            continue;
        }
        let mut row_top = vec![0.0; rows.len() + 1];
        for rr in a..=z {
            row_top[rr + 1] = row_top[rr] + row_h[rr];
        }
        let height = row_top[z + 1];
        let mut fills = Vec::new();
        let mut texts = Vec::new();
        let mut rules = Vec::new();
        for cell in cells.iter().filter(|c| c.row >= a && c.row <= z) {
            let x0 = xs[cell.col];
            let x1 = xs[cell.col + cell.colspan];
            let y0 = row_top[cell.row];
            let y1 = row_top[(cell.row + cell.rowspan).min(z + 1)];
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
            let lh = cell.res.size * cell.res.line_height;
            let content = cell.lines.len() as f32 * lh;
            let top = y0 + ((y1 - y0) - content) / 2.0;
            for (i, l) in cell.lines.iter().enumerate() {
                inline::line_items(
                    l,
                    x0 + pad_h,
                    top + i as f32 * lh,
                    lh,
                    cell.res.size,
                    &mut texts,
                );
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
            if cell.row + cell.rowspan - 1 >= z {
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
        let mut items = fills;
        items.extend(rules.into_iter().map(|(x1, y1, x2, y2, width)| Item::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color: rule_color,
        }));
        items.extend(texts);
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
        }
        b.chunks.push(chunk);
    }
    b.table_headers.push(header_chunk);
    if let Some(c) = b.chunks.get_mut(start) {
        c.space_before = ts.space_before.resolve(ts.size);
    }
    if let Some(c) = b.chunks.last_mut() {
        c.space_after = ts.space_after.resolve(ts.size);
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

/// Lines up numbers on their decimal point in `td.num` columns: right alignment already lines
/// up the units digit when every number has the same number of decimals; when they differ
/// (1.5% / 12% / 3.25%), lines with fewer decimals move left by the missing width. Done only
/// when every number in the column has the same text after it (a unit such as % or 件), since
/// otherwise the points cannot line up anyway.
fn align_decimals(cells: &mut [Cell], ncols: usize, fonts: &crate::font::FontSet) {
    for col in 0..ncols {
        let mut shapes: Vec<(usize, usize, String, f32)> = Vec::new();
        for (ci, c) in cells.iter().enumerate() {
            if c.col != col || c.colspan != 1 || c.header || !c.el.has_class("num") {
                continue;
            }
            for (li, l) in c.lines.iter().enumerate() {
                if let Some((suffix, frac)) = number_shape(l, fonts) {
                    shapes.push((ci, li, suffix, frac));
                }
            }
        }
        let Some(first) = shapes.first() else {
            continue;
        };
        if shapes.iter().any(|s| s.2 != first.2) {
            continue;
        }
        let max = shapes.iter().map(|s| s.3).fold(0.0, f32::max);
        for (ci, li, _, frac) in shapes {
            let d = max - frac;
            if d > 0.01 {
                for r in &mut cells[ci].lines[li].runs {
                    r.x -= d;
                }
            }
        }
    }
}

/// For a line that starts with a number: the text after the number and the width of its
/// fractional part (from the decimal point to the number's end; 0 without one).
fn number_shape(line: &Line, fonts: &crate::font::FontSet) -> Option<(String, f32)> {
    let mut glyphs: Vec<(f32, f32, char)> = Vec::new();
    for r in &line.runs {
        let f = fonts.get(r.font);
        for g in &r.glyphs {
            let c = g.text.chars().next()?;
            let adv = f.glyph(c).map_or(0.0, |gi| gi.advance * r.size);
            glyphs.push((r.x + g.x, adv, c));
        }
    }
    let is_digit = |c: char| c.is_ascii_digit();
    if !glyphs.first().is_some_and(|g| is_digit(g.2)) {
        return None;
    }
    let mut i = 0;
    while i < glyphs.len() && (is_digit(glyphs[i].2) || glyphs[i].2 == ',') {
        i += 1;
    }
    let mut frac = 0.0;
    if i + 1 < glyphs.len() && glyphs[i].2 == '.' && is_digit(glyphs[i + 1].2) {
        let point = glyphs[i].0;
        i += 1;
        while i < glyphs.len() && is_digit(glyphs[i].2) {
            i += 1;
        }
        frac = glyphs[i - 1].0 + glyphs[i - 1].1 - point;
    }
    Some((glyphs[i..].iter().map(|g| g.2).collect(), frac))
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
