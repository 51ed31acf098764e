//! What a print shop's preflight checks of a PDF/X-1a:2003 file (ISO 15930-4), as far as it
//! can be checked without the standard's validator: the file structure of PDF 1.4, the PDF/X
//! identification (/Info, XMP, output intent), the page boxes, colour (no RGB, no colour
//! space other than DeviceGray, DeviceCMYK and Separation/DeviceN with such an alternate),
//! no transparency, every font embedded, no annotation on the printed area, no encryption —
//! and, beyond the standard, what Japanese print shops ask: text in black is K only (no rich
//! black).
//!
//! [`check`] lists every violation found; an empty list is a pass.

use std::collections::BTreeSet;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// One rule the file breaks: a short rule id (`colour.rgb`, `box.trim` …) and where/what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub detail: String,
}

/// What the check saw, besides the violations.
#[derive(Debug, Clone, Default)]
pub struct PrintReport {
    pub violations: Vec<Violation>,
    /// The colour spaces content was painted in (`DeviceGray`, `DeviceCMYK`,
    /// `Separation:<name>`, `DeviceRGB` …).
    pub colour_spaces: BTreeSet<String>,
    /// Pages checked.
    pub pages: usize,
}

impl PrintReport {
    fn violate(&mut self, rule: &'static str, detail: impl Into<String>) {
        self.violations.push(Violation {
            rule,
            detail: detail.into(),
        });
    }

    /// Whether any violation of `rule` was found.
    pub fn breaks(&self, rule: &str) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }
}

/// Checks `bytes` as a PDF/X-1a:2003 print file.
pub fn check(bytes: &[u8]) -> Result<PrintReport, lopdf::Error> {
    let mut r = PrintReport::default();
    file_structure(bytes, &mut r);
    let doc = Document::load_mem(bytes)?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        r.violate("file.encrypted", "the file is encrypted");
    }
    if doc.trailer.get(b"ID").is_err() {
        r.violate("file.id", "the trailer has no /ID");
    }
    identification(&doc, &mut r);
    let pages = doc.get_pages();
    r.pages = pages.len();
    let mut fonts_seen: BTreeSet<ObjectId> = BTreeSet::new();
    for (n, &page) in pages.values().enumerate() {
        page_boxes(&doc, n + 1, page, &mut r);
        page_annotations(&doc, n + 1, page, &mut r);
        if let Ok(d) = doc.get_dictionary(page) {
            if let Some(g) = d.get(b"Group").ok().and_then(|g| deref_dict(&doc, g)) {
                if name_of(g.get(b"S").ok()) == Some(b"Transparency".as_slice()) {
                    r.violate(
                        "transparency.group",
                        format!("page {}: transparency group", n + 1),
                    );
                }
            }
        }
        let resources = page_resources(&doc, page);
        match Content::decode(&doc.get_page_content(page)) {
            Ok(content) => content_colours(&doc, n + 1, &content, resources, &mut r),
            Err(e) => r.violate("file.content", format!("page {}: {e}", n + 1)),
        }
        if let Some(res) = resources {
            resource_checks(&doc, n + 1, res, &mut fonts_seen, &mut r);
        }
    }
    Ok(r)
}

