//! Charts: a `<chart>` element's data → vector items (paths and text runs) in a box.
//!
//! The data is all in attributes (`categories="平成22年度|令和2年度"`, `<series values="34677|-">`),
//! so none of it is source text for the accounting. The value axis always includes zero (a bar
//! that starts anywhere else misleads) and is cut by the nice-numbers rule (1, 2, 5 × 10ⁿ): its
//! top tick is the top of the plot. Large axes count in 万, 億 or 兆 with the unit shown once
//! above the axis (「（万件）」), as Japanese statistics print them. A value left out (a text
//! value in the workbook) draws nothing, never zero. Series differ by pattern, dash and marker
//! (the style's `chart.series`), so a chart reads in black-and-white print.

use hakusho_diagnostics::Location;

use super::inline::{Piece, Setter};
use crate::compose::{Align, ParagraphStyle};
use crate::markup::{Element, Pos};
use crate::page::{Color, Ink, Item, Path, Stroke, TextRun};
use crate::style::{BarPattern, ChartStyle, Marker, SeriesStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bar,
    Line,
    /// Each series' way from its first value (the baseline) toward the target: a horizontal
    /// track from the baseline (left) to the target (right), filled as far as the latest value.
    Progress,
}

/// How far a series has come from its first value toward the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Progress {
    /// Category index and value of the first and of the last value drawn.
    pub base: (usize, f64),
    pub latest: (usize, f64),
    pub target: f64,
    /// (latest − base) / (target − base): 0 at the baseline, 1 at the target, below 0 when
    /// the value moved away from it. A target below the baseline (better lower) needs no
    /// direction: the fraction counts the way either side.
    pub fraction: f64,
}

/// The progress of `series` toward `target`, when it has two values and a target other than
/// its first value.
pub(crate) fn progress(series: &Series, target: Option<f64>) -> Option<Progress> {
    let target = target?;
    let mut drawn = series
        .values
        .iter()
        .enumerate()
        .filter_map(|(k, v)| v.map(|v| (k, v)));
    let base = drawn.next()?;
    let latest = drawn.next_back()?;
    let way = target - base.1;
    if way.abs() <= f64::EPSILON * target.abs().max(base.1.abs()).max(1.0) {
        return None;
    }
    Some(Progress {
        base,
        latest,
        target,
        fraction: (latest.1 - base.1) / way,
    })
}

