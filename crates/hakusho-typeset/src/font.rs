//! Font loading and metrics (ttf-parser). Loaded once per build, shared by all documents.
//!
//! CONTRACT (owned by the composition work; keep these signatures stable for layout and pdf).

use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontIndex(pub usize);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphInfo {
    pub id: u16,
    /// Advance width as a fraction of the em (multiply by the font size in pt).
    pub advance: f32,
}

#[derive(Debug)]
pub struct Font {
    pub name: String,
    pub data: Arc<Vec<u8>>,
    pub units_per_em: u16,
    /// Ascender and descender as fractions of the em (descender negative).
    pub ascender: f32,
    pub descender: f32,
    glyphs: HashMap<char, GlyphInfo>,
}

impl Font {
    pub fn from_bytes(name: &str, data: Vec<u8>) -> Result<Font, String> {
        let face = ttf_parser::Face::parse(&data, 0).map_err(|e| format!("{name}: {e}"))?;
        let upem = face.units_per_em();
        let mut glyphs = HashMap::new();
        if let Some(cmap) = face.tables().cmap {
            for sub in cmap.subtables {
                if !sub.is_unicode() {
                    continue;
                }
                sub.codepoints(|cp| {
                    if let Some(c) = char::from_u32(cp) {
                        if let Some(gid) = sub.glyph_index(cp) {
                            let adv = face.glyph_hor_advance(gid).unwrap_or(0);
                            glyphs.entry(c).or_insert(GlyphInfo {
                                id: gid.0,
                                advance: adv as f32 / upem as f32,
                            });
                        }
                    }
                });
            }
        }
        Ok(Font {
            name: name.to_string(),
            units_per_em: upem,
            ascender: face.ascender() as f32 / upem as f32,
            descender: face.descender() as f32 / upem as f32,
            glyphs,
            data: Arc::new(data),
        })
    }

    pub fn glyph(&self, c: char) -> Option<GlyphInfo> {
        self.glyphs.get(&c).copied()
    }
}

#[derive(Debug, Default)]
pub struct FontSet {
    fonts: Vec<Font>,
}

impl FontSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, font: Font) -> FontIndex {
        self.fonts.push(font);
        FontIndex(self.fonts.len() - 1)
    }

    pub fn get(&self, index: FontIndex) -> &Font {
        &self.fonts[index.0]
    }

    pub fn by_name(&self, name: &str) -> Option<FontIndex> {
        self.fonts.iter().position(|f| f.name == name).map(FontIndex)
    }

    pub fn len(&self) -> usize {
        self.fonts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fonts.is_empty()
    }
}
