//! One cell as the department typed it ([`Value`]), and how typed text is read.

use serde::Serialize;

use crate::era;
use crate::numfmt::{self, Formatted};
use crate::text::half_width_char;

/// What kind of value a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    #[default]
    Empty,
    Number,
    Text,
}

/// One cell. `text` is exactly what the reader should see; the other fields are what could be
/// read from it and never replace it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Value {
    /// What the reader sees: the text as typed, or a numeric cell with its Excel format applied.
    pub text: String,
    pub kind: ValueKind,
    /// The number: 34677 for `34,677件`, 0.356 for `35.6%`, 20292 for `２０，２９２`.
    pub number: Option<f64>,
    /// Digits after the decimal point as shown (`Some(1)` for `35.6%`); `None` when not a number.
    pub decimals: Option<u32>,
    /// Shown as a percentage (`number` is then the ratio).
    pub percent: bool,
    /// Shown with thousands separators.
    pub grouping: bool,
    /// Text after the number: 件, 人, ha, 百万円, か所...
    pub unit: Option<String>,
    /// A parenthesized note after the value, as typed: `(平成21年)`, `(198人)`, `（注1）`.
    pub annotation: Option<String>,
    /// Compound values (`8施設 98事業者`): one value per part; empty otherwise.
    pub parts: Vec<Value>,
    /// The western year when the value is a year (`平成22年度` → 2010).
    pub year: Option<i32>,
    /// ISO date (`2021-03-31`) for date cells.
    pub date: Option<String>,
}

/// Endings that make a "unit" a qualifier of a phrase rather than a unit (`80台以下`).
const QUALIFIERS: &[&str] = &["以上", "以下", "未満", "超", "程度", "前後", "まで", "から"];

impl Value {
    /// An empty cell.
    pub fn empty() -> Value {
        Value::default()
    }

    /// Text as typed (a text cell, or a YAML string): parsed for a number, unit, annotation,
    /// compound parts and era years; `text` is kept verbatim.
    pub fn from_text(typed: &str) -> Value {
        let mut v = parse_text(typed);
        v.text = typed.to_string();
        v
    }

    /// A numeric cell with its Excel number format code (`General` when unknown).
    pub fn from_number(number: f64, format_code: &str) -> Value {
        let f = numfmt::format_number(number, format_code);
        Value::from_formatted(number, f)
    }

    /// A numeric cell with its format code, or why it would not print as a number (a reader of
    /// cells reports that at the cell instead of printing `inf%`).
    pub fn try_from_number(number: f64, format_code: &str) -> Result<Value, numfmt::Unprintable> {
        let f = numfmt::try_format_number(number, format_code)?;
        Ok(Value::from_formatted(number, f))
    }

    /// A date cell (Excel serial) with its format code.
    pub fn from_date_serial(serial: f64, format_code: &str) -> Value {
        let f = numfmt::format_date_serial(serial, format_code);
        Value::from_formatted(serial, f)
    }

