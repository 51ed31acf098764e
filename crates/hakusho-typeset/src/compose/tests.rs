//! Composition tests on the real BIZ UD fonts and sentences from the seed report.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;

use super::classes::{self, no_end, no_start};
use super::*;
use crate::font::FontSet;

const SIZE: f32 = 10.0;
const EM: f32 = SIZE;

struct Fonts {
    set: FontSet,
    mincho: FontIndex,
    gothic: FontIndex,
}

fn fonts() -> &'static Fonts {
    static F: OnceLock<Fonts> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
        let mut set = FontSet::new();
        let mincho = set
            .load_file("mincho", dir.join("BIZUDMincho-Regular.ttf"))
            .unwrap();
        let gothic = set
            .load_file("gothic", dir.join("BIZUDGothic-Regular.ttf"))
            .unwrap();
        Fonts {
            set,
            mincho,
            gothic,
        }
    })
}

fn span(text: &str) -> Span {
    Span {
        text: text.to_string(),
        font: fonts().mincho,
        size: SIZE,
        color: Color::BLACK,
        mark: 0,
        lang: None,
    }
}

fn style(width_em: f32, indent_em: f32, align: Align) -> ParagraphStyle {
    ParagraphStyle {
        width: width_em * EM,
        first_indent: indent_em * EM,
        rest_indent: 0.0,
        align,
    }
}

fn set(text: &str, st: &ParagraphStyle) -> Vec<Line> {
    compose(&[span(text)], st, &fonts().set).unwrap()
}

fn line_text(l: &Line) -> String {
    l.runs.iter().map(|r| r.text()).collect()
}

fn all_text(lines: &[Line]) -> String {
    lines.iter().map(line_text).collect()
}

/// (character, x) of every glyph on a line.
fn glyphs(l: &Line) -> Vec<(char, f32)> {
    l.runs
        .iter()
        .flat_map(|r| {
            r.glyph_texts()
                .map(move |(g, t)| (t.chars().next().unwrap(), r.x + g.x))
        })
        .collect()
}

fn x_of(l: &Line, c: char) -> f32 {
    glyphs(l)
        .into_iter()
        .find(|g| g.0 == c)
        .unwrap_or_else(|| panic!("{c} not on line {:?}", line_text(l)))
        .1
}

