//! The `narrative` filter: a department's plain text → document markup.
//!
//! Rules (DESIGN.md "Narrative text"): paragraphs are separated by a blank line; a line that
//! starts with a list marker of the style sheet (`lists.markers`: by default `①`–`㊿`, `・`,
//! `◎`, `○`, `●`, …) or with `- ` is a list item; any other line continues the paragraph or list
//! item above it. The spaces typed after a marker are dropped, so every item of a list sets its
//! text at the same distance from its marker. Everything is escaped, so whatever a department typed
//! (`<script>`, `{{ x }}`, `&`) shows as typed and cannot change the document's structure.
//! The list markers stay in the item text (they are what the reader sees, and what text
//! extraction of the PDF gives back, and a ①-list interrupted by a paragraph goes on with ③ as
//! typed): each item is a `<p class="item noindent circled|bullet|double-circle|circle">`.

use hakusho_typeset::ListMarkers;

/// The kind of list a line's marker starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// ①②③ … ⑳
    Circled,
    /// ・
    Bullet,
    /// ◎
    DoubleCircle,
    /// ○
    Circle,
    /// Any other declared marker (●, ▶, …)
    Marked(char),
}

impl ListKind {
    fn class(self) -> &'static str {
        match self {
            ListKind::Circled => "circled",
            ListKind::Bullet => "bullet",
            ListKind::DoubleCircle => "double-circle",
            ListKind::Circle => "circle",
            ListKind::Marked(_) => "marked",
        }
    }
}

/// If `line` starts a list item (a marker of `markers`, or the ASCII `- ` input convention,
/// printed as `・`, what a Japanese report prints), its kind and the text to show: the marker
/// as typed, directly followed by the text (the spaces typed after it are dropped).
pub fn list_item(line: &str, markers: &ListMarkers) -> Option<(ListKind, String)> {
    let (marker, rest) = match line.strip_prefix("- ") {
        Some(rest) => ('・', rest),
        None => {
            let marker = markers.starts(line)?;
            (marker, &line[marker.len_utf8()..])
        }
    };
    let text = rest.trim_start_matches([' ', '\t', '\u{3000}']);
    let kind = match marker {
        '①'..='⑳' | '㉑'..='㉟' | '㊱'..='㊿' => ListKind::Circled,
        '・' => ListKind::Bullet,
        '◎' => ListKind::DoubleCircle,
        '○' => ListKind::Circle,
        other => ListKind::Marked(other),
    };
    Some((kind, format!("{marker}{text}")))
}

/// Escapes text for the markup (element content and attribute values).
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab/newline have no place in a printed document
            // and are not allowed in XML.
            c if c.is_control() && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
}

pub fn escaped(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape(text, &mut s);
    s
}

/// Whether two pieces of text joined across a source line break need a space between them:
/// only when both sides are Latin letters/digits (Japanese text has no spaces between lines).
fn needs_space(before: &str, after: &str) -> bool {
    match (before.chars().next_back(), after.chars().next()) {
        (Some(a), Some(b)) => a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric(),
        _ => false,
    }
}

enum Block {
    Paragraph(String),
    /// A line such as `【芸術文化課】`: a paragraph of its own (a sub-heading inside a cell).
    Bracketed(String),
    List(ListKind, Vec<String>),
}

fn push_continuation(target: &mut String, line: &str) {
    if needs_space(target, line) {
        target.push(' ');
    }
    target.push_str(line);
}

/// `【…】` alone on a line.
fn is_bracketed(line: &str) -> bool {
    let line = line.trim_end();
    line.starts_with('【')
        && line.ends_with('】')
        && line.matches('【').count() == 1
        && line.matches('】').count() == 1
}

/// Splits narrative text into paragraphs and lists.
fn blocks(text: &str, markers: &ListMarkers) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    // Whether the previous line was blank (a blank line ends whatever was open).
    let mut after_blank = true;
    for raw in text.lines() {
        let line = raw.trim_matches(|c: char| c.is_whitespace() && c != '\u{3000}');
        // A line of only ideographic spaces counts as blank too.
        if line.trim().is_empty() {
            after_blank = true;
            continue;
        }
        // A leading ideographic space is the typed paragraph indent; the style indents.
        let line = line.trim_start_matches('\u{3000}');
        if is_bracketed(line) {
            out.push(Block::Bracketed(line.to_string()));
            // What follows starts a new paragraph.
            after_blank = true;
            continue;
        }
        if let Some((kind, item)) = list_item(line, markers) {
            match out.last_mut() {
                Some(Block::List(k, items)) if *k == kind && !after_blank => items.push(item),
                _ => out.push(Block::List(kind, vec![item])),
            }
        } else if after_blank {
            out.push(Block::Paragraph(line.to_string()));
        } else {
            match out.last_mut() {
                Some(Block::Paragraph(p)) => push_continuation(p, line),
                Some(Block::List(_, items)) => {
                    push_continuation(items.last_mut().expect("non-empty list"), line)
                }
                Some(Block::Bracketed(_)) | None => out.push(Block::Paragraph(line.to_string())),
            }
        }
        after_blank = false;
    }
    out
}

