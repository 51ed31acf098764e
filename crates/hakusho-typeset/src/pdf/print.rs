//! The print profile (入稿用 PDF): what the print file has that the screen file has not, in
//! one place — inks instead of screen RGB, the bleed, the crop marks (トンボ), the page boxes,
//! and the PDF/X-1a:2003 identification (output intent, /Info keys, XMP).
//!
//! The page content is the screen layout, drawn once more with the inks of its colours and
//! shifted into the trim box: the media is the trim plus the bleed plus room for the marks.
//! PDF/X-1a:2003 (ISO 15930-4) is the standard met: it is PDF 1.4 (no object or xref
//! streams, no transparency), colour in DeviceCMYK, DeviceGray and Separation only, every
//! font embedded, TrimBox and BleedBox on every page, /Trapped given, and an output intent
//! that may name a registered printing condition (Japan Color 2001 Coated, `JC200103` in the
//! ICC registry) without embedding its profile — none is free to ship. PDF/X-4 would need the
//! profile embedded.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{DictItem, Op, Pt};

use crate::page::{Color, Ink, LaidOutDocument};
use crate::style::MM;

/// How long a crop mark reaches out beyond the bleed.
const MARK_REACH: f32 = 10.0 * MM;
/// Room kept around the marks on the media.
const MARK_ROOM: f32 = 3.0 * MM;
/// Width of the marks: thin enough to be cut away cleanly, visible on every plate.
const MARK_WIDTH: f32 = 0.2;

/// Resource names of the two Separation colour spaces.
const SPOT_RESOURCE: &str = "HKSpot";
const REGISTRATION_RESOURCE: &str = "HKReg";

/// The spot colour of two-colour printing: its name (the plate) and its CMYK look (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct SpotInk {
    pub name: String,
    pub cmyk: [f32; 4],
}

/// What makes the print file: bleed, marks, the spot colour, the date it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSetup {
    /// Bleed (塗り足し) in points on each side of the trim.
    pub bleed: f32,
    /// Whether crop marks are drawn (the boxes are always there).
    pub marks: bool,
    pub spot: Option<SpotInk>,
    /// Creation date, seconds since 1970 (UTC): PDF/X requires one in /Info; given by the
    /// caller so that the same inputs give the same bytes.
    pub date: i64,
}

impl PrintSetup {
    /// Distance from the media's edge to the trim.
    pub fn margin(&self) -> f32 {
        if self.marks {
            self.bleed + MARK_REACH + MARK_ROOM
        } else {
            self.bleed
        }
    }
}

/// Sets the fill (`stroke` false) or stroke colour to `c`'s ink.
pub(super) fn color_ops(c: Color, stroke: bool, ops: &mut Vec<Op>) {
    let op = |key: &str, values: Vec<f32>| Op::Unknown {
        key: key.into(),
        value: values.into_iter().map(DictItem::Real).collect(),
    };
    let (gray, cmyk, space, tint) = if stroke {
        ("G", "K", "CS", "SC")
    } else {
        ("g", "k", "cs", "sc")
    };
    match c.ink {
        // DeviceGray is lightness: 1 − black.
        Ink::Gray(k) => ops.push(op(gray, vec![1.0 - k.clamp(0.0, 1.0)])),
        Ink::Cmyk(v) => ops.push(op(cmyk, v.map(|x| x.clamp(0.0, 1.0)).to_vec())),
        Ink::Spot(t) => {
            ops.push(Op::Unknown {
                key: space.into(),
                value: vec![DictItem::Name(SPOT_RESOURCE.as_bytes().to_vec())],
            });
            ops.push(op(tint, vec![t.clamp(0.0, 1.0)]));
        }
    }
}

