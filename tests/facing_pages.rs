//! The print variant of the sample's style (`print:` in templates/style.yaml: facing pages,
//! padding to a multiple of four): every document of the sample typeset with
//! `Style::for_profile(Profile::Print)` and read back with hakusho-pdfcheck. Chapters open on
//! right-hand (odd) pages after a blank left page when needed; blank pages print nothing, not
//! even their number; page numbers and running heads sit on the outer edge; page counts are
//! multiples of four; the table of contents, its links and the bookmarks name the pages the
//! headings land on. The screen variant is the style as written.

mod common;

use std::sync::Arc;

use common::{repo, squash};
use hakusho_pdfcheck::{inspect, PdfReport};
use hakusho_typeset::{Profile, Style, Typesetter};

/// Every sample document typeset for `profile`: (document name, PDF report).
fn documents(profile: Profile) -> Vec<(String, PdfReport)> {
    let project = repo();
    let (model, diags) = hakusho_sources::load_project(&project);
    let model = model.unwrap_or_else(|| panic!("{diags:?}"));
    let (style, fonts) = Style::load(&project.join("templates/style.yaml"), &project).unwrap();
    let ts = Typesetter::new(style.for_profile(profile), Arc::new(fonts)).unwrap();
    hakusho::build::rendered_documents(&model)
        .unwrap()
        .into_iter()
        .map(|(job, _, markup)| {
            let markup = markup.expect("every sample document renders");
            let out = ts.typeset(&markup, &job.name).unwrap();
            (job.name.clone(), inspect(&out.pdf).unwrap())
        })
        .collect()
}

fn is_blank(r: &PdfReport, page: usize) -> bool {
    r.runs[page].is_empty() && r.fills[page].is_empty() && r.annotations[page].is_empty()
}

fn white_paper(docs: &[(String, PdfReport)]) -> &PdfReport {
    &docs
        .iter()
        .find(|(name, _)| name.starts_with("hakusho"))
        .expect("the sample has a white paper")
        .1
}

#[test]
fn in_print_every_chapter_opens_on_a_right_hand_page_after_a_blank_left_one() {
    let docs = documents(Profile::Print);
    let mut blanks_before_chapters = 0;
    for (name, r) in &docs {
        let chapter_pages: Vec<usize> = r
            .outline
            .iter()
            .filter(|o| o.level == 1)
            .map(|o| o.page.expect("a bookmark has a page"))
            .collect();
        assert!(!chapter_pages.is_empty(), "{name} has no h1");
        for &p in &chapter_pages {
            assert_eq!(p % 2, 0, "{name}: a chapter opens on page {}", p + 1);
        }
        for p in (0..r.pages.len()).filter(|&p| is_blank(r, p)) {
            // A blank page is the back of the page before a chapter (or the table of
            // contents), or padding at the end.
            let before_chapter = chapter_pages.contains(&(p + 1));
            blanks_before_chapters += usize::from(before_chapter);
            let padding = (p..r.pages.len() - 1).all(|q| is_blank(r, q));
            let toc_next = r.pages.get(p + 1).is_some_and(|l| {
                l.iter()
                    .any(|line| line.contains(r.title.as_deref().unwrap()) && line.contains("目次"))
            });
            assert!(
                (p % 2 == 1 && (before_chapter || toc_next)) || padding,
                "{name}: page {} is blank",
                p + 1
            );
        }
    }
    // The white paper's second chapter and the plan summaries' second part need one.
    assert!(blanks_before_chapters >= 2, "{blanks_before_chapters}");
    // The table of contents is on a right-hand page too, after the cover's blank back.
    let wp = white_paper(&docs);
    assert!(is_blank(wp, 1));
    assert!(
        wp.pages[2].iter().any(|l| l.contains("目次")),
        "{:?}",
        wp.pages[2]
    );
}

#[test]
fn in_print_page_counts_are_multiples_of_four_and_the_colophon_stays_last() {
    let docs = documents(Profile::Print);
    for (name, r) in &docs {
        assert_eq!(r.pages.len() % 4, 0, "{name}: {} pages", r.pages.len());
    }
    let wp = white_paper(&docs);
    let last = wp.pages.len() - 1;
    assert!(
        !is_blank(wp, last),
        "the white paper ends with a blank page"
    );
    assert!(is_blank(wp, last - 1), "no padding before the colophon");
    // The screen PDFs are not padded: the sample has booklets of 1, 2 and 3 pages.
    let screen = documents(Profile::Screen);
    assert!(screen.iter().any(|(_, r)| r.pages.len() % 4 != 0));
    assert!(screen
        .iter()
        .all(|(_, r)| (0..r.pages.len()).all(|p| !is_blank(r, p))));
}

