//! Block elements → chunks: headings, paragraphs, lists, boxes, page breaks.

use std::rc::Rc;

use hakusho_diagnostics::{Diagnostics, Location};

use super::chart;
use super::flow::{self, Chunk, FigureInfo, HeadingInfo, Landing, LineBox, SplitBlock};
use super::inline::{self, Segment, Setter};
use super::region::{self, Measure, RegionContent, RegionStyle};
use crate::compose::{Line, ParagraphStyle, Span};
use crate::font::FontSet;
use crate::markers::ListMarkers;
use crate::markup::{Element, Node, Pos};
use crate::page::{Item, Role};
use crate::style::{ListStyle, Resolved, Style};

/// The horizontal band blocks are set in, and whether we are inside a cover.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub left: f32,
    pub width: f32,
    pub cover: bool,
}

/// The layouters of blocks that are not this module's own: tables and the table of contents.
/// The caller hands them in, so that they can use the builder without this module depending
/// on them.
#[derive(Clone, Copy)]
pub(crate) struct Routines {
    pub table: fn(&mut Builder, &Element, Ctx),
    pub toc: fn(&mut Builder, &TocOf, Ctx),
}

/// What a `<toc/>` lists: the headings (the table of contents) or, with `kind="figures"`, the
/// captioned figures under its `title` (a list of figures).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TocOf {
    Headings,
    Figures { title: String },
}

pub(crate) struct Builder<'a> {
    pub set: Setter<'a>,
    pub headings: &'a [HeadingInfo],
    pub landings: Option<&'a [Landing]>,
    pub chunks: Vec<Chunk>,
    /// The blocks that split themselves (tables), numbered as their chunks' `piece` says.
    pub splits: Vec<Box<dyn SplitBlock>>,
    /// Each `<toc/>`: the band it was set in and its chunks (set again once heading pages
    /// are known).
    pub tocs: Vec<(Ctx, TocOf, std::ops::Range<usize>)>,
    /// The document's figures, for a list of figures and where each lands.
    pub figures: &'a [FigureInfo],
    pub routines: Routines,
    /// The document's title (`{title}` in the TOC title).
    pub doc_title: &'a str,
    /// Right edge of the last line of the heading just laid out, and its baseline (relative
    /// to the heading chunk), for a run-in paragraph.
    pub last_heading_line: Option<(f32, f32)>,
    /// Set while laying out the inside of a region (a table cell): what its blocks' styles
    /// start from. Its paragraphs' lines are then left for the region's owner to place.
    pub region: Option<Rc<RegionStyle>>,
    /// Set while measuring a region's content: paragraphs are not composed, their min- and
    /// max-content widths are collected here.
    pub measure: Option<Measure>,
    /// How many regions the block being laid out is inside (a table in a cell in a cell...).
    pub region_depth: usize,
}

impl<'a> Builder<'a> {
    pub fn new(
        style: &'a Style,
        fonts: &'a FontSet,
        source: &'a str,
        diags: &'a mut Diagnostics,
        headings: &'a [HeadingInfo],
        landings: Option<&'a [Landing]>,
        routines: Routines,
    ) -> Self {
        Builder {
            set: Setter {
                style,
                fonts,
                source,
                diags,
                sources: None,
            },
            headings,
            landings,
            chunks: Vec::new(),
            splits: Vec::new(),
            tocs: Vec::new(),
            figures: &[],
            routines,
            doc_title: "",
            last_heading_line: None,
            region: None,
            measure: None,
            region_depth: 0,
        }
    }

