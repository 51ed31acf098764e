//! A small Excel number-format formatter: shows a numeric cell the way Excel shows it.
//!
//! Covered: `General`, digit placeholders `0 # ?`, decimals, thousands separators (`#,##0`),
//! scaling commas (`#,##0,`), percent, literal text (`"件"`, `\x`, plain characters such as
//! `円`), `[$¥-411]` currency, colour/condition/locale brackets (ignored), up to four sections
//! (`positive;negative;zero;text`) and simple date codes (`yyyy/m/d`, `ggge"年"m"月"d"日"`).
//! Anything else (scientific notation, fractions) falls back to `General`.

use crate::era;

/// A number as displayed, with what the format says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
    /// The text Excel displays.
    pub text: String,
    /// Digits shown after the decimal point.
    pub decimals: u32,
    pub percent: bool,
    /// Thousands separators shown.
    pub grouping: bool,
    /// Literal text after the number (`件` of `#,##0"件"`), trimmed; `None` when there is none.
    pub unit: Option<String>,
    /// The format is a date/time format; `text` is the date.
    pub date: Option<(i32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(String),
    Digit(char),
    Dot,
    Comma,
    Percent,
    Exp,
    Date(String),
    At,
}

/// Most digits an Excel number format may show after the decimal point (Excel's own limit).
pub const MAX_DECIMALS: usize = 30;

/// Why a number cannot be shown with its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unprintable {
    /// Not a finite number, or one that overflows once the format scales it (`1e308` as `0%`).
    TooLarge,
    /// The format asks for this many decimals, over [`MAX_DECIMALS`].
    TooManyDecimals(usize),
}

/// Formats `value` with the Excel format `code`; numbers that cannot be shown with it fall
/// back to `General` (readers of cells use [`try_format_number`] and report them).
pub fn format_number(value: f64, code: &str) -> Formatted {
    try_format_number(value, code).unwrap_or_else(|_| general(value))
}

/// Formats `value` with the Excel format `code`, or says why it would not print as a number
/// (`inf%`, `NaN%`).
pub fn try_format_number(value: f64, code: &str) -> Result<Formatted, Unprintable> {
    if !value.is_finite() {
        return Err(Unprintable::TooLarge);
    }
    let sections = split_sections(code);
    let (section, signed) = match sections.len() {
        0 => return Ok(general(value)),
        1 => (sections[0].as_str(), value),
        2 => {
            if value < 0.0 {
                (sections[1].as_str(), -value)
            } else {
                (sections[0].as_str(), value)
            }
        }
        _ => {
            if value < 0.0 {
                (sections[1].as_str(), -value)
            } else if value == 0.0 {
                (sections[2].as_str(), value)
            } else {
                (sections[0].as_str(), value)
            }
        }
    };
    if section.is_empty() && sections.len() > 1 {
        // `;;;` hides the value
        return Ok(Formatted {
            text: String::new(),
            decimals: 0,
            percent: false,
            grouping: false,
            unit: None,
            date: None,
        });
    }
    let toks = tokenize(section);
    if section.trim().eq_ignore_ascii_case("general") || section.trim().is_empty() {
        let mut f = general(signed.abs());
        if signed < 0.0 && sections.len() == 1 {
            f.text.insert(0, '-');
        } else if signed < 0.0 {
            // general in a negative section: Excel shows the absolute value
        }
        return Ok(f);
    }
    if toks.iter().any(|t| matches!(t, Tok::Date(_))) {
        return Ok(format_date(value, &toks));
    }
    if toks.iter().any(|t| matches!(t, Tok::Exp)) {
        return Ok(general(value));
    }
    if !toks.iter().any(|t| matches!(t, Tok::Digit(_))) {
        // a literal-only section (e.g. the zero section "-"), or "@"
        let mut text = String::new();
        for t in &toks {
            match t {
                Tok::Lit(s) => text.push_str(s),
                Tok::At | Tok::Digit(_) => text.push_str(&general(signed).text),
                Tok::Percent => text.push('%'),
                _ => {}
            }
        }
        return Ok(Formatted {
            text,
            decimals: 0,
            percent: false,
            grouping: false,
            unit: None,
            date: None,
        });
    }
    format_digits(signed, &toks)
}

