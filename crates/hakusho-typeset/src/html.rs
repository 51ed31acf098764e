//! The web edition: the same parsed markup the PDF writer is fed, written as semantic HTML5
//! pages (an index with the contents, one page per part, a single-page version).
//!
//! The writer knows nothing of a city: every label a reader sees (目次, PDF版（…）, the skip
//! link) comes from [`Labels`], which the caller takes from the configuration. Everything from
//! the markup is escaped again on the way out (the markup is already decoded text).
//!
//! What the print-only markup means on the web: `<pagebreak/>` and `<toc/>` are dropped (the
//! index page has the contents); `<section>`s are flattened, because the pages are cut at
//! headings and a section may span several pages; `<col>` widths are left to the browser.
//! Heading levels are renumbered per page so that they never skip (a page starts with `h1`).

use std::fmt::Write as _;

use crate::layout::{chart_number, chart_progress, read_chart, ChartData, ChartKind};
use crate::markup::{collapse_whitespace, Document, Element, Node};

/// The texts a reader sees around the content. `{size}` in `pdf` is replaced by the PDF's size
/// (784KB, 1.2MB); `{title}` in `single_page_title` by the document's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub contents: String,
    pub skip_to_content: String,
    pub breadcrumbs: String,
    pub pager: String,
    pub previous: String,
    pub next: String,
    pub pdf: String,
    pub single_page: String,
}

/// How one document's edition is cut and linked.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Headings of this level or above (1 = `h1` only) start a page.
    pub split_level: u8,
    pub labels: &'a Labels,
    /// The stylesheet's address, relative to the pages.
    pub stylesheet: &'a str,
    /// The web fonts' `@font-face` rules (`fonts.css`), linked before the stylesheet; `None`
    /// when the edition uses the reader's own fonts.
    pub font_faces: Option<&'a str>,
    /// The PDF's address relative to the pages and its size in bytes (`None`: no link).
    pub pdf: Option<(&'a str, u64)>,
}

/// One page of an edition: its file name (inside the edition's directory) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub file: String,
    pub html: String,
}

/// The file name of the index page and of the single-page version.
pub const INDEX_FILE: &str = "index.html";
pub const SINGLE_PAGE_FILE: &str = "all.html";

/// A heading of the flow that starts a page, or a block of the flow.
enum Item<'a> {
    Heading(&'a Element, u8),
    Block(&'a Element),
}

/// One content page: the heading that starts it and the blocks until the next page.
struct Part<'a> {
    heading: &'a Element,
    level: u8,
    items: Vec<Item<'a>>,
    file: String,
}

/// Writes the edition of `doc`: index.html, one page per part, all.html.
pub fn write_edition(doc: &Document, opts: &Options) -> Vec<Page> {
    let root = normalized(&doc.root);
    let mut flow = Vec::new();
    flatten(&root, &mut flow);
    let split = opts.split_level.clamp(1, 4);
    // blocks before the first page heading (a cover) go to the index page
    let mut front = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    for item in flow {
        match item {
            Item::Heading(h, level) if level <= split => {
                let file = format!("{:02}.html", parts.len() + 1);
                parts.push(Part {
                    heading: h,
                    level,
                    items: vec![Item::Heading(h, level)],
                    file,
                });
            }
            item => match parts.last_mut() {
                Some(p) => p.items.push(item),
                None => front.push(item),
            },
        }
    }
    let title = doc.title.as_str();
    let mut pages = Vec::with_capacity(parts.len() + 2);
    pages.push(Page {
        file: INDEX_FILE.to_string(),
        html: index_page(
            title,
            &doc.lang,
            &front,
            &parts,
            split,
            opts,
            &figure_list(&root, &front, &parts),
        ),
    });
    for (i, part) in parts.iter().enumerate() {
        pages.push(Page {
            file: part.file.clone(),
            html: part_page(title, &doc.lang, &parts, i, opts),
        });
    }
    pages.push(Page {
        file: SINGLE_PAGE_FILE.to_string(),
        html: single_page(title, &doc.lang, &front, &parts, opts),
    });
    pages
}

/// The document with its text as the PDF sets it: whitespace collapsed by the same rule
/// (a line break between two Japanese characters is nothing, not a space).
fn normalized(root: &Element) -> Element {
    let mut root = root.clone();
    let mut texts: Vec<&mut String> = Vec::new();
    collect_texts(&mut root, &mut texts);
    let firsts: Vec<Option<char>> = texts.iter().map(|t| t.chars().next()).collect();
    let mut before: Option<char> = None;
    for (i, t) in texts.into_iter().enumerate() {
        let after = firsts.get(i + 1).copied().flatten();
        let collapsed = collapse_whitespace(t, before, after);
        if let Some(c) = collapsed.chars().last() {
            before = Some(c);
        }
        *t = collapsed;
    }
    root
}

fn collect_texts<'a>(el: &'a mut Element, out: &mut Vec<&'a mut String>) {
    for child in &mut el.children {
        match child {
            Node::Text(t, _) => out.push(t),
            Node::Element(e) => collect_texts(e, out),
        }
    }
}