/// Where `text` is set, alone, among `runs` whose baseline `band` accepts: the middle of
/// each occurrence's glyphs (the first glyph's x to the last one's), searched glyph by glyph
/// since the writer joins runs of one font into one shown string.
fn middles_of(runs: &[hakusho_pdfcheck::Run], text: &str, band: impl Fn(f32) -> bool) -> Vec<f32> {
    let mut found = Vec::new();
    let want: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    for run in runs.iter().filter(|r| band(r.y)) {
        let glyphs: Vec<(f32, char)> = run
            .glyphs
            .iter()
            .flat_map(|(x, t)| t.chars().map(move |c| (*x, c)))
            .filter(|(_, c)| !c.is_whitespace())
            .collect();
        for start in 0..glyphs.len() {
            let fits = glyphs.len() - start >= want.len()
                && glyphs[start..start + want.len()]
                    .iter()
                    .zip(&want)
                    .all(|((_, a), b)| a == b);
            // The whole slot: not the digits of a longer number.
            let alone = glyphs
                .get(start + want.len())
                .is_none_or(|(x, _)| *x - glyphs[start + want.len() - 1].0 > 20.0)
                && (start == 0 || glyphs[start].0 - glyphs[start - 1].0 > 20.0);
            if fits && alone {
                found.push((glyphs[start].0 + glyphs[start + want.len() - 1].0) / 2.0);
            }
        }
    }
    found
}

#[test]
fn in_print_page_numbers_and_running_heads_sit_on_the_outer_edge() {
    let docs = documents(Profile::Print);
    let mut checked = 0;
    for (name, r) in &docs {
        let title = r.title.clone().unwrap();
        for (p, runs) in r.runs.iter().enumerate() {
            let width = r.media_boxes[p][2];
            let height = r.media_boxes[p][3];
            // The folio: the page's number alone in the bottom margin; the running head's
            // {title} slot: the document's title in the top margin.
            let folio = middles_of(runs, &(p + 1).to_string(), |y| y < 60.0).pop();
            // A document whose chapter is named as the document shows the name twice.
            let heads = middles_of(runs, &title, |y| y > height - 60.0);
            let head = match heads[..] {
                [one] => Some(one),
                [a, b] if (a < width / 2.0) != (b < width / 2.0) => continue,
                _ => None,
            };
            let (Some(folio), Some(head)) = (folio, head) else {
                // A cover, a colophon or a blank page: neither.
                assert!(
                    folio.is_none() && head.is_none(),
                    "{name}: page {} has a folio or a running head, not both",
                    p + 1
                );
                continue;
            };
            if p % 2 == 0 {
                // A right-hand page: the folio outside (right), the title inside (left,
                // the section outside).
                assert!(folio > width * 0.8, "{name} p{}: folio at {folio}", p + 1);
                assert!(head < width / 2.0, "{name} p{}: title at {head}", p + 1);
            } else {
                assert!(folio < width * 0.2, "{name} p{}: folio at {folio}", p + 1);
                assert!(head > width / 2.0, "{name} p{}: title at {head}", p + 1);
            }
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");
    // On screen the folio stays in the middle of every page.
    let screen = documents(Profile::Screen);
    let wp = white_paper(&screen);
    let folio = middles_of(&wp.runs[5], "6", |y| y < 60.0)[0];
    assert!((folio - wp.media_boxes[5][2] / 2.0).abs() < 5.0, "{folio}");
}

#[test]
fn in_print_the_contents_links_and_bookmarks_name_the_pages_headings_land_on() {
    let docs = documents(Profile::Print);
    let wp = white_paper(&docs);
    let toc_page = 2;
    let toc_lines: Vec<String> = wp.pages[toc_page].iter().map(|l| squash(l)).collect();
    let mut checked = 0;
    for item in wp.outline.iter().filter(|o| o.level <= 3) {
        let title = squash(&item.title);
        let page = item.page.expect("a bookmark has a page");
        // The bookmark's page holds the heading (a chapter title is set on two lines).
        let on_page = squash(&wp.pages[page].join(""));
        let head: String = title.chars().take(6).collect();
        assert!(on_page.contains(&head), "{title} not on page {}", page + 1);
        let Some(line) = toc_lines.iter().find(|l| l.starts_with(&title)) else {
            continue;
        };
        let digits = common::trailing_digits(line);
        assert_eq!(digits, (page + 1).to_string(), "{title}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} entries checked");
    // Each entry's link jumps to a page that some bookmark points at.
    let bookmarked: Vec<usize> = wp.outline.iter().filter_map(|o| o.page).collect();
    let links: Vec<usize> = wp.annotations[toc_page]
        .iter()
        .filter_map(|a| a.target_page)
        .collect();
    assert!(links.len() >= 30, "{}", links.len());
    assert!(links.iter().all(|p| bookmarked.contains(p)), "{links:?}");
}
