//! The machine-checkable PDF/A-2 rules (ISO 19005-2) that a file like hakusho's can break,
//! each reported with its clause: the file structure (header, trailer `/ID`, no encryption,
//! nothing after `%%EOF`, stream keys, implementation limits), the output intent, device
//! colour, fonts (embedded, widths equal to the font program's, ToUnicode for levels a and u),
//! annotations, actions, metadata (XMP identification, extension schemas, `/Info` equal to the
//! XMP) and, for level a, the structure. veraPDF checks more (see docs/accessibility.md); what
//! is here is what a writer change could plausibly break.

use std::collections::{HashMap, HashSet};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::{text_string, FontDecoder, InspectError};

/// One broken rule: the clause of ISO 19005-2 and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub clause: &'static str,
    pub found: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ISO 19005-2 {}: {}", self.clause, self.found)
    }
}

/// What the file declares (`pdfaid` in its XMP) and the rules it breaks at that level.
#[derive(Debug, Clone, Default)]
pub struct PdfAReport {
    /// `pdfaid:part` and `pdfaid:conformance` (`A`, `B`, `U`) when declared.
    pub part: Option<String>,
    pub conformance: Option<String>,
    pub violations: Vec<Violation>,
}

impl PdfAReport {
    /// The clauses broken, each once, in order of first violation.
    pub fn clauses(&self) -> Vec<&'static str> {
        let mut seen = HashSet::new();
        self.violations
            .iter()
            .map(|v| v.clause)
            .filter(|c| seen.insert(*c))
            .collect()
    }
}

/// Checks `bytes` against PDF/A-2 at the level its XMP declares (level b when it declares
/// none: then the missing identification is itself a violation).
pub fn check(bytes: &[u8]) -> Result<PdfAReport, InspectError> {
    let doc = Document::load_mem(bytes).map_err(InspectError::Load)?;
    let mut r = PdfAReport::default();
    let mut v = |clause: &'static str, found: String| {
        r.violations.push(Violation { clause, found });
    };
    file_structure(bytes, &doc, &mut v);
    let catalog = doc.catalog().map_err(InspectError::Catalog)?;
    let xmp = metadata(&doc, catalog, &mut v);
    let (part, conformance) = identification(xmp.as_deref().unwrap_or(""));
    if part.as_deref() != Some("2") {
        v(
            "6.6.4",
            format!("pdfaid:part is {part:?}, expected 2 (PDF/A-2)"),
        );
    }
    let level = conformance.clone().unwrap_or_else(|| "B".into());
    if !matches!(level.as_str(), "A" | "B" | "U") {
        v(
            "6.6.4",
            format!("pdfaid:conformance is {level:?}, expected A, B or U"),
        );
    }
    if let Some(xmp) = &xmp {
        extension_schemas(xmp, &mut v);
        info_matches_xmp(&doc, xmp, &mut v);
    }
    let profile_space = output_intent(&doc, catalog, &mut v);
    limits(&doc, &mut v);
    let unicode = matches!(level.as_str(), "A" | "U");
    pages(&doc, profile_space.as_deref(), unicode, &mut v);
    actions(&doc, catalog, &mut v);
    if level == "A" {
        structure(&doc, catalog, &mut v);
    }
    r.part = part;
    r.conformance = conformance;
    Ok(r)
}

type Report<'a> = dyn FnMut(&'static str, String) + 'a;

