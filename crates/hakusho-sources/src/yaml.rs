//! Reading YAML files with diagnostics a clerk can act on.

use std::path::Path;

use crate::guard::Limits;
use hakusho_diagnostics::{confined, Diagnostics, Location};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Reads and deserializes `real` (reported as `display`) with the default size limit
/// ([`Limits::max_yaml_mb`]). On failure, reports the problem at `file:line:column` and returns
/// `None`. Returns the text too (for best-effort locations).
pub fn read<T: DeserializeOwned>(
    real: &Path,
    display: &Path,
    diags: &mut Diagnostics,
) -> Option<(T, String)> {
    read_limited(real, display, Limits::default().max_yaml_mb, diags)
}

/// [`read`] refusing files larger than `max_mb` MiB (`limits: max_yaml_mb`).
///
/// Hostile YAML is bounded: the size limit comes first; serde_yaml 0.9 then stops nesting deeper
/// than 128 levels ("recursion limit exceeded") and alias expansion beyond its repetition
/// limit ("repetition limit exceeded"), both reported as syntax errors with a position. A
/// binary file (NUL bytes) and text that is not UTF-8 are refused with their own messages.
pub fn read_limited<T: DeserializeOwned>(
    real: &Path,
    display: &Path,
    max_mb: u64,
    diags: &mut Diagnostics,
) -> Option<(T, String)> {
    let max_bytes = max_mb.saturating_mul(1024 * 1024);
    // one confined, capped reader: a link out of the project or to a device is refused unread
    let bytes = match confined::read_source(real, display, max_bytes) {
        Ok(b) => b,
        Err(e) if e.too_large.is_some() => {
            diags.error(
                Location::file(display),
                format!(
                    "YAML ファイルが {max_mb} MiB を超えています。上限 max_yaml_mb = {max_mb} を超えるため読み込みません（正しいファイルなら sources/hakusho.yaml の limits: に max_yaml_mb: を書いて上限を上げてください）"
                ),
                format!(
                    "the YAML file is larger than {max_mb} MiB, over the limit max_yaml_mb = {max_mb}; not read (if the file is genuine, raise it with `max_yaml_mb:` under `limits:` in sources/hakusho.yaml)"
                ),
            );
            return None;
        }
        Err(e) => {
            diags.push(*e.diagnostic);
            return None;
        }
    };
    if let Some(p) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col(&bytes, p);
        diags.error(
            Location::text(display, line, column),
            "YAML ではなくバイナリファイルのようです（NUL 文字があります）。テキストエディタで UTF-8 のテキストとして保存してください",
            "this looks like a binary file, not YAML (it holds a NUL byte); save it as UTF-8 text",
        );
        return None;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
            diags.error(
                Location::text(display, line, column),
                "文字コードが UTF-8 ではありません。UTF-8 で保存し直してください",
                "the file is not UTF-8; save it as UTF-8",
            );
            return None;
        }
    };
    match serde_yaml::from_str::<T>(&text) {
        Ok(v) => Some((v, text)),
        Err(e) => {
            diags.push(error_diagnostic(&e, display));
            None
        }
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[col_start..])
        .chars()
        .count()
        + 1;
    (line as u32, column as u32)
}

/// A serde_yaml error as a diagnostic: location from `Error::location()`, message in Japanese
/// for the common cases (unknown field, missing field, wrong type, syntax).
pub fn error_diagnostic(e: &serde_yaml::Error, display: &Path) -> hakusho_diagnostics::Diagnostic {
    let location = match e.location() {
        Some(l) => Location::text(display, l.line() as u32, l.column() as u32),
        None => Location::file(display),
    };
    let full = e.to_string();
    // serde_yaml appends " at line L column C"; the location says it already
    let en = match full.find(" at line ") {
        Some(p) => full[..p].to_string(),
        None => full,
    };
    let ja = japanese(&en);
    hakusho_diagnostics::Diagnostic::error(location, ja, en)
}

fn between(s: &str, open: char, close: char) -> Option<&str> {
    let a = s.find(open)? + open.len_utf8();
    let b = a + s[a..].find(close)?;
    Some(&s[a..b])
}

fn japanese(en: &str) -> String {
    const KNOWN: &[&str] = &[
        "unknown field ",
        "missing field ",
        "duplicate field ",
        "invalid type: ",
        "unknown variant ",
        "data did not match any variant",
        "invalid value: ",
    ];
    // serde_yaml prefixes nested errors with the path (`parts[0].policies[2]: ...`)
    let (prefix, msg) = match en.split_once(": ") {
        Some((p, rest)) if !p.contains(' ') && KNOWN.iter().any(|k| rest.starts_with(k)) => {
            (format!("{p}: "), rest)
        }
        _ => (String::new(), en),
    };
    let ja = if let Some(rest) = msg.strip_prefix("unknown field ") {
        let field = between(rest, '`', '`').unwrap_or(rest);
        let expected = rest.split_once("expected ").map(|(_, e)| japanese_list(e));
        match expected {
            Some(e) => format!(
                "不明な項目 {field} があります（書き間違いではありませんか。書ける項目: {e}）"
            ),
            None => format!("不明な項目 {field} があります（この場所には項目を書けません）"),
        }
    } else if let Some(rest) = msg.strip_prefix("missing field ") {
        format!(
            "必要な項目 {} がありません",
            between(rest, '`', '`').unwrap_or(rest)
        )
    } else if let Some(rest) = msg.strip_prefix("duplicate field ") {
        format!(
            "項目 {} が二度書かれています",
            between(rest, '`', '`').unwrap_or(rest)
        )
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        format!(
            "値の種類が違います（{}: {found}、期待: {expected}）",
            "見つかった値"
        )
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let v = between(rest, '`', '`').unwrap_or(rest);
        let expected = rest
            .split_once("expected ")
            .map_or(String::new(), |(_, e)| japanese_list(e));
        format!("{v} は使えません（使える値: {expected}）")
    } else if msg.starts_with("data did not match any variant") {
        "値の形が違います（文字列か、見出しと本文の組のリストを書いてください）".to_string()
    } else if msg.contains("duplicate entry") {
        format!("同じキーが二度書かれています（{msg}）")
    } else {
        format!("YAML の書き方に誤りがあります（{msg}）。インデントや「:」、引用符の対応を確認してください")
    };
    format!("{prefix}{ja}")
}

