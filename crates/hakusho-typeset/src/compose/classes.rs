//! Character classes for line composition (a working subset of JLREQ Appendix A, cl-01…cl-27).
//!
//! Two separate questions are answered here:
//! - spacing: what blank a full-width punctuation mark carries and whether 和欧間 (space between
//!   Japanese and Western text) applies next to a character → [`Class`];
//! - breaking: which characters may not start (行頭禁則) or end (行末禁則) a line, and which pairs
//!   may not be split → [`no_start`], [`no_end`], [`no_break_between`].

/// Spacing class of one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// cl-01 opening brackets 「『（〔【…, full width: blank on the left half.
    Opening,
    /// cl-02 closing brackets 」』）〕】…, full width: blank on the right half.
    Closing,
    /// cl-06 full stops 。． (blank on the right half).
    FullStop,
    /// cl-07 commas 、， (blank on the right half).
    Comma,
    /// cl-05 middle dots ・：； (a quarter em of blank on each side).
    MiddleDot,
    /// cl-03 hyphens and cl-04 dividing punctuation ？！ (no blank to compress, no 和欧間).
    OtherPunct,
    /// cl-08 inseparable characters —…‥ (never split between two of them, no 和欧間).
    Inseparable,
    /// cl-12 full-width prefixed abbreviations ￥＄￡＃…: Japanese to their left, set solid
    /// against the numeral they precede (JLREQ 3.2.4: no space between them).
    PrefixedAbbrev,
    /// cl-13 full-width postfixed abbreviations ％‰℃…: set solid after the numeral they follow
    /// (JLREQ 3.2.4), Japanese to their right.
    PostfixedAbbrev,
    /// cl-14 ideographic space.
    IdeoSpace,
    /// Kana, kanji and other full-width characters that take 和欧間 next to Western text
    /// (includes iteration marks, ー, small kana, full-width digits and symbols).
    Japanese,
    /// Western letters, digits and symbols: 和欧間 on both sides.
    Western,
    /// Western opening brackets ( [ {: 和欧間 only before them ("事業 (注)").
    WesternOpen,
    /// Western closing brackets and punctuation ) ] } , . : ; ! ?: 和欧間 only after them.
    WesternClose,
    /// Western quotes: no 和欧間 (their side is ambiguous).
    WesternQuote,
    /// U+0020 and tab: a stretchable/shrinkable word space; a break after it hangs it.
    Space,
}

impl Class {
    /// Carries a right-half blank (compressible, and droppable at a line end).
    pub(crate) fn closing_type(self) -> bool {
        matches!(self, Class::Closing | Class::FullStop | Class::Comma)
    }

    /// Takes 和欧間 on its right when a Western character follows (by classes alone; a numeral
    /// next to an abbreviation is the exception [`wa_ou_kan`] adds).
    pub(crate) fn glue_after(self, next: Class) -> bool {
        match self {
            Class::Japanese | Class::PrefixedAbbrev | Class::PostfixedAbbrev => {
                matches!(next, Class::Western | Class::WesternOpen)
            }
            Class::Western | Class::WesternClose => matches!(
                next,
                Class::Japanese | Class::PrefixedAbbrev | Class::PostfixedAbbrev
            ),
            _ => false,
        }
    }

    /// Part of Western text: no inter-character stretching inside it (letter-spacing a word or a
    /// number looks broken; Japanese justification spreads space between Japanese characters).
    pub(crate) fn western(self) -> bool {
        matches!(
            self,
            Class::Western | Class::WesternOpen | Class::WesternClose | Class::WesternQuote
        )
    }
}

