//! The laid-out document handed from layout to the PDF writer.
//!
//! Units are PDF points; the origin is the top-left corner of the page and y grows downwards.
//! The PDF writer flips coordinates; nothing here depends on printpdf.

use crate::font::FontIndex;

/// A colour as the style sheet names it: its screen RGB (what the screen PDF and the web
/// edition show) and its ink on press (what the print PDF uses: grey, CMYK or a tint of the
/// one spot colour). Both come from the same palette entry of the style sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub ink: Ink,
}

/// A colour on press. Amounts are 0.0–1.0 of full ink.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ink {
    /// Black ink only (DeviceGray): 1.0 is K100.
    Gray(f32),
    /// Process colours (DeviceCMYK): cyan, magenta, yellow, black.
    Cmyk([f32; 4]),
    /// A tint of the style sheet's spot colour (a Separation).
    Spot(f32),
}

impl Color {
    pub const BLACK: Color = Color {
        r: 0.0,
        g: 0.0,
        b: 0.0,
        ink: Ink::Gray(1.0),
    };

    /// A colour given only as screen RGB (`#RRGGBB` in the style sheet, colours of the code):
    /// on press a neutral grey is black ink alone, anything else the plain CMYK separation
    /// (black generation from the darkest component, so no black is ever rich black).
    pub fn rgb(r: f32, g: f32, b: f32) -> Color {
        Color {
            r,
            g,
            b,
            ink: Ink::from_rgb(r, g, b),
        }
    }

    /// The screen components, for the screen writer's "same colour as before" test.
    pub fn screen(&self) -> (f32, f32, f32) {
        (self.r, self.g, self.b)
    }
}

impl Ink {
    pub fn from_rgb(r: f32, g: f32, b: f32) -> Ink {
        let clamp = |v: f32| v.clamp(0.0, 1.0);
        let (r, g, b) = (clamp(r), clamp(g), clamp(b));
        if r == g && g == b {
            return Ink::Gray(1.0 - r);
        }
        let k = 1.0 - r.max(g).max(b);
        // k < 1 here: a colour with a component above zero.
        let part = |v: f32| ((1.0 - v - k) / (1.0 - k)).clamp(0.0, 1.0);
        Ink::Cmyk([part(r), part(g), part(b), k])
    }
}

/// One glyph placed on a line: its glyph id in the font and its x position relative to the
/// start of the run. The source text it stands for (usually one character; empty for a glyph
/// that carries no text) is kept in its run, see [`TextRun::glyph_texts`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    pub glyph_id: u16,
    pub x: f32,
    /// Bytes of the run's text that belong to this glyph.
    text_len: u32,
}

/// Glyphs of one font, size and colour on one baseline.
///
/// The text the glyphs stand for is what ToUnicode maps back, so extraction gives the source
/// text exactly. It is stored once per run rather than per glyph: a 1,000-page document has
/// millions of glyphs, and a string each cost more memory than everything else on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub font: FontIndex,
    pub size: f32,
    /// Start of the run (left edge) on the page.
    pub x: f32,
    /// Baseline position on the page.
    pub y: f32,
    pub color: Color,
    /// Which source paragraph the glyphs set (an index layout's accounting keeps, 1-based),
    /// or 0 for text layout adds itself: markers, labels, page numbers, running heads, TOC.
    pub origin: u32,
    /// The structure element (an index into [`LaidOutDocument::structure`]) the glyphs are
    /// content of, or 0: an artifact (what layout adds and a reader does not hear: markers
    /// set apart, leaders, running heads, page numbers, repeated headers).
    pub node: u32,
    /// For a run of no element: which artifact it is (a running header or footer is
    /// pagination, ISO 32000-1, 14.8.2.2.2).
    pub artifact: ArtifactKind,
    /// Glyphs set from a `<mark data-ref>` (proofs only; empty otherwise).
    pub marks: Vec<GlyphMark>,
    /// The language of the run's text when it is not the document's (`<span lang>`): tagged
    /// PDF carries it as `/Lang` in the run's marked-content properties.
    pub lang: Option<std::sync::Arc<str>>,
    glyphs: Vec<PlacedGlyph>,
    text: String,
}