/// A fill that touches or crosses the trim (layout coordinates: y down, page `w` × `h`) is
/// extended by the bleed on that side, so a slight miscut leaves no white edge.
pub(super) fn bleed_rect(
    (x, y, width, height): (f32, f32, f32, f32),
    (w, h): (f32, f32),
    bleed: f32,
) -> (f32, f32, f32, f32) {
    const TOUCH: f32 = 0.01;
    let (mut x0, mut y0, mut x1, mut y1) = (x, y, x + width, y + height);
    if x0 <= TOUCH {
        x0 = x0.min(0.0) - bleed;
    }
    if y0 <= TOUCH {
        y0 = y0.min(0.0) - bleed;
    }
    if x1 >= w - TOUCH {
        x1 = x1.max(w) + bleed;
    }
    if y1 >= h - TOUCH {
        y1 = y1.max(h) + bleed;
    }
    (x0, y0, x1 - x0, y1 - y0)
}

/// A horizontal or vertical rule that reaches the trim is drawn on into the bleed.
pub(super) fn bleed_line(
    (x1, y1, x2, y2): (f32, f32, f32, f32),
    (w, h): (f32, f32),
    bleed: f32,
) -> (f32, f32, f32, f32) {
    const TOUCH: f32 = 0.01;
    let out = |v: f32, size: f32| {
        if v <= TOUCH {
            v.min(0.0) - bleed
        } else if v >= size - TOUCH {
            v.max(size) + bleed
        } else {
            v
        }
    };
    if y1 == y2 {
        (out(x1, w), y1, out(x2, w), y2)
    } else if x1 == x2 {
        (x1, out(y1, h), x2, out(y2, h))
    } else {
        (x1, y1, x2, y2)
    }
}

/// The crop marks of a page whose trim is `w` × `h` at (`m`, `m`) of the media (PDF
/// coordinates, y up), in registration colour (the print file is untagged: no artifact).
///
/// Corners are Japanese トンボ: at each corner the trim line and the bleed line of both
/// edges, each running outwards from where the other edge's bleed ends, so the pair shows
/// both the cut and the bleed. Centre marks (センタートンボ) are a cross outside the bleed at
/// the middle of each side.
pub(super) fn mark_ops(w: f32, h: f32, setup: &PrintSetup) -> Vec<Op> {
    let m = setup.margin();
    let b = setup.bleed;
    let reach = b + MARK_REACH;
    let mut segments: Vec<[f32; 4]> = Vec::new();
    // Corners, written for the bottom-left one and mirrored: (sx, sy) point away from the page.
    for (cx, cy, sx, sy) in [
        (0.0, 0.0, -1.0, -1.0),
        (w, 0.0, 1.0, -1.0),
        (0.0, h, -1.0, 1.0),
        (w, h, 1.0, 1.0),
    ] {
        // Horizontal lines: the trim line stops at the bleed, the bleed line at the trim.
        segments.push([cx + sx * b, cy, cx + sx * reach, cy]);
        segments.push([cx, cy + sy * b, cx + sx * reach, cy + sy * b]);
        // Vertical lines, the same way round.
        segments.push([cx, cy + sy * b, cx, cy + sy * reach]);
        segments.push([cx + sx * b, cy, cx + sx * b, cy + sy * reach]);
    }
    // Centre marks: a line out from the bleed and a cross bar across its middle.
    let bar = MARK_REACH / 2.0;
    let mid = b + MARK_REACH / 2.0;
    for (cx, cy, sx, sy) in [
        (w / 2.0, 0.0, 0.0, -1.0),
        (w / 2.0, h, 0.0, 1.0),
        (0.0, h / 2.0, -1.0, 0.0),
        (w, h / 2.0, 1.0, 0.0),
    ] {
        segments.push([cx + sx * b, cy + sy * b, cx + sx * reach, cy + sy * reach]);
        // The bar runs across the line (sy != 0: horizontal bar).
        let (bx, by) = (cx + sx * mid, cy + sy * mid);
        if sy != 0.0 {
            segments.push([bx - bar / 2.0, by, bx + bar / 2.0, by]);
        } else {
            segments.push([bx, by - bar / 2.0, bx, by + bar / 2.0]);
        }
    }
    let real = |v: f32| DictItem::Real(v + m);
    let mut ops = vec![Op::SaveGraphicsState];
    ops.push(Op::SetOutlineThickness { pt: Pt(MARK_WIDTH) });
    ops.push(Op::Unknown {
        key: "CS".into(),
        value: vec![DictItem::Name(REGISTRATION_RESOURCE.as_bytes().to_vec())],
    });
    ops.push(Op::Unknown {
        key: "SC".into(),
        value: vec![DictItem::Real(1.0)],
    });
    for [x1, y1, x2, y2] in segments {
        ops.push(Op::Unknown {
            key: "m".into(),
            value: vec![real(x1), real(y1)],
        });
        ops.push(Op::Unknown {
            key: "l".into(),
            value: vec![real(x2), real(y2)],
        });
    }
    ops.push(Op::Unknown {
        key: "S".into(),
        value: Vec::new(),
    });
    ops.push(Op::RestoreGraphicsState);
    ops
}

