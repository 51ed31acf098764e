//! Content streams written straight from the printpdf ops [`super::page_ops`] makes — the
//! print file's pages.
//!
//! printpdf turns every op into lopdf operations (an object and an allocation per glyph) and
//! looks up each glyph's width to merge runs; for the print file that was two thirds of its
//! cost, and the print file is the screen file's pages drawn once more in inks. So its pages
//! are encoded here, op by op, into the same operators; printpdf still writes the screen
//! file, and the print file's document and fonts.
//!
//! Only the ops `page_ops` makes are known: any other is refused ([`Unsupported`]) rather
//! than skipped, so a page is never written without part of what it draws.

use printpdf::{DictItem, LinePoint, Op, PaintMode, PdfFontHandle, TextItem, WindingOrder};

/// An op this encoder does not write (a bug: `page_ops` made an op it has not been taught).
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the print file's content encoder has no case for {}",
            self.0
        )
    }
}

/// The content stream of `ops`.
pub(super) fn encode(ops: &[Op]) -> Result<Vec<u8>, Unsupported> {
    let mut out = Vec::with_capacity(64 * ops.len());
    for op in ops {
        match op {
            Op::SaveGraphicsState => out.extend_from_slice(b"q\n"),
            Op::RestoreGraphicsState => out.extend_from_slice(b"Q\n"),
            Op::StartTextSection => out.extend_from_slice(b"BT\n"),
            Op::EndTextSection => out.extend_from_slice(b"ET\n"),
            Op::SetOutlineThickness { pt } => {
                number(&mut out, pt.0);
                out.extend_from_slice(b" w\n");
            }
            Op::SetLineDashPattern { dash } => {
                out.push(b'[');
                for (i, v) in dash.pattern.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    number(&mut out, *v);
                }
                out.extend_from_slice(b"] ");
                number(&mut out, dash.offset);
                out.extend_from_slice(b" d\n");
            }
            Op::DrawRectangle { rectangle } => {
                numbers(
                    &mut out,
                    &[
                        rectangle.x.0,
                        rectangle.y.0,
                        rectangle.width.0,
                        rectangle.height.0,
                    ],
                );
                out.extend_from_slice(b" re\n");
                let fill = match (rectangle.mode, rectangle.winding_order) {
                    (Some(PaintMode::Fill), None | Some(WindingOrder::NonZero)) => "f",
                    (Some(PaintMode::Fill), Some(WindingOrder::EvenOdd)) => "f*",
                    (Some(PaintMode::Stroke), _) => "S",
                    _ => return Err(Unsupported(format!("{op:?}"))),
                };
                out.extend_from_slice(fill.as_bytes());
                out.push(b'\n');
            }
            Op::DrawLine { line } => {
                path(&mut out, &line.points).map_err(|()| Unsupported(format!("{op:?}")))?;
                out.extend_from_slice(if line.is_closed { b"h S\n" } else { b"S\n" });
            }
            Op::DrawPolygon { polygon } => {
                for ring in &polygon.rings {
                    path(&mut out, &ring.points).map_err(|()| Unsupported(format!("{op:?}")))?;
                    out.extend_from_slice(b"h\n");
                }
                let paint = match (polygon.mode, polygon.winding_order) {
                    (PaintMode::Fill, WindingOrder::NonZero) => "f",
                    (PaintMode::Fill, WindingOrder::EvenOdd) => "f*",
                    (PaintMode::Stroke, _) => "S",
                    _ => return Err(Unsupported(format!("{op:?}"))),
                };
                out.extend_from_slice(paint.as_bytes());
                out.push(b'\n');
            }
            Op::SetFont { font, size } => {
                let PdfFontHandle::External(id) = font else {
                    return Err(Unsupported(format!("{op:?}")));
                };
                name(&mut out, id.0.as_bytes());
                out.push(b' ');
                number(&mut out, size.0);
                out.extend_from_slice(b" Tf\n");
            }
            Op::SetTextMatrix { matrix } => {
                numbers(&mut out, &matrix.as_array());
                out.extend_from_slice(b" Tm\n");
            }
            Op::ShowText { items } => {
                out.push(b'[');
                for item in items {
                    match item {
                        TextItem::GlyphIds(glyphs) => {
                            for g in glyphs {
                                // Identity-H: the code is the (subset) glyph id, two bytes.
                                hex_code(&mut out, g.gid);
                                if g.offset != 0.0 {
                                    number(&mut out, g.offset);
                                }
                            }
                        }
                        TextItem::Offset(o) => {
                            out.push(b' ');
                            number(&mut out, *o);
                            out.push(b' ');
                        }
                        TextItem::Text(_) => return Err(Unsupported(format!("{op:?}"))),
                    }
                }
                out.extend_from_slice(b"] TJ\n");
            }
            Op::Unknown { key, value } => {
                for v in value {
                    match v {
                        DictItem::Real(r) => number(&mut out, *r),
                        DictItem::Int(i) => {
                            if *i < 0 {
                                out.push(b'-');
                            }
                            integer(&mut out, i.unsigned_abs());
                        }
                        DictItem::Name(n) => name(&mut out, n),
                        _ => return Err(Unsupported(format!("{op:?}"))),
                    }
                    out.push(b' ');
                }
                out.extend_from_slice(key.as_bytes());
                out.push(b'\n');
            }
            _ => return Err(Unsupported(format!("{op:?}"))),
        }
    }
    Ok(out)
}