/// x of the `n`-th occurrence of `c` in a line.
fn x_nth(l: &Line, c: char, n: usize) -> f32 {
    glyphs(l).into_iter().filter(|g| g.0 == c).nth(n).unwrap().1
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

const MISHOP: &str = "三鷹国際交流協会（MISHOP）では、外国籍等の児童・生徒の学校生活を支援する「子ども教室」を、感染症対策を講じて段階的に再開するなど、生活支援活動を優先的に再開した。";
const KANKO: &str = "新型コロナウイルス感染拡大の影響による2度の緊急事態宣言への対応として、一定期間、観光案内所の閉鎖や三鷹の森ジブリ美術館のチケット販売を中止したことにより、観光案内所訪問者数は約63%減少した。このようなコロナ禍により多くの活動が制約を受ける中、市内の観光資源の案内についてYouTubeにて配信する取り組みを実施し、新しい生活様式に対応した観光振興を推進した。";

#[test]
fn extraction_gives_back_the_source() {
    for w in [5.0, 12.0, 23.5, 40.0] {
        for text in [MISHOP, KANKO, "令和2(2020)年度", "「主要5事業(注)」", "……"] {
            let lines = set(text, &style(w, 1.0, Align::Justify));
            assert_eq!(all_text(&lines), text, "width {w}");
            // Ranges tile the text too.
            assert_eq!(lines[0].range.start, 0);
            assert_eq!(lines.last().unwrap().range.end, text.len());
            for l in &lines {
                assert_eq!(&text[l.range.clone()], line_text(l));
            }
        }
    }
}

#[test]
fn justified_lines_fill_the_measure_and_the_last_does_not() {
    for w in [17.0, 23.0, 33.5, 40.0] {
        for text in [MISHOP, KANKO] {
            let st = style(w, 1.0, Align::Justify);
            let lines = set(text, &st);
            assert!(lines.len() >= 2);
            for (i, l) in lines.iter().enumerate() {
                if i + 1 < lines.len() {
                    assert!(!l.last);
                    assert!(
                        close(l.width, st.width),
                        "w{w} line {i} {:?}: {}",
                        line_text(l),
                        l.width
                    );
                    // The last glyph's box really ends at the measure (not only the number).
                    let (c, x) = *glyphs(l).last().unwrap();
                    let f = fonts().set.get(fonts().mincho);
                    let adv = f.glyph(c).unwrap().advance * SIZE;
                    let blank = match c {
                        '、' | '。' | '」' | '）' => adv / 2.0,
                        '・' => adv / 4.0,
                        _ => 0.0,
                    };
                    assert!(
                        x + adv - blank <= st.width + 0.01 && x + adv >= st.width - 0.01,
                        "w{w} line {i} ends at {} ({c})",
                        x + adv
                    );
                } else {
                    assert!(l.last);
                    assert!(l.width < st.width + 0.01);
                }
            }
        }
    }
}

#[test]
fn first_line_indent_and_rest_indent() {
    let st = ParagraphStyle {
        width: 20.0 * EM,
        first_indent: EM,
        rest_indent: 2.0 * EM,
        align: Align::Justify,
    };
    let lines = set(KANKO, &st);
    assert!(close(glyphs(&lines[0])[0].1, EM));
    for l in &lines[1..] {
        let first = glyphs(l)[0];
        assert!(close(first.1, 2.0 * EM), "{:?}", line_text(l));
    }
    assert!(close(lines[1].width, st.width));
}

#[test]
fn wa_ou_kan_between_japanese_and_latin() {
    let l = &set("令和2(2020)年度", &style(40.0, 0.0, Align::Start))[0];
    let q = EM / 4.0;
    // 和 (1 em) + quarter em before the 2.
    assert!(
        close(x_of(l, '2') - x_of(l, '和'), EM + q),
        "{:?}",
        glyphs(l)
    );
    // No space between 2 and the half-width (, nor inside (2020).
    assert!(close(x_of(l, '(') - x_of(l, '2'), EM / 2.0));
    // A quarter em after ) before 年.
    assert!(close(x_of(l, '年') - x_of(l, ')'), EM / 2.0 + q));
    assert!(close(l.width, 2.0 * EM + q + 7.0 * EM / 2.0 + q + 2.0 * EM));

    // Next to full-width brackets: none.
    let l = &set(MISHOP, &style(80.0, 0.0, Align::Start))[0];
    assert!(close(x_of(l, 'M') - x_of(l, '（'), EM), "{:?}", glyphs(l));
    assert!(close(x_of(l, '）') - x_of(l, 'P'), EM / 2.0));

    // Digits and % inside Japanese: 約 63% 減.
    let l = &set("約63%減少した。", &style(40.0, 0.0, Align::Start))[0];
    assert!(close(x_of(l, '6') - x_of(l, '約'), EM + q));
    assert!(close(x_of(l, '減') - x_of(l, '%'), EM / 2.0 + q));

    // 「主要5事業(注)」: spaces around 5, before (注), none inside the brackets.
    let l = &set("「主要5事業(注)」", &style(40.0, 0.0, Align::Start))[0];
    assert!(close(x_of(l, '5') - x_of(l, '要'), EM + q));
    assert!(close(x_of(l, '事') - x_of(l, '5'), EM / 2.0 + q));
    assert!(close(x_of(l, '(') - x_of(l, '業'), EM + q));
    assert!(close(x_of(l, '注') - x_of(l, '('), EM / 2.0));
    assert!(close(x_of(l, ')') - x_of(l, '注'), EM));
    assert!(close(x_of(l, '」') - x_of(l, ')'), EM / 2.0));
}

/// JLREQ 3.2.4: no space between a numeral and a full-width prefixed (cl-12) or postfixed
/// (cl-13) abbreviation; 和欧間 stays between the numeral and the Japanese text around it.
#[test]
fn numerals_and_abbreviations_are_set_solid() {
    let q = EM / 4.0;
    let l = &set("おおむね90％台前半", &style(40.0, 0.0, Align::Start))[0];
    let nine_to_zero = x_of(l, '0') - x_of(l, '9');
    assert!(
        close(x_of(l, '％') - x_of(l, '0'), nine_to_zero),
        "{:?}",
        glyphs(l)
    );
    assert!(
        close(x_of(l, '9') - x_of(l, 'ね'), EM + q),
        "{:?}",
        glyphs(l)
    );
    assert!(close(x_of(l, '台') - x_of(l, '％'), EM), "{:?}", glyphs(l));

    let l = &set(
        "会費は￥1,000、気温は25℃。",
        &style(40.0, 0.0, Align::Start),
    )[0];
    assert!(close(x_of(l, '1') - x_of(l, '￥'), EM), "{:?}", glyphs(l));
    assert!(close(x_of(l, '￥') - x_of(l, 'は'), EM), "{:?}", glyphs(l));
    assert!(
        close(x_of(l, '℃') - x_of(l, '5'), x_of(l, '5') - x_of(l, '2')),
        "{:?}",
        glyphs(l)
    );

    // Justification spreads the line but never opens the numeral from its ％.
    let text = "経常収支比率はおおむね90％台前半に抑制し、公債費比率はおおむね8％を超えないこと。";
    for w in 10..30 {
        let st = style(w as f32, 0.0, Align::Justify);
        for l in set(text, &st) {
            let g = glyphs(&l);
            for k in 1..g.len() {
                if g[k].0 == '％' && g[k - 1].0.is_ascii_digit() {
                    let digit_w = fonts()
                        .set
                        .get(fonts().mincho)
                        .glyph(g[k - 1].0)
                        .unwrap()
                        .advance
                        * SIZE;
                    assert!(close(g[k].1 - g[k - 1].1, digit_w), "w{w}: {:?}", g);
                }
            }
        }
    }
}

#[test]
fn wa_ou_kan_never_at_line_start_or_end() {
    // Break right before/after Latin text: no quarter em at either edge.
    for w in 4..30 {
        let st = style(w as f32, 0.0, Align::Justify);
        for l in set(KANKO, &st) {
            let g = glyphs(&l);
            assert!(
                close(g[0].1, 0.0) || g[0].0 == '「',
                "w{w}: {:?}",
                line_text(&l)
            );
        }
    }
}

#[test]
fn consecutive_punctuation_is_compressed() {
    let st = style(40.0, 0.0, Align::Start);
    // 。」: the full stop loses its blank: 」 follows half an em later.
    let l = &set("再開した。」と", &st)[0];
    assert!(
        close(x_of(l, '」') - x_of(l, '。'), EM / 2.0),
        "{:?}",
        glyphs(l)
    );
    assert!(close(x_of(l, 'と') - x_of(l, '」'), EM));
    // ）、 likewise.
    let l = &set("協会（MISHOP）、では", &st)[0];
    assert!(close(x_of(l, '、') - x_of(l, '）'), EM / 2.0));
    // 」「: half an em of blank between the inks.
    let l = &set("「子ども」「教室」", &st)[0];
    let (close_x, open_x) = (x_of(l, '」'), x_nth(l, '「', 1));
    assert!(close(open_x - close_x, EM / 2.0), "{:?}", glyphs(l));
    // ）（ likewise.
    let l = &set("（注）（注）", &st)[0];
    assert!(close(x_nth(l, '（', 1) - x_of(l, '）'), EM / 2.0));
    // 、「: the opening bracket loses its blank.
    let l = &set("教室、「子", &st)[0];
    assert!(close(x_of(l, '「') - x_of(l, '、'), EM / 2.0));
    // Without neighbours nothing is compressed: 生徒、学校 keeps a full em for 、.
    let l = &set("生徒、学校", &st)[0];
    assert!(close(x_of(l, '学') - x_of(l, '、'), EM));
    // ・ between words keeps its quarter blanks: 児童・生徒 is set solid at full width.
    let l = &set("児童・生徒", &st)[0];
    assert!(close(x_of(l, '生') - x_of(l, '・'), EM));
}

#[test]
fn opening_bracket_at_line_start_is_flush() {
    // jlreq zenkaku_tentsuki: the ink of 「 starts at the indent.
    let l = &set("「子ども教室」", &style(40.0, 1.0, Align::Start))[0];
    assert!(close(x_of(l, '「'), EM - EM / 2.0), "{:?}", glyphs(l));
    assert!(close(x_of(l, '子'), EM + EM / 2.0));
}

#[test]
fn line_end_blank_is_dropped_for_ragged_lines() {
    let st = style(10.0, 0.0, Align::End);
    let l = &set("減少した。", &st)[0];
    // The ink of 。 (left half) ends at the right edge.
    assert!(close(x_of(l, '。') + EM / 2.0, st.width), "{:?}", glyphs(l));
    assert!(close(l.width, st.width));
    let st = style(10.0, 0.0, Align::Center);
    let l = &set("減少した。", &st)[0];
    assert!(close(x_of(l, '減'), (10.0 - 4.5) / 2.0 * EM));
}

#[test]
fn numbers_right_aligned_in_cells() {
    let st = style(8.0, 0.0, Align::End);
    let l = &set("34,677件", &st)[0];
    assert!(close(l.width, st.width));
    assert!(close(x_of(l, '件'), st.width - EM));
}

#[test]
fn numbers_and_inseparables_are_never_split() {
    let text = "英語版ホームページのアクセス件数は34,677件、観光案内所訪問者数は約63%減少し、平均は96.88で……——と推移した。";
    for w in 3..30 {
        for align in [Align::Justify, Align::Start] {
            let lines = set(text, &style(w as f32, 1.0, align));
            let texts: Vec<String> = lines.iter().map(line_text).collect();
            for whole in ["34,677", "63%", "96.88", "……", "——"] {
                assert!(
                    texts.iter().any(|t| t.contains(whole)),
                    "w{w}: {whole} split in {texts:?}"
                );
            }
        }
    }
}

#[test]
fn no_single_character_last_line() {
    // 11 kanji in a 10-em measure: greedy would leave 1 on the last line.
    let text = "観光案内所訪問者数減少";
    let st = style(10.0, 0.0, Align::Justify);
    let lines = set(text, &st);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        line_text(&lines[1]).chars().count(),
        2,
        "{:?}",
        lines.iter().map(line_text).collect::<Vec<_>>()
    );
    assert!(close(lines[0].width, st.width));
    // A long paragraph of the seed report with a measure that leaves one char.
    for w in 5..40 {
        let lines = set(KANKO, &style(w as f32, 1.0, Align::Justify));
        let last = line_text(lines.last().unwrap());
        assert!(last.chars().count() >= 2, "w{w}: {last:?}");
    }
}