/// The kind of an artifact run: pagination (running header, footer with the page number) or
/// anything else layout adds (list markers, leaders, （続き）, repeated table headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArtifactKind {
    #[default]
    Other,
    Header,
    Footer,
}

/// Consecutive glyphs of a run (`start..end`, glyph indices) set from the `<mark>` whose
/// `data-ref` is `tag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlyphMark {
    pub tag: u32,
    pub start: u32,
    pub end: u32,
}

impl TextRun {
    pub fn new(font: FontIndex, size: f32, x: f32, y: f32, color: Color) -> TextRun {
        TextRun {
            font,
            size,
            x,
            y,
            color,
            origin: 0,
            node: 0,
            artifact: ArtifactKind::Other,
            marks: Vec::new(),
            lang: None,
            glyphs: Vec::new(),
            text: String::new(),
        }
    }

    /// Appends a glyph at `x` (relative to the run) that stands for `text`.
    pub fn push(&mut self, glyph_id: u16, x: f32, text: &str) {
        // A glyph's text is a few bytes; a longer one is cut at a character boundary rather
        // than overflowing the length.
        let mut len = text.len().min(u32::MAX as usize);
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        self.text.push_str(&text[..len]);
        self.glyphs.push(PlacedGlyph {
            glyph_id,
            x,
            text_len: len as u32,
        });
    }

    /// Marks the glyph pushed next as set from the `<mark>` `tag`.
    pub fn mark_next_glyph(&mut self, tag: u32) {
        let at = self.glyphs.len() as u32;
        match self.marks.last_mut() {
            Some(m) if m.tag == tag && m.end == at => m.end = at + 1,
            _ => self.marks.push(GlyphMark {
                tag,
                start: at,
                end: at + 1,
            }),
        }
    }

    pub fn glyphs(&self) -> &[PlacedGlyph] {
        &self.glyphs
    }

    /// Splits the run after its first `n` glyphs: `self` keeps them, the returned run (same
    /// origin, font and position; its glyphs where they were) holds the rest. For tagging a
    /// typed list marker apart from the item's text.
    pub fn split_off(&mut self, n: usize) -> TextRun {
        let n = n.min(self.glyphs.len());
        let bytes: usize = self.glyphs[..n].iter().map(|g| g.text_len as usize).sum();
        let mut rest = TextRun {
            glyphs: self.glyphs.split_off(n),
            text: self.text.split_off(bytes),
            marks: Vec::new(),
            ..self.clone_empty()
        };
        let n = n as u32;
        for m in std::mem::take(&mut self.marks) {
            if m.start < n {
                self.marks.push(GlyphMark {
                    end: m.end.min(n),
                    ..m
                });
            }
            if m.end > n {
                rest.marks.push(GlyphMark {
                    tag: m.tag,
                    start: m.start.max(n) - n,
                    end: m.end - n,
                });
            }
        }
        rest
    }

    /// The run's attributes without its glyphs.
    fn clone_empty(&self) -> TextRun {
        TextRun {
            origin: self.origin,
            node: self.node,
            artifact: self.artifact,
            lang: self.lang.clone(),
            ..TextRun::new(self.font, self.size, self.x, self.y, self.color)
        }
    }

    /// The source text of all glyphs, in order.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Each glyph with the source text it stands for.
    pub fn glyph_texts(&self) -> impl Iterator<Item = (&PlacedGlyph, &str)> + '_ {
        let mut at = 0;
        self.glyphs.iter().map(move |g| {
            let end = at + g.text_len as usize;
            let t = &self.text[at..end];
            at = end;
            (g, t)
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextRun),
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        fill: Color,
    },
    /// A polyline or polygon (charts): filled, stroked (solid or dashed) or both. Drawn in item
    /// order after the fills and before the rules, so a chart's own layering is its order.
    Path(Path),
    /// A clickable area that jumps to a point of another page (table of contents entries).
    Link {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        target_page: usize,
        target_y: f32,
        /// Its `Link` structure element (0: none).
        node: u32,
        /// What the link says to a reader who cannot see it (the entry's title and page).
        contents: String,
    },
}