    pub fn style(&self) -> &'a Style {
        self.set.style
    }

    /// Enters the structure element `role` of the markup element at `pos` (see
    /// [`super::account::Sources::open`]); 0 when nothing is accounted (a scratch layout).
    pub fn open(&mut self, role: Role, pos: Pos) -> u32 {
        self.set
            .sources
            .as_deref_mut()
            .map_or(0, |s| s.open(role, pos))
    }

    /// Gives structure element `id` its alternative text.
    pub fn set_alt(&mut self, id: u32, alt: &str) {
        if let Some(s) = self.set.sources.as_deref_mut() {
            s.set_alt(id, alt);
        }
    }

    /// Whether `e` is a typed list item: a `<p class="item">` whose text starts with one of the
    /// style sheet's list markers (what `narrative` makes of a line 「①…」).
    fn is_typed_item(&self, e: &Element) -> bool {
        fn first_char(nodes: &[Node]) -> Option<char> {
            for n in nodes {
                match n {
                    Node::Text(t, _) => {
                        if let Some(c) = t.chars().find(|c| !c.is_whitespace()) {
                            return Some(c);
                        }
                    }
                    Node::Element(e) => {
                        if let Some(c) = first_char(&e.children) {
                            return Some(c);
                        }
                    }
                }
            }
            None
        }
        e.name == "p"
            && e.has_class("item")
            && first_char(&e.children).is_some_and(|c| self.style().file.lists.markers.contains(c))
    }

    /// Whether the innermost open structure element is a `role`.
    pub fn inside(&self, role: Role) -> bool {
        self.set
            .sources
            .as_deref()
            .is_some_and(|s| s.innermost() == Some(role))
    }

    /// Leaves the structure element entered last.
    pub fn close(&mut self) {
        if let Some(s) = self.set.sources.as_deref_mut() {
            s.close();
        }
    }

    /// The style of element `name` with `classes`: over the body on the page; inside a region,
    /// over the region's style, without block margins (a cell's padding takes their place).
    pub fn resolve(&self, name: &str, classes: &[String]) -> Resolved {
        match &self.region {
            None => self.style().resolve(name, classes),
            Some(region) => region.resolve(self.style(), name, classes),
        }
    }

    pub fn finish(self) -> (Vec<Chunk>, Vec<Box<dyn SplitBlock>>) {
        (self.chunks, self.splits)
    }

    pub fn document(&mut self, root: &Element) {
        let style = self.style();
        let (_, right, _, left) = style.margins();
        let ctx = Ctx {
            left,
            width: style.page_width - left - right,
            cover: false,
        };
        self.children(root, ctx);
    }

    /// Lays out the children of a block container; runs of inline content become anonymous
    /// unindented paragraphs.
    pub fn children(&mut self, el: &Element, ctx: Ctx) {
        let mut inline_run: Vec<Node> = Vec::new();
        let kids = &el.children;
        let mut skip = None;
        // The `L` of the typed list items being laid out, keyed by its first item.
        let mut typed_list: Option<Pos> = None;
        for (i, n) in kids.iter().enumerate() {
            if skip == Some(i) {
                continue;
            }
            match n {
                Node::Element(e) if !inline::is_inline(&e.name) => {
                    self.flush_inline(&mut inline_run, el.pos, ctx);
                    // Consecutive typed list items (「①…」「②…」 paragraphs) are one list.
                    let item = self.is_typed_item(e);
                    if item && typed_list.is_none() {
                        self.open(Role::L, e.pos);
                        typed_list = Some(e.pos);
                    } else if !item && typed_list.take().is_some() {
                        self.close();
                    }
                    self.block(e, ctx);
                    if flow::heading_level(&e.name).is_some() {
                        if let Some((k, p)) = next_element(kids, i + 1) {
                            if p.name == "p" && self.run_in(p, ctx) {
                                skip = Some(k);
                            }
                        }
                    }
                    if e.name == "table" && next_is_note(&kids[i + 1..]) {
                        // (注) lines belong to the table: keep them with its last row.
                        if let Some(last) = self.chunks.last_mut() {
                            last.keep_with_next = true;
                        }
                    }
                }
                Node::Text(t, _) if inline_run.is_empty() && t.trim().is_empty() => {}
                other => {
                    if typed_list.take().is_some() {
                        self.close();
                    }
                    inline_run.push(other.clone())
                }
            }
        }
        if typed_list.is_some() {
            self.close();
        }
        self.flush_inline(&mut inline_run, el.pos, ctx);
    }

    fn flush_inline(&mut self, run: &mut Vec<Node>, pos: Pos, ctx: Ctx) {
        if run.is_empty() {
            return;
        }
        let style = self.style();
        // Text outside any block is set in the region's own style, else as an unindented
        // paragraph.
        let res = match &self.region {
            Some(region) => region.res.clone(),
            None => style.resolve("p", &["noindent".to_string()]),
        };
        let pos = run
            .first()
            .map(|n| match n {
                Node::Text(_, p) => *p,
                Node::Element(e) => e.pos,
            })
            .unwrap_or(pos);
        let segs = inline::nodes_segments(run, pos, &res, style);
        run.clear();
        let chunks = self.paragraph(&segs, &res, pos, ctx, 0.0);
        self.push_all(chunks, ctx);
    }

    fn push_all(&mut self, mut chunks: Vec<Chunk>, ctx: Ctx) {
        for c in &mut chunks {
            c.cover |= ctx.cover;
        }
        self.chunks.extend(chunks);
    }

    pub fn block(&mut self, el: &Element, ctx: Ctx) {
        let start = self.chunks.len();
        self.block_inner(el, ctx);
        if wants_keep(el) && self.chunks.len() > start {
            if let Some(c) = self.chunks.last_mut() {
                c.keep_with_next = true;
            }
        }
    }

    fn block_inner(&mut self, el: &Element, ctx: Ctx) {
        let style = self.style();
        match el.name.as_str() {
            "doc" => self.children(el, ctx),
            "section" => {
                // Covers and colophons carry no running header, footer or page number; any
                // section can ask for the same with data-running="no".
                let plain = el.has_class("cover")
                    || el.has_class("colophon")
                    || el.attr("data-running") == Some("no");
                let ctx = Ctx {
                    cover: ctx.cover || plain,
                    ..ctx
                };
                self.open(Role::Sect, el.pos);
                let first = self.chunks.len();
                self.children(el, ctx);
                self.close();
                // A section that starts a page (`section.toc: { page_break_before: right }`)
                // breaks before its first block; inside a table cell there are no pages.
                let res = self.resolve("section", &el.classes);
                if self.region.is_none() {
                    if let Some(c) = self.chunks.get_mut(first) {
                        c.page_break_before |= res.page_break_before;
                        c.right_page |= res.right_page;
                    }
                }
            }
            "pagebreak" | "toc" if self.region.is_some() => self.not_in_region(el),
            "pagebreak" => self.chunks.push(Chunk {
                page_break_before: true,
                cover: ctx.cover,
                ..Chunk::default()
            }),
            "toc" => {
                // The TOC is made up by layout (and set again once page numbers are known):
                // none of it is source text to account for (the TOC layouter composes
                // without registering, and only opens its structure elements).
                let of = match el.attr("kind") {
                    None | Some("headings") => TocOf::Headings,
                    Some("figures") => TocOf::Figures {
                        title: el.attr("title").unwrap_or_default().to_string(),
                    },
                    Some(other) => {
                        self.set.diags.error(
                            Location::text(self.set.source, el.pos.line, el.pos.column),
                            format!("<toc> の kind=\"{other}\" は使えません。見出しの目次なら kind を書かず、図の一覧なら kind=\"figures\" と書いてください"),
                            format!("<toc> kind=\"{other}\" is not known; leave kind out for the table of contents, or write kind=\"figures\" for a list of figures"),
                        );
                        return;
                    }
                };
                let from = self.chunks.len();
                (self.routines.toc)(self, &of, ctx);
                self.tocs.push((ctx, of, from..self.chunks.len()));
            }
            "h1" | "h2" | "h3" | "h4" => {
                let level = self
                    .headings
                    .iter()
                    .find(|h| h.pos == el.pos)
                    .map_or(1, |h| h.tag_level);
                self.open(Role::Heading(level), el.pos);
                self.heading(el, ctx);
                self.close();
                self.misplaced_blocks(el, ctx);
            }
            "p" => {
                let res = self.resolve("p", &el.classes);
                let segs = inline::segments(el, &res, style);
                // Notes and typed list items hang under their text: the lines after the first
                // start where the text after "(注1) " / "※" / "①" / "・" starts.
                let mark = mark_chars(el, &segs, &style.file.lists.markers);
                // A typed list item (「①…」) inside the list `children` opened: `LI` with the
                // marker as `Lbl` and the rest as `LBody`.
                let typed = mark > 0 && el.has_class("item") && self.inside(Role::L);
                let label = if typed {
                    self.open(Role::LI, el.pos);
                    let label = self.open(Role::Lbl, el.pos);
                    self.close();
                    self.open(Role::LBody, el.pos);
                    Some(label)
                } else {
                    None
                };
                let mut chunks = self.paragraph_marked(&segs, &res, el.pos, ctx, res.indent, mark);
                if let Some(label) = label {
                    tag_marker(&mut chunks, label);
                    self.close();
                    self.close();
                }
                if let Some(c) = chunks.last_mut() {
                    c.keep_with_next |= res.keep_with_next;
                }
                self.push_all(chunks, ctx);
                self.misplaced_blocks(el, ctx);
            }
            "ul" | "ol" => {
                self.open(Role::L, el.pos);
                self.list(el, ctx);
                self.close();
            }
            "table" => (self.routines.table)(self, el, ctx),
            "div" => self.div(el, ctx),
            "figure" | "chart" if self.region.is_some() => self.not_in_region(el),
            "figure" => self.figure(el, ctx),
            // A chart outside a figure: a row of one, unbreakable, uncaptioned.
            "chart" => self.chart_row(&[el], ctx),
            "figcaption" => {
                let res = self.resolve("figcaption", &el.classes);
                let segs = inline::segments(el, &res, style);
                let chunks = self.paragraph(&segs, &res, el.pos, ctx, res.indent);
                self.push_all(chunks, ctx);
                self.misplaced_blocks(el, ctx);
            }
            other => {
                // Misplaced structure (a <tr> outside a table...): say so, keep the text.
                self.set.diags.warning(
                    Location::text(self.set.source, el.pos.line, el.pos.column),
                    format!("<{other}> はこの位置では使えません。中身は段落として組みます"),
                    format!("<{other}> is not expected here; its content is set as paragraphs"),
                );
                self.children(el, ctx);
            }
        }
    }

    /// Block elements inside inline-only content (a `<table>` inside a `<p>`, a `<p>` inside a
    /// `<b>`): said so, and laid out after the text rather than dropped.
    pub fn misplaced_blocks(&mut self, el: &Element, ctx: Ctx) {
        for child in el.child_elements() {
            if inline::is_inline(&child.name) {
                if child.name != "br" {
                    self.misplaced_blocks(child, ctx);
                }
                continue;
            }
            self.set.diags.warning(
                Location::text(self.set.source, child.pos.line, child.pos.column),
                format!(
                    "<{}> は <{}> の中では使えません。後ろに続けて組みます",
                    child.name, el.name
                ),
                format!(
                    "<{}> is not expected inside <{}>; it is set after it",
                    child.name, el.name
                ),
            );
            self.block(child, ctx);
        }
    }

    /// Composes segments into one chunk per line (so a paragraph can break between lines),
    /// with orphan/widow control: the first two and the last two lines stay together.
    pub fn paragraph(
        &mut self,
        segs: &[Segment],
        res: &Resolved,
        pos: Pos,
        ctx: Ctx,
        first_indent: f32,
    ) -> Vec<Chunk> {
        self.paragraph_marked(segs, res, pos, ctx, first_indent, 0)
    }

    /// As [`Self::paragraph`], with the lines after the first hanging under the text that
    /// follows the first `mark` characters (0: no hang).
    pub fn paragraph_marked(
        &mut self,
        segs: &[Segment],
        res: &Resolved,
        pos: Pos,
        ctx: Ctx,
        first_indent: f32,
        mark: usize,
    ) -> Vec<Chunk> {
        let x = ctx.left + res.margin_left;
        if let Some(m) = &mut self.measure {
            m.segments(&mut self.set, segs, x, first_indent);
            return Vec::new();
        }
        let width = (ctx.width - res.margin_left - res.margin_right).max(res.size);
        let lines = self.lines_marked(segs, res, pos, width, first_indent, mark);
        let lh = res.size * res.line_height;
        let n = lines.len();
        let in_region = self.region.is_some();
        let mut chunks: Vec<Chunk> = lines
            .into_iter()
            .map(|line| {
                let mut chunk = Chunk {
                    height: lh,
                    ..Chunk::default()
                };
                if in_region {
                    let size = res.size;
                    let top = 0.0;
                    chunk.line = Some(Box::new(LineBox {
                        line,
                        x,
                        top,
                        lh,
                        size,
                    }));
                } else {
                    inline::line_items(&line, x, 0.0, lh, res.size, &mut chunk.items);
                }
                chunk
            })
            .collect();
        if n >= 2 {
            chunks[0].keep_with_next = true;
        }
        if n >= 3 {
            chunks[n - 2].keep_with_next = true;
        }
        if let Some(c) = chunks.first_mut() {
            c.space_before = res.space_before;
        }
        if let Some(c) = chunks.last_mut() {
            c.space_after = res.space_after;
        }
        chunks
    }

    /// Composes `<br/>`-separated segments into lines of `width`.
    pub fn lines(
        &mut self,
        segs: &[Segment],
        res: &Resolved,
        pos: Pos,
        width: f32,
        first_indent: f32,
    ) -> Vec<Line> {
        self.lines_hanging(segs, res, pos, width, first_indent, 0.0)
    }

    /// Lines whose continuation lines hang under the text after the first `mark` characters.
    pub fn lines_marked(
        &mut self,
        segs: &[Segment],
        res: &Resolved,
        pos: Pos,
        width: f32,
        first_indent: f32,
        mark: usize,
    ) -> Vec<Line> {
        let spans: Vec<Vec<Span>> = segs.iter().map(|s| self.set.spans(s)).collect();
        self.spans_marked(&spans, res, pos, width, first_indent, mark)
    }

    /// As [`Self::lines_marked`] for segments already turned into spans. The hang is where
    /// compose put the character after the mark on the first line (和欧間 and punctuation
    /// compression included); the first line does not depend on the hang, so at most one
    /// recomposition corrects the estimate.
    pub fn spans_marked(
        &mut self,
        spans: &[Vec<Span>],
        res: &Resolved,
        pos: Pos,
        width: f32,
        first_indent: f32,
        mark: usize,
    ) -> Vec<Line> {
        if mark == 0 {
            return self.spans_hanging(spans, res, pos, width, first_indent, 0.0);
        }
        let mark_text: String = spans
            .first()
            .map(|s| s.iter().flat_map(|p| p.text.chars()).take(mark).collect())
            .unwrap_or_default();
        let guess = first_indent + self.set.width(&mark_text, res.font, res.size);
        let lines = self.spans_hanging(spans, res, pos, width, first_indent, guess);
        if lines.len() < 2 {
            return lines;
        }
        let Some(at) = lines[0]
            .runs
            .iter()
            .flat_map(|r| r.glyphs().iter().map(move |g| r.x + g.x))
            .nth(mark)
        else {
            return lines;
        };
        // A hang wider than half the line would squeeze the text: no hang then.
        let hang = if at > width / 2.0 { 0.0 } else { at };
        if (hang - guess).abs() < 0.05 {
            return lines;
        }
        self.spans_hanging(spans, res, pos, width, first_indent, hang)
    }

    fn lines_hanging(
        &mut self,
        segs: &[Segment],
        res: &Resolved,
        pos: Pos,
        width: f32,
        first_indent: f32,
        rest_indent: f32,
    ) -> Vec<Line> {
        let spans: Vec<Vec<Span>> = segs.iter().map(|s| self.set.spans(s)).collect();
        self.spans_hanging(&spans, res, pos, width, first_indent, rest_indent)
    }

    fn spans_hanging(
        &mut self,
        spans: &[Vec<Span>],
        res: &Resolved,
        pos: Pos,
        width: f32,
        first_indent: f32,
        rest_indent: f32,
    ) -> Vec<Line> {
        let mut out = Vec::new();
        for (k, sp) in spans.iter().enumerate() {
            let ps = ParagraphStyle {
                width,
                first_indent: if k == 0 { first_indent } else { rest_indent },
                rest_indent,
                align: inline::to_align(res.align),
            };
            out.extend(self.set.compose(sp, &ps, pos, k));
        }
        out
    }

    fn heading(&mut self, el: &Element, ctx: Ctx) {
        let style = self.style();
        let res = self.resolve(&el.name, &el.classes);
        let segs = inline::segments(el, &res, style);
        let x = ctx.left + res.margin_left;
        if let Some(m) = &mut self.measure {
            m.segments(&mut self.set, &segs, x, 0.0);
            return;
        }
        let width = ctx.width - res.margin_left - res.margin_right;
        let lines = self.lines(&segs, &res, el.pos, width, 0.0);
        let lh = res.size * res.line_height;
        let mut items = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            inline::line_items(l, x, i as f32 * lh, lh, res.size, &mut items);
        }
        self.last_heading_line = lines.last().map(|l| {
            let top = (lines.len() - 1) as f32 * lh;
            (x + l.width, top + inline::baseline(lh, res.size))
        });
        let mut height = lines.len() as f32 * lh;
        if res.rule_below > 0.0 {
            let y = height + 1.5 + res.rule_below / 2.0;
            items.push(Item::Line {
                x1: x,
                y1: y,
                x2: x + width,
                y2: y,
                width: res.rule_below,
                color: res.rule_color,
            });
            height += 1.5 + res.rule_below;
        }
        let headings = self
            .headings
            .iter()
            .position(|h| h.pos == el.pos)
            .map(|h| vec![(h, 0.0)])
            .unwrap_or_default();
        self.chunks.push(Chunk {
            height,
            space_before: res.space_before,
            space_after: res.space_after,
            items,
            // A heading never ends a page: it goes with the first lines that follow it.
            keep_with_next: true,
            page_break_before: res.page_break_before,
            right_page: res.right_page,
            headings,
            cover: ctx.cover,
            ..Chunk::default()
        });
    }

    /// Sets a `run_in` paragraph flush right on the last line of the heading just laid out,
    /// when it is one line and leaves two ems between itself and the heading's text.
    fn run_in(&mut self, p: &Element, ctx: Ctx) -> bool {
        if self.measure.is_some() {
            return false;
        }
        let style = self.style();
        let res = self.resolve("p", &p.classes);
        let Some((right, baseline)) = self.last_heading_line.take() else {
            return false;
        };
        if !res.run_in || !p.child_elements().all(|c| inline::is_inline(&c.name)) {
            return false;
        }
        let segs = inline::segments(p, &res, style);
        if segs.len() != 1 {
            return false;
        }
        let mut end = res.clone();
        end.align = crate::style::TextAlign::End;
        let lines = self.lines(&segs, &end, p.pos, ctx.width, 0.0);
        let [line] = lines.as_slice() else {
            return false;
        };
        let Some(first) = line
            .runs
            .iter()
            .flat_map(|r| r.glyphs().first().map(|g| r.x + g.x))
            .reduce(f32::min)
        else {
            return false;
        };
        if ctx.left + first < right + 2.0 * res.size {
            return false;
        }
        let lh = res.size * res.line_height;
        let top = baseline - inline::baseline(lh, res.size);
        let mut items = Vec::new();
        inline::line_items(line, ctx.left, top, lh, res.size, &mut items);
        match self.chunks.last_mut() {
            Some(c) => c.items.extend(items),
            None => return false,
        }
        true
    }

    fn list(&mut self, el: &Element, ctx: Ctx) {
        let style = self.style();
        let lists = &style.file.lists;
        let list_res = self.resolve(&el.name, &el.classes);
        let items: Vec<&Element> = el.child_elements().filter(|e| e.name == "li").collect();
        let markers: Vec<String> = (1..=items.len())
            .map(|n| list_marker(el, n, lists))
            .collect();
        let start = self.chunks.len();
        let ctx = Ctx {
            left: ctx.left + list_res.margin_left,
            width: ctx.width - list_res.margin_left - list_res.margin_right,
            ..ctx
        };
        // One hanging indent for the whole list so item texts line up.
        let li_res0 = self.resolve("li", &[]);
        let hang = markers
            .iter()
            .map(|m| self.set.width(m, li_res0.font, li_res0.size))
            .fold(0.0, f32::max)
            + lists.gap.resolve(li_res0.size);
        for (li, marker) in items.iter().zip(&markers) {
            let res = self.resolve("li", &li.classes);
            let text_ctx = Ctx {
                left: ctx.left + res.margin_left + hang,
                width: ctx.width - res.margin_left - hang,
                ..ctx
            };
            self.open(Role::LI, li.pos);
            let label = self.open(Role::Lbl, li.pos);
            self.close();
            self.open(Role::LBody, li.pos);
            let segs = inline::segments(li, &res, style);
            let mut chunks = self.paragraph(&segs, &res, li.pos, text_ctx, 0.0);
            let lh = res.size * res.line_height;
            let mut run = self.set.run(
                marker,
                res.font,
                res.size,
                res.color,
                ctx.left + res.margin_left,
                inline::baseline(lh, res.size),
            );
            if chunks.is_empty() {
                chunks.push(Chunk {
                    height: lh,
                    space_before: res.space_before,
                    ..Chunk::default()
                });
            }
            run.node = label;
            chunks[0].items.push(Item::Text(run));
            self.push_all(chunks, ctx);
            // Nested lists and other blocks inside the item hang with its text.
            let nested = Ctx {
                left: text_ctx.left + 0.0,
                width: text_ctx.width,
                ..ctx
            };
            for child in li.child_elements().filter(|e| !inline::is_inline(&e.name)) {
                self.block(child, nested);
            }
            self.close();
            self.close();
        }
        self.wrap_spacing(start, &list_res);
    }

    fn div(&mut self, el: &Element, ctx: Ctx) {
        let res = self.resolve("div", &el.classes);
        // A box becomes one fixed chunk; a TOC inside must stay recomposable, so no box then.
        let boxed = (res.border > 0.0 || res.background.is_some()) && !contains_toc(el);
        let outer = Ctx {
            left: ctx.left + res.margin_left,
            width: ctx.width - res.margin_left - res.margin_right,
            ..ctx
        };
        if !boxed {
            if res.space_before > 0.0 {
                // A spacer, not a margin: it must survive at the top of a page (cover pages
                // push their title down with it).
                self.chunks.push(Chunk {
                    height: res.space_before,
                    keep_with_next: true,
                    cover: ctx.cover,
                    ..Chunk::default()
                });
            }
            let start = self.chunks.len();
            self.children(el, outer);
            if let Some(c) = self.chunks[start..].last_mut() {
                c.space_after = c.space_after.max(res.space_after);
            }
            return;
        }
        let inset = res.padding + res.border;
        let inner = Ctx {
            left: outer.left + inset,
            width: outer.width - 2.0 * inset,
            ..ctx
        };
        let start = self.chunks.len();
        self.children(el, inner);
        let sub: Vec<Chunk> = self.chunks.drain(start..).collect();
        // A box is drawn whole, so its content becomes one unbreakable chunk.
        let (content, headings, y) = stack_whole(sub, inset);
        let height = y + inset;
        let mut items = Vec::new();
        if let Some(bg) = res.background {
            items.push(Item::Rect {
                x: outer.left,
                y: 0.0,
                width: outer.width,
                height,
                fill: bg,
            });
        }
        if res.border > 0.0 {
            let (l, r, t, b) = (outer.left, outer.left + outer.width, 0.0, height);
            let h = res.border / 2.0;
            for (x1, y1, x2, y2) in [
                (l, t + h, r, t + h),
                (l, b - h, r, b - h),
                (l + h, t, l + h, b),
                (r - h, t, r - h, b),
            ] {
                items.push(Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width: res.border,
                    color: res.rule_color,
                });
            }
        }
        items.extend(content);
        self.chunks.push(Chunk {
            height,
            space_before: res.space_before,
            space_after: res.space_after,
            items,
            headings,
            cover: ctx.cover,
            ..Chunk::default()
        });
    }

    /// A figure: its caption, charts (side by side, `chart.per_row` to a row) and notes, as
    /// one chunk that is never split across pages.
    fn figure(&mut self, el: &Element, ctx: Ctx) {
        // a Figure in the structure tree: the caption and notes its text, the drawing (an
        // artifact) said by its alt
        let tagged = self.open(Role::Figure, el.pos);
        if let Some(alt) = el.attr("alt").filter(|a| !a.trim().is_empty()) {
            self.set_alt(tagged, alt);
        }
        let res = self.resolve("figure", &el.classes);
        let outer = Ctx {
            left: ctx.left + res.margin_left,
            width: ctx.width - res.margin_left - res.margin_right,
            ..ctx
        };
        let start = self.chunks.len();
        // Consecutive charts make rows; the other content is laid out as a container's.
        let mut other: Vec<Node> = Vec::new();
        let mut charts: Vec<&Element> = Vec::new();
        for n in &el.children {
            match n {
                Node::Element(e) if e.name == "chart" => {
                    self.figure_part(el, &mut other, outer);
                    charts.push(e);
                }
                Node::Text(t, _) if t.trim().is_empty() => {}
                n => {
                    if !charts.is_empty() {
                        self.chart_row(&charts, outer);
                        charts.clear();
                    }
                    other.push(n.clone());
                }
            }
        }
        self.figure_part(el, &mut other, outer);
        if !charts.is_empty() {
            self.chart_row(&charts, outer);
        }
        self.close();
        let sub: Vec<Chunk> = self.chunks.drain(start..).collect();
        let (items, mut headings, height) = stack_whole(sub, 0.0);
        // Where the figure lands, for a list of figures (its number follows the headings').
        if let Some(k) = self.figures.iter().position(|f| f.pos == el.pos) {
            headings.push((self.headings.len() + k, 0.0));
        }
        self.chunks.push(Chunk {
            height,
            space_before: res.space_before,
            space_after: res.space_after,
            items,
            headings,
            cover: ctx.cover,
            ..Chunk::default()
        });
    }

    /// Lays out `nodes` (a figure's content between its charts) as the figure's children.
    fn figure_part(&mut self, figure: &Element, nodes: &mut Vec<Node>, ctx: Ctx) {
        if nodes.is_empty() {
            return;
        }
        let part = Element {
            children: std::mem::take(nodes),
            ..figure.clone_shallow()
        };
        self.children(&part, ctx);
    }

    /// Charts side by side, `chart.per_row` to a row (rows of fewer are centred), each row one
    /// chunk. A chart whose data cannot be read is reported and left out.
    pub fn chart_row(&mut self, charts: &[&Element], ctx: Ctx) {
        let style = self.style();
        let cs = &style.file.chart;
        let per_row = cs.per_row.clamp(1, 6);
        let gap = cs.gap.resolve(cs.size);
        let width = (ctx.width - gap * (per_row - 1) as f32) / per_row as f32;
        let font = cs
            .font
            .clone()
            .unwrap_or_else(|| style.file.table.font.clone());
        let color = style.resolve("p", &[]).color;
        let data: Vec<chart::ChartData> = charts
            .iter()
            .filter_map(|e| chart::parse(e, &mut self.set))
            .collect();
        for (r, row) in data.chunks(per_row).enumerate() {
            let used = width * row.len() as f32 + gap * (row.len() - 1) as f32;
            let mut x = ctx.left + (ctx.width - used) / 2.0;
            let mut items = Vec::new();
            let mut height = 0.0f32;
            for d in row {
                let frame = chart::Frame {
                    x,
                    width,
                    style: cs,
                    font: font.clone(),
                    color,
                };
                let drawn = chart::draw(d, &frame, &mut self.set);
                items.extend(drawn.items);
                height = height.max(drawn.height);
                x += width + gap;
            }
            self.chunks.push(Chunk {
                height,
                space_before: if r == 0 { 0.0 } else { gap },
                items,
                cover: ctx.cover,
                ..Chunk::default()
            });
        }
    }

    /// Lays the content of `el` out in the region `ctx` (its left edge and width) with the
    /// region's `style`.
    pub fn lay_region(&mut self, el: &Element, style: &Rc<RegionStyle>, ctx: Ctx) -> RegionContent {
        let outer = self.region.replace(style.clone());
        let (from, splits_from) = (self.chunks.len(), self.splits.len());
        self.region_depth += 1;
        self.children(el, ctx);
        self.region_depth -= 1;
        self.region = outer;
        let chunks: Vec<Chunk> = self.chunks.drain(from..).collect();
        let splits: Vec<Box<dyn SplitBlock>> = self.splits.drain(splits_from..).collect();
        region::stack(chunks, &splits, splits_from)
    }

    /// The min- and max-content widths of `el`'s content in a region with `style`, measured
    /// as if the region were `ctx.width` wide. Nothing is composed and nothing is reported
    /// (the layout that follows reports).
    pub fn measure_region(
        &mut self,
        el: &Element,
        style: &Rc<RegionStyle>,
        ctx: Ctx,
    ) -> (f32, f32) {
        let mut scratch = Diagnostics::new();
        let mut m = Builder::new(
            self.set.style,
            self.set.fonts,
            self.set.source,
            &mut scratch,
            self.headings,
            self.landings,
            self.routines,
        );
        m.region = Some(style.clone());
        m.region_depth = self.region_depth + 1;
        m.measure = Some(Measure::new(ctx.left));
        m.children(el, ctx);
        m.measure.map_or((0.0, 0.0), |m| (m.min, m.max))
    }

    /// A block that has no place in a region (a page break, a table of contents in a table
    /// cell): said so, and left out.
    pub fn not_in_region(&mut self, el: &Element) {
        self.set.diags.warning(
            Location::text(self.set.source, el.pos.line, el.pos.column),
            format!(
                "<{}> は表のセルの中では使えません（組みません）。表の外に書いてください",
                el.name
            ),
            format!(
                "<{}> has no place in a table cell (it is left out); put it outside the table",
                el.name
            ),
        );
    }

    /// Gives the chunks from `start` on the block's outer spacing.
    pub fn wrap_spacing(&mut self, start: usize, res: &Resolved) {
        if let Some(c) = self.chunks.get_mut(start) {
            c.space_before = c.space_before.max(res.space_before);
        }
        if self.chunks.len() > start {
            if let Some(c) = self.chunks.last_mut() {
                c.space_after = c.space_after.max(res.space_after);
            }
        }
    }
}