impl Progress {
    /// What the fraction means for a reader: 「目標までの46%」「目標を達成」「基準から後退」.
    pub fn words(&self) -> String {
        if self.fraction >= 1.0 {
            "目標を達成".to_string()
        } else if self.fraction < 0.0 {
            "基準から後退".to_string()
        } else {
            format!("目標までの{:.0}%", (self.fraction * 100.0).floor())
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub name: String,
    /// One per category; `None`: left out (drawn as nothing).
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartData {
    pub kind: Kind,
    pub title: String,
    pub unit: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub target: Option<f64>,
    pub target_label: String,
    /// Decimals of the value labels (default: as many as the values were written with).
    pub decimals: usize,
    pub pos: Pos,
}

/// Largest number of categories or series a chart accepts (more would not be readable, and
/// bounds the work for a hostile file).
const MAX_CATEGORIES: usize = 60;
const MAX_SERIES: usize = 8;

/// Reads a `<chart>` element. Problems are errors at the element (the chart is then left out).
pub(crate) fn parse(el: &Element, set: &mut Setter) -> Option<ChartData> {
    match read(el) {
        Ok(data) => Some(data),
        Err(problems) => {
            let loc = Location::text(set.source, el.pos.line, el.pos.column);
            for (ja, en) in problems {
                set.diags.error(loc.clone(), ja, en);
            }
            None
        }
    }
}

/// A `<chart>` element's data, or every problem with it (Japanese, English): what the PDF
/// draws and the HTML edition shows read the same way.
pub(crate) fn read(el: &Element) -> Result<ChartData, Vec<(String, String)>> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let kind = match el.attr("kind").unwrap_or("bar") {
        "bar" => Kind::Bar,
        "line" => Kind::Line,
        "progress" => Kind::Progress,
        other => {
            problems.push((
                format!("<chart> の kind=\"{other}\" は使えません（bar、line または progress）"),
                format!("<chart>: kind=\"{other}\" is not a chart kind (bar, line or progress)"),
            ));
            Kind::Bar
        }
    };
    let categories: Vec<String> = el
        .attr("categories")
        .map(|c| c.split('|').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let mut decimals = 0;
    let mut number = |text: &str, what: &str, problems: &mut Vec<(String, String)>| {
        let t = text.trim().replace(',', "");
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                decimals = decimals.max(t.split_once('.').map_or(0, |(_, f)| f.len()).min(6));
                Some(v)
            }
            _ => {
                problems.push((
                    format!("<chart> の {what} の「{text}」は数ではありません（値のない所は - と書いてください）"),
                    format!("<chart>: {what} \"{text}\" is not a number (write - where there is no value)"),
                ));
                None
            }
        }
    };
    let mut series = Vec::new();
    for s in el.child_elements() {
        if s.name != "series" {
            problems.push((
                format!(
                    "<chart> の中には <series> だけを書きます（<{}> は使えません）",
                    s.name
                ),
                format!("<chart> holds only <series> (not <{}>)", s.name),
            ));
            continue;
        }
        let values: Vec<Option<f64>> = s
            .attr("values")
            .unwrap_or("")
            .split('|')
            .map(|v| match v.trim() {
                "-" | "" => None,
                t => number(t, "values", &mut problems),
            })
            .collect();
        if values.len() != categories.len() {
            problems.push((
                format!(
                    "<series> の値が {} 個あり、categories の {} 個と合いません",
                    values.len(),
                    categories.len()
                ),
                format!(
                    "<series> has {} values for {} categories",
                    values.len(),
                    categories.len()
                ),
            ));
        }
        series.push(Series {
            name: s.attr("name").unwrap_or("").to_string(),
            values,
        });
    }
    let target = el
        .attr("target")
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| number(t, "target", &mut problems));
    if let Some(d) = el.attr("decimals") {
        match d.parse::<usize>() {
            Ok(n) if n <= 6 => decimals = n,
            _ => problems.push((
                format!("<chart> の decimals=\"{d}\" は 0 から 6 の整数にしてください"),
                format!("<chart>: decimals=\"{d}\" must be a whole number from 0 to 6"),
            )),
        }
    }
    if categories.is_empty() || categories.len() > MAX_CATEGORIES {
        problems.push((
            format!(
                "<chart> の categories は 1 個から {MAX_CATEGORIES} 個にしてください（{} 個あります）",
                categories.len()
            ),
            format!(
                "<chart>: categories must number 1 to {MAX_CATEGORIES} (found {})",
                categories.len()
            ),
        ));
    }
    if series.is_empty() || series.len() > MAX_SERIES {
        problems.push((
            format!(
                "<chart> には <series> を 1 個から {MAX_SERIES} 個書いてください（{} 個あります）",
                series.len()
            ),
            format!(
                "<chart> needs 1 to {MAX_SERIES} <series> (found {})",
                series.len()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ChartData {
        kind,
        title: el.attr("title").unwrap_or("").trim().to_string(),
        unit: el.attr("unit").unwrap_or("").trim().to_string(),
        categories,
        series,
        target,
        target_label: el.attr("target-label").unwrap_or("").trim().to_string(),
        decimals,
        pos: el.pos,
    })
}

/// The nice number near `x` (> 0): 1, 2, 5 or 10 × 10ⁿ; rounded to the nearest, or the
/// smallest not below `x`.
fn nice(x: f64, round: bool) -> f64 {
    let exp = x.log10().floor();
    let base = 10f64.powf(exp);
    let f = x / base;
    let n = if round {
        if f < 1.5 {
            1.0
        } else if f < 3.0 {
            2.0
        } else if f < 7.0 {
            5.0
        } else {
            10.0
        }
    } else if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * base
}

/// A value axis: from `min` to `max` in steps of `step` (both multiples of it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Axis {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

impl Axis {
    /// The axis for values from `lo` to `hi`, zero included, about `ticks` intervals.
    pub fn new(lo: f64, hi: f64, ticks: usize) -> Axis {
        let lo = lo.min(0.0);
        let mut hi = hi.max(0.0);
        if hi - lo <= f64::MIN_POSITIVE {
            // All values zero: a unit axis, so the bars sit on it.
            hi = 1.0;
        }
        let range = nice(hi - lo, false);
        let step = nice(range / ticks.max(1) as f64, true);
        // A little slack against rounding (0.3 / 0.1 is 2.9999…), towards zero.
        let min = (lo / step + 1e-9).floor() * step;
        let max = (hi / step - 1e-9).ceil() * step;
        Axis { min, max, step }
    }

    /// The tick values, bottom to top.
    pub fn ticks(&self) -> Vec<f64> {
        let n = ((self.max - self.min) / self.step).round() as i64;
        (0..=n.clamp(0, 100))
            .map(|k| self.min + k as f64 * self.step)
            .collect()
    }
}

/// How axis numbers are counted: 1, 万, 億 or 兆 (as the unit label says).
fn scale_for(axis: &Axis, unit: &str) -> (f64, &'static str) {
    // A unit that already counts in thousands or more (千円, 万人) or a ratio is not rescaled.
    let scaled_unit = unit.starts_with(['千', '万', '億', '兆']) || unit.contains('%');
    let top = axis.max.abs().max(axis.min.abs());
    if scaled_unit {
        return (1.0, "");
    }
    // 万 from 100,000 on (20,000 reads better than 2万); 億 and 兆 from one of them.
    for (f, from, name) in [(1e12, 1e12, "兆"), (1e8, 1e8, "億"), (1e4, 1e5, "万")] {
        if top >= from && axis.step >= f / 10.0 {
            return (f, name);
        }
    }
    (1.0, "")
}

/// `v` with thousands separators and `decimals` fixed decimals (「34,677」「-1.5」).
pub(crate) fn format_number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && s.chars().any(|c| ('1'..='9').contains(&c));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Decimals the tick labels need for `step` counted in `scale`.
fn tick_decimals(step: f64, scale: f64) -> usize {
    let s = step / scale;
    if s >= 1.0 {
        0
    } else {
        ((-s.log10()).ceil().max(0.0) as usize).min(12)
    }
}

/// Where a chart is drawn and how it looks.
pub(crate) struct Frame<'s> {
    pub x: f32,
    pub width: f32,
    pub style: &'s ChartStyle,
    pub font: String,
    pub color: Color,
}

/// The plot rectangle of a drawn chart (tests check the geometry against it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plot {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
    pub axis: Axis,
}

impl Plot {
    fn y(&self, v: f64) -> f32 {
        let t = ((v - self.axis.min) / (self.axis.max - self.axis.min)) as f32;
        self.bottom - t * (self.bottom - self.top)
    }
}

/// A chart drawn: its items (y from 0 at its top), its height, and its plot.
pub(crate) struct Drawn {
    pub items: Vec<Item>,
    pub height: f32,
    /// Only the tests read it: they check the drawing against the plot it was drawn in.
    #[cfg_attr(not(test), allow(dead_code))]
    pub plot: Plot,
}

struct Pen<'a, 'b, 'c> {
    set: &'a mut Setter<'b>,
    frame: &'a Frame<'c>,
    pos: Pos,
    items: Vec<Item>,
}

impl<'a, 'b, 'c> Pen<'a, 'b, 'c> {
    /// A pen for `data`'s chart in `frame`, nothing drawn yet.
    fn new(set: &'a mut Setter<'b>, frame: &'a Frame<'c>, data: &ChartData) -> Self {
        Pen {
            set,
            frame,
            pos: data.pos,
            items: Vec::new(),
        }
    }

    fn spans(&mut self, text: &str, size: f32) -> Vec<crate::compose::Span> {
        self.set.spans(&[Piece {
            text: text.to_string(),
            font: self.frame.font.clone(),
            size,
            color: self.frame.color,
            pos: self.pos,
            mark: 0,
            lang: None,
        }])
    }