/// A stroke: width, colour and dash pattern (dash, gap, … in points; empty: solid).
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    pub width: f32,
    pub color: Color,
    pub dash: Vec<f32>,
}

/// Points joined by straight segments; `closed` joins the last to the first.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub points: Vec<(f32, f32)>,
    pub closed: bool,
    pub fill: Option<Color>,
    pub stroke: Option<Stroke>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

/// A bookmark: nesting follows `level` (1 = top).
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub level: u8,
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaidOutDocument {
    pub title: String,
    pub lang: String,
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    /// The structure tree of the tagged PDF: element 0 is the document, every other element
    /// names its parent (an earlier element). Runs and links point into it by index.
    pub structure: Vec<StructElem>,
    /// The standards the PDF declares (and is written to meet).
    pub standards: Standards,
}

/// The standards a PDF declares, chosen per document (`pdf: { standards: [...] }` in
/// hakusho.yaml). The default is a tagged PDF declaring PDF/UA-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Standards {
    /// PDF/UA-1 (ISO 14289-1): the structure tree, marked content, `pdfuaid:part 1`.
    pub ua1: bool,
    /// PDF/A-2 (ISO 19005-2) at this conformance level, if any.
    pub pdfa: Option<PdfALevel>,
}

impl Default for Standards {
    fn default() -> Standards {
        Standards {
            ua1: true,
            pdfa: None,
        }
    }
}

impl Standards {
    /// No standard: an untagged PDF (what the bench compares tagging against).
    pub const NONE: Standards = Standards {
        ua1: false,
        pdfa: None,
    };

    /// Whether the PDF carries a structure tree and marked content.
    pub fn tagged(&self) -> bool {
        self.ua1 || self.pdfa == Some(PdfALevel::A)
    }
}

/// A conformance level of PDF/A-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdfALevel {
    /// a: accessible (b, u, and the structure tree).
    A,
    /// b: basic (the appearance is preserved).
    B,
    /// u: b, and every glyph maps to Unicode.
    U,
}

impl PdfALevel {
    /// `pdfaid:conformance` in the XMP.
    pub fn letter(self) -> &'static str {
        match self {
            PdfALevel::A => "A",
            PdfALevel::B => "B",
            PdfALevel::U => "U",
        }
    }
}

/// What a structure element is (ISO 32000-1, 14.8.4 standard structure types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Document,
    Sect,
    /// `H1`–`H4`.
    Heading(u8),
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    THead,
    TBody,
    TR,
    /// A header cell: its scope and spans.
    TH(Scope, u16, u16),
    /// A data cell and its spans (rows, columns).
    TD(u16, u16),
    TOC,
    TOCI,
    Link,
    /// A TOC's title (ISO 32000-2 allows it as the TOC's first child).
    Caption,
    /// A figure (a chart): its drawing is an artifact, its meaning the `/Alt` text.
    Figure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Column,
    Row,
}

impl Role {
    /// The structure type's name in the PDF.
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::Heading(1) => "H1",
            Role::Heading(2) => "H2",
            Role::Heading(3) => "H3",
            Role::Heading(_) => "H4",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH(..) => "TH",
            Role::TD(..) => "TD",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
            Role::Link => "Link",
            Role::Caption => "Caption",
            Role::Figure => "Figure",
        }
    }

    /// Whether text composed inside it is its own content (a heading's lines) rather than a
    /// paragraph of its own (a table cell holds paragraphs).
    pub fn holds_text(self) -> bool {
        matches!(
            self,
            Role::Heading(_) | Role::P | Role::Lbl | Role::LBody | Role::Link | Role::Caption
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructElem {
    pub role: Role,
    /// The parent element (0 for the document's children; the document's own is 0 too).
    pub parent: u32,
    /// Alternative text (`/Alt`): what a figure shows, said in words.
    pub alt: Option<String>,
}
