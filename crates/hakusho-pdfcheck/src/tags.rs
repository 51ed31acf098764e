//! The tagged-PDF side of a file, as a screen reader and an accessibility checker see it: the
//! structure tree with its content (marked-content sequences on pages, annotations), what of
//! each page is marked content or an artifact, and the catalog entries PDF/UA asks for.

use std::collections::{BTreeMap, HashMap};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::{text_string, FontDecoder};

/// Deeper than any real structure tree: a cycle in a broken file stops here.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct Tagging {
    /// `/MarkInfo << /Marked true >>` in the catalog.
    pub marked: bool,
    /// `/ViewerPreferences << /DisplayDocTitle true >>` in the catalog.
    pub display_doc_title: bool,
    /// The catalog's XMP metadata packet, as text.
    pub metadata: Option<String>,
    /// The structure tree's top element (`Document`), if there is a tree.
    pub root: Option<StructNode>,
    /// Per page: the text of each marked-content sequence with an MCID, by MCID.
    pub marked_text: Vec<BTreeMap<i64, String>>,
    /// Per page: the `/Lang` of each marked-content sequence that names one, by MCID (a
    /// passage in another language than the document's).
    pub marked_lang: Vec<BTreeMap<i64, String>>,
    /// Per page: text-showing and painting operators that are neither inside a sequence with an
    /// MCID nor inside an `/Artifact`.
    pub unmarked_operators: Vec<usize>,
    /// Per page: the text of each `/Artifact` sequence with `/Type /Pagination`, with its
    /// `/Subtype` (`Header`, `Footer`; empty when none).
    pub pagination: Vec<Vec<(String, String)>>,
    /// Per page: its `/StructParents` key.
    pub struct_parents: Vec<Option<i64>>,
    /// Per page: its `/Tabs` name.
    pub tabs: Vec<Option<String>>,
}

/// A structure element: its type (`P`, `H2`, `TH`…), a table cell's `/Scope`, its kids.
#[derive(Debug, Clone, PartialEq)]
pub struct StructNode {
    pub role: String,
    pub scope: Option<String>,
    /// `/Alt`: a figure's alternative text.
    pub alt: Option<String>,
    pub kids: Vec<StructKid>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StructKid {
    Element(StructNode),
    /// A marked-content sequence: page index and MCID.
    Content {
        page: Option<usize>,
        mcid: i64,
    },
    /// An annotation (a link's): its page and `/Contents`.
    Annotation {
        page: Option<usize>,
        contents: Option<String>,
    },
}

impl StructNode {
    /// Every element of the subtree, this one first, depth first.
    pub fn elements(&self) -> Vec<&StructNode> {
        let mut out = vec![self];
        for k in &self.kids {
            if let StructKid::Element(e) = k {
                out.extend(e.elements());
            }
        }
        out
    }

    /// The element's content references, in tree order: (page, MCID).
    pub fn content(&self) -> Vec<(Option<usize>, i64)> {
        let mut out = Vec::new();
        for k in &self.kids {
            match k {
                StructKid::Element(e) => out.extend(e.content()),
                StructKid::Content { page, mcid } => out.push((*page, *mcid)),
                StructKid::Annotation { .. } => {}
            }
        }
        out
    }
}

impl Tagging {
    /// The marked text of element `n` and its subtree, in tree order.
    pub fn text_of(&self, n: &StructNode) -> String {
        n.content()
            .into_iter()
            .filter_map(|(p, mcid)| self.marked_text.get(p?)?.get(&mcid).cloned())
            .collect()
    }