/// PDF 1.4: the header says at most 1.4, no object streams, a classic xref table.
fn file_structure(bytes: &[u8], r: &mut PrintReport) {
    let header = bytes.get(..8).unwrap_or_default();
    let version_ok =
        header.starts_with(b"%PDF-1.") && header.get(7).is_some_and(|v| (b'0'..=b'4').contains(v));
    if !version_ok {
        r.violate(
            "file.version",
            format!(
                "header {:?}: PDF/X-1a:2003 is PDF 1.4 at most",
                String::from_utf8_lossy(header)
            ),
        );
    }
    if find(bytes, b"/ObjStm").is_some() {
        r.violate("file.object_streams", "object streams (PDF 1.5)");
    }
    let xref_ok = rfind(bytes, b"startxref")
        .and_then(|at| {
            let rest = std::str::from_utf8(bytes.get(at + 9..)?).ok()?;
            rest.split_whitespace().next()?.parse::<usize>().ok()
        })
        .and_then(|offset| bytes.get(offset..offset + 4))
        .is_some_and(|kw| kw == b"xref");
    if !xref_ok {
        r.violate(
            "file.xref_stream",
            "the cross-reference is not a classic xref table (an xref stream is PDF 1.5)",
        );
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn deref_dict<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
    doc.dereference(o).ok().and_then(|(_, o)| o.as_dict().ok())
}

fn name_of(o: Option<&Object>) -> Option<&[u8]> {
    o.and_then(|o| o.as_name().ok())
}

fn string_of(doc: &Document, o: Option<&Object>) -> Option<String> {
    let o = doc.dereference(o?).ok()?.1;
    match o {
        Object::String(b, _) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// /Info keys, the output intent and the XMP packet.
fn identification(doc: &Document, r: &mut PrintReport) {
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| deref_dict(doc, o));
    let Some(info) = info else {
        r.violate("info.missing", "no /Info dictionary");
        return;
    };
    let version = string_of(doc, info.get(b"GTS_PDFXVersion").ok());
    if version.as_deref() != Some("PDF/X-1:2003") {
        r.violate(
            "info.pdfx_version",
            format!("/GTS_PDFXVersion is {version:?}, expected \"PDF/X-1:2003\""),
        );
    }
    let conformance = string_of(doc, info.get(b"GTS_PDFXConformance").ok());
    if conformance.as_deref() != Some("PDF/X-1a:2003") {
        r.violate(
            "info.pdfx_conformance",
            format!("/GTS_PDFXConformance is {conformance:?}, expected \"PDF/X-1a:2003\""),
        );
    }
    match name_of(info.get(b"Trapped").ok()) {
        Some(b"True") | Some(b"False") => {}
        other => r.violate(
            "info.trapped",
            format!(
                "/Trapped is {:?}, expected /True or /False",
                other.map(String::from_utf8_lossy)
            ),
        ),
    }
    for key in [b"Title".as_slice(), b"CreationDate", b"ModDate"] {
        if string_of(doc, info.get(key).ok()).is_none_or(|s| s.is_empty()) {
            r.violate(
                "info.required",
                format!("/Info has no /{}", String::from_utf8_lossy(key)),
            );
        }
    }
    let Ok(catalog) = doc.catalog() else {
        r.violate("file.catalog", "no catalog");
        return;
    };
    let intents: Vec<&Dictionary> = catalog
        .get(b"OutputIntents")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())
        .map(|a| a.iter().filter_map(|o| deref_dict(doc, o)).collect())
        .unwrap_or_default();
    let pdfx: Vec<&&Dictionary> = intents
        .iter()
        .filter(|d| name_of(d.get(b"S").ok()) == Some(b"GTS_PDFX".as_slice()))
        .collect();
    match pdfx.as_slice() {
        [intent] => {
            if string_of(doc, intent.get(b"OutputConditionIdentifier").ok())
                .is_none_or(|s| s.is_empty())
            {
                r.violate(
                    "intent.identifier",
                    "the output intent has no OutputConditionIdentifier",
                );
            }
            // Without an embedded profile the condition must be a registered one.
            if intent.get(b"DestOutputProfile").is_err()
                && string_of(doc, intent.get(b"RegistryName").ok()).is_none_or(|s| s.is_empty())
            {
                r.violate(
                    "intent.registry",
                    "the output intent embeds no profile and names no registry",
                );
            }
        }
        [] => r.violate("intent.missing", "no GTS_PDFX output intent"),
        _ => r.violate("intent.several", "more than one GTS_PDFX output intent"),
    }
    let xmp = catalog
        .get(b"Metadata")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok())
        .map(|s| {
            s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone())
        });
    match xmp {
        None => r.violate("xmp.missing", "no XMP metadata"),
        Some(x) => {
            let x = String::from_utf8_lossy(&x);
            for (needle, what) in [
                ("GTS_PDFXVersion>PDF/X-1:2003<", "the PDF/X version"),
                ("Trapped>False<", "/Trapped"),
                ("CreateDate>", "the creation date"),
            ] {
                if !x.contains(needle) {
                    r.violate(
                        "xmp.inconsistent",
                        format!("XMP does not give {what} as /Info does"),
                    );
                }
            }
            if x.contains("pdfuaid:") || x.contains("pdfaid:") {
                r.violate("xmp.claim", "XMP claims another standard (PDF/UA or PDF/A)");
            }
        }
    }
}

fn boxes(doc: &Document, page: ObjectId, key: &[u8]) -> Option<[f32; 4]> {
    // Boxes may be inherited from the page tree.
    let mut id = page;
    for _ in 0..32 {
        let d = doc.get_dictionary(id).ok()?;
        if let Ok(o) = d.get(key) {
            let a = doc.dereference(o).ok()?.1.as_array().ok()?;
            let v: Vec<f32> = a
                .iter()
                .filter_map(|o| match o {
                    Object::Integer(i) => Some(*i as f32),
                    Object::Real(f) => Some(*f),
                    _ => None,
                })
                .collect();
            let [x0, y0, x1, y1] = <[f32; 4]>::try_from(v).ok()?;
            return Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]);
        }
        id = d.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

fn inside(inner: [f32; 4], outer: [f32; 4]) -> bool {
    const EPS: f32 = 0.01;
    inner[0] >= outer[0] - EPS
        && inner[1] >= outer[1] - EPS
        && inner[2] <= outer[2] + EPS
        && inner[3] <= outer[3] + EPS
}

