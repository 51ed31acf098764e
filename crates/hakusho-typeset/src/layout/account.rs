//! The accounting after layout: every character of the source is on a page, and every glyph
//! lies inside its page and inside the box (column, table cell) it was set for.
//!
//! A printed report is a record; a paragraph that silently disappears is worse than a crash.
//! Layout therefore tags each composed line's runs with the source paragraph they set
//! ([`Sources::register`], called by `Setter::compose`); text layout makes up itself (list
//! markers, （続き） labels, repeated table headers' label, TOC entries, running heads, page
//! numbers) keeps origin 0 and is not counted. After pagination [`check`] compares:
//!
//! - the markup: the non-whitespace characters of all its text nodes (whitespace is what the
//!   markup rules collapse) with those of the paragraphs registered;
//! - each paragraph's characters with the characters of the runs tagged with it, across all
//!   pages, in order. A paragraph's text may appear whole more than once (repeated table header
//!   rows, the label cells of a row cut by a page break), never in part;
//! - each composed line's width with the measure it was set in (a glyph past it runs into the
//!   margin or the next table cell), and each glyph with its page's media box.
//!
//! Cost: one pass over the placed glyphs and one over the markup, linear in the text; no
//! allocation per glyph beyond the per-paragraph strings.

use std::collections::BTreeMap;

use hakusho_diagnostics::{quote, Diagnostics, Lang, Location};

use crate::compose::{Line, ParagraphStyle, Span};
use crate::font::FontSet;
use crate::markup::{Element, Node, Pos};
use crate::page::{Item, Page, Role, StructElem};

/// Tolerance in pt: far below anything visible, above f32 noise.
const EPS: f32 = 0.05;

/// A source paragraph as composed.
#[derive(Debug, Clone)]
struct Entry {
    pos: Pos,
    /// The structure element its text is content of.
    node: u32,
    /// Its characters without whitespace.
    text: String,
}

/// The source paragraphs composed for one document. Cloned with the composition it belongs
/// to when that composition is paginated twice (screen and print, [`super::Composition`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Sources {
    entries: Vec<Entry>,
    /// (position, line of the element split at `<br/>`, text) → origin: a paragraph composed
    /// again (to correct a hanging indent, to try a column width) keeps its origin, while two
    /// lines of one element that read the same (「企画部<br/>企画部」) stay two paragraphs.
    index: BTreeMap<(Pos, usize, String), u32>,
    /// Lines wider than their measure: (paragraph, line text, width, measure).
    overflows: Vec<(u32, String, f32, f32)>,
    /// The structure tree, built as layout walks the markup (element 0: the document).
    structure: Vec<StructElem>,
    /// (markup position, role) → structure element: an element laid out again (a table cell
    /// measured, then set; a paragraph composed again) keeps its element.
    elements: BTreeMap<(Pos, Role), u32>,
    /// The structure elements layout is inside now, innermost last.
    open: Vec<u32>,
}

fn non_ws(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| !c.is_whitespace())
}

impl Sources {
    /// Enters the structure element `role` of the markup element at `pos` (created the first
    /// time, under the innermost open element) and returns it; [`Self::close`] leaves it.
    pub fn open(&mut self, role: Role, pos: Pos) -> u32 {
        let id = self.element(role, pos);
        self.open.push(id);
        id
    }

    /// Gives structure element `id` its alternative text (a figure's `alt`).
    pub fn set_alt(&mut self, id: u32, alt: &str) {
        if let Some(e) = self.structure.get_mut(id as usize) {
            e.alt = Some(alt.to_string());
        }
    }

    /// The role of the innermost open structure element.
    pub fn innermost(&self) -> Option<Role> {
        let id = *self.open.last()?;
        self.structure.get(id as usize).map(|e| e.role)
    }

    /// Leaves the innermost open structure element.
    pub fn close(&mut self) {
        self.open.pop();
    }

    /// The structure element `role` of the markup element at `pos`, created under the
    /// innermost open element if new.
    pub fn element(&mut self, role: Role, pos: Pos) -> u32 {
        if self.structure.is_empty() {
            self.structure.push(StructElem {
                role: Role::Document,
                parent: 0,
                alt: None,
            });
        }
        let parent = self.open.last().copied().unwrap_or(0);
        let next = self.structure.len() as u32;
        let id = *self.elements.entry((pos, role)).or_insert(next);
        if id == next {
            self.structure.push(StructElem {
                role,
                parent,
                alt: None,
            });
        }
        id
    }