/// The flow of blocks, sections opened (a section may span pages).
fn flatten<'a>(el: &'a Element, out: &mut Vec<Item<'a>>) {
    for child in el.child_elements() {
        match child.name.as_str() {
            "section" => flatten(child, out),
            "pagebreak" | "toc" => {}
            "h1" | "h2" | "h3" | "h4" => {
                let level = child.name.as_bytes()[1] - b'0';
                out.push(Item::Heading(child, level));
            }
            _ => out.push(Item::Block(child)),
        }
    }
}

/// Gives headings ids (`h-<n>` in document order) and levels that never skip on a page.
struct Headings {
    /// The source levels of the headings open on the page.
    open: Vec<u8>,
}

impl Headings {
    fn new() -> Headings {
        Headings { open: Vec::new() }
    }

    /// The level to write for a heading of source level `level`.
    fn level(&mut self, level: u8) -> usize {
        while self.open.last().is_some_and(|&l| l >= level) {
            self.open.pop();
        }
        self.open.push(level);
        self.open.len().min(6)
    }
}

/// A heading's id: the same on its part page and on the single page (links from the index).
fn heading_id(h: &Element) -> String {
    format!("h{}-{}", h.pos.line, h.pos.column)
}

/// Writes the blocks of a page. `caption` is the last heading or subhead seen: a table's
/// caption when the markup gives it none.
struct Body {
    out: String,
    headings: Headings,
    caption: String,
}

impl Body {
    fn new() -> Body {
        Body {
            out: String::new(),
            headings: Headings::new(),
            caption: String::new(),
        }
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Heading(h, level) => self.heading(h, *level),
                Item::Block(b) => self.block(b),
            }
        }
    }

    fn heading(&mut self, h: &Element, level: u8) {
        let n = self.headings.level(level);
        let _ = write!(self.out, "<h{n} id=\"{}\"", heading_id(h));
        self.class_attr(h);
        self.out.push('>');
        self.children(h);
        let _ = writeln!(self.out, "</h{n}>");
        self.caption = h.text_content().trim().to_string();
    }

    fn class_attr(&mut self, el: &Element) {
        if !el.classes.is_empty() {
            self.out.push_str(" class=\"");
            escape_into(&mut self.out, &el.classes.join(" "), true);
            self.out.push('"');
        }
    }

    fn open(&mut self, name: &str, el: &Element) {
        self.out.push('<');
        self.out.push_str(name);
        self.class_attr(el);
        // a passage in another language (the markup checked the tag's shape)
        if let Some(lang) = el.attr("lang").filter(|_| el.name == "span") {
            let _ = write!(self.out, " lang=\"{}\"", escape(lang));
        }
        self.out.push('>');
    }

    fn block(&mut self, el: &Element) {
        match el.name.as_str() {
            "table" => self.table(el),
            "pagebreak" | "toc" | "col" | "colgroup" => {}
            "section" => {
                // only reached inside a block (a section in a div); the flow flattens the others
                self.open("section", el);
                self.children(el);
                self.out.push_str("</section>\n");
            }
            "h1" | "h2" | "h3" | "h4" => {
                let level = el.name.as_bytes()[1] - b'0';
                self.heading(el, level);
            }
            "figure" => self.figure(el),
            _ => {
                if el.name == "p" && el.has_class("subhead") {
                    self.caption = el.text_content().trim().to_string();
                }
                self.element(el);
                self.out.push('\n');
            }
        }
    }

    fn element(&mut self, el: &Element) {
        match el.name.as_str() {
            "br" => self.out.push_str("<br>"),
            "pagebreak" | "toc" | "col" | "colgroup" => {}
            "table" => self.table(el),
            "h1" | "h2" | "h3" | "h4" => {
                let level = el.name.as_bytes()[1] - b'0';
                self.heading(el, level);
            }
            name => {
                let name = match name {
                    "doc" | "section" | "div" => "div",
                    "p" | "ul" | "ol" | "li" | "b" | "span" | "mark" | "td" | "th" | "tr" => name,
                    _ => "span",
                };
                self.open(name, el);
                self.children(el);
                let _ = write!(self.out, "</{name}>");
            }
        }
    }

    fn children(&mut self, el: &Element) {
        for child in &el.children {
            match child {
                Node::Text(t, _) => escape_into(&mut self.out, t, false),
                Node::Element(e) if is_block(&e.name) => self.block(e),
                Node::Element(e) => self.element(e),
            }
        }
    }

    /// A table with a caption, its header rows in `thead` (leading rows of `th` only when the
    /// markup has no `thead`), and every `th` scoped.
    fn table(&mut self, el: &Element) {
        let mut head: Vec<&Element> = Vec::new();
        let mut body: Vec<&Element> = Vec::new();
        for child in el.child_elements() {
            match child.name.as_str() {
                "thead" => head.extend(child.child_elements().filter(|r| r.name == "tr")),
                "tbody" => body.extend(child.child_elements().filter(|r| r.name == "tr")),
                "tr" => body.push(child),
                _ => {}
            }
        }
        if head.is_empty() {
            let leading = body
                .iter()
                .take_while(|r| r.child_elements().all(|c| c.name == "th"))
                .count();
            // a table of header cells only keeps them as rows
            if leading < body.len() {
                head = body.drain(..leading).collect();
            }
        }
        self.out
            .push_str("<div class=\"table-scroll\" tabindex=\"0\"");
        if !self.caption.is_empty() {
            // a region a keyboard can scroll sideways on a phone, named by the table's caption
            self.out.push_str(" role=\"region\" aria-label=\"");
            escape_into(&mut self.out, &self.caption.clone(), true);
            self.out.push('"');
        }
        self.out.push('>');
        self.open("table", el);
        self.out.push('\n');
        if !self.caption.is_empty() {
            // the caption repeats the heading or subhead just above: for screen readers only
            self.out.push_str("<caption class=\"visually-hidden\">");
            escape_into(&mut self.out, &self.caption.clone(), false);
            self.out.push_str("</caption>\n");
        }
        if !head.is_empty() {
            self.out.push_str("<thead>\n");
            for row in &head {
                self.row(row, true);
            }
            self.out.push_str("</thead>\n");
        }
        if !body.is_empty() {
            self.out.push_str("<tbody>\n");
            for row in &body {
                self.row(row, false);
            }
            self.out.push_str("</tbody>\n");
        }
        self.out.push_str("</table></div>\n");
    }

    fn row(&mut self, row: &Element, in_head: bool) {
        self.open("tr", row);
        let only_headers = row.child_elements().all(|c| c.name == "th");
        for cell in row.child_elements() {
            let name = if cell.name == "th" { "th" } else { "td" };
            self.out.push('<');
            self.out.push_str(name);
            if name == "th" {
                let spans_columns = cell.attr("colspan").is_some_and(|s| s != "1");
                let scope = if in_head && spans_columns {
                    "colgroup"
                } else if in_head {
                    "col"
                } else if only_headers && spans_columns {
                    // a row of one header across the table heads the rows under it
                    "rowgroup"
                } else {
                    "row"
                };
                let _ = write!(self.out, " scope=\"{scope}\"");
            }
            for span in ["colspan", "rowspan"] {
                if let Some(v) = cell.attr(span).filter(|v| *v != "1") {
                    let _ = write!(self.out, " {span}=\"");
                    escape_into(&mut self.out, v, true);
                    self.out.push('"');
                }
            }
            self.class_attr(cell);
            self.out.push('>');
            self.children(cell);
            let _ = write!(self.out, "</{name}>");
        }
        self.out.push_str("</tr>\n");
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "ul" | "ol" | "table" | "div" | "section" | "h1" | "h2" | "h3" | "h4" | "figure"
    )
}

