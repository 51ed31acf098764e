//! What changed between two renderings of one document, found in the markup itself, and the
//! new markup with each change wrapped in `<mark data-ref="N">`.
//!
//! The two markups come from the same templates, so their structure lines up: both are cut
//! into tokens — a tag name (`<p`, `</td`), a number (`202,850`), a Latin word, an entity or a
//! single other character; whitespace separates tokens but is none (layout collapses it) — and
//! the token lists are compared with Myers' algorithm ([`similar`]). Inserted and replaced
//! text tokens are marked; tag tokens never are. Marks never cross a tag, so the markup stays
//! well-formed, and never start or end on whitespace, so whitespace collapses as before and
//! the marked markup composes exactly like the unmarked one.

use std::ops::Range;
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use quick_xml::Reader;
use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};

/// One change in the document: what the reader sees now and what was there before.
#[derive(Debug, Clone, PartialEq)]
pub struct Hunk {
    /// The `data-ref` of its marks in the new markup (1-based, in document order).
    pub tag: u32,
    /// The new text (tokens marked, whitespace between them kept as one space).
    pub new: String,
    /// The old text, empty for an insertion.
    pub old: String,
    /// The text of the block (paragraph, table row, heading) the change sits in, without
    /// whitespace: what the change is matched against the sources with.
    pub context: String,
    /// Nothing was inserted: the text was removed. Its mark is an anchor on the text that
    /// now follows the removal (for its page), not a highlight.
    pub removal: bool,
    /// A little of the unchanged text of the same block before and after the change (empty
    /// when a whole block was added or removed): where the change sits, for the change list.
    pub before: String,
    pub after: String,
}

/// Whether the tokens open a block element (the change adds or removes a whole block).
fn starts_block(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| {
        t.is_tag()
            && t.text
                .strip_prefix('<')
                .is_some_and(|n| BLOCKS.contains(&n.trim_end_matches('/')))
    })
}

/// Characters of context shown on each side of a change.
const CONTEXT_CHARS: usize = 10;

/// The unchanged text of the change's block just before and after `range` (new tokens).
fn surroundings(list: &[Token], range: Range<usize>) -> (String, String) {
    let block = list
        .get(range.start)
        .filter(|_| !range.is_empty())
        .or_else(|| range.start.checked_sub(1).and_then(|i| list.get(i)))
        .map(|t| t.block);
    let Some(block) = block else {
        return (String::new(), String::new());
    };
    let mut before: Vec<&Token> = list[..range.start]
        .iter()
        .rev()
        .take_while(|t| t.block == block)
        .filter(|t| !t.is_tag())
        .take(CONTEXT_CHARS)
        .collect();
    before.reverse();
    let after: Vec<&Token> = list[range.end..]
        .iter()
        .take_while(|t| t.block == block)
        .filter(|t| !t.is_tag())
        .take(CONTEXT_CHARS)
        .collect();
    let text = |ts: &[&Token]| ts.iter().map(|t| decoded(t.text)).collect::<String>();
    (text(&before), text(&after))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Text,
    Start,
    End,
    Empty,
}

#[derive(Debug, Clone)]
struct Token<'a> {
    kind: Kind,
    /// The text, or a tag's element name (a slice of the markup either way).
    text: &'a str,
    /// Byte range in the markup (text tokens) — empty for tags.
    start: usize,
    end: usize,
    /// Index of the innermost enclosing block element (see [`BLOCKS`]) in `blocks`.
    block: usize,
}

impl Token<'_> {
    fn is_tag(&self) -> bool {
        self.kind != Kind::Text
    }

    /// What the diff compares.
    fn key(&self) -> (Kind, &str) {
        (self.kind, self.text)
    }
}

/// Elements whose text is one unit for the sources (a paragraph, a list item, a table row,
/// a heading).
const BLOCKS: &[&str] = &["p", "li", "tr", "h1", "h2", "h3", "h4", "doc"];

/// The markup cut into tokens, with the text of each block.
struct Tokens<'a> {
    list: Vec<Token<'a>>,
    blocks: Vec<String>,
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || matches!(c, ',' | '.' | '，' | '．')
}

