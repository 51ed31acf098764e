//! `hakusho build --print`: the print files (build/print/<name>.pdf) meet every check of
//! PDF/X-1a:2003 the checker knows, on every page of every document of the sample; the screen
//! files stay the same bytes; and the checker catches a file that breaks a rule.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{project_copy, run_ok, squash};
use hakusho_pdfcheck::inspect;
use hakusho_pdfcheck::print::check;

fn pdfs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "pdf").then(|| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read(&p).unwrap(),
                )
            })
        })
        .collect();
    out.sort();
    out
}

/// The sample without the style sheet's `print:` section: the print files are then laid out as
/// the screen files are, page for page, which lets their text and boxes be compared.
fn project_without_print_style() -> tempfile::TempDir {
    let project = project_copy();
    let style = project.path().join("templates/style.yaml");
    let text = fs::read_to_string(&style).unwrap();
    let at = text
        .find("\nprint:\n")
        .expect("the sample's style has a print: section");
    let end = text[at + 1..]
        .find("\n\n")
        .map_or(text.len(), |e| at + 1 + e + 1);
    fs::write(&style, format!("{}{}", &text[..at + 1], &text[end..])).unwrap();
    project
}

#[test]
fn the_samples_print_files_with_facing_pages_meet_pdfx_1a() {
    let project = project_copy();
    let p = project.path();
    run_ok(p, &["build", "--print"]);
    for (name, bytes) in pdfs(&p.join("build/print")) {
        let report = check(&bytes).unwrap();
        assert!(
            report.violations.is_empty(),
            "{name}: {:#?}",
            report.violations
        );
        // the sample's print: section pads every document to a multiple of 4 pages
        assert_eq!(report.pages % 4, 0, "{name}: {} pages", report.pages);
    }
}

#[test]
fn every_print_file_of_the_sample_meets_pdfx_1a_on_every_page() {
    let project = project_without_print_style();
    let p = project.path();
    let screen_only = project_without_print_style();
    run_ok(screen_only.path(), &["build"]);
    let out = run_ok(p, &["build", "--print"]);
    assert!(out.contains("build/print/"), "{out}");

    // The screen files are the bytes a build without --print writes.
    let screen = pdfs(&p.join("build"));
    assert_eq!(screen, pdfs(&screen_only.path().join("build")));

    let print = pdfs(&p.join("build/print"));
    assert_eq!(
        print.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        screen.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "one print file per document"
    );
    let allowed: BTreeSet<&str> = [
        "DeviceGray",
        "DeviceCMYK",
        "Separation:All",
        "Separation:City Blue",
    ]
    .into();
    for ((name, bytes), (_, screen_bytes)) in print.iter().zip(&screen) {
        let report = check(bytes).unwrap();
        assert!(
            report.violations.is_empty(),
            "{name}: {:#?}",
            report.violations
        );
        let spaces: BTreeSet<&str> = report.colour_spaces.iter().map(String::as_str).collect();
        assert!(spaces.is_subset(&allowed), "{name}: {spaces:?}");
        // black text and greys on the black plate, the city's colour on its own plate, the
        // marks on every plate
        assert!(spaces.contains("DeviceGray") && spaces.contains("Separation:All"));
        assert!(
            spaces.contains("Separation:City Blue"),
            "{name}: {spaces:?}"
        );

        // The same pages and text as the screen file, each page's trim box its page size.
        let print_pages = hakusho_pdfcheck::inspect(bytes).unwrap();
        let screen_pages = hakusho_pdfcheck::inspect(screen_bytes).unwrap();
        // (compared without spaces: untagged, one baseline's cells are one shown string, and
        // the reader joins them without the space it puts between separate strings)
        let text = |pages: &[Vec<String>]| -> Vec<String> {
            pages.iter().map(|lines| squash(&lines.concat())).collect()
        };
        assert_eq!(
            text(&print_pages.pages),
            text(&screen_pages.pages),
            "{name}"
        );
        assert_eq!(report.pages, screen_pages.pages.len());
        let doc = lopdf::Document::load_mem(bytes).unwrap();
        for (i, (&id, media)) in doc
            .get_pages()
            .values()
            .zip(&screen_pages.media_boxes)
            .enumerate()
        {
            let page = doc.get_dictionary(id).unwrap();
            let rect = |key: &[u8]| -> Vec<f32> {
                page.get(key)
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_float().unwrap())
                    .collect()
            };
            let (trim, bleed) = (rect(b"TrimBox"), rect(b"BleedBox"));
            let size = |r: &[f32]| (r[2] - r[0], r[3] - r[1]);
            let (w, h) = size(&trim);
            assert!(
                (w - (media[2] - media[0])).abs() < 0.01
                    && (h - (media[3] - media[1])).abs() < 0.01,
                "{name} page {}: trim {trim:?}, screen page {media:?}",
                i + 1
            );
            // 3 mm of bleed on each side
            let mm3 = 3.0 * 72.0 / 25.4;
            assert!(
                (trim[0] - bleed[0] - mm3).abs() < 0.01,
                "{name}: {bleed:?} {trim:?}"
            );
            assert!(
                (bleed[3] - trim[3] - mm3).abs() < 0.01,
                "{name}: {bleed:?} {trim:?}"
            );
        }
    }

    // Incremental like the screen files: nothing to do, then only the one deleted.
    let again = run_ok(p, &["build", "--print"]);
    assert!(again.contains("書き出し 0件、変更なし 12件"), "{again}");
    fs::remove_file(p.join("build/print/booklet-somu.pdf")).unwrap();
    let again = run_ok(p, &["build", "--print"]);
    assert!(again.contains("書き出し 1件、変更なし 11件"), "{again}");
    assert_eq!(
        fs::read(p.join("build/print/booklet-somu.pdf")).unwrap(),
        print
            .iter()
            .find(|(n, _)| n == "booklet-somu.pdf")
            .unwrap()
            .1,
        "the same inputs give the same bytes"
    );
}

