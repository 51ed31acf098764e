//! Template helpers: everything a template author needs to format the model's values, so
//! nobody has to touch Rust to change how a document reads.
//!
//! Filters: `num`, `percent`, `era`, `narrative`, `cell`, `lines`→`br`, `katakana`, `circled`.
//! Tests: `blank`.

use hakusho_typeset::ListMarkers;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, Value};

use super::narrative;

fn invalid(ja: impl Into<String>, en: impl Into<String>) -> Error {
    super::helper_error(ja, en)
}

/// Groups the integer part of a decimal string with commas: "1234567.5" → "1,234,567.5".
fn group_digits(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// Formats a number: thousands separators, `decimals` fixed digits (or as few as needed).
pub fn format_number(n: f64, decimals: Option<usize>, grouping: bool) -> String {
    let s = match decimals {
        Some(d) => format!("{n:.d$}"),
        None => {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{n:.0}")
            } else {
                // Shortest representation that round-trips, without exponent for usual values.
                let s = format!("{n}");
                if s.contains('e') {
                    format!("{n:.6}")
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_string()
                } else {
                    s
                }
            }
        }
    };
    // "-0" after rounding reads oddly in a report.
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    if grouping {
        group_digits(&s)
    } else {
        s
    }
}

/// The model's `Value` (a map with `text`, `number`, ...) or a plain value: returns
/// (number, text, decimals, percent) as far as known.
struct Num {
    number: Option<f64>,
    text: Option<String>,
    decimals: Option<usize>,
    percent: bool,
    unit: Option<String>,
    grouping: Option<bool>,
}

fn as_f64(v: &Value) -> Option<f64> {
    match v.kind() {
        ValueKind::Number => f64::try_from(v.clone()).ok(),
        _ => None,
    }
}

fn opt_string(v: &Value) -> Option<String> {
    if v.is_none() || v.is_undefined() {
        None
    } else {
        v.as_str().map(str::to_string)
    }
}

fn extract(value: &Value) -> Result<Num, Error> {
    match value.kind() {
        ValueKind::Number => Ok(Num {
            number: as_f64(value),
            text: None,
            decimals: None,
            percent: false,
            unit: None,
            grouping: None,
        }),
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            // A plain string that is a number ("1234", "12.5") is formatted as one.
            let parsed = s.trim().replace(',', "").parse::<f64>().ok();
            Ok(Num {
                number: parsed,
                text: Some(s.to_string()),
                decimals: None,
                percent: false,
                unit: None,
                grouping: None,
            })
        }
        ValueKind::Undefined | ValueKind::None => Ok(Num {
            number: None,
            text: Some(String::new()),
            decimals: None,
            percent: false,
            unit: None,
            grouping: None,
        }),
        ValueKind::Map => {
            let number = value.get_attr("number").ok().as_ref().and_then(as_f64);
            let text = value.get_attr("text").ok().as_ref().and_then(opt_string);
            let decimals = value
                .get_attr("decimals")
                .ok()
                .and_then(|d| usize::try_from(d).ok());
            let percent = value
                .get_attr("percent")
                .map(|p| p.is_true())
                .unwrap_or(false);
            let unit = value.get_attr("unit").ok().as_ref().and_then(opt_string);
            let grouping = value
                .get_attr("grouping")
                .ok()
                .filter(|g| !g.is_undefined() && !g.is_none())
                .map(|g| g.is_true());
            Ok(Num {
                number,
                text,
                decimals,
                percent,
                unit,
                grouping,
            })
        }
        other => Err(invalid(format!("フィルタ num は {other} を数として書けません（数か、数を表す文字を渡してください）"), format!("num: cannot format a {other} as a number"))),
    }
}

/// `{{ x|num }}`, `{{ x|num(1) }}`, `{{ x|num(0, "件") }}`, `{{ x|num(unit="人") }}`,
/// `{{ x|num(grouping=false) }}`. Thousands separators; `decimals` fixed digits;
/// `unit` appended. For the model's `Value` the number is used (its own decimals and unit
/// unless given); a value that is not a number (維持, —) prints as typed.
pub fn num(
    value: &Value,
    decimals: Option<usize>,
    unit: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let decimals = match decimals {
        Some(d) => Some(d),
        None => kwargs.get::<Option<usize>>("decimals")?,
    };
    let unit = match unit {
        Some(u) => Some(u),
        None => kwargs.get::<Option<String>>("unit")?,
    };
    let grouping_arg = kwargs.get::<Option<bool>>("grouping")?;
    kwargs.assert_all_used()?;
    let n = extract(value)?;
    let grouping = grouping_arg.or(n.grouping).unwrap_or(true);
    match n.number {
        Some(mut x) => {
            let mut d = decimals.or(n.decimals);
            let mut u = unit.or(n.unit.clone());
            if n.percent && u.is_none() {
                x *= 100.0;
                u = Some("%".to_string());
                d = d.or(Some(1));
            }
            let mut s = format_number(x, d, grouping);
            if let Some(u) = u {
                s.push_str(&u);
            }
            Ok(s)
        }
        None => Ok(n.text.unwrap_or_default()),
    }
}

