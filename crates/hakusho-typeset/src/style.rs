//! The style sheet (`templates/style.yaml`): page, fonts, and per-element / per-class block
//! styles. Unknown keys are errors (a typo must not silently do nothing), reported with
//! file:line:column.

use std::collections::BTreeMap;
use std::path::Path;

use hakusho_diagnostics::{confined, Diagnostics, Location, Message};
use serde::Deserialize;

use crate::font::{Font, FontIndex, FontSet};
use crate::page::Color;

pub const MM: f32 = 72.0 / 25.4;

/// A length: a number is points; strings take a unit: `12pt`, `20mm`, `1em` (of the element's
/// own font size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Pt(f32),
    Em(f32),
}

impl Length {
    pub fn resolve(self, em: f32) -> f32 {
        match self {
            Length::Pt(v) => v,
            Length::Em(v) => v * em,
        }
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f32),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(v) => Ok(Length::Pt(v)),
            Raw::Str(s) => parse_length(&s).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "invalid length '{s}' (expected a number of points or 12pt / 20mm / 1em)"
                ))
            }),
        }
    }
}

pub(crate) fn parse_length(s: &str) -> Option<Length> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len()));
    let v: f32 = num.trim().parse().ok()?;
    match unit {
        "" | "pt" => Some(Length::Pt(v)),
        "mm" => Some(Length::Pt(v * MM)),
        "cm" => Some(Length::Pt(v * 10.0 * MM)),
        "em" => Some(Length::Em(v)),
        _ => None,
    }
}

/// A colour of the style sheet: a name from `palette:` (the way a style names its colours
/// once, with their ink on press) or `#RRGGBB` (screen RGB; on press its grey or CMYK
/// equivalent, see [`Color::rgb`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub Color);

fn parse_hex(s: &str) -> Option<Color> {
    let hex = s
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.is_ascii())?;
    let part = |i: usize| {
        u8::from_str_radix(&hex[i..i + 2], 16)
            .ok()
            .map(|v| v as f32 / 255.0)
    };
    Some(Color::rgb(part(0)?, part(2)?, part(4)?))
}

thread_local! {
    /// The palette of the style sheet being parsed: serde reads each colour on its own, so the
    /// names it may use are put here, for the length of [`Style::parse`], on its thread.
    static PALETTE_IN_PARSE: std::cell::RefCell<BTreeMap<String, Color>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Some(c) = parse_hex(&s) {
            return Ok(Rgb(c));
        }
        PALETTE_IN_PARSE.with(|p| {
            let palette = p.borrow();
            match palette.get(s.trim()) {
                Some(c) => Ok(Rgb(*c)),
                None => {
                    // serde's own wording for an unknown name, which the YAML reader puts
                    // into Japanese with the list of names that can be used.
                    let names: Vec<String> = std::iter::once("#RRGGBB".to_string())
                        .chain(palette.keys().cloned())
                        .map(|n| format!("`{n}`"))
                        .collect();
                    Err(serde::de::Error::custom(format!(
                        "unknown variant `{s}`, expected one of {}",
                        names.join(", ")
                    )))
                }
            }
        })
    }
}

/// `spot:` of the style sheet: the one spot colour (特色) of two-colour printing, the city's
/// colour beside black. On press it is its own plate (a Separation named `name`); `cmyk`
/// (percent) is how it looks where it cannot be its own plate (proofs, screen).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotColor {
    pub name: String,
    pub cmyk: [f32; 4],
}

/// One colour of `palette:`: exactly one ink — `gray` (K percent), `cmyk` (four percents) or
/// `spot` (tint percent of `spot:`) — and optionally its exact screen colour `screen`
/// (`#RRGGBB`; without it the screen shows the ink converted to RGB).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaletteEntry {
    pub gray: Option<f32>,
    pub cmyk: Option<[f32; 4]>,
    pub spot: Option<f32>,
    pub screen: Option<String>,
}

/// The parts of the style sheet read before the rest: the colours the rest refers to.
#[derive(Debug, Default, Deserialize)]
struct ColorsOnly {
    #[serde(default)]
    spot: Option<SpotColor>,
    #[serde(default)]
    palette: BTreeMap<String, PaletteEntry>,
}

/// A style file from a YAML value already merged (the print variant: the sheet with its
/// `print:` keys laid over it), its colour names read against the palette of that value.
pub(crate) fn file_from_merged(
    merged: serde_yaml::Value,
    text: &str,
    source: &Path,
    diags: &mut Diagnostics,
) -> Result<StyleFile, serde_yaml::Error> {
    let colors = serde_yaml::from_value::<ColorsOnly>(merged.clone()).unwrap_or_default();
    let palette = resolve_palette(&colors, text, source, diags);
    PALETTE_IN_PARSE.with(|p| *p.borrow_mut() = palette);
    let parsed = serde_yaml::from_value::<StyleFile>(merged);
    PALETTE_IN_PARSE.with(|p| p.borrow_mut().clear());
    parsed
}

/// CMYK (0–1) as screen RGB, the plain conversion.
fn cmyk_to_rgb([c, m, y, k]: [f32; 4]) -> (f32, f32, f32) {
    (
        (1.0 - c) * (1.0 - k),
        (1.0 - m) * (1.0 - k),
        (1.0 - y) * (1.0 - k),
    )
}