impl Body {
    /// A figure: its caption, each chart as an inline SVG drawing (`role="img"`, named by the
    /// figure's alternative text, a `<title>` each) followed by its data as a table, and the
    /// notes.
    fn figure(&mut self, el: &Element) {
        // an id for the list of figures on the index page
        let _ = writeln!(
            self.out,
            "<figure class=\"chart-figure\" id=\"{}\">",
            figure_id(el)
        );
        for child in el.child_elements() {
            match child.name.as_str() {
                "figcaption" => {
                    self.out.push_str("<figcaption>");
                    self.children(child);
                    self.out.push_str("</figcaption>\n");
                }
                // a chart the PDF refuses (the build reports it) is left out here too
                "chart" => {
                    if let Ok(chart) = read_chart(child) {
                        self.out.push_str(&chart.svg());
                        self.out.push_str(&chart.table());
                    }
                }
                _ => self.block(child),
            }
        }
        self.out.push_str("</figure>\n");
    }
}

/// How the HTML edition shows a chart: the data the PDF draws ([`crate::layout::read_chart`]).
impl ChartData {
    fn number(&self, v: f64) -> String {
        chart_number(v, self.decimals)
    }

    /// The data as a table: a row per series (and the target), a column per category.
    fn table(&self) -> String {
        let mut t = String::from("<div class=\"table-scroll\"><table class=\"chart-data\">");
        let _ = write!(t, "<caption>{}", escape(&self.title));
        if !self.unit.is_empty() {
            let _ = write!(t, "（{}）", escape(&self.unit));
        }
        t.push_str("</caption><thead><tr><td></td>");
        for c in &self.categories {
            let _ = write!(t, "<th scope=\"col\">{}</th>", escape(c));
        }
        t.push_str("</tr></thead><tbody>");
        for series in &self.series {
            let _ = write!(t, "<tr><th scope=\"row\">{}</th>", escape(&series.name));
            for v in &series.values {
                let _ = write!(
                    t,
                    "<td>{}</td>",
                    v.map_or("—".to_string(), |v| self.number(v))
                );
            }
            t.push_str("</tr>");
        }
        if let Some(target) = self.target {
            let label = if self.target_label.is_empty() {
                "目標"
            } else {
                &self.target_label
            };
            let _ = write!(
                t,
                "<tr><th scope=\"row\">{}</th><td colspan=\"{}\">{}</td></tr>",
                escape(label),
                self.categories.len().max(1),
                self.number(target)
            );
        }
        t.push_str("</tbody></table></div>\n");
        t
    }

