//! The one diagnostic type every stage of hakusho reports problems with.
//!
//! A clerk reads these messages, so each carries a precise location
//! (`file:sheet!cell` or `file:line:column`) and a message in Japanese and in
//! English; the command line picks the language (`--lang`).

#![forbid(unsafe_code)]

pub mod confined;

use std::fmt;
use std::path::{Path, PathBuf};

/// Which language messages are shown in. Japanese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (expected ja or en)")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// Not tied to any file (a limit of the tool, a missing directory...).
    None,
    /// A whole file.
    File { path: PathBuf },
    /// A worksheet cell; `row` and `col` are 0-based absolute positions.
    Cell {
        path: PathBuf,
        sheet: String,
        row: u32,
        col: u32,
    },
    /// A whole worksheet.
    Sheet { path: PathBuf, sheet: String },
    /// A position in a text file (YAML, template, markup); 1-based.
    Text {
        path: PathBuf,
        line: u32,
        column: u32,
    },
}

impl Location {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location::File { path: path.into() }
    }

    pub fn cell(path: impl Into<PathBuf>, sheet: impl Into<String>, row: u32, col: u32) -> Self {
        Location::Cell {
            path: path.into(),
            sheet: sheet.into(),
            row,
            col,
        }
    }

    pub fn sheet(path: impl Into<PathBuf>, sheet: impl Into<String>) -> Self {
        Location::Sheet {
            path: path.into(),
            sheet: sheet.into(),
        }
    }

    pub fn text(path: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Location::Text {
            path: path.into(),
            line,
            column,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::None => None,
            Location::File { path }
            | Location::Cell { path, .. }
            | Location::Sheet { path, .. }
            | Location::Text { path, .. } => Some(path),
        }
    }
}

/// Spreadsheet column letters for a 0-based column: 0 → A, 26 → AA.
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// A cell address such as `C5` for 0-based (row, col).
pub fn cell_address(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::None => Ok(()),
            Location::File { path } => write!(f, "{}", path.display()),
            Location::Sheet { path, sheet } => write!(f, "{}:{}", path.display(), sheet),
            Location::Cell {
                path,
                sheet,
                row,
                col,
            } => write!(
                f,
                "{}:{}!{}",
                path.display(),
                sheet,
                cell_address(*row, *col)
            ),
            Location::Text { path, line, column } => {
                write!(f, "{}:{}:{}", path.display(), line, column)
            }
        }
    }
}

/// How many characters of a value a message quotes at most.
pub const QUOTE_MAX_CHARS: usize = 80;

/// A value as a message quotes it: on one line (line breaks and other control characters shown
/// as `\n`, `\t`, `\u{..}`) and at most [`QUOTE_MAX_CHARS`] characters; a longer value is cut
/// with 「…」 and its length is told (「…（全 2000000 文字）」 / "… (2000000 characters)"), so a
/// 2 MB line typed into a file never becomes a 2 MB message.
pub fn quote(value: &str, lang: Lang) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut total = 0;
    for c in value.chars() {
        total += 1;
        if shown >= QUOTE_MAX_CHARS {
            continue;
        }
        shown += 1;
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    if total > shown {
        match lang {
            Lang::Ja => out.push_str(&format!("…（全 {total} 文字）")),
            Lang::En => out.push_str(&format!("… ({total} characters)")),
        }
    }
    out
}

/// A text in both languages: the Japanese a clerk reads and its English twin (`--lang en`).
/// Every ja/en pair travels as one of these until it is given a place ([`Message::error_at`]:
/// a [`Diagnostic`]) or printed in the language asked for ([`Message::get`]).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Message {
    pub ja: String,
    pub en: String,
}

impl Message {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Message {
        Message {
            ja: ja.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    /// The problem this message says, found at `location`.
    pub fn error_at(self, location: Location) -> Diagnostic {
        Diagnostic::error(location, self.ja, self.en)
    }

    /// The warning this message says, at `location`.
    pub fn warning_at(self, location: Location) -> Diagnostic {
        Diagnostic::warning(location, self.ja, self.en)
    }
}

/// The English text: what an error chain or a log shows (the command line picks the language
/// with [`Message::get`]).
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Message {}

/// One problem, in both languages: a [`Message`] with its severity and place (its two texts
/// are kept as fields of their own, which every stage and test reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub ja: String,
    pub en: String,
}

impl Diagnostic {
    pub fn error(location: Location, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn warning(location: Location, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location,
            ja: ja.into(),
            en: en.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    /// The two texts, without the place.
    pub fn text(&self) -> Message {
        Message::new(self.ja.clone(), self.en.clone())
    }

    /// The one-line form shown to users: `location: [warning: ]message`.
    pub fn render(&self, lang: Lang) -> String {
        let prefix = match (self.severity, lang) {
            (Severity::Error, _) => "",
            (Severity::Warning, Lang::Ja) => "警告: ",
            (Severity::Warning, Lang::En) => "warning: ",
        };
        match self.location {
            Location::None => format!("{prefix}{}", self.message(lang)),
            _ => format!("{}: {prefix}{}", self.location, self.message(lang)),
        }
    }
}

/// An ordered collection of problems; stages append, nobody stops at the first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn error(&mut self, location: Location, ja: impl Into<String>, en: impl Into<String>) {
        self.push(Diagnostic::error(location, ja, en));
    }

    pub fn warning(&mut self, location: Location, ja: impl Into<String>, en: impl Into<String>) {
        self.push(Diagnostic::warning(location, ja, en));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts by location so output is stable whatever order stages ran in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.location, a.severity, &a.en).cmp(&(&b.location, b.severity, &b.en))
        });
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_keeps_short_values_and_cuts_long_ones_on_one_line() {
        assert_eq!(quote("企画部", Lang::Ja), "企画部");
        assert_eq!(quote("a\nb\tc\u{7}", Lang::En), "a\\nb\\tc\\u{7}");
        let long = "あ".repeat(2_000_000);
        let q = quote(&long, Lang::Ja);
        assert!(q.starts_with(&"あ".repeat(QUOTE_MAX_CHARS)), "{q}");
        assert!(q.ends_with("…（全 2000000 文字）"), "{q}");
        assert_eq!(
            q.chars().count(),
            QUOTE_MAX_CHARS + "…（全 2000000 文字）".chars().count()
        );
        assert!(quote(&long, Lang::En).ends_with("… (2000000 characters)"));
        assert_eq!(
            quote(&"x".repeat(QUOTE_MAX_CHARS), Lang::Ja).len(),
            QUOTE_MAX_CHARS
        );
    }

    #[test]
    fn column_letters_roll_over_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn cell_locations_render_as_file_sheet_cell() {
        let d = Diagnostic::error(
            Location::cell("sources/workbooks/企画部.xlsx", "目標指標", 4, 2),
            "エラー値 #DIV/0! があります",
            "error value #DIV/0!",
        );
        assert_eq!(
            d.render(Lang::Ja),
            "sources/workbooks/企画部.xlsx:目標指標!C5: エラー値 #DIV/0! があります"
        );
        let t = Diagnostic::warning(Location::text("a.yaml", 3, 7), "注意", "note");
        assert_eq!(t.render(Lang::En), "a.yaml:3:7: warning: note");
    }
}