    /// The structure tree built so far.
    pub fn take_structure(&mut self) -> Vec<StructElem> {
        std::mem::take(&mut self.structure)
    }

    /// Registers the paragraph `spans` set at `pos` (its `segment`-th line break-separated
    /// part) and tags `lines`' runs with it.
    pub fn register(
        &mut self,
        spans: &[Span],
        ps: &ParagraphStyle,
        (pos, segment): (Pos, usize),
        lines: &mut [Line],
    ) {
        let text: String = spans.iter().flat_map(|s| non_ws(&s.text)).collect();
        let next = self.entries.len() as u32 + 1;
        let id = *self
            .index
            .entry((pos, segment, text.clone()))
            .or_insert(next);
        if id == next {
            // Text composed in a heading (a list item's body...) is its content; elsewhere
            // (a section, a table cell) it is a paragraph of its own.
            let inside = self.open.last().copied().unwrap_or(0);
            let node = match self.structure.get(inside as usize) {
                Some(e) if e.role.holds_text() => inside,
                _ => self.element(Role::P, pos),
            };
            self.entries.push(Entry { pos, text, node });
        }
        let node = self.entries[id as usize - 1].node;
        for l in lines.iter_mut() {
            for r in &mut l.runs {
                r.origin = id;
                r.node = node;
            }
            // A lone glyph wider than the measure cannot be helped by breaking; anything else
            // past the measure is a composition fault.
            // (Trailing spaces hang past the line end by design: they do not count.)
            let glyphs = l
                .runs
                .iter()
                .flat_map(|r| r.glyph_texts())
                .filter(|(_, t)| !t.trim().is_empty())
                .count();
            if l.width > ps.width + EPS && glyphs > 1 {
                let t: String = l.runs.iter().map(|r| r.text()).collect();
                self.overflows.push((id, t, l.width, ps.width));
            }
        }
    }
}

fn markup_chars(nodes: &[Node], n: &mut usize) {
    for node in nodes {
        match node {
            Node::Text(t, _) => *n += non_ws(t).count(),
            Node::Element(e) => markup_chars(&e.children, n),
        }
    }
}