/// Spacing class of `c` whose advance is `adv_em` ems. The advance decides only for characters
/// whose width differs between fonts (Greek, Cyrillic, ×, °, arrows...): a full-width glyph is set
/// as Japanese, a narrow one as Western.
pub(crate) fn classify(c: char, adv_em: f32) -> Class {
    match c {
        ' ' | '\t' => Class::Space,
        '(' | '[' | '{' => Class::WesternOpen,
        ')' | ']' | '}' | ',' | '.' | ':' | ';' | '!' | '?' => Class::WesternClose,
        '"' | '\'' | '`' => Class::WesternQuote,
        '!'..='~' => Class::Western,
        '「' | '『' | '（' | '〔' | '［' | '｛' | '〈' | '《' | '【' | '〘' | '〖' | '｟'
        | '〝' | '“' | '‘' | '«' => {
            if adv_em > 0.9 {
                Class::Opening
            } else {
                Class::WesternOpen
            }
        }
        '」' | '』' | '）' | '〕' | '］' | '｝' | '〉' | '》' | '】' | '〙' | '〗' | '｠'
        | '〟' | '”' | '’' | '»' => {
            if adv_em > 0.9 {
                Class::Closing
            } else {
                Class::WesternClose
            }
        }
        '。' | '．' => Class::FullStop,
        '、' | '，' => Class::Comma,
        '・' | '：' | '；' => Class::MiddleDot,
        '？' | '！' | '‼' | '⁇' | '⁈' | '⁉' | '‐' | '゠' | '–' | '〜' | '～' => {
            Class::OtherPunct
        }
        '—' | '―' | '…' | '‥' => Class::Inseparable,
        '\u{3000}' => Class::IdeoSpace,
        // A narrow form of these is Western text (「¥100」「50%」): set solid with the digits.
        '￥' | '＄' | '￡' | '＃' | '€' | '№' if adv_em > 0.75 => Class::PrefixedAbbrev,
        '％' | '‰' | '℃' | '°' | '′' | '″' | '￠' | 'ℓ' | '㏋' | '㌃' | '㌍' | '㌔' | '㌘'
        | '㌢' | '㌣' | '㌦' | '㌧' | '㌫' | '㌶' | '㌻' | '㍉' | '㍊' | '㍍' | '㍑' | '㍗'
        | '㎜' | '㎝' | '㎞' | '㎡' | '㏄' | '㎎' | '㎏' | '㎖' | '㎗'
            if adv_em > 0.75 =>
        {
            Class::PostfixedAbbrev
        }
        // Half-width katakana and their punctuation are narrow but Japanese.
        '\u{FF61}'..='\u{FF9F}' => match c {
            '｡' => Class::FullStop,
            '､' => Class::Comma,
            '｢' => Class::WesternOpen,
            '｣' => Class::WesternClose,
            _ => Class::Japanese,
        },
        _ if (c as u32) >= 0x2E80 => Class::Japanese,
        _ if adv_em > 0.75 => Class::Japanese,
        _ => Class::Western,
    }
}

/// Whether a quarter em of 和欧間 goes between `a` (class `ac`) and the following `b` (class
/// `bc`): between Japanese and Western text, except between a numeral and the abbreviation
/// that prefixes or postfixes it (「￥100」「90％」, JLREQ 3.2.4 and its spacing table).
pub(crate) fn wa_ou_kan(a: char, ac: Class, b: char, bc: Class) -> bool {
    !numeral_and_abbreviation(a, ac, b, bc) && ac.glue_after(bc)
}

/// A numeral and the abbreviation prefixing or postfixing it (「￥100」「90％」): set solid,
/// neither 和欧間 nor justification opens a gap between them.
pub(crate) fn numeral_and_abbreviation(a: char, ac: Class, b: char, bc: Class) -> bool {
    (ac == Class::PrefixedAbbrev && is_digit(b)) || (is_digit(a) && bc == Class::PostfixedAbbrev)
}

/// Zero-width and control characters: no glyph of their own; compose attaches their text to a
/// neighbouring glyph so extraction still gives the source back.
pub(crate) fn zero_width(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{034F}')
        || (c.is_control() && c != '\n' && c != '\t')
}

/// 行頭禁則: characters that must not begin a line (JLREQ cl-02…cl-07, cl-09, cl-10, cl-11,
/// cl-13 postfixed abbreviations, and their half-width/Western forms).
pub(crate) fn no_start(c: char) -> bool {
    matches!(
        c,
        // closing brackets
        '」' | '』' | '）' | '〕' | '］' | '｝' | '〉' | '》' | '】' | '〙' | '〗' | '｣' | '｠' | '〟'
        | '”' | '’' | '»' | '›' | ')' | ']' | '}'
        // hyphens (cl-03)
        | '‐' | '゠' | '–' | '〜' | '～'
        // dividing punctuation (cl-04)
        | '？' | '！' | '‼' | '⁇' | '⁈' | '⁉' | '?' | '!'
        // middle dots (cl-05), full stops (cl-06), commas (cl-07)
        | '・' | '：' | '；' | '･' | ':' | ';'
        | '。' | '．' | '｡' | '.' | '、' | '，' | '､' | ','
        // iteration marks (cl-09), prolonged sound mark (cl-10)
        | 'ヽ' | 'ヾ' | 'ゝ' | 'ゞ' | '々' | '〻' | 'ー' | 'ｰ'
        // small kana (cl-11)
        | 'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'っ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' | 'ゕ' | 'ゖ'
        | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ッ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ' | 'ヵ' | 'ヶ'
        | '\u{31F0}'..='\u{31FF}' | 'ｧ'..='ｯ'
        // postfixed abbreviations (cl-13) and units
        | '％' | '%' | '‰' | '℃' | '°' | '′' | '″' | '¢' | '￠' | 'ℓ'
        | '㎜' | '㎝' | '㎞' | '㎡' | '㏄' | '㎎' | '㎏' | '㎖' | '㎗' | '㍉' | '㌔' | '㌢' | '㍍'
        | '㌘' | '㌧' | '㌃' | '㌶' | '㍑' | '㍗' | '㌫' | '㌦' | '㍊' | '㍼' | '㍽' | '㍾' | '㍻'
    )
}