    /// A progress chart as a small drawing: per series, a track from the baseline to the
    /// target filled as far as the latest value, with the same words as the PDF's.
    fn progress_svg(&self) -> String {
        const W: f64 = 320.0;
        // (the baseline and the target on lines of their own: side by side they can meet)
        const ROW: f64 = 56.0;
        let h = ROW * self.series.len().max(1) as f64;
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\"><title>{}</title>",
            escape(&self.title)
        );
        for (k, series) in self.series.iter().enumerate() {
            let top = ROW * k as f64;
            let Some(p) = chart_progress(series, self.target) else {
                continue;
            };
            let at = 8.0 + (W - 16.0) * p.fraction.clamp(0.0, 1.0);
            let latest = &self.categories[p.latest.0];
            let _ = write!(
                s,
                "<text x=\"8\" y=\"{:.1}\" font-size=\"10\">{} {}{}（{}）</text>\
                 <rect x=\"8\" y=\"{:.1}\" width=\"{}\" height=\"12\" fill=\"none\" stroke=\"currentColor\"/>\
                 <rect x=\"8\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"currentColor\"/>\
                 <text x=\"8\" y=\"{:.1}\" font-size=\"9\">基準 {} {}{}</text>\
                 <text x=\"{}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\">{} {}{}</text>",
                top + 11.0,
                escape(&latest.replace('\n', "")),
                self.number(p.latest.1),
                escape(&self.unit),
                escape(&p.words()),
                top + 15.0,
                W - 16.0,
                top + 15.0,
                at - 8.0,
                top + 38.0,
                escape(&self.categories[p.base.0].replace('\n', "")),
                self.number(p.base.1),
                escape(&self.unit),
                W - 8.0,
                top + 50.0,
                escape(if self.target_label.is_empty() {
                    "目標"
                } else {
                    &self.target_label
                }),
                self.number(p.target),
                escape(&self.unit),
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// A small vector drawing: bars (or lines) from a zero baseline, the target dashed.
    fn svg(&self) -> String {
        if self.kind == ChartKind::Progress {
            return self.progress_svg();
        }
        const W: f64 = 320.0;
        const H: f64 = 160.0;
        const LEFT: f64 = 8.0;
        const BOTTOM: f64 = 24.0;
        let values: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .chain(self.target)
            .collect();
        let max = values.iter().copied().fold(0.0f64, f64::max);
        let min = values.iter().copied().fold(0.0f64, f64::min);
        let span = if max - min > 0.0 { max - min } else { 1.0 };
        let plot_h = H - BOTTOM - 8.0;
        let y = |v: f64| 8.0 + (max - v) / span * plot_h;
        let n = self.categories.len().max(1) as f64;
        let band = (W - LEFT * 2.0) / n;
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\"><title>{}</title>",
            escape(&self.title)
        );
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"currentColor\"/>",
            W - LEFT,
            y(0.0),
            y(0.0)
        );
        let m = self.series.len().max(1) as f64;
        for (k, vals) in self.series.iter().map(|s| &s.values).enumerate() {
            if self.kind == ChartKind::Line {
                let pts: Vec<String> = vals
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        v.map(|v| format!("{:.1},{:.1}", LEFT + band * (i as f64 + 0.5), y(v)))
                    })
                    .collect();
                let _ = write!(s, "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-dasharray=\"{}\" points=\"{}\"/>", if k == 0 { "none" } else { "4 3" }, pts.join(" "));
            } else {
                let w = band * 0.7 / m;
                for (i, v) in vals.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let x = LEFT + band * i as f64 + band * 0.15 + w * k as f64;
                    let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
                    let _ = write!(s, "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"currentColor\"/>", bottom - top, if k == 0 { "currentColor" } else { "none" });
                }
            }
        }
        if let Some(t) = self.target {
            let _ = write!(s, "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"currentColor\" stroke-dasharray=\"6 4\"/>", W - LEFT, y(t), y(t));
        }
        for (i, c) in self.categories.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
                LEFT + band * (i as f64 + 0.5),
                H - 8.0,
                escape(&c.replace('\n', " "))
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Escapes text for HTML (and for a double-quoted attribute value when `attr`).
pub fn escape_into(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, true);
    out
}

/// A PDF's size as a reader is told it: 784KB, 1.2MB.
pub fn format_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < MB {
        format!("{}KB", bytes.div_ceil(KB).max(1))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{}.{}MB", tenths / 10, tenths % 10)
    }
}

/// A heading's text for navigation (line breaks as spaces).
fn heading_text(h: &Element) -> String {
    let t = h.text_content();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A figure's id: the same on its part page and on the single page (the list of figures links
/// to it).
fn figure_id(figure: &Element) -> String {
    format!("f{}-{}", figure.pos.line, figure.pos.column)
}

/// The list of figures the markup asks for (`<toc kind="figures" title="…"/>`): its title and
/// a link to each captioned figure on the page it is on; `None` when it asks for none.
fn figure_list(root: &Element, front: &[Item], parts: &[Part]) -> Option<String> {
    fn find_list(el: &Element) -> Option<&Element> {
        if el.name == "toc" && el.attr("kind") == Some("figures") {
            return Some(el);
        }
        el.child_elements().find_map(find_list)
    }
    fn figures<'e>(el: &'e Element, out: &mut Vec<&'e Element>) {
        if el.name == "figure" {
            out.push(el);
        } else if !matches!(el.name.as_str(), "table" | "p") {
            el.child_elements().for_each(|c| figures(c, out));
        }
    }
    let list = find_list(root)?;
    let title = list.attr("title").unwrap_or_default().trim();
    let mut o = String::from("<nav class=\"contents figure-list\"");
    if title.is_empty() {
        o.push_str(">\n");
    } else {
        let _ = write!(
            o,
            " aria-labelledby=\"figures-heading\">\n<h2 id=\"figures-heading\">{}</h2>\n",
            escape(title)
        );
    }
    o.push_str("<ol>\n");
    let pages = std::iter::once((INDEX_FILE, front))
        .chain(parts.iter().map(|p| (p.file.as_str(), &p.items[..])));
    for (file, items) in pages {
        let mut found = Vec::new();
        for item in items {
            if let Item::Block(b) = item {
                figures(b, &mut found);
            }
        }
        for f in found {
            let caption = f
                .child_elements()
                .find(|c| c.name == "figcaption")
                .map(heading_text)
                .unwrap_or_default();
            if !caption.is_empty() {
                let _ = writeln!(
                    o,
                    "<li><a href=\"{file}#{}\">{}</a></li>",
                    figure_id(f),
                    escape(&caption)
                );
            }
        }
    }
    o.push_str("</ol>\n</nav>\n");
    Some(o)
}

