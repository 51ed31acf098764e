//! Build profiles: the screen PDF and the print PDF of the same documents. A style sheet may
//! hold a `print:` section: keys laid over the rest of the file for a print build (facing
//! pages, padding to a multiple of four pages...), ignored by the screen build.
//!
//! ```yaml
//! page: { size: A4, margin: { ... } }
//! footer: { center: "{page}", ... }
//! print:
//!   page: { facing: true, pad_to: 4 }   # size and margin stay as above
//!   footer: { center: "", right: "{page}" }
//! ```
//!
//! Mappings merge key by key, at any depth; any other value (a number, a string, a list)
//! replaces the one above. [`crate::Style::for_profile`] gives the style of a profile.

use std::path::Path;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Location};
use hakusho_yaml::{yaml_path, Seg, Source};
use serde_yaml::{Mapping, Value};

use crate::style::StyleFile;

/// What a build is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The PDF read on a screen (and the web edition's link): the style as written.
    Screen,
    /// The PDF sent to the print shop: the style with its `print:` section laid over it.
    Print,
}

/// Keys a `print:` section cannot change: the fonts are loaded once for both profiles, and
/// a print section holds no print section of its own.
const FIXED: &[&str] = &["fonts", "print"];

/// The style file of a print build: `text` (the style sheet, named `source_name`) with the
/// keys of its `print:` section laid over the others. Problems are located in the section.
pub(crate) fn print_file(text: &str, source_name: &str) -> Result<StyleFile, Diagnostics> {
    let mut diags = Diagnostics::new();
    let display = Path::new(source_name);
    let Some((mut root, source)) =
        hakusho_yaml::parse::<Value>(text.to_string(), display, &mut diags)
    else {
        return Err(diags);
    };
    let print_at = source.at(yaml_path!["print"]);
    let over = match root.as_mapping_mut().and_then(|m| m.remove("print")) {
        Some(Value::Mapping(m)) => m,
        Some(Value::Null) | None => Mapping::new(),
        Some(_) => {
            diags.error(
                print_at,
                "print: には、印刷用に変える設定を「キー: 値」の組で書いてください（例: page: { facing: true }）",
                "print: takes the settings a print build changes, as keys and values (for example page: { facing: true })",
            );
            return Err(diags);
        }
    };
    for key in FIXED {
        if over.contains_key(*key) {
            diags.error(
                source.at(yaml_path!["print", *key]),
                format!("print: の中では {key}: を変えられません（フォントは画面用と印刷用で共通です）。print: の外に書いてください"),
                format!("{key}: cannot be changed under print: (both builds use the same fonts); write it outside print:"),
            );
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut merged = root;
    let over = Value::Mapping(over);
    lay_over(&mut merged, &over);
    crate::style::file_from_merged(merged, text, display, &mut diags).map_err(|e| {
        let d = hakusho_yaml::error_diagnostic(&e, display, text);
        let location = named_key(&e.to_string())
            .and_then(|key| find_key(&over, &key, &mut vec![Seg::from("print")], &source))
            .unwrap_or(print_at);
        Diagnostics::from_iter([Diagnostic::error(
            location,
            format!("print:（印刷用の設定）を重ねると: {}", d.ja),
            format!(
                "with print: (the print settings) laid over the style: {}",
                d.en
            ),
        )])
    })
}

/// `over` laid over `base`: mappings merge key by key, anything else replaces.
fn lay_over(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(bv) => lay_over(bv, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The key an "unknown field `x`" message names.
fn named_key(message: &str) -> Option<String> {
    let rest = message.split_once("unknown field `")?.1;
    Some(rest.split_once('`')?.0.to_string())
}

/// Where `key` is written inside `value` (the print section, at `path`), depth first.
fn find_key(value: &Value, key: &str, path: &mut Vec<Seg>, source: &Source) -> Option<Location> {
    let Value::Mapping(m) = value else {
        return None;
    };
    for (k, v) in m {
        let Some(name) = k.as_str() else { continue };
        path.push(Seg::from(name));
        if name == key {
            return Some(source.at(path));
        }
        let found = find_key(v, key, path, source);
        path.pop();
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::style::{PageBreak, Style};

    fn sample() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read_to_string(root.join("templates/style.yaml")).unwrap()
    }

    #[test]
    fn print_keys_are_laid_over_the_style_and_the_rest_stays() {
        let text = sample();
        let screen = Style::parse(&text, "style.yaml").unwrap();
        let print = print_file(&text, "style.yaml").unwrap();
        assert!(!screen.page.facing && screen.page.pad_to.is_none());
        assert!(print.page.facing && print.page.pad_to == Some(4));
        // Merged key by key: the page size, the margins, the footer's font stay.
        assert_eq!(print.page.margin, screen.page.margin);
        let (sf, pf) = (screen.footer.unwrap(), print.footer.unwrap());
        assert_eq!((sf.center.as_str(), sf.right.as_str()), ("{page}", ""));
        assert_eq!((pf.center.as_str(), pf.right.as_str()), ("", "{page}"));
        assert_eq!((pf.font, pf.size), (sf.font, sf.size));
        assert_eq!(
            print.elements["h1"].page_break_before,
            Some(PageBreak::Right)
        );
        assert!(print.print.is_none());
    }

    #[test]
    fn a_wrong_print_key_is_reported_at_its_line_and_fonts_cannot_change() {
        let text = sample().replace("page: { facing: true", "page: { facng: true");
        let err = print_file(&text, "style.yaml").unwrap_err();
        let d = err.iter().next().unwrap();
        let line = text.lines().position(|l| l.contains("facng")).unwrap() as u32 + 1;
        assert!(
            matches!(d.location, Location::Text { line: l, .. } if l == line),
            "{:?}",
            d.location
        );
        assert!(
            d.ja.contains("print:") && d.ja.contains("facng"),
            "{}",
            d.ja
        );
        let text = format!(
            "{}\n  fonts: {{ mincho: fonts/x.ttf }}\n",
            sample().trim_end()
        );
        let err = print_file(&text, "style.yaml").unwrap_err();
        let d = err.iter().next().unwrap();
        assert!(
            d.ja.contains("fonts:") && d.ja.contains("print:"),
            "{}",
            d.ja
        );
        let line = text.lines().count() as u32;
        assert!(matches!(d.location, Location::Text { line: l, .. } if l == line));
    }

    /// A huge `pad_to` would make millions of blank pages before `max_pages` is checked.
    #[test]
    fn pad_to_out_of_range_is_refused_at_its_line_by_every_build() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = std::env::temp_dir().join(format!("hakusho-pad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("style.yaml");
        let text = sample().replace("pad_to: 4 }", "pad_to: 4000000000 }");
        std::fs::write(&path, &text).unwrap();
        let err = Style::load(&path, &root).unwrap_err();
        let d = err.iter().next().unwrap();
        assert!(
            d.ja.contains("4000000000") && d.ja.contains("64"),
            "{}",
            d.ja
        );
        let line = text
            .lines()
            .position(|l| l.contains("pad_to: 4000"))
            .unwrap() as u32
            + 1;
        assert!(
            matches!(d.location, Location::Text { line: l, .. } if l == line),
            "{:?}",
            d.location
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn page_break_before_takes_right_and_refuses_other_words() {
        let text = sample().replace("page_break_before: right,", "page_break_before: left,");
        let err = Style::parse(&text, "style.yaml").unwrap_err();
        let said = err.iter().next().unwrap().ja.clone();
        assert!(said.contains("left") && said.contains("right"), "{said}");
    }
}
