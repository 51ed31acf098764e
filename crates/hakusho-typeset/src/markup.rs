//! The document markup: a strict HTML subset (well-formed XML) parsed into a tree that keeps
//! the source position of every element, so later stages can point a clerk at the line.
//!
//! Parsing never stops at the first problem when it can go on: unknown elements, bad attributes
//! and unclosed tags are all collected; only an XML syntax error ends the parse (the rest of the
//! file can no longer be read reliably).

use std::collections::BTreeMap;

use hakusho_diagnostics::{Diagnostics, Location};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// 1-based line and column (in characters) of an element's `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Entity-decoded text, whitespace untouched (layout collapses it, because the rule depends on
    /// the characters on both sides of a break, possibly across inline elements).
    Text(String, Pos),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub classes: Vec<String>,
    pub children: Vec<Node>,
    pub pos: Pos,
}

impl Element {
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        })
    }

    /// The element without its children (a container for part of them).
    pub fn clone_shallow(&self) -> Element {
        Element {
            name: self.name.clone(),
            attrs: self.attrs.clone(),
            classes: self.classes.clone(),
            children: Vec::new(),
            pos: self.pos,
        }
    }

    /// All text below this element, concatenated (TOC titles, bookmark titles).
    pub fn text_content(&self) -> String {
        let mut s = String::new();
        collect_text(&self.children, &mut s);
        s
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t, _) => out.push_str(t),
            Node::Element(e) if e.name == "br" => out.push(' '),
            Node::Element(e) => collect_text(&e.children, out),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub lang: String,
    pub root: Element,
}

/// Attributes every element accepts.
const GLOBAL_ATTRS: &[&str] = &["class", "id"];

/// Element name → extra attributes it accepts. The list is the DESIGN.md "Document markup".
fn allowed_attrs(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "doc" => &["title", "lang"],
        "h1" | "h2" | "h3" | "h4" => &["data-toc", "data-short", "data-keep"],
        "th" | "td" => &["colspan", "rowspan"],
        "col" => &["width", "span"],
        // data-keep="next": the block stays on the page of the block after it.
        "p" | "ul" | "ol" | "table" | "div" => &["data-keep"],
        // data-running="no": pages starting in the section have no running header/footer.
        "section" => &["data-running"],
        // data-ref: a number the caller gives the marked text (proofs highlight it and link
        // to it); the mark changes nothing in composition.
        "mark" => &["data-ref"],
        // A figure (never split across pages): its caption, one or more charts, notes.
        // alt: the figure's text alternative, written from its data (tagged PDF, HTML).
        "figure" => &["alt", "data-keep"],
        "figcaption" => &[],
        // A chart's data is all in attributes (no text of the chart is source text to
        // account for): categories and values separated by "|", a lone "-" for a value
        // left out (a text value is never drawn as zero).
        "chart" => &[
            "kind",
            "title",
            "unit",
            "categories",
            "target",
            "target-label",
            "direction",
            "decimals",
        ],
        "series" => &["name", "values"],
        // kind="figures": a list of the captioned figures, under its title.
        "toc" => &["kind", "title"],
        // lang: the language of a passage in another language than the document's (a screen
        // reader switches its voice; tagged PDF and HTML carry it).
        "span" => &["lang"],
        "pagebreak" | "br" | "b" | "li" | "thead" | "tbody" | "tr" | "colgroup" => &[],
        _ => return None,
    })
}