#[test]
fn push_in_or_push_out_by_badness() {
    // Dropping the line-end 。 blank is free: the line takes the sentence end (追い込み).
    let st = style(14.5, 0.0, Align::Justify);
    let lines = set("観光案内所訪問者数は減少した。次に", &st);
    assert_eq!(line_text(&lines[0]), "観光案内所訪問者数は減少した。");
    assert!(close(lines[0].width, st.width));
    assert!(close(x_of(&lines[0], '。'), 14.0 * EM));

    // A quarter em of shrink out of a full em of 、 blanks beats 0.75 em of stretch over five
    // gaps: 追い込み, and both 、 give up an eighth of an em each.
    let st = style(6.75, 0.0, Align::Justify);
    let lines = set("生徒、児童、教員です", &st);
    assert_eq!(line_text(&lines[0]), "生徒、児童、教");
    assert!(close(lines[0].width, st.width));
    assert!(close(
        x_of(&lines[0], '児') - x_of(&lines[0], '、'),
        EM - EM / 8.0
    ));

    // Removing every 、 blank (ratio 1) is worse than stretching a full line by one em over
    // eleven gaps: 追い出し.
    let st = style(12.0, 0.0, Align::Justify);
    let lines = set("児童、生徒、学校生活支援でした", &st);
    let texts: Vec<String> = lines.iter().map(line_text).collect();
    assert_eq!(texts, ["児童、生徒、学校生活支援", "でした"]);
    assert!(close(lines[0].width, st.width));
}