    fn from_formatted(number: f64, f: Formatted) -> Value {
        if let Some((y, m, d)) = f.date {
            return Value {
                text: f.text,
                kind: ValueKind::Text,
                date: Some(format!("{y:04}-{m:02}-{d:02}")),
                ..Value::default()
            };
        }
        Value {
            text: f.text,
            kind: ValueKind::Number,
            number: Some(number),
            decimals: Some(f.decimals),
            percent: f.percent,
            grouping: f.grouping,
            unit: f.unit,
            ..Value::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kind == ValueKind::Empty
    }
}

/// Reads typed text; `text` of the result is the trimmed input (callers put back the verbatim
/// text).
fn parse_text(typed: &str) -> Value {
    let trimmed = typed.trim();
    if trimmed.is_empty() {
        return Value {
            text: typed.to_string(),
            ..Value::default()
        };
    }
    let text_value = || Value {
        text: trimmed.to_string(),
        kind: ValueKind::Text,
        year: era::parse_year(trimmed),
        ..Value::default()
    };
    let (main, annotation) = split_annotation(trimmed);
    let main = main.trim_end();
    if main.is_empty() {
        return text_value();
    }
    if let Some(mut v) = parse_number_with_unit(main) {
        v.text = trimmed.to_string();
        v.annotation = annotation.map(str::to_string);
        return v;
    }
    // compound: parts separated by spaces, each a number with a unit
    let pieces: Vec<&str> = main
        .split(|c: char| c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if pieces.len() >= 2 {
        let parts: Option<Vec<Value>> = pieces
            .iter()
            .map(|p| {
                parse_number_with_unit(p).map(|mut v| {
                    v.text = p.to_string();
                    v
                })
            })
            .collect();
        if let Some(parts) = parts {
            return Value {
                text: trimmed.to_string(),
                kind: ValueKind::Text,
                annotation: annotation.map(str::to_string),
                parts,
                ..Value::default()
            };
        }
    }
    let mut v = text_value();
    if v.year.is_none() {
        if let Some(a) = annotation {
            v.annotation = Some(a.to_string());
            v.year = era::parse_year(main);
        }
    }
    v
}

/// `"326事業所 (平成21年)"` → (`"326事業所 "`, `Some("(平成21年)")`): a trailing parenthesized
/// group (half- or full-width parentheses, nesting respected) that does not make up the whole
/// text.
fn split_annotation(s: &str) -> (&str, Option<&str>) {
    let is_close = |c: char| c == ')' || c == '）';
    let is_open = |c: char| c == '(' || c == '（';
    if !s.ends_with(is_close) {
        return (s, None);
    }
    let mut depth = 0usize;
    for (i, c) in s.char_indices().rev() {
        if is_close(c) {
            depth += 1;
        } else if is_open(c) {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                if i == 0 {
                    return (s, None);
                }
                return (&s[..i], Some(&s[i..]));
            }
        }
    }
    (s, None)
}

/// `34,677件`, `38.8%`, `２０，２９２`, `-1.5`, `△3`, `0人`, `1.16`: an optional sign, digits
/// (with correctly placed thousands separators), optional decimals, optional `%`, then an
/// optional short unit. `None` when `s` is not such a value.
fn parse_number_with_unit(s: &str) -> Option<Value> {
    let chars: Vec<char> = s.chars().map(half_width_char).collect();
    let mut i = 0;
    let mut negative = false;
    if let Some(c) = chars.first() {
        if matches!(c, '-' | '△' | '▲' | '+') {
            negative = *c != '+';
            i = 1;
        }
    }
    let int_start = i;
    let mut int_digits = String::new();
    let mut grouping = false;
    let mut group_len = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            int_digits.push(c);
            group_len += 1;
        } else if c == ',' {
            // a separator must follow 1–3 digits first, then groups of exactly 3
            if int_digits.is_empty() || (grouping && group_len != 3) || group_len > 3 {
                return None;
            }
            grouping = true;
            group_len = 0;
        } else {
            break;
        }
        i += 1;
    }
    if int_digits.is_empty() || (grouping && group_len != 3) || i == int_start {
        return None;
    }
    let mut frac = String::new();
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            frac.push(chars[i]);
            i += 1;
        }
    }
    let mut percent = false;
    if chars.get(i) == Some(&'%') {
        percent = true;
        i += 1;
    }
    let unit: String = chars[i..].iter().collect();
    let unit = unit.trim();
    // the unit as typed (not half-width converted): take the same number of chars from `s`
    let unit_typed: String = {
        let skip = s.chars().count() - chars[i..].len();
        s.chars().skip(skip).collect::<String>().trim().to_string()
    };
    if !unit.is_empty() && !is_unit(unit) {
        return None;
    }
    let number_text = if frac.is_empty() {
        int_digits.clone()
    } else {
        format!("{int_digits}.{frac}")
    };
    let mut number: f64 = number_text.parse().ok()?;
    if negative {
        number = -number;
    }
    if percent {
        number /= 100.0;
    }
    Some(Value {
        text: s.to_string(),
        kind: ValueKind::Number,
        number: Some(number),
        decimals: Some(frac.len() as u32),
        percent,
        grouping,
        unit: (!unit.is_empty()).then_some(unit_typed),
        ..Value::default()
    })
}