/// TrimBox on every page, within the BleedBox, within the MediaBox.
fn page_boxes(doc: &Document, n: usize, page: ObjectId, r: &mut PrintReport) {
    let media = boxes(doc, page, b"MediaBox");
    let trim = boxes(doc, page, b"TrimBox");
    let bleed = boxes(doc, page, b"BleedBox");
    let Some(media) = media else {
        r.violate("box.media", format!("page {n}: no MediaBox"));
        return;
    };
    let Some(trim) = trim else {
        r.violate("box.trim", format!("page {n}: no TrimBox"));
        return;
    };
    let bleed = match bleed {
        Some(b) => b,
        None => {
            r.violate("box.bleed", format!("page {n}: no BleedBox"));
            media
        }
    };
    if !inside(trim, bleed) || !inside(bleed, media) {
        r.violate(
            "box.nesting",
            format!("page {n}: TrimBox {trim:?} ⊄ BleedBox {bleed:?} ⊄ MediaBox {media:?}"),
        );
    }
}

/// No annotation on the printed area (PrinterMark and TrapNet are allowed).
fn page_annotations(doc: &Document, n: usize, page: ObjectId, r: &mut PrintReport) {
    let Some(annots) = doc
        .get_dictionary(page)
        .ok()
        .and_then(|d| d.get(b"Annots").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())
    else {
        return;
    };
    for a in annots.iter().filter_map(|o| deref_dict(doc, o)) {
        let subtype = name_of(a.get(b"Subtype").ok()).unwrap_or_default();
        if subtype != b"PrinterMark" && subtype != b"TrapNet" {
            r.violate(
                "annotation",
                format!(
                    "page {n}: a /{} annotation",
                    String::from_utf8_lossy(subtype)
                ),
            );
        }
    }
}

fn page_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut id = page;
    for _ in 0..32 {
        let d = doc.get_dictionary(id).ok()?;
        if let Ok(res) = d.get(b"Resources") {
            return deref_dict(doc, res);
        }
        id = d.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

/// The colour space a `cs`/`CS` operand names, as a label, and whether PDF/X-1a allows it.
fn colour_space(doc: &Document, name: &[u8], resources: Option<&Dictionary>) -> (String, bool) {
    match name {
        b"DeviceGray" | b"G" => return ("DeviceGray".into(), true),
        b"DeviceCMYK" | b"CMYK" => return ("DeviceCMYK".into(), true),
        b"DeviceRGB" | b"RGB" => return ("DeviceRGB".into(), false),
        b"Pattern" => return ("Pattern".into(), false),
        _ => {}
    }
    let space = resources
        .and_then(|r| r.get(b"ColorSpace").ok())
        .and_then(|o| deref_dict(doc, o))
        .and_then(|d| d.get(name).ok())
        .and_then(|o| doc.dereference(o).ok())
        .map(|(_, o)| o);
    let Some(Object::Array(a)) = space else {
        return (format!("unknown:{}", String::from_utf8_lossy(name)), false);
    };
    let family = name_of(a.first()).unwrap_or_default();
    let alternate = a
        .get(2)
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_name().ok())
        .unwrap_or_default();
    let alternate_ok = alternate == b"DeviceCMYK" || alternate == b"DeviceGray";
    match family {
        b"Separation" => {
            let plate = name_of(a.get(1)).unwrap_or_default();
            (
                format!("Separation:{}", String::from_utf8_lossy(plate)),
                alternate_ok,
            )
        }
        b"DeviceN" => ("DeviceN".into(), alternate_ok),
        other => (String::from_utf8_lossy(other).into_owned(), false),
    }
}

fn number(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(f) => *f,
        _ => 0.0,
    }
}