#[test]
fn forced_break_and_zero_width_text_survive() {
    let text = "第1部\n世界に\u{200B}開かれた";
    let lines = set(text, &style(40.0, 0.0, Align::Justify));
    assert_eq!(lines.len(), 2);
    assert!(lines[0].last && lines[1].last);
    assert_eq!(line_text(&lines[0]), "第1部");
    assert_eq!(line_text(&lines[1]), "世界に\u{200B}開かれた");
    let lines = set("a\n\nb", &style(40.0, 0.0, Align::Start));
    assert_eq!(lines.len(), 3);
    assert!(lines[1].runs.is_empty() && lines[1].ascent > 0.0);
}

#[test]
fn missing_glyph_is_reported_with_its_offset() {
    let text = "三鷹\u{E000}市";
    let err = compose(&[span(text)], &style(40.0, 0.0, Align::Start), &fonts().set).unwrap_err();
    assert_eq!(
        err,
        MissingGlyph {
            character: '\u{E000}',
            offset: "三鷹".len()
        }
    );
    // Offsets count across spans.
    let spans = [span("三鷹"), span("市\u{E000}")];
    let err = compose(&spans, &style(40.0, 0.0, Align::Start), &fonts().set).unwrap_err();
    assert_eq!(err.offset, "三鷹市".len());
}

