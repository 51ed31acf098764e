//! Reads back a web font of the HTML edition as a browser would: the WOFF2 container (header,
//! table directory, one brotli stream), then the font's `cmap`. Tables stored transformed (the
//! optional WOFF2 `glyf`/`loca` transform, which hakusho does not write) are refused.

use std::collections::{BTreeMap, BTreeSet};

/// The first 29 of the WOFF2 specification's known table tags (5.1), by index.
const KNOWN: [&[u8; 4]; 29] = [
    b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post", b"cvt ", b"fpgm",
    b"glyf", b"loca", b"prep", b"CFF ", b"VORG", b"EBDT", b"EBLC", b"gasp", b"hdmx", b"kern",
    b"LTSH", b"PCLT", b"VDMX", b"vhea", b"vmtx", b"BASE", b"GDEF", b"GPOS", b"GSUB",
];

fn base128(b: &[u8], at: &mut usize) -> Result<usize, String> {
    let mut v = 0usize;
    for _ in 0..5 {
        let byte = *b.get(*at).ok_or("directory cut short")?;
        *at += 1;
        v = (v << 7) | usize::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("UIntBase128 longer than 5 bytes".into())
}

/// The tables of a WOFF2 font, by tag.
pub fn tables(woff2: &[u8]) -> Result<BTreeMap<[u8; 4], Vec<u8>>, String> {
    if woff2.get(..4) != Some(b"wOF2") {
        return Err("not a WOFF2 file (no wOF2 signature)".into());
    }
    let count = usize::from(u16::from_be_bytes([woff2[12], woff2[13]]));
    let mut at = 48;
    let mut dir = Vec::with_capacity(count);
    for _ in 0..count {
        let flags = *woff2.get(at).ok_or("directory cut short")?;
        at += 1;
        let tag: [u8; 4] = if flags & 0x3F == 0x3F {
            let t = woff2.get(at..at + 4).ok_or("directory cut short")?;
            at += 4;
            [t[0], t[1], t[2], t[3]]
        } else {
            **KNOWN
                .get(usize::from(flags & 0x3F))
                .ok_or("a table tag this reader does not know")?
        };
        let len = base128(woff2, &mut at)?;
        let null_transform = if tag == *b"glyf" || tag == *b"loca" {
            3
        } else {
            0
        };
        if flags >> 6 != null_transform {
            return Err(format!(
                "table {} is transformed",
                String::from_utf8_lossy(&tag)
            ));
        }
        dir.push((tag, len));
    }
    let mut raw = Vec::new();
    brotli::BrotliDecompress(&mut woff2.get(at..).unwrap_or_default(), &mut raw)
        .map_err(|e| format!("brotli: {e}"))?;
    let mut out = BTreeMap::new();
    let mut pos = 0usize;
    for (tag, len) in dir {
        let bytes = raw.get(pos..pos + len).ok_or("table data cut short")?;
        out.insert(tag, bytes.to_vec());
        pos += len;
    }
    Ok(out)
}

/// Every character the font's Unicode `cmap` maps to a glyph.
pub fn characters(woff2: &[u8]) -> Result<BTreeSet<char>, String> {
    let tables = tables(woff2)?;
    let cmap = tables.get(b"cmap").ok_or("no cmap table")?;
    let cmap = ttf_parser::cmap::Table::parse(cmap).ok_or("cmap does not parse")?;
    let mut out = BTreeSet::new();
    for sub in cmap.subtables {
        if sub.is_unicode() {
            sub.codepoints(|c| {
                if let Some(ch) = char::from_u32(c) {
                    if sub.glyph_index(c).is_some_and(|g| g.0 != 0) {
                        out.insert(ch);
                    }
                }
            });
        }
    }
    Ok(out)
}
