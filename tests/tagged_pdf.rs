//! Every bundled PDF (the sample and examples/kawabe) is a tagged PDF a screen reader can use,
//! read back with hakusho-pdfcheck: every piece of page content is marked content the
//! structure tree reaches or an artifact; headings never skip a level; every table has header
//! cells with a scope; every link has a description and its tab order follows the structure;
//! the catalog declares the language, marking, PDF/UA-1 (XMP) and the title's display. And
//! the white paper reads, walking its structure tree, as its markup's text in order.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use common::{hakusho, project_copy, repo};
use hakusho_pdfcheck::{inspect, PdfReport, StructKid, StructNode};

fn built_pdfs(project: &Path) -> Vec<(String, PdfReport)> {
    let out = hakusho(project, &["build"]);
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut docs = Vec::new();
    for e in fs::read_dir(project.join("build")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "pdf") {
            let report = inspect(&fs::read(&path).unwrap()).unwrap();
            docs.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                report,
            ));
        }
    }
    docs.sort_by(|a, b| a.0.cmp(&b.0));
    docs
}

/// What is wrong with the tagging of one document (empty: nothing).
fn tagging_problems(name: &str, r: &PdfReport) -> Vec<String> {
    let t = &r.tagging;
    let mut problems = Vec::new();
    let mut fail = |what: String| problems.push(format!("{name}: {what}"));
    if !t.marked {
        fail("no /MarkInfo << /Marked true >>".into());
    }
    if !t.display_doc_title {
        fail("no /ViewerPreferences << /DisplayDocTitle true >>".into());
    }
    let lang = r.lang.clone().unwrap_or_default();
    if lang.is_empty() {
        fail("no /Lang".into());
    }
    let title = r.title.clone().unwrap_or_default();
    match &t.metadata {
        None => fail("no XMP metadata".into()),
        Some(xmp) => {
            for want in [
                "<pdfuaid:part>1</pdfuaid:part>".to_string(),
                format!("<rdf:li>{lang}</rdf:li>"),
                format!("<rdf:li xml:lang=\"x-default\">{title}</rdf:li>"),
                "<pdf:Producer>hakusho</pdf:Producer>".to_string(),
            ] {
                if !xmp.contains(&want) {
                    fail(format!(
                        "XMP lacks {want} (consistent with /Info and /Lang)"
                    ));
                }
            }
        }
    }
    let Some(root) = &t.root else {
        fail("no structure tree".into());
        return problems;
    };
    if root.role != "Document" {
        fail(format!("the tree's top element is {}", root.role));
    }
    // Every MCID on every page is reached by the tree exactly once, and the tree reaches
    // nothing that is not on a page.
    let reached: Vec<(Option<usize>, i64)> = root.content();
    let reached_set: BTreeSet<(Option<usize>, i64)> = reached.iter().copied().collect();
    if reached_set.len() != reached.len() {
        fail("a marked-content sequence is reached twice".into());
    }
    let on_pages: BTreeSet<(Option<usize>, i64)> = t
        .marked_text
        .iter()
        .enumerate()
        .flat_map(|(p, m)| m.keys().map(move |&k| (Some(p), k)))
        .collect();
    for missing in on_pages.difference(&reached_set).take(3) {
        fail(format!(
            "MCID {missing:?} is not reached from the structure tree"
        ));
    }
    for dangling in reached_set.difference(&on_pages).take(3) {
        fail(format!(
            "the tree points at {dangling:?}, which no page has"
        ));
    }
    for (p, n) in t.unmarked_operators.iter().enumerate() {
        if *n > 0 {
            fail(format!(
                "page {}: {n} operators neither tagged nor artifact",
                p + 1
            ));
        }
        if t.struct_parents[p] != Some(p as i64) {
            fail(format!(
                "page {}: /StructParents is {:?}",
                p + 1,
                t.struct_parents[p]
            ));
        }
    }
    // Headings never skip a level going down.
    let mut last = 0;
    for e in root.elements() {
        if let Some(level) = e.role.strip_prefix('H').and_then(|l| l.parse::<u32>().ok()) {
            if level > last + 1 {
                fail(format!("H{level} follows H{last}"));
            }
            last = level;
        }
    }
    // Tables have header cells with a scope; figures alternative text; links their annotation
    // and a description.
    for e in root.elements() {
        match e.role.as_str() {
            "Table" => {
                let ths: Vec<&StructNode> = e
                    .elements()
                    .into_iter()
                    .filter(|c| c.role == "TH")
                    .collect();
                if ths.is_empty() {
                    fail("a table without TH".into());
                }
                if ths.iter().any(|th| th.scope.is_none()) {
                    fail("a TH without /Scope".into());
                }
            }
            "Figure" if e.alt.as_deref().is_none_or(|a| a.trim().is_empty()) => {
                fail("a Figure without /Alt".into());
            }
            "Link" => {
                let described = e.kids.iter().any(|k| {
                    matches!(k, StructKid::Annotation { contents: Some(c), .. } if !c.is_empty())
                });
                if !described {
                    fail("a Link element without its annotation or /Contents".into());
                }
            }
            _ => {}
        }
    }
    for (p, annots) in r.annotations.iter().enumerate() {
        for a in annots {
            if a.subtype == "Link" && a.contents.as_deref().unwrap_or("").is_empty() {
                fail(format!("page {}: a link without /Contents", p + 1));
            }
        }
        if !annots.is_empty() && t.tabs[p].as_deref() != Some("S") {
            fail(format!("page {}: annotations but /Tabs is not /S", p + 1));
        }
    }
    problems
}