/// A BCP 47 language tag's shape: a 2–8 letter primary subtag, then subtags of 1–8 letters or
/// digits, joined by `-` (what `/Lang` in a PDF and `lang` in HTML take).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag.len() <= 35
        && (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_void(name: &str) -> bool {
    matches!(name, "br" | "pagebreak" | "toc" | "col")
}

/// Maps byte offsets to line:column; columns count characters, as editors show them.
struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.src.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let column = self
            .src
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        Pos {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

struct Parser<'a> {
    source_name: &'a str,
    index: LineIndex<'a>,
    diags: Diagnostics,
}

impl Parser<'_> {
    fn loc(&self, pos: Pos) -> Location {
        Location::text(self.source_name, pos.line, pos.column)
    }

    fn error(&mut self, pos: Pos, ja: String, en: String) {
        let loc = self.loc(pos);
        self.diags.error(loc, ja, en);
    }

    fn start_element(&mut self, e: &BytesStart, pos: Pos) -> Element {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let allowed = allowed_attrs(&name);
        if allowed.is_none() {
            self.error(
                pos,
                format!("未対応の要素 <{name}> です"),
                format!("unknown element <{name}>"),
            );
        }
        let mut attrs = BTreeMap::new();
        for a in e.attributes() {
            match a {
                Ok(a) => {
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    let value = match a.unescape_value() {
                        Ok(v) => v.into_owned(),
                        Err(err) => {
                            self.error(
                                pos,
                                format!("<{name}> の属性 {key} の値を読めません（文字参照 &...; が正しくありません。& そのものは &amp; と書いてください）"),
                                format!(
                                    "<{name}>: cannot read the value of attribute {key}: {err}"
                                ),
                            );
                            continue;
                        }
                    };
                    let known = GLOBAL_ATTRS.contains(&key.as_str())
                        || allowed.is_some_and(|l| l.contains(&key.as_str()));
                    if !known && allowed.is_some() {
                        self.error(
                            pos,
                            format!("<{name}> に属性 {key} は使えません"),
                            format!("<{name}> does not accept attribute {key}"),
                        );
                    }
                    if key == "lang" && !is_language_tag(&value) {
                        self.error(
                            pos,
                            format!("<{name}> の lang=\"{value}\" は言語タグではありません。en、en-US、zh-Hans のように書いてください"),
                            format!("<{name}>: lang=\"{value}\" is not a language tag; write one such as en, en-US or zh-Hans"),
                        );
                    }
                    if matches!(key.as_str(), "colspan" | "rowspan" | "span") {
                        match value.parse::<u32>() {
                            Ok(n) if (1..=1000).contains(&n) => {}
                            _ => self.error(
                                pos,
                                format!(
                                    "<{name}> の {key}=\"{value}\" は 1 以上の整数にしてください"
                                ),
                                format!("<{name}>: {key}=\"{value}\" must be a positive integer"),
                            ),
                        }
                    }
                    attrs.insert(key, value);
                }
                Err(err) => self.error(
                    pos,
                    format!("<{name}> の属性が正しくありません（属性は 名前=\"値\" の形で、値を引用符で囲んでください）"),
                    format!("<{name}>: malformed attribute: {err}"),
                ),
            }
        }
        let classes = attrs
            .get("class")
            .map(|c| c.split_ascii_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        Element {
            name,
            attrs,
            classes,
            children: Vec::new(),
            pos,
        }
    }
}

/// Parses markup. On success the tree is returned with any warnings; on failure every problem
/// found is returned.
pub fn parse(src: &str, source_name: &str) -> Result<Document, Diagnostics> {
    let mut p = Parser {
        source_name,
        index: LineIndex::new(src),
        diags: Diagnostics::new(),
    };
    let mut reader = Reader::from_str(src);
    // We match end tags ourselves so a mismatch is reported and parsing goes on.
    reader.config_mut().check_end_names = false;
    reader.config_mut().expand_empty_elements = false;

    // Stack of open elements; the bottom is a synthetic container for the top level.
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attrs: BTreeMap::new(),
        classes: Vec::new(),
        children: Vec::new(),
        pos: Pos::default(),
    }];
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event();
        let pos = p.index.pos(start);
        match event {
            Ok(Event::Start(e)) => {
                let el = p.start_element(&e, pos);
                if is_void(&el.name) {
                    // <br></br> is harmless; keep it open so its end tag matches.
                }
                stack.push(el);
            }
            Ok(Event::Empty(e)) => {
                let el = p.start_element(&e, pos);
                push_child(&mut stack, Node::Element(el));
            }
            Ok(Event::End(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if let Some(depth) = stack.iter().skip(1).rposition(|el| el.name == name) {
                    let depth = depth + 1;
                    // Everything opened after the matching element was never closed.
                    while stack.len() > depth + 1 {
                        let el = stack.pop().expect("depth checked");
                        p.error(
                            el.pos,
                            format!("<{}> が閉じられていません（</{name}> の前）", el.name),
                            format!("<{}> is not closed before </{name}>", el.name),
                        );
                        push_child(&mut stack, Node::Element(el));
                    }
                    let el = stack.pop().expect("depth checked");
                    push_child(&mut stack, Node::Element(el));
                } else {
                    p.error(
                        pos,
                        format!("対応する開始タグのない </{name}> です"),
                        format!("</{name}> has no matching start tag"),
                    );
                }
            }
            Ok(Event::Text(t)) => match t.unescape() {
                Ok(s) => push_text(&mut stack, s.into_owned(), pos),
                Err(err) => {
                    // Report, then keep the raw text so the rest of the paragraph survives.
                    p.error(
                        pos,
                        "文字参照 &...; が正しくありません（& そのものは &amp; と書いてください。テンプレートで値を出すときは escape されます）".to_string(),
                        format!("bad character or entity reference: {err}"),
                    );
                    let raw = String::from_utf8_lossy(&t).into_owned();
                    push_text(&mut stack, raw, pos);
                }
            },
            Ok(Event::CData(t)) => {
                let s = String::from_utf8_lossy(&t).into_owned();
                push_text(&mut stack, s, pos);
            }
            Ok(Event::Eof) => break,
            Ok(Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_)) => {}
            Err(err) => {
                let pos = p.index.pos(reader.error_position() as usize);
                p.error(
                    pos,
                    "マークアップの書き方に誤りがあります（タグの < > や引用符の対応、閉じタグを確かめてください）".to_string(),
                    format!("markup syntax error: {err}"),
                );
                break;
            }
        }
    }
    while stack.len() > 1 {
        let el = stack.pop().expect("len checked");
        p.error(
            el.pos,
            format!("<{}> が閉じられていません", el.name),
            format!("<{}> is never closed", el.name),
        );
        push_child(&mut stack, Node::Element(el));
    }
    let top = stack.pop().expect("synthetic root");
    let mut roots = top.children.into_iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(t, pos) if !t.trim().is_empty() => {
            p.error(
                pos,
                "<doc> の外に文字があります".into(),
                "text outside <doc>".into(),
            );
            None
        }
        Node::Text(..) => None,
    });
    let root = roots.next();
    let extra: Vec<_> = roots.collect();
    for e in extra {
        p.error(
            e.pos,
            format!("<doc> の外に要素 <{}> があります", e.name),
            format!("element <{}> outside <doc>", e.name),
        );
    }
    let root = match root {
        Some(r) if r.name == "doc" => Some(r),
        Some(r) => {
            p.error(
                r.pos,
                format!(
                    "最上位の要素は <doc> にしてください（<{}> があります）",
                    r.name
                ),
                format!("the root element must be <doc>, found <{}>", r.name),
            );
            None
        }
        None => {
            p.error(
                Pos { line: 1, column: 1 },
                "<doc> 要素がありません".into(),
                "no <doc> element".into(),
            );
            None
        }
    };
    match root {
        Some(root) if !p.diags.has_errors() => Ok(Document {
            title: root.attr("title").unwrap_or_default().to_string(),
            lang: root.attr("lang").unwrap_or("ja").to_string(),
            root,
        }),
        _ => Err(p.diags),
    }
}