/// Checks the laid-out `pages` against the markup `root` and the registered paragraphs; each
/// difference is an error located in `source_name`.
pub(crate) fn check(
    root: &Element,
    pages: &[Page],
    sources: &Sources,
    fonts: &FontSet,
    source_name: &str,
    diags: &mut Diagnostics,
) {
    let at = |pos: Pos| Location::text(source_name, pos.line, pos.column);
    // Placed characters per paragraph, in page order.
    let mut placed: Vec<String> = vec![String::new(); sources.entries.len() + 1];
    // One message per misplaced glyph would bury the rest: the first few say enough.
    let mut outside = 0;
    for (p, page) in pages.iter().enumerate() {
        for it in &page.items {
            let Item::Text(run) = it else { continue };
            if let Some(s) = placed.get_mut(run.origin as usize) {
                s.extend(non_ws(run.text()));
            }
            let font = fonts.get(run.font);
            for (g, t) in run.glyph_texts() {
                let x = run.x + g.x;
                let adv = t
                    .chars()
                    .next()
                    .and_then(|c| font.glyph(c))
                    .map_or(0.0, |gi| gi.advance * run.size);
                let inside = x >= -EPS
                    && x + adv <= page.width + EPS
                    && run.y - 0.8 * run.size >= -EPS
                    && run.y <= page.height + EPS;
                if !inside && !t.trim().is_empty() && outside < 5 {
                    outside += 1;
                    let pos = sources
                        .entries
                        .get((run.origin as usize).wrapping_sub(1))
                        .map_or(Pos::default(), |e| e.pos);
                    diags.error(
                        at(pos),
                        format!(
                            "{} ページ目の文字「{}」が用紙の外（x = {:.1} pt, y = {:.1} pt、用紙は {:.0} × {:.0} pt）に出ています。組版の不具合です。この文書の元データとともに報告してください",
                            p + 1, quote(t, Lang::Ja), x, run.y, page.width, page.height
                        ),
                        format!(
                            "page {}: the glyph for \"{}\" lies outside the page (x = {:.1} pt, y = {:.1} pt; the page is {:.0} × {:.0} pt): a layout fault; please report it with this document's sources",
                            p + 1, quote(t, Lang::En), x, run.y, page.width, page.height
                        ),
                    );
                    break;
                }
            }
        }
    }
    for (id, text, width, measure) in &sources.overflows {
        let pos = sources.entries[*id as usize - 1].pos;
        diags.error(
            at(pos),
            format!(
                "行「{}」が枠からはみ出しています（幅 {width:.1} pt、枠 {measure:.1} pt）。表のセルなら隣のセルに重なります。組版の不具合です。この文書の元データとともに報告してください",
                quote(text, Lang::Ja)
            ),
            format!(
                "the line \"{}\" is wider than its box ({width:.1} pt in {measure:.1} pt); in a table cell it overprints the next cell: a layout fault; please report it with this document's sources",
                quote(text, Lang::En)
            ),
        );
    }
    for (k, e) in sources.entries.iter().enumerate() {
        let got = &placed[k + 1];
        if e.text.is_empty() || repeats_of(got, &e.text) {
            continue;
        }
        let (n_in, n_out) = (e.text.chars().count(), got.chars().count());
        diags.error(
            at(e.pos),
            format!(
                "段落「{}」の文字がページに正しく載っていません（元の文字数 {n_in}、ページ上 {n_out}）。組版の不具合です。この文書の元データとともに報告してください",
                quote(&e.text, Lang::Ja)
            ),
            format!(
                "the paragraph \"{}\" did not reach the pages intact ({n_in} characters in, {n_out} on the pages): a layout fault; please report it with this document's sources",
                quote(&e.text, Lang::En)
            ),
        );
    }
    let mut n_markup = 0;
    markup_chars(&root.children, &mut n_markup);
    let n_set: usize = sources
        .entries
        .iter()
        .map(|e| e.text.chars().count())
        .sum::<usize>();
    if n_markup != n_set {
        diags.error(
            at(root.pos),
            format!(
                "マークアップの文字のうち組まれなかったものがあります（本文の文字数 {n_markup}、組んだ文字数 {n_set}）。組版の不具合です。この文書の元データとともに報告してください"
            ),
            format!(
                "not all characters of the markup were set ({n_markup} in the text, {n_set} set): a layout fault; please report it with this document's sources"
            ),
        );
    }
}