fn format_digits(value: f64, toks: &[Tok]) -> Result<Formatted, Unprintable> {
    let first = toks
        .iter()
        .position(|t| matches!(t, Tok::Digit(_)))
        .unwrap_or(0);
    let last = toks
        .iter()
        .rposition(|t| matches!(t, Tok::Digit(_)))
        .unwrap_or(0);
    let dot = toks[first..=last]
        .iter()
        .position(|t| *t == Tok::Dot)
        .map(|p| p + first);
    let int_end = dot.unwrap_or(last + 1);
    let int_digits: Vec<char> = toks[first..int_end]
        .iter()
        .filter_map(|t| match t {
            Tok::Digit(c) => Some(*c),
            _ => None,
        })
        .collect();
    let frac_digits: Vec<char> = match dot {
        Some(d) => toks[d + 1..=last]
            .iter()
            .filter_map(|t| match t {
                Tok::Digit(c) => Some(*c),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let grouping = toks[first..int_end].contains(&Tok::Comma);
    // scaling commas: right after the last integer placeholder (or after the last digit)
    let mut scale = 0;
    let scale_from = if dot.is_some() { last + 1 } else { int_end };
    for t in &toks[scale_from..] {
        if *t == Tok::Comma {
            scale += 1;
        } else {
            break;
        }
    }
    let percents = toks.iter().filter(|t| **t == Tok::Percent).count();
    let mut x = value.abs();
    for _ in 0..percents {
        x *= 100.0;
    }
    for _ in 0..scale {
        x /= 1000.0;
    }
    let frac_total = frac_digits.len();
    if frac_total > MAX_DECIMALS {
        return Err(Unprintable::TooManyDecimals(frac_total));
    }
    let frac_min = frac_digits.iter().filter(|c| **c == '0').count();
    let rounded = round_half_away(x, frac_total as i32);
    if !rounded.is_finite() {
        return Err(Unprintable::TooLarge);
    }
    let mut s = format!("{:.*}", frac_total, rounded);
    let (mut int_part, mut frac_part) = match s.find('.') {
        Some(p) => (s[..p].to_string(), s[p + 1..].to_string()),
        None => (std::mem::take(&mut s), String::new()),
    };
    while frac_part.len() > frac_min && frac_part.ends_with('0') {
        frac_part.pop();
    }
    let int_min = int_digits.iter().filter(|c| **c == '0').count();
    if int_part == "0" && int_min == 0 {
        int_part.clear();
    }
    while int_part.len() < int_min {
        int_part.insert(0, '0');
    }
    if grouping {
        int_part = group(&int_part);
    }
    let mut number = int_part;
    if !frac_part.is_empty() {
        number.push('.');
        number.push_str(&frac_part);
    }
    let negative = value < 0.0 && rounded != 0.0;
    let mut text = String::new();
    let mut suffix = String::new();
    if negative {
        text.push('-');
    }
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Digit(_) if i == first => text.push_str(&number),
            Tok::Lit(l) => {
                text.push_str(l);
                if i > last {
                    suffix.push_str(l);
                }
            }
            Tok::Percent => text.push('%'),
            Tok::At => text.push_str(&number),
            _ => {}
        }
    }
    let unit = suffix.trim();
    Ok(Formatted {
        text,
        decimals: frac_part.chars().count() as u32,
        percent: percents > 0,
        grouping,
        unit: (!unit.is_empty()).then(|| unit.to_string()),
        date: None,
    })
}

fn round_half_away(x: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    // nudge by a relative epsilon so 0.355 (stored as 0.35499999...) rounds like Excel
    let y = x * p;
    let y = y + y.abs() * 1e-12;
    (y.round()) / p
}

fn group(int_part: &str) -> String {
    let n = int_part.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Excel's `General`: integers as integers, other numbers with up to 10 significant digits,
/// very large or small ones in scientific notation.
pub fn general(value: f64) -> Formatted {
    let text = if !value.is_finite() {
        "#NUM!".to_string()
    } else if value == value.trunc() && value.abs() < 1e11 {
        format!("{value:.0}")
    } else if value.abs() >= 1e11 || value.abs() < 1e-9 {
        let s = format!("{value:.5E}");
        // 1.23450E11 → 1.2345E+11
        match s.split_once('E') {
            Some((m, e)) => {
                let m = m.trim_end_matches('0').trim_end_matches('.');
                let e: i32 = e.parse().unwrap_or(0);
                format!("{m}E{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            }
            None => s,
        }
    } else {
        let magnitude = value.abs().log10().floor() as i32;
        let decimals = (9 - magnitude).clamp(0, 15) as usize;
        let s = format!("{value:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        if s == "-0" {
            "0".to_string()
        } else {
            s
        }
    };
    let decimals = if text.contains('E') {
        0
    } else {
        text.split_once('.').map_or(0, |(_, f)| f.len() as u32)
    };
    Formatted {
        text,
        decimals,
        percent: false,
        grouping: false,
        unit: None,
        date: None,
    }
}

fn split_sections(code: &str) -> Vec<String> {
    let mut sections = vec![String::new()];
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let last = sections.last_mut().expect("non-empty");
                last.push(c);
                for d in chars.by_ref() {
                    last.push(d);
                    if d == '"' {
                        break;
                    }
                }
            }
            '\\' => {
                let last = sections.last_mut().expect("non-empty");
                last.push(c);
                if let Some(d) = chars.next() {
                    last.push(d);
                }
            }
            ';' => sections.push(String::new()),
            _ => sections.last_mut().expect("non-empty").push(c),
        }
    }
    sections
}

fn tokenize(section: &str) -> Vec<Tok> {
    let chars: Vec<char> = section.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let lit = |toks: &mut Vec<Tok>, s: String| {
        if let Some(Tok::Lit(prev)) = toks.last_mut() {
            prev.push_str(&s);
        } else {
            toks.push(Tok::Lit(s));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    s.push(chars[i]);
                    i += 1;
                }
                lit(&mut toks, s);
            }
            '\\' => {
                if let Some(d) = chars.get(i + 1) {
                    lit(&mut toks, d.to_string());
                }
                i += 1;
            }
            '_' => {
                lit(&mut toks, " ".to_string());
                i += 1;
            }
            '*' => i += 1,
            '[' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != ']' {
                    s.push(chars[i]);
                    i += 1;
                }
                if let Some(cur) = s.strip_prefix('$') {
                    let symbol = cur.split('-').next().unwrap_or("");
                    if !symbol.is_empty() {
                        lit(&mut toks, symbol.to_string());
                    }
                } else if matches!(
                    s.to_ascii_lowercase().as_str(),
                    "h" | "hh" | "m" | "mm" | "s" | "ss"
                ) {
                    toks.push(Tok::Date(s.to_ascii_lowercase()));
                }
            }
            '0' | '#' | '?' => toks.push(Tok::Digit(c)),
            '.' => toks.push(Tok::Dot),
            ',' => toks.push(Tok::Comma),
            '%' => toks.push(Tok::Percent),
            '@' => toks.push(Tok::At),
            'E' | 'e'
                if matches!(chars.get(i + 1), Some('+') | Some('-'))
                    && toks.iter().any(|t| matches!(t, Tok::Digit(_))) =>
            {
                toks.push(Tok::Exp);
                i += 1;
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' | 'g' | 'G' | 'e' | 'E'
            | 'a' | 'A' => {
                if (c == 'a' || c == 'A')
                    && !chars[i..]
                        .iter()
                        .collect::<String>()
                        .to_ascii_uppercase()
                        .starts_with("AM/PM")
                    && !chars[i..]
                        .iter()
                        .collect::<String>()
                        .to_ascii_uppercase()
                        .starts_with("A/P")
                {
                    lit(&mut toks, c.to_string());
                } else {
                    let lower = c.to_ascii_lowercase();
                    let mut s = String::new();
                    if lower == 'a' {
                        let n = if chars[i..]
                            .iter()
                            .collect::<String>()
                            .to_ascii_uppercase()
                            .starts_with("AM/PM")
                        {
                            5
                        } else {
                            3
                        };
                        s = chars[i..i + n]
                            .iter()
                            .collect::<String>()
                            .to_ascii_uppercase();
                        i += n - 1;
                    } else {
                        while i < chars.len() && chars[i].to_ascii_lowercase() == lower {
                            s.push(lower);
                            i += 1;
                        }
                        i -= 1;
                    }
                    toks.push(Tok::Date(s));
                }
            }
            _ => lit(&mut toks, c.to_string()),
        }
        i += 1;
    }
    toks
}

