//! Reading YAML files with diagnostics a clerk can act on: sources/ (through
//! `hakusho-sources`) and the style sheet (through `hakusho-typeset`) are read the same way.

mod index;

use std::path::{Path, PathBuf};

use hakusho_diagnostics::{
    confined, quote, Diagnostic, Diagnostics, Lang, Location, QUOTE_MAX_CHARS,
};
pub use index::{scalar_chars, Pos, Seg};
use index::{Duplicate, Index};
use serde::de::DeserializeOwned;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// Reads and deserializes `real` (reported as `display`), refusing files larger than
/// `max_mb` MiB (`limits: max_yaml_mb`). On failure, reports the problem at `file:line:column`
/// and returns `None`. Returns the [`Source`] too, which locates the values in the file.
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
) -> Option<(T, Source)> {
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
    parse(text, display, diags)
}

/// Parses `text` (read from `display`): a BOM is dropped, every mapping is checked for
/// repeated keys, then serde_yaml deserializes it.
pub fn parse<T: DeserializeOwned>(
    mut text: String,
    display: &Path,
    diags: &mut Diagnostics,
) -> Option<(T, Source)> {
    // Windows Notepad starts UTF-8 files with a BOM; it is no character of the document and
    // would shift every column of line 1
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let index = match Index::build(&text) {
        Some((index, dups)) if dups.is_empty() => Some(index),
        Some((_, dups)) => {
            for d in dups {
                diags.push(duplicate_diagnostic(&d, display));
            }
            return None;
        }
        None => {
            // The event parser stopped: report libyaml's syntax error for the whole file,
            // before serde_yaml, deserializing as it parses, names a wrong type for a
            // bracket that is never closed (`title: [x`).
            if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
                diags.push(error_diagnostic(&e, display, &text));
                return None;
            }
            None
        }
    };
    match serde_yaml::from_str::<T>(&text) {
        Ok(v) => Some((
            v,
            Source {
                display: display.to_path_buf(),
                text,
                index,
            },
        )),
        Err(e) => {
            diags.push(error_diagnostic(&e, display, &text));
            None
        }
    }
}

/// A YAML file as read: its text and where each of its nodes is written.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path messages name (relative to the project).
    pub display: PathBuf,
    /// The text, without a BOM.
    pub text: String,
    /// `None` only when the event parser disagreed with serde_yaml about the syntax.
    index: Option<Index>,
}

impl Source {
    /// Where the node at `path` is written (the key of a mapping value, the item of a
    /// sequence); the deepest node on the way when the path goes further than the file; the
    /// file itself when nothing is known. Build paths with [`yaml_path!`].
    pub fn at(&self, path: &[Seg]) -> Location {
        match self.index.as_ref().and_then(|ix| ix.key_or_value(path)) {
            Some(p) => Location::text(&self.display, p.line, p.column),
            None => Location::file(&self.display),
        }
    }

    /// The text of the plain scalar at `path` exactly as typed (`1.50`, `007`, `true`): what a
    /// generic `serde_yaml::Value` turns into a number or a boolean. `None` when the path is
    /// unknown. The scalar ends at the end of its line or at a comment.
    pub fn plain_scalar_at(&self, path: &[Seg]) -> Option<String> {
        let pos = self.index.as_ref()?.value(path)?;
        let line = self.text.lines().nth(pos.line.checked_sub(1)? as usize)?;
        let rest: String = line
            .chars()
            .skip(pos.column.checked_sub(1)? as usize)
            .collect();
        let end = rest.find(" #").unwrap_or(rest.len());
        let scalar = rest[..end].trim_end();
        // a flow sequence item (`[1.50, 2]`) ends at its comma or bracket
        let scalar = scalar
            .split([',', ']', '}'])
            .next()
            .unwrap_or(scalar)
            .trim_end();
        Some(scalar.to_string())
    }

    /// Where the value at `path` itself starts (`"1-1"` of `code: "1-1"`), else [`Self::at`].
    pub fn value_at(&self, path: &[Seg]) -> Location {
        match self.index.as_ref().and_then(|ix| ix.value(path)) {
            Some(p) => Location::text(&self.display, p.line, p.column),
            None => self.at(path),
        }
    }
}