/// The palette's colours by name; each entry that is not one ink in range, or whose `screen:`
/// is not `#RRGGBB`, is reported at its name.
fn resolve_palette(
    colors: &ColorsOnly,
    text: &str,
    source: &Path,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Color> {
    let mut out = BTreeMap::new();
    let percent = |v: f32| (0.0..=100.0).contains(&v);
    if let Some(spot) = &colors.spot {
        if !spot.cmyk.iter().all(|v| percent(*v)) || spot.name.trim().is_empty() {
            diags.error(
                key_location(text, source, "spot:"),
                format!(
                    "spot: の特色 {} は、名前 (name) と 0〜100 の CMYK 値 4 つ (cmyk) で書いてください",
                    spot.name
                ),
                format!(
                    "spot: the spot colour {} needs a name and four CMYK percentages from 0 to 100 (cmyk)",
                    spot.name
                ),
            );
        }
    }
    for (name, e) in &colors.palette {
        let inks = [e.gray.is_some(), e.cmyk.is_some(), e.spot.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        let in_range = e.gray.is_none_or(percent)
            && e.spot.is_none_or(percent)
            && e.cmyk.is_none_or(|c| c.iter().all(|v| percent(*v)));
        let at = key_location(text, source, &format!("{name}:"));
        if inks != 1 || !in_range {
            diags.error(
                at,
                format!("palette: の色 {name} には、gray（K の %）、cmyk（4 つの %）、spot（特色の濃度 %）のどれか一つを 0〜100 で書いてください"),
                format!("palette: colour {name} needs exactly one of gray (K percent), cmyk (four percentages) or spot (tint percent of the spot colour), each from 0 to 100"),
            );
            continue;
        }
        let ink = match (e.gray, e.cmyk, e.spot) {
            (Some(k), _, _) => crate::page::Ink::Gray(k / 100.0),
            (_, Some(c), _) => crate::page::Ink::Cmyk(c.map(|v| v / 100.0)),
            (_, _, Some(t)) => {
                if colors.spot.is_none() {
                    diags.error(
                        at,
                        format!("palette: の色 {name} は特色 (spot) の濃度ですが、spot: に特色が定義されていません。spot: {{ name: 特色の名前, cmyk: [C, M, Y, K] }} を書いてください"),
                        format!("palette: colour {name} is a tint of the spot colour, but no spot: is defined; add spot: {{ name: ..., cmyk: [C, M, Y, K] }}"),
                    );
                    continue;
                }
                crate::page::Ink::Spot(t / 100.0)
            }
            _ => continue,
        };
        let screen = match &e.screen {
            Some(hex) => {
                match parse_hex(hex) {
                    Some(c) => Some((c.r, c.g, c.b)),
                    None => {
                        diags.error(
                        at,
                        format!("palette: の色 {name} の screen: {hex} は #RRGGBB の形ではありません"),
                        format!("palette: colour {name}: screen {hex} is not #RRGGBB"),
                    );
                        continue;
                    }
                }
            }
            None => None,
        };
        let (r, g, b) = screen.unwrap_or_else(|| match ink {
            crate::page::Ink::Gray(k) => (1.0 - k, 1.0 - k, 1.0 - k),
            crate::page::Ink::Cmyk(c) => cmyk_to_rgb(c),
            crate::page::Ink::Spot(t) => {
                let alt = colors.spot.as_ref().map_or([0.0; 4], |s| s.cmyk);
                cmyk_to_rgb(alt.map(|v| v / 100.0 * t))
            }
        });
        out.insert(name.clone(), Color { r, g, b, ink });
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextAlign {
    Justify,
    Start,
    Center,
    End,
}

/// Every field optional: an element's style is the body style overlaid with the element's and
/// then its classes' entries.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockStyle {
    pub font: Option<String>,
    pub size: Option<f32>,
    /// Multiple of the font size.
    pub line_height: Option<f32>,
    pub space_before: Option<Length>,
    pub space_after: Option<Length>,
    /// First-line indent (字下げ).
    pub indent: Option<Length>,
    pub margin_left: Option<Length>,
    pub margin_right: Option<Length>,
    pub align: Option<TextAlign>,
    pub color: Option<Rgb>,
    /// `true`: the block starts a new page; `right`: a right-hand page (右起こし) when
    /// `page: facing: true`, a blank left page put before it when needed (otherwise the
    /// same as `true`).
    pub page_break_before: Option<PageBreak>,
    /// Rule under the block (width in pt; 0 = none).
    pub rule_below: Option<f32>,
    pub rule_color: Option<Rgb>,
    /// Box: border width (0 = none), background and inner padding.
    pub border: Option<f32>,
    pub background: Option<Rgb>,
    pub padding: Option<Length>,
    /// The block stays on the page of the block after it (subheads, lead-ins).
    pub keep_with_next: Option<bool>,
    /// A one-line paragraph right after a heading is set flush right on the heading's last
    /// line when there is room (a policy title, then its department at the right margin).
    pub run_in: Option<bool>,
}

macro_rules! overlay {
    ($dst:ident, $src:ident, $($f:ident),*) => {
        $( if $src.$f.is_some() { $dst.$f = $src.$f.clone(); } )*
    };
}

impl BlockStyle {
    fn overlay(&mut self, o: &BlockStyle) {
        overlay!(
            self,
            o,
            font,
            size,
            line_height,
            space_before,
            space_after,
            indent,
            margin_left,
            margin_right,
            align,
            color,
            page_break_before,
            rule_below,
            rule_color,
            border,
            background,
            padding,
            keep_with_next,
            run_in
        );
    }
}

/// `page_break_before:` of a block: `false`, `true` or `right`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageBreak {
    No,
    Page,
    /// A right-hand page: odd page numbers, in a left-bound horizontal document.
    Right,
}

impl<'de> Deserialize<'de> for PageBreak {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PageBreak;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or right")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<PageBreak, E> {
                Ok(if v { PageBreak::Page } else { PageBreak::No })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PageBreak, E> {
                match v {
                    "right" => Ok(PageBreak::Right),
                    _ => Err(E::unknown_variant(v, &["true", "false", "right"])),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum PageSize {
    Named(String),
    /// [width, height]
    Dims([Length; 2]),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    pub top: Length,
    pub bottom: Length,
    /// The same on every page; may be left out when `inside` and `outside` are given.
    pub left: Option<Length>,
    pub right: Option<Length>,
    /// With facing pages: the margin at the binding (綴じ側: left on a right-hand page, right
    /// on a left-hand one) and the one at the outer edge (小口側). Given, they replace `left`
    /// and `right` (a `print:` section can add them to a screen style's left and right).
    pub inside: Option<Length>,
    pub outside: Option<Length>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageStyle {
    #[serde(default = "default_size")]
    pub size: PageSize,
    pub margin: Margins,
    /// Facing pages, for a printed and bound document: a block with `page_break_before:
    /// right` starts on an odd (right-hand) page, a blank unnumbered page put before it when
    /// needed; the `left` and `right` slots of the running header and footer swap on even
    /// (left-hand) pages, so that `right` is the outer edge and `left` the inner one.
    #[serde(default)]
    pub facing: bool,
    /// Blank pages are added so that the page count is a multiple of this (4 for a
    /// saddle-stitched booklet): before the last page when it has no running heads (a
    /// colophon, a back cover), else at the end.
    #[serde(default)]
    pub pad_to: Option<u32>,
}

fn default_size() -> PageSize {
    PageSize::Named("A4".into())
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStyle {
    pub font: String,
    pub header_font: Option<String>,
    pub size: f32,
    pub line_height: f32,
    /// Vertical and horizontal cell padding.
    pub padding_v: Length,
    pub padding_h: Length,
    pub rule: f32,
    pub outer_rule: f32,
    /// Rule under the last header row.
    pub header_rule: f32,
    pub rule_color: Option<Rgb>,
    pub header_background: Option<Rgb>,
    pub space_before: Length,
    pub space_after: Length,
    /// Shown small above the repeated header rows on the pages a table continues on
    /// ("（続き）"); none when absent.
    #[serde(default)]
    pub continued_label: Option<String>,
}

/// How charts (`<figure>` with `<chart>`) are drawn. Every key has a default, so a style sheet
/// without `chart:` still draws them. Series are told apart without colour: each series entry
/// has its own bar pattern, line dash and point marker.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChartStyle {
    /// Font of labels (axis numbers, categories, chart titles); default the table font.
    pub font: Option<String>,
    /// Size of axis and category labels.
    pub size: f32,
    /// Size of a chart's title (the indicator) above its plot.
    pub title_size: f32,
    /// Height of one chart's plot area.
    pub plot_height: Length,
    /// Charts side by side in one figure (a figure of more wraps to further rows).
    pub per_row: usize,
    /// Space between charts side by side, and between rows of them.
    pub gap: Length,
    /// About this many axis intervals (the nice-numbers rule may give one or two more or less).
    pub ticks: usize,
    pub axis_rule: f32,
    pub grid_rule: f32,
    pub color: Option<Rgb>,
    pub grid_color: Option<Rgb>,
    /// Series line width.
    pub line_width: f32,
    /// Point marker size (its width) on line charts.
    pub marker_size: f32,
    /// Share of a category's width its bars take (the rest is the gap between categories).
    pub bar_width: f32,
    pub target_rule: f32,
    pub target_color: Option<Rgb>,
    pub target_dash: Vec<f32>,
    /// One entry per series, in order (repeated when a chart has more series).
    pub series: Vec<SeriesStyle>,
}

/// How one series looks: never colour alone, a chart must read in black-and-white print.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesStyle {
    pub color: Rgb,
    /// Bars: filled with this colour (`solid`), hatched (`hatch`: diagonal lines in `color`
    /// over white), crossed (`cross`) or white with an outline (`outline`).
    #[serde(default = "default_pattern")]
    pub pattern: BarPattern,
    /// Lines: dash and gap lengths in points (empty: solid).
    #[serde(default)]
    pub dash: Vec<f32>,
    /// Line charts: the point marker.
    #[serde(default = "default_marker")]
    pub marker: Marker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BarPattern {
    Solid,
    Hatch,
    Cross,
    Outline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

fn default_pattern() -> BarPattern {
    BarPattern::Solid
}

fn default_marker() -> Marker {
    Marker::Circle
}

impl Default for ChartStyle {
    fn default() -> Self {
        let grey = |v: f32| Rgb(Color::rgb(v, v, v));
        ChartStyle {
            font: None,
            size: 7.0,
            title_size: 8.5,
            plot_height: Length::Pt(96.0),
            per_row: 2,
            gap: Length::Pt(18.0),
            ticks: 4,
            axis_rule: 0.6,
            grid_rule: 0.3,
            color: None,
            grid_color: Some(grey(0.75)),
            line_width: 1.2,
            marker_size: 4.0,
            bar_width: 0.6,
            target_rule: 0.8,
            target_color: None,
            target_dash: vec![3.0, 2.0],
            series: vec![
                SeriesStyle {
                    color: grey(0.3),
                    pattern: BarPattern::Solid,
                    dash: Vec::new(),
                    marker: Marker::Circle,
                },
                SeriesStyle {
                    color: grey(0.2),
                    pattern: BarPattern::Hatch,
                    dash: vec![4.0, 2.0],
                    marker: Marker::Square,
                },
                SeriesStyle {
                    color: grey(0.2),
                    pattern: BarPattern::Cross,
                    dash: vec![1.0, 1.5],
                    marker: Marker::Triangle,
                },
                SeriesStyle {
                    color: grey(0.2),
                    pattern: BarPattern::Outline,
                    dash: vec![6.0, 2.0, 1.0, 2.0],
                    marker: Marker::Diamond,
                },
            ],
        }
    }
}

/// Running header or footer: three slots with `{page}`, `{title}`, `{section}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunningStyle {
    #[serde(default)]
    pub left: String,
    #[serde(default)]
    pub center: String,
    #[serde(default)]
    pub right: String,
    pub font: String,
    pub size: f32,
    pub color: Option<Rgb>,
    /// Baseline distance from the page edge (top for headers, bottom for footers).
    pub offset: Length,
    /// Rule between the running text and the body (0 = none).
    #[serde(default)]
    pub rule: f32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TocLevel {
    pub font: String,
    pub size: f32,
    pub indent: Length,
    pub space_before: Length,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TocStyle {
    pub title: String,
    /// Deepest heading level listed.
    pub depth: u8,
    /// Leader character between entry and page number.
    pub leader: String,
    pub line_height: f32,
    /// h1.. in order; deeper levels reuse the last.
    pub levels: Vec<TocLevel>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListStyle {
    /// Bullet of `<ul>`.
    pub bullet: String,
    /// Bullet of `<ul class="double-circle">`.
    pub double_circle: String,
    /// Marker of `<ol>`; `{n}` is the item number.
    pub number: String,
    /// Gap between marker and text.
    pub gap: Length,
    /// Indent of a nested list relative to its parent item's text.
    pub nest_indent: Length,
    /// Markers that start a typed list item hanging under its text (default: ①–㊿ ・◎○●◆◇■□☆★).
    #[serde(default)]
    pub markers: crate::ListMarkers,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleFile {
    pub page: PageStyle,
    /// The spot colour of two-colour printing (read before the rest, see [`ColorsOnly`]).
    #[serde(default)]
    pub spot: Option<SpotColor>,
    /// Colours by name (read before the rest: every colour of the sheet may name one).
    #[serde(default)]
    pub palette: BTreeMap<String, PaletteEntry>,
    /// Font name → file, relative to the project root. Order is the fallback order.
    pub fonts: BTreeMap<String, String>,
    pub fallback: Vec<String>,
    /// Font used for `<b>` given the surrounding font.
    #[serde(default)]
    pub bold: BTreeMap<String, String>,
    pub body: BlockStyle,
    /// Element name → style (`h1`, `p`, `li`, `th`, `td`, `div` ...).
    #[serde(default)]
    pub elements: BTreeMap<String, BlockStyle>,
    /// `element.class` or `.class` → style, applied after the element's.
    #[serde(default)]
    pub classes: BTreeMap<String, BlockStyle>,
    pub table: TableStyle,
    pub lists: ListStyle,
    pub header: Option<RunningStyle>,
    pub footer: Option<RunningStyle>,
    pub toc: TocStyle,
    #[serde(default)]
    pub chart: ChartStyle,
    /// Keys that override the ones above in a print build (`Style::for_profile`); the
    /// screen build ignores them. Checked when the style is loaded.
    #[serde(default)]
    pub print: Option<serde_yaml::Value>,
}

/// A resolved block style: everything known, fonts as indices, lengths in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub font: FontIndex,
    pub font_name: String,
    pub size: f32,
    pub line_height: f32,
    pub space_before: f32,
    pub space_after: f32,
    pub indent: f32,
    pub margin_left: f32,
    pub margin_right: f32,
    pub align: TextAlign,
    pub color: Color,
    pub page_break_before: bool,
    /// Starts on a right-hand page when the pages face each other (`page_break_before: right`).
    pub right_page: bool,
    pub rule_below: f32,
    pub rule_color: Color,
    pub border: f32,
    pub background: Option<Color>,
    pub padding: f32,
    pub keep_with_next: bool,
    pub run_in: bool,
}

/// The loaded style: the file plus font indices into the `FontSet` loaded with it.
#[derive(Debug, Clone)]
pub struct Style {
    pub file: StyleFile,
    font_index: BTreeMap<String, FontIndex>,
    pub fallback: Vec<FontIndex>,
    pub page_width: f32,
    pub page_height: f32,
    /// The style of a print build, when the file has a `print:` section.
    print: Option<Box<Style>>,
}

/// Largest font file read (a CJK collection is tens of MiB; far larger is a stray file).
pub const FONT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Largest `pad_to:`: a printed sheet folds into at most 64 pages, and a larger number would
/// only add blank pages.
const MAX_PAD_TO: u32 = 64;

/// Largest style sheet read.
const STYLE_MAX_BYTES: u64 = 16 * 1024 * 1024;

impl Style {
    /// Reads `path` and loads the fonts it names (paths relative to `project_root`, which they
    /// cannot leave).
    pub fn load(path: &Path, project_root: &Path) -> Result<(Style, FontSet), Diagnostics> {
        // paths in messages are relative to the project
        let path = path.strip_prefix(project_root).unwrap_or(path);
        let real = project_root.join(path);
        let text = confined::read_source(&real, path, STYLE_MAX_BYTES)
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| confined::ReadError {
                    diagnostic: Box::new(hakusho_diagnostics::Diagnostic::error(
                        Location::file(path),
                        "文字コードが UTF-8 ではありません。UTF-8 で保存し直してください",
                        "the file is not UTF-8; save it as UTF-8",
                    )),
                    too_large: None,
                })
            })
            .map_err(|e| Diagnostics::from_iter([*e.diagnostic]))?;
        let file = Self::parse(&text, &path.display().to_string())?;
        let mut fonts = FontSet::new();
        let mut diags = Diagnostics::new();
        // Fonts are read and indexed on one thread each, added in order.
        let loaded: Vec<Result<Result<Font, Message>, confined::ReadError>> =
            std::thread::scope(|s| {
                let handles: Vec<_> = file
                    .fonts
                    .iter()
                    .map(|(name, rel)| {
                        // A style sheet travels with templates from city to city: it must not be
                        // able to make the tool read files outside the project, or a device.
                        s.spawn(move || {
                            confined::read(project_root, Path::new(rel), FONT_MAX_BYTES)
                                .map(|b| Font::from_bytes_checked(name, b))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Ok(Err(Message {
                                ja: "フォントの読み込みが異常終了しました".into(),
                                en: "font loading panicked".into(),
                            }))
                        })
                    })
                    .collect()
            });
        for ((name, rel), result) in file.fonts.iter().zip(loaded) {
            match result {
                Ok(parsed) => match parsed {
                    Ok(f) => {
                        fonts.add(f);
                    }
                    Err(e) => diags.error(
                        key_location(&text, path, rel),
                        format!("フォントファイル {rel}（{name}）は使えません: {}", e.ja),
                        format!("font file {rel} ({name}) cannot be used: {}", e.en),
                    ),
                },
                Err(e) => diags.error(
                    key_location(&text, path, rel),
                    format!("フォントファイル {rel} を読めません: {}", e.diagnostic.ja),
                    format!("cannot read font file {rel}: {}", e.diagnostic.en),
                ),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let style = Self::from_file(file, &fonts, &text, &path.display().to_string())?;
        Ok((style, fonts))
    }

    /// Parses the YAML only (no fonts); errors carry `source_name:line:column`. Read like every
    /// YAML file of the project: a repeated key is refused at its line, messages are Japanese.
    pub fn parse(text: &str, source_name: &str) -> Result<StyleFile, Diagnostics> {
        let mut diags = Diagnostics::new();
        let source = Path::new(source_name);
        let Some((colors, _)) =
            hakusho_yaml::parse::<ColorsOnly>(text.to_string(), source, &mut diags)
        else {
            return Err(diags);
        };
        let palette = resolve_palette(&colors, text, source, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        PALETTE_IN_PARSE.with(|p| *p.borrow_mut() = palette);
        let parsed = hakusho_yaml::parse::<StyleFile>(text.to_string(), source, &mut diags);
        PALETTE_IN_PARSE.with(|p| p.borrow_mut().clear());
        match parsed {
            Some((file, _)) => Ok(file),
            None => Err(diags),
        }
    }

    /// Binds a parsed style to an already loaded `FontSet` (fonts matched by name) and checks that
    /// every font name it mentions exists.
    pub fn from_file(
        file: StyleFile,
        fonts: &FontSet,
        text: &str,
        source_name: &str,
    ) -> Result<Style, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut font_index = BTreeMap::new();
        for name in file.fonts.keys() {
            if let Some(i) = fonts.by_name(name) {
                font_index.insert(name.clone(), i);
            }
        }
        let mut used: Vec<&String> = Vec::new();
        used.extend(file.fallback.iter());
        used.extend(file.bold.iter().flat_map(|(k, v)| [k, v]));
        used.extend(file.body.font.iter());
        for s in file.elements.values().chain(file.classes.values()) {
            used.extend(s.font.iter());
        }
        used.push(&file.table.font);
        used.extend(file.table.header_font.iter());
        used.extend(file.header.iter().map(|h| &h.font));
        used.extend(file.footer.iter().map(|h| &h.font));
        used.extend(file.toc.levels.iter().map(|l| &l.font));
        used.extend(file.chart.font.iter());
        for name in used {
            if !font_index.contains_key(name) {
                diags.error(
                    key_location(text, Path::new(source_name), name),
                    format!("フォント名 {name} は fonts: に定義されていません"),
                    format!("font name {name} is not defined under fonts:"),
                );
            }
        }
        if file.body.font.is_none() || file.body.size.is_none() || file.body.line_height.is_none() {
            diags.error(
                key_location(text, Path::new(source_name), "body:"),
                "body: には font, size, line_height が必要です",
                "body: needs font, size and line_height",
            );
        }
        if file.toc.levels.is_empty() {
            diags.error(
                key_location(text, Path::new(source_name), "toc:"),
                "toc: levels が空です",
                "toc: levels is empty",
            );
        }
        let (page_width, page_height) = match &file.page.size {
            PageSize::Named(n) => match n.to_ascii_uppercase().as_str() {
                "A4" => (210.0 * MM, 297.0 * MM),
                "A5" => (148.0 * MM, 210.0 * MM),
                "B5" => (182.0 * MM, 257.0 * MM),
                "A3" => (297.0 * MM, 420.0 * MM),
                _ => {
                    diags.error(
                        key_location(text, Path::new(source_name), "size:"),
                        format!("用紙サイズ {n} は使えません（A3, A4, A5, B5 または [幅, 高さ]）"),
                        format!("unknown page size {n} (A3, A4, A5, B5 or [width, height])"),
                    );
                    (210.0 * MM, 297.0 * MM)
                }
            },
            PageSize::Dims([w, h]) => (w.resolve(10.0), h.resolve(10.0)),
        };
        let m = &file.page.margin;
        let margin_at = || last_key_location(text, Path::new(source_name), "margin:");
        match (m.inside.is_some(), m.outside.is_some()) {
            (true, false) | (false, true) => diags.error(
                margin_at(),
                "margin: の inside:（綴じ側）と outside:（小口側）は両方書いてください".to_string(),
                "margin: give both inside: (the binding side) and outside: (the outer edge)"
                    .to_string(),
            ),
            (true, true) if !file.page.facing => diags.error(
                margin_at(),
                "margin: の inside:（綴じ側）と outside:（小口側）は見開きのページ（page: の facing: true）で使います。見開きにしないなら left: と right: を書いてください".to_string(),
                "margin: inside: and outside: are for facing pages (facing: true under page:); without them, give left: and right:".to_string(),
            ),
            (false, false) if m.left.is_none() || m.right.is_none() => diags.error(
                margin_at(),
                "margin: に left: と right: を書いてください（見開きのページなら inside: と outside: でも書けます）".to_string(),
                "margin: give left: and right: (or inside: and outside: with facing pages)"
                    .to_string(),
            ),
            _ => {}
        }
        if let Some(n) = file.page.pad_to.filter(|n| !(1..=MAX_PAD_TO).contains(n)) {
            diags.error(
                // The last one written: the print section's, when the print variant is wrong.
                last_key_location(text, Path::new(source_name), "pad_to:"),
                format!("pad_to: {n} は使えません。1 から {MAX_PAD_TO} までの整数にしてください（中綴じの冊子なら 4。ページ数をこの数の倍数にそろえます）"),
                format!("pad_to: {n} cannot be used; give a whole number from 1 to {MAX_PAD_TO} (4 for a saddle-stitched booklet: the page count is made a multiple of it)"),
            );
        }
        // The print variant is the same file with more keys: its own problems only, once the
        // file itself is sound.
        let print = match &file.print {
            Some(_) if !diags.has_errors() => match crate::profile::print_file(text, source_name) {
                Ok(print_file) => match Style::from_file(print_file, fonts, text, source_name) {
                    Ok(s) => Some(Box::new(s)),
                    Err(d) => {
                        diags.extend(d);
                        None
                    }
                },
                Err(d) => {
                    diags.extend(d);
                    None
                }
            },
            _ => None,
        };
        if diags.has_errors() {
            return Err(diags);
        }
        let fallback = file.fallback.iter().map(|n| font_index[n]).collect();
        Ok(Style {
            file,
            font_index,
            fallback,
            page_width,
            page_height,
            print,
        })
    }

    /// Whether the style sheet has a `print:` section (a print build then lays out on its own).
    pub fn has_print_variant(&self) -> bool {
        self.print.is_some()
    }

    /// The style of a build for `profile`: a print build's is this one with the keys of the
    /// file's `print:` section laid over it (the same style when there is none).
    pub fn for_profile(&self, profile: crate::profile::Profile) -> Style {
        match (profile, &self.print) {
            (crate::profile::Profile::Print, Some(print)) => (**print).clone(),
            _ => {
                let mut screen = self.clone();
                screen.print = None;
                screen
            }
        }
    }

    /// Whether a document is composed alike with this style and with `other` (the screen
    /// style and its print variant, say): the two are equal in everything but what only
    /// pagination and the page furniture read — facing pages and padding (`page.facing`,
    /// `page.pad_to`, read by `paginate`), the running heads and folios (`header`,
    /// `footer`, placed by `finish_pages`) and where a text block of the same width sits
    /// across the page (left and right or inside and outside margins: `finish_pages` moves
    /// the blocks). Then one composition can be paginated with each.
    /// Anything else that differs (a font, a size, the top or bottom margin, the text block's
    /// width, the page size, a colour of the palette, which chunks carry resolved) makes the layouts differ from the start: `false`.
    pub fn composes_like(&self, other: &Style) -> bool {
        fn composing(file: &StyleFile) -> StyleFile {
            let mut f = file.clone();
            f.page.facing = false;
            f.page.pad_to = None;
            f.header = None;
            f.footer = None;
            // Where the text block sits across the page (compared below: its width).
            let m = &mut f.page.margin;
            (m.left, m.right, m.inside, m.outside) = (None, None, None, None);
            // the print section is read only to make the print variant
            f.print = None;
            f
        }
        let block_width = |s: &Style| {
            let (_, right, _, left) = s.margins();
            s.page_width - left - right
        };
        composing(&self.file) == composing(&other.file)
            // (the same width from other margins may differ in the last bit)
            && (block_width(self) - block_width(other)).abs() < 0.01
            && self.font_index == other.font_index
            && self.fallback == other.fallback
            && self.page_width == other.page_width
            && self.page_height == other.page_height
    }

    pub fn font(&self, name: &str) -> FontIndex {
        // Names were validated in from_file; the first font is a safe default otherwise.
        self.font_index.get(name).copied().unwrap_or(FontIndex(0))
    }

    /// The bold counterpart of `font` (`bold:` map), or the font itself.
    pub fn bold_of(&self, font: &str) -> Option<&str> {
        self.file.bold.get(font).map(String::as_str)
    }

    pub fn font_name(&self, index: FontIndex) -> &str {
        self.font_index
            .iter()
            .find(|(_, i)| **i == index)
            .map(|(n, _)| n.as_str())
            .unwrap_or("")
    }

    /// Style of element `name` with `classes`: body ← element ← `.class` ← `name.class`.
    pub fn resolve(&self, name: &str, classes: &[String]) -> Resolved {
        let mut s = self.file.body.clone();
        // Body settings that are not inherited by every block.
        s.space_before = None;
        s.space_after = None;
        s.indent = None;
        if let Some(e) = self.file.elements.get(name) {
            s.overlay(e);
        }
        for c in classes {
            if let Some(e) = self.file.classes.get(&format!(".{c}")) {
                s.overlay(e);
            }
            if let Some(e) = self.file.classes.get(&format!("{name}.{c}")) {
                s.overlay(e);
            }
        }
        self.finish(s)
    }

    /// Resolves with `parent` values for what the element's own style leaves open (used for
    /// table cells, which start from the table settings rather than the body).
    pub fn resolve_over(&self, base: &BlockStyle, name: &str, classes: &[String]) -> Resolved {
        self.finish(self.block_over(base, name, classes))
    }

    /// `base` overlaid with the element's and its classes' entries, unresolved (the base of a
    /// paragraph inside a table cell is the cell's style).
    pub fn block_over(&self, base: &BlockStyle, name: &str, classes: &[String]) -> BlockStyle {
        let mut s = base.clone();
        if let Some(e) = self.file.elements.get(name) {
            s.overlay(e);
        }
        for c in classes {
            if let Some(e) = self.file.classes.get(&format!(".{c}")) {
                s.overlay(e);
            }
            if let Some(e) = self.file.classes.get(&format!("{name}.{c}")) {
                s.overlay(e);
            }
        }
        s
    }

    fn finish(&self, s: BlockStyle) -> Resolved {
        let body = &self.file.body;
        let font_name = s.font.or(body.font.clone()).unwrap_or_default();
        let size = s.size.or(body.size).unwrap_or(10.5);
        let z = Length::Pt(0.0);
        Resolved {
            font: self.font(&font_name),
            font_name,
            size,
            line_height: s.line_height.or(body.line_height).unwrap_or(1.7),
            space_before: s.space_before.unwrap_or(z).resolve(size),
            space_after: s.space_after.unwrap_or(z).resolve(size),
            indent: s.indent.unwrap_or(z).resolve(size),
            margin_left: s.margin_left.unwrap_or(z).resolve(size),
            margin_right: s.margin_right.unwrap_or(z).resolve(size),
            align: s.align.unwrap_or(TextAlign::Justify),
            color: s.color.map(|c| c.0).unwrap_or(Color::BLACK),
            page_break_before: matches!(
                s.page_break_before,
                Some(PageBreak::Page | PageBreak::Right)
            ),
            right_page: s.page_break_before == Some(PageBreak::Right),
            rule_below: s.rule_below.unwrap_or(0.0),
            rule_color: s.rule_color.map(|c| c.0).unwrap_or(Color::BLACK),
            border: s.border.unwrap_or(0.0),
            background: s.background.map(|c| c.0),
            padding: s.padding.unwrap_or(z).resolve(size),
            keep_with_next: s.keep_with_next.unwrap_or(false),
            run_in: s.run_in.unwrap_or(false),
        }
    }

    /// (top, right, bottom, left) of a right-hand page (every page's without facing pages).
    /// The text block is as wide on every page; a left-hand page's is moved by
    /// [`Style::left_page_shift`].
    pub fn margins(&self) -> (f32, f32, f32, f32) {
        let m = &self.file.page.margin;
        let (left, right) = match self.mirrored_margins() {
            Some((inside, outside)) => (inside, outside),
            None => (
                m.left.map_or(0.0, |v| v.resolve(10.0)),
                m.right.map_or(0.0, |v| v.resolve(10.0)),
            ),
        };
        (m.top.resolve(10.0), right, m.bottom.resolve(10.0), left)
    }

    /// (inside, outside) when the pages face each other and the margin names them.
    fn mirrored_margins(&self) -> Option<(f32, f32)> {
        let m = &self.file.page.margin;
        match (self.file.page.facing, m.inside, m.outside) {
            (true, Some(inside), Some(outside)) => {
                Some((inside.resolve(10.0), outside.resolve(10.0)))
            }
            _ => None,
        }
    }

    /// How far right everything on a left-hand page moves from where [`Style::margins`] puts
    /// it: `outside - inside`, so the inside margin is at the binding on both pages of a
    /// spread (0 without mirrored margins).
    pub fn left_page_shift(&self) -> f32 {
        self.mirrored_margins()
            .map_or(0.0, |(inside, outside)| outside - inside)
    }
}

/// Best-effort position of a value in the YAML text (the first line mentioning it), so
/// semantic errors found after parsing still point at a line.
fn key_location(text: &str, path: &Path, needle: &str) -> Location {
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return Location::text(path, i as u32 + 1, line[..col].chars().count() as u32 + 1);
        }
    }
    Location::file(path)
}

/// The position of the last line (not a comment) where `key` is written.
fn last_key_location(text: &str, path: &Path, key: &str) -> Location {
    let found = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with('#'))
        .filter_map(|(i, line)| Some((i, line.find(key)?, line)))
        .last();
    match found {
        Some((i, col, line)) => {
            Location::text(path, i as u32 + 1, line[..col].chars().count() as u32 + 1)
        }
        None => Location::file(path),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fonts_outside_the_project_are_refused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let resolve = |rel: &str| confined::resolve(&root, Path::new(rel));
        assert!(resolve("fonts/BIZUDMincho-Regular.ttf").is_ok());
        assert!(resolve("/etc/passwd").is_err());
        assert!(resolve("../../../etc/passwd").is_err());
        assert!(resolve("fonts/../../x.ttf").is_err());
        let dir = std::env::temp_dir().join(format!("hakusho-confine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let style = dir.join("style.yaml");
        let original = std::fs::read_to_string(root.join("templates/style.yaml")).unwrap();
        let hostile = original.replacen("fonts/BIZUDMincho-Regular.ttf", "/etc/passwd", 1);
        assert_ne!(original, hostile, "the style names the Mincho font file");
        std::fs::write(&style, hostile).unwrap();
        let err = Style::load(&style, &root).expect_err("refused");
        let line = err
            .iter()
            .next()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(
            line.contains("/etc/passwd") && line.contains("外"),
            "{line}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    use super::*;

    #[test]
    fn lengths_parse_units() {
        assert_eq!(parse_length("12"), Some(Length::Pt(12.0)));
        assert_eq!(parse_length("1em"), Some(Length::Em(1.0)));
        assert!(matches!(parse_length("10mm"), Some(Length::Pt(v)) if (v - 28.3465).abs() < 0.01));
        assert_eq!(parse_length("3furlongs"), None);
    }

    #[test]
    fn unknown_key_reports_line_and_column() {
        let yaml = "page:\n  size: A4\n  margins: {}\n";
        let err = Style::parse(yaml, "style.yaml").unwrap_err();
        let d = err.iter().next().unwrap();
        assert!(
            matches!(d.location, Location::Text { line: 3, .. }),
            "{:?}",
            d.location
        );
        assert!(d.en.contains("margins"), "{}", d.en);
    }

    /// The project's style sheet with `from` replaced by `to`, parsed.
    fn project_style_with(from: &str, to: &str) -> Result<StyleFile, Diagnostics> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("templates/style.yaml")).unwrap();
        assert!(text.contains(from), "{from}");
        Style::parse(&text.replacen(from, to, 1), "templates/style.yaml")
    }

    #[test]
    fn colours_are_named_once_with_their_ink_and_screen_rgb() {
        use crate::page::Ink;
        let file = project_style_with("", "").unwrap();
        // body text: K100 on press, its exact screen grey on screen
        let text = file.body.color.unwrap().0;
        assert_eq!(text.ink, Ink::Gray(1.0));
        assert_eq!(text.screen(), (26.0 / 255.0, 26.0 / 255.0, 26.0 / 255.0));
        // headings in the city's spot colour, table headers in a tint of it
        assert_eq!(file.elements["h1"].color.unwrap().0.ink, Ink::Spot(1.0));
        assert_eq!(file.table.header_background.unwrap().0.ink, Ink::Spot(0.12));
        // "#RRGGBB" still reads: grey as black ink alone, a colour as CMYK with no rich black
        let file = project_style_with("color: text\n", "color: \"#808080\"\n").unwrap();
        assert!(matches!(file.body.color.unwrap().0.ink, Ink::Gray(k) if (k - 0.498).abs() < 0.01));
        let red = Color::rgb(1.0, 0.0, 0.0).ink;
        assert_eq!(red, Ink::Cmyk([0.0, 1.0, 1.0, 0.0]));
        assert_eq!(Color::rgb(0.0, 0.0, 0.0).ink, Ink::Gray(1.0));
    }

    #[test]
    fn a_colour_name_not_in_the_palette_is_refused_where_it_is_written() {
        let err = project_style_with("color: text\n", "color: txet\n").unwrap_err();
        let d = err.iter().next().unwrap();
        assert!(
            matches!(d.location, Location::Text { .. }),
            "{:?}",
            d.location
        );
        assert!(d.ja.contains("txet") && d.ja.contains("city"), "{}", d.ja);
        assert!(d.en.contains("txet"), "{}", d.en);
        // a tint of a spot colour that is not defined (spot: renamed away), and an entry
        // with two inks
        let err = project_style_with("spot:\n", "spot_was:\n").unwrap_err();
        let d = err.iter().next().unwrap();
        assert!(d.ja.contains("city") && d.ja.contains("spot:"), "{}", d.ja);
        assert!(matches!(d.location, Location::Text { .. }));
        let err = project_style_with("gray: 80, screen", "gray: 80, cmyk: [0, 0, 0, 80], screen")
            .unwrap_err();
        assert!(err.iter().next().unwrap().ja.contains("gray-80"));
    }

    /// The project's style sheet with `more` appended to its `print:` section (the last
    /// section of the file; a `page:` of it replaces the section's), loaded: (screen style,
    /// print style).
    fn screen_and_print_with(more: &str) -> (Style, Style) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (_, fonts) = Style::load(&root.join("templates/style.yaml"), &root).unwrap();
        let text = std::fs::read_to_string(root.join("templates/style.yaml")).unwrap();
        let print_page = "\n  page: { facing: true, pad_to: 4 }\n";
        assert!(text.contains(print_page));
        let text = match more.strip_prefix("  page:") {
            Some(_) => text.replacen(print_page, &format!("\n{more}"), 1),
            None => format!("{}\n{more}", text.trim_end()),
        };
        let style = Style::from_file(
            Style::parse(&text, "templates/style.yaml").unwrap(),
            &fonts,
            &text,
            "templates/style.yaml",
        )
        .unwrap();
        let print = style.for_profile(crate::profile::Profile::Print);
        (style.for_profile(crate::profile::Profile::Screen), print)
    }

    #[test]
    fn a_print_style_composes_like_the_screen_when_only_pagination_and_running_heads_differ() {
        // the sample's print: facing pages, padding to 4, the folio on the outer edge
        let (screen, print) = screen_and_print_with("");
        assert!(print.file.page.facing && print.file.footer != screen.file.footer);
        assert!(screen.composes_like(&print) && print.composes_like(&screen));
        // running heads of their own, in another colour of the sheet: still alike
        let (screen, print) =
            screen_and_print_with("  header: { left: \"{section}\", right: \"\", color: city }\n");
        assert!(screen.composes_like(&print));
        let (screen, print) = screen_and_print_with("  page: { facing: true, pad_to: 8 }\n");
        assert!(print.file.page.pad_to == Some(8) && screen.composes_like(&print));
        // a binding margin that leaves the text block as wide: the blocks move, alike
        let (screen, print) = screen_and_print_with(
            "  page: { facing: true, margin: { inside: 30mm, outside: 14mm } }\n",
        );
        assert!(print.left_page_shift() != 0.0 && screen.composes_like(&print));
        // anything the blocks are set with is not
        for composing in [
            "  body: { size: 11 }\n",
            "  elements: { h2: { space_before: 20 } }\n",
            "  page: { facing: true, margin: { left: 25mm } }\n",
            "  page: { facing: true, margin: { inside: 30mm, outside: 20mm } }\n",
            "  page: { facing: true, margin: { top: 30mm } }\n",
            "  page: { facing: true, size: B5 }\n",
            "  table: { rule: 0.5 }\n",
            "  toc: { leader: \"-\" }\n",
            "  fallback: [gothic, mincho, gothic-bold]\n",
            // a colour chunks carry, resolved: the body text's ink
            "  palette: { text: { gray: 90 } }\n",
            // the rule is conservative: the spot ink's name reaches only the PDF writer, but
            // only what pagination and the running heads read may differ
            "  spot: { name: Other Blue }\n",
        ] {
            let (screen, print) = screen_and_print_with(composing);
            assert!(!screen.composes_like(&print), "{composing}");
        }
    }

    #[test]
    fn the_project_style_loads_and_resolves_classes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (style, fonts) = Style::load(&root.join("templates/style.yaml"), &root).unwrap();
        assert_eq!(fonts.len(), 3);
        let body = style.resolve("p", &[]);
        let note = style.resolve("p", &["note".to_string()]);
        assert!(body.indent > 10.0 && note.indent == 0.0 && note.size < body.size);
        assert_eq!(style.resolve("h1", &[]).font_name, "gothic-bold");
        assert!((style.page_width - 595.28).abs() < 0.1);
    }

    #[test]
    fn missing_font_files_and_unknown_font_names_point_at_the_yaml_line() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("templates/style.yaml"))
            .unwrap()
            .replace("fonts/BIZUDGothic-Bold.ttf", "fonts/nothing.ttf")
            .replace("h4: { font: gothic-bold", "h4: { font: maru-gothic");
        let dir = std::env::temp_dir().join(format!("hakusho-style-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("style.yaml");
        std::fs::write(&path, &text).unwrap();
        let err = Style::load(&path, &root).unwrap_err();
        let msgs: Vec<String> = err
            .iter()
            .map(|d| d.render(hakusho_diagnostics::Lang::En))
            .collect();
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        assert!(
            msgs.iter()
                .any(|m| m.contains(&format!("style.yaml:{}:", line_of("nothing.ttf")))),
            "{msgs:?}"
        );
        // Fonts failed, so names are checked only once the files load: fix the file, retry.
        std::fs::write(
            &path,
            text.replace("fonts/nothing.ttf", "fonts/BIZUDGothic-Bold.ttf"),
        )
        .unwrap();
        let err = Style::load(&path, &root).unwrap_err();
        let msgs: Vec<String> = err
            .iter()
            .map(|d| d.render(hakusho_diagnostics::Lang::En))
            .collect();
        assert!(
            msgs.iter().any(
                |m| m.contains(&format!("style.yaml:{}:", line_of("maru-gothic")))
                    && m.contains("maru-gothic")
            ),
            "{msgs:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