/// Chunks stacked into one block from `top` down (spacing between them as on the page): its
/// items, its headings and the bottom of the last chunk. A region's lines are placed here.
fn stack_whole(sub: Vec<Chunk>, top: f32) -> (Vec<Item>, Vec<(usize, f32)>, f32) {
    let mut content = Vec::new();
    let mut y = top;
    let mut prev_after: Option<f32> = None;
    let mut headings = Vec::new();
    for c in sub {
        let gap = prev_after.map_or(0.0, |a| a.max(c.space_before));
        // A box in a table cell: its lines are placed with it.
        let mut items = Vec::new();
        if let Some(l) = &c.line {
            inline::line_items(&l.line, l.x, l.top, l.lh, l.size, &mut items);
        }
        items.extend(c.items);
        for mut it in items {
            flow::shift(&mut it, y + gap);
            content.push(it);
        }
        headings.extend(c.headings.iter().map(|&(h, off)| (h, off + y + gap)));
        y += gap + c.height;
        prev_after = Some(c.space_after);
    }
    (content, headings, y)
}

/// Characters of the leading mark a paragraph hangs under, counted with the spaces after it:
/// a note's `(注)`, `(注1)`, `（注2）`, `※`/`※1`; a typed list item's marker declared in the
/// style sheet (`lists.markers`: `①`, `・`, `◎`, `▶`, …; class `item`). 0 when the paragraph
/// does not hang.
pub(crate) fn mark_chars(el: &Element, segs: &[Segment], markers: &ListMarkers) -> usize {
    let Some(text) = segs
        .first()
        .and_then(|s| s.first())
        .map(|p| p.text.as_str())
    else {
        return 0;
    };
    let chars: Vec<char> = text.chars().take(12).collect();
    let mark = if el.has_class("note") {
        match chars.first() {
            Some('(' | '（') => match chars.iter().position(|&c| c == ')' || c == '）') {
                Some(close) => close + 1,
                None => return 0,
            },
            Some('※') => 1 + chars[1..].iter().take_while(|c| c.is_ascii_digit()).count(),
            _ => return 0,
        }
    } else if el.has_class("item") {
        match chars.first() {
            Some(c) if markers.contains(*c) => 1,
            _ => return 0,
        }
    } else {
        return 0;
    };
    // A long parenthesis is text, not a mark.
    if mark > 6 {
        return 0;
    }
    mark + chars[mark..]
        .iter()
        .take_while(|&&c| c == ' ' || c == '\u{3000}')
        .count()
}