/// Converts narrative text to markup. `class` is put on every `<p>` (e.g. `note`).
pub fn to_markup(text: &str, class: Option<&str>, markers: &ListMarkers) -> String {
    let mut out = String::new();
    for block in blocks(text, markers) {
        match block {
            Block::Paragraph(p) => {
                match class {
                    Some(c) => {
                        out.push_str("<p class=\"");
                        escape(c, &mut out);
                        out.push_str("\">");
                    }
                    None => out.push_str("<p>"),
                }
                escape(&p, &mut out);
                out.push_str("</p>\n");
            }
            Block::Bracketed(p) => {
                out.push_str("<p class=\"noindent\">");
                escape(&p, &mut out);
                out.push_str("</p>\n");
            }
            Block::List(kind, items) => {
                // One unindented paragraph per item, the marker as typed at its start: the
                // typesetter's <ul>/<ol> draw their own markers and would renumber a ①-list
                // that a paragraph interrupts (DESIGN: "never renumber").
                for item in items {
                    out.push_str("<p class=\"item noindent ");
                    out.push_str(kind.class());
                    out.push_str("\">");
                    escape(&item, &mut out);
                    out.push_str("</p>\n");
                }
            }
        }
    }
    out
}

/// Converts narrative text to inline markup for a table cell (the typesetter lays out only
/// inline content in cells): every paragraph and list item on its own line, `<br/>` between.
pub fn to_inline_markup(text: &str, markers: &ListMarkers) -> String {
    let mut out = String::new();
    for (i, line) in plain_blocks(text, markers).iter().enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        escape(line, &mut out);
    }
    out
}

/// The plain paragraphs/items of narrative text, as the reader sees them (for tests that
/// compare a document's text with its sources).
pub fn plain_blocks(text: &str, markers: &ListMarkers) -> Vec<String> {
    let mut v = Vec::new();
    for b in blocks(text, markers) {
        match b {
            Block::Paragraph(p) | Block::Bracketed(p) => v.push(p),
            Block::List(_, items) => v.extend(items),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_markup(text: &str, class: Option<&str>) -> String {
        super::to_markup(text, class, &ListMarkers::default())
    }

    fn to_inline_markup(text: &str) -> String {
        super::to_inline_markup(text, &ListMarkers::default())
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let m = to_markup("一つ目の段落。\n続き。\n\n二つ目。\n", None);
        assert_eq!(m, "<p>一つ目の段落。続き。</p>\n<p>二つ目。</p>\n");
    }

    #[test]
    fn circled_items_keep_their_markers() {
        let m = to_markup(
            "以下の取組を進める。\n① 連携\n② 発信\n続きの行\n\n終わり。",
            None,
        );
        assert_eq!(
            m,
            "<p>以下の取組を進める。</p>\n<p class=\"item noindent circled\">①連携</p>\n<p class=\"item noindent circled\">②発信続きの行</p>\n<p>終わり。</p>\n"
        );
    }

    #[test]
    fn everything_is_escaped() {
        let m = to_markup("<script>alert(1)</script> & {{ x }}", None);
        assert_eq!(
            m,
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ x }}</p>\n"
        );
    }

    #[test]
    fn different_markers_make_different_lists() {
        let m = to_markup("◎ 一\n◎ 二\n・ 三\n- four", None);
        assert!(m.contains("<p class=\"item noindent double-circle\">◎一</p>\n<p class=\"item noindent double-circle\">◎二</p>"));
        assert!(m.contains("<p class=\"item noindent bullet\">・三</p>\n<p class=\"item noindent bullet\">・four</p>"));
    }

    #[test]
    fn bracketed_lines_stand_alone() {
        let m = to_markup("【芸術文化課】\n職員参加による\nワークショップ", None);
        assert_eq!(
            m,
            "<p class=\"noindent\">【芸術文化課】</p>\n<p>職員参加によるワークショップ</p>\n"
        );
        // Brackets inside a sentence are just text.
        let m = to_markup("市税収納率 【現年分】 99.4% 【滞繰分】 40.5%", None);
        assert!(m.starts_with("<p>市税"));
    }

    #[test]
    fn inline_form_breaks_lines() {
        assert_eq!(
            to_inline_markup("概要。\n\n① a&b\n② <c>"),
            "概要。<br/>①a&amp;b<br/>②&lt;c&gt;"
        );
    }

    #[test]
    fn latin_words_across_lines_get_a_space() {
        assert_eq!(to_markup("AI and\nRPA", None), "<p>AI and RPA</p>\n");
    }

    #[test]
    fn declared_markers_make_items_and_the_space_after_them_is_dropped() {
        let markers: ListMarkers = serde_yaml::from_str("[▶, ・]").unwrap();
        let m = super::to_markup(
            "▶ 施策の方向\n▶施策の展開\n▶\u{3000}施策の評価\n続き",
            None,
            &markers,
        );
        assert_eq!(
            m,
            "<p class=\"item noindent marked\">▶施策の方向</p>\n<p class=\"item noindent marked\">▶施策の展開</p>\n<p class=\"item noindent marked\">▶施策の評価続き</p>\n"
        );
        // Not declared: a paragraph like any other line (the default set has no ▶).
        let m = to_markup("前文\n▶ 施策", None);
        assert_eq!(m, "<p>前文▶ 施策</p>\n");
    }
}