fn push_child(stack: &mut [Element], node: Node) {
    stack
        .last_mut()
        .expect("synthetic root never popped")
        .children
        .push(node);
}

fn push_text(stack: &mut [Element], text: String, pos: Pos) {
    let parent = stack.last_mut().expect("synthetic root never popped");
    if let Some(Node::Text(prev, _)) = parent.children.last_mut() {
        prev.push_str(&text);
    } else {
        parent.children.push(Node::Text(text, pos));
    }
}

/// True for characters between which a source line break means nothing (CJK ideographs, kana,
/// full-width punctuation, forms and symbols): Japanese text is written without spaces. A
/// question of script, not of which markers hang (that is the style's `lists.markers`).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // hiragana, katakana
        | 0x31F0..=0x31FF
        | 0x3200..=0x33FF    // enclosed (①..), compatibility
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x20000..=0x3FFFF
        // Symbols set full width in Japanese text (list markers among them): enclosed
        // alphanumerics ①…, geometric shapes ■□▶◆◇○◎●, miscellaneous symbols ☆★.
        | 0x2460..=0x24FF
        | 0x25A0..=0x25FF
        | 0x2600..=0x26FF
    ) || c == '※'
}

/// Collapses ASCII whitespace runs to one space, except that a run holding a line break
/// between two CJK characters vanishes. `before`/`after` are the characters around the text
/// (from neighbouring inline nodes) so the rule also holds across `<b>`/`<span>` boundaries.
pub fn collapse_whitespace(text: &str, before: Option<char>, after: Option<char>) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_whitespace() {
            let start = i;
            let mut newline = false;
            while i < chars.len() && chars[i].is_ascii_whitespace() {
                newline |= chars[i] == '\n';
                i += 1;
            }
            let prev = if start == 0 {
                before
            } else {
                Some(chars[start - 1])
            };
            let next = if i == chars.len() {
                after
            } else {
                Some(chars[i])
            };
            let between_cjk = matches!((prev, next), (Some(a), Some(b)) if is_cjk(a) && is_cjk(b));
            // A source line break inside Japanese text is only formatting.
            let only_formatting = newline && between_cjk;
            if !(only_formatting || out.ends_with(' ')) {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tree_with_positions_and_entities() {
        let src = "<doc title=\"T\">\n  <p class=\"note x\">a &lt; b &amp; &#x4E09;</p>\n</doc>";
        let d = parse(src, "t.html").unwrap();
        assert_eq!(d.title, "T");
        let p = d.root.child_elements().next().unwrap();
        assert_eq!(p.name, "p");
        assert_eq!(p.pos, Pos { line: 2, column: 3 });
        assert!(p.has_class("note") && p.has_class("x"));
        assert_eq!(p.text_content(), "a < b & 三");
    }

    #[test]
    fn reports_every_problem_with_line_and_column() {
        let src = "<doc>\n<p foo=\"1\">x</p>\n<blink>y</blink>\n<td colspan=\"a\">z</td>\n<p>open\n</doc>";
        let err = parse(src, "m.html").unwrap_err();
        let msgs: Vec<String> = err
            .iter()
            .map(|d| d.render(hakusho_diagnostics::Lang::En))
            .collect();
        let all = msgs.join("\n");
        assert!(
            all.contains("m.html:2:1: <p> does not accept attribute foo"),
            "{all}"
        );
        assert!(all.contains("m.html:3:1: unknown element <blink>"), "{all}");
        assert!(all.contains("m.html:4:1: <td>: colspan=\"a\""), "{all}");
        assert!(all.contains("m.html:5:1: <p> is not closed"), "{all}");
    }

    #[test]
    fn syntax_error_does_not_panic() {
        for src in [
            "<doc><p a=b></p></doc>",
            "<doc",
            "",
            "<doc>&nbsp;</doc>",
            "</p>",
        ] {
            assert!(parse(src, "x").is_err(), "{src}");
        }
    }

    #[test]
    fn whitespace_between_japanese_lines_vanishes() {
        assert_eq!(
            collapse_whitespace("三鷹市の\n  施策", None, None),
            "三鷹市の施策"
        );
        assert_eq!(
            collapse_whitespace("white\n  paper", None, None),
            "white paper"
        );
        assert_eq!(collapse_whitespace("令和 2年", None, None), "令和 2年");
        assert_eq!(collapse_whitespace("\n市", Some('三'), None), "市");
        assert_eq!(collapse_whitespace("a \t\n b", None, None), "a b");
    }
}