/// The ops that put the page's content into the trim box (`cm` moves everything drawn after).
pub(super) fn shift_ops(setup: &PrintSetup) -> Op {
    let m = setup.margin();
    Op::Unknown {
        key: "cm".into(),
        value: [1.0, 0.0, 0.0, 1.0, m, m]
            .into_iter()
            .map(DictItem::Real)
            .collect(),
    }
}

/// A Separation colour space: `name`'s plate, looking like `cmyk` at full tint.
fn separation(name: &str, cmyk: [f32; 4]) -> Object {
    let mut f = Dictionary::new();
    f.set("FunctionType", Object::Integer(2));
    f.set(
        "Domain",
        Object::Array(vec![Object::Real(0.0), Object::Real(1.0)]),
    );
    f.set("C0", Object::Array(vec![Object::Real(0.0); 4]));
    f.set(
        "C1",
        Object::Array(cmyk.iter().map(|v| Object::Real(*v)).collect()),
    );
    f.set("N", Object::Integer(1));
    Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(name.as_bytes().to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Dictionary(f),
    ])
}

fn rect(v: [f32; 4]) -> Object {
    Object::Array(v.iter().map(|x| Object::Real(*x)).collect())
}

/// `D:YYYYMMDDHHmmSSZ` and the XMP form `YYYY-MM-DDTHH:mm:SSZ` of `secs` (UTC).
fn dates(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hh, mm, ss) = (rem / 3600, rem / 60 % 60, rem % 60);
    (
        format!("D:{year:04}{month:02}{day:02}{hh:02}{mm:02}{ss:02}Z"),
        format!("{year:04}-{month:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}Z"),
    )
}

/// PDF/X-1a:2003 identification, in /Info and XMP alike.
const PDFX_VERSION: &str = "PDF/X-1:2003";
const PDFX_CONFORMANCE: &str = "PDF/X-1a:2003";