/// A path from a document's root for [`Source::at`]: `yaml_path!["parts", i, "policies", j]`.
#[macro_export]
macro_rules! yaml_path {
    ($($seg:expr),* $(,)?) => {
        &[$($crate::Seg::from($seg)),*][..]
    };
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

fn duplicate_diagnostic(d: &Duplicate, display: &Path) -> Diagnostic {
    Diagnostic::error(
        Location::text(display, d.again.line, d.again.column),
        format!(
            "キー「{}」が同じまとまりの中に二度書かれています（最初は {}行{}列）。後の方だけが使われ、最初の内容が失われるため読み込みません。どちらかを消すか、名前を変えてください",
            quote(&d.key, Lang::Ja),
            d.first.line,
            d.first.column
        ),
        format!(
            "key \"{}\" is written twice in the same mapping (first at line {}, column {}); only the later one would be used and the first one's content lost, so the file is not read: remove one or rename it",
            quote(&d.key, Lang::En),
            d.first.line,
            d.first.column
        ),
    )
}

/// A serde_yaml error as a diagnostic: location from `Error::location()`, message in Japanese
/// for the common cases (unknown field, missing field, wrong type, syntax) with no English
/// inside; the English message keeps serde_yaml's text. Quoted values are cut to
/// [`hakusho_diagnostics::QUOTE_MAX_CHARS`] characters. `text` is the parsed text (to name a
/// tab or the second document).
pub fn error_diagnostic(e: &serde_yaml::Error, display: &Path, text: &str) -> Diagnostic {
    let full = e.to_string();
    // serde_yaml appends " at line L column C"; the location says it already
    let (en, context) = match full.find(" at line ") {
        Some(p) => (full[..p].to_string(), full[p..].to_string()),
        None => (full, String::new()),
    };
    let mut position = e.location().map(|l| (l.line() as u32, l.column() as u32));
    if en.contains("more than one document") {
        position = index::second_document(text).map(|p| (p.line, p.column));
    }
    let tab = position.and_then(|(line, column)| tab_near(text, line, column));
    if let Some((line, column)) = tab {
        position = Some((line, column));
    }
    let location = match position {
        Some((line, column)) => Location::text(display, line, column),
        None => Location::file(display),
    };
    let ja = match tab {
        Some(_) => "インデントにタブ文字があります。YAML のインデントには半角空白だけが使えます。タブを半角空白に置き換えてください".to_string(),
        None => japanese(&shorten_quoted(&en, Lang::Ja), &context),
    };
    let en = shorten_quoted(&en, Lang::En);
    let en = match tab {
        Some(_) => format!("a tab in the indentation: YAML indents with spaces only; replace the tab with spaces ({en})"),
        None => en,
    };
    Diagnostic::error(location, ja, en)
}

/// A tab in the indentation of `line`, or at (`line`, `column`) itself: libyaml says
/// "found character that cannot start any token" without naming it.
fn tab_near(text: &str, line: u32, column: u32) -> Option<(u32, u32)> {
    let l = text.lines().nth(line.checked_sub(1)? as usize)?;
    let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    if let Some(p) = indent.chars().position(|c| c == '\t') {
        return Some((line, p as u32 + 1));
    }
    (l.chars().nth(column.checked_sub(1)? as usize) == Some('\t')).then_some((line, column))
}

/// `s` with every "…" and `…` span longer than [`QUOTE_MAX_CHARS`] characters cut by
/// [`quote`] (serde_yaml quotes the whole value it found, however long).
fn shorten_quoted(s: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(s.len().min(4096));
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' && c != '`' {
            out.push(c);
            continue;
        }
        // find the closing delimiter, skipping backslash escapes
        let mut end = None;
        let mut escaped = false;
        for (j, d) in s[i + 1..].char_indices() {
            if escaped {
                escaped = false;
            } else if d == '\\' && c == '"' {
                escaped = true;
            } else if d == c {
                end = Some(i + 1 + j);
                break;
            }
        }
        let Some(end) = end else {
            out.push(c);
            continue;
        };
        out.push(c);
        out.push_str(&quote_raw(&s[i + 1..end], lang));
        out.push(c);
        while chars.peek().is_some_and(|(j, _)| *j <= end) {
            chars.next();
        }
    }
    // a long unquoted path prefix (`policies.kkkk…: `) is cut the same way
    match out.split_once(": ") {
        Some((p, rest)) if p.chars().count() > QUOTE_MAX_CHARS && !p.contains(' ') => {
            format!("{}: {rest}", quote_raw(p, lang))
        }
        _ => out,
    }
}

/// [`quote`] of text that is already escaped for display (serde's `"\n"`).
fn quote_raw(s: &str, lang: Lang) -> String {
    if s.chars().count() <= QUOTE_MAX_CHARS {
        s.to_string()
    } else {
        quote(s, lang)
    }
}

fn between(s: &str, open: char, close: char) -> Option<&str> {
    let a = s.find(open)? + open.len_utf8();
    let b = a + s[a..].find(close)?;
    Some(&s[a..b])
}

/// serde_yaml's English message (already shortened) in Japanese; `context` is the rest of a
/// libyaml syntax error (", while scanning a quoted scalar at line 1 column 10").
fn japanese(en: &str, context: &str) -> String {
    const KNOWN: &[&str] = &[
        "unknown field ",
        "missing field ",
        "duplicate field ",
        "invalid type: ",
        "invalid value: ",
        "invalid length ",
        "unknown variant ",
        "data did not match any variant",
        "heading is empty",
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
    } else if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
    {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        format!(
            "値の種類が違います（書かれている値: {}。ここに書けるのは: {}）",
            japanese_found(found),
            japanese_expected(expected)
        )
    } else if msg.starts_with("invalid length ") {
        "値の数が違います".to_string()
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let v = between(rest, '`', '`').unwrap_or(rest);
        let expected = rest
            .split_once("expected ")
            .map_or(String::new(), |(_, e)| japanese_list(e));
        format!("{v} は使えません（使える値: {expected}）")
    } else if msg.starts_with("data did not match any variant") {
        "値の形が違います（この場所に書ける形のどれでもありません）".to_string()
    } else if msg.starts_with("heading is empty") {
        "見出し (heading) が空です".to_string()
    } else {
        japanese_syntax(msg, context)
    };
    format!("{prefix}{ja}")
}

/// libyaml's syntax errors (and serde_yaml's own limits) in Japanese.
fn japanese_syntax(msg: &str, context: &str) -> String {
    const FIX: &str = "インデントや「:」、引用符の対応を確認してください";
    // where the construct that failed began: ", while scanning a quoted scalar at line 1 column 10"
    let started = context
        .split_once(", while ")
        .and_then(|(_, w)| w.rsplit_once(" at line "))
        .and_then(|(_, at)| {
            let (line, col) = at.split_once(" column ")?;
            Some(format!("{}行{}列", line.trim(), col.trim()))
        });
    let what = if msg.starts_with("found character that cannot start any token") {
        "この文字では値を始められません（「@」「`」「%」などで始まる値は引用符 \" \" で囲んでください）".to_string()
    } else if msg.starts_with("found unexpected end of stream") {
        if context.contains("quoted scalar") {
            format!(
                "引用符が閉じられないままファイルが終わっています（{}で始まった引用符）",
                started.unwrap_or_default()
            )
        } else {
            "ファイルが途中で終わっています".to_string()
        }
    } else if msg.starts_with("mapping values are not allowed") {
        "ここに「キー: 値」は書けません（前の行の値の続きになっているか、インデントがずれています。値に「: 」を含めるなら引用符で囲んでください）".to_string()
    } else if msg.starts_with("did not find expected key") {
        "ここにはキー（「キー: 値」）があるはずです。インデントがずれていないか確かめてください"
            .to_string()
    } else if msg.starts_with("did not find expected node content") {
        "値があるはずの場所に値がありません".to_string()
    } else if msg.starts_with("did not find expected ',' or ']'") {
        "[ ] のリストが閉じられていません（「,」か「]」がありません）".to_string()
    } else if msg.starts_with("did not find expected ',' or '}'") {
        "{ } の組が閉じられていません（「,」か「}」がありません）".to_string()
    } else if msg.starts_with("did not find expected '-' indicator") {
        "ここにはリストの項目「- 」があるはずです。インデントを確かめてください".to_string()
    } else if msg.starts_with("could not find expected ':'") {
        "キーの後の「:」がありません".to_string()
    } else if msg.starts_with("found unknown escape character") {
        "二重引用符の中に使えない「\\」の組み合わせがあります（「\\」そのものは「\\\\」と書くか、単一引用符 ' ' で囲んでください）".to_string()
    } else if msg.starts_with("unknown anchor") {
        "参照「*名前」の名前のアンカー「&名前」がありません".to_string()
    } else if msg.starts_with("block sequence entries are not allowed") {
        "ここにはリストの項目「- 」は書けません（インデントを確かめてください）".to_string()
    } else if msg.contains("more than one document") {
        "一つのファイルに文書が二つ以上あります（「---」の行で区切られています）。一つにしてください".to_string()
    } else if msg.starts_with("recursion limit exceeded") {
        "入れ子が深すぎます（128 段まで）。読み込みません".to_string()
    } else if msg.starts_with("repetition limit exceeded") {
        "参照（「*名前」）の展開が多すぎます。読み込みません".to_string()
    } else if msg.starts_with("control characters are not allowed") {
        "使えない制御文字があります".to_string()
    } else if msg.contains("tab") {
        "インデントにタブ文字があります。YAML のインデントには半角空白だけが使えます".to_string()
    } else {
        return format!("YAML の書き方に誤りがあります。{FIX}");
    };
    // limits and whole-file problems are not a matter of indentation or quotes
    let whole_file = ["more than one document", "limit exceeded", "unknown anchor"]
        .iter()
        .any(|k| msg.contains(k));
    if whole_file {
        format!("YAML の書き方に誤りがあります: {what}")
    } else {
        format!("YAML の書き方に誤りがあります: {what}。{FIX}")
    }
}

