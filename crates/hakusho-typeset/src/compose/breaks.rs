//! Break opportunities: UAX #14 (icu_segmenter, strict) with our own 禁則 guard on top.
//!
//! The segmenter alone already keeps numbers and Latin words whole and never offers a break
//! before small kana or ー (strict). The guard re-checks every opportunity against the JLREQ
//! sets in [`super::classes`], so that no composed line starts or ends with a forbidden character
//! whatever the segmenter's data version does, and adds pairs UAX #14 allows (full-width digits,
//! currency sign + number).

use icu_segmenter::options::{LineBreakOptions, LineBreakStrictness};
use icu_segmenter::{LineSegmenter, LineSegmenterBorrowed};

use super::classes::{no_break_between, no_end, no_start};

const OPTIONS: LineBreakOptions<'static> = {
    let mut o = LineBreakOptions::default();
    o.strictness = Some(LineBreakStrictness::Strict);
    // The Japanese content locale only widens Normal/Loose; with Strict it changes nothing, so
    // it is not set (that spares a dependency on icu_locale_core for the language tag).
    o
};

/// Built at compile time from baked data: no per-paragraph (or even per-process) setup cost.
/// The non-complex constructor is enough: Japanese needs no dictionary/LSTM (that is for Thai,
/// Lao, Khmer, Myanmar), and `new_auto` would load LSTM models for nothing.
static SEGMENTER: LineSegmenterBorrowed<'static> =
    LineSegmenter::new_for_non_complex_scripts(OPTIONS);

/// Byte offsets (into `text`) where UAX #14 allows a break, excluding 0 and `text.len()`.
pub(crate) fn segmenter_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let len = text.len();
    SEGMENTER
        .segment_str(text)
        .filter(move |&b| b != 0 && b != len)
}

/// Whether a line may end after `before_ns` (the last non-space character before the break;
/// trailing spaces hang) and the next line start with `after`; `before` is the character
/// immediately before the break.
pub(crate) fn guard_allows(before: char, before_ns: char, after: char) -> bool {
    !no_start(after)
        && !no_end(before_ns)
        && !no_break_between(before, after)
        && after != ' '
        && after != '\t'
}

/// The weakest guard, for emergency breaks inside an over-long word: only 行頭/行末禁則.
pub(crate) fn kinsoku_allows(before_ns: char, after: char) -> bool {
    !no_start(after) && !no_end(before_ns) && after != ' ' && after != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut last = 0;
        for b in segmenter_breaks(text).chain(std::iter::once(text.len())) {
            out.push(&text[last..b]);
            last = b;
        }
        out
    }

    #[test]
    fn segmenter_keeps_numbers_and_attaches_punctuation() {
        let p = pieces("英語版ホームページのアクセス件数34,677件、約63%減少した。");
        assert!(p.contains(&"34,677"), "{p:?}");
        assert!(p.iter().any(|s| s.starts_with("63%")), "{p:?}");
        assert!(
            p.iter()
                .all(|s| !s.starts_with('、') && !s.starts_with('。')),
            "{p:?}"
        );
        let p = pieces("令和2(2020)年度");
        assert!(p.iter().any(|s| s.contains("2(2020)")), "{p:?}");
        let p = pieces("三鷹国際交流協会（MISHOP）では");
        assert!(p.contains(&"（MISHOP）"), "{p:?}");
        let p = pieces("YouTube にて配信");
        assert!(p.contains(&"YouTube "), "{p:?}");
    }

    #[test]
    fn guard_rejects_forbidden_pairs() {
        assert!(!guard_allows('た', 'た', '。'));
        assert!(!guard_allows('「', '「', '子'));
        assert!(!guard_allows('—', '—', '—'));
        assert!(!guard_allows('２', '２', '０'));
        assert!(guard_allows('7', '7', '件'));
        assert!(guard_allows(' ', 'e', 'に'));
    }
}