    /// Lines of `text` broken to `width`, as (runs relative to the line's left, line width).
    fn lines(&mut self, text: &str, size: f32, width: f32) -> Vec<(Vec<TextRun>, f32)> {
        let spans = self.spans(text, size);
        let ps = ParagraphStyle {
            width: width.max(size),
            first_indent: 0.0,
            rest_indent: 0.0,
            align: Align::Start,
        };
        self.set
            .compose_generated(&spans, &ps, self.pos)
            .into_iter()
            .map(|l| (l.runs, l.width))
            .collect()
    }

    fn width(&mut self, text: &str, size: f32) -> f32 {
        self.lines(text, size, 1e6)
            .into_iter()
            .map(|(_, w)| w)
            .fold(0.0, f32::max)
    }

    /// One line of text with its baseline at `y`, its left at `x` (`anchor` 0), centre (0.5)
    /// or right (1).
    fn text(&mut self, text: &str, size: f32, x: f32, y: f32, anchor: f32) -> f32 {
        let mut w = 0.0;
        for (runs, lw) in self.lines(text, size, 1e6) {
            let left = x - anchor * lw;
            for mut r in runs {
                r.x += left;
                r.y += y;
                self.items.push(Item::Text(r));
            }
            w = lw;
        }
        w
    }

    fn path(
        &mut self,
        points: Vec<(f32, f32)>,
        closed: bool,
        fill: Option<Color>,
        stroke: Option<Stroke>,
    ) {
        self.items.push(Item::Path(Path {
            points,
            closed,
            fill,
            stroke,
        }));
    }

    fn line(&mut self, a: (f32, f32), b: (f32, f32), width: f32, color: Color, dash: &[f32]) {
        self.path(
            vec![a, b],
            false,
            None,
            Some(Stroke {
                width,
                color,
                dash: dash.to_vec(),
            }),
        );
    }
}

const WHITE: Color = Color {
    r: 1.0,
    g: 1.0,
    b: 1.0,
    ink: Ink::Gray(0.0),
};

fn series_style(style: &ChartStyle, k: usize) -> SeriesStyle {
    match style.series.len() {
        0 => ChartStyle::default().series[k % 4].clone(),
        n => style.series[k % n].clone(),
    }
}

/// A bar `(x0, y0)–(x1, y1)` (y0 < y1) filled with its series' pattern.
fn bar(pen: &mut Pen, (x0, y0, x1, y1): (f32, f32, f32, f32), s: &SeriesStyle) {
    let color = s.color.0;
    let rect = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    let fill = match s.pattern {
        BarPattern::Solid => color,
        _ => WHITE,
    };
    pen.path(rect.clone(), true, Some(fill), None);
    let hatch = 0.4;
    let (w, h) = (x1 - x0, y1 - y0);
    let gap = 2.8;
    if matches!(s.pattern, BarPattern::Hatch | BarPattern::Cross) {
        // Lines u + v = t (rising to the right), clipped to the bar.
        let mut t = gap;
        while t < w + h {
            let (ua, ub) = ((t - h).max(0.0), t.min(w));
            pen.line(
                (x0 + ua, y1 - (t - ua)),
                (x0 + ub, y1 - (t - ub)),
                hatch,
                color,
                &[],
            );
            t += gap;
        }
    }
    if s.pattern == BarPattern::Cross {
        // Lines u − v = t (falling to the right).
        let mut t = gap - h;
        while t < w {
            let (ua, ub) = (t.max(0.0), (t + h).min(w));
            pen.line(
                (x0 + ua, y1 - (ua - t)),
                (x0 + ub, y1 - (ub - t)),
                hatch,
                color,
                &[],
            );
            t += gap;
        }
    }
    pen.path(
        rect,
        true,
        None,
        Some(Stroke {
            width: 0.5,
            color,
            dash: Vec::new(),
        }),
    );
}

fn marker(pen: &mut Pen, (x, y): (f32, f32), s: &SeriesStyle, size: f32) {
    let r = size / 2.0;
    let points: Vec<(f32, f32)> = match s.marker {
        Marker::Square => vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ],
        Marker::Diamond => vec![
            (x, y - r * 1.3),
            (x + r * 1.3, y),
            (x, y + r * 1.3),
            (x - r * 1.3, y),
        ],
        Marker::Triangle => vec![
            (x, y - r * 1.2),
            (x + r * 1.1, y + r * 0.8),
            (x - r * 1.1, y + r * 0.8),
        ],
        Marker::Circle => (0..12)
            .map(|k| {
                let a = k as f32 * std::f32::consts::PI / 6.0;
                (x + r * a.cos(), y + r * a.sin())
            })
            .collect(),
    };
    pen.path(points, true, Some(s.color.0), None);
}

/// The chart's title (the indicator's name) broken to its width from y = 0; returns the y
/// under it.
fn title(pen: &mut Pen, data: &ChartData) -> f32 {
    let style = pen.frame.style;
    let (left_edge, width) = (pen.frame.x, pen.frame.width);
    let mut y = 0.0;
    if !data.title.is_empty() {
        let tsize = style.title_size;
        for (runs, _) in pen.lines(&data.title, tsize, width) {
            let base = y + tsize * 1.05;
            for mut r in runs {
                r.x += left_edge;
                r.y += base;
                pen.items.push(Item::Text(r));
            }
            y += tsize * 1.4;
        }
        y += 2.0;
    }
    y
}

/// A value as a reader sees it in a chart: 「令和2年度 202,850件」.
fn value_words(data: &ChartData, category: &str, v: f64) -> String {
    let category: String = category.lines().map(str::trim).collect();
    format!(
        "{category} {}{}",
        format_number(v, data.decimals),
        data.unit
    )
}