/// serde's "found" half of an invalid type (`string "abc"`, ``integer `3` ``, `sequence`).
fn japanese_found(found: &str) -> String {
    let inner = |s: &str| {
        between(s, '`', '`')
            .or_else(|| between(s, '"', '"'))
            .unwrap_or("")
            .to_string()
    };
    if let Some(s) = found.strip_prefix("string \"") {
        format!("文字列「{}」", s.strip_suffix('"').unwrap_or(s))
    } else if found.starts_with("integer ") {
        format!("整数 {}", inner(found))
    } else if found.starts_with("floating point ") {
        format!("小数 {}", inner(found))
    } else if found.starts_with("boolean ") {
        format!("真偽値 {}", inner(found))
    } else if found.starts_with("character ") {
        format!("文字「{}」", inner(found))
    } else {
        japanese_kind(found).to_string()
    }
}

/// serde's "expected" half (`a string`, `u32`, `struct Config`, `a sequence`).
fn japanese_expected(expected: &str) -> String {
    let e = expected.trim();
    let kind = match e {
        "a string" | "a borrowed string" | "string" => "文字列",
        "a boolean" | "bool" => "true か false",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "0 以上の整数",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "整数",
        "f32" | "f64" => "数値",
        "a character" | "char" => "1 文字",
        "field identifier" => "項目名（文字列）",
        "a string or a list of strings" => "文字列か、文字列のリスト",
        "a text or a list of blocks with heading and text" => {
            "文章か、見出し (heading) と本文 (text) の組のリスト"
        }
        _ if e.starts_with("struct ") || e == "a map" || e.starts_with("map") => "「キー: 値」の組",
        _ => japanese_kind(e),
    };
    kind.to_string()
}

