//! Text normalization used to match headings and to parse what people type.

/// Full-width ASCII (`０`–`～`) → half-width, the ideographic space → a space, and the minus
/// signs people type (`−`, `－`) → `-`. Everything else is kept.
pub fn half_width_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2212}' => '-',
        _ => c,
    }
}

/// [`half_width_char`] over a string.
pub fn half_width(s: &str) -> String {
    s.chars().map(half_width_char).collect()
}

/// The form in which headings are compared: half-width, without any white space or line
/// break, ASCII letters lower-cased. `"前年度\n（2024年）"` and `"前年度(2024年)"` match.
pub fn normalize_heading(s: &str) -> String {
    s.chars()
        .map(half_width_char)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Levenshtein distance on characters (for "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `s` if it is reasonably close.
pub fn closest<'a>(s: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = normalize_heading(s);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&n, &normalize_heading(c)), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_across_widths_and_breaks() {
        assert_eq!(normalize_heading(" 施策 コード "), "施策コード");
        assert_eq!(
            normalize_heading("実績値\n（平成２６年度）"),
            normalize_heading("実績値(平成26年度)")
        );
        assert_eq!(normalize_heading("ＫＰＩ"), "kpi");
    }

    #[test]
    fn closest_suggests_near_codes() {
        assert_eq!(closest("2-4-3", ["2-4-1", "3-1", "9"]), Some("2-4-1"));
        assert_eq!(closest("zzzzzz", ["2-4-1"]), None);
    }
}