/// Every colour operator of a page's content: only grey, CMYK and allowed Separations; text
/// shown while the fill is a rich black (K100 with C, M or Y) is a violation.
fn content_colours(
    doc: &Document,
    n: usize,
    content: &Content,
    resources: Option<&Dictionary>,
    r: &mut PrintReport,
) {
    let mut rich_black_fill = false;
    let mut reported_rich_black = false;
    let mut reported_rgb = false;
    let mut stack: Vec<bool> = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(rich_black_fill),
            "Q" => rich_black_fill = stack.pop().unwrap_or(false),
            "rg" | "RG" => {
                // once per page: a screen file has thousands
                if !reported_rgb {
                    reported_rgb = true;
                    r.violate(
                        "colour.rgb",
                        format!("page {n}: {} (RGB colour)", op.operator),
                    );
                }
                r.colour_spaces.insert("DeviceRGB".into());
            }
            "g" | "G" => {
                r.colour_spaces.insert("DeviceGray".into());
                if op.operator == "g" {
                    rich_black_fill = false;
                }
            }
            "k" | "K" => {
                r.colour_spaces.insert("DeviceCMYK".into());
                if op.operator == "k" {
                    let v: Vec<f32> = op.operands.iter().map(number).collect();
                    rich_black_fill =
                        v.len() == 4 && v[3] >= 0.99 && v[..3].iter().any(|c| *c > 0.0);
                }
            }
            "cs" | "CS" => {
                let name = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .unwrap_or_default();
                let (label, allowed) = colour_space(doc, name, resources);
                if !allowed {
                    r.violate(
                        "colour.space",
                        format!("page {n}: colour space {label} is not allowed in PDF/X-1a"),
                    );
                }
                r.colour_spaces.insert(label);
                if op.operator == "cs" {
                    rich_black_fill = false;
                }
            }
            "Tj" | "TJ" | "'" | "\"" if rich_black_fill && !reported_rich_black => {
                reported_rich_black = true;
                r.violate(
                    "colour.rich_black_text",
                    format!("page {n}: text in rich black (K100 with C, M or Y)"),
                );
            }
            "BI" | "ID" => r.violate("image.inline", format!("page {n}: an inline image")),
            _ => {}
        }
    }
}

/// Fonts embedded, no transparency in graphics states, no RGB or soft-masked image.
fn resource_checks(
    doc: &Document,
    n: usize,
    res: &Dictionary,
    fonts_seen: &mut BTreeSet<ObjectId>,
    r: &mut PrintReport,
) {
    if let Some(fonts) = res.get(b"Font").ok().and_then(|o| deref_dict(doc, o)) {
        for (name, f) in fonts.iter() {
            if let Ok(id) = f.as_reference() {
                if !fonts_seen.insert(id) {
                    continue;
                }
            }
            let Some(font) = deref_dict(doc, f) else {
                continue;
            };
            if !font_embedded(doc, font) {
                r.violate(
                    "font.not_embedded",
                    format!(
                        "page {n}: font {} is not embedded",
                        String::from_utf8_lossy(name)
                    ),
                );
            }
        }
    }
    if let Some(states) = res.get(b"ExtGState").ok().and_then(|o| deref_dict(doc, o)) {
        for (name, s) in states.iter() {
            let Some(s) = deref_dict(doc, s) else {
                continue;
            };
            let alpha = |k: &[u8]| s.get(k).ok().map(number).is_some_and(|v| v < 1.0);
            let soft_mask = s
                .get(b"SMask")
                .ok()
                .is_some_and(|m| name_of(Some(m)) != Some(b"None".as_slice()));
            let blend =
                name_of(s.get(b"BM").ok()).is_some_and(|b| b != b"Normal" && b != b"Compatible");
            if alpha(b"CA") || alpha(b"ca") || soft_mask || blend {
                r.violate(
                    "transparency.graphics_state",
                    format!(
                        "page {n}: graphics state {} uses transparency",
                        String::from_utf8_lossy(name)
                    ),
                );
            }
        }
    }
    if let Some(xobjects) = res.get(b"XObject").ok().and_then(|o| deref_dict(doc, o)) {
        for (name, x) in xobjects.iter() {
            let Some(stream) = doc
                .dereference(x)
                .ok()
                .and_then(|(_, o)| o.as_stream().ok())
            else {
                continue;
            };
            let d = &stream.dict;
            if name_of(d.get(b"Subtype").ok()) == Some(b"Image".as_slice()) {
                let space = name_of(d.get(b"ColorSpace").ok()).unwrap_or_default();
                if space == b"DeviceRGB" || d.get(b"SMask").is_ok() {
                    r.violate(
                        "image.colour",
                        format!(
                            "page {n}: image {} is RGB or soft-masked",
                            String::from_utf8_lossy(name)
                        ),
                    );
                }
            }
        }
    }
}

fn font_embedded(doc: &Document, font: &Dictionary) -> bool {
    let descriptor_embeds = |f: &Dictionary| {
        f.get(b"FontDescriptor")
            .ok()
            .and_then(|o| deref_dict(doc, o))
            .is_some_and(|d| {
                [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                    .iter()
                    .any(|k| d.get(k).is_ok())
            })
    };
    match name_of(font.get(b"Subtype").ok()) {
        Some(b"Type0") => font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_array().ok())
            .is_some_and(|kids| {
                !kids.is_empty()
                    && kids
                        .iter()
                        .filter_map(|k| deref_dict(doc, k))
                        .all(descriptor_embeds)
            }),
        // Type 3 fonts are drawn by content streams of their own.
        Some(b"Type3") => true,
        _ => descriptor_embeds(font),
    }
}