/// Draws a progress chart: per series, the latest value and how far it has come above a
/// track that runs from the baseline (left) to the target (right), filled with the series'
/// pattern as far as the latest value, a rule across the track where it stands; the
/// baseline and the target under the track. A series with no baseline or no target says so.
fn draw_progress(data: &ChartData, frame: &Frame, set: &mut Setter) -> Drawn {
    let style = frame.style;
    let mut pen = Pen::new(set, frame, data);
    let size = style.size;
    let lh = size * 1.3;
    let (left, right) = (frame.x, frame.x + frame.width);
    let ink = style.color.map_or(frame.color, |c| c.0);
    let mut y = title(&mut pen, data);
    let track_h = size * 1.6;
    let mut plot = Plot {
        left,
        right,
        top: y,
        bottom: y,
        axis: Axis {
            min: 0.0,
            max: 1.0,
            step: 0.25,
        },
    };
    for (si, s) in data.series.iter().enumerate() {
        if si > 0 {
            y += lh * 0.5;
        }
        if data.series.len() > 1 && !s.name.is_empty() {
            pen.text(&s.name, size, left, y + size, 0.0);
            y += lh;
        }
        let Some(p) = progress(s, data.target) else {
            let why = "基準の値または目標がないため、進み具合を示せません";
            for (runs, _) in pen.lines(why, size, frame.width) {
                for mut r in runs {
                    r.x += left;
                    r.y += y + size;
                    pen.items.push(Item::Text(r));
                }
                y += lh;
            }
            continue;
        };
        // Above the track: the latest value and how far it has come, centred on where it
        // stands (kept inside the box).
        let at = left + (right - left) * p.fraction.clamp(0.0, 1.0) as f32;
        let latest = format!(
            "{}（{}）",
            value_words(data, &data.categories[p.latest.0], p.latest.1),
            p.words()
        );
        // (its width leaves out the closing bracket's trailing blank, which the glyph's
        // advance keeps: half an em of room on the right)
        let w = pen.width(&latest, size) + size * 0.5;
        let x = (at - w / 2.0).clamp(left, (right - w).max(left));
        pen.text(&latest, size, x, y + size, 0.0);
        y += lh + 1.5;
        let (top, bottom) = (y, y + track_h);
        if si == 0 {
            plot.top = top;
        }
        plot.bottom = bottom;
        // The track, the way done filled with the series' pattern, a rule where it stands.
        let outline = Stroke {
            width: style.axis_rule,
            color: ink,
            dash: Vec::new(),
        };
        pen.path(
            vec![(left, top), (right, top), (right, bottom), (left, bottom)],
            true,
            Some(WHITE),
            None,
        );
        if at - left > 0.01 {
            bar(&mut pen, (left, top, at, bottom), &series_style(style, si));
        }
        pen.path(
            vec![(left, top), (right, top), (right, bottom), (left, bottom)],
            true,
            None,
            Some(outline),
        );
        pen.line(
            (at, top - 1.5),
            (at, bottom + 1.5),
            style.target_rule * 1.5,
            ink,
            &[],
        );
        y = bottom + 1.5;
        // Under the track: the baseline at the left, the target at the right (on a line of
        // its own when both do not fit on one).
        let base = format!(
            "基準 {}",
            value_words(data, &data.categories[p.base.0], p.base.1)
        );
        let target_label = if data.target_label.is_empty() {
            "目標"
        } else {
            &data.target_label
        };
        let goal = format!(
            "{target_label} {}{}",
            format_number(p.target, data.decimals),
            data.unit
        );
        let (bw, gw) = (pen.width(&base, size), pen.width(&goal, size));
        pen.text(&base, size, left, y + size, 0.0);
        if bw + gw + size > frame.width {
            y += lh;
        }
        pen.text(&goal, size, right, y + size, 1.0);
        y += lh;
    }
    Drawn {
        items: pen.items,
        height: y + 2.0,
        plot,
    }
}

