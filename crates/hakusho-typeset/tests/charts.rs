//! Figures and charts end to end: markup → pages; a figure is one unbreakable block.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use hakusho_diagnostics::Lang;
use hakusho_typeset::page::Item;
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

fn build(src: &str) -> LaidOutDocument {
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
    // HAKUSHO_CHART_PDF=dir writes the PDF to look at.
    if let Ok(dir) = std::env::var("HAKUSHO_CHART_PDF") {
        let pdf = ts.write_pdf(&laid).unwrap();
        let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        std::fs::write(format!("{dir}/chart-{n}.pdf"), pdf).unwrap();
    }
    laid
}

const FIGURE: &str = r#"<figure alt="英語版ホームページのアクセス件数：平成22年度 34,677件から令和2年度 202,850件、目標は令和4年度 400,000件">
<figcaption>図1-1 国際化の推進</figcaption>
<chart kind="bar" title="英語版ホームページのアクセス件数" unit="件" categories="平成22年度|平成26年度&#10;(前期)|平成30年度&#10;(中期)|令和2年度" target="400000" target-label="目標（令和4年度）">
<series name="実績" values="34677|98220|-|202850"/>
</chart>
<chart kind="line" title="外国籍市民の満足度" unit="%" categories="平成22年度|平成26年度|平成30年度|令和2年度" target="80" direction="higher">
<series name="実績" values="62.5|70.1|68.0|74.2"/>
<series name="参考" values="55|-|60|61.5"/>
</chart>
<p class="figure-note">注: 平成30年度の値は「おおむね80%台を維持」のため図に含めていません。</p>
</figure>"#;

fn paths_on(page: &hakusho_typeset::page::Page) -> usize {
    page.items
        .iter()
        .filter(|i| matches!(i, Item::Path(_)))
        .count()
}

#[test]
fn a_figure_draws_vector_paths_and_its_caption() {
    let laid = build(&format!("<doc title=\"t\">{FIGURE}</doc>"));
    assert_eq!(laid.pages.len(), 1);
    assert!(paths_on(&laid.pages[0]) > 20);
    let text: String = laid.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(r) => Some(r.text().to_string()),
            _ => None,
        })
        .collect();
    for want in [
        "図1-1",
        "英語版ホームページのアクセス件数",
        "（万件）",
        "令和2年度",
        "（%）",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
}

#[test]
fn a_figure_never_splits_across_pages() {
    // Paragraphs fill most of the first page, so the figure does not fit under them.
    for lines in [30, 34, 36, 38, 40] {
        let mut src = String::from("<doc title=\"t\">");
        for k in 0..lines {
            src.push_str(&format!("<p>段落{k}の文章です。</p>"));
        }
        src.push_str(FIGURE);
        src.push_str("</doc>");
        let laid = build(&src);
        let with_paths: Vec<usize> = (0..laid.pages.len())
            .filter(|&p| paths_on(&laid.pages[p]) > 0)
            .collect();
        assert_eq!(
            with_paths.len(),
            1,
            "{lines} paragraphs: paths on pages {with_paths:?}"
        );
        let caption_page = laid
            .pages
            .iter()
            .position(|p| {
                p.items
                    .iter()
                    .any(|i| matches!(i, Item::Text(r) if r.text().contains("図1-1")))
            })
            .unwrap();
        let note_page = laid
            .pages
            .iter()
            .position(|p| {
                p.items
                    .iter()
                    .any(|i| matches!(i, Item::Text(r) if r.text().contains("含めていません")))
            })
            .unwrap();
        assert_eq!((caption_page, note_page), (with_paths[0], with_paths[0]));
    }
}

#[test]
fn bad_chart_data_is_an_error_at_the_chart() {
    let src = "<doc title=\"t\"><figure>\n<chart categories=\"a|b\"><series values=\"1|x\"/></chart></figure></doc>";
    let msg = layout_errors(src);
    assert!(
        msg.iter()
            .any(|m| m.contains("test.html:2:1") && m.contains("「x」は数ではありません")),
        "{msg:?}"
    );
}