/// Gives the first glyph of a typed list item (its marker, 「①」) to the structure element
/// `label`: the first run of the first line is split after it.
fn tag_marker(chunks: &mut [Chunk], label: u32) {
    let Some(first) = chunks.first_mut() else {
        return;
    };
    let split = |items: &mut Vec<Item>| {
        let Some(at) = items.iter().position(|it| matches!(it, Item::Text(_))) else {
            return;
        };
        if let Item::Text(run) = &mut items[at] {
            let rest = run.split_off(1);
            run.node = label;
            if !rest.glyphs().is_empty() {
                items.insert(at + 1, Item::Text(rest));
            }
        }
    };
    if let Some(lb) = first.line.as_deref_mut() {
        let Some(run) = lb.line.runs.first_mut() else {
            return;
        };
        let rest = run.split_off(1);
        run.node = label;
        if !rest.glyphs().is_empty() {
            lb.line.runs.insert(1, rest);
        }
    } else {
        split(&mut first.items);
    }
}

/// `data-keep="next"` on a block.
pub(crate) fn wants_keep(el: &Element) -> bool {
    el.attr("data-keep") == Some("next")
}

/// The next element among `nodes[from..]`, skipping whitespace text.
fn next_element(nodes: &[Node], from: usize) -> Option<(usize, &Element)> {
    for (k, n) in nodes.iter().enumerate().skip(from) {
        match n {
            Node::Element(e) => return Some((k, e)),
            Node::Text(t, _) if t.trim().is_empty() => {}
            Node::Text(..) => return None,
        }
    }
    None
}