/// Excel serial date (1900 system) → (year, month, day, seconds of the day).
pub fn serial_to_ymd(serial: f64) -> Option<(i32, u32, u32, u32)> {
    if !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86400.0).round() as u32;
    // Excel's fictitious 1900-02-29
    if days >= 60 {
        days -= 1;
    }
    // day 1 = 1900-01-01 → days since 1899-12-31
    let (y, m, d) = civil_from_days(days + days_from_civil(1899, 12, 31));
    Some((y, m, d, secs.min(86399)))
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Formats a date serial with a date code; `yyyy/m/d` when `code` is `General`.
pub fn format_date_serial(serial: f64, code: &str) -> Formatted {
    let code = if code.trim().eq_ignore_ascii_case("general") || code.trim().is_empty() {
        "yyyy/m/d"
    } else {
        code
    };
    let section = split_sections(code).into_iter().next().unwrap_or_default();
    let toks = tokenize(&section);
    if toks.iter().any(|t| matches!(t, Tok::Date(_))) {
        format_date(serial, &toks)
    } else {
        format_date(serial, &tokenize("yyyy/m/d"))
    }
}

fn format_date(serial: f64, toks: &[Tok]) -> Formatted {
    let Some((y, mo, d, secs)) = serial_to_ymd(serial) else {
        return general(serial);
    };
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let has_hour = toks
        .iter()
        .any(|t| matches!(t, Tok::Date(s) if s.starts_with('h')));
    let mut text = String::new();
    let mut prev_hour = false;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Lit(l) => text.push_str(l),
            Tok::Digit(c) => text.push(*c),
            Tok::Dot => text.push('.'),
            Tok::Comma => text.push(','),
            Tok::Percent => text.push('%'),
            Tok::Date(tok) => {
                let next_is_sec = toks[i + 1..]
                    .iter()
                    .find(|t| matches!(t, Tok::Date(_)))
                    .is_some_and(|t| matches!(t, Tok::Date(s) if s.starts_with('s')));
                let minute = tok.starts_with('m') && (prev_hour || next_is_sec) && has_hour;
                let era = era::western_to_era(y);
                let piece = match tok.as_str() {
                    "yyyy" | "yyy" => y.to_string(),
                    "yy" | "y" => format!("{:02}", y.rem_euclid(100)),
                    "m" if minute => mi.to_string(),
                    "mm" if minute => format!("{mi:02}"),
                    "m" => mo.to_string(),
                    "mm" => format!("{mo:02}"),
                    "mmm" | "mmmm" => format!("{mo}月"),
                    "d" => d.to_string(),
                    "dd" => format!("{d:02}"),
                    "ddd" | "dddd" | "aaa" | "aaaa" => {
                        let wd = (days_from_civil(y as i64, mo, d).rem_euclid(7) + 4) % 7;
                        ["日", "月", "火", "水", "木", "金", "土"][wd as usize].to_string()
                    }
                    "h" => h.to_string(),
                    "hh" => format!("{h:02}"),
                    "s" => s.to_string(),
                    "ss" => format!("{s:02}"),
                    "g" => era.map_or(String::new(), |(n, _)| {
                        match n {
                            "令和" => "R",
                            "平成" => "H",
                            "昭和" => "S",
                            "大正" => "T",
                            _ => "M",
                        }
                        .to_string()
                    }),
                    "gg" => era.map_or(String::new(), |(n, _)| n.chars().take(1).collect()),
                    "ggg" => era.map_or(String::new(), |(n, _)| n.to_string()),
                    "e" => era.map_or(y.to_string(), |(_, n)| n.to_string()),
                    "ee" => era.map_or(y.to_string(), |(_, n)| format!("{n:02}")),
                    "AM/PM" => (if h < 12 { "AM" } else { "PM" }).to_string(),
                    "A/P" => (if h < 12 { "A" } else { "P" }).to_string(),
                    other => other.to_string(),
                };
                prev_hour = tok.starts_with('h');
                text.push_str(&piece);
            }
            Tok::Exp | Tok::At => {}
        }
    }
    Formatted {
        text,
        decimals: 0,
        percent: false,
        grouping: false,
        unit: None,
        date: Some((y, mo, d)),
    }
}

