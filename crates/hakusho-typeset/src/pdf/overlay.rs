//! A proof made from a PDF already written, without writing its pages again: front pages (a
//! change list, itself a small PDF) are put before the document's, highlights are laid over
//! its text with the multiply blend mode (a marker pen: the paper turns yellow, the ink stays
//! black, nothing is covered), notes are attached, and the front pages link into the document.
//! The document's content streams, fonts and images are kept byte for byte, so a proof costs a
//! parse and a save of the PDF instead of a second layout and font subsetting.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::page::Color;

/// A box on a page of the document, top-left origin, pt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageBox {
    /// Page index (0-based) in its document.
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// What to add to a document to make its proof.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Boxes of the document to mark.
    pub highlights: Vec<PageBox>,
    /// Notes on the document's pages (a text annotation each).
    pub notes: Vec<(PageBox, String)>,
    /// Boxes of the front pages that link to a page of the document (its index).
    pub links: Vec<(PageBox, usize)>,
    /// The bookmark of the front pages.
    pub front_bookmark: String,
    /// The proof's title (/Title).
    pub title: String,
}

/// The name of the graphics state that sets the multiply blend mode.
const MARKER_STATE: &[u8] = b"HkMarker";

/// `document` with `front` before it and `overlay` applied. Fails only on a PDF that cannot be
/// read back or lacks a page tree (the ones this crate writes have both).
pub fn proof(
    document: &[u8],
    front: &[u8],
    overlay: &Overlay,
    color: Color,
) -> Result<Vec<u8>, lopdf::Error> {
    let mut doc = Document::load_mem(document)?;
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let heights: Vec<f32> = pages.iter().map(|&p| page_height(&doc, p)).collect();
    let height = |i: usize| heights.get(i).copied().unwrap_or(842.0);

    for (i, &page) in pages.iter().enumerate() {
        let boxes: Vec<&PageBox> = overlay.highlights.iter().filter(|b| b.page == i).collect();
        if !boxes.is_empty() {
            add_highlights(&mut doc, page, height(i), &boxes, color)?;
        }
        for (b, text) in overlay.notes.iter().filter(|(b, _)| b.page == i) {
            let mut a = Dictionary::new();
            a.set("Type", Object::Name(b"Annot".to_vec()));
            a.set("Subtype", Object::Name(b"Text".to_vec()));
            a.set("Rect", rect(b, height(i)));
            a.set("Contents", super::text_string(text));
            a.set("Name", Object::Name(b"Comment".to_vec()));
            a.set("Open", Object::Boolean(false));
            let id = doc.add_object(a);
            push_annotation(&mut doc, page, id)?;
        }
    }

    let front_pages = put_front(&mut doc, front)?;
    for (b, target) in &overlay.links {
        let (Some(&from), Some(&to)) = (front_pages.get(b.page), pages.get(*target)) else {
            continue;
        };
        let from_height = page_height(&doc, from);
        let mut a = Dictionary::new();
        a.set("Type", Object::Name(b"Annot".to_vec()));
        a.set("Subtype", Object::Name(b"Link".to_vec()));
        a.set("Rect", rect(b, from_height));
        a.set("Border", Object::Array(vec![0.into(), 0.into(), 0.into()]));
        a.set("Dest", super::dest(to, height(*target)));
        let id = doc.add_object(a);
        push_annotation(&mut doc, from, id)?;
    }
    if let Some(&first) = front_pages.first() {
        let top = page_height(&doc, first);
        add_first_bookmark(&mut doc, &overlay.front_bookmark, first, top)?;
    }
    if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(d) = doc.get_dictionary_mut(info) {
            d.set("Title", super::text_string(&overlay.title));
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

fn page_height(doc: &Document, page: ObjectId) -> f32 {
    doc.get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"MediaBox").ok())
        .and_then(|o| o.as_array().ok())
        .and_then(|a| Some(a.get(3)?.as_float().ok()? - a.get(1)?.as_float().ok()?))
        .unwrap_or(842.0)
}

fn rect(b: &PageBox, page_height: f32) -> Object {
    Object::Array(
        [
            b.x,
            page_height - b.y - b.height,
            b.x + b.width,
            page_height - b.y,
        ]
        .iter()
        .map(|v| Object::Real(*v))
        .collect(),
    )
}

/// Appends a content stream that fills `boxes` in `color` with the multiply blend mode.
fn add_highlights(
    doc: &mut Document,
    page: ObjectId,
    page_height: f32,
    boxes: &[&PageBox],
    color: Color,
) -> Result<(), lopdf::Error> {
    let mut ops = format!(
        "q /{} gs {:.3} {:.3} {:.3} rg\n",
        String::from_utf8_lossy(MARKER_STATE),
        color.r,
        color.g,
        color.b
    );
    for b in boxes {
        ops.push_str(&format!(
            "{:.2} {:.2} {:.2} {:.2} re f\n",
            b.x,
            page_height - b.y - b.height,
            b.width,
            b.height
        ));
    }
    ops.push_str("Q\n");
    let stream = doc.add_object(Stream::new(Dictionary::new(), ops.into_bytes()));

    let mut state = Dictionary::new();
    state.set("Type", Object::Name(b"ExtGState".to_vec()));
    state.set("BM", Object::Name(b"Multiply".to_vec()));
    let state = doc.add_object(state);

    // the page's resources, inline or referenced, get the graphics state
    let resources = doc.get_dictionary(page)?.get(b"Resources").ok().cloned();
    let set_state = |res: &mut Dictionary| {
        let mut states = match res.get(b"ExtGState") {
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        states.set(MARKER_STATE, Object::Reference(state));
        res.set("ExtGState", Object::Dictionary(states));
    };
    match resources {
        Some(Object::Reference(id)) => {
            let res = doc.get_dictionary_mut(id)?;
            set_state(res);
        }
        Some(Object::Dictionary(mut res)) => {
            set_state(&mut res);
            let d = doc.get_dictionary_mut(page)?;
            d.set("Resources", Object::Dictionary(res));
        }
        _ => {
            let mut res = Dictionary::new();
            set_state(&mut res);
            let d = doc.get_dictionary_mut(page)?;
            d.set("Resources", Object::Dictionary(res));
        }
    }

    let d = doc.get_dictionary_mut(page)?;
    let mut contents = match d.get(b"Contents") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o @ Object::Reference(_)) => vec![o.clone()],
        _ => Vec::new(),
    };
    contents.push(Object::Reference(stream));
    d.set("Contents", Object::Array(contents));
    Ok(())
}