/// Draws `data` in `frame`, its top at y = 0.
pub(crate) fn draw(data: &ChartData, frame: &Frame, set: &mut Setter) -> Drawn {
    if data.kind == Kind::Progress {
        return draw_progress(data, frame, set);
    }
    let style = frame.style;
    let mut pen = Pen::new(set, frame, data);
    let size = style.size;
    let lh = size * 1.3;
    let left_edge = frame.x;
    let right_edge = frame.x + frame.width;
    let mut y = title(&mut pen, data);
    // Legend: only when series must be told apart.
    if data.series.len() > 1 {
        let mut x = left_edge;
        let base = y + size;
        for (k, s) in data.series.iter().enumerate() {
            let ss = series_style(style, k);
            let need = 16.0 + pen.width(&s.name, size) + 8.0;
            if x + need > right_edge && x > left_edge {
                x = left_edge;
                y += lh;
            }
            let base = y + size;
            let mid = base - size * 0.35;
            match data.kind {
                Kind::Bar | Kind::Progress => bar(
                    &mut pen,
                    (x, mid - size * 0.4, x + 12.0, mid + size * 0.4),
                    &ss,
                ),
                Kind::Line => {
                    pen.line(
                        (x, mid),
                        (x + 12.0, mid),
                        style.line_width,
                        ss.color.0,
                        &ss.dash,
                    );
                    marker(&mut pen, (x + 6.0, mid), &ss, style.marker_size);
                }
            }
            let w = pen.text(&s.name, size, x + 15.0, base, 0.0);
            x += 15.0 + w + 8.0;
        }
        let _ = base;
        y += lh + 2.0;
    }
    // The value axis.
    let values = data
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(data.target);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 0.0) };
    let axis = Axis::new(lo, hi, style.ticks);
    let (scale, scale_name) = scale_for(&axis, &data.unit);
    let decimals = tick_decimals(axis.step, scale);
    let ticks = axis.ticks();
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| format_number(t / scale, decimals))
        .collect();
    let unit_label = match format!("{scale_name}{}", data.unit) {
        u if u.is_empty() => String::new(),
        u => format!("（{u}）"),
    };
    let label_w = labels
        .iter()
        .map(|l| pen.width(l, size))
        .fold(0.0, f32::max);
    // The unit above the axis numbers, and at the right of that line the target's key (a
    // dashed rule and its label): there it never collides with a bar or a value label.
    let target_key = data.target.map(|t| {
        let label = if data.target_label.is_empty() {
            "目標".to_string()
        } else {
            data.target_label.clone()
        };
        format!("{label}{}{}", format_number(t, data.decimals), data.unit)
    });
    let unit_w = if unit_label.is_empty() {
        0.0
    } else {
        pen.width(&unit_label, size) + 6.0
    };
    if !unit_label.is_empty() || target_key.is_some() {
        let base = y + size;
        pen.text(&unit_label, size, left_edge, base, 0.0);
        if let Some(key) = &target_key {
            let w = pen.width(key, size);
            let swatch = 14.0;
            let (base, y_after) = if unit_w + swatch + 3.0 + w > frame.width {
                // No room beside the unit: a line of its own.
                (base + lh, y + 2.0 * lh)
            } else {
                (base, y + lh)
            };
            let room = frame.width - swatch - 3.0;
            let ink = style.target_color.map_or(frame.color, |c| c.0);
            let mid = base - size * 0.35;
            let x0 = right_edge - w.min(room) - 3.0 - swatch;
            pen.line(
                (x0, mid),
                (x0 + swatch, mid),
                style.target_rule,
                ink,
                &style.target_dash,
            );
            if w <= room {
                pen.text(key, size, right_edge, base, 1.0);
            }
            y = y_after;
        } else {
            y += lh;
        }
    }
    // Room above the plot for value labels.
    let headroom = lh;
    let plot_left = left_edge + label_w + 4.0;
    let plot = Plot {
        left: plot_left,
        right: right_edge - 2.0,
        top: y + headroom,
        bottom: y + headroom + style.plot_height.resolve(size).max(size * 4.0),
        axis,
    };
    let grid = style
        .grid_color
        .map_or(Color::rgb(0.75, 0.75, 0.75), |c| c.0);
    let ink = style.color.map_or(frame.color, |c| c.0);
    for (t, label) in ticks.iter().zip(&labels) {
        let ty = plot.y(*t);
        if *t != 0.0 {
            pen.line(
                (plot.left, ty),
                (plot.right, ty),
                style.grid_rule,
                grid,
                &[],
            );
        }
        pen.text(label, size, plot.left - 3.0, ty + size * 0.35, 1.0);
    }
    // Category labels under the plot (each line of a label on its own line), shrunk to fit.
    let n = data.categories.len();
    let cw = (plot.right - plot.left) / n as f32;
    let mut cat_size = size;
    for c in &data.categories {
        for part in c.lines() {
            let w = pen.width(part, cat_size);
            if w > cw - 1.0 && w > 0.0 {
                cat_size = (cat_size * (cw - 1.0) / w).max(size * 0.6);
            }
        }
    }
    let mut below = 0.0f32;
    for (k, c) in data.categories.iter().enumerate() {
        let cx = plot.left + cw * (k as f32 + 0.5);
        let mut ly = plot.bottom + 2.0;
        for part in c.lines() {
            ly += cat_size * 1.25;
            pen.text(part, cat_size, cx, ly - cat_size * 0.25, 0.5);
        }
        below = below.max(ly - plot.bottom);
    }
    // The data.
    let value_size = size * 0.9;
    let single = data.series.len() == 1;
    // Value labels (centre, baseline), drawn last on a white ground: a target rule or a
    // grid rule never runs through a number.
    let mut value_labels: Vec<(String, f32, f32)> = Vec::new();
    let zero = plot.y(0.0);
    match data.kind {
        Kind::Bar => {
            let group = cw * style.bar_width.clamp(0.1, 1.0);
            let bw = group / data.series.len() as f32;
            for (si, s) in data.series.iter().enumerate() {
                let ss = series_style(style, si);
                for (k, v) in s.values.iter().enumerate() {
                    let Some(v) = *v else { continue };
                    let x0 = plot.left + cw * k as f32 + (cw - group) / 2.0 + bw * si as f32;
                    let vy = plot.y(v);
                    let (y0, y1) = (vy.min(zero), vy.max(zero));
                    if y1 - y0 > 0.01 {
                        bar(&mut pen, (x0, y0, x0 + bw, y1), &ss);
                    }
                    if single {
                        let label = format_number(v, data.decimals);
                        if pen.width(&label, value_size) <= cw {
                            let base = if v >= 0.0 { y0 - 1.5 } else { y1 + value_size };
                            value_labels.push((label, x0 + bw / 2.0, base));
                        }
                    }
                }
            }
        }
        // (a progress chart is drawn by draw_progress)
        Kind::Line | Kind::Progress => {
            for (si, s) in data.series.iter().enumerate() {
                let ss = series_style(style, si);
                let point = |k: usize, v: f64| (plot.left + cw * (k as f32 + 0.5), plot.y(v));
                // Runs of consecutive values: a value left out breaks the line.
                let mut run: Vec<(f32, f32)> = Vec::new();
                for (k, v) in s.values.iter().enumerate() {
                    match v {
                        Some(v) => run.push(point(k, *v)),
                        None => {
                            if run.len() > 1 {
                                let stroke = Stroke {
                                    width: style.line_width,
                                    color: ss.color.0,
                                    dash: ss.dash.clone(),
                                };
                                pen.path(std::mem::take(&mut run), false, None, Some(stroke));
                            }
                            run.clear();
                        }
                    }
                }
                if run.len() > 1 {
                    let stroke = Stroke {
                        width: style.line_width,
                        color: ss.color.0,
                        dash: ss.dash.clone(),
                    };
                    pen.path(run, false, None, Some(stroke));
                }
                for (k, v) in s.values.iter().enumerate() {
                    let Some(v) = *v else { continue };
                    let p = point(k, v);
                    marker(&mut pen, p, &ss, style.marker_size);
                    if single {
                        let label = format_number(v, data.decimals);
                        if pen.width(&label, value_size) <= cw {
                            value_labels.push((label, p.0, p.1 - style.marker_size / 2.0 - 1.5));
                        }
                    }
                }
            }
        }
    }
    // The target: a dashed rule across the plot (its key is above the plot).
    if let Some(t) = data.target {
        let ty = plot.y(t);
        let color = style.target_color.map_or(ink, |c| c.0);
        pen.line(
            (plot.left, ty),
            (plot.right, ty),
            style.target_rule,
            color,
            &style.target_dash,
        );
    }
    // Axes over the data: the value axis and the zero line.
    pen.line(
        (plot.left, plot.top),
        (plot.left, plot.bottom),
        style.axis_rule,
        ink,
        &[],
    );
    pen.line(
        (plot.left, zero),
        (plot.right, zero),
        style.axis_rule,
        ink,
        &[],
    );
    for (label, x, base) in value_labels {
        let w = pen.width(&label, value_size);
        let (l, r) = (x - w / 2.0 - 0.5, x + w / 2.0 + 0.5);
        let (t, b) = (base - value_size * 0.85, base + value_size * 0.1);
        pen.path(
            vec![(l, t), (r, t), (r, b), (l, b)],
            true,
            Some(WHITE),
            None,
        );
        pen.text(&label, value_size, x, base, 0.5);
    }
    let height = plot.bottom + below + 2.0;
    Drawn {
        items: pen.items,
        height,
        plot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes_reach_their_data_and_start_at_zero() {
        let a = Axis::new(34677.0, 400000.0, 4);
        assert_eq!((a.min, a.max, a.step), (0.0, 400000.0, 100000.0));
        let a = Axis::new(12.0, 87.0, 4);
        assert_eq!((a.min, a.max, a.step), (0.0, 100.0, 20.0));
        let a = Axis::new(-35.0, 12.0, 4);
        assert!(a.min <= -35.0 && a.max >= 12.0 && a.min < 0.0, "{a:?}");
        assert_eq!(a.ticks().first(), Some(&a.min));
        assert_eq!(a.ticks().last(), Some(&a.max));
        // All equal, all zero.
        let a = Axis::new(5.0, 5.0, 4);
        assert!(a.max >= 5.0 && a.min == 0.0);
        let a = Axis::new(0.0, 0.0, 4);
        assert_eq!((a.min, a.max), (0.0, 1.0));
        // Very large and very small.
        let a = Axis::new(3.2e12, 3.2e12, 4);
        assert!(a.max >= 3.2e12 && a.max < 6e12, "{a:?}");
        let a = Axis::new(0.000_003, 0.000_007, 4);
        assert!(a.max >= 0.000_007 && a.max < 0.000_02, "{a:?}");
        assert!(a.ticks().len() <= 12);
    }

    #[test]
    fn numbers_are_grouped_and_scaled_as_japanese_statistics_print_them() {
        assert_eq!(format_number(34677.0, 0), "34,677");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(-0.0001, 1), "0.0");
        let a = Axis::new(0.0, 400000.0, 4);
        assert_eq!(scale_for(&a, "件"), (1e4, "万"));
        assert_eq!(scale_for(&a, "%"), (1.0, ""));
        assert_eq!(scale_for(&Axis::new(0.0, 3e9, 4), "円"), (1e8, "億"));
        assert_eq!(tick_decimals(0.5, 1.0), 1);
        assert_eq!(tick_decimals(5000.0, 1e4), 1);
    }

    use std::path::Path as FsPath;

    use hakusho_diagnostics::Diagnostics;

    use crate::font::FontSet;
    use crate::style::Style;

    const EPS: f32 = 0.05;

    /// Draws the `<chart …>` markup `chart` 240 pt wide at x = 100 and hands the result over.
    fn with_chart(chart: &str, check: impl FnOnce(&ChartData, &Drawn, &FontSet)) {
        let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (style, fonts) = Style::load(&root.join("templates/style.yaml"), &root).unwrap();
        let doc = crate::markup::parse(&format!("<doc>{chart}</doc>"), "t.html").unwrap();
        let el = doc.root.child_elements().next().unwrap().clone();
        let mut diags = Diagnostics::new();
        let mut set = Setter {
            style: &style,
            fonts: &fonts,
            source: "t.html",
            diags: &mut diags,
            sources: None,
        };
        let data = parse(&el, &mut set).expect("chart data reads");
        let frame = Frame {
            x: 100.0,
            width: 240.0,
            style: &style.file.chart,
            font: "gothic".into(),
            color: Color::BLACK,
        };
        let drawn = draw(&data, &frame, &mut set);
        assert!(!diags.has_errors(), "{diags:?}");
        assert_inside(&drawn, 100.0, 340.0, &fonts);
        check(&data, &drawn, &fonts);
    }

    /// Nothing of the chart lies outside its box: x from `left` to `right`, y from 0 to its
    /// height (glyphs by their advance and em box).
    fn assert_inside(d: &Drawn, left: f32, right: f32, fonts: &FontSet) {
        let inside = |x: f32, y: f32| {
            x >= left - EPS && x <= right + EPS && y >= -EPS && y <= d.height + EPS
        };
        for it in &d.items {
            match it {
                Item::Path(p) => {
                    for &(x, y) in &p.points {
                        assert!(inside(x, y), "point ({x}, {y}) outside the chart box");
                    }
                }
                Item::Text(r) => {
                    let f = fonts.get(r.font);
                    for (g, t) in r.glyph_texts() {
                        let adv = t
                            .chars()
                            .next()
                            .and_then(|c| f.glyph(c))
                            .map_or(0.0, |gi| gi.advance * r.size);
                        // An opening bracket at a line start is set with its leading
                        // half-em blank trimmed (JLREQ): its ink is in its right half.
                        let blank = if "（「『【〔".contains(t) {
                            adv / 2.0
                        } else {
                            0.0
                        };
                        let (x0, x1) = (r.x + g.x + blank, r.x + g.x + adv);
                        let (top, bottom) = (r.y - 0.88 * r.size, r.y + 0.12 * r.size);
                        assert!(
                            inside(x0, top) && inside(x1, bottom),
                            "glyph {t:?} of {:?} at ({x0}..{x1}, {top}..{bottom}) outside the chart box (height {})",
                            r.text(),
                            d.height
                        );
                    }
                }
                other => panic!("a chart draws paths and text only: {other:?}"),
            }
        }
    }

    /// Horizontal rules (two points at one y) across the plot, by y.
    fn rules(d: &Drawn) -> Vec<f32> {
        d.items
            .iter()
            .filter_map(|i| match i {
                Item::Path(p)
                    if p.points.len() == 2
                        && (p.points[0].1 - p.points[1].1).abs() < EPS
                        && (p.points[0].0 - d.plot.left).abs() < EPS
                        && (p.points[1].0 - d.plot.right).abs() < EPS =>
                {
                    Some(p.points[0].1)
                }
                _ => None,
            })
            .collect()
    }

    /// Bars (filled four-point paths in the first series' colour): (left, top, right, bottom).
    fn bars(d: &Drawn, style_color: Color) -> Vec<(f32, f32, f32, f32)> {
        d.items
            .iter()
            .filter_map(|i| match i {
                Item::Path(p) if p.points.len() == 4 && p.fill == Some(style_color) => {
                    let xs = p.points.iter().map(|q| q.0);
                    let ys = p.points.iter().map(|q| q.1);
                    Some((
                        xs.clone().fold(f32::MAX, f32::min),
                        ys.clone().fold(f32::MAX, f32::min),
                        xs.fold(f32::MIN, f32::max),
                        ys.fold(f32::MIN, f32::max),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn first_series_color() -> Color {
        let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("templates/style.yaml")).unwrap();
        let file = Style::parse(&text, "style.yaml").unwrap();
        file.chart.series[0].color.0
    }

    fn texts(d: &Drawn) -> Vec<String> {
        d.items
            .iter()
            .filter_map(|i| match i {
                Item::Text(r) => Some(r.text().to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_axis_maximum_is_the_top_of_the_plot() {
        let c = r#"<chart unit="件" categories="a|b|c" target="400000"><series values="34677|98220|202850"/></chart>"#;
        with_chart(c, |_, d, _| {
            assert_eq!(d.plot.axis.max, 400000.0);
            assert!((d.plot.y(d.plot.axis.max) - d.plot.top).abs() < EPS);
            // The top grid rule and the target are at the plot's top.
            assert!(rules(d).iter().any(|y| (y - d.plot.top).abs() < EPS));
            assert!(texts(d).iter().any(|t| t == "（万件）"));
            assert!(texts(d).iter().any(|t| t == "40"));
        });
        let c = r#"<chart categories="a|b"><series values="12|87"/></chart>"#;
        with_chart(c, |_, d, _| {
            assert_eq!((d.plot.axis.min, d.plot.axis.max), (0.0, 100.0));
            assert!(rules(d).iter().any(|y| (y - d.plot.top).abs() < EPS));
            let bars = bars(d, first_series_color());
            assert_eq!(bars.len(), 2);
            let top = bars.iter().map(|b| b.1).fold(f32::MAX, f32::min);
            assert!((top - d.plot.y(87.0)).abs() < EPS && top > d.plot.top);
            // Bars stand on the zero line, which is the plot's bottom.
            assert!(bars.iter().all(|b| (b.3 - d.plot.bottom).abs() < EPS));
        });
    }

    #[test]
    fn negative_values_hang_below_the_zero_line() {
        let c = r#"<chart unit="%" categories="a|b|c"><series values="-35|12|-0.5"/></chart>"#;
        with_chart(c, |_, d, _| {
            assert!(d.plot.axis.min <= -35.0 && d.plot.axis.max >= 12.0);
            assert!((d.plot.y(d.plot.axis.min) - d.plot.bottom).abs() < EPS);
            let zero = d.plot.y(0.0);
            assert!(zero > d.plot.top && zero < d.plot.bottom);
            let bars = bars(d, first_series_color());
            assert_eq!(bars.len(), 3);
            assert!((bars[0].1 - zero).abs() < EPS && bars[0].3 > zero);
            assert!((bars[1].3 - zero).abs() < EPS && bars[1].1 < zero);
            assert!(texts(d).concat().contains("-35"), "{:?}", texts(d));
        });
    }

    #[test]
    fn one_value_and_all_equal_values_draw() {
        with_chart(
            r#"<chart categories="令和2年度"><series values="7"/></chart>"#,
            |_, d, _| {
                assert_eq!(bars(d, first_series_color()).len(), 1);
                assert!(d.plot.axis.max >= 7.0);
            },
        );
        for kind in ["bar", "line"] {
            let c = format!(
                r#"<chart kind="{kind}" categories="a|b|c"><series values="5|5|5"/></chart>"#
            );
            with_chart(&c, |_, d, _| {
                assert!(d.plot.axis.max >= 5.0 && d.plot.axis.min == 0.0);
                assert!(d.plot.y(5.0) >= d.plot.top - EPS);
            });
        }
        with_chart(
            r#"<chart categories="a|b"><series values="0|0"/></chart>"#,
            |_, d, _| assert_eq!((d.plot.axis.min, d.plot.axis.max), (0.0, 1.0)),
        );
    }

    #[test]
    fn very_large_and_very_small_numbers_stay_in_the_box() {
        with_chart(
            r#"<chart unit="円" categories="a|b"><series values="3200000000000|1500000000000"/></chart>"#,
            |_, d, _| {
                assert!(texts(d).iter().any(|t| t == "（兆円）"), "{:?}", texts(d));
                assert!(d.plot.axis.max >= 3.2e12);
            },
        );
        with_chart(
            r#"<chart kind="line" categories="a|b|c"><series values="0.000003|0.000007|0.0000051"/></chart>"#,
            |_, d, _| {
                assert!(d.plot.axis.max >= 0.000007 && d.plot.axis.max < 0.00002);
                assert!(
                    texts(d).iter().any(|t| t.starts_with("0.00000")),
                    "{:?}",
                    texts(d)
                );
            },
        );
    }

    #[test]
    fn values_left_out_are_not_drawn_as_zero() {
        with_chart(
            r#"<chart categories="a|b|c"><series values="10|-|30"/></chart>"#,
            |data, d, _| {
                assert_eq!(data.series[0].values, vec![Some(10.0), None, Some(30.0)]);
                let bars = bars(d, first_series_color());
                assert_eq!(bars.len(), 2);
                let cw = (d.plot.right - d.plot.left) / 3.0;
                let (b0, b1) = (d.plot.left + cw, d.plot.left + 2.0 * cw);
                assert!(bars.iter().all(|b| b.2 <= b0 + EPS || b.0 >= b1 - EPS));
            },
        );
        // A line breaks at a value left out: two points on each side make two lines.
        with_chart(
            r#"<chart kind="line" categories="a|b|c|d|e"><series values="1|2|-|4|5"/></chart>"#,
            |_, d, _| {
                let lines = d
                    .items
                    .iter()
                    .filter(|i| matches!(i, Item::Path(p) if p.fill.is_none() && p.points.len() == 2 && p.stroke.as_ref().is_some_and(|s| s.width > 1.0)))
                    .count();
                assert_eq!(lines, 2);
            },
        );
    }

    #[test]
    fn series_differ_by_more_than_colour() {
        let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("templates/style.yaml")).unwrap();
        let sheet = Style::parse(&text, "style.yaml").unwrap().chart.series;
        for series in [sheet, ChartStyle::default().series] {
            for (i, a) in series.iter().enumerate() {
                for b in &series[i + 1..] {
                    assert!(a.pattern != b.pattern, "two series share a bar pattern");
                    assert!(a.dash != b.dash, "two series share a line dash");
                    assert!(a.marker != b.marker, "two series share a marker");
                }
            }
        }
        // Two series of bars: the second is hatched (thin lines inside its bars), and a legend
        // names both.
        let c = r#"<chart categories="a|b"><series name="実績" values="3|4"/><series name="見込み" values="5|6"/></chart>"#;
        with_chart(c, |_, d, _| {
            let hatch = d
                .items
                .iter()
                .filter(|i| {
                    matches!(i, Item::Path(p) if p.points.len() == 2
                        && (p.points[0].0 - p.points[1].0).abs() > EPS
                        && (p.points[0].1 - p.points[1].1).abs() > EPS)
                })
                .count();
            assert!(hatch > 4, "no hatching");
            let t = texts(d);
            assert!(
                t.iter().any(|x| x == "実績") && t.iter().any(|x| x == "見込み"),
                "{t:?}"
            );
        });
    }

    /// The filled part of each track of a progress chart: (left, top, right, bottom).
    fn fills(d: &Drawn) -> Vec<(f32, f32, f32, f32)> {
        bars(d, first_series_color())
    }

    #[test]
    fn a_progress_track_is_filled_as_far_as_the_latest_value_goes_toward_the_target() {
        let c = r#"<chart kind="progress" title="英語版ホームページのアクセス件数" unit="件" categories="平成22年度|令和2年度" target="400000" target-label="目標（令和4年度）"><series values="34677|202850"/></chart>"#;
        with_chart(c, |_, d, _| {
            let f = fills(d);
            assert_eq!(f.len(), 1, "{f:?}");
            let share = (202850.0 - 34677.0) / (400000.0 - 34677.0);
            let want = d.plot.left + (d.plot.right - d.plot.left) * share as f32;
            assert!((f[0].0 - d.plot.left).abs() < EPS && (f[0].2 - want).abs() < EPS);
            assert!((f[0].1 - d.plot.top).abs() < EPS && (f[0].3 - d.plot.bottom).abs() < EPS);
            let t = texts(d).concat();
            for w in [
                "令和2年度 202,850件（目標までの46%）",
                "基準 平成22年度 34,677件",
                "目標（令和4年度） 400,000件",
            ] {
                assert!(t.contains(w), "{w} not in {t}");
            }
        });
        // Better lower: the target under the baseline; the way done counts the same.
        let c = r#"<chart kind="progress" unit="件" categories="a|b|c" target="100"><series values="500|-|300"/></chart>"#;
        with_chart(c, |_, d, _| {
            let f = fills(d);
            let want = d.plot.left + (d.plot.right - d.plot.left) * 0.5;
            assert_eq!(f.len(), 1);
            assert!((f[0].2 - want).abs() < EPS, "{f:?}");
        });
        // Past the target: the whole track, and said so; moved away: nothing filled.
        let c = r#"<chart kind="progress" categories="a|b" target="10"><series values="5|12"/></chart>"#;
        with_chart(c, |_, d, _| {
            assert!((fills(d)[0].2 - d.plot.right).abs() < EPS);
            assert!(texts(d).concat().contains("目標を達成"));
        });
        let c =
            r#"<chart kind="progress" categories="a|b" target="10"><series values="5|3"/></chart>"#;
        with_chart(c, |_, d, _| {
            assert!(fills(d).is_empty());
            assert!(texts(d).concat().contains("基準から後退"));
        });
    }

    #[test]
    fn a_progress_chart_without_a_baseline_or_target_says_so_and_stays_in_its_box() {
        for c in [
            r#"<chart kind="progress" categories="a|b"><series values="5|3"/></chart>"#,
            r#"<chart kind="progress" categories="a|b" target="7"><series values="-|3"/></chart>"#,
            r#"<chart kind="progress" categories="a|b" target="5"><series values="5|5"/></chart>"#,
        ] {
            with_chart(c, |_, d, _| {
                assert!(fills(d).is_empty());
                assert!(texts(d).concat().contains("進み具合を示せません"), "{c}");
            });
        }
        // Two series: a track each, one under the other, both in the box.
        let c = r#"<chart kind="progress" unit="施設" categories="a|b|c" target="10"><series name="施設" values="2|4|6"/><series name="事業者" values="1|-|9"/></chart>"#;
        with_chart(c, |_, d, _| {
            let tracks = d
                .items
                .iter()
                .filter(|i| matches!(i, Item::Path(p) if p.points.len() == 4 && p.fill == Some(WHITE) && (p.points[0].0 - d.plot.left).abs() < EPS && (p.points[1].0 - d.plot.right).abs() < EPS))
                .count();
            assert_eq!(tracks, 2);
            let t = texts(d);
            assert!(
                t.iter().any(|x| x == "施設") && t.iter().any(|x| x == "事業者"),
                "{t:?}"
            );
        });
        // Very large numbers and a narrow box: still inside (with_chart checks every glyph).
        let c = r#"<chart kind="progress" unit="円" categories="平成22年度|令和2年度" target="3200000000000" target-label="目標（令和4年度）"><series values="1500000000000|2000000000000"/></chart>"#;
        with_chart(c, |_, d, _| assert_eq!(fills(d).len(), 1));
    }
}