fn tokenize(markup: &str) -> Tokens<'_> {
    let mut reader = Reader::from_str(markup);
    reader.config_mut().check_end_names = false;
    let mut list = Vec::new();
    let mut blocks = vec![String::new()];
    let mut stack: Vec<usize> = vec![0];
    loop {
        let start = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            // The typesetter reports bad markup with its location; here it only ends the diff.
            Err(_) => break,
        };
        let end = reader.buffer_position() as usize;
        let block = *stack.last().unwrap_or(&0);
        // the element name, as it stands after `<` or `</` in the markup
        let name =
            |skip: usize, len: usize| markup.get(start + skip..start + skip + len).unwrap_or("");
        match event {
            Event::Start(e) => {
                let name = name(1, e.name().as_ref().len());
                // a block's start tag belongs to the block, as its end tag does
                let inner = if BLOCKS.contains(&name) {
                    blocks.push(String::new());
                    blocks.len() - 1
                } else {
                    block
                };
                list.push(tag_token(Kind::Start, name, inner));
                stack.push(inner);
            }
            Event::End(e) => {
                let name = name(2, e.name().as_ref().len());
                stack.pop();
                list.push(tag_token(Kind::End, name, block));
            }
            Event::Empty(e) => {
                let name = name(1, e.name().as_ref().len());
                list.push(tag_token(Kind::Empty, name, block));
            }
            Event::Text(_) => {
                let raw = &markup[start..end];
                text_tokens(raw, start, block, &mut list);
                blocks[block].extend(decoded(raw).chars().filter(|c| !c.is_whitespace()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Tokens { list, blocks }
}

fn tag_token(kind: Kind, name: &str, block: usize) -> Token<'_> {
    Token {
        kind,
        text: name,
        start: 0,
        end: 0,
        block,
    }
}

fn text_tokens<'a>(raw: &'a str, base: usize, block: usize, out: &mut Vec<Token<'a>>) {
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '&' {
            // an entity: up to its ';'
            if let Some(semi) = raw[i..].find(';').filter(|&k| k <= 10) {
                end = i + semi + 1;
                while chars.peek().is_some_and(|&(k, _)| k < end) {
                    chars.next();
                }
            }
        } else if is_number_char(c) {
            while let Some(&(k, d)) = chars.peek() {
                if !is_number_char(d) {
                    break;
                }
                end = k + d.len_utf8();
                chars.next();
            }
        } else if c.is_ascii_alphabetic() {
            while let Some(&(k, d)) = chars.peek() {
                if !d.is_ascii_alphanumeric() {
                    break;
                }
                end = k + d.len_utf8();
                chars.next();
            }
        }
        out.push(Token {
            kind: Kind::Text,
            text: &raw[i..end],
            start: base + i,
            end: base + end,
            block,
        });
    }
}

/// The usual entities decoded (the renderer escapes with these).
fn decoded(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    quick_xml::escape::unescape(raw)
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| raw.to_string())
}

/// Changes of one block closer than this many unchanged text tokens always join: a
/// rewritten phrase reads as one change, not as every character that differs.
const JOIN_GAP: usize = 2;

/// The new markup with every change marked, and the changes. `deadline` bounds the diff of a
/// pathological pair (the result is then coarser, never wrong).
pub fn mark_changes(old: &str, new: &str, deadline: Duration) -> (String, Vec<Hunk>) {
    let a = tokenize(old);
    let b = tokenize(new);
    let deadline = Instant::now() + deadline;
    let changed = changed_ranges(&a.list, &b.list, deadline);

    let mut hunks = Vec::new();
    // (byte start, byte end, tag) of each mark to insert.
    let mut marks: Vec<(usize, usize, u32)> = Vec::new();
    for (old_range, new_range) in changed {
        let old_text = text_of(&a.list[old_range.clone()]);
        let new_tokens: Vec<&Token> = b.list[new_range.clone()]
            .iter()
            .filter(|t| !t.is_tag())
            .collect();
        if old_text.is_empty() && new_tokens.is_empty() {
            continue; // only tags moved (a wrapper element, an empty cell)
        }
        let tag = hunks.len() as u32 + 1;
        let removal = new_tokens.is_empty();
        let (anchor, block) = if removal {
            // the first text token after the removal carries the anchor
            match b.list[new_range.end..].iter().find(|t| !t.is_tag()) {
                Some(t) => (vec![t], t.block),
                None => match b.list[..new_range.start].iter().rev().find(|t| !t.is_tag()) {
                    Some(t) => (vec![t], t.block),
                    None => (Vec::new(), 0),
                },
            }
        } else {
            let block = new_tokens[0].block;
            (new_tokens.clone(), block)
        };
        marks.extend(anchor.iter().map(|t| (t.start, t.end, tag)));
        let whole =
            starts_block(&a.list[old_range.clone()]) || starts_block(&b.list[new_range.clone()]);
        let (before, after) = if whole {
            (String::new(), String::new())
        } else {
            surroundings(&b.list, new_range.clone())
        };
        hunks.push(Hunk {
            tag,
            new: if removal {
                String::new()
            } else {
                text_of(&b.list[new_range])
            },
            old: old_text,
            context: b.blocks.get(block).cloned().unwrap_or_default(),
            removal,
            before,
            after,
        });
    }
    (insert_marks(new, &mut marks), hunks)
}

type Change = (Range<usize>, Range<usize>);