fn push_annotation(
    doc: &mut Document,
    page: ObjectId,
    annot: ObjectId,
) -> Result<(), lopdf::Error> {
    let existing = doc.get_dictionary(page)?.get(b"Annots").ok().cloned();
    let mut annots = match existing {
        Some(Object::Array(a)) => a,
        Some(Object::Reference(id)) => doc
            .get_object(id)
            .ok()
            .and_then(|o| o.as_array().ok().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(annot));
    let d = doc.get_dictionary_mut(page)?;
    d.set("Annots", Object::Array(annots));
    Ok(())
}

/// Moves the pages of the PDF `front` (with everything they use) before the pages of `doc`;
/// returns their ids in `doc`.
fn put_front(doc: &mut Document, front: &[u8]) -> Result<Vec<ObjectId>, lopdf::Error> {
    let mut front = Document::load_mem(front)?;
    front.renumber_objects_with(doc.max_id + 1);
    doc.max_id = front.max_id;
    let front_pages: Vec<ObjectId> = front.get_pages().values().copied().collect();
    let root_pages = pages_root(doc)?;
    // Only the pages and what they reference come over (not the front's catalog, outline or
    // information dictionary).
    let mut wanted: Vec<ObjectId> = front_pages.clone();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = wanted.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(object) = front.objects.get(&id) else {
            continue;
        };
        collect_references(object, &mut |r| {
            // a page's parent is the front's page tree: not wanted
            if !front_pages.contains(&id) || r != parent_of(&front, id) {
                wanted.push(r);
            }
        });
    }
    for id in seen {
        if let Some(mut object) = front.objects.remove(&id) {
            if front_pages.contains(&id) {
                if let Object::Dictionary(d) = &mut object {
                    d.set("Parent", Object::Reference(root_pages));
                }
            }
            doc.objects.insert(id, object);
        }
    }
    let tree = doc.get_dictionary_mut(root_pages)?;
    let mut kids: Vec<Object> = front_pages
        .iter()
        .map(|&id| Object::Reference(id))
        .collect();
    if let Ok(Object::Array(old)) = tree.get(b"Kids") {
        kids.extend(old.iter().cloned());
    }
    let count = tree.get(b"Count").and_then(Object::as_i64).unwrap_or(0) + front_pages.len() as i64;
    tree.set("Kids", Object::Array(kids));
    tree.set("Count", Object::Integer(count));
    Ok(front_pages)
}

fn parent_of(doc: &Document, page: ObjectId) -> ObjectId {
    doc.get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"Parent").ok())
        .and_then(|o| o.as_reference().ok())
        .unwrap_or((0, 0))
}

fn collect_references(object: &Object, f: &mut dyn FnMut(ObjectId)) {
    match object {
        Object::Reference(id) => f(*id),
        Object::Array(a) => a.iter().for_each(|o| collect_references(o, f)),
        Object::Dictionary(d) => d.iter().for_each(|(_, o)| collect_references(o, f)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, o)| collect_references(o, f)),
        _ => {}
    }
}

fn pages_root(doc: &Document) -> Result<ObjectId, lopdf::Error> {
    doc.catalog()?.get(b"Pages").and_then(Object::as_reference)
}

/// Puts a bookmark to `page` first in the outline (creating the outline if there is none).
fn add_first_bookmark(
    doc: &mut Document,
    title: &str,
    page: ObjectId,
    top: f32,
) -> Result<(), lopdf::Error> {
    let outlines = doc
        .catalog()?
        .get(b"Outlines")
        .and_then(Object::as_reference)
        .ok();
    let outlines = match outlines {
        Some(id) => id,
        None => {
            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"Outlines".to_vec()));
            d.set("Count", Object::Integer(0));
            let id = doc.add_object(d);
            doc.catalog_mut()?.set("Outlines", Object::Reference(id));
            id
        }
    };
    let old_first = doc
        .get_dictionary(outlines)?
        .get(b"First")
        .and_then(Object::as_reference)
        .ok();
    let mut item = Dictionary::new();
    item.set("Title", super::text_string(title));
    item.set("Parent", Object::Reference(outlines));
    item.set("Dest", super::dest(page, top));
    if let Some(next) = old_first {
        item.set("Next", Object::Reference(next));
    }
    let id = doc.add_object(item);
    if let Some(next) = old_first {
        if let Ok(d) = doc.get_dictionary_mut(next) {
            d.set("Prev", Object::Reference(id));
        }
    }
    let d = doc.get_dictionary_mut(outlines)?;
    d.set("First", Object::Reference(id));
    if old_first.is_none() {
        d.set("Last", Object::Reference(id));
    }
    let count = d.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
    d.set("Count", Object::Integer(count + 1));
    Ok(())
}