#[test]
fn fallback_font_gets_its_own_run() {
    let f = fonts();
    let (m, g) = (f.set.get(f.mincho), f.set.get(f.gothic));
    let gap = (0x20u32..0x30000)
        .filter_map(char::from_u32)
        .find(|&c| !m.has_glyph(c) && g.has_glyph(c));
    let mut set2 = FontSet::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
    let mi = set2
        .load_file("m", dir.join("BIZUDMincho-Regular.ttf"))
        .unwrap();
    let go = set2
        .load_file("g", dir.join("BIZUDGothic-Regular.ttf"))
        .unwrap();
    set2.set_fallback(vec![go]);
    match gap {
        Some(c) => {
            let text = format!("三{c}鷹");
            let sp = Span {
                text: text.clone(),
                font: mi,
                size: SIZE,
                color: Color::BLACK,
                mark: 0,
                lang: None,
            };
            let lines = compose(&[sp], &style(40.0, 0.0, Align::Start), &set2).unwrap();
            let fonts_used: Vec<FontIndex> = lines[0].runs.iter().map(|r| r.font).collect();
            assert_eq!(fonts_used, vec![mi, go, mi]);
            assert_eq!(all_text(&lines), text);
        }
        None => {
            // Mincho covers all of Gothic: check the chain through a font-less span instead:
            // a span in Gothic with fallback Mincho resolves everything to Gothic.
            eprintln!("no Mincho gap found in Gothic's coverage");
        }
    }
}

#[test]
fn natural_and_min_width() {
    let f = &fonts().set;
    let w = natural_width(&[span("令和2(2020)年度")], f);
    assert!(close(w, 4.0 * EM + 3.5 * EM + 2.0 * EM / 4.0), "{w}");
    // Ragged: the trailing 。 blank does not count.
    assert!(close(natural_width(&[span("した。")], f), 2.5 * EM));
    assert!(close(measure("三鷹", fonts().mincho, SIZE, f), 2.0 * EM));
    // Min-content: the widest unbreakable piece; 34,677 never splits.
    let m = min_width(&[span("件数34,677件")], f);
    assert!(close(m, 3.0 * EM), "{m}");
    let m = min_width(&[span("三鷹（MISHOP）では")], f);
    assert!(m >= 3.0 * EM + EM, "{m}");
}

#[test]
fn never_glyph_zero() {
    for l in set(KANKO, &style(20.0, 1.0, Align::Justify)) {
        for r in &l.runs {
            assert!(r.glyphs().iter().all(|g| g.glyph_id != 0));
        }
    }
}