/// The page frame: head, skip link, header (title, PDF), breadcrumbs, main, pager, footer.
struct Frame<'a> {
    doc_title: &'a str,
    lang: &'a str,
    page_title: String,
    /// (text, address) of each level above the page, the page itself last without address.
    crumbs: Vec<(String, Option<String>)>,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    main: String,
}

fn page_html(frame: &Frame, opts: &Options) -> String {
    let l = opts.labels;
    let mut o = String::with_capacity(frame.main.len() + 2048);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n{fonts}<link rel=\"stylesheet\" href=\"{css}\">\n</head>\n<body>\n\
         <a class=\"skip-link\" href=\"#main\">{skip}</a>\n",
        lang = escape(frame.lang),
        title = if frame.page_title == frame.doc_title {
            escape(frame.doc_title)
        } else {
            format!(
                "{} | {}",
                escape(&frame.page_title),
                escape(frame.doc_title)
            )
        },
        fonts = opts.font_faces.map_or(String::new(), |f| format!(
            "<link rel=\"stylesheet\" href=\"{}\">\n",
            escape(f)
        )),
        css = escape(opts.stylesheet),
        skip = escape(&l.skip_to_content),
    );
    let _ = write!(
        o,
        "<header class=\"site-header\">\n<p class=\"document-title\"><a href=\"{INDEX_FILE}\">{}</a></p>\n",
        escape(frame.doc_title)
    );
    o.push_str(&pdf_link(opts));
    o.push_str("</header>\n");
    if !frame.crumbs.is_empty() {
        let _ = write!(
            o,
            "<nav class=\"breadcrumbs\" aria-label=\"{}\">\n<ol>\n",
            escape(&l.breadcrumbs)
        );
        for (text, href) in &frame.crumbs {
            match href {
                Some(h) => {
                    let _ = writeln!(o, "<li><a href=\"{}\">{}</a></li>", escape(h), escape(text));
                }
                None => {
                    let _ = writeln!(o, "<li aria-current=\"page\">{}</li>", escape(text));
                }
            }
        }
        o.push_str("</ol>\n</nav>\n");
    }
    o.push_str("<main id=\"main\">\n");
    o.push_str(&frame.main);
    o.push_str("</main>\n");
    if frame.previous.is_some() || frame.next.is_some() {
        let _ = write!(
            o,
            "<nav class=\"pager\" aria-label=\"{}\">\n<ul>\n",
            escape(&l.pager)
        );
        if let Some((text, href)) = &frame.previous {
            let _ = writeln!(
                o,
                "<li class=\"previous\"><a rel=\"prev\" href=\"{}\">{}<span class=\"pager-title\">{}</span></a></li>",
                escape(href),
                escape(&l.previous),
                escape(text)
            );
        }
        if let Some((text, href)) = &frame.next {
            let _ = writeln!(
                o,
                "<li class=\"next\"><a rel=\"next\" href=\"{}\">{}<span class=\"pager-title\">{}</span></a></li>",
                escape(href),
                escape(&l.next),
                escape(text)
            );
        }
        o.push_str("</ul>\n</nav>\n");
    }
    let _ = write!(
        o,
        "<footer class=\"site-footer\">\n<p><a href=\"{INDEX_FILE}\">{}</a> · <a href=\"{SINGLE_PAGE_FILE}\">{}</a></p>\n{}</footer>\n</body>\n</html>\n",
        escape(&l.contents),
        escape(&l.single_page),
        pdf_link(opts)
    );
    o
}

fn pdf_link(opts: &Options) -> String {
    match opts.pdf {
        Some((href, bytes)) => format!(
            "<p class=\"pdf-link\"><a href=\"{}\" type=\"application/pdf\">{}</a></p>\n",
            escape(href),
            escape(&opts.labels.pdf.replace("{size}", &format_size(bytes)))
        ),
        None => String::new(),
    }
}