fn assert_tagged(project: &Path) {
    let docs = built_pdfs(project);
    assert!(docs.len() >= 3);
    let problems: Vec<String> = docs
        .iter()
        .flat_map(|(name, r)| tagging_problems(name, r))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_sample_pdf_is_tagged_for_a_screen_reader() {
    let dir = project_copy();
    assert_tagged(dir.path());
}

#[test]
fn every_pdf_of_the_second_city_is_tagged_for_a_screen_reader() {
    let dir = common::kawabe_copy();
    assert_tagged(dir.path());
}

/// The checks above are not vacuous: the same white paper written without its structure
/// tree is reported.
#[test]
fn an_untagged_pdf_is_reported() {
    let (ts, markup) = white_paper();
    let (mut laid, _) = ts.layout(&markup, "hakusho").unwrap();
    laid.structure.clear();
    let problems = tagging_problems("untagged", &inspect(&ts.write_pdf(&laid).unwrap()).unwrap());
    for want in ["no /MarkInfo", "no structure tree"] {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want}: {problems:?}"
        );
    }
}

/// The sample's typesetter and its white paper's markup.
fn white_paper() -> (hakusho_typeset::Typesetter, String) {
    let project = repo();
    let (model, diags) = hakusho_sources::load_project(&project);
    let model = model.unwrap_or_else(|| panic!("{diags:?}"));
    let (style, fonts) =
        hakusho_typeset::Style::load(&project.join("templates/style.yaml"), &project).unwrap();
    let ts = hakusho_typeset::Typesetter::new(style, Arc::new(fonts)).unwrap();
    let docs = hakusho::build::rendered_documents(&model).unwrap();
    let (_, _, markup) = docs
        .into_iter()
        .find(|(job, _, _)| job.name.starts_with("hakusho"))
        .expect("the sample declares a white paper");
    (ts, markup.expect("the white paper renders"))
}

/// The markup's text, without whitespace (what layout collapses), in document order.
fn markup_text(nodes: &[hakusho_typeset::markup::Node], out: &mut String) {
    for n in nodes {
        match n {
            hakusho_typeset::markup::Node::Text(t, _) => {
                out.extend(t.chars().filter(|c| !c.is_whitespace()))
            }
            hakusho_typeset::markup::Node::Element(e) => markup_text(&e.children, out),
        }
    }
}