/// `m` to the first point and `l` to each next one; curves are not drawn by `page_ops`.
fn path(out: &mut Vec<u8>, points: &[LinePoint]) -> Result<(), ()> {
    for (i, p) in points.iter().enumerate() {
        if p.bezier {
            return Err(());
        }
        numbers(out, &[p.p.x.0, p.p.y.0]);
        out.extend_from_slice(if i == 0 { b" m\n" } else { b" l\n" });
    }
    Ok(())
}

fn numbers(out: &mut Vec<u8>, values: &[f32]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        number(out, *v);
    }
}

/// `v` to a thousandth of a point (a third of a micrometre), without trailing zeros.
fn number(out: &mut Vec<u8>, v: f32) {
    let milli = if v.is_finite() {
        (f64::from(v) * 1000.0).round() as i64
    } else {
        0
    };
    if milli < 0 {
        out.push(b'-');
    }
    let m = milli.unsigned_abs();
    integer(out, m / 1000);
    let mut frac = m % 1000;
    if frac != 0 {
        out.push(b'.');
        // Three digits, trailing zeros dropped.
        let mut digits = 3;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let mut buf = [b'0'; 3];
        for slot in buf[..digits].iter_mut().rev() {
            *slot = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        out.extend_from_slice(&buf[..digits]);
    }
}

fn integer(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        // ISO 32000-1, 7.3.5: delimiters, `#` and bytes outside `!`..`~` are written as #xx.
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

fn hex_code(out: &mut Vec<u8>, code: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'<');
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((code >> shift) & 0xF)]);
    }
    out.push(b'>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::{Codepoint, FontId, Line, Pt, Rect, TextMatrix};

    fn text(ops: &[Op]) -> String {
        String::from_utf8(encode(ops).expect("known ops")).expect("ascii")
    }

    #[test]
    fn numbers_are_written_to_a_thousandth_without_trailing_zeros() {
        let mut out = Vec::new();
        numbers(
            &mut out,
            &[0.0, 12.5, -3.25, 595.2756, 1e-5, -0.0004, 0.05, 1200.007],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 12.5 -3.25 595.276 0 0 0.05 1200.007"
        );
    }

    #[test]
    fn text_is_a_font_a_matrix_and_glyph_codes_with_their_kerns() {
        let ops = vec![
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(FontId("HKSFAA".into())),
                size: Pt(10.5),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(72.0), Pt(700.25)),
            },
            Op::ShowText {
                items: vec![TextItem::GlyphIds(vec![
                    Codepoint {
                        gid: 0x12,
                        offset: -3.5,
                        cid: None,
                    },
                    Codepoint {
                        gid: 0xABCD,
                        offset: 0.0,
                        cid: None,
                    },
                ])],
            },
            Op::EndTextSection,
        ];
        assert_eq!(
            text(&ops),
            "BT\n/HKSFAA 10.5 Tf\n1 0 0 1 72 700.25 Tm\n[<0012>-3.5<ABCD>] TJ\nET\n"
        );
    }

    #[test]
    fn fills_rules_and_ink_operators_are_written_as_given() {
        let pt = |x: f32, y: f32| LinePoint {
            p: printpdf::Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        let ops = vec![
            Op::Unknown {
                key: "cs".into(),
                value: vec![DictItem::Name(b"HKSpot".to_vec())],
            },
            Op::Unknown {
                key: "sc".into(),
                value: vec![DictItem::Real(0.12)],
            },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(0.0),
                    y: Pt(10.0),
                    width: Pt(100.0),
                    height: Pt(20.0),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
            Op::SetOutlineThickness { pt: Pt(0.4) },
            Op::DrawLine {
                line: Line {
                    points: vec![pt(1.0, 2.0), pt(3.0, 4.0)],
                    is_closed: false,
                },
            },
        ];
        assert_eq!(
            text(&ops),
            "/HKSpot cs\n0.12 sc\n0 10 100 20 re\nf\n0.4 w\n1 2 m\n3 4 l\nS\n"
        );
    }

    #[test]
    fn an_op_it_was_not_taught_is_refused_not_skipped() {
        let ops = vec![Op::SaveGraphicsState, Op::AddLineBreak];
        assert!(encode(&ops).is_err());
        let curve = Op::DrawLine {
            line: Line {
                points: vec![LinePoint {
                    p: printpdf::Point {
                        x: Pt(0.0),
                        y: Pt(0.0),
                    },
                    bezier: true,
                }],
                is_closed: false,
            },
        };
        assert!(encode(&[curve]).is_err());
    }
}