/// The changed (old, new) token ranges, in order. Blocks first, as a line diff compares
/// lines: a block inserted or removed whole is one change, and only blocks that replace
/// others are compared token by token — so that a removed paragraph is not matched, particle
/// by particle, against the paragraphs around it.
fn changed_ranges(a: &[Token], b: &[Token], deadline: Instant) -> Vec<Change> {
    let (a_units, b_units) = (units(a), units(b));
    // a unit compares by a hash of its tokens (a collision would only coarsen the diff)
    let key = |list: &[Token], r: &Range<usize>| -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for t in &list[r.clone()] {
            t.key().hash(&mut h);
        }
        h.finish()
    };
    let a_keys: Vec<u64> = a_units.iter().map(|r| key(a, r)).collect();
    let b_keys: Vec<u64> = b_units.iter().map(|r| key(b, r)).collect();
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &a_keys, &b_keys, Some(deadline));
    // token index where unit `i` starts (the end of the list past the last unit)
    let at = |units: &[Range<usize>], list: &[Token], i: usize| {
        units.get(i).map_or(list.len(), |r| r.start)
    };
    let mut out = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => {
                let new_at = at(&b_units, b, new_index);
                for r in &a_units[old_index..old_index + old_len] {
                    out.push((r.clone(), new_at..new_at));
                }
            }
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => {
                let old_at = at(&a_units, a, old_index);
                for r in &b_units[new_index..new_index + new_len] {
                    out.push((old_at..old_at, r.clone()));
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let old = a_units[old_index].start..a_units[old_index + old_len - 1].end;
                let new = b_units[new_index].start..b_units[new_index + new_len - 1].end;
                out.extend(token_changes(a, b, old, new, deadline));
            }
        }
    }
    out
}

/// Maximal runs of consecutive tokens of one block.
fn units(list: &[Token]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, t) in list.iter().enumerate() {
        match out.last_mut() {
            Some(r) if list[r.start].block == t.block => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Token-level changes between `a[old]` and `b[new]` (global indices), nearby ones joined.
fn token_changes(
    a: &[Token],
    b: &[Token],
    old: Range<usize>,
    new: Range<usize>,
    deadline: Instant,
) -> Vec<Change> {
    let a_keys: Vec<(Kind, &str)> = a[old.clone()].iter().map(Token::key).collect();
    let b_keys: Vec<(Kind, &str)> = b[new.clone()].iter().map(Token::key).collect();
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &a_keys, &b_keys, Some(deadline));
    let (oa, ob) = (old.start, new.start);
    let mut changed: Vec<Change> = Vec::new();
    for op in ops {
        let (o, n) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        changed.push((o.start + oa..o.end + oa, n.start + ob..n.end + ob));
    }
    join_near(changed, b)
}

/// Joins changes of one block separated only by a little unchanged text (no tag): at most
/// [`JOIN_GAP`] tokens, or fewer than the smaller of the two changes — as diff-match-patch's
/// semantic cleanup does, so that a rewritten sentence is one change with its old wording
/// instead of a row of fragments around the particles they happen to share.
fn join_near(
    changed: Vec<(Range<usize>, Range<usize>)>,
    new: &[Token],
) -> Vec<(Range<usize>, Range<usize>)> {
    let size = |o: &Range<usize>, n: &Range<usize>| o.len().max(n.len());
    let block_at = |i: usize| new.get(i).or_else(|| new.last()).map(|t| t.block);
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for (o, n) in changed {
        if let Some((po, pn)) = out.last_mut() {
            let gap = &new[pn.end.min(n.start)..n.start];
            let limit = JOIN_GAP.max(size(po, pn).min(size(&o, &n)));
            if gap.len() <= limit
                && gap.iter().all(|t| !t.is_tag())
                && block_at(pn.start) == block_at(n.start)
            {
                po.end = o.end.max(po.end);
                pn.end = n.end.max(pn.end);
                continue;
            }
        }
        out.push((o, n));
    }
    join_rewritten(out, new)
}

/// Joins every change of a run of changes in one block (no tag between them) when the text
/// left unchanged between them is shorter than the changes together: the block was rewritten,
/// and its common particles are coincidence.
fn join_rewritten(
    changed: Vec<(Range<usize>, Range<usize>)>,
    new: &[Token],
) -> Vec<(Range<usize>, Range<usize>)> {
    let block_at = |i: usize| new.get(i).or_else(|| new.last()).map(|t| t.block);
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < changed.len() {
        let mut j = i + 1;
        let (mut gaps, mut sizes) = (0, changed[i].0.len().max(changed[i].1.len()));
        while j < changed.len() {
            let gap = &new[changed[j - 1].1.end.min(changed[j].1.start)..changed[j].1.start];
            if gap.iter().any(|t| t.is_tag())
                || block_at(changed[j].1.start) != block_at(changed[i].1.start)
            {
                break;
            }
            gaps += gap.len();
            sizes += changed[j].0.len().max(changed[j].1.len());
            j += 1;
        }
        if j - i > 1 && gaps < sizes {
            let o = changed[i].0.start..changed[j - 1].0.end;
            let n = changed[i].1.start..changed[j - 1].1.end;
            out.push((o, n));
        } else {
            out.extend(changed[i..j].iter().cloned());
        }
        i = j;
    }
    out
}

/// The text of tokens, tags dropped, entities decoded, a space where the source had text
/// nodes or whitespace apart only between two Latin words or numbers.
fn text_of(tokens: &[Token]) -> String {
    let mut s = String::new();
    let mut last_end = usize::MAX;
    for t in tokens.iter().filter(|t| !t.is_tag()) {
        let gap = t.start != last_end && last_end != usize::MAX;
        if gap
            && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
            && t.text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            s.push(' ');
        }
        s.push_str(&decoded(t.text));
        last_end = t.end;
    }
    s
}