    /// The text a screen reader reads: the marked content in structure-tree order, elements
    /// of roles in `skip` (with their subtrees) left out.
    pub fn text_in_tree_order(&self, skip: &[&str]) -> String {
        fn walk(t: &Tagging, n: &StructNode, skip: &[&str], out: &mut String) {
            if skip.contains(&n.role.as_str()) {
                return;
            }
            for k in &n.kids {
                match k {
                    StructKid::Element(e) => walk(t, e, skip, out),
                    StructKid::Content {
                        page: Some(p),
                        mcid,
                    } => {
                        if let Some(s) = t.marked_text.get(*p).and_then(|m| m.get(mcid)) {
                            out.push_str(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = String::new();
        if let Some(r) = &self.root {
            walk(self, r, skip, &mut out);
        }
        out
    }
}

/// A page as the tagging reader needs it: its object, its content, its fonts by resource name.
pub(crate) type PageContent<'a> = (ObjectId, Content, HashMap<Vec<u8>, &'a FontDecoder>);

/// Reads the tagging of `doc` from its catalog and `pages`.
pub(crate) fn read(doc: &Document, catalog: &Dictionary, pages: &[PageContent]) -> Tagging {
    let page_index: HashMap<ObjectId, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    let dict = |key: &[u8]| {
        catalog
            .get(key)
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok())
    };
    let marked = dict(b"MarkInfo")
        .and_then(|d| d.get(b"Marked").ok())
        .and_then(|o| o.as_bool().ok())
        == Some(true);
    let display_doc_title = dict(b"ViewerPreferences")
        .and_then(|d| d.get(b"DisplayDocTitle").ok())
        .and_then(|o| o.as_bool().ok())
        == Some(true);
    let metadata = catalog
        .get(b"Metadata")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok())
        .map(|s| {
            let data = s
                .decompressed_content()
                .unwrap_or_else(|_| s.content.clone());
            String::from_utf8_lossy(&data).into_owned()
        });
    let root = dict(b"StructTreeRoot").and_then(|r| {
        let kids = kids_of(doc, r.get(b"K").ok()?, None, &page_index, 0);
        kids.into_iter().find_map(|k| match k {
            StructKid::Element(e) => Some(e),
            _ => None,
        })
    });
    let mut marked_text = Vec::new();
    let mut marked_lang = Vec::new();
    let mut unmarked_operators = Vec::new();
    let mut pagination = Vec::new();
    let mut struct_parents = Vec::new();
    let mut tabs = Vec::new();
    for (id, content, fonts) in pages {
        let (texts, langs, unmarked, furniture) = marks_of(content, fonts);
        marked_text.push(texts);
        marked_lang.push(langs);
        unmarked_operators.push(unmarked);
        pagination.push(furniture);
        let page = doc.get_dictionary(*id).ok();
        struct_parents.push(
            page.and_then(|p| p.get(b"StructParents").ok())
                .and_then(|o| o.as_i64().ok()),
        );
        tabs.push(
            page.and_then(|p| p.get(b"Tabs").ok())
                .and_then(|o| o.as_name().ok())
                .map(|n| String::from_utf8_lossy(n).into_owned()),
        );
    }
    Tagging {
        marked,
        display_doc_title,
        metadata,
        root,
        marked_text,
        marked_lang,
        unmarked_operators,
        pagination,
        struct_parents,
        tabs,
    }
}

fn kids_of(
    doc: &Document,
    k: &Object,
    page: Option<usize>,
    page_index: &HashMap<ObjectId, usize>,
    depth: usize,
) -> Vec<StructKid> {
    if depth > MAX_DEPTH {
        return Vec::new();
    }
    let pg = |d: &Dictionary| {
        d.get(b"Pg")
            .ok()
            .and_then(|o| o.as_reference().ok())
            .and_then(|id| page_index.get(&id).copied())
    };
    match k {
        Object::Array(a) => a
            .iter()
            .flat_map(|k| kids_of(doc, k, page, page_index, depth + 1))
            .collect(),
        Object::Integer(mcid) => vec![StructKid::Content { page, mcid: *mcid }],
        Object::Reference(_) | Object::Dictionary(_) => {
            let Ok((_, Object::Dictionary(d))) = doc.dereference(k) else {
                return Vec::new();
            };
            let kind = d.get(b"Type").and_then(|o| o.as_name()).ok();
            match kind {
                Some(b"MCR") => vec![StructKid::Content {
                    page: pg(d).or(page),
                    mcid: d.get(b"MCID").and_then(|o| o.as_i64()).unwrap_or(-1),
                }],
                Some(b"OBJR") => {
                    let contents = d
                        .get(b"Obj")
                        .ok()
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_dict().ok())
                        .and_then(|a| a.get(b"Contents").ok())
                        .and_then(|o| text_string(doc, o));
                    vec![StructKid::Annotation {
                        page: pg(d).or(page),
                        contents,
                    }]
                }
                _ => {
                    let role = crate::name_text(d, b"S");
                    let scope = d
                        .get(b"A")
                        .ok()
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_dict().ok())
                        .and_then(|a| a.get(b"Scope").ok())
                        .and_then(|o| o.as_name().ok())
                        .map(|n| String::from_utf8_lossy(n).into_owned());
                    let alt = d.get(b"Alt").ok().and_then(|o| text_string(doc, o));
                    let here = pg(d).or(page);
                    let kids = d
                        .get(b"K")
                        .map(|k| kids_of(doc, k, here, page_index, depth + 1))
                        .unwrap_or_default();
                    vec![StructKid::Element(StructNode {
                        role,
                        scope,
                        alt,
                        kids,
                    })]
                }
            }
        }
        _ => Vec::new(),
    }
}

/// The marks of a page's content.
type PageMarks = (
    BTreeMap<i64, String>,
    BTreeMap<i64, String>,
    usize,
    Vec<(String, String)>,
);

/// A page's marked text by MCID, the `/Lang` of the sequences that name one by MCID, how many
/// of its showing/painting operators are outside both MCID sequences and artifacts, and its
/// pagination artifacts (subtype, text).
fn marks_of(content: &Content, fonts: &HashMap<Vec<u8>, &FontDecoder>) -> PageMarks {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Mcid(i64),
        Artifact,
        /// A pagination artifact: its index in `furniture`.
        Pagination(usize),
        Other,
    }
    let mut furniture: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<Mark> = Vec::new();
    let mut texts: BTreeMap<i64, String> = BTreeMap::new();
    let mut langs: BTreeMap<i64, String> = BTreeMap::new();
    let mut unmarked = 0;
    let mut font: Option<&FontDecoder> = None;
    for op in &content.operations {
        let args = &op.operands;
        match op.operator.as_str() {
            "BMC" => stack.push(
                if args.first().and_then(|o| o.as_name().ok()) == Some(b"Artifact") {
                    Mark::Artifact
                } else {
                    Mark::Other
                },
            ),
            "BDC" => {
                let tag = args.first().and_then(|o| o.as_name().ok());
                let mcid = args
                    .get(1)
                    .and_then(|o| o.as_dict().ok())
                    .and_then(|d| d.get(b"MCID").ok())
                    .and_then(|o| o.as_i64().ok());
                let props = args.get(1).and_then(|o| o.as_dict().ok());
                if let (Some(m), false) = (mcid, tag == Some(b"Artifact".as_slice())) {
                    texts.entry(m).or_default();
                    if let Some(Object::String(lang, _)) = props.and_then(|d| d.get(b"Lang").ok()) {
                        langs.insert(m, String::from_utf8_lossy(lang).into_owned());
                    }
                }
                let name_of = |key: &[u8]| {
                    props
                        .and_then(|d| d.get(key).ok())
                        .and_then(|o| o.as_name().ok())
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                };
                let pagination = name_of(b"Type").as_deref() == Some("Pagination");
                stack.push(match (tag, mcid) {
                    (Some(b"Artifact"), _) if pagination => {
                        furniture.push((name_of(b"Subtype").unwrap_or_default(), String::new()));
                        Mark::Pagination(furniture.len() - 1)
                    }
                    (Some(b"Artifact"), _) => Mark::Artifact,
                    (_, Some(m)) => Mark::Mcid(m),
                    _ => Mark::Other,
                });
            }
            "EMC" => {
                stack.pop();
            }
            "Tf" => {
                font = args
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|n| fonts.get(n).copied());
            }
            name => {
                let shows = matches!(name, "Tj" | "TJ" | "'" | "\"");
                let paints = matches!(
                    name,
                    "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "Do" | "sh"
                );
                if !shows && !paints {
                    continue;
                }
                let inner = stack.iter().rev().find(|m| **m != Mark::Other).copied();
                if let (Some(Mark::Pagination(i)), true, Some(f)) = (inner, shows, font) {
                    for item in shown(args) {
                        for (t, _) in f.decode(item) {
                            furniture[i].1.push_str(&t);
                        }
                    }
                    continue;
                }
                match inner {
                    Some(Mark::Mcid(m)) if shows => {
                        let Some(f) = font else { continue };
                        let text = texts.entry(m).or_default();
                        let items: Vec<&Object> = match args.last() {
                            Some(Object::Array(a)) => a.iter().collect(),
                            Some(o) => vec![o],
                            None => continue,
                        };
                        for item in items {
                            if let Object::String(bytes, _) = item {
                                for (t, _) in f.decode(bytes) {
                                    text.push_str(&t);
                                }
                            }
                        }
                    }
                    Some(_) => {}
                    None => unmarked += 1,
                }
            }
        }
    }
    (texts, langs, unmarked, furniture)
}

/// The strings a text-showing operator shows.
fn shown(args: &[Object]) -> Vec<&[u8]> {
    let items: Vec<&Object> = match args.last() {
        Some(Object::Array(a)) => a.iter().collect(),
        Some(o) => vec![o],
        None => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|o| match o {
            Object::String(b, _) => Some(b.as_slice()),
            _ => None,
        })
        .collect()
}