/// Format codes of the built-in ids calamine reports as `General` (East Asian ids 27–36, 50–58).
pub fn builtin_east_asian(id: u32) -> Option<&'static str> {
    Some(match id {
        27 | 36 | 50 | 57 => "[$-411]ge.m.d",
        28 | 29 | 54 | 58 => "[$-411]ggge\"年\"m\"月\"d\"日\"",
        30 => "m/d/yy",
        31 => "yyyy\"年\"m\"月\"d\"日\"",
        32 => "h\"時\"mm\"分\"",
        33 => "h\"時\"mm\"分\"ss\"秒\"",
        34 | 51 => "yyyy\"年\"m\"月\"",
        35 | 52 | 53 | 55 | 56 => "m\"月\"d\"日\"",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: f64, code: &str) -> String {
        format_number(v, code).text
    }

    #[test]
    fn common_codes() {
        assert_eq!(t(0.356, "0.0%"), "35.6%");
        assert_eq!(t(0.356, "0%"), "36%");
        assert_eq!(t(0.3567, "0.00%"), "35.67%");
        assert_eq!(t(1234.0, "#,##0"), "1,234");
        assert_eq!(t(1234.56, "#,##0.0"), "1,234.6");
        assert_eq!(t(1234.5, "0"), "1235");
        assert_eq!(t(2.5, "0.0"), "2.5");
        assert_eq!(t(2.0, "0.00"), "2.00");
        assert_eq!(t(1234567.0, "#,##0,"), "1,235");
        assert_eq!(t(-1234.0, "#,##0"), "-1,234");
        assert_eq!(t(-5.0, "#,##0;[Red]\\-#,##0"), "-5");
        assert_eq!(t(-5.0, "#,##0;\"△\"#,##0"), "△5");
        assert_eq!(t(0.0, "#,##0;-#,##0;\"-\""), "-");
        assert_eq!(t(1.16, "0.00"), "1.16");
        assert_eq!(t(0.5, "#.##"), ".5");
        assert_eq!(t(0.355, "0.0%"), "35.5%");
        assert_eq!(t(1000.0, "[$¥-411]#,##0"), "¥1,000");
    }

    #[test]
    fn literal_suffixes_are_units() {
        let f = format_number(34677.0, "#,##0\"件\"");
        assert_eq!(f.text, "34,677件");
        assert_eq!(f.unit.as_deref(), Some("件"));
        assert!(f.grouping);
        let f = format_number(171.0, "0\"ha\"");
        assert_eq!((f.text.as_str(), f.unit.as_deref()), ("171ha", Some("ha")));
        let f = format_number(3.0, "0\"か所\"");
        assert_eq!(f.text, "3か所");
        let f = format_number(12.0, "0人");
        assert_eq!(f.text, "12人");
        assert_eq!(f.unit.as_deref(), Some("人"));
        let f = format_number(0.388, "0.0%");
        assert_eq!((f.decimals, f.percent, f.unit), (1, true, None));
    }

    // issue 17, point 5
    #[test]
    fn numbers_that_would_print_as_inf_or_nan_are_refused() {
        assert_eq!(
            try_format_number(1e308, "0.00%"),
            Err(Unprintable::TooLarge)
        );
        let many = format!("0.{}%", "0".repeat(400));
        assert_eq!(
            try_format_number(0.5, &many),
            Err(Unprintable::TooManyDecimals(400))
        );
        assert_eq!(
            try_format_number(f64::INFINITY, "0"),
            Err(Unprintable::TooLarge)
        );
        let thirty = format!("0.{}", "0".repeat(30));
        assert!(try_format_number(0.5, &thirty).is_ok());
        assert_eq!(try_format_number(0.356, "0.0%").unwrap().text, "35.6%");
    }

    #[test]
    fn general_like_excel() {
        assert_eq!(general(0.356).text, "0.356");
        assert_eq!(general(34677.0).text, "34677");
        assert_eq!(general(0.1 + 0.2).text, "0.3");
        assert_eq!(general(1.0 / 3.0).text, "0.3333333333");
        assert_eq!(general(-2.5).text, "-2.5");
        assert_eq!(t(12.5, "General"), "12.5");
        assert_eq!(general(1e12).text, "1E+12");
    }

    #[test]
    fn dates() {
        // 2021-03-31 = serial 44286
        assert_eq!(serial_to_ymd(44286.0), Some((2021, 3, 31, 0)));
        assert_eq!(serial_to_ymd(1.0), Some((1900, 1, 1, 0)));
        assert_eq!(serial_to_ymd(61.0), Some((1900, 3, 1, 0)));
        assert_eq!(t(44286.0, "yyyy/m/d"), "2021/3/31");
        assert_eq!(t(44286.0, "yyyy\"年\"m\"月\"d\"日\""), "2021年3月31日");
        assert_eq!(
            t(44286.0, "[$-411]ggge\"年\"m\"月\"d\"日\""),
            "令和3年3月31日"
        );
        assert_eq!(t(44286.5, "yyyy-mm-dd hh:mm"), "2021-03-31 12:00");
        assert_eq!(format_date_serial(44286.0, "General").text, "2021/3/31");
    }
}