fn index_page(
    title: &str,
    lang: &str,
    front: &[Item],
    parts: &[Part],
    split: u8,
    opts: &Options,
    figures: &Option<String>,
) -> String {
    let mut main = String::new();
    let _ = writeln!(main, "<h1>{}</h1>", escape(title));
    let mut body = Body::new();
    // the cover's headings (if any) sit under the title
    body.headings.open.push(0);
    body.items(front);
    main.push_str(&body.out);
    let _ = write!(
        main,
        "<nav class=\"contents\" aria-labelledby=\"contents-heading\">\n<h2 id=\"contents-heading\">{}</h2>\n",
        escape(&opts.labels.contents)
    );
    main.push_str(&contents_list(parts, split));
    let _ = writeln!(
        main,
        "<p class=\"single-page\"><a href=\"{SINGLE_PAGE_FILE}\">{}</a></p>\n</nav>",
        escape(&opts.labels.single_page)
    );
    if let Some(list) = figures {
        main.push_str(list);
    }
    let next = parts
        .first()
        .map(|p| (heading_text(p.heading), p.file.clone()));
    page_html(
        &Frame {
            doc_title: title,
            lang,
            page_title: title.to_string(),
            crumbs: Vec::new(),
            previous: None,
            next,
            main,
        },
        opts,
    )
}

/// The contents: the pages nested by heading level, each with the headings one level below it
/// (those the markup lists in the table of contents).
fn contents_list(parts: &[Part], split: u8) -> String {
    let mut o = String::new();
    let mut depth: Vec<u8> = Vec::new();
    for part in parts {
        // close lists deeper than this part; open one when it goes deeper
        while depth.last().is_some_and(|&d| d > part.level) {
            depth.pop();
            o.push_str("</li>\n</ol>\n");
        }
        if depth.last() == Some(&part.level) {
            o.push_str("</li>\n");
        } else {
            o.push_str("<ol>\n");
            depth.push(part.level);
        }
        let _ = write!(
            o,
            "<li><a href=\"{}\">{}</a>",
            part.file,
            escape(&heading_text(part.heading))
        );
        let subs: Vec<&Element> = part
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Heading(h, level)
                    if *level == split + 1 && h.attr("data-toc") != Some("no") =>
                {
                    Some(*h)
                }
                _ => None,
            })
            .collect();
        if !subs.is_empty() {
            o.push_str("\n<ul>\n");
            for h in subs {
                let _ = writeln!(
                    o,
                    "<li><a href=\"{}#{}\">{}</a></li>",
                    part.file,
                    heading_id(h),
                    escape(&heading_text(h))
                );
            }
            o.push_str("</ul>\n");
        }
    }
    while depth.pop().is_some() {
        o.push_str("</li>\n</ol>\n");
    }
    o
}

fn part_page(title: &str, lang: &str, parts: &[Part], i: usize, opts: &Options) -> String {
    let part = &parts[i];
    let mut body = Body::new();
    body.items(&part.items);
    // the parts above this one: the last part of each lower level before it
    let mut crumbs = vec![(title.to_string(), Some(INDEX_FILE.to_string()))];
    let mut ancestors: Vec<&Part> = Vec::new();
    for p in parts[..i].iter().rev() {
        let bound = ancestors.last().map_or(part.level, |a| a.level);
        if p.level < bound {
            ancestors.push(p);
        }
    }
    for a in ancestors.iter().rev() {
        crumbs.push((heading_text(a.heading), Some(a.file.clone())));
    }
    crumbs.push((heading_text(part.heading), None));
    let previous = match i {
        0 => Some((title.to_string(), INDEX_FILE.to_string())),
        _ => Some((
            heading_text(parts[i - 1].heading),
            parts[i - 1].file.clone(),
        )),
    };
    let next = parts
        .get(i + 1)
        .map(|p| (heading_text(p.heading), p.file.clone()));
    page_html(
        &Frame {
            doc_title: title,
            lang,
            page_title: heading_text(part.heading),
            crumbs,
            previous,
            next,
            main: body.out,
        },
        opts,
    )
}

