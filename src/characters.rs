//! Characters that no configured font has, reported where they were typed.
//!
//! Layout finds such a character too, but it can only point at the generated markup
//! (`build/<doc>.markup.html:77:23`), which no clerk wrote. This check runs on the sources before
//! anything is rendered, so `check` and `build` name the workbook cell or the YAML line:column
//! and say how to fix it (another character, or a fallback font in the style sheet).
//!
//! A character counts as covered when any font of the style (main or fallback) has it: the
//! check cannot know which font a template will set a value in, and layout still refuses a
//! character the span's own font chain lacks.

use std::collections::BTreeMap;
use std::path::Path;

use hakusho_diagnostics::{confined, Diagnostics, Location};
use hakusho_sources::{InputKind, Project, Row};
use hakusho_typeset::font::FontIndex;
use hakusho_typeset::FontSet;

/// At most this many places are listed per character; the rest are counted.
const PLACES_PER_CHARACTER: usize = 20;

/// Every character of the project's sources that no font of `fonts` has, one diagnostic per
/// place (up to [`PLACES_PER_CHARACTER`] per character, then one that counts the rest).
pub fn check(project: &Project, fonts: &FontSet, style_path: &str) -> Diagnostics {
    let rows: Vec<&Row> = project.tables.iter().flat_map(|t| &t.rows).collect();
    let yaml: Vec<&Path> = project
        .inputs()
        .iter()
        .filter(|i| i.kind != InputKind::Workbook)
        .map(|i| i.path.as_path())
        .collect();
    let max_yaml = project
        .config
        .limits
        .max_yaml_mb
        .saturating_mul(1024 * 1024);
    check_sources(&project.root, &yaml, max_yaml, &rows, fonts, style_path)
}

/// [`check`] for `hakusho check FILE`: the rows of the workbooks named (a clerk checking a
/// workbook before sending it), against the fonts of the project's style sheet.
pub fn check_rows(root: &Path, rows: &[Row], style_rel: &str) -> Diagnostics {
    with_style_fonts(root, style_rel, |fonts| {
        let rows: Vec<&Row> = rows.iter().collect();
        check_sources(root, &[], 0, &rows, fonts, style_rel)
    })
}

/// The characters check over YAML files (paths relative to `root`) and workbook rows.
fn check_sources(
    root: &Path,
    yaml: &[&Path],
    max_yaml: u64,
    rows: &[&Row],
    fonts: &FontSet,
    style_path: &str,
) -> Diagnostics {
    let covered = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || (0..fonts.len()).any(|i| fonts.get(FontIndex(i)).has_glyph(c))
    };
    let mut places: BTreeMap<char, Vec<Location>> = BTreeMap::new();
    let mut note = |c: char, at: Location| places.entry(c).or_default().push(at);

    for &path in yaml {
        // the file was read and parsed by the loader a moment ago; a read that fails now has
        // been reported there
        let Ok(text) = confined::read_text(root, path, max_yaml) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for (pos, c) in hakusho_sources::yaml::scalar_chars(text, |c| !covered(c)) {
            note(c, Location::text(path, pos.line, pos.column));
        }
    }
    {
        for row in rows {
            let mut cell_text = |text: &str, at: &Location| {
                for c in text.chars().filter(|&c| !covered(c)) {
                    note(c, at.clone());
                }
            };
            cell_text(&row.group, &row.group_cell);
            cell_text(&row.name, &row.location.0);
            if let Some(note_cell) = &row.note_cell {
                cell_text(&row.note, note_cell);
            }
            for (key, value) in &row.values {
                if let Some(at) = row.cells.get(key) {
                    cell_text(&value.text, at);
                }
            }
        }
    }

    let mut diags = Diagnostics::new();
    for (c, mut at) in places {
        at.dedup();
        let code = format!("U+{:04X}", c as u32);
        let total = at.len();
        for location in at.into_iter().take(PLACES_PER_CHARACTER) {
            diags.error(
                location,
                format!(
                    "文字 {code}「{c}」はどのフォントにもないため印刷できません。別の文字に置き換えるか、この文字を持つフォントを {style_path} の fonts: に加えて fallback: に名前を足してください（例: fonts: に symbol: fonts/Symbola.ttf、fallback: [gothic, symbol]）"
                ),
                format!(
                    "character {code} \"{c}\" is in no font and cannot be printed; replace it, or add a font that has it under fonts: in {style_path} and name it in fallback: (e.g. symbol: fonts/Symbola.ttf, fallback: [gothic, symbol])"
                ),
            );
        }
        if total > PLACES_PER_CHARACTER {
            let rest = total - PLACES_PER_CHARACTER;
            diags.error(
                Location::None,
                format!("文字 {code}「{c}」はほかに {rest} か所にあります"),
                format!("character {code} \"{c}\" appears in {rest} more places"),
            );
        }
    }
    diags
}

/// Loads the style's fonts and runs [`check`]: for `hakusho check`, which typesets nothing.
pub fn check_project(project: &Project, root: &Path, style_rel: &str) -> Diagnostics {
    with_style_fonts(root, style_rel, |fonts| check(project, fonts, style_rel))
}

/// Runs `checking` with the fonts of the style sheet. Problems loading the style itself are
/// returned as they are. A project with no style sheet (sources checked on their own,
/// templates kept elsewhere) has no fonts to check against.
fn with_style_fonts(
    root: &Path,
    style_rel: &str,
    checking: impl FnOnce(&FontSet) -> Diagnostics,
) -> Diagnostics {
    if !root.join(style_rel).exists() {
        return Diagnostics::new();
    }
    match hakusho_typeset::Style::load(&root.join(style_rel), root) {
        Ok((_, fonts)) => checking(&fonts),
        Err(d) => d,
    }
}