const SEED_CHARS: &[char] = &[
    '三', '鷹', '市', 'の', 'は', 'を', 'し', 'た', 'ー', 'ッ', 'ょ', 'ゃ', '々', '、', '。', '「',
    '」', '（', '）', '『', '』', '【', '】', '・', '：', '？', '！', '％', '〜', '…', '—', '2',
    '0', ',', '.', '%', '(', ')', 'A', 'b', ' ', '①', '※', '〒', '＄', '１', '２',
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_forbidden_line_starts_or_ends(
        chars in proptest::collection::vec(proptest::sample::select(SEED_CHARS), 0..90),
        width in 2.0f32..25.0,
        indent in 0.0f32..2.0,
        justify in any::<bool>(),
    ) {
        let text: String = chars.into_iter().collect();
        let align = if justify { Align::Justify } else { Align::Start };
        let st = style(width, indent, align);
        let lines = set(&text, &st);
        prop_assert_eq!(all_text(&lines), text.clone());
        let k = lines.len();
        for (i, l) in lines.iter().enumerate() {
            let t = line_text(l);
            // issue 17, point 2: no line runs past the measure (a line holds at least one glyph,
            // so a glyph wider than the whole measure is the only excuse).
            let first_glyph = l.runs.first().and_then(|r| r.glyph_texts().next()).map_or(0.0, |(g, _)| g.x);
            let one_glyph = l.runs.iter().flat_map(|r| r.glyph_texts()).filter(|(_, t)| !t.trim().is_empty()).count() <= 1;
            prop_assert!(l.width <= st.width + 0.01 || one_glyph,
                "line {} ({:?}) is {} wide, measure {} (starts at {})", i, t, l.width, st.width, first_glyph);
            // A line full to the measure with no legal break in it may break 禁則 (JLREQ allows
            // it when nothing else fits); every other break keeps it.
            // (punctuation blanks compressed at a line end can leave a full line narrower)
            let forced = |l: &Line| l.width >= st.width - 1.5 * EM;
            // A forced break is chosen on natural widths (before end-of-line compression):
            // the next character did not fit after the previous line's characters at full width.
            let next_did_not_fit = |prev_index: usize, next: &Line| {
                let Some(first) = line_text(next).chars().next() else { return false };
                let both = format!("{}{first}", line_text(&lines[prev_index]));
                let indent = if prev_index == 0 { st.first_indent } else { st.rest_indent };
                natural_width(&[span(&both)], &fonts().set) + indent > st.width + 0.01
            };
            if i > 0 && !forced(&lines[i - 1]) && !next_did_not_fit(i - 1, l) {
                let c = t.chars().next().unwrap();
                prop_assert!(!no_start(c), "line {} starts with {:?}: {:?}", i, c, lines.iter().map(line_text).collect::<Vec<_>>());
                prop_assert!(c != ' ', "line {} starts with a space", i);
            }
            if i + 1 < k && !forced(l) {
                let c = t.trim_end_matches(' ').chars().last().unwrap();
                prop_assert!(!no_end(c), "line {} ends with {:?}: {:?}", i, c, lines.iter().map(line_text).collect::<Vec<_>>());
                // Justified lines are never short; longer only when 禁則 leaves no break.
                if justify && t.trim_end_matches(' ').chars().count() >= 2 {
                    prop_assert!(l.width >= st.width - 0.01, "line {} short: {} < {}", i, l.width, st.width);
                }
            }
            for r in &l.runs {
                prop_assert!(r.glyphs().iter().all(|g| g.glyph_id != 0));
            }
        }
    }
}

