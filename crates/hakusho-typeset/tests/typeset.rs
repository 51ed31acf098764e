//! End-to-end: markup → PDF, read back with hakusho-pdfcheck (no external tools needed), and
//! cross-checked with qpdf / pdffonts / pdftotext when they are installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use hakusho_diagnostics::Lang;
use hakusho_typeset::markup::{self, Element};
use hakusho_typeset::{LaidOutDocument, Style, Typesetter};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn typesetter() -> &'static Typesetter {
    static TS: OnceLock<Typesetter> = OnceLock::new();
    TS.get_or_init(|| {
        let root = crate_dir().join("../..");
        let (style, fonts) = Style::load(&root.join("templates/style.yaml"), &root)
            .unwrap_or_else(|d| panic!("{:?}", d));
        Typesetter::new(style, Arc::new(fonts)).unwrap()
    })
}

fn fixture() -> String {
    std::fs::read_to_string(crate_dir().join("tests/fixtures/policy_4-1.html")).unwrap()
}

fn build(src: &str) -> (LaidOutDocument, Vec<u8>) {
    let ts = typesetter();
    let (laid, _) = ts.layout(src, "test.html").unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|d| d.render(Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let pdf = ts.write_pdf(&laid).unwrap();
    (laid, pdf)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Texts of every paragraph-like element (p, li, h*, th, td) with whitespace collapsed,
/// split at <br/> (a cell's lines may sit on different visual lines than their neighbours').
fn source_texts(el: &Element, out: &mut Vec<String>) {
    if matches!(
        el.name.as_str(),
        "p" | "li" | "h1" | "h2" | "h3" | "h4" | "th" | "td"
    ) {
        let mut parts = vec![String::new()];
        fn walk(nodes: &[markup::Node], parts: &mut Vec<String>) {
            for n in nodes {
                match n {
                    markup::Node::Text(t, _) => parts.last_mut().unwrap().push_str(t),
                    markup::Node::Element(e) if e.name == "br" => parts.push(String::new()),
                    markup::Node::Element(e) if matches!(e.name.as_str(), "b" | "span") => {
                        walk(&e.children, parts)
                    }
                    _ => {}
                }
            }
        }
        walk(&el.children, &mut parts);
        out.extend(
            parts
                .into_iter()
                .map(|p| squash(&p))
                .filter(|p| !p.is_empty()),
        );
    }
    for c in el.child_elements() {
        source_texts(c, out);
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

fn tmp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hakusho-typeset-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn pdftotext(path: &Path, args: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(args)
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_paragraph_and_cell_comes_back_as_text() {
    let src = fixture();
    let (_, pdf) = build(&src);
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let text = report.text_without_whitespace();
    let doc = markup::parse(&src, "f").unwrap();
    let mut texts = Vec::new();
    source_texts(&doc.root, &mut texts);
    assert!(texts.len() > 40, "{}", texts.len());
    for t in &texts {
        assert!(text.contains(t.as_str()), "missing from the PDF text: {t}");
    }
    // The fixture's policy text is the seed's, character for character.
    let seed = std::fs::read_to_string(crate_dir().join("tests/fixtures/seed_002_policy_4-1.txt"))
        .unwrap();
    for line in seed
        .lines()
        .filter(|l| l.starts_with("新型") || l.starts_with("飲食店"))
    {
        assert!(
            text.contains(&squash(line)),
            "seed paragraph missing: {line}"
        );
    }
    if have("pdftotext") {
        // Raw (content-stream) order keeps each cell's lines together.
        let raw = squash(&pdftotext(&tmp_pdf("cells.pdf", &pdf), &["-raw"]));
        for t in &texts {
            assert!(raw.contains(t.as_str()), "pdftotext lost: {t}");
        }
        assert!(raw.contains("1,134店舗(平成21年)"));
    }
}

/// The embedded programs hold only the glyphs the document draws (plus .notdef), and the subset
/// tag is the same on the Type0 font, its CIDFont and the descriptor (ISO 32000-1, 9.6.4).
#[test]
fn embedded_fonts_are_real_subsets_with_one_tag() {
    let (laid, pdf) = build(&fixture());
    let mut drawn: std::collections::BTreeMap<usize, std::collections::BTreeSet<u16>> =
        Default::default();
    for page in &laid.pages {
        for it in &page.items {
            if let hakusho_typeset::page::Item::Text(run) = it {
                drawn
                    .entry(run.font.0)
                    .or_default()
                    .extend(run.glyphs().iter().map(|g| g.glyph_id));
            }
        }
    }
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut programs = 0;
    for obj in doc.objects.values() {
        let Ok(type0) = obj.as_dict() else { continue };
        if type0.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(&b"Type0"[..]) {
            continue;
        }
        let base = type0.get(b"BaseFont").unwrap().as_name().unwrap().to_vec();
        assert_eq!(base[6], b'+', "{}", String::from_utf8_lossy(&base));
        assert!(base[..6].iter().all(u8::is_ascii_uppercase));
        let kids = type0.get(b"DescendantFonts").unwrap().as_array().unwrap();
        let cid = match &kids[0] {
            lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
            o => o.as_dict().unwrap(),
        };
        assert_eq!(cid.get(b"BaseFont").unwrap().as_name().unwrap(), &base[..]);
        let desc = doc
            .get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap())
            .unwrap();
        assert_eq!(desc.get(b"FontName").unwrap().as_name().unwrap(), &base[..]);
        let file = desc.get(b"FontFile2").unwrap().as_reference().unwrap();
        let stream = doc.get_object(file).unwrap().as_stream().unwrap();
        let bytes = stream.decompressed_content().unwrap();
        let face = ttf_parser::Face::parse(&bytes, 0).unwrap();
        let glyphs = face.number_of_glyphs() as usize;
        // Composite glyphs may pull in components; nothing else may be kept.
        let used = drawn.values().map(|s| s.len()).collect::<Vec<_>>();
        assert!(
            used.iter().any(|&n| glyphs > n && glyphs <= n + 1 + 16),
            "{}: {glyphs} glyphs embedded, documents fonts draw {used:?}",
            String::from_utf8_lossy(&base)
        );
        programs += 1;
    }
    assert_eq!(programs, drawn.len());
}

#[test]
fn fonts_are_embedded_subset_and_mapped_to_unicode() {
    let (_, pdf) = build(&fixture());
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    assert_eq!(report.fonts.len(), 3, "{:?}", report.fonts);
    for f in &report.fonts {
        assert!(f.embedded && f.subset && f.unicode_map, "{f:?}");
    }
    assert_eq!(report.lang.as_deref(), Some("ja"));
    assert_eq!(
        report.title.as_deref(),
        Some("三鷹市自治体経営白書 2021（抜粋）")
    );
    if have("pdffonts") {
        let out = Command::new("pdffonts")
            .arg(tmp_pdf("fonts.pdf", &pdf))
            .output()
            .unwrap();
        let out = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert_eq!(rows.len(), 3, "{out}");
        for r in rows {
            let cols: Vec<&str> = r.split_whitespace().collect();
            // name type... encoding emb sub uni id gen
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{r}");
        }
    }
    if have("qpdf") {
        let st = Command::new("qpdf")
            .arg("--check")
            .arg(tmp_pdf("check.pdf", &pdf))
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stdout)
        );
    }
}

#[test]
fn toc_numbers_and_bookmarks_point_at_the_heading_pages() {
    let (laid, pdf) = build(&fixture());
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    // Bookmarks: nested by level, each landing on the page the heading is printed on.
    assert_eq!(report.outline.len(), laid.outline.len());
    for (got, want) in report.outline.iter().zip(&laid.outline) {
        assert_eq!(got.title, want.title);
        assert_eq!(got.level, want.level as usize, "{}", want.title);
        assert_eq!(got.page, Some(want.page), "{}", want.title);
        let page_text = squash(&report.pages[want.page].join(""));
        assert!(
            page_text.contains(&squash(&want.title)),
            "{} not on page {}",
            want.title,
            want.page
        );
    }
    assert!(report.outline.iter().any(|o| o.level == 3));
    // TOC: every entry's number is the page (1-based) its heading lands on.
    let toc_page = report
        .pages
        .iter()
        // The style's TOC title is "{title} 目次".
        .position(|p| p.iter().any(|l| l.trim().ends_with("目次")))
        .unwrap();
    let doc = markup::parse(&fixture(), "f").unwrap();
    let mut checked = 0;
    for line in &report.pages[toc_page] {
        let title = line.trim_end_matches(|c: char| c.is_ascii_digit());
        let Ok(num) = line[title.len()..].parse::<usize>() else {
            continue;
        };
        let leader = typesetter().style().file.toc.leader.clone();
        if !title.contains(leader.as_str()) {
            continue; // the page's own folio
        }
        let title = squash(title.trim_end_matches(|c: char| leader.contains(c) || c == ' '));
        let entry = laid.outline.iter().find(|o| {
            squash(&o.title) == title || short_title(&doc.root, &o.title).as_deref() == Some(&title)
        });
        let entry = entry.unwrap_or_else(|| panic!("TOC line without heading: {line}"));
        assert_eq!(num, entry.page + 1, "{line}");
        checked += 1;
    }
    assert_eq!(checked, 5);
    // TOC entries are links to the headings.
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = lo.get_pages();
    let toc_id = pages[&(toc_page as u32 + 1)];
    let annots = lo
        .get_dictionary(toc_id)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(annots.len(), 5);
}

fn short_title(root: &Element, full: &str) -> Option<String> {
    fn find(el: &Element, full: &str) -> Option<String> {
        if el.name.starts_with('h') && squash(&el.text_content()) == squash(full) {
            return el.attr("data-short").map(squash);
        }
        el.child_elements().find_map(|c| find(c, full))
    }
    find(root, full)
}

fn long_table(rows: usize) -> String {
    let mut s = String::from("<doc title=\"長い表\"><h1>長い表</h1><p>三百行の表です。</p><table><thead>\
        <tr><th rowspan=\"2\">指標名</th><th>計画策定時</th><th colspan=\"3\">達成値</th><th>目標値</th></tr>\
        <tr><th>平成22年度</th><th>前期</th><th>中期</th><th>実績</th><th>令和4年度</th></tr></thead><tbody>");
    for i in 1..=rows {
        s.push_str(&format!(
            "<tr><td>指標{i:03}の名称</td><td class=\"num\">{},{:03}件</td><td class=\"num\">{}.{}%</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}人</td><td class=\"num\">{}</td></tr>",
            i, i * 7 % 1000, i % 97, i % 10, i * 3, i * 11, i + 5
        ));
    }
    s.push_str("</tbody></table><p class=\"note\">(注) 表の注記です。</p></doc>");
    s
}

#[test]
fn long_table_repeats_its_header_on_every_page() {
    let (laid, pdf) = build(&long_table(300));
    assert!(laid.pages.len() >= 6, "{} pages", laid.pages.len());
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let all = report.text_without_whitespace();
    for i in 1..=300 {
        assert_eq!(
            all.matches(&format!("指標{i:03}の名称")).count(),
            1,
            "row {i}"
        );
    }
    for (n, page) in report.pages.iter().enumerate() {
        let t = squash(&page.join("\n"));
        assert_eq!(t.matches("計画策定時").count(), 1, "page {}", n + 1);
        assert_eq!(t.matches("平成22年度").count(), 1, "page {}", n + 1);
    }
    // The note stays with the table's last row.
    let last = squash(&report.pages.last().unwrap().join(""));
    assert!(last.contains("指標300の名称") && last.contains("(注)表の注記です。"));
    if have("pdftotext") {
        let path = tmp_pdf("long.pdf", &pdf);
        for n in 1..=laid.pages.len() {
            let s = n.to_string();
            let t = pdftotext(&path, &["-f", &s, "-l", &s]);
            assert_eq!(t.matches("計画策定時").count(), 1, "pdftotext page {n}");
        }
    }
}

#[test]
fn headings_never_end_a_page() {
    let mut s = String::from("<doc title=\"t\">");
    for i in 0..40 {
        s.push_str(&format!("<h2>見出し{i}</h2>"));
        for _ in 0..(i % 4 + 1) {
            s.push_str("<p>市民の皆様に向けて、施策の達成状況と今後の取り組みを説明します。計画の進捗を確認し、課題を整理しました。</p>");
        }
    }
    s.push_str("</doc>");
    let (laid, _) = build(&s);
    for o in &laid.outline {
        let page = &laid.pages[o.page];
        let below = page.items.iter().any(|it| {
            matches!(it, hakusho_typeset::page::Item::Text(r)
            if r.y > o.y + 30.0 && r.glyph_texts().next().map(|(_, t)| t) == Some("市"))
        });
        assert!(below, "{} ends page {}", o.title, o.page + 1);
    }
}

#[test]
fn builds_are_byte_identical_in_one_process() {
    let src = fixture();
    let (_, a) = build(&src);
    let (_, b) = build(&src);
    let (_, c) = build(&long_table(20));
    let (_, d) = build(&src);
    assert!(a == b && b == d);
    assert_ne!(a, c);
}

/// Helper run as a child process by `builds_are_byte_identical_across_processes`.
#[test]
fn child_writes_fixture_pdf() {
    if let Ok(path) = std::env::var("HAKUSHO_TEST_CHILD_OUT") {
        let (_, pdf) = build(&fixture());
        std::fs::write(path, pdf).unwrap();
    }
}

#[test]
fn builds_are_byte_identical_across_processes() {
    let (_, here) = build(&fixture());
    let mut outs = Vec::new();
    for k in 0..2 {
        let path =
            std::env::temp_dir().join(format!("hakusho-child-{}-{k}.pdf", std::process::id()));
        let st = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_writes_fixture_pdf", "--test-threads=1"])
            .env("HAKUSHO_TEST_CHILD_OUT", &path)
            .status()
            .unwrap();
        assert!(st.success());
        outs.push(std::fs::read(&path).unwrap());
        let _ = std::fs::remove_file(&path);
    }
    assert!(outs[0] == outs[1], "two processes differ");
    assert!(outs[0] == here, "child and parent differ");
}

#[test]
fn missing_character_is_reported_with_its_position() {
    let err = typesetter()
        .typeset("<doc title=\"t\">\n<p>吉と𠮷</p>\n</doc>", "m.html")
        .unwrap_err();
    let msgs: Vec<String> = err.iter().map(|d| d.render(Lang::En)).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("m.html:2:") && m.contains("U+20BB7") && m.contains('𠮷')),
        "{msgs:?}"
    );
}