/// `{{ 0.356|percent }}` → `35.6%`; `{{ x|percent(0) }}` → `36%`. The input is a ratio
/// (the model's percent values keep 0.356 for 35.6%).
pub fn percent(value: &Value, decimals: Option<usize>) -> Result<String, Error> {
    let n = extract(value)?;
    match n.number {
        Some(x) => Ok(format!(
            "{}%",
            format_number(x * 100.0, Some(decimals.unwrap_or(1)), true)
        )),
        None => Ok(n.text.unwrap_or_default()),
    }
}

/// `{{ 2020|era }}` → `令和2年度`; `{{ 2019|era }}` → `令和元年度`;
/// `{{ 2020|era(western=true) }}` → `令和2(2020)年度`; `{{ 2020|era(suffix="年") }}` → `令和2年`;
/// `{{ 2020|era(suffix="") }}` → `令和2`. The year is a fiscal (or calendar) year number.
pub fn era(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let suffix = kwargs
        .get::<Option<String>>("suffix")?
        .unwrap_or_else(|| "年度".to_string());
    let western = kwargs.get::<Option<bool>>("western")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let year: i64 = match value.kind() {
        ValueKind::Number => i64::try_from(value.clone())?,
        ValueKind::String => value
            .as_str()
            .unwrap_or_default()
            .trim()
            .parse()
            .map_err(|_| {
                invalid(
                    format!("フィルタ era に渡された「{value}」は年ではありません"),
                    format!("era: '{value}' is not a year"),
                )
            })?,
        other => {
            return Err(invalid(
                format!("フィルタ era には年（数）を渡してください（渡されたのは {other}）"),
                format!("era: expected a year, got a {other}"),
            ))
        }
    };
    let year = i32::try_from(year).map_err(|_| {
        invalid(
            format!("フィルタ era: {year} 年の元号がわかりません"),
            format!("era: no Japanese era known for year {year}"),
        )
    })?;
    let with_western = if western {
        format!("({year}){suffix}")
    } else {
        suffix
    };
    hakusho_sources::era_label(year, &with_western).ok_or_else(|| {
        invalid(
            format!("フィルタ era: {year} 年の元号がわかりません"),
            format!("era: no Japanese era known for year {year}"),
        )
    })
}

/// `{{ text|narrative }}` → `<p>`/`<ul>`/`<ol>` markup, everything escaped.
/// `{{ text|narrative("note") }}` puts a class on the paragraphs. A line starting with one of
/// `markers` (the style sheet's `lists.markers`) is a list item.
pub fn narrative(
    value: &Value,
    class: Option<String>,
    markers: &ListMarkers,
) -> Result<Value, Error> {
    let text = match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        ValueKind::Map => value
            .get_attr("text")
            .ok()
            .as_ref()
            .and_then(opt_string)
            .unwrap_or_default(),
        ValueKind::Seq => {
            // A list of strings: each one its own paragraph.
            let mut parts = Vec::new();
            for v in value.try_iter()? {
                parts.push(
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                );
            }
            parts.join("\n\n")
        }
        _ => value.to_string(),
    };
    Ok(Value::from_safe_string(narrative::to_markup(
        &text,
        class.as_deref(),
        markers,
    )))
}

/// `{{ text|narrative_inline }}`: narrative text for a table cell: paragraphs and list items
/// each on its own line (`<br/>` between), everything escaped.
pub fn narrative_inline(value: &Value, markers: &ListMarkers) -> Result<Value, Error> {
    let text = match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        _ => cell(value)?,
    };
    Ok(Value::from_safe_string(narrative::to_inline_markup(
        &text, markers,
    )))
}