/// 6.1.2 header, 6.1.3 trailer, 6.1.7 stream dictionaries.
fn file_structure(bytes: &[u8], doc: &Document, v: &mut Report) {
    let header_ok = bytes.len() > 9
        && bytes.starts_with(b"%PDF-1.")
        && (b'0'..=b'7').contains(&bytes[7])
        && matches!(bytes[8], b'\n' | b'\r');
    if !header_ok {
        v(
            "6.1.2",
            "the header is not %PDF-1.n and an end of line".into(),
        );
    } else {
        let rest = &bytes[if bytes[8] == b'\r' && bytes[9] == b'\n' {
            10
        } else {
            9
        }..];
        if !(rest.len() > 5 && rest[0] == b'%' && rest[1..5].iter().all(|&b| b > 127)) {
            v(
                "6.1.2",
                "the header is not followed by % and four bytes above 127".into(),
            );
        }
    }
    match doc.trailer.get(b"ID").and_then(|o| o.as_array()) {
        Ok(ids)
            if ids.len() == 2
                && ids
                    .iter()
                    .all(|i| matches!(i, Object::String(s, _) if !s.is_empty())) => {}
        _ => v("6.1.3", "the trailer has no /ID of two strings".into()),
    }
    if doc.trailer.has(b"Encrypt") {
        v("6.1.3", "the trailer has /Encrypt".into());
    }
    match bytes.windows(5).rposition(|w| w == b"%%EOF") {
        Some(at) if bytes[at + 5..].iter().all(|b| matches!(b, b'\r' | b'\n')) => {}
        Some(_) => v("6.1.3", "data follows the last %%EOF".into()),
        None => v("6.1.3", "no %%EOF".into()),
    }
    for (id, obj) in &doc.objects {
        if let Object::Stream(s) = obj {
            for key in [b"F".as_slice(), b"FFilter", b"FDecodeParms"] {
                if s.dict.has(key) {
                    v(
                        "6.1.7.1",
                        format!("stream {id:?} has /{}", String::from_utf8_lossy(key)),
                    );
                }
            }
            let filters: Vec<&[u8]> = match s.dict.get(b"Filter") {
                Ok(Object::Name(n)) => vec![n.as_slice()],
                Ok(Object::Array(a)) => a.iter().filter_map(|f| f.as_name().ok()).collect(),
                _ => Vec::new(),
            };
            if filters.iter().any(|f| *f == b"LZWDecode" || *f == b"Crypt") {
                v("6.1.7.2", format!("stream {id:?} uses LZWDecode or Crypt"));
            }
        }
    }
}

/// 6.1.13: the limits of ISO 32000-1 Annex C a conforming file stays within.
fn limits(doc: &Document, v: &mut Report) {
    fn walk(o: &Object, v: &mut Report, depth: usize) {
        if depth > 64 {
            return;
        }
        match o {
            Object::Integer(i) if *i > i32::MAX as i64 || *i < i32::MIN as i64 => {
                v("6.1.13", format!("integer {i} out of range"))
            }
            Object::Real(r) if !r.is_finite() => v("6.1.13", format!("real {r} out of range")),
            Object::Name(n) if n.len() > 127 => v("6.1.13", "a name longer than 127 bytes".into()),
            Object::String(s, _) if s.len() > 32767 => {
                v("6.1.13", "a string longer than 32767 bytes".into())
            }
            Object::Array(a) => a.iter().for_each(|o| walk(o, v, depth + 1)),
            Object::Dictionary(d) => dict_walk(d, v, depth),
            Object::Stream(s) => dict_walk(&s.dict, v, depth),
            _ => {}
        }
    }
    fn dict_walk(d: &Dictionary, v: &mut Report, depth: usize) {
        for (k, o) in d.iter() {
            if k.len() > 127 {
                v("6.1.13", "a name longer than 127 bytes".into());
            }
            walk(o, v, depth + 1);
        }
    }
    if doc.objects.len() > 8_388_607 {
        v("6.1.13", "more than 8388607 indirect objects".into());
    }
    for o in doc.objects.values() {
        walk(o, v, 0);
    }
}

