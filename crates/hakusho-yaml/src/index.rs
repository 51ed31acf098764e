//! Where each node of a YAML document is written, found by a real YAML event parser.
//!
//! serde_yaml 0.9 reports positions for its own errors only and none for the values it
//! returns, and it keeps the last of two equal keys of a map silently. This pre-pass walks
//! the document's events (saphyr-parser gives each a position) once, records for every node
//! its path (mapping keys and sequence indices from the root) and position, and reports every
//! repeated key of every mapping at the repeated key's own position.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use saphyr_parser::{Event, Parser, Span};

/// Deeper documents are left to serde_yaml, which refuses them (its recursion limit is 128).
const MAX_DEPTH: usize = 256;

/// FNV-1a: the keys hashed here are short and come from the project's own files, so
/// SipHash's protection against chosen collisions buys nothing and costs most of the pre-pass.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// One step of a path from the document's root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// The value under a scalar key of a mapping.
    Key(String),
    /// An item of a sequence (0-based).
    Index(usize),
}

impl From<&str> for Seg {
    fn from(k: &str) -> Self {
        Seg::Key(k.to_string())
    }
}

impl From<&String> for Seg {
    fn from(k: &String) -> Self {
        Seg::Key(k.clone())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// A 1-based line and column (in characters), as messages show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The key this node is the value of, when it is a mapping value with a scalar key.
    key: Option<Pos>,
    /// Where the node itself starts.
    value: Pos,
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub key: String,
    pub first: Pos,
    pub again: Pos,
}

/// Positions of the nodes of the first document, by path.
#[derive(Debug, Clone, Default)]
pub struct Index {
    nodes: Vec<Node>,
    /// (parent node, step) → child node.
    children: FnvMap<(u32, Seg), u32>,
}

enum Frame {
    Seq {
        node: Option<u32>,
        as_key: bool,
        next: usize,
    },
    Map {
        node: Option<u32>,
        as_key: bool,
        /// The key whose value comes next; `None` while a key is expected.
        pending: Option<Option<(String, Pos)>>,
        seen: FnvMap<String, Pos>,
    },
}

impl Index {
    /// Indexes `text`. `None` when the event parser stops on a syntax error or the document
    /// nests deeper than [`MAX_DEPTH`]: serde_yaml then reports the error with its own words.
    pub fn build(text: &str) -> Option<(Index, Vec<Duplicate>)> {
        let mut index = Index::default();
        let mut dups = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut root_done = false;
        for ev in Parser::new_from_str(text) {
            let (event, span) = ev.ok()?;
            let pos = Pos::of(&span);
            match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
                // serde_yaml refuses a second document; its first one is what is indexed
                Event::DocumentEnd | Event::StreamEnd => break,
                Event::SequenceEnd | Event::MappingEnd => {
                    let as_key = match stack.pop() {
                        Some(Frame::Seq { as_key, .. } | Frame::Map { as_key, .. }) => as_key,
                        None => false,
                    };
                    // after a collection used as a key, its value comes next
                    if !as_key {
                        index.value_done(&mut stack);
                    }
                }
                Event::Scalar(value, ..) => {
                    if index.is_key(&mut stack, Some((value.as_ref(), pos)), &mut dups) {
                        continue;
                    }
                    index.start_value(&mut stack, pos, &mut root_done);
                    index.value_done(&mut stack);
                }
                Event::Alias(_) => {
                    if index.is_key(&mut stack, None, &mut dups) {
                        continue;
                    }
                    index.start_value(&mut stack, pos, &mut root_done);
                    index.value_done(&mut stack);
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    // a mapping or sequence used as a key: indexed under no path
                    let as_key = index.is_key(&mut stack, None, &mut dups);
                    let node = if as_key {
                        None
                    } else {
                        index.start_value(&mut stack, pos, &mut root_done)
                    };
                    if stack.len() >= MAX_DEPTH {
                        return None;
                    }
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            node,
                            as_key,
                            next: 0,
                        }
                    } else {
                        Frame::Map {
                            node,
                            as_key,
                            pending: None,
                            seen: FnvMap::default(),
                        }
                    });
                }
            }
        }
        Some((index, dups))
    }

    /// When a key is expected, takes this node as the key (`Some` for a scalar key, `None` for
    /// an alias or a collection) and reports it if the mapping has it already.
    fn is_key(
        &mut self,
        stack: &mut [Frame],
        scalar: Option<(&str, Pos)>,
        dups: &mut Vec<Duplicate>,
    ) -> bool {
        let Some(Frame::Map { pending, seen, .. }) = stack.last_mut() else {
            return false;
        };
        if pending.is_some() {
            return false;
        }
        match scalar {
            Some((key, at)) => {
                if let Some(first) = seen.get(key) {
                    dups.push(Duplicate {
                        key: key.to_string(),
                        first: *first,
                        again: at,
                    });
                } else {
                    seen.insert(key.to_string(), at);
                }
                *pending = Some(Some((key.to_string(), at)));
            }
            None => *pending = Some(None),
        }
        true
    }

    /// Records a value node starting at `pos` under the innermost collection.
    fn start_value(&mut self, stack: &mut [Frame], pos: Pos, root_done: &mut bool) -> Option<u32> {
        let id = self.nodes.len() as u32;
        let (parent, seg, key) = match stack.last_mut() {
            None => {
                if *root_done {
                    return None;
                }
                *root_done = true;
                self.nodes.push(Node {
                    key: None,
                    value: pos,
                });
                return Some(id);
            }
            Some(Frame::Seq { node, next, .. }) => {
                let seg = Seg::Index(*next);
                *next += 1;
                (*node, Some(seg), None)
            }
            // the key moves into the path; `Some(None)` still says a value is under way
            Some(Frame::Map { node, pending, .. }) => match pending.as_mut().and_then(Option::take)
            {
                Some((k, at)) => (*node, Some(Seg::Key(k)), Some(at)),
                None => (*node, None, None),
            },
        };
        let (Some(parent), Some(seg)) = (parent, seg) else {
            return None;
        };
        self.nodes.push(Node { key, value: pos });
        self.children.insert((parent, seg), id);
        Some(id)
    }

    /// After a mapping's value: the next node is a key again.
    fn value_done(&mut self, stack: &mut [Frame]) {
        if let Some(Frame::Map { pending, .. }) = stack.last_mut() {
            *pending = None;
        }
    }

    fn find(&self, path: &[Seg]) -> Option<Node> {
        let mut id = 0u32;
        self.nodes.first()?;
        for seg in path {
            id = *self.children.get(&(id, seg.clone()))?;
        }
        self.nodes.get(id as usize).copied()
    }

    /// Where the node at `path` is written: its key for a mapping value (`code:` of
    /// `code: "1-1"`), else the node itself (a sequence item, a value under a non-scalar key).
    /// When `path` goes further than the document (`systems[2]` of `systems: "1"`), the
    /// deepest node it reaches.
    pub fn key_or_value(&self, path: &[Seg]) -> Option<Pos> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.find(&path[..n]))
            .map(|node| node.key.unwrap_or(node.value))
    }

    /// Where the value at `path` itself starts (`"1-1"` of `code: "1-1"`), or `None`.
    pub fn value(&self, path: &[Seg]) -> Option<Pos> {
        self.find(path).map(|n| n.value)
    }
}