/// `{{ v|cell }}`: the text of one of the model's `Value`s exactly as the department typed
/// it (escaped by auto-escaping); plain strings and numbers print as themselves; a missing
/// value prints nothing.
pub fn cell(value: &Value) -> Result<String, Error> {
    Ok(match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Map => match value.get_attr("text") {
            Ok(t) if !t.is_undefined() && !t.is_none() => {
                t.as_str().unwrap_or_default().to_string()
            }
            _ => String::new(),
        },
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        _ => value.to_string(),
    })
}

/// Escapes `text` and keeps its line breaks (a clerk's Alt+Enter in a cell) as `<br/>`.
fn escaped_lines(text: &str) -> String {
    text.trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| narrative::escaped(l.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// `{{ v|cell_lines }}`: like `cell`, but the line breaks typed in the cell are kept, and a
/// value's trailing annotation (`(平成21年)`, `(注2)`) goes on a line of its own, as printed
/// reports set it in narrow table columns.
pub fn cell_lines(value: &Value) -> Result<Value, Error> {
    let text = cell(value)?;
    let annotation = match value.kind() {
        ValueKind::Map => value
            .get_attr("annotation")
            .ok()
            .as_ref()
            .and_then(opt_string)
            .filter(|a| !a.trim().is_empty()),
        _ => None,
    };
    if let Some(a) = annotation {
        if let Some(main) = text.trim_end().strip_suffix(a.trim()) {
            let main = main.trim_end();
            if !main.is_empty() {
                return Ok(Value::from_safe_string(format!(
                    "{}<br/>{}",
                    escaped_lines(main),
                    escaped_lines(a.trim())
                )));
            }
        }
    }
    Ok(Value::from_safe_string(escaped_lines(&text)))
}

/// `{{ label|br }}`: escapes text and turns its line breaks into `<br/>` (table header labels
/// such as "平成26年度\n(前期)").
pub fn br(value: &Value) -> Result<Value, Error> {
    let text = cell(value)?;
    let lines: Vec<String> = text
        .trim_end_matches('\n')
        .split('\n')
        .map(|l| narrative::escaped(l.trim_end_matches('\r')))
        .collect();
    Ok(Value::from_safe_string(lines.join("<br/>")))
}

/// `{{ 1|katakana }}` → `ア` (the ア イ ウ … labels of sub-items, as in the white paper).
pub fn katakana(n: usize) -> Result<String, Error> {
    const IROHA: &[&str] = &[
        "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ",
        "タ", "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ",
    ];
    n.checked_sub(1)
        .and_then(|i| IROHA.get(i))
        .map(|s| s.to_string())
        .ok_or_else(|| {
            invalid(
                format!(
                    "フィルタ katakana: {n} は 1〜{} の範囲にありません",
                    IROHA.len()
                ),
                format!("katakana: {n} is out of range 1–{}", IROHA.len()),
            )
        })
}

/// `{{ 3|circled }}` → `③` (1–20).
pub fn circled(n: u32) -> Result<String, Error> {
    if (1..=20).contains(&n) {
        Ok(char::from_u32(0x2460 + n - 1).unwrap().to_string())
    } else {
        Err(invalid(
            format!("フィルタ circled: {n} は 1〜20 の範囲にありません"),
            format!("circled: {n} is out of range 1–20"),
        ))
    }
}

/// `{% if x is blank %}`: nothing to print (missing, none, empty or blank text, an empty
/// list, or a model `Value` whose kind is `empty`).
pub fn is_blank(value: &Value) -> bool {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => true,
        ValueKind::String => value.as_str().unwrap_or_default().trim().is_empty(),
        ValueKind::Seq => value.len() == Some(0),
        ValueKind::Map => {
            if let Ok(kind) = value.get_attr("kind") {
                if kind.as_str() == Some("empty") {
                    return true;
                }
            }
            match value.get_attr("text") {
                Ok(t) if !t.is_undefined() => {
                    t.as_str().map(|s| s.trim().is_empty()).unwrap_or(false)
                }
                _ => value.len() == Some(0),
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_separators() {
        assert_eq!(format_number(34677.0, None, true), "34,677");
        assert_eq!(format_number(1234567.891, Some(2), true), "1,234,567.89");
        assert_eq!(format_number(-1234.0, None, true), "-1,234");
        assert_eq!(format_number(999.0, None, true), "999");
        assert_eq!(format_number(33.46, None, true), "33.46");
        assert_eq!(format_number(-0.001, Some(1), true), "0.0");
    }
}