/// A print file broken in one way each: the check names what is wrong.
#[test]
fn the_print_check_catches_rgb_rich_black_missing_boxes_and_a_screen_file() {
    let project = project_copy();
    let p = project.path();
    run_ok(p, &["build", "--print", "booklet-kikaku"]);
    let good = fs::read(p.join("build/print/booklet-kikaku.pdf")).unwrap();
    assert!(check(&good).unwrap().violations.is_empty());

    // Rewrites the first page's content with `edit`, saves as PDF 1.4 with an xref table.
    let broken = |edit: &dyn Fn(&mut lopdf::Document, lopdf::ObjectId)| {
        let mut doc = lopdf::Document::load_mem(&good).unwrap();
        let first = *doc.get_pages().values().next().unwrap();
        edit(&mut doc, first);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        check(&out).unwrap()
    };
    let recolour = |from: &str, to: &str| {
        let (from, to) = (from.to_string(), to.to_string());
        move |doc: &mut lopdf::Document, page: lopdf::ObjectId| {
            let content = doc.get_page_content(page);
            let text = String::from_utf8_lossy(&content).into_owned();
            assert!(text.contains(&from), "{from}");
            doc.change_page_content(page, text.replacen(&from, &to, 1).into_bytes())
                .unwrap();
        }
    };
    // the body text's K100 turned into RGB black, then into rich black
    let rgb = broken(&recolour("\n0 g\n", "\n0 0 0 rg\n"));
    assert!(rgb.breaks("colour.rgb"), "{:?}", rgb.violations);
    assert!(rgb.colour_spaces.contains("DeviceRGB"));
    let rich = broken(&recolour("\n0 g\n", "\n0.6 0.4 0.4 1 k\n"));
    assert!(
        rich.breaks("colour.rich_black_text"),
        "{:?}",
        rich.violations
    );
    assert!(!rich.breaks("colour.rgb"));
    // a page without its TrimBox, a BleedBox larger than the media
    let no_trim = broken(&|doc, page| {
        doc.get_dictionary_mut(page).unwrap().remove(b"TrimBox");
    });
    assert!(no_trim.breaks("box.trim"), "{:?}", no_trim.violations);
    let wide = broken(&|doc, page| {
        doc.get_dictionary_mut(page).unwrap().set(
            "BleedBox",
            lopdf::Object::Array(vec![(-10).into(), (-10).into(), 900.into(), 900.into()]),
        );
    });
    assert!(wide.breaks("box.nesting"), "{:?}", wide.violations);
    // a link on the printed area
    let link = broken(&|doc, page| {
        let mut a = lopdf::Dictionary::new();
        a.set("Type", lopdf::Object::Name(b"Annot".to_vec()));
        a.set("Subtype", lopdf::Object::Name(b"Link".to_vec()));
        a.set(
            "Rect",
            lopdf::Object::Array(vec![100.into(), 100.into(), 200.into(), 120.into()]),
        );
        let id = doc.add_object(a);
        doc.get_dictionary_mut(page)
            .unwrap()
            .set("Annots", lopdf::Object::Array(vec![id.into()]));
    });
    assert!(link.breaks("annotation"), "{:?}", link.violations);

    // The screen file is no print file.
    let screen = check(&fs::read(p.join("build/booklet-kikaku.pdf")).unwrap()).unwrap();
    for rule in [
        "file.version",
        "file.object_streams",
        "info.pdfx_version",
        "intent.missing",
        "box.bleed",
        "colour.rgb",
    ] {
        assert!(screen.breaks(rule), "{rule}: {:?}", screen.violations);
    }
}