/// Turns the written document into the print file: page boxes, the colour spaces the content
/// names, PDF 1.4, /Info with the PDF/X keys, the output intent and the XMP packet.
pub(super) fn finish(
    lo: &mut lopdf::Document,
    doc: &LaidOutDocument,
    setup: &PrintSetup,
    page_ids: &[ObjectId],
) {
    lo.version = "1.4".into();
    let m = setup.margin();
    let b = setup.bleed;
    let mut spaces = Dictionary::new();
    spaces.set(
        REGISTRATION_RESOURCE,
        Object::Reference(lo.add_object(separation("All", [1.0; 4]))),
    );
    if let Some(spot) = &setup.spot {
        spaces.set(
            SPOT_RESOURCE,
            Object::Reference(lo.add_object(separation(&spot.name, spot.cmyk))),
        );
    }
    let spaces = lo.add_object(spaces);
    for (i, &pid) in page_ids.iter().enumerate() {
        let Some(page) = doc.pages.get(i) else {
            continue;
        };
        let (w, h) = (page.width, page.height);
        let resources = lo
            .get_dictionary(pid)
            .ok()
            .and_then(|d| d.get(b"Resources").ok())
            .and_then(|r| r.as_reference().ok());
        if let Some(r) = resources.and_then(|r| lo.get_dictionary_mut(r).ok()) {
            r.set("ColorSpace", Object::Reference(spaces));
        }
        if let Ok(d) = lo.get_dictionary_mut(pid) {
            d.set("MediaBox", rect([0.0, 0.0, w + 2.0 * m, h + 2.0 * m]));
            d.remove(b"CropBox");
            d.set("BleedBox", rect([m - b, m - b, m + w + b, m + h + b]));
            d.set("TrimBox", rect([m, m, m + w, m + h]));
        }
    }
    let (pdf_date, xmp_date) = dates(setup.date);
    let ascii = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    if let Ok(Object::Reference(info)) = lo.trailer.get(b"Info").cloned() {
        if let Ok(d) = lo.get_dictionary_mut(info) {
            d.set("GTS_PDFXVersion", ascii(PDFX_VERSION));
            d.set("GTS_PDFXConformance", ascii(PDFX_CONFORMANCE));
            d.set("Trapped", Object::Name(b"False".to_vec()));
            d.set("CreationDate", ascii(&pdf_date));
            d.set("ModDate", ascii(&pdf_date));
        }
    }
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFX".to_vec()));
    intent.set("OutputConditionIdentifier", ascii("JC200103"));
    intent.set("OutputCondition", ascii("Japan Color 2001 Coated"));
    intent.set("RegistryName", ascii("http://www.color.org"));
    intent.set(
        "Info",
        ascii("Japan Color 2001 Coated (ISO 12647-2:2004, coated paper)"),
    );
    let metadata = lo.add_object(Object::Stream(xmp(doc, &xmp_date)));
    if let Ok(Object::Reference(root)) = lo.trailer.get(b"Root").cloned() {
        if let Ok(cat) = lo.get_dictionary_mut(root) {
            cat.set(
                "OutputIntents",
                Object::Array(vec![Object::Dictionary(intent)]),
            );
            cat.set("Metadata", Object::Reference(metadata));
        }
    }
}

/// The print file's XMP packet: title, producer, dates and /Trapped as in /Info, and the
/// PDF/X identification (the `pdfx` schema, as the GTS keys of /Info). No PDF/UA claim: the
/// print file is PDF 1.4 and for the press.
fn xmp(doc: &LaidOutDocument, date: &str) -> lopdf::Stream {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let packet = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\"\n\
    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n\
    xmlns:pdfx=\"http://ns.adobe.com/pdfx/1.3/\"\n\
    xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\n\
   <dc:format>application/pdf</dc:format>\n\
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
   <xmp:CreateDate>{date}</xmp:CreateDate>\n\
   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
   <pdf:Producer>hakusho</pdf:Producer>\n\
   <pdf:Trapped>False</pdf:Trapped>\n\
   <pdfx:GTS_PDFXVersion>{PDFX_VERSION}</pdfx:GTS_PDFXVersion>\n\
   <pdfx:GTS_PDFXConformance>{PDFX_CONFORMANCE}</pdfx:GTS_PDFXConformance>\n\
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>\n\
  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>",
        title = esc(&doc.title),
    );
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    lopdf::Stream::new(dict, packet.into_bytes()).with_compression(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(dates(0).0, "D:19700101000000Z");
        // 2021-07-01 09:30:05 UTC
        assert_eq!(
            dates(1_625_131_805),
            ("D:20210701093005Z".into(), "2021-07-01T09:30:05Z".into())
        );
    }

    #[test]
    fn fills_and_rules_at_the_trim_run_into_the_bleed() {
        let page = (100.0, 200.0);
        // a band across the top edge: out by the bleed above and on both sides
        assert_eq!(
            bleed_rect((0.0, 0.0, 100.0, 20.0), page, 3.0),
            (-3.0, -3.0, 106.0, 23.0)
        );
        // inside the page: untouched
        assert_eq!(
            bleed_rect((10.0, 10.0, 20.0, 20.0), page, 3.0),
            (10.0, 10.0, 20.0, 20.0)
        );
        // a rule from edge to edge, and one that stops short of it
        assert_eq!(
            bleed_line((0.0, 50.0, 100.0, 50.0), page, 3.0),
            (-3.0, 50.0, 103.0, 50.0)
        );
        assert_eq!(
            bleed_line((10.0, 50.0, 90.0, 50.0), page, 3.0),
            (10.0, 50.0, 90.0, 50.0)
        );
    }
}
