//! Page-level rules read back from the PDF (hakusho-pdfcheck, no external tools): block content
//! in table cells, keep-with-next, table orphan control, no blank page from a leading
//! `<pagebreak/>`, hanging list items, the TOC title, sections without running heads,
//! decimal alignment across units, the continued-table label.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use hakusho_diagnostics::{Diagnostics, Lang};
use hakusho_typeset::page::{Item, TextRun};
use hakusho_typeset::{LaidOutDocument, Style, Typesetter};

fn typesetter() -> &'static Typesetter {
    static TS: OnceLock<Typesetter> = OnceLock::new();
    TS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let (style, fonts) = Style::load(&root.join("templates/style.yaml"), &root)
            .unwrap_or_else(|d| panic!("{:?}", d));
        Typesetter::new(style, Arc::new(fonts)).unwrap()
    })
}

fn build(src: &str) -> (LaidOutDocument, Diagnostics, Vec<Vec<String>>) {
    let ts = typesetter();
    let (laid, warnings) = ts.layout(src, "test.html").unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|d| d.render(Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let pdf = ts.write_pdf(&laid).unwrap();
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    assert_eq!(report.pages.len(), laid.pages.len());
    (laid, warnings, report.pages)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn page_text(pages: &[Vec<String>], n: usize) -> String {
    squash(&pages[n].join(""))
}

/// Index of the page whose text holds `needle` (whitespace ignored).
fn page_of(pages: &[Vec<String>], needle: &str) -> usize {
    let needle = squash(needle);
    (0..pages.len())
        .find(|&n| page_text(pages, n).contains(&needle))
        .unwrap_or_else(|| panic!("{needle} is on no page"))
}

/// How many one-line paragraphs fill the first page (after an optional prefix).
fn lines_per_page() -> usize {
    let mut s = String::from("<doc title=\"t\">");
    for i in 0..120 {
        s.push_str(&format!("<p class=\"noindent\">行{i:03}</p>"));
    }
    s.push_str("</doc>");
    let (_, _, pages) = build(&s);
    let first = page_text(&pages, 0);
    (0..120)
        .take_while(|i| first.contains(&format!("行{i:03}")))
        .count()
}

fn filler(n: usize) -> String {
    (0..n)
        .map(|i| format!("<p class=\"noindent\">行{i:03}</p>"))
        .collect()
}

const PARA: &str =
    "市民の皆様に向けて、施策の達成状況と今後の取り組みを説明します。計画の進捗を確認し、\
    課題を整理しました。引き続き関係機関と連携して取り組みを進めます。";

#[test]
fn paragraphs_and_lists_in_cells_reach_the_pdf() {
    let src = "<doc title=\"t\"><table><tbody><tr><th>概要</th><td class=\"text\">\
        <p>一つ目の段落です。</p><p>二つ目の段落です。</p>\
        <p class=\"item noindent circled\">①地域の市民団体等との連携</p>\
        <p class=\"item noindent circled\">②情報発信の充実</p>\
        <p class=\"noindent\">【芸術文化課】</p>\
        <ul><li>箇条書きの項目</li></ul><ol class=\"circled\"><li>番号付きの項目</li></ol>\
        前後の地の文</td></tr>\
        <tr><th>見出し</th><td><h2>セルの中の見出し</h2><table><tr><td>入れ子の表</td></tr></table>\
        <div class=\"box\"><p>枠の中の段落</p></div></td></tr>\
        </tbody></table></doc>";
    let (_, warnings, pages) = build(src);
    let all = page_text(&pages, 0);
    for t in [
        "一つ目の段落です。",
        "二つ目の段落です。",
        "①地域の市民団体等との連携",
        "②情報発信の充実",
        "【芸術文化課】",
        "・箇条書きの項目",
        "①番号付きの項目",
        "前後の地の文",
        "セルの中の見出し",
        "入れ子の表",
        "枠の中の段落",
    ] {
        assert!(all.contains(t), "{t} missing from {all}");
    }
    // A heading and a table in a cell are laid out as they are on the page: nothing to say.
    let msgs: Vec<String> = warnings.iter().map(|d| d.render(Lang::En)).collect();
    assert!(msgs.is_empty(), "{msgs:?}");
}

/// Every glyph of a page: (x, baseline, character, font size).
fn glyphs(laid: &LaidOutDocument, page: usize) -> Vec<(f32, f32, char, f32)> {
    let mut out = Vec::new();
    for it in &laid.pages[page].items {
        if let Item::Text(r) = it {
            for (g, t) in r.glyph_texts() {
                if let Some(c) = t.chars().next() {
                    out.push((r.x + g.x, r.y, c, r.size));
                }
            }
        }
    }
    out
}

/// A list item's marker, its text and its wrapped lines, in ems of the item's size from the
/// marker: (where the text starts, where the second line starts).
fn list_hang(laid: &LaidOutDocument, marker: char, text_start: char) -> (f32, f32) {
    let gs = glyphs(laid, 0);
    let &(mx, my, _, size) = gs.iter().find(|g| g.2 == marker).expect("marker");
    let &(tx, ty, _, _) = gs.iter().find(|g| g.2 == text_start).expect("text");
    assert!(
        (ty - my).abs() < 0.1,
        "the text starts on the marker's line"
    );
    let second = gs
        .iter()
        .filter(|g| g.1 > my + 1.0 && g.3 == size)
        .map(|g| g.1)
        .reduce(f32::min)
        .expect("a second line");
    let x2 = gs
        .iter()
        .filter(|g| (g.1 - second).abs() < 0.1)
        .map(|g| g.0)
        .reduce(f32::min)
        .expect("glyphs on the second line");
    ((tx - mx) / size, (x2 - mx) / size)
}

/// A cell is laid out by the page's block layouter: a list in a cell puts its declared marker
/// (`lists.double_circle`) and the gap after it (`lists.gap`) as on the page, and its wrapped
/// lines hang under the text, in ems of the cell's smaller type.
#[test]
fn a_list_in_a_cell_hangs_as_on_the_page() {
    let item = format!(
        "<ul class=\"double-circle\"><li>{}</li></ul>",
        PARA.repeat(2)
    );
    let (page, _, _) = build(&format!("<doc title=\"t\">{item}</doc>"));
    let (cell, _, _) = build(&format!(
        "<doc title=\"t\"><table><col width=\"100%\"/><tr><td>{item}</td></tr></table></doc>"
    ));
    let on_page = list_hang(&page, '◎', '市');
    let in_cell = list_hang(&cell, '◎', '市');
    assert!(on_page.0 > 1.0, "a gap after the marker: {on_page:?}");
    assert!((on_page.0 - on_page.1).abs() < 0.01, "{on_page:?}");
    assert!(
        (in_cell.0 - on_page.0).abs() < 0.01 && (in_cell.1 - on_page.1).abs() < 0.01,
        "in the cell {in_cell:?}, on the page {on_page:?}"
    );
}

/// A table in a cell is a table: its own column rule stands between its cells, inside the
/// outer cell.
#[test]
fn a_table_in_a_cell_draws_its_own_grid() {
    let src = "<doc title=\"t\"><table><tr><th>外側</th><td>\
        <table><tr><td>左の欄</td><td>右の欄</td></tr></table></td></tr></table></doc>";
    let (laid, warnings, _) = build(src);
    assert!(warnings.is_empty(), "{warnings:?}");
    let gs = glyphs(&laid, 0);
    let x_of = |c: char| gs.iter().find(|g| g.2 == c).map(|g| g.0).expect("glyph");
    let (left_end, right_start) = (x_of('欄'), x_of('右'));
    let outer_start = x_of('外');
    let between = laid.pages[0].items.iter().any(|it| {
        matches!(it, Item::Line { x1, x2, .. }
            if (x1 - x2).abs() < 0.01 && *x1 > left_end && *x1 < right_start)
    });
    assert!(between, "no rule between the inner cells");
    assert!(outer_start < left_end);
}

#[test]
fn paragraphs_in_a_cell_are_separate_lines() {
    let src = "<doc title=\"t\"><table><tbody><tr><th>概要</th><td>\
        <p>段落一</p><p>段落二</p></td></tr></tbody></table></doc>";
    let (_, _, pages) = build(src);
    let lines: Vec<String> = pages[0].iter().map(|l| squash(l)).collect();
    let a = lines.iter().position(|l| l.contains("段落一")).unwrap();
    let b = lines.iter().position(|l| l.contains("段落二")).unwrap();
    assert_ne!(a, b, "{lines:?}");
}

#[test]
fn a_subhead_never_ends_a_page() {
    let n = lines_per_page();
    // The subhead would be the page's last line: it moves on with the paragraph after it.
    let src = format!(
        "<doc title=\"t\">{}<p class=\"subhead\">(2) 施策の達成に向けた取り組み状況</p><p>{PARA}</p></doc>",
        filler(n - 1)
    );
    let (_, _, pages) = build(&src);
    assert_eq!(
        page_of(&pages, "(2) 施策の達成"),
        page_of(&pages, "市民の皆様に向けて")
    );
    // data-keep="next" does the same for any block.
    let src = format!(
        "<doc title=\"t\">{}<p class=\"noindent\" data-keep=\"next\">次の表について</p>\
         <p>{PARA}</p></doc>",
        filler(n - 1)
    );
    let (_, _, pages) = build(&src);
    assert_eq!(
        page_of(&pages, "次の表について"),
        page_of(&pages, "市民の皆様に向けて")
    );
}

#[test]
fn paragraphs_leave_at_least_two_lines_on_each_page() {
    let n = lines_per_page();
    let long = PARA.repeat(3);
    for before in [n - 1, n - 2, n - 3] {
        let src = format!("<doc title=\"t\">{}<p>{long}</p></doc>", filler(before));
        let (laid, _, _) = build(&src);
        // Lines of the paragraph per page: glyph runs starting a body line below the filler.
        let mut per_page = Vec::new();
        for p in &laid.pages {
            let mut ys: Vec<i32> = p
                .items
                .iter()
                .filter_map(|it| match it {
                    Item::Text(r) if r.size > 10.0 && !run_text(r).contains('行') => {
                        Some(r.y.round() as i32)
                    }
                    _ => None,
                })
                .collect();
            ys.sort();
            ys.dedup();
            per_page.push(ys.len());
        }
        for (k, &c) in per_page.iter().enumerate() {
            assert!(
                c == 0 || c >= 2,
                "before={before}: page {k} has {c} lines: {per_page:?}"
            );
        }
    }
}

fn run_text(r: &TextRun) -> String {
    r.text().to_string()
}

#[test]
fn a_tables_first_row_is_never_alone_at_a_page_bottom() {
    let n = lines_per_page();
    let row = |id: &str| {
        format!(
            "<tr><th>{id}</th><th>題名{id}</th><th>担当部</th></tr>\
             <tr><th>概要</th><td colspan=\"2\"><p>{}</p></td></tr>\
             <tr><th>取組状況</th><td colspan=\"2\"><p>{}</p></td></tr>",
            PARA.repeat(2),
            PARA.repeat(2)
        )
    };
    for before in [n - 1, n - 2, n - 3, n - 4] {
        let src = format!(
            "<doc title=\"t\">{}<table><tbody>{}</tbody></table></doc>",
            filler(before),
            row("1-(1)")
        );
        let (_, _, pages) = build(&src);
        let head = page_of(&pages, "題名1-(1)");
        assert!(
            page_text(&pages, head).contains("概要"),
            "before={before}: the first row ends page {} alone",
            head + 1
        );
    }
}

#[test]
fn a_leading_pagebreak_makes_no_blank_page() {
    let (laid, _, _) = build("<doc title=\"t\"><pagebreak/><p>本文</p></doc>");
    assert_eq!(laid.pages.len(), 1);
    let (laid, _, pages) = build(
        "<doc title=\"t\"><p>一</p><pagebreak/><pagebreak/><h1>章</h1><p>二</p><pagebreak/></doc>",
    );
    assert_eq!(laid.pages.len(), 2, "{pages:?}");
    // A page that filled up exactly, then a pagebreak: no empty page between.
    let n = lines_per_page();
    let src = format!("<doc title=\"t\">{}<pagebreak/><p>次</p></doc>", filler(n));
    let (laid, _, _) = build(&src);
    assert_eq!(laid.pages.len(), 2);
}

#[test]
fn typed_list_items_hang_under_their_text() {
    assert_hangs('①', "circled");
}

/// ▶ is not in the default set: it hangs because templates/style.yaml declares it
/// (`lists.markers`).
#[test]
fn a_marker_declared_in_the_style_sheet_hangs() {
    assert_hangs('▶', "marked");
}

/// Every line after the first of an item typed with `marker` starts where its text starts.
fn assert_hangs(marker: char, class: &str) {
    let long = PARA.repeat(2);
    let src =
        format!("<doc title=\"t\"><p class=\"item noindent {class}\">{marker}{long}</p></doc>");
    let (laid, _, _) = build(&src);
    let mut lines: Vec<(f32, f32)> = Vec::new(); // (baseline, x of the first glyph)
    let mut after_marker = None;
    // The marker may be a run of its own (tagged as the item's label): the text starts at
    // the glyph after it, in whichever run.
    let mut marker_seen = false;
    for it in &laid.pages[0].items {
        if let Item::Text(r) = it {
            if r.size < 10.0 {
                continue; // running heads
            }
            let x = r.x + r.glyphs()[0].x;
            for (g, t) in r.glyph_texts() {
                if marker_seen && after_marker.is_none() {
                    after_marker = Some(r.x + g.x);
                }
                if t.starts_with(marker) && !marker_seen {
                    marker_seen = true;
                }
            }
            match lines.iter_mut().find(|l| (l.0 - r.y).abs() < 0.1) {
                Some(l) => l.1 = l.1.min(x),
                None => lines.push((r.y, x)),
            }
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(lines.len() >= 3, "{lines:?}");
    let hang = after_marker.expect("marker run");
    for l in &lines[1..] {
        assert!(
            (l.1 - hang).abs() < 0.05,
            "line at {} starts at {} not {hang}",
            l.0,
            l.1
        );
    }
    assert!(lines[0].1 < hang - 5.0);
}

#[test]
fn the_toc_title_takes_the_document_title() {
    let src = "<doc title=\"三鷹市自治体経営白書 2021\"><toc/><h1>第1章</h1><p>本文</p></doc>";
    let (_, _, pages) = build(src);
    assert!(page_text(&pages, 0).contains("三鷹市自治体経営白書2021目次"));
}

#[test]
fn a_colophon_section_has_no_running_heads() {
    let src = "<doc title=\"文書題名\"><h1>第2章 行財政改革</h1><p>本文</p>\
        <pagebreak/><section class=\"colophon\"><div class=\"colophon\"><p>発行 三鷹市</p></div></section></doc>";
    let (_, _, pages) = build(src);
    assert_eq!(pages.len(), 2);
    assert!(page_text(&pages, 0).contains("文書題名"));
    let last = page_text(&pages, 1);
    assert!(
        !last.contains("文書題名") && !last.contains("行財政改革"),
        "{last}"
    );
    assert!(last.contains("発行三鷹市"));
}

#[test]
fn numbers_with_different_units_line_up_on_the_point() {
    let src = "<doc title=\"t\"><table><tbody>\
        <tr><td>a</td><td class=\"num\">38.8%</td></tr>\
        <tr><td>b</td><td class=\"num\">12件</td></tr>\
        <tr><td>c</td><td class=\"num\">1,234.25ha</td></tr>\
        <tr><td>d</td><td class=\"num\">―</td></tr>\
        </tbody></table></doc>";
    let (laid, _, _) = build(src);
    // x where the integer part ends: the "." glyph, or the first unit character.
    let mut edges = Vec::new();
    for it in &laid.pages[0].items {
        if let Item::Text(r) = it {
            let t = run_text(r);
            // Numbers with a unit or a point (not the page number).
            if t.starts_with(|c: char| c.is_ascii_digit()) && !t.chars().all(|c| c.is_ascii_digit())
            {
                let (g, _) = r
                    .glyph_texts()
                    .find(|(_, t)| !t.starts_with(|c: char| c.is_ascii_digit() || c == ','))
                    .unwrap();
                edges.push(r.x + g.x);
            }
        }
    }
    assert_eq!(edges.len(), 3, "{edges:?}");
    assert!(
        edges.iter().all(|e| (e - edges[0]).abs() < 0.6),
        "{edges:?}"
    );
}

#[test]
fn a_continued_table_says_so_above_its_repeated_header() {
    let mut s = String::from(
        "<doc title=\"t\"><table><thead><tr><th>指標</th><th>値</th></tr></thead><tbody>",
    );
    for i in 0..120 {
        s.push_str(&format!(
            "<tr><td>指標{i:03}</td><td class=\"num\">{i}件</td></tr>"
        ));
    }
    s.push_str("</tbody></table></doc>");
    let (_, _, pages) = build(&s);
    assert!(pages.len() >= 2);
    assert!(!page_text(&pages, 0).contains("（続き）"));
    for n in 1..pages.len() {
        let t = page_text(&pages, n);
        let label = t.find("（続き）").expect("label");
        assert!(label < t.find("指標値").expect("header"), "{t}");
    }
}

#[test]
fn a_centred_line_is_centred_on_its_ink() {
    // 「 carries its blank on the left: compose drops it at the line start, and layout must not
    // re-centre the line from the glyph boxes (that would move it by half an em).
    let src = "<doc title=\"t\"><p class=\"center\">「三鷹」</p></doc>";
    let (laid, _, _) = build(src);
    let ts = typesetter();
    let (_, right, _, left) = ts.style().margins();
    let centre = (left + ts.style().page_width - right) / 2.0;
    for it in &laid.pages[0].items {
        if let Item::Text(r) = it {
            if run_text(r).contains('三') {
                let size = r.size;
                let first = r.x + r.glyphs()[0].x + size / 2.0; // ink of 「 starts half an em in
                let last = r.x + r.glyphs().last().unwrap().x + size / 2.0; // 」 ink ends mid-box
                let mid = (first + last) / 2.0;
                assert!((mid - centre).abs() < size * 0.2, "{mid} vs {centre}");
            }
        }
    }
}

#[test]
fn a_row_cut_by_a_page_break_keeps_its_label_on_both_pages() {
    let n = lines_per_page();
    let long: String = (0..30).map(|i| format!("<p>第{i}項 {PARA}</p>")).collect();
    let src = format!(
        "<doc title=\"t\">{}<table><col width=\"20%\"/><col width=\"80%\"/><tbody><tr><th>番号</th><th>題名</th></tr>\
         <tr><th>概要</th><td>{long}</td></tr></tbody></table></doc>",
        filler(n / 2)
    );
    let (_, _, pages) = build(&src);
    let first = page_of(&pages, "第0項");
    let last = page_of(&pages, "第29項");
    assert!(last > first);
    for p in first..=last {
        let t = page_text(&pages, p);
        assert_eq!(t.matches("概要").count(), 1, "page {}: {t}", p + 1);
    }
    // Every line of the row is there once.
    let all: String = (0..pages.len()).map(|p| page_text(&pages, p)).collect();
    for i in 0..30 {
        assert_eq!(all.matches(&format!("第{i}項")).count(), 1, "第{i}項");
    }
}

#[test]
fn a_division_runs_in_on_the_heading_line_when_it_fits() {
    let baseline_of = |laid: &LaidOutDocument, needle: char| {
        laid.pages[0]
            .items
            .iter()
            .find_map(|it| match it {
                Item::Text(r) if run_text(r).contains(needle) => Some(r.y),
                _ => None,
            })
            .unwrap()
    };
    let src = "<doc title=\"t\"><h4 class=\"policy\">第1 国際化の推進</h4>\
        <p class=\"division noindent\">［主な担当課］企画部企画経営課</p><p>本文です。</p></doc>";
    let (laid, _, pages) = build(src);
    assert!((baseline_of(&laid, '国') - baseline_of(&laid, '担')).abs() < 0.01);
    assert!(page_text(&pages, 0).contains("［主な担当課］企画部企画経営課"));
    // No room: it stays a paragraph of its own under the heading.
    let long = "とても長い施策の名称".repeat(4);
    let src = format!(
        "<doc title=\"t\"><h4 class=\"policy\">第1 {long}</h4>\
         <p class=\"division noindent\">［主な担当課］企画部企画経営課</p></doc>"
    );
    let (laid, _, pages) = build(&src);
    assert!(baseline_of(&laid, '担') > baseline_of(&laid, '第') + 5.0);
    assert!(page_text(&pages, 0).contains("［主な担当課］企画部企画経営課"));
}

/// Tables nested in cells past a depth are set as text with a warning: the text reaches the
/// page and deep markup cannot exhaust the stack.
#[test]
fn tables_nested_too_deep_are_set_as_text() {
    let depth = 500;
    let src = format!(
        "<doc title=\"t\">{}最も内側{}</doc>",
        "<table><tr><td>".repeat(depth),
        "</td></tr></table>".repeat(depth)
    );
    let (_, warnings, pages) = build(&src);
    assert!(page_text(&pages, 0).contains("最も内側"));
    let msgs: Vec<String> = warnings.iter().map(|d| d.render(Lang::En)).collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("nested more than"), "{msgs:?}");
}