/// Inserts `<mark data-ref="tag">…</mark>` around each range (ranges lie inside text nodes
/// and do not overlap). Adjacent ranges of one tag separated only by whitespace are merged.
fn insert_marks(markup: &str, marks: &mut [(usize, usize, u32)]) -> String {
    marks.sort_unstable();
    let mut merged: Vec<(usize, usize, u32)> = Vec::new();
    for &(s, e, tag) in marks.iter() {
        match merged.last_mut() {
            Some((_, pe, pt)) if *pt == tag && markup[*pe..s].trim().is_empty() && *pe <= s => {
                *pe = e
            }
            _ => merged.push((s, e, tag)),
        }
    }
    let mut out = String::with_capacity(markup.len() + merged.len() * 32);
    let mut at = 0;
    for (s, e, tag) in merged {
        if s < at {
            continue;
        }
        out.push_str(&markup[at..s]);
        out.push_str(&format!("<mark data-ref=\"{tag}\">"));
        out.push_str(&markup[s..e]);
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&markup[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(old: &str, new: &str) -> (String, Vec<Hunk>) {
        mark_changes(old, new, Duration::from_secs(1))
    }

    #[test]
    fn a_changed_number_is_marked_whole() {
        let old = "<doc><table><tr><td>英語版</td><td>202,850件</td></tr></table></doc>";
        let new = "<doc><table><tr><td>英語版</td><td>210,000件</td></tr></table></doc>";
        let (m, h) = marks(old, new);
        assert_eq!(
            m,
            "<doc><table><tr><td>英語版</td><td><mark data-ref=\"1\">210,000</mark>件</td></tr></table></doc>"
        );
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].old.as_str(), h[0].new.as_str()),
            ("202,850", "210,000")
        );
        assert_eq!(h[0].context, "英語版210,000件");
    }

    #[test]
    fn a_new_paragraph_is_marked_whole_and_a_removed_one_is_kept_with_its_wording() {
        let old = "<doc><p>一つ目。</p><p>消える段落。</p><p>三つ目。</p></doc>";
        let new = "<doc><p>一つ目。</p><p>三つ目。</p><p>新しい段落。</p></doc>";
        let (m, h) = marks(old, new);
        assert!(
            m.contains("<p><mark data-ref=\"2\">新しい段落。</mark></p>"),
            "{m}"
        );
        assert_eq!(h[0].old, "消える段落。");
        assert!(h[0].removal);
        assert_eq!(h[1].new, "新しい段落。");
        assert!(!h[1].removal);
    }

    #[test]
    fn nearby_edits_in_one_sentence_make_one_change() {
        let old = "<doc><p>計7台を配置した。</p></doc>";
        let new = "<doc><p>計8台を新たに配置した。</p></doc>";
        let (_, h) = marks(old, new);
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!(h[0].old, "7台を");
        assert_eq!(h[0].new, "8台を新たに");
    }

    #[test]
    fn unchanged_markup_has_no_marks() {
        let doc = "<doc><p>同じ&amp;内容</p></doc>";
        let (m, h) = marks(doc, doc);
        assert_eq!(m, doc);
        assert!(h.is_empty());
    }

    #[test]
    fn marks_never_cross_a_tag_and_skip_entities_whole() {
        let old = "<doc><p>A &amp; B</p></doc>";
        let new = "<doc><p>A &lt; <b>C</b></p></doc>";
        let (m, h) = marks(old, new);
        assert_eq!(
            m,
            "<doc><p>A <mark data-ref=\"1\">&lt;</mark> <b><mark data-ref=\"1\">C</mark></b></p></doc>"
        );
        assert_eq!(h[0].new, "<C");
    }
}