#[test]
fn bad_markup_lists_every_problem() {
    let err = typesetter()
        .typeset("<doc>\n<p>a<blink>b</blink></p>\n<table><tr><td rowspan=\"x\">1</td></tr></table>\n<p>", "bad.html")
        .unwrap_err();
    let msgs: Vec<String> = err.iter().map(|d| d.render(Lang::En)).collect();
    assert!(msgs.len() >= 3, "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.starts_with("bad.html:2:5:")),
        "{msgs:?}"
    );
}

#[test]
fn a_row_taller_than_a_page_is_split_and_keeps_every_line() {
    let long: String = (0..60)
        .map(|i| format!("第{i}項 市民の生活を支える取り組みを継続して実施しました。"))
        .collect::<Vec<_>>()
        .join("<br/>");
    let src = format!(
        "<doc title=\"t\"><table><thead><tr><th>区分</th><th>内容</th></tr></thead><tbody>\
         <tr><td>前</td><td>短い行</td></tr><tr><td>長い行</td><td>{long}</td></tr>\
         <tr><td>後</td><td>最後の行</td></tr></tbody></table></doc>"
    );
    let (laid, pdf) = build(&src);
    assert!(laid.pages.len() >= 2);
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let all = report.text_without_whitespace();
    for i in 0..60 {
        let line = format!("第{i}項市民の生活を支える取り組みを継続して実施しました。");
        assert_eq!(all.matches(&line).count(), 1, "{line}");
    }
    for page in &report.pages {
        assert_eq!(squash(&page.join("")).matches("区分内容").count(), 1);
    }
}