/// 6.2.3: one `GTS_PDFA1` output intent (all intents with a profile sharing it) whose profile
/// is an ICC profile of version 2 or 4 with as many components as `/N` says. Returns the
/// profile's colour space (`RGB `, `CMYK`, `GRAY`).
fn output_intent(doc: &Document, catalog: &Dictionary, v: &mut Report) -> Option<String> {
    let intents = match catalog
        .get_deref(b"OutputIntents", doc)
        .and_then(|o| o.as_array())
    {
        Ok(a) => a.clone(),
        Err(_) => {
            v("6.2.3", "the catalog has no /OutputIntents".into());
            return None;
        }
    };
    let mut profiles: Vec<ObjectId> = Vec::new();
    let mut space = None;
    let mut pdfa = false;
    for intent in &intents {
        let Some(d) = doc
            .dereference(intent)
            .ok()
            .and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        if let Ok(id) = d.get(b"DestOutputProfile").and_then(|o| o.as_reference()) {
            if !profiles.contains(&id) {
                profiles.push(id);
            }
        }
        if d.get(b"S").and_then(|o| o.as_name()).ok() != Some(b"GTS_PDFA1") {
            continue;
        }
        pdfa = true;
        let Ok(id) = d.get(b"DestOutputProfile").and_then(|o| o.as_reference()) else {
            v(
                "6.2.3",
                "the GTS_PDFA1 output intent has no /DestOutputProfile".into(),
            );
            continue;
        };
        let Ok(stream) = doc.get_object(id).and_then(|o| o.as_stream()) else {
            v("6.2.3", "the /DestOutputProfile is not a stream".into());
            continue;
        };
        let icc = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        if icc.len() < 128 || &icc[36..40] != b"acsp" {
            v("6.2.3", "the output profile is not an ICC profile".into());
            continue;
        }
        if !matches!(icc[8], 2 | 4) {
            v(
                "6.2.3",
                format!(
                    "the output profile is ICC version {}, expected 2 or 4",
                    icc[8]
                ),
            );
        }
        let cs = String::from_utf8_lossy(&icc[16..20]).into_owned();
        let components = match cs.as_str() {
            "RGB " => 3,
            "CMYK" => 4,
            "GRAY" => 1,
            _ => 0,
        };
        if !matches!(&icc[12..16], b"prtr" | b"mntr") {
            v(
                "6.2.3",
                format!(
                    "the output profile's class is {:?}, expected an output (prtr) or monitor (mntr) profile",
                    String::from_utf8_lossy(&icc[12..16])
                ),
            );
        }
        if stream.dict.get(b"N").and_then(|o| o.as_i64()).ok() != Some(components) {
            v(
                "6.2.3",
                format!(
                    "the output profile's /N does not give the {components} components of {cs:?}"
                ),
            );
        }
        space = Some(cs);
    }
    if !pdfa {
        v("6.2.3", "no output intent with /S /GTS_PDFA1".into());
    }
    if profiles.len() > 1 {
        v(
            "6.2.3",
            "output intents with different destination profiles".into(),
        );
    }
    space
}

