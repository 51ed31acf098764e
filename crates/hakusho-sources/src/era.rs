//! Japanese era years (和暦): 平成22年度 ↔ 2010, 令和2年度 ↔ 2020.
//!
//! Years are counted by year number only (the change of era inside a year is ignored): a
//! fiscal year starting in April 2019 is 令和元年度, which [`western_to_era`] gives for 2019.

/// (era name, first western year, last year of the era or `None` for the current one).
const ERAS: &[(&str, i32, Option<i32>)] = &[
    ("明治", 1868, Some(45)),
    ("大正", 1912, Some(15)),
    ("昭和", 1926, Some(64)),
    ("平成", 1989, Some(31)),
    ("令和", 2019, None),
];

/// Latin initials used in short forms (H22, R2).
const INITIALS: &[(char, &str)] = &[
    ('M', "明治"),
    ('T', "大正"),
    ('S', "昭和"),
    ('H', "平成"),
    ('R', "令和"),
];

/// `("平成", 22)` → `Some(2010)`; `None` for an unknown era or a year outside it.
pub fn era_to_western(era: &str, year: u32) -> Option<i32> {
    let (_, first, last) = ERAS.iter().find(|(name, _, _)| *name == era)?;
    if year == 0 || last.is_some_and(|l| year as i32 > l) {
        return None;
    }
    Some(first + year as i32 - 1)
}

/// `2010` → `Some(("平成", 22))`, `2019` → `Some(("令和", 1))`; `None` before 明治.
pub fn western_to_era(year: i32) -> Option<(&'static str, u32)> {
    ERAS.iter()
        .rev()
        .find(|(_, first, _)| year >= *first)
        .map(|(name, first, _)| (*name, (year - first + 1) as u32))
}

/// `2020` → `"令和2年度"`, `2019` → `"令和元年度"` (`suffix` is `年度` or `年` or empty).
pub fn era_label(year: i32, suffix: &str) -> Option<String> {
    let (name, n) = western_to_era(year)?;
    Some(if n == 1 {
        format!("{name}元{suffix}")
    } else {
        format!("{name}{n}{suffix}")
    })
}

/// Fills the year placeholders of a configured heading or label for fiscal `year`:
/// `{fiscal_year}` → 令和2年度, `{fiscal_year_era}` → 令和2, `{fiscal_year_western}` → 2020,
/// each with an optional offset (`{fiscal_year+1}` → 令和3年度). Other text, unknown
/// placeholders included, is kept as written.
pub fn fill_year(text: &str, year: i32) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after
            .find('}')
            .and_then(|close| Some((placeholder(&after[..close], year)?, close)));
        match filled {
            Some((value, close)) => {
                out.push_str(&value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` holds a year placeholder [`fill_year`] fills.
pub fn has_year_placeholder(text: &str) -> bool {
    fill_year(text, 2000) != fill_year(text, 2001)
}

fn placeholder(inner: &str, year: i32) -> Option<String> {
    let (name, offset) = match inner.find(['+', '-']) {
        Some(i) => {
            let n: i32 = inner[i + 1..].trim().parse().ok()?;
            let sign = if inner[i..].starts_with('-') { -1 } else { 1 };
            (inner[..i].trim(), sign * n)
        }
        None => (inner.trim(), 0),
    };
    let y = year.checked_add(offset)?;
    match name {
        "fiscal_year" => Some(era_label(y, "年度").unwrap_or_else(|| format!("{y}年度"))),
        "fiscal_year_era" => Some(era_label(y, "").unwrap_or_else(|| y.to_string())),
        "fiscal_year_western" => Some(y.to_string()),
        _ => None,
    }
}

/// Reads a year as people write it: `平成22年度`, `令和元年`, `令和2(2020)年度`, `H22`, `R2年度`,
/// `2020年度`, full-width digits too. Returns the western year when the whole text is one
/// year (spaces aside), else `None`.
pub fn parse_year(text: &str) -> Option<i32> {
    let s: String = crate::text::half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let s = s
        .strip_suffix("年度")
        .or_else(|| s.strip_suffix('年'))
        .or_else(|| s.strip_suffix("度"))
        .unwrap_or(&s);
    // 令和2(2020) → check the western year in parentheses agrees
    let (s, western) = match s.find('(') {
        Some(open) if s.ends_with(')') => {
            let inner = &s[open + 1..s.len() - 1];
            (&s[..open], Some(inner.parse::<i32>().ok()?))
        }
        _ => (s, None),
    };
    let found = if let Some((era, rest)) = ERAS
        .iter()
        .find_map(|(name, _, _)| s.strip_prefix(name).map(|r| (*name, r)))
    {
        let n = if rest == "元" { 1 } else { digits(rest)? };
        era_to_western(era, n)?
    } else if let Some((era, rest)) = INITIALS.iter().find_map(|(c, name)| {
        s.strip_prefix(*c)
            .or_else(|| s.strip_prefix(c.to_ascii_lowercase()))
            .map(|r| (*name, r))
    }) {
        era_to_western(era, digits(rest.strip_prefix('.').unwrap_or(rest))?)?
    } else {
        let y = digits(s)?;
        if !(1000..=9999).contains(&y) {
            return None;
        }
        y as i32
    };
    match western {
        Some(w) if w != found => None,
        _ => Some(found),
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_placeholders_are_filled() {
        assert_eq!(
            fill_year("実績値({fiscal_year})", 2020),
            "実績値(令和2年度)"
        );
        assert_eq!(
            fill_year("実績値({fiscal_year+1})", 2020),
            "実績値(令和3年度)"
        );
        assert_eq!(
            fill_year("{fiscal_year_era}({fiscal_year_western})\n年度", 2019),
            "令和元(2019)\n年度"
        );
        assert_eq!(fill_year("{fiscal_year - 2}", 2020), "平成30年度");
        assert_eq!(fill_year("{id} {unknown} {", 2020), "{id} {unknown} {");
        assert!(has_year_placeholder("実績値({fiscal_year})"));
        assert!(!has_year_placeholder("実績値(令和2年度) {name}"));
    }

    #[test]
    fn both_directions() {
        assert_eq!(era_to_western("平成", 22), Some(2010));
        assert_eq!(era_to_western("令和", 2), Some(2020));
        assert_eq!(era_to_western("平成", 32), None);
        assert_eq!(era_to_western("西暦", 2), None);
        assert_eq!(western_to_era(2010), Some(("平成", 22)));
        assert_eq!(western_to_era(2020), Some(("令和", 2)));
        assert_eq!(western_to_era(2019), Some(("令和", 1)));
        assert_eq!(western_to_era(1988), Some(("昭和", 63)));
        assert_eq!(western_to_era(1800), None);
        assert_eq!(era_label(2019, "年度").as_deref(), Some("令和元年度"));
        assert_eq!(era_label(2022, "年度").as_deref(), Some("令和4年度"));
    }

    #[test]
    fn parses_written_years() {
        assert_eq!(parse_year("平成22年度"), Some(2010));
        assert_eq!(parse_year("令和2年度"), Some(2020));
        assert_eq!(parse_year("令和元年"), Some(2019));
        assert_eq!(parse_year("令和２（２０２０）年度"), Some(2020));
        assert_eq!(parse_year("令和2(2021)年度"), None);
        assert_eq!(parse_year("H26"), Some(2014));
        assert_eq!(parse_year("R4年度"), Some(2022));
        assert_eq!(parse_year("2020年度"), Some(2020));
        assert_eq!(parse_year("平成26年度\n(前期)"), None);
        assert_eq!(parse_year("34,677件"), None);
        assert_eq!(parse_year("維持"), None);
    }
}