#[test]
fn the_white_paper_reads_in_tree_order_as_its_markup() {
    let (ts, markup) = white_paper();
    let parsed = hakusho_typeset::markup::parse(&markup, "hakusho").unwrap();
    let mut want = String::new();
    markup_text(&parsed.root.children, &mut want);
    let pdf = ts.typeset(&markup, "hakusho").unwrap().pdf;
    let report = inspect(&pdf).unwrap();
    // The table of contents is made up by layout, not markup text; the white paper's list
    // labels are the markers typed in its text (「①」), read where they stand.
    let got: String = report
        .tagging
        .text_in_tree_order(&["TOC"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(want.chars().count() > 10_000, "{}", want.chars().count());
    if got != want {
        let at = got
            .chars()
            .zip(want.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let around = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(20))
                .take(60)
                .collect::<String>()
        };
        panic!(
            "tree order differs from the markup at character {at}:\n tree:   {}\n markup: {}",
            around(&got),
            around(&want)
        );
    }
}

/// A template that skips a heading level (h1, then h3) gets a warning naming both headings,
/// and the PDF tags the h3 as H2 so a reader's heading list has no gap; a booklet whose
/// first heading is an h2 starts at H1 without a warning.
#[test]
fn a_skipped_heading_level_is_warned_and_tagged_without_the_gap() {
    let (ts, _) = white_paper();
    let markup = "<doc title=\"t\"><h1>総論</h1><h3>人口の推移</h3><p>本文。</p></doc>";
    let (laid, warnings) = ts.layout(markup, "t.html").unwrap();
    let said: Vec<String> = warnings
        .iter()
        .map(|d| d.render(hakusho_diagnostics::Lang::Ja))
        .collect();
    assert!(
        said.iter()
            .any(|w| w.contains("人口の推移") && w.contains("h3") && w.contains("総論")),
        "{said:?}"
    );
    let report = inspect(&ts.write_pdf(&laid).unwrap()).unwrap();
    let roles: Vec<String> = report
        .tagging
        .root
        .as_ref()
        .unwrap()
        .elements()
        .iter()
        .map(|e| e.role.clone())
        .filter(|r| r.starts_with('H'))
        .collect();
    assert_eq!(roles, ["H1", "H2"]);

    let booklet = "<doc title=\"t\"><h2>健康福祉部</h2><h3>方針</h3><p>本文。</p></doc>";
    let (laid, warnings) = ts.layout(booklet, "b.html").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let report = inspect(&ts.write_pdf(&laid).unwrap()).unwrap();
    assert!(tagging_problems("booklet", &report).is_empty());
}

/// Each chart figure of the white paper is a `Figure` with the alternative text its data
/// makes (the drawing itself is an artifact), and its caption is text inside it.
#[test]
fn every_chart_figure_is_a_figure_with_alternative_text() {
    let (ts, markup) = white_paper();
    let (laid, _) = ts.layout(&markup, "hakusho").unwrap();
    let report = inspect(&ts.write_pdf(&laid).unwrap()).unwrap();
    let root = report.tagging.root.as_ref().expect("a structure tree");
    let figures: Vec<&StructNode> = root
        .elements()
        .into_iter()
        .filter(|e| e.role == "Figure")
        .collect();
    assert_eq!(figures.len(), markup.matches("<figure").count());
    assert!(!figures.is_empty());
    for f in figures {
        let alt = f.alt.as_deref().unwrap_or("");
        // 「英語版ホームページのアクセス件数：平成22年度 34,677件から…」
        assert!(alt.contains('：') && alt.contains("年度"), "{alt}");
        assert!(
            f.elements().iter().any(|e| e.role == "P"),
            "a caption inside"
        );
    }
}

/// The print variant of the style (facing pages: blank pages before chapters and at the
/// end) is tagged as well: a blank page holds nothing untagged.
#[test]
fn the_print_variant_of_the_white_paper_is_tagged_for_a_screen_reader() {
    let project = repo();
    let (ts, markup) = white_paper();
    let (style, fonts) =
        hakusho_typeset::Style::load(&project.join("templates/style.yaml"), &project).unwrap();
    let print = hakusho_typeset::Style::for_profile(&style, hakusho_typeset::Profile::Print);
    let print = hakusho_typeset::Typesetter::new(print, Arc::new(fonts)).unwrap();
    let screen = inspect(&ts.typeset(&markup, "hakusho").unwrap().pdf).unwrap();
    let report = inspect(&print.typeset(&markup, "hakusho").unwrap().pdf).unwrap();
    assert!(report.pages.len() > screen.pages.len(), "no blank pages");
    let problems = tagging_problems("print", &report);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The same text in the same tree order as on screen.
    assert_eq!(
        report.tagging.text_in_tree_order(&["TOC"]),
        screen.tagging.text_in_tree_order(&["TOC"])
    );
}

/// Typed list items (「①…」 lines, which `narrative` makes `<p class="item">`) are one `L` of
/// `LI`s, each marker its item's `Lbl` and the rest its `LBody`; a paragraph ends the list.
#[test]
fn typed_list_items_are_a_list_with_their_markers_as_labels() {
    let (ts, _) = white_paper();
    let markup = "<doc title=\"t\"><h1>方針</h1><p>前文。</p>\n\
        <p class=\"item noindent circled\">①子育て支援の充実</p>\n\
        <p class=\"item noindent circled\">②高齢者福祉の推進</p>\n\
        <p>後文。</p></doc>";
    let report = inspect(&ts.typeset(markup, "t.html").unwrap().pdf).unwrap();
    let t = &report.tagging;
    let root = t.root.as_ref().unwrap();
    let lists: Vec<&StructNode> = root
        .elements()
        .into_iter()
        .filter(|e| e.role == "L")
        .collect();
    assert_eq!(lists.len(), 1, "one list of both items");
    let items: Vec<(String, String)> = lists[0]
        .kids
        .iter()
        .map(|k| match k {
            StructKid::Element(li) => {
                assert_eq!(li.role, "LI");
                let part = |role: &str| {
                    li.elements()
                        .into_iter()
                        .find(|e| e.role == role)
                        .map(|e| t.text_of(e))
                        .unwrap_or_default()
                };
                (part("Lbl"), part("LBody"))
            }
            other => panic!("{other:?} in L"),
        })
        .collect();
    assert_eq!(
        items,
        [
            ("①".to_string(), "子育て支援の充実".to_string()),
            ("②".to_string(), "高齢者福祉の推進".to_string())
        ]
    );
    // The paragraphs around stay paragraphs.
    let paragraphs: Vec<String> = root
        .elements()
        .into_iter()
        .filter(|e| e.role == "P")
        .map(|e| t.text_of(e))
        .collect();
    assert_eq!(paragraphs, ["前文。", "後文。"]);
    assert!(tagging_problems("typed list", &report).is_empty());
}

/// Running headers and footers (the page number among them) are pagination artifacts with
/// their subtype: on every page of the white paper past its cover, a footer holding the page
/// number, and a header.
#[test]
fn running_heads_and_page_numbers_are_pagination_artifacts() {
    let (ts, markup) = white_paper();
    let report = inspect(&ts.typeset(&markup, "hakusho").unwrap().pdf).unwrap();
    let pages = &report.tagging.pagination;
    assert!(pages.len() > 40, "{}", pages.len());
    let mut numbered = 0;
    for (i, furniture) in pages.iter().enumerate() {
        if furniture.is_empty() {
            continue; // a cover
        }
        let number = (i + 1).to_string();
        assert!(
            furniture
                .iter()
                .any(|(kind, text)| kind == "Footer" && text.contains(&number)),
            "page {}: {furniture:?}",
            i + 1
        );
        assert!(furniture
            .iter()
            .all(|(k, _)| k == "Header" || k == "Footer"));
        numbered += 1;
    }
    assert!(numbered + 2 >= pages.len(), "{numbered} of {}", pages.len());
}

/// A table cell holding one paragraph is that paragraph to a reader: its text is the cell's own
/// marked content, not a `P` inside it (a third of the white paper's elements were such
/// paragraphs). A cell holding more (a list, two paragraphs) keeps its elements.
#[test]
fn a_cells_lone_paragraph_is_the_cell_itself() {
    let (ts, markup) = white_paper();
    let report = inspect(&ts.typeset(&markup, "hakusho").unwrap().pdf).unwrap();
    let t = &report.tagging;
    let root = t.root.as_ref().unwrap();
    let cells: Vec<&StructNode> = root
        .elements()
        .into_iter()
        .filter(|e| e.role == "TD" || e.role == "TH")
        .collect();
    assert!(cells.len() > 1000, "{}", cells.len());
    let mut holding_text = 0;
    for cell in &cells {
        let lone_paragraph =
            matches!(cell.kids.as_slice(), [StructKid::Element(p)] if p.role == "P");
        assert!(!lone_paragraph, "a P alone in a cell: {}", t.text_of(cell));
        if cell
            .kids
            .iter()
            .any(|k| matches!(k, StructKid::Content { .. }))
        {
            holding_text += 1;
        }
    }
    assert!(holding_text > 800, "{holding_text} cells hold their text");
    assert!(tagging_problems("white paper", &report).is_empty());
}

/// A passage in another language (`<span lang="en">`) is a marked-content sequence of its own
/// with its `/Lang` (ISO 32000-1, 14.9.2.2), inside its paragraph's element; the web edition
/// keeps the attribute; a `lang` that is no language tag is refused where it is written.
#[test]
fn a_passage_in_another_language_carries_its_lang() {
    let (ts, _) = white_paper();
    let markup = "<doc title=\"t\"><h1>市の名前</h1>\
        <p>市の英語名は<span lang=\"en\">Mitaka City</span>です。</p></doc>";
    let report = inspect(&ts.typeset(markup, "t.html").unwrap().pdf).unwrap();
    let t = &report.tagging;
    let english: Vec<(&String, &String)> = t
        .marked_lang
        .iter()
        .zip(&t.marked_text)
        .flat_map(|(langs, texts)| langs.iter().map(move |(m, l)| (l, &texts[m])))
        .collect();
    assert_eq!(english.len(), 1, "{english:?}");
    assert_eq!(english[0].0, "en");
    assert_eq!(english[0].1.trim(), "Mitaka City");
    // the rest of the paragraph is the document's language, in the same P
    let root = t.root.as_ref().unwrap();
    let p = root.elements().into_iter().find(|e| e.role == "P").unwrap();
    assert_eq!(
        common::squash(&t.text_of(p)),
        "市の英語名はMitakaCityです。"
    );
    assert!(tagging_problems("lang", &report).is_empty());

    let bad = "<doc title=\"t\"><p><span lang=\"英語\">x</span></p></doc>";
    let err = ts.typeset(bad, "bad.html").unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("は言語タグではありません"), "{text}");
}