/// With the sample's print style (facing pages: a layout of its own), the screen and print
/// files written together share the font subsets when both layouts use the same glyphs, and
/// are still the bytes each writes alone.
#[test]
fn screen_and_print_written_together_are_the_bytes_each_writes_alone() {
    use std::sync::Arc;
    let project = common::repo();
    let (model, diags) = hakusho_sources::load_project(&project);
    let model = model.unwrap_or_else(|| panic!("{diags:?}"));
    let (style, fonts) =
        hakusho_typeset::Style::load(&project.join("templates/style.yaml"), &project).unwrap();
    let screen = hakusho_typeset::Typesetter::new(style, Arc::new(fonts)).unwrap();
    let print = screen
        .for_print()
        .expect("the sample's style has a print: section");
    for (job, _, markup) in hakusho::build::rendered_documents(&model).unwrap() {
        if !(job.name.starts_with("hakusho") || job.name == "booklet-kikaku") {
            continue;
        }
        let markup = markup.unwrap();
        let (screen_laid, _) = screen.layout(&markup, &job.name).unwrap();
        let (print_laid, _) = print.layout(&markup, &job.name).unwrap();
        assert!(print_laid.pages.len() > screen_laid.pages.len() || job.name != "hakusho-2021");
        let (screen_pdf, print_pdf) = print
            .write_pdf_and_print_of(&screen_laid, &print_laid, 3.0, true, 0)
            .unwrap();
        assert!(
            screen_pdf == screen.write_pdf(&screen_laid).unwrap(),
            "{}",
            job.name
        );
        assert!(
            print_pdf == print.write_print_pdf(&print_laid, 3.0, true, 0).unwrap(),
            "{}",
            job.name
        );
    }
}

/// A print style that draws characters the screen file has not (here a running head of its
/// own): the print file cannot take the screen file's fonts, and gets fonts of its own glyphs
/// — every character it shows is embedded and extracts as written, and it still meets PDF/X.
#[test]
fn a_print_style_drawing_other_characters_gets_fonts_of_its_own() {
    let project = project_copy();
    let p = project.path();
    let style = p.join("templates/style.yaml");
    let text = fs::read_to_string(&style).unwrap();
    let with_head = text.replace(
        "\nprint:\n",
        "\nprint:\n  header: { left: \"入稿用見本・鸚鵡\" }\n",
    );
    assert_ne!(with_head, text, "the sample's style has a print: section");
    fs::write(&style, with_head).unwrap();
    run_ok(p, &["build", "--print", "booklet-kikaku"]);
    let screen = fs::read(p.join("build/booklet-kikaku.pdf")).unwrap();
    let print = fs::read(p.join("build/print/booklet-kikaku.pdf")).unwrap();
    let report = check(&print).unwrap();
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    let shown = |bytes: &[u8]| -> String {
        hakusho_pdfcheck::inspect(bytes)
            .unwrap()
            .pages
            .iter()
            .map(|lines| squash(&lines.concat()))
            .collect()
    };
    assert!(!shown(&screen).contains("鸚鵡"));
    let print_text = shown(&print);
    assert!(print_text.contains("入稿用見本・鸚鵡"), "{print_text}");
}

/// The sample's screen typesetter and its print variant, with `more` appended to the style
/// sheet's `print:` section (its last section).
fn screen_and_print_typesetters(
    more: &str,
) -> (hakusho_typeset::Typesetter, hakusho_typeset::Typesetter) {
    typesetters_of_style(|sample| format!("{}\n{more}", sample.trim_end()))
}