/// "`a`, `b` or `c`" → "a、b、c".
fn japanese_list(e: &str) -> String {
    e.replace('`', "")
        .replace(", or ", "、")
        .replace(" or ", "、")
        .replace(", ", "、")
}

/// Best-effort position of `key: value` (the value unquoted or quoted, after an optional
/// `- `): serde_yaml gives no spans for values, so semantic errors search the text.
pub fn find_key(text: &str, key: &str, value: Option<&str>) -> Option<(u32, u32)> {
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let mut rest = line.trim_start();
        let mut col = indent;
        while let Some(r) = rest.strip_prefix("- ") {
            col += 2 + (r.len() - r.trim_start().len());
            rest = r.trim_start();
        }
        // flow mappings: `{ key: v, ... }` on one line
        let flow = rest.starts_with('{');
        let candidates: Vec<(usize, &str)> = if flow {
            rest.match_indices(key)
                .map(|(p, _)| (col + p, &rest[p..]))
                .collect()
        } else {
            vec![(col, rest)]
        };
        for (c, r) in candidates {
            let Some(after) = r.strip_prefix(key) else {
                continue;
            };
            let after = after.trim_start();
            let Some(after) = after.strip_prefix(':') else {
                continue;
            };
            let ok = match value {
                None => true,
                Some(v) => {
                    let vtext = after.trim();
                    let vtext = vtext.split(" #").next().unwrap_or("").trim();
                    let vtext = if flow {
                        vtext.split([',', '}']).next().unwrap_or("").trim()
                    } else {
                        vtext
                    };
                    let unq = vtext.trim_matches('"').trim_matches('\'');
                    unq == v
                }
            };
            if ok {
                let column = line[..c.min(line.len())].chars().count() + 1;
                return Some((i as u32 + 1, column as u32));
            }
        }
    }
    None
}

/// Location of `key: value` in `text`, else the file.
pub fn locate(display: &Path, text: &str, key: &str, value: Option<&str>) -> Location {
    match find_key(text, key, value) {
        Some((line, column)) => Location::text(display, line, column),
        None => Location::file(display),
    }
}

/// A string field that also takes a number, a boolean or nothing (`year_label: 2021`,
/// `mission:`), as people write YAML.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        S(String),
        I(i64),
        F(f64),
        B(bool),
    }
    Ok(match Option::<Lenient>::deserialize(d)? {
        None => String::new(),
        Some(Lenient::S(s)) => s,
        Some(Lenient::I(i)) => i.to_string(),
        Some(Lenient::F(f)) => f.to_string(),
        Some(Lenient::B(b)) => b.to_string(),
    })
}

/// A list of strings that may be written as one string or left empty.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(#[serde(deserialize_with = "string")] String),
        Many(Vec<Item>),
    }
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Item(#[serde(deserialize_with = "string")] String);
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v.into_iter().map(|i| i.0).collect(),
    })
}

/// Location of a mapping key written as `"2-4-1":` / `2-4-1:` / `'2-4-1':`.
pub fn locate_mapping_key(display: &Path, text: &str, key: &str) -> Location {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        for q in ["\"", "'", ""] {
            let k = format!("{q}{key}{q}:");
            if t.starts_with(&k) {
                let column = line.chars().count() - t.chars().count() + 1;
                return Location::text(display, i as u32 + 1, column as u32);
            }
        }
    }
    Location::file(display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_in_block_and_flow_style() {
        let text = "parts:\n  - number: 第1部\n    policies:\n      - code: \"1-1\"\n        title: x\n      - { code: '1-2', title: y }\n";
        assert_eq!(find_key(text, "code", Some("1-1")), Some((4, 9)));
        assert_eq!(find_key(text, "code", Some("1-2")), Some((6, 11)));
        assert_eq!(find_key(text, "number", None), Some((2, 5)));
        assert_eq!(find_key(text, "code", Some("9")), None);
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        #[serde(default, deserialize_with = "string")]
        label: String,
    }

    #[test]
    fn errors_have_positions_and_japanese() {
        let mut d = Diagnostics::new();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "title: x\ntitel: y\n").unwrap();
        assert!(read::<T>(&p, Path::new("a.yaml"), &mut d).is_none());
        let r = d
            .iter()
            .next()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(r.starts_with("a.yaml:2:1: 不明な項目 titel"), "{r}");
        let mut d = Diagnostics::new();
        std::fs::write(&p, "title: \"x\nlabel: 2021\n").unwrap();
        assert!(read::<T>(&p, Path::new("a.yaml"), &mut d).is_none());
        let r = d
            .iter()
            .next()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(r.contains("YAML の書き方に誤り"), "{r}");
        assert!(r.starts_with("a.yaml:"), "{r}");
        let mut d = Diagnostics::new();
        std::fs::write(&p, "title: x\nlabel: 2021\n").unwrap();
        let (t, _) = read::<T>(&p, Path::new("a.yaml"), &mut d).unwrap();
        assert_eq!(t.label, "2021");
    }
}