const ODD_CHARS: &[char] = &[
    '\n', '\t', '\u{200B}', '\u{FE00}', '\u{3000}', ' ', '」', '「', '。', 'ー', 'ッ', '三', 'A',
    '1', ',', '—', '…', '％', '(',
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Mixed spans (fonts, sizes), forced breaks, zero-width characters, tabs, degenerate
    /// measures: never a panic, the text comes back, 禁則 holds except right after a '\n'.
    #[test]
    fn robust_on_odd_input(
        parts in proptest::collection::vec(
            (proptest::collection::vec(
                proptest::sample::select([SEED_CHARS, ODD_CHARS].concat()), 0..25),
             any::<bool>(), 6.0f32..16.0),
            0..5),
        width in 0.0f32..200.0,
        align in proptest::sample::select(vec![Align::Justify, Align::Start, Align::Center, Align::End]),
    ) {
        let f = fonts();
        let spans: Vec<Span> = parts
            .iter()
            .map(|(cs, gothic, size)| Span {
                text: cs.iter().collect(),
                font: if *gothic { f.gothic } else { f.mincho },
                size: *size,
                color: Color::BLACK,
                mark: 0,
                lang: None,
            })
            .collect();
        let source: String = spans.iter().map(|s| s.text.as_str()).collect();
        let st = ParagraphStyle { width, first_indent: 10.0, rest_indent: 0.0, align };
        let lines = compose(&spans, &st, &f.set).unwrap();
        prop_assert_eq!(all_text(&lines), source.replace('\n', ""));
        prop_assert!(natural_width(&spans, &f.set) >= min_width(&spans, &f.set) - 0.01);
        for (i, l) in lines.iter().enumerate() {
            let t = line_text(l);
            let visible = t.chars().find(|c| !classes::zero_width(*c));
            // issue 17, point 2: nothing past the measure but a lone glyph wider than it.
            let one_glyph = l.runs.iter().flat_map(|r| r.glyph_texts())
                .filter(|(_, t)| t.chars().any(|c| !c.is_whitespace() && !classes::zero_width(c)))
                .count() <= 1;
            prop_assert!(l.width <= width.max(10.0) + 0.01 || one_glyph,
                "line {} ({:?}) is {} wide, measure {}", i, t, l.width, width);
            // A full line without a legal break may break 禁則 (the largest em here is 16 pt).
            let forced = |l: &Line| l.width >= width - 24.0;
            // ... or when the previous line and this line's first character did not fit at
            // natural width (whitespace such as a tab counted; at the largest size, 16 pt)
            let next_did_not_fit = |prev: usize| {
                let Some(first) = visible else { return false };
                let both = Span {
                    text: format!("{}{first}", line_text(&lines[prev])),
                    font: f.mincho,
                    size: 16.0,
                    color: Color::BLACK,
                    mark: 0,
                    lang: None,
                };
                let indent = if prev == 0 { st.first_indent } else { st.rest_indent };
                natural_width(&[both], &f.set) + indent > width + 0.01
            };
            if i > 0 && !lines[i - 1].last && !forced(&lines[i - 1]) && !next_did_not_fit(i - 1) {
                if let Some(c) = visible {
                    prop_assert!(!no_start(c), "line {} starts with {:?}", i, c);
                }
            }
            if !l.last && !forced(l) {
                let c = t.chars().rev().find(|c| *c != ' ' && *c != '\t' && !classes::zero_width(*c));
                prop_assert!(c.is_some_and(|c| !no_end(c)), "line {} ends with {:?}", i, c);
            }
            prop_assert!(l.width.is_finite() && l.ascent >= 0.0 && l.descent >= 0.0);
        }
    }
}

/// issue 17, point 2: a run of characters that may neither start nor end a line, longer than
/// the line, breaks anyway where the line is full; no character is lost and no line overflows.
#[test]
fn prohibited_runs_longer_than_a_line_break_at_the_measure_and_keep_every_character() {
    for (text, n) in [("ー", 60), ("（", 3000), ("。", 45), ("」", 70), ("ッ", 33)] {
        let run = text.repeat(n);
        for source in [run.clone(), format!("三鷹{run}市"), format!("{run}です。")] {
            for align in [Align::Justify, Align::Start, Align::Center] {
                let st = style(20.0, 1.0, align);
                let lines = set(&source, &st);
                assert_eq!(all_text(&lines), source, "{text}×{n} {align:?}");
                for (i, l) in lines.iter().enumerate() {
                    assert!(
                        l.width <= st.width + 0.01,
                        "{text}×{n} {align:?}: line {i} is {} wide, measure {}",
                        l.width,
                        st.width
                    );
                    // An opening bracket at a line start is set flush: its glyph box starts
                    // half an em left of the ink.
                    for (c, x) in glyphs(l) {
                        assert!(x >= -EM / 2.0 - 0.01 && x < st.width, "{c} at {x}");
                    }
                }
            }
        }
    }
}

#[test]
fn no_last_line_of_one_character_and_its_punctuation() {
    // "す。" alone on the last line reads as a one-character line: at no width is it left so.
    let text = "ライフスタイルやライフステージに応じた多様な生き方を選択できるように啓発と事業を進めます。";
    for tenths in 100..400 {
        let st = style(tenths as f32 / 10.0, 1.0, Align::Justify);
        let lines = set(text, &st);
        if lines.len() < 2 {
            continue;
        }
        let last = line_text(lines.last().unwrap());
        let letters = last.chars().filter(|c| !"。、」）".contains(*c)).count();
        assert!(
            letters >= 2,
            "width {}em: last line {last:?}",
            tenths as f32 / 10.0
        );
    }
}