/// The screen typesetter and its print variant of the sample's style sheet as `edit` makes it.
fn typesetters_of_style(
    edit: impl Fn(&str) -> String,
) -> (hakusho_typeset::Typesetter, hakusho_typeset::Typesetter) {
    use hakusho_typeset::{Style, Typesetter};
    let project = common::repo();
    let path = project.join("templates/style.yaml");
    let (_, fonts) = Style::load(&path, &project).unwrap();
    let text = edit(&fs::read_to_string(&path).unwrap());
    let name = "templates/style.yaml";
    let style = Style::from_file(Style::parse(&text, name).unwrap(), &fonts, &text, name).unwrap();
    let screen = Typesetter::new(style, std::sync::Arc::new(fonts)).unwrap();
    let print = screen.for_print().expect("a print: section");
    (screen, print)
}

/// The white paper and a booklet of the sample, rendered: (name, markup).
fn white_paper_and_booklet() -> Vec<(String, String)> {
    let (model, diags) = hakusho_sources::load_project(&common::repo());
    let model = model.unwrap_or_else(|| panic!("{diags:?}"));
    let docs: Vec<(String, String)> = hakusho::build::rendered_documents(&model)
        .unwrap()
        .into_iter()
        .filter(|(job, _, _)| job.name.starts_with("hakusho") || job.name == "booklet-kikaku")
        .map(|(job, _, markup)| (job.name.clone(), markup.unwrap()))
        .collect();
    assert_eq!(
        docs.len(),
        2,
        "{:?}",
        docs.iter().map(|d| &d.0).collect::<Vec<_>>()
    );
    docs
}

/// The sample's print style differs from the screen's only in facing pages, padding and the
/// folio: the print layout is paginated from the screen layout's composition, and its print
/// file is the bytes a print layout made from scratch gives.
#[test]
fn a_print_layout_paginated_from_the_screens_composition_is_the_one_laid_out_anew() {
    // the sample's print style, and the same with a wider binding margin (the text block as
    // wide: its blocks move)
    let binding = |sample: &str| {
        sample.replacen(
            "  page: { facing: true, pad_to: 4 }",
            "  page: { facing: true, pad_to: 4, margin: { inside: 30mm, outside: 14mm } }",
            1,
        )
    };
    let sample_print = screen_and_print_typesetters("");
    let binding_print = typesetters_of_style(binding);
    assert!(binding_print.1.composes_like_screen());
    for ((screen, print), exact) in [(sample_print, true), (binding_print, false)] {
        assert!(print.composes_like_screen());
        for (name, markup) in white_paper_and_booklet() {
            let (laid, shared, _) = screen
                .layout_with_print(&print, &markup, &name, usize::MAX)
                .unwrap();
            let (laid_alone, anew, _) = screen
                .layout_with_print_as(&print, &markup, &name, usize::MAX, false)
                .unwrap();
            // paginated on its own: blank left pages before chapters, padding to 4
            assert!(shared.pages.len() > laid.pages.len(), "{name}");
            assert!(laid == laid_alone, "{name}: the screen layout");
            // Moved blocks may differ from blocks set in place in a float's last bit.
            assert!(!exact || shared == anew, "{name}: the print layout");
            let written = print
                .write_pdf_and_print_of(&laid, &shared, 3.0, true, 0)
                .unwrap();
            let (screen_pdf, print_pdf) = print
                .write_pdf_and_print_of(&laid_alone, &anew, 3.0, true, 0)
                .unwrap();
            assert!(written.0 == screen_pdf, "{name}: the screen file");
            if exact {
                assert!(written.1 == print_pdf, "{name}: the print file");
                continue;
            }
            // the same text at the same places, to a hundredth of a point
            let (a, b) = (inspect(&written.1).unwrap(), inspect(&print_pdf).unwrap());
            assert_eq!(a.pages, b.pages, "{name}");
            assert_eq!(a.runs.concat().len(), b.runs.concat().len(), "{name}");
            for (ra, rb) in a.runs.iter().flatten().zip(b.runs.iter().flatten()) {
                assert!(
                    ra.text == rb.text
                        && (ra.x - rb.x).abs() < 0.01
                        && (ra.y - rb.y).abs() < 0.01
                        && (ra.end - rb.end).abs() < 0.01,
                    "{name}: {ra:?} {rb:?}"
                );
            }
        }
    }
}

/// A print style that sets the body text in another size composes differently: its print
/// layout is made from scratch (the screen's composition would give the wrong pages).
#[test]
fn a_print_style_that_changes_the_text_is_laid_out_anew() {
    let (screen, print) = screen_and_print_typesetters("  body: { size: 11 }\n");
    assert!(!print.composes_like_screen());
    for (name, markup) in white_paper_and_booklet() {
        let (_, print_laid, _) = screen
            .layout_with_print(&print, &markup, &name, usize::MAX)
            .unwrap();
        let (alone, _) = print.layout(&markup, &name).unwrap();
        assert!(print_laid == alone, "{name}");
        let (_, wrongly_shared, _) = screen
            .layout_with_print_as(&print, &markup, &name, usize::MAX, true)
            .unwrap();
        assert!(wrongly_shared != alone, "{name}");
    }
}