fn single_page(title: &str, lang: &str, front: &[Item], parts: &[Part], opts: &Options) -> String {
    let mut body = Body::new();
    body.items(front);
    for part in parts {
        body.items(&part.items);
    }
    let crumbs = vec![
        (title.to_string(), Some(INDEX_FILE.to_string())),
        (opts.labels.single_page.clone(), None),
    ];
    page_html(
        &Frame {
            doc_title: title,
            lang,
            page_title: opts.labels.single_page.clone(),
            crumbs,
            previous: None,
            next: None,
            main: body.out,
        },
        opts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::parse;

    fn labels() -> Labels {
        Labels {
            contents: "目次".into(),
            skip_to_content: "本文へ移動".into(),
            breadcrumbs: "現在位置".into(),
            pager: "前後のページ".into(),
            previous: "前へ".into(),
            next: "次へ".into(),
            pdf: "PDF版（{size}）".into(),
            single_page: "全文".into(),
        }
    }

    fn edition(src: &str, split: u8) -> Vec<Page> {
        let doc = parse(src, "t.html").unwrap();
        let labels = labels();
        write_edition(
            &doc,
            &Options {
                split_level: split,
                labels: &labels,
                stylesheet: "../web.css",
                font_faces: None,
                pdf: Some(("../../t.pdf", 802_816)),
            },
        )
    }

    fn page<'a>(pages: &'a [Page], file: &str) -> &'a str {
        &pages.iter().find(|p| p.file == file).unwrap().html
    }

    /// The levels of the headings inside `<main>`, in order.
    fn heading_levels(html: &str) -> Vec<u8> {
        let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
        main.match_indices("<h")
            .filter_map(|(i, _)| main.as_bytes().get(i + 2))
            .filter(|b| b.is_ascii_digit())
            .map(|b| b - b'0')
            .collect()
    }

    const BOOK: &str = "<doc title=\"白書\" lang=\"ja\">\
        <section class=\"cover\"><p class=\"cover-title\">白書</p></section><pagebreak/><toc/>\
        <section><h1>第1章<br/>計画</h1><p>前文</p>\
        <h2>第1節 概要</h2><h4 data-toc=\"no\">1 施策</h4><p>本文</p>\
        <h3>1 体系</h3><p>説明</p></section>\
        <section><h1>第2章 改革</h1><h2>第1節 取組</h2><p>状況</p></section></doc>";

    #[test]
    fn a_passage_in_another_language_keeps_its_lang() {
        let pages = edition(
            "<doc title=\"t\"><h1>名前</h1><p>英語名は<span lang=\"en\">Mitaka &amp; City</span>です。</p></doc>",
            1,
        );
        let all = page(&pages, "all.html");
        assert!(
            all.contains("英語名は<span lang=\"en\">Mitaka &amp; City</span>です。"),
            "{all}"
        );
    }

    #[test]
    fn the_list_of_figures_links_to_each_captioned_figure_on_its_page() {
        let chart = "<chart kind=\"bar\" title=\"件数\" categories=\"a|b\"><series name=\"s\" values=\"1|2\"/></chart>";
        let src = format!(
            "<doc title=\"白書\"><toc/><toc kind=\"figures\" title=\"図表目次\"/>\
             <h1>第1章</h1><figure alt=\"a\"><figcaption>図1-1 件数</figcaption>{chart}</figure>\
             <h1>第2章</h1><figure alt=\"b\">{chart}</figure>\
             <figure alt=\"c\"><figcaption>図2-1 <b>割合</b></figcaption>{chart}</figure></doc>"
        );
        let pages = edition(&src, 1);
        let index = page(&pages, "index.html");
        let list = &index[index.find("figure-list").expect(index)..];
        assert!(
            list.contains("<h2 id=\"figures-heading\">図表目次</h2>"),
            "{list}"
        );
        let first = page(&pages, "01.html");
        let second = page(&pages, "02.html");
        let id = |html: &str, n: usize| {
            let open = "<figure class=\"chart-figure\" id=\"";
            let at = html.match_indices(open).nth(n).unwrap().0;
            let rest = &html[at + open.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        assert!(
            list.contains(&format!("<li><a href=\"01.html#{}\">図1-1 件数</a></li>\n<li><a href=\"02.html#{}\">図2-1 割合</a></li>\n</ol>", id(first, 0), id(second, 1))),
            "{list}"
        );
        // no list where the markup asks for none
        assert!(!page(&edition(BOOK, 2), "index.html").contains("figure-list"));
    }

    #[test]
    fn a_progress_chart_is_a_track_with_the_words_of_the_pdf() {
        let src = "<doc title=\"白書\"><h1>第1章</h1><figure alt=\"a\"><chart kind=\"progress\" title=\"件数\" unit=\"件\" categories=\"平成22年度|令和2年度\" target=\"400000\"><series name=\"s\" values=\"34677|202850\"/></chart></figure></doc>";
        let pages = edition(src, 1);
        let html = page(&pages, "01.html");
        for want in [
            "令和2年度 202,850件（目標までの46%）",
            "基準 平成22年度 34,677件",
            "目標 400,000件",
            "<th scope=\"row\">目標</th>",
        ] {
            assert!(html.contains(want), "{want} not in {html}");
        }
    }

    #[test]
    fn pages_are_cut_at_headings_and_linked() {
        let pages = edition(BOOK, 2);
        let files: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "index.html",
                "01.html",
                "02.html",
                "03.html",
                "04.html",
                "all.html"
            ]
        );
        let index = page(&pages, "index.html");
        // the contents nest the sections under their chapters, with the headings below them
        assert!(index.contains("<li><a href=\"01.html\">第1章 計画</a><ol>\n<li><a href=\"02.html\">第1節 概要</a>"), "{index}");
        assert!(index.contains("<a href=\"02.html#"), "{index}");
        assert!(
            !index.contains(">1 施策<"),
            "data-toc=\"no\" is left out: {index}"
        );
        let section = page(&pages, "02.html");
        assert!(section.contains("<nav class=\"breadcrumbs\" aria-label=\"現在位置\">\n<ol>\n<li><a href=\"index.html\">白書</a></li>\n<li><a href=\"01.html\">第1章 計画</a></li>\n<li aria-current=\"page\">第1節 概要</li>"), "{section}");
        assert!(
            section.contains("<a rel=\"prev\" href=\"01.html\">前へ"),
            "{section}"
        );
        assert!(
            section.contains("<a rel=\"next\" href=\"03.html\">次へ"),
            "{section}"
        );
        assert!(
            section.contains("<a href=\"../../t.pdf\" type=\"application/pdf\">PDF版（784KB）</a>")
        );
        // print-only markup is gone
        for p in &pages {
            assert!(
                !p.html.contains("pagebreak") && !p.html.contains("<toc"),
                "{}",
                p.file
            );
        }
    }

    #[test]
    fn every_page_is_semantic_html5_with_headings_in_order() {
        for p in edition(BOOK, 2) {
            let h = &p.html;
            assert!(
                h.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
                "{}",
                p.file
            );
            // the skip link is the first thing a keyboard reaches, and leads to main
            let body = &h[h.find("<body>").unwrap()..];
            assert!(
                body.starts_with("<body>\n<a class=\"skip-link\" href=\"#main\">本文へ移動</a>"),
                "{}",
                p.file
            );
            for tag in ["<header", "<main id=\"main\">", "<footer"] {
                assert_eq!(h.matches(tag).count(), 1, "{tag} in {}", p.file);
            }
            let levels = heading_levels(h);
            assert_eq!(levels.first(), Some(&1), "{}: {levels:?}", p.file);
            for w in levels.windows(2) {
                assert!(
                    w[1] <= w[0] + 1,
                    "{}: a level skipped in {levels:?}",
                    p.file
                );
            }
        }
        // the h4 right under an h2 becomes an h3 (no skipped level); the h2 starts its page
        assert_eq!(
            heading_levels(page(&edition(BOOK, 2), "02.html")),
            [1, 2, 2]
        );
        assert_eq!(
            heading_levels(page(&edition(BOOK, 2), "all.html")),
            [1, 2, 3, 3, 1, 2]
        );
        // split per chapter: the sections stay on the chapter's page
        assert_eq!(
            heading_levels(page(&edition(BOOK, 1), "01.html")),
            [1, 2, 3, 3]
        );
    }

    #[test]
    fn tables_have_captions_head_rows_and_scoped_headers() {
        let src = "<doc title=\"t\"><h1>章</h1><p class=\"subhead\">(1) 指標</p>\
            <table><col width=\"30%\"/><thead><tr><th rowspan=\"2\"></th><th colspan=\"2\">達成値</th></tr>\
            <tr><th>前期</th><th>中期</th></tr></thead>\
            <tbody><tr><th class=\"name\">件数</th><td class=\"num\">1</td><td class=\"num\">2</td></tr></tbody></table>\
            <table><tbody><tr><th>1-(2)</th><th>題</th></tr><tr><th>概要</th><td><p>説明</p></td></tr>\
            <tr><th colspan=\"2\">◇原則</th></tr></tbody></table></doc>";
        let pages = edition(src, 1);
        let h = page(&pages, "01.html");
        assert!(
            h.contains("<caption class=\"visually-hidden\">(1) 指標</caption>"),
            "{h}"
        );
        assert!(h.contains("<thead>\n<tr><th scope=\"col\" rowspan=\"2\"></th><th scope=\"colgroup\" colspan=\"2\">達成値</th></tr>"), "{h}");
        assert!(
            h.contains(
                "<tbody>\n<tr><th scope=\"row\" class=\"name\">件数</th><td class=\"num\">1</td>"
            ),
            "{h}"
        );
        // a table without thead: its leading rows of headers become the head
        assert!(
            h.contains(
                "<thead>\n<tr><th scope=\"col\">1-(2)</th><th scope=\"col\">題</th></tr>\n</thead>"
            ),
            "{h}"
        );
        assert!(
            h.contains("<th scope=\"row\">概要</th><td><p>説明</p>\n</td>"),
            "{h}"
        );
        assert!(
            h.contains("<th scope=\"rowgroup\" colspan=\"2\">◇原則</th>"),
            "{h}"
        );
        assert!(!h.contains("<col"), "widths are the browser's: {h}");
        assert!(h.contains(
            "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"(1) 指標\">"
        ));
    }

    #[test]
    fn everything_is_escaped() {
        let src = "<doc title=\"A &amp; &lt;B&gt; &quot;C&quot;\">\
            <h1 class=\"x&quot;y\">&lt;script&gt;alert(1)&lt;/script&gt;</h1>\
            <p>a &amp;amp; b &lt;i&gt;</p></doc>";
        let pages = edition(src, 1);
        for p in &pages {
            assert!(!p.html.contains("<script"), "{}", p.html);
            assert!(!p.html.contains("<i>"), "{}", p.html);
            assert!(p.html.contains("<title>"), "{}", p.file);
        }
        let h = page(&pages, "01.html");
        assert!(
            h.contains("&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
            "{h}"
        );
        assert!(h.contains("class=\"x&quot;y\""), "{h}");
        assert!(h.contains("<p>a &amp;amp; b &lt;i&gt;</p>"), "{h}");
        assert!(h.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; | A &amp; &lt;B&gt; &quot;C&quot;</title>"), "{h}");
    }

    #[test]
    fn text_is_collapsed_as_the_pdf_sets_it() {
        let src = "<doc title=\"t\"><h1>章</h1><p>三鷹市の\n  <b>施策</b>\n  です。white\n paper</p></doc>";
        let h = page(&edition(src, 1), "01.html").to_string();
        assert!(
            h.contains("<p>三鷹市の<b>施策</b>です。white paper</p>"),
            "{h}"
        );
    }

    #[test]
    fn pdf_sizes_read_as_a_reader_expects() {
        assert_eq!(format_size(802_816), "784KB");
        assert_eq!(format_size(1), "1KB");
        assert_eq!(format_size(1_258_291), "1.2MB");
    }
}