/// The messages (Japanese) of laying out `src` as test.html, which must fail.
fn layout_errors(src: &str) -> Vec<String> {
    match typesetter().layout(src, "test.html") {
        Ok(_) => panic!("accepted: {src}"),
        Err(d) => d.iter().map(|d| d.render(Lang::Ja)).collect(),
    }
}

/// The page (0-based) after the first whose text runs contain `text`.
fn page_with(laid: &LaidOutDocument, text: &str) -> Option<usize> {
    (1..laid.pages.len()).find(|&p| {
        laid.pages[p]
            .items
            .iter()
            .any(|i| matches!(i, Item::Text(r) if r.text().contains(text)))
    })
}

#[test]
fn a_list_of_figures_gives_each_captioned_figure_its_page_and_a_link_to_it() {
    // Figures on pages 3, 3 and 5 (1-based) after a list of figures on page 1; a figure
    // without a caption is not listed.
    let figure = |caption: &str| {
        format!(
            "<figure alt=\"a\">{caption}<chart kind=\"bar\" title=\"件数\" unit=\"件\" categories=\"a|b\"><series name=\"s\" values=\"1|2\"/></chart></figure>"
        )
    };
    let src = format!(
        "<doc title=\"t\"><toc kind=\"figures\" title=\"図表目次\"/><pagebreak/><h1>章</h1><pagebreak/>{}{}{}<pagebreak/><p>本文</p><pagebreak/>{}</doc>",
        figure("<figcaption>図1-1 一つ目の図</figcaption>"),
        figure("<figcaption>図1-2 二つ目の図</figcaption>"),
        figure(""),
        figure("<figcaption>図1-3 三つ目の図</figcaption>"),
    );
    let laid = build(&src);
    let list = &laid.pages[0];
    let texts: Vec<String> = list
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(r) => Some(r.text().to_string()),
            _ => None,
        })
        .collect();
    assert!(texts.iter().any(|t| t == "図表目次"), "{texts:?}");
    // The headings' table of contents is not this list: no entry for the chapter.
    assert!(!texts.iter().any(|t| t.contains("章")), "{texts:?}");
    let links: Vec<(String, usize, f32)> = list
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Link {
                contents,
                target_page,
                target_y,
                ..
            } => Some((contents.clone(), *target_page, *target_y)),
            _ => None,
        })
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    for (caption, (contents, target_page, target_y)) in
        ["図1-1 一つ目の図", "図1-2 二つ目の図", "図1-3 三つ目の図"]
            .iter()
            .zip(&links)
    {
        let page = page_with(&laid, caption.split(' ').nth(1).unwrap()).unwrap();
        assert_eq!(*target_page, page, "{caption}");
        // The entry shows the page number (1-based) the figure is printed on.
        assert_eq!(*contents, format!("{caption} {}", page + 1));
        assert!(
            texts.iter().any(|t| *t == (page + 1).to_string()),
            "no page number {} in {texts:?}",
            page + 1
        );
        // The link lands at the figure's top: above its caption's baseline, on the page.
        let caption_y = laid.pages[page]
            .items
            .iter()
            .find_map(|i| match i {
                Item::Text(r) if r.text().contains(caption.split(' ').nth(1).unwrap()) => Some(r.y),
                _ => None,
            })
            .unwrap();
        assert!(
            *target_y < caption_y && caption_y - target_y < 30.0,
            "{caption}: {target_y} vs {caption_y}"
        );
    }
    assert_eq!(links[0].1, 2);
    assert_eq!(links[2].1, 4);
}

#[test]
fn an_unknown_kind_of_toc_is_an_error_at_the_element() {
    let src = "<doc title=\"t\">\n<toc kind=\"tables\"/></doc>";
    let msg = layout_errors(src);
    assert!(
        msg.iter()
            .any(|m| m.contains("test.html:2:1") && m.contains("kind=\"tables\"")),
        "{msg:?}"
    );
}