/// Page by page: device colour against the output intent (6.2.4.3), fonts (6.2.11), text mapped
/// to Unicode for levels a and u (6.2.11.7), annotations (6.3), graphics states (6.2.5),
/// transparency groups (6.2.10).
fn pages(doc: &Document, profile: Option<&str>, unicode: bool, v: &mut Report) {
    let mut fonts_seen: HashSet<ObjectId> = HashSet::new();
    for (n, page_id) in doc.get_pages() {
        let content = doc.get_page_content(page_id);
        let Ok(content) = Content::decode(&content) else {
            v(
                "6.2.2",
                format!("page {n}: the content stream does not parse"),
            );
            continue;
        };
        let fonts = doc.get_page_fonts(page_id).unwrap_or_default();
        let decoders: HashMap<Vec<u8>, FontDecoder> = fonts
            .iter()
            .map(|(name, d)| (name.clone(), FontDecoder::new(doc, d)))
            .collect();
        let mut rgb = false;
        let mut cmyk = false;
        let mut font: Option<&FontDecoder> = None;
        let mut font_name = Vec::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "rg" | "RG" => rgb = true,
                "k" | "K" => cmyk = true,
                "Tf" => {
                    font_name = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(<[u8]>::to_vec)
                        .unwrap_or_default();
                    font = decoders.get(&font_name);
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    let Some(dec) = font else { continue };
                    if dec.two_byte
                        && shown_strings(op)
                            .iter()
                            .any(|s| s.chunks(2).any(|c| c == [0, 0]))
                    {
                        v(
                            "6.2.11.8",
                            format!(
                                "page {n}: font {} shows the .notdef glyph (CID 0)",
                                String::from_utf8_lossy(&font_name)
                            ),
                        );
                    }
                    if !unicode {
                        continue;
                    }
                    for s in shown_strings(op) {
                        for (text, _) in dec.decode(s) {
                            if text.is_empty()
                                || text.chars().any(|c| {
                                    matches!(c, '\u{0}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFD}')
                                })
                            {
                                v(
                                    "6.2.11.7",
                                    format!(
                                        "page {n}: a glyph of font {} has no Unicode value",
                                        String::from_utf8_lossy(&font_name)
                                    ),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if rgb && profile != Some("RGB ") {
            v(
                "6.2.4.3",
                format!("page {n}: DeviceRGB colour without an RGB output intent"),
            );
        }
        if cmyk && profile != Some("CMYK") {
            v(
                "6.2.4.3",
                format!("page {n}: DeviceCMYK colour without a CMYK output intent"),
            );
        }
        let resources = fonts_of_page(doc, page_id);
        for (name, id) in resources {
            if fonts_seen.insert(id) {
                if let Ok(d) = doc.get_dictionary(id) {
                    font_rules(doc, &name, d, unicode, v);
                }
            }
        }
        if let Ok(page) = doc.get_dictionary(page_id) {
            annotations(doc, n, page, v);
            if let Ok(group) = page.get_deref(b"Group", doc).and_then(|o| o.as_dict()) {
                if group.get(b"S").and_then(|o| o.as_name()).ok() == Some(b"Transparency")
                    && !group.has(b"CS")
                    && profile.is_none()
                {
                    v(
                        "6.2.10",
                        format!("page {n}: a transparency group with no colour space and no output intent"),
                    );
                }
            }
            if page.has(b"PresSteps") {
                v("6.10", format!("page {n}: /PresSteps"));
            }
        }
    }
    for (id, o) in &doc.objects {
        let Ok(d) = o.as_dict() else { continue };
        if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"ExtGState") {
            if d.has(b"TR") || d.has(b"HTP") {
                v("6.2.5", format!("graphics state {id:?} has /TR or /HTP"));
            }
            if d.get(b"TR2")
                .and_then(|t| t.as_name())
                .is_ok_and(|n| n != b"Default")
            {
                v(
                    "6.2.5",
                    format!("graphics state {id:?} has /TR2 other than /Default"),
                );
            }
        }
    }
}

fn shown_strings(op: &lopdf::content::Operation) -> Vec<&[u8]> {
    let mut out = Vec::new();
    for o in &op.operands {
        match o {
            Object::String(s, _) => out.push(s.as_slice()),
            Object::Array(a) => {
                for i in a {
                    if let Object::String(s, _) = i {
                        out.push(s.as_slice());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The page's font resources: resource name → font object.
fn fonts_of_page(doc: &Document, page_id: ObjectId) -> Vec<(String, ObjectId)> {
    crate::font_references(doc, page_id)
        .into_iter()
        .map(|(n, id)| (String::from_utf8_lossy(&n).into_owned(), id))
        .collect()
}

/// 6.2.11.4.1 embedded, 6.2.11.3.2 CIDToGIDMap, 6.2.11.5 widths equal to the font program's,
/// 6.2.11.7 ToUnicode.
fn font_rules(doc: &Document, name: &str, font: &Dictionary, unicode: bool, v: &mut Report) {
    let composite = font.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"Type0");
    let descendant = if composite {
        font.get_deref(b"DescendantFonts", doc)
            .ok()
            .and_then(|d| d.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|d| doc.dereference(d).ok())
            .and_then(|(_, d)| d.as_dict().ok())
    } else {
        Some(font)
    };
    let Some(program_font) = descendant else {
        v("6.2.11.3", format!("font {name}: no descendant font"));
        return;
    };
    let descriptor = program_font
        .get_deref(b"FontDescriptor", doc)
        .and_then(|o| o.as_dict())
        .ok();
    let file = descriptor.and_then(|d| {
        [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .find_map(|k| d.get_deref(k, doc).and_then(|o| o.as_stream()).ok())
    });
    let Some(file) = file else {
        v(
            "6.2.11.4.1",
            format!("font {name}: the font program is not embedded"),
        );
        return;
    };
    if unicode && !font.has(b"ToUnicode") {
        v("6.2.11.7", format!("font {name}: no /ToUnicode"));
    }
    let cid_type2 =
        program_font.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"CIDFontType2");
    if !cid_type2 {
        return;
    }
    let identity = match program_font.get(b"CIDToGIDMap") {
        Ok(Object::Name(n)) => n == b"Identity",
        Ok(_) => false,
        Err(_) => {
            v(
                "6.2.11.3.2",
                format!("font {name}: a CIDFontType2 without /CIDToGIDMap"),
            );
            return;
        }
    };
    if !identity {
        // A CIDToGIDMap stream: the widths check below reads CIDs as glyph ids.
        return;
    }
    let data = file
        .decompressed_content()
        .unwrap_or_else(|_| file.content.clone());
    let Ok(face) = ttf_parser::Face::parse(&data, 0) else {
        v(
            "6.2.11.4.1",
            format!("font {name}: the embedded font program does not parse"),
        );
        return;
    };
    let upem = face.units_per_em() as f32;
    let mut widths = HashMap::new();
    if let Ok(w) = program_font.get_deref(b"W", doc).and_then(|o| o.as_array()) {
        crate::parse_cid_widths(doc, w, &mut widths);
    }
    let default = program_font
        .get(b"DW")
        .and_then(|o| o.as_float())
        .unwrap_or(1000.0);
    let mut wrong = 0;
    let mut example = None;
    for gid in 0..face.number_of_glyphs() {
        let Some(adv) = face.glyph_hor_advance(ttf_parser::GlyphId(gid)) else {
            continue;
        };
        let program = adv as f32 * 1000.0 / upem;
        let declared = widths.get(&(gid as u32)).copied().unwrap_or(default);
        // veraPDF's tolerance: one unit in 1/1000 em.
        if (program - declared).abs() > 1.0 {
            wrong += 1;
            example.get_or_insert((gid, declared, program));
        }
    }
    if let Some((gid, declared, program)) = example {
        v(
            "6.2.11.5",
            format!(
                "font {name}: {wrong} glyph widths differ from the font program (glyph {gid}: /W {declared}, program {program:.1})"
            ),
        );
    }
}

/// 6.3.1 annotation types, 6.3.2 flags (printed, never hidden).
fn annotations(doc: &Document, n: u32, page: &Dictionary, v: &mut Report) {
    for (d, subtype) in crate::annotation_dicts(doc, page) {
        if matches!(
            subtype.as_str(),
            "3D" | "Sound" | "Screen" | "Movie" | "RichMedia"
        ) {
            v("6.3.1", format!("page {n}: a {subtype} annotation"));
        }
        if subtype == "Popup" {
            continue;
        }
        match d.get(b"F").and_then(|o| o.as_i64()) {
            Ok(f) if f & 4 != 0 && f & (1 | 2 | 32 | 256) == 0 => {}
            Ok(f) => v(
                "6.3.2",
                format!("page {n}: a {subtype} annotation's /F is {f}: not printed, or hidden"),
            ),
            Err(_) => v(
                "6.3.2",
                format!("page {n}: a {subtype} annotation has no /F"),
            ),
        }
        let rect: Vec<f32> = d
            .get(b"Rect")
            .and_then(|o| o.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_float().ok()).collect())
            .unwrap_or_default();
        let empty_rect = rect.len() == 4 && rect[0] == rect[2] && rect[1] == rect[3];
        if !d.has(b"AP") && subtype != "Link" && !empty_rect {
            v(
                "6.3.3",
                format!("page {n}: a {subtype} annotation without an appearance"),
            );
        }
        if let Ok(ap) = d.get_deref(b"AP", doc).and_then(|o| o.as_dict()) {
            if ap.len() != 1 || !ap.has(b"N") {
                v(
                    "6.3.3",
                    format!("page {n}: an appearance dictionary with more than /N"),
                );
            }
        }
        if d.has(b"AA") {
            v("6.5.2", format!("page {n}: an annotation with /AA"));
        }
        if let Ok(a) = d.get_deref(b"A", doc).and_then(|o| o.as_dict()) {
            action(a, v);
        }
    }
}

/// 6.5.1 action types, 6.5.2 no additional actions; no JavaScript (6.5.1), no AcroForm that
/// asks viewers to make appearances (6.4.1), no alternate presentations (6.10).
fn actions(doc: &Document, catalog: &Dictionary, v: &mut Report) {
    if catalog.has(b"AA") {
        v("6.5.2", "the catalog has /AA".into());
    }
    if let Ok(a) = catalog
        .get_deref(b"OpenAction", doc)
        .and_then(|o| o.as_dict())
    {
        action(a, v);
    }
    if let Ok(names) = catalog.get_deref(b"Names", doc).and_then(|o| o.as_dict()) {
        if names.has(b"JavaScript") {
            v("6.5.1", "the name dictionary has /JavaScript".into());
        }
        if names.has(b"AlternatePresentations") {
            v(
                "6.10",
                "the name dictionary has /AlternatePresentations".into(),
            );
        }
    }
    if let Ok(form) = catalog
        .get_deref(b"AcroForm", doc)
        .and_then(|o| o.as_dict())
    {
        if form.get(b"NeedAppearances").and_then(|o| o.as_bool()).ok() == Some(true) {
            v("6.4.1", "/NeedAppearances true".into());
        }
    }
    for (_, page_id) in doc.get_pages() {
        if doc.get_dictionary(page_id).is_ok_and(|p| p.has(b"AA")) {
            v("6.5.2", "a page has /AA".into());
        }
    }
    // Outline items' actions.
    for o in doc.objects.values() {
        if let Ok(d) = o.as_dict() {
            if d.has(b"Title") && (d.has(b"Parent") || d.has(b"Dest")) {
                if let Ok(a) = d.get_deref(b"A", doc).and_then(|o| o.as_dict()) {
                    action(a, v);
                }
            }
        }
    }
}

fn action(a: &Dictionary, v: &mut Report) {
    let s = crate::name_text(a, b"S");
    if matches!(
        s.as_str(),
        "Launch"
            | "Sound"
            | "Movie"
            | "ResetForm"
            | "ImportData"
            | "Hide"
            | "SetOCGState"
            | "Rendition"
            | "Trans"
            | "GoTo3DView"
            | "JavaScript"
    ) {
        v("6.5.1", format!("a {s} action"));
    }
    if s == "Named" {
        let n = a.get(b"N").and_then(|o| o.as_name()).unwrap_or(b"");
        if !matches!(n, b"NextPage" | b"PrevPage" | b"FirstPage" | b"LastPage") {
            v(
                "6.5.1",
                format!("a Named action {}", String::from_utf8_lossy(n)),
            );
        }
    }
}

/// 6.6.2.1: the catalog's `/Metadata` is an XMP stream (`/Type /Metadata /Subtype /XML`) with
/// an `xpacket` wrapper; returns its text.
fn metadata(doc: &Document, catalog: &Dictionary, v: &mut Report) -> Option<String> {
    let Ok(stream) = catalog
        .get_deref(b"Metadata", doc)
        .and_then(|o| o.as_stream())
    else {
        v("6.6.2.1", "the catalog has no /Metadata stream".into());
        return None;
    };
    if stream.dict.get(b"Type").and_then(|o| o.as_name()).ok() != Some(b"Metadata")
        || stream.dict.get(b"Subtype").and_then(|o| o.as_name()).ok() != Some(b"XML")
    {
        v(
            "6.6.2.1",
            "/Metadata is not /Type /Metadata /Subtype /XML".into(),
        );
    }
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let Ok(text) = String::from_utf8(data) else {
        v("6.6.2.1", "the XMP packet is not UTF-8".into());
        return None;
    };
    if !text.contains("<?xpacket begin=") || !text.contains("<?xpacket end=") {
        v(
            "6.6.2.1",
            "the XMP has no xpacket header and trailer".into(),
        );
    }
    Some(text)
}

/// The text of the first `<prefix:name>…</prefix:name>` element, or of its attribute form.
fn xmp_value(xmp: &str, qname: &str) -> Option<String> {
    let open = format!("<{qname}>");
    if let Some(at) = xmp.find(&open) {
        let rest = &xmp[at + open.len()..];
        let end = rest.find(&format!("</{qname}>"))?;
        return Some(rest[..end].trim().to_string());
    }
    let attr = format!("{qname}=\"");
    let at = xmp.find(&attr)?;
    let rest = &xmp[at + attr.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The text of an `rdf:Alt`/`rdf:Seq` property's first item (`dc:title`'s x-default).
fn xmp_first_item(xmp: &str, qname: &str) -> Option<String> {
    let inner = xmp_value(xmp, qname)?;
    let li = inner.find("<rdf:li")?;
    let rest = &inner[li..];
    let start = rest.find('>')? + 1;
    let end = rest.find("</rdf:li>")?;
    Some(unescape(&rest[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn identification(xmp: &str) -> (Option<String>, Option<String>) {
    (
        xmp_value(xmp, "pdfaid:part"),
        xmp_value(xmp, "pdfaid:conformance"),
    )
}

/// 6.6.2.3.1: a property outside the schemas PDF/A predefines needs an extension schema. Of
/// those, hakusho writes `pdfuaid`.
fn extension_schemas(xmp: &str, v: &mut Report) {
    if xmp.contains("<pdfuaid:") || xmp.contains("pdfuaid:part=") {
        let described = xmp.contains(
            "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>",
        ) && xmp.contains("<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>")
            && xmp.contains("<pdfaProperty:name>part</pdfaProperty:name>");
        if !described {
            v(
                "6.6.2.3.1",
                "pdfuaid:part is used without a PDF/A extension schema describing it".into(),
            );
        }
    }
}

/// 6.6.3: each `/Info` entry equal to its XMP counterpart.
fn info_matches_xmp(doc: &Document, xmp: &str, v: &mut Report) {
    let Some(info) = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return;
    };
    let pairs: [(&[u8], &str, bool); 7] = [
        (b"Title", "dc:title", true),
        (b"Author", "dc:creator", true),
        (b"Subject", "dc:description", true),
        (b"Keywords", "pdf:Keywords", false),
        (b"Creator", "xmp:CreatorTool", false),
        (b"Producer", "pdf:Producer", false),
        (b"CreationDate", "xmp:CreateDate", false),
    ];
    for (key, prop, list) in pairs {
        let Ok(o) = info.get(key) else { continue };
        let name = String::from_utf8_lossy(key);
        let in_info = text_string(doc, o).unwrap_or_default();
        let in_xmp = if list {
            xmp_first_item(xmp, prop)
        } else {
            xmp_value(xmp, prop).map(|s| unescape(&s))
        };
        match in_xmp {
            None => v(
                "6.6.3",
                format!("/Info /{name} ({in_info:?}) has no {prop} in the XMP"),
            ),
            // Dates are written differently in the two; only their presence is checked.
            Some(_) if key == b"CreationDate" => {}
            Some(x) if x != in_info => v(
                "6.6.3",
                format!("/Info /{name} is {in_info:?} but {prop} in the XMP is {x:?}"),
            ),
            Some(_) => {}
        }
    }
    if info.has(b"ModDate") && xmp_value(xmp, "xmp:ModifyDate").is_none() {
        v(
            "6.6.3",
            "/Info /ModDate has no xmp:ModifyDate in the XMP".into(),
        );
    }
}

/// 6.7 (level a): a tagged file: `/MarkInfo /Marked true` and a structure tree.
fn structure(doc: &Document, catalog: &Dictionary, v: &mut Report) {
    let marked = catalog
        .get_deref(b"MarkInfo", doc)
        .and_then(|o| o.as_dict())
        .and_then(|m| m.get(b"Marked"))
        .and_then(|o| o.as_bool())
        .ok()
        == Some(true);
    if !marked {
        v("6.7.2.2", "level a without /MarkInfo /Marked true".into());
    }
    if !catalog.has(b"StructTreeRoot") {
        v("6.7.3.3", "level a without a structure tree".into());
    }
    if !catalog.has(b"Lang") {
        v("6.7.3.4", "level a without the document's /Lang".into());
    }
}