#[test]
fn numbers_line_up_on_the_decimal_point() {
    let src = "<doc title=\"t\"><table><tbody><tr><td>a</td><td class=\"num\">1.5%</td></tr>\
        <tr><td>b</td><td class=\"num\">12%</td></tr><tr><td>c</td><td class=\"num\">123.25%</td></tr>\
        </tbody></table></doc>";
    let (laid, _) = build(src);
    // Right edge of the integer part: x of the "." glyph, or of the "%" when there is none.
    let mut edges = Vec::new();
    for it in &laid.pages[0].items {
        if let hakusho_typeset::page::Item::Text(r) = it {
            if r.text().ends_with('%') {
                let (g, _) = r
                    .glyph_texts()
                    .find(|&(_, t)| t == "." || t == "%")
                    .unwrap();
                edges.push(r.x + g.x);
            }
        }
    }
    assert_eq!(edges.len(), 3);
    assert!(
        edges.iter().all(|e| (e - edges[0]).abs() < 0.01),
        "{edges:?}"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "<p>",
        "</p>",
        "<p class=\"note\">",
        "(注) ",
        "<h1>",
        "</h1>",
        "<h2>",
        "</h2>",
        "<ul>",
        "</ul>",
        "<ol class=\"circled\">",
        "</ol>",
        "<li>",
        "</li>",
        "<table>",
        "</table>",
        "<thead>",
        "</thead>",
        "<tr>",
        "</tr>",
        "<td class=\"num\">",
        "<td colspan=\"3\">",
        "<th rowspan=\"2\">",
        "</td>",
        "</th>",
        "<br/>",
        "<b>",
        "</b>",
        "<toc/>",
        "<pagebreak/>",
        "<div class=\"box\">",
        "</div>",
        "<section class=\"cover\">",
        "</section>",
        "三鷹市",
        "12.5%",
        "1,234件",
        "\n",
        " ",
        "&amp;",
        "&lt;",
        "&#x4E09;",
        "word ",
        "<bad>",
        "&nbsp;",
        "<p x=\"1\">",
        "<td rowspan=\"0\">",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        /// Whatever the markup, typesetting returns a PDF or diagnostics; it never panics.
        #[test]
        fn arbitrary_markup_never_panics(picks in prop::collection::vec(0..TOKENS.len(), 0..60)) {
            let body: String = picks.iter().map(|&i| TOKENS[i]).collect();
            let src = format!("<doc title=\"f\">{body}</doc>");
            match typesetter().typeset(&src, "fuzz.html") {
                Ok(out) => prop_assert!(out.pdf.starts_with(b"%PDF-")),
                Err(d) => prop_assert!(d.has_errors()),
            }
        }
    }
}

#[test]
fn typesetter_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Typesetter>();
}

#[test]
fn headings_in_boxes_land_where_they_are_printed() {
    let mut s = String::from("<doc title=\"t\"><toc/><h1>前</h1>");
    for _ in 0..30 {
        s.push_str("<p>本文の段落です。本文の段落です。本文の段落です。本文の段落です。</p>");
    }
    s.push_str("<div class=\"box\"><h3>囲みの見出しA</h3><p>囲みの本文です。</p><h3>囲みの見出しB</h3><p>囲みの本文です。</p></div>");
    s.push_str("<table><tbody><tr><td><h2>表の中</h2></td></tr></tbody></table></doc>");
    let (laid, pdf) = build(&s);
    let titles: Vec<&str> = laid.outline.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(titles, ["前", "囲みの見出しA", "囲みの見出しB"]);
    let a = &laid.outline[1];
    let b = &laid.outline[2];
    assert_eq!(a.page, b.page);
    assert!(b.y > a.y + 20.0, "{} {}", a.y, b.y);
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let page = squash(&report.pages[a.page].join(""));
    assert!(page.contains("囲みの見出しA") && page.contains("囲みの見出しB"));
}