fn contains_toc(el: &Element) -> bool {
    el.name == "toc" || el.child_elements().any(contains_toc)
}

fn next_is_note(rest: &[Node]) -> bool {
    rest.iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        })
        .is_some_and(|e| e.name == "p" && e.has_class("note"))
}

/// The marker of item `n` (from 1) of the list `list` (`<ul>`, `<ol>`, `ol.circled`,
/// `ul.double-circle`), as the style configures it: on the page and in table cells alike.
pub(crate) fn list_marker(list: &Element, n: usize, lists: &ListStyle) -> String {
    if list.name == "ol" {
        if list.has_class("circled") {
            circled(n)
        } else {
            lists.number.replace("{n}", &n.to_string())
        }
    } else if list.has_class("double-circle") {
        lists.double_circle.clone()
    } else {
        lists.bullet.clone()
    }
}

/// ①..⑳, ㉑..㉟, ㊱..㊿, then (n).
pub(crate) fn circled(n: usize) -> String {
    let c = match n {
        1..=20 => char::from_u32(0x2460 + n as u32 - 1),
        21..=35 => char::from_u32(0x3251 + n as u32 - 21),
        36..=50 => char::from_u32(0x32B1 + n as u32 - 36),
        _ => None,
    };
    c.map(String::from).unwrap_or_else(|| format!("({n})"))
}