/// Where the second document of `text` starts (its `---`), if there is one: serde_yaml refuses
/// a second document without saying where it is.
pub fn second_document(text: &str) -> Option<Pos> {
    let mut seen = 0;
    for ev in Parser::new_from_str(text) {
        let (event, span) = ev.ok()?;
        if let Event::DocumentStart(_) = event {
            seen += 1;
            if seen == 2 {
                return Some(Pos::of(&span));
            }
        }
    }
    None
}

/// Every character of a scalar's value (a key or a value; never a comment) for which `wanted`
/// holds, with the position where it is written, in file order. Empty when the text does not
/// parse (serde_yaml reports that). The character check uses it to name the line:column where
/// a character no font has was typed.
///
/// Positions are found by walking the text from each scalar's start up to the next scalar's:
/// a scalar's characters appear there in order, and a comment after it comes later (saphyr's
/// span end for a quoted scalar can reach past a trailing comment, so the end is not used).
pub fn scalar_chars(text: &str, wanted: impl Fn(char) -> bool) -> Vec<(Pos, char)> {
    // (start index in characters, the wanted characters of the value in order)
    let mut scalars: Vec<(usize, Vec<char>)> = Vec::new();
    for ev in Parser::new_from_str(text) {
        match ev {
            Ok((Event::Scalar(value, ..), span)) => {
                let hits: Vec<char> = value.chars().filter(|&c| wanted(c)).collect();
                scalars.push((span.start.index(), hits));
            }
            Ok((Event::StreamEnd, _)) => break,
            Ok(_) => {}
            Err(_) => return Vec::new(),
        }
    }
    scalars.sort_by_key(|(start, _)| *start);
    let mut found = Vec::new();
    let (mut line, mut column) = (1u32, 1u32);
    let mut current = 0usize; // the scalar whose stretch of text `i` is in
    let mut pending = std::collections::VecDeque::new();
    for (i, c) in text.chars().enumerate() {
        while current < scalars.len() && scalars[current].0 <= i {
            pending = scalars[current].1.iter().copied().collect();
            current += 1;
        }
        if pending.front() == Some(&c) {
            pending.pop_front();
            found.push((Pos { line, column }, c));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn paths_reach_block_and_flow_nodes() {
        let text = "parts:\n  - number: 第1部\n    policies:\n      - code: \"1-1\"\n        title: x\n      - { code: '1-2', title: y }\n\"c\": |\n  t\n";
        let (ix, dups) = Index::build(text).unwrap();
        assert!(dups.is_empty());
        let code = |i: usize| {
            ix.key_or_value(&[
                "parts".into(),
                0.into(),
                "policies".into(),
                i.into(),
                "code".into(),
            ])
        };
        assert_eq!(code(0), Some(p(4, 9)));
        assert_eq!(code(1), Some(p(6, 11)));
        assert_eq!(
            ix.value(&["parts".into(), 0.into(), "policies".into(), 1.into()]),
            Some(p(6, 9))
        );
        assert_eq!(ix.key_or_value(&["c".into()]), Some(p(7, 1)));
        // a path beyond the document stops at the deepest node
        assert_eq!(
            ix.key_or_value(&["parts".into(), 0.into(), "number".into(), 3.into()]),
            Some(p(2, 5))
        );
        assert_eq!(ix.key_or_value(&["nothing".into()]), Some(p(1, 1)));
    }

    #[test]
    fn duplicates_are_found_at_every_depth() {
        let text =
            "a: 1\nb:\n  - {k: v, k: w}\n  - x: 1\n    \"x\": 2\na: 3\n? [c]\n: 1\n? [c]\n: 2\n";
        let (_, dups) = Index::build(text).unwrap();
        let found: Vec<(&str, Pos, Pos)> = dups
            .iter()
            .map(|d| (d.key.as_str(), d.first, d.again))
            .collect();
        assert_eq!(
            found,
            vec![
                ("k", p(3, 6), p(3, 12)),
                ("x", p(4, 5), p(5, 5)),
                ("a", p(1, 1), p(6, 1)),
            ]
        );
    }

    #[test]
    fn syntax_errors_and_deep_nesting_give_no_index() {
        assert!(Index::build("a: [1\n").is_none());
        assert!(Index::build(&"[".repeat(1000)).is_none());
        assert!(Index::build("a:\n\tb: 1\n").is_none());
        // only the first document is indexed
        let (ix, _) = Index::build("a: 1\n---\nb: 2\n").unwrap();
        assert!(ix.value(&["b".into()]).is_none());
        assert_eq!(second_document("a: 1\n---\nb: 2\n"), Some(p(2, 1)));
        assert_eq!(second_document("a: 1\n"), None);
    }
}