/// `got` is `want` one or more times over.
fn repeats_of(got: &str, want: &str) -> bool {
    !got.is_empty()
        && got.len().is_multiple_of(want.len())
        && got
            .as_bytes()
            .chunks(want.len())
            .all(|c| c == want.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::compose::Align;
    use crate::page::{Color, TextRun};
    use crate::style::Style;

    fn laid(markup: &str) -> (Element, Vec<Page>, Sources, FontSet, Diagnostics) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (style, fonts) = Style::load(&root.join("templates/style.yaml"), &root).unwrap();
        let doc = crate::markup::parse(markup, "t.markup.html").unwrap();
        let mut diags = Diagnostics::new();
        let (laid, sources) = super::super::layout_unchecked(
            &doc,
            &style,
            &fonts,
            "t.markup.html",
            &mut diags,
            usize::MAX,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        (doc.root, laid.pages, sources, fonts, diags)
    }

    const DOC: &str = "<doc title=\"t\"><h1>第1章</h1>\n<p>三鷹市は、令和2年度に「子ども教室」を再開した。</p>\n<table><tr><th>職員数</th><td>12人</td></tr></table></doc>";

    fn messages(d: &Diagnostics) -> String {
        d.iter()
            .map(|x| x.render(hakusho_diagnostics::Lang::Ja))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_whole_document_accounts_for_every_character() {
        let (root, pages, sources, fonts, mut d) = laid(DOC);
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        assert!(!d.has_errors(), "{}", messages(&d));
    }

    /// Two lines of one element that read the same (a cell 「企画部<br/>企画部」, as a generated
    /// action plan has) are two paragraphs, not one composed twice: no false alarm.
    #[test]
    fn identical_lines_of_one_element_are_each_accounted_for() {
        let doc = "<doc title=\"t\"><p>企画部<br/>企画部</p>\n<table><tr><th>企画部<br/>企画部</th><td>1</td></tr></table></doc>";
        let (root, pages, sources, fonts, mut d) = laid(doc);
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        assert!(!d.has_errors(), "{}", messages(&d));
    }

    /// Issue 17, "Done when" (accounting): a glyph lost between layout and the page is an
    /// error at the paragraph's markup position, quoting it.
    #[test]
    fn a_dropped_glyph_is_an_error_at_its_paragraph() {
        let (root, mut pages, sources, fonts, mut d) = laid(DOC);
        let run = pages
            .iter_mut()
            .flat_map(|p| p.items.iter_mut())
            .find_map(|it| match it {
                Item::Text(r) if r.text().contains('鷹') => Some(r),
                _ => None,
            })
            .expect("the paragraph is on a page");
        let mut cut = TextRun::new(run.font, run.size, run.x, run.y, run.color);
        cut.origin = run.origin;
        for (g, t) in run.glyph_texts().filter(|(_, t)| *t != "鷹") {
            cut.push(g.glyph_id, g.x, t);
        }
        *run = cut;
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        let m = messages(&d);
        assert!(d.has_errors(), "no error");
        assert!(
            m.contains("t.markup.html:2:1") && m.contains("三鷹市は"),
            "{m}"
        );
    }

    /// A paragraph that never reached a page at all, and text of the markup never composed.
    #[test]
    fn a_lost_paragraph_and_uncomposed_markup_text_are_errors() {
        let (root, mut pages, sources, fonts, mut d) = laid(DOC);
        for p in &mut pages {
            p.items
                .retain(|it| !matches!(it, Item::Text(r) if r.text().contains("12")));
        }
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        assert!(messages(&d).contains("12人"), "{}", messages(&d));
        let (_, pages, sources, fonts, mut d) = laid(DOC);
        let (more, ..) = laid("<doc title=\"t\"><p>三鷹</p><p>余分な段落</p></doc>");
        check(&more, &pages, &sources, &fonts, "t.markup.html", &mut d);
        assert!(d.has_errors());
    }

    /// A glyph outside its page's media box, and a line wider than its box (a table cell's
    /// text running into the next cell), are errors.
    #[test]
    fn glyphs_outside_the_page_or_their_box_are_errors() {
        let (root, mut pages, sources, fonts, mut d) = laid(DOC);
        let w = pages[0].width;
        if let Some(Item::Text(r)) = pages[0]
            .items
            .iter_mut()
            .find(|it| matches!(it, Item::Text(r) if r.origin != 0))
        {
            r.x = w - 1.0;
        }
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        assert!(messages(&d).contains("用紙の外"), "{}", messages(&d));

        let (root, pages, mut sources, fonts, mut d) = laid(DOC);
        let f = FontIndex(0);
        let span = Span {
            text: "ーーーー".into(),
            font: f,
            size: 10.0,
            color: Color::BLACK,
            mark: 0,
            lang: None,
        };
        let ps = ParagraphStyle {
            width: 20.0,
            first_indent: 0.0,
            rest_indent: 0.0,
            align: Align::Start,
        };
        let mut lines = crate::compose::compose(std::slice::from_ref(&span), &ps, &fonts).unwrap();
        // As the composer set such a run before issue 17: on one line, past the cell.
        let mut one = lines[0].clone();
        one.runs = lines.iter().flat_map(|l| l.runs.clone()).collect();
        one.width = 40.0;
        lines = vec![one];
        sources.register(
            &[span],
            &ps,
            (
                Pos {
                    line: 3,
                    column: 40,
                },
                0,
            ),
            &mut lines,
        );
        check(&root, &pages, &sources, &fonts, "t.markup.html", &mut d);
        let m = messages(&d);
        assert!(
            m.contains("t.markup.html:3:40") && m.contains("はみ出し"),
            "{m}"
        );
    }

    use crate::font::FontIndex;
}