/// Mirrored margins (`inside:` and `outside:` with facing pages, added by the `print:` section to
/// the screen style's left and right): on every page the text block, running heads included,
/// keeps the wider inside margin at the binding — the left edge of a right-hand (odd) page, the
/// right edge of a left-hand one — and the text block is as wide on both.
#[test]
fn mirrored_margins_keep_the_inside_margin_at_the_binding() {
    const MM: f32 = 72.0 / 25.4;
    let (_, print) = typesetters_of_style(|sample| {
        let print_page = "  page: { facing: true, pad_to: 4 }";
        assert!(sample.contains(print_page), "the sample's print: section");
        sample.replacen(
            print_page,
            "  page: { facing: true, pad_to: 4, margin: { inside: 30mm, outside: 14mm } }",
            1,
        )
    });
    let project = common::repo();
    let (model, diags) = hakusho_sources::load_project(&project);
    let model = model.unwrap_or_else(|| panic!("{diags:?}"));
    let (job, _, markup) = hakusho::build::rendered_documents(&model)
        .unwrap()
        .into_iter()
        .find(|(job, _, _)| job.name.starts_with("hakusho"))
        .expect("the sample has a white paper");
    let out = print.typeset(&markup.unwrap(), &job.name).unwrap();
    let report = hakusho_pdfcheck::inspect(&out.pdf).unwrap();
    let page_width = 210.0 * MM;
    let (mut right_hand, mut left_hand) = (0, 0);
    for (i, runs) in report.runs.iter().enumerate() {
        if !runs.iter().any(|r| r.text == (i + 1).to_string()) {
            // pages without a page number: blank ones, the cover and the colophon, each set on
            // its own
            continue;
        }
        // (left margin, right margin) of the page
        let (left_margin, right_margin) = if i % 2 == 0 {
            right_hand += 1;
            (30.0 * MM, 14.0 * MM)
        } else {
            left_hand += 1;
            (14.0 * MM, 30.0 * MM)
        };
        // Text (running heads, page numbers, justified lines) reaches both margins and does
        // not cross them, but for half an em (a hanging 。, a bracket's empty half); the
        // margins differ by 16 mm.
        let left = runs.iter().map(|r| r.x).fold(f32::MAX, f32::min);
        let right = runs.iter().map(|r| r.end).fold(f32::MIN, f32::max);
        assert!(
            (left - left_margin).abs() < 6.0 && (page_width - right - right_margin).abs() < 6.0,
            "page {}: text from {:.1} mm to {:.1} mm from the right edge; margins {:.0} and {:.0} mm",
            i + 1,
            left / MM,
            (page_width - right) / MM,
            left_margin / MM,
            right_margin / MM
        );
    }
    assert!(
        right_hand > 10 && left_hand > 10,
        "{right_hand} {left_hand}"
    );
}

/// `inside:` and `outside:` come in pairs, and only with facing pages: a located error otherwise.
#[test]
fn mirrored_margins_without_facing_pages_or_a_partner_are_located_errors() {
    use hakusho_typeset::Style;
    let project = common::repo();
    let path = project.join("templates/style.yaml");
    let (_, fonts) = Style::load(&path, &project).unwrap();
    let sample = fs::read_to_string(&path).unwrap();
    let name = "templates/style.yaml";
    for (margin, expected) in [
        (
            "margin: { top: 24mm, bottom: 22mm, inside: 30mm, outside: 14mm }",
            "見開きのページ",
        ),
        ("margin: { top: 24mm, bottom: 22mm, inside: 30mm }", "両方"),
        (
            "margin: { top: 24mm, bottom: 22mm, left: 22mm }",
            "left: と right:",
        ),
    ] {
        let text = sample.replacen(
            "margin: { top: 24mm, bottom: 22mm, left: 22mm, right: 22mm }",
            margin,
            1,
        );
        assert_ne!(text, sample);
        let diags = Style::from_file(Style::parse(&text, name).unwrap(), &fonts, &text, name)
            .expect_err(margin);
        let all = format!("{diags:?}");
        assert!(all.contains(expected), "{margin}: {all}");
        assert!(
            all.contains("line: 8"),
            "{margin}: located at the margin line: {all}"
        );
    }
}