/// 行末禁則: characters that must not end a line (opening brackets, cl-01).
pub(crate) fn no_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『'
            | '（'
            | '〔'
            | '［'
            | '｛'
            | '〈'
            | '《'
            | '【'
            | '〘'
            | '〖'
            | '｢'
            | '｟'
            | '〝'
            | '“'
            | '‘'
            | '«'
            | '‹'
            | '('
            | '['
            | '{'
    )
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Pairs that must stay together beyond what the segmenter already guarantees (分離禁止):
/// ——/……, digits of a number (also full-width ones, which UAX #14 splits), a number's
/// decimal/thousands separators, a currency sign and its number, a Latin word.
/// `before` is the character immediately before the break, `after` the one after.
pub(crate) fn no_break_between(before: char, after: char) -> bool {
    let insep = |c| matches!(c, '—' | '―' | '…' | '‥');
    (insep(before) && before == after)
        || (is_digit(before) && is_digit(after))
        || (matches!(before, ',' | '.' | '，' | '．') && is_digit(after))
        || (matches!(
            before,
            '￥' | '＄' | '£' | '€' | '$' | '¥' | '#' | '＃' | '№'
        ) && is_digit(after))
        || (before.is_ascii_alphanumeric() && after.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_seed_characters() {
        assert_eq!(classify('「', 1.0), Class::Opening);
        assert_eq!(classify('」', 1.0), Class::Closing);
        assert_eq!(classify('。', 1.0), Class::FullStop);
        assert_eq!(classify('、', 1.0), Class::Comma);
        assert_eq!(classify('・', 1.0), Class::MiddleDot);
        assert_eq!(classify('三', 1.0), Class::Japanese);
        assert_eq!(classify('2', 0.5), Class::Western);
        assert_eq!(classify('(', 0.5), Class::WesternOpen);
        assert_eq!(classify(')', 0.5), Class::WesternClose);
        assert_eq!(classify('%', 0.5), Class::Western);
        // A narrow “ (proportional font) is not given a half-em blank it doesn't have.
        assert_eq!(classify('“', 0.4), Class::WesternOpen);
        assert!(Class::Japanese.glue_after(Class::Western));
        assert!(Class::Western.glue_after(Class::Japanese));
        assert!(Class::Japanese.glue_after(Class::WesternOpen));
        assert!(!Class::WesternOpen.glue_after(Class::Japanese));
        assert!(!Class::Closing.glue_after(Class::Western));
        // cl-12 / cl-13: full-width forms are abbreviations, narrow ones Western text.
        assert_eq!(classify('％', 1.0), Class::PostfixedAbbrev);
        assert_eq!(classify('℃', 1.0), Class::PostfixedAbbrev);
        assert_eq!(classify('￥', 1.0), Class::PrefixedAbbrev);
        assert_eq!(classify('°', 0.4), Class::Western);
        // Solid against a numeral, 和欧間 against a Latin letter as any Japanese character.
        let pct = Class::PostfixedAbbrev;
        let yen = Class::PrefixedAbbrev;
        assert!(!wa_ou_kan('0', Class::Western, '％', pct));
        assert!(!wa_ou_kan('￥', yen, '1', Class::Western));
        assert!(wa_ou_kan('％', pct, 'A', Class::Western));
        assert!(wa_ou_kan('B', Class::Western, '％', pct));
        assert!(wa_ou_kan('約', Class::Japanese, '8', Class::Western));
    }

    #[test]
    fn kinsoku_sets() {
        for c in "」）、。・：；？！ーっャ々％".chars() {
            assert!(no_start(c), "{c}");
        }
        for c in "「（『【".chars() {
            assert!(no_end(c), "{c}");
            assert!(!no_start(c), "{c}");
        }
        assert!(!no_start('三') && !no_end('三'));
        assert!(no_break_between('—', '—'));
        assert!(no_break_between('…', '…'));
        assert!(no_break_between('２', '０'));
        assert!(no_break_between(',', '6'));
        assert!(!no_break_between('7', '件'));
    }
}