fn japanese_kind(s: &str) -> &'static str {
    let s = s.trim().trim_start_matches("a ").trim_start_matches("an ");
    if s.starts_with("sequence") || s.starts_with("tuple") {
        "リスト（「- 」の並びか [ ]）"
    } else if s.starts_with("map") || s.starts_with("struct") {
        "「キー: 値」の組"
    } else if s.starts_with("unit") || s == "null" || s.starts_with("Option") {
        "空の値"
    } else if s.starts_with("enum") || s.contains("variant") {
        "決まった値のどれか"
    } else {
        "別の種類の値"
    }
}

/// "`a`, `b` or `c`" → "a、b、c".
fn japanese_list(e: &str) -> String {
    e.replace('`', "")
        .replace("one of ", "")
        .replace(", or ", "、")
        .replace(" or ", "、")
        .replace(", ", "、")
}

/// A string field that also takes a number, a boolean or nothing (`year_label: 2021`,
/// `mission:`), as people write YAML. The text is kept exactly as typed (`1.50`, `007`):
/// serde_yaml hands a scalar's own text to a string; `~` and an empty value are "".
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A list of strings that may be written as one string or left empty.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Item(#[serde(deserialize_with = "string")] String);

    // A visitor rather than an untagged enum: serde_yaml then reports a wrong kind of value
    // (a mapping) at the value itself, with its field path.
    struct OneOrMany;
    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(OneOrMany)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut v = Vec::new();
            while let Some(Item(s)) = seq.next_element()? {
                v.push(s);
            }
            Ok(v)
        }
    }
    d.deserialize_any(OneOrMany)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(read_limited::<T>(&p, Path::new("a.yaml"), 8, &mut d).is_none());
        let r = d
            .iter()
            .next()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(r.starts_with("a.yaml:2:1: 不明な項目 titel"), "{r}");
        let mut d = Diagnostics::new();
        std::fs::write(&p, "title: \"x\nlabel: 2021\n").unwrap();
        assert!(read_limited::<T>(&p, Path::new("a.yaml"), 8, &mut d).is_none());
        let r = d
            .iter()
            .next()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(r.contains("YAML の書き方に誤り"), "{r}");
        assert!(r.starts_with("a.yaml:"), "{r}");
        let mut d = Diagnostics::new();
        std::fs::write(&p, "title: x\nlabel: 2021\n").unwrap();
        let (t, _) = read_limited::<T>(&p, Path::new("a.yaml"), 8, &mut d).unwrap();
        assert_eq!(t.label, "2021");
        // a number is kept as typed, not as the float it reads as (nothing lost)
        for typed in ["1.50", "007", "1e3", "99999999999999999999", "0x10"] {
            std::fs::write(&p, format!("title: x\nlabel: {typed}\n")).unwrap();
            let (t, _) = read_limited::<T>(&p, Path::new("a.yaml"), 8, &mut d).unwrap();
            assert_eq!(t.label, typed);
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct L {
        #[serde(deserialize_with = "strings")]
        items: Vec<String>,
    }

    #[test]
    fn string_lists_take_one_value_a_list_or_nothing_and_locate_wrong_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        let mut d = Diagnostics::new();
        for (text, want) in [
            ("items: a\n", vec!["a"]),
            ("items:\n", vec![]),
            ("items: [1.50, x, 007]\n", vec!["1.50", "x", "007"]),
            ("items: 3\n", vec!["3"]),
        ] {
            std::fs::write(&p, text).unwrap();
            let (l, _) = read_limited::<L>(&p, Path::new("a.yaml"), 8, &mut d).unwrap();
            assert_eq!(l.items, want, "{text}");
        }
        std::fs::write(&p, "items:\n  a: 1\n").unwrap();
        assert!(read_limited::<L>(&p, Path::new("a.yaml"), 8, &mut d).is_none());
        let r = d
            .iter()
            .last()
            .unwrap()
            .render(hakusho_diagnostics::Lang::Ja);
        assert!(
            r.starts_with("a.yaml:2:3: items: 値の種類が違います"),
            "{r}"
        );
        assert!(r.contains("文字列か、文字列のリスト"), "{r}");
    }
}
