//! Writes the finished lopdf document as PDF 1.7 bytes: streams as plain indirect objects,
//! every other object packed into compressed object streams (ISO 32000-1, 7.5.7), and a
//! compressed cross-reference stream (7.5.8) carrying the trailer.
//!
//! lopdf's own object-stream save clones every object and serializes each three times (twice
//! to find offsets, once to write), in streams of 100 objects; the structure tree of a white
//! paper is thousands of small dictionaries, and that save took 30–50 ms where a plain save
//! took about 1 ms. Here each object is serialized once, into streams large enough to
//! compress well, and the streams are compressed on two threads.

use std::io::Write;

use flate2::write::ZlibEncoder;
use lopdf::{Dictionary, Object, StringFormat};

/// Objects per object stream: large enough that the compressor sees the repetition of the
/// structure elements, small enough that a reader decompresses little to reach one object.
const OBJECTS_PER_STREAM: usize = 500;

/// Where an object is: its byte offset, or its object stream and index in it.
#[derive(Clone, Copy)]
enum Entry {
    Free,
    Direct(usize),
    Packed(u32, u32),
}

/// The PDF bytes of `lo` (streams already compressed as wanted; `level` is the flate level of
/// the object and cross-reference streams).
pub(super) fn save(lo: &lopdf::Document, level: u32) -> Vec<u8> {
    let max_id = lo.objects.keys().map(|&(id, _)| id).max().unwrap_or(0);
    let mut out = Vec::with_capacity(1 << 20);
    // The binary comment marks the file as binary to transfer programs (and PDF/A 6.1.2).
    out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    let mut entries = vec![Entry::Free; max_id as usize + 1];
    let mut packed: Vec<(u32, &Object)> = Vec::new();
    for (&(id, generation), obj) in &lo.objects {
        match obj {
            Object::Stream(_) => {
                entries[id as usize] = Entry::Direct(out.len());
                let _ = writeln!(out, "{id} {generation} obj");
                write_object(&mut out, obj);
                out.extend_from_slice(b"\nendobj\n");
            }
            // Only generation 0 may be packed; the writer never makes another.
            _ if generation == 0 => packed.push((id, obj)),
            _ => {
                entries[id as usize] = Entry::Direct(out.len());
                let _ = writeln!(out, "{id} {generation} obj");
                write_object(&mut out, obj);
                out.extend_from_slice(b"\nendobj\n");
            }
        }
    }
    // Serialize each pack once: its offsets table, then its objects.
    let packs: Vec<(Vec<u8>, usize, usize)> = packed
        .chunks(OBJECTS_PER_STREAM)
        .map(|pack| {
            let mut body = Vec::new();
            let mut table = Vec::new();
            for (id, obj) in pack {
                let _ = write!(table, "{id} {} ", body.len());
                write_object(&mut body, obj);
                body.push(b'\n');
            }
            let first = table.len();
            table.extend_from_slice(&body);
            (table, first, pack.len())
        })
        .collect();
    let compressed = deflate_all(packs.iter().map(|(c, _, _)| c.as_slice()).collect(), level);
    let mut next_id = max_id + 1;
    for (((_, first, n), z), pack) in packs
        .iter()
        .zip(compressed)
        .zip(packed.chunks(OBJECTS_PER_STREAM))
    {
        let stream_id = next_id;
        next_id += 1;
        for (index, (id, _)) in pack.iter().enumerate() {
            entries[*id as usize] = Entry::Packed(stream_id, index as u32);
        }
        entries.push(Entry::Direct(out.len()));
        let _ = writeln!(
            out,
            "{stream_id} 0 obj\n<</Type /ObjStm /N {n} /First {first} /Filter /FlateDecode /Length {}>>stream",
            z.len()
        );
        out.extend_from_slice(&z);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    // The cross-reference stream: type 1 byte, offset or stream number 4 bytes, generation
    // or index 2 bytes.
    let xref_id = next_id;
    let xref_at = out.len();
    entries.push(Entry::Direct(xref_at));
    let mut rows = Vec::with_capacity(entries.len() * 7);
    for (i, e) in entries.iter().enumerate() {
        let (kind, a, b): (u8, u32, u16) = match *e {
            Entry::Free => (0, 0, if i == 0 { 65535 } else { 0 }),
            Entry::Direct(at) => (1, at as u32, 0),
            Entry::Packed(stream, index) => (2, stream, index as u16),
        };
        rows.push(kind);
        rows.extend_from_slice(&a.to_be_bytes());
        rows.extend_from_slice(&b.to_be_bytes());
    }
    let rows = deflate_all(vec![&rows], level).pop().unwrap_or_default();
    let mut trailer = Dictionary::new();
    for key in [b"Root".as_slice(), b"Info", b"ID"] {
        if let Ok(v) = lo.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Type", Object::Name(b"XRef".to_vec()));
    trailer.set("Size", Object::Integer(entries.len() as i64));
    trailer.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
    trailer.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    trailer.set("Length", Object::Integer(rows.len() as i64));
    let _ = writeln!(out, "{xref_id} 0 obj");
    write_dictionary(&mut out, &trailer);
    out.extend_from_slice(b"stream\n");
    out.extend_from_slice(&rows);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let _ = writeln!(out, "startxref\n{xref_at}\n%%EOF");
    out
}

/// Deflates each buffer, the larger half of the bytes on a second thread.
fn deflate_all(parts: Vec<&[u8]>, level: u32) -> Vec<Vec<u8>> {
    let deflate = |data: &[u8]| {
        let mut enc = ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(data);
        enc.finish().unwrap_or_default()
    };
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if parts.len() < 2 || total < 64 * 1024 {
        return parts.into_iter().map(deflate).collect();
    }
    // The first parts up to half the bytes on another thread, the rest here.
    let mut split = 0;
    let mut sum = 0;
    while split < parts.len() && sum < total / 2 {
        sum += parts[split].len();
        split += 1;
    }
    let (a, b) = parts.split_at(split);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| a.iter().map(|p| deflate(p)).collect::<Vec<_>>());
        let second: Vec<Vec<u8>> = b.iter().map(|p| deflate(p)).collect();
        let mut all = first.join().unwrap_or_default();
        all.extend(second);
        all
    })
}

fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        // Rust prints an f32 without an exponent, in the fewest digits that read back as the
        // same value.
        Object::Real(r) => {
            let _ = write!(out, "{}", if r.is_finite() { *r } else { 0.0 });
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, StringFormat::Literal) => {
            out.push(b'(');
            for &b in s {
                match b {
                    b'(' | b')' | b'\\' => {
                        out.push(b'\\');
                        out.push(b);
                    }
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
            out.push(b')');
        }
        Object::String(s, StringFormat::Hexadecimal) => {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push(b'<');
            for &b in s {
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, o) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, o);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dictionary(out, d),
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set("Length", Object::Integer(s.content.len() as i64));
            write_dictionary(out, &dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            let _ = write!(out, "{id} {generation} R");
        }
    }
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        // Delimiters, whitespace, '#' and bytes outside '!'..='~' as #XX (7.3.5).
        if b"()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            let _ = write!(out, "#{b:02X}");
        } else {
            out.push(b);
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What lopdf reads back is what was written: objects in object streams, streams direct,
    /// the trailer in the cross-reference stream.
    #[test]
    fn a_saved_document_reads_back_whole() {
        let mut lo = lopdf::Document::with_version("1.7");
        let mut ids = Vec::new();
        for i in 0..1200 {
            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"StructElem".to_vec()));
            d.set("K", Object::Integer(i));
            d.set(
                "T",
                Object::String(b"a (b) \\ c\r".to_vec(), StringFormat::Literal),
            );
            d.set("N", Object::Name(b"A B#".to_vec()));
            d.set("R", Object::Real(0.125));
            ids.push(lo.add_object(d));
        }
        let stream = lo.add_object(lopdf::Stream::new(Dictionary::new(), b"q Q".to_vec()));
        let mut cat = Dictionary::new();
        cat.set("Type", Object::Name(b"Catalog".to_vec()));
        cat.set(
            "Kids",
            Object::Array(ids.iter().map(|&i| Object::Reference(i)).collect()),
        );
        cat.set("S", Object::Reference(stream));
        let root = lo.add_object(cat);
        lo.trailer.set("Root", Object::Reference(root));
        lo.trailer.set(
            "ID",
            Object::Array(vec![
                Object::String(vec![1, 2], StringFormat::Hexadecimal),
                Object::String(vec![1, 2], StringFormat::Hexadecimal),
            ]),
        );
        let bytes = save(&lo, 6);
        assert!(bytes.ends_with(b"%%EOF\n"));
        let back = lopdf::Document::load_mem(&bytes).unwrap();
        for (k, id) in ids.iter().enumerate() {
            let d = back.get_dictionary(*id).unwrap();
            assert_eq!(d.get(b"K").unwrap().as_i64().unwrap(), k as i64);
            assert_eq!(d.get(b"T").unwrap().as_str().unwrap(), b"a (b) \\ c\r");
            assert_eq!(d.get(b"N").unwrap().as_name().unwrap(), b"A B#");
            assert_eq!(d.get(b"R").unwrap().as_float().unwrap(), 0.125);
        }
        let s = back.get_object(stream).unwrap().as_stream().unwrap();
        assert_eq!(s.content, b"q Q");
        assert_eq!(
            back.trailer.get(b"Root").unwrap().as_reference().unwrap(),
            root
        );
        assert!(back.trailer.get(b"ID").is_ok());
    }
}