fn is_unit(unit: &str) -> bool {
    let n = unit.chars().count();
    n <= 6
        && !unit.chars().any(|c| {
            c.is_ascii_digit()
                || c.is_whitespace()
                || "()（）、。,.%・:：;；!?！？「」『』~〜～".contains(c)
        })
        && !QUALIFIERS.iter().any(|q| unit.ends_with(q))
        && !unit.contains(['を', 'に', 'が', 'は', 'で', 'と', 'の'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> (Option<f64>, Option<String>, Option<String>) {
        let v = Value::from_text(s);
        assert_eq!(v.text, s, "text is kept verbatim");
        (v.number, v.unit, v.annotation)
    }

    #[test]
    fn numbers_typed_as_text() {
        assert_eq!(num("34,677件"), (Some(34677.0), Some("件".into()), None));
        let v = Value::from_text("34,677件");
        assert!(v.grouping);
        assert_eq!(v.kind, ValueKind::Number);
        assert_eq!(v.decimals, Some(0));
        assert_eq!(num("0人"), (Some(0.0), Some("人".into()), None));
        assert_eq!(num("171ha"), (Some(171.0), Some("ha".into()), None));
        assert_eq!(num("1.16"), (Some(1.16), None, None));
        let v = Value::from_text("38.8%");
        assert!((v.number.unwrap() - 0.388).abs() < 1e-12);
        assert!(v.percent);
        assert_eq!(v.decimals, Some(1));
        let v = Value::from_text("２０，２９２");
        assert_eq!(v.number, Some(20292.0));
        assert!(v.grouping);
        assert_eq!(v.text, "２０，２９２");
        assert_eq!(num("△3"), (Some(-3.0), None, None));
        assert_eq!(num("3か所"), (Some(3.0), Some("か所".into()), None));
        assert_eq!(num("12百万円"), (Some(12.0), Some("百万円".into()), None));
    }

    #[test]
    fn misplaced_separators_are_text() {
        assert_eq!(Value::from_text("1,23").kind, ValueKind::Text);
        assert_eq!(Value::from_text("12,3456").kind, ValueKind::Text);
        assert_eq!(Value::from_text("1-1").kind, ValueKind::Text);
    }

    #[test]
    fn annotations() {
        assert_eq!(
            num("326事業所 (平成21年)"),
            (
                Some(326.0),
                Some("事業所".into()),
                Some("(平成21年)".into())
            )
        );
        assert_eq!(
            num("4,372人 (198人)"),
            (Some(4372.0), Some("人".into()), Some("(198人)".into()))
        );
        assert_eq!(
            num("1件 (⑤)"),
            (Some(1.0), Some("件".into()), Some("(⑤)".into()))
        );
        assert_eq!(
            num("1.16 (平成26年)"),
            (Some(1.16), None, Some("(平成26年)".into()))
        );
        assert_eq!(
            num("4件(①②③④)"),
            (Some(4.0), Some("件".into()), Some("(①②③④)".into()))
        );
        assert_eq!(
            num("5人（注1）"),
            (Some(5.0), Some("人".into()), Some("（注1）".into()))
        );
    }

    #[test]
    fn compound_values() {
        let v = Value::from_text("8施設 98事業者");
        assert_eq!(v.kind, ValueKind::Text);
        assert_eq!(v.number, None);
        assert_eq!(v.parts.len(), 2);
        assert_eq!(v.parts[0].number, Some(8.0));
        assert_eq!(v.parts[0].unit.as_deref(), Some("施設"));
        assert_eq!(v.parts[0].text, "8施設");
        assert_eq!(v.parts[1].number, Some(98.0));
        assert_eq!(v.parts[1].unit.as_deref(), Some("事業者"));
    }

    #[test]
    fn words_stay_text() {
        for s in [
            "維持",
            "—",
            "-",
            "同左",
            "都市計画決定",
            "80台以下",
            "概ね80%台を維持(特殊要因による場合にあっても90%台前半に抑制)",
        ] {
            let v = Value::from_text(s);
            assert_eq!(v.kind, ValueKind::Text, "{s}");
            assert_eq!(v.number, None, "{s}");
            assert_eq!(v.text, s);
        }
        let v = Value::from_text("概ね80%台を維持(特殊要因による場合にあっても90%台前半に抑制)");
        assert_eq!(
            v.annotation.as_deref(),
            Some("(特殊要因による場合にあっても90%台前半に抑制)")
        );
    }

    #[test]
    fn years_and_empties() {
        assert_eq!(Value::from_text("平成22年度").year, Some(2010));
        assert_eq!(Value::from_text("令和2年度").year, Some(2020));
        assert_eq!(Value::from_text("  ").kind, ValueKind::Empty);
        assert_eq!(Value::from_text("").text, "");
    }

    #[test]
    fn numeric_cells_take_their_format() {
        let v = Value::from_number(0.356, "0.0%");
        assert_eq!(v.text, "35.6%");
        assert_eq!(v.number, Some(0.356));
        assert!(v.percent);
        let v = Value::from_number(1234.0, "#,##0");
        assert_eq!(v.text, "1,234");
        let v = Value::from_number(34677.0, "#,##0\"件\"");
        assert_eq!(v.text, "34,677件");
        assert_eq!(v.unit.as_deref(), Some("件"));
        let v = Value::from_date_serial(44286.0, "yyyy/m/d");
        assert_eq!(v.text, "2021/3/31");
        assert_eq!(v.date.as_deref(), Some("2021-03-31"));
    }
}
