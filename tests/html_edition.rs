//! The web edition (`html:` in sources/hakusho.yaml) of the bundled project: written for the
//! documents that ask for it, with the same text as the PDF; unchanged pages not rewritten; a
//! failed build or a failed write leaves the previous edition as it was; nothing written
//! through a link out of the project.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::{hakusho, project_copy, replace_in};

type Listing = BTreeMap<String, (Vec<u8>, SystemTime)>;

/// Every file under build/html → (bytes, mtime).
fn edition(project: &Path) -> Listing {
    let mut out = BTreeMap::new();
    let root = project.join("build/html");
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else {
                let rel = e.path().strip_prefix(&root).unwrap().display().to_string();
                let m = e.metadata().unwrap().modified().unwrap();
                out.insert(rel, (fs::read(e.path()).unwrap(), m));
            }
        }
    }
    out
}

fn build_ok(project: &Path) -> String {
    let out = hakusho(project, &["build"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn changed(before: &Listing, after: &Listing) -> Vec<String> {
    let mut names: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    names.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
    names
}

#[test]
fn editions_for_the_documents_that_ask_and_incremental_rewrites() {
    let dir = project_copy();
    let p = dir.path();
    let stdout = build_ok(p);
    assert!(stdout.contains("ウェブ版: build/html/（11件"), "{stdout}");
    let first = edition(p);
    // the white paper and the ten booklets; plan-summaries does not ask
    assert!(first.contains_key("web.css"));
    assert!(first.contains_key("hakusho-2021/index.html"));
    assert!(first.contains_key("hakusho-2021/all.html"));
    assert!(first.contains_key("booklet-kikaku/index.html"));
    assert!(!first.keys().any(|k| k.starts_with("plan-summaries")));
    assert_eq!(
        first["web.css"].0,
        fs::read(p.join("templates/web.css")).unwrap()
    );
    // the link to the PDF names its size
    let pdf_len = fs::metadata(p.join("build/hakusho-2021.pdf"))
        .unwrap()
        .len();
    let index = String::from_utf8(first["hakusho-2021/index.html"].0.clone()).unwrap();
    let size = format!("PDF版（{}KB）", pdf_len.div_ceil(1024));
    assert!(index.contains(&size), "{size} not in {index}");

    // nothing changed: nothing rewritten
    std::thread::sleep(std::time::Duration::from_millis(20));
    let stdout = build_ok(p);
    assert!(stdout.contains("書き出し 0ファイル"), "{stdout}");
    assert_eq!(changed(&first, &edition(p)), Vec::<String>::new());

    // one booklet's text changed: its pages with that text, nothing else
    let n = replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "多言語翻訳機を",
        "多言語翻訳機器を",
    );
    assert!(n > 0);
    build_ok(p);
    let after = edition(p);
    let rewritten = changed(&first, &after);
    assert!(!rewritten.is_empty());
    assert!(
        rewritten
            .iter()
            .all(|f| f.starts_with("booklet-kikaku/") || f.starts_with("hakusho-2021/")),
        "{rewritten:?}"
    );
    // (every page of those two links to a PDF whose size changed: 784KB → 785KB)
    assert!(rewritten.iter().any(|f| f.starts_with("booklet-kikaku/")));
    assert!(!rewritten.contains(&"web.css".to_string()));
}

#[test]
fn a_failed_build_or_write_leaves_the_previous_edition() {
    let dir = project_copy();
    let p = dir.path();
    build_ok(p);
    let before = edition(p);
    // a template error: the build fails, the edition is untouched
    replace_in(
        p,
        "templates/booklet.html",
        "{{ dept.name }}",
        "{{ dept.name ",
    );
    replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "多言語翻訳機を",
        "翻訳機を",
    );
    let out = hakusho(p, &["build"]);
    assert!(!out.status.success());
    assert_eq!(changed(&before, &edition(p)), Vec::<String>::new());

    // a page that cannot be replaced (a folder in its place): no page of any edition changes
    replace_in(
        p,
        "templates/booklet.html",
        "{{ dept.name ",
        "{{ dept.name }}",
    );
    let blocked = p.join("build/html/hakusho-2021/all.html");
    fs::remove_file(&blocked).unwrap();
    fs::create_dir(&blocked).unwrap();
    let before = edition(p);
    let out = hakusho(p, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ウェブ版を書き込めませんでした")
            && stderr.contains("前回のウェブ版はそのまま"),
        "{stderr}"
    );
    assert_eq!(changed(&before, &edition(p)), Vec::<String>::new());
    // no temporary file is left behind
    for dir in [
        "build/html",
        "build/html/hakusho-2021",
        "build/html/booklet-kikaku",
    ] {
        for e in fs::read_dir(p.join(dir)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "{dir}/{name}");
        }
    }
}

#[cfg(unix)]
#[test]
fn an_edition_folder_linked_out_of_the_project_is_not_written_through() {
    let dir = project_copy();
    let p = dir.path();
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir_all(p.join("build/html")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.join("build/html/hakusho-2021")).unwrap();
    let out = hakusho(p, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ウェブ版を書き込めませんでした"),
        "{stderr}"
    );
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
}

/// The text of `<main>` of a page: tags removed (captions repeat the text above a table and
/// are for screen readers), entities decoded, one string per block.
fn html_blocks(html: &str) -> Vec<(String, bool)> {
    let start = html.find("<main id=\"main\">").unwrap();
    let end = html.find("</main>").unwrap();
    let mut main = &html[start..end];
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut tables = 0usize;
    while let Some(lt) = main.find('<') {
        current.push_str(&main[..lt]);
        let gt = main[lt..].find('>').unwrap() + lt;
        let tag = &main[lt + 1..gt];
        main = &main[gt + 1..];
        if tag.starts_with("caption") {
            let close = main.find("</caption>").unwrap();
            main = &main[close + "</caption>".len()..];
            continue;
        }
        // a chart's drawing and its data table are made from the data the PDF draws (its
        // labels are artifacts there, set in another order): not compared
        for (open, close) in [
            ("svg", "</svg>"),
            ("table class=\"chart-data\"", "</table>"),
        ] {
            if tag.starts_with(open) {
                let end = main.find(close).unwrap();
                main = &main[end + close.len()..];
            }
        }
        if tag.starts_with("svg") || tag.starts_with("table class=\"chart-data\"") {
            continue;
        }
        let name = tag.trim_start_matches('/');
        let name = name.split([' ', '>']).next().unwrap_or("");
        // a block or a cell ends a string
        if matches!(
            name,
            "p" | "li"
                | "td"
                | "th"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "div"
                | "tr"
                | "br"
                | "table"
                | "figcaption"
        ) {
            blocks.push((std::mem::take(&mut current), tables > 0));
        }
        if tag.starts_with("table") {
            tables += 1;
        } else if tag == "/table" {
            tables -= 1;
        }
    }
    current.push_str(main);
    blocks.push((current, false));
    blocks
        .into_iter()
        .map(|(b, in_table)| {
            let text = b
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>();
            (text, in_table)
        })
        .filter(|(b, _)| !b.is_empty())
        .collect()
}

#[test]
fn the_white_papers_html_text_is_its_pdf_text() {
    let dir = project_copy();
    let p = dir.path();
    build_ok(p);
    let report =
        hakusho_pdfcheck::inspect(&fs::read(p.join("build/hakusho-2021.pdf")).unwrap()).unwrap();
    // the PDF's text as a screen reader gets it — its tagged content, without the artifacts
    // (running heads, page numbers, a chart's drawn labels) — and without the table of
    // contents (the index page is the web's)
    let mut pdf = String::new();
    for (lines, marked) in report.pages.iter().zip(&report.tagging.marked_text) {
        if lines.iter().any(|l| l.contains("..........")) {
            continue;
        }
        for text in marked.values() {
            pdf.extend(text.chars().filter(|c| !c.is_whitespace()));
        }
    }
    let html = fs::read_to_string(p.join("build/html/hakusho-2021/all.html")).unwrap();
    let blocks = html_blocks(&html);
    assert!(blocks.len() > 500, "{}", blocks.len());
    // every paragraph, heading and list item of the web page is in the PDF, in the same order
    // (a table's cells are read across the page's lines in a PDF, so its cells are compared
    // below as characters)
    let mut at = 0;
    let mut leftover = String::new();
    for (b, _) in blocks.iter().filter(|(_, in_table)| !in_table) {
        match pdf[at..].find(b.as_str()) {
            Some(i) => {
                leftover.push_str(&pdf[at..at + i]);
                at += i + b.len();
            }
            None => panic!(
                "web text not found in the PDF after what came before: {b}\nPDF from there: {}",
                pdf[at..].chars().take(200).collect::<String>()
            ),
        }
    }
    leftover.push_str(&pdf[at..]);
    // the tables' text is what is left of the PDF, apart from the print's own: a table's
    // header rows repeated on the next page and the （続き） above them
    let count = |s: &str| {
        let mut m: BTreeMap<char, i64> = BTreeMap::new();
        for c in s.chars() {
            *m.entry(c).or_default() += 1;
        }
        m
    };
    let table_text: String = blocks
        .iter()
        .filter(|(_, in_table)| *in_table)
        .map(|(b, _)| b.as_str())
        .collect();
    let mut rest = count(&leftover.replace("（続き）", ""));
    for (c, n) in count(&table_text) {
        let left = rest.entry(c).or_default();
        *left -= n;
        assert!(
            *left >= 0,
            "the web tables have {n} of {c:?}, the PDF's fewer"
        );
    }
    let extra: i64 = rest.values().sum();
    assert!(
        extra * 20 < table_text.chars().count() as i64,
        "the PDF has {extra} characters the web edition lacks: {:?}",
        rest.iter().filter(|(_, n)| **n > 0).collect::<Vec<_>>()
    );
}

/// A document that stops asking for a web edition loses it at the next full build; the
/// others keep theirs, and a partial build removes nothing.
#[test]
fn an_edition_no_longer_asked_for_is_removed() {
    let dir = project_copy();
    let p = dir.path();
    build_ok(p);
    assert!(p.join("build/html/booklet-kikaku/index.html").is_file());
    let config = p.join("sources/hakusho.yaml");
    let text = fs::read_to_string(&config).unwrap();
    let booklets =
        "    title: \"令和元年度 各部の運営方針と目標 {name}\"\n    html: { split: 2 }\n";
    assert!(text.contains(booklets));
    fs::write(
        &config,
        text.replacen(
            booklets,
            "    title: \"令和元年度 各部の運営方針と目標 {name}\"\n",
            1,
        ),
    )
    .unwrap();
    let out = hakusho(p, &["build", "hakusho-2021"]);
    assert!(out.status.success());
    assert!(p.join("build/html/booklet-kikaku/index.html").is_file());
    build_ok(p);
    assert!(!p.join("build/html/booklet-kikaku").exists());
    assert!(p.join("build/html/hakusho-2021/index.html").is_file());
    assert!(p.join("build/html/web.css").is_file());
}

/// The characters of the edition's pages that are not ASCII, on disk now.
fn page_characters(listing: &Listing) -> std::collections::BTreeSet<char> {
    listing
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .flat_map(|(_, (bytes, _))| String::from_utf8_lossy(bytes).chars().collect::<Vec<_>>())
        .filter(|c| !c.is_ascii())
        .collect()
}

#[test]
fn web_fonts_hold_every_character_of_every_edition_and_go_when_turned_off() {
    let dir = project_copy();
    let p = dir.path();
    build_ok(p);
    let first = edition(p);
    let full = fs::metadata(p.join("fonts/BIZUDGothic-Regular.ttf"))
        .unwrap()
        .len() as usize;
    let faces = String::from_utf8(first["web-fonts.css"].0.clone()).unwrap();
    let text = page_characters(&first);
    assert!(text.len() > 1000, "{}", text.len());
    for weight in [400, 700] {
        let font = format!("hakusho-gothic-{weight}.woff2");
        assert!(
            faces.contains(&format!(
                "font-family: \"hakusho-gothic\"; src: url(\"{font}\") format(\"woff2\"); font-weight: {weight};"
            )),
            "{faces}"
        );
        let bytes = &first[&font].0;
        assert!(bytes.len() < full / 10, "{font}: {} bytes", bytes.len());
        let held = hakusho_pdfcheck::webfont::characters(bytes).unwrap();
        let font_file = fs::read(p.join("fonts/BIZUDGothic-Regular.ttf")).unwrap();
        let face = ttf_parser::Face::parse(&font_file, 0).unwrap();
        let missing: Vec<char> = text
            .iter()
            .filter(|c| face.glyph_index(**c).is_some() && !held.contains(c))
            .copied()
            .collect();
        assert!(missing.is_empty(), "{font} lacks {missing:?}");
    }
    for page in ["hakusho-2021/index.html", "booklet-kodomo/03.html"] {
        let html = String::from_utf8(first[page].0.clone()).unwrap();
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"../web-fonts.css\">\n<link rel=\"stylesheet\" href=\"../web.css\">"),
            "{html}"
        );
    }

    // a booklet built alone gains a character: the fonts hold it and still every other
    // edition's characters
    let n = replace_in(
        p,
        "sources/departments/kikaku.yaml",
        "多言語翻訳機を",
        "多言語翻訳機（鸚鵡）を",
    );
    assert!(n > 0);
    let out = hakusho(p, &["build", "booklet-kikaku"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let after = edition(p);
    let held = hakusho_pdfcheck::webfont::characters(&after["hakusho-gothic-400.woff2"].0).unwrap();
    assert!(held.contains(&'鸚') && held.contains(&'鵡'));
    let held_before =
        hakusho_pdfcheck::webfont::characters(&first["hakusho-gothic-400.woff2"].0).unwrap();
    let lost: Vec<char> = page_characters(&after)
        .into_iter()
        .filter(|c| held_before.contains(c) && !held.contains(c))
        .collect();
    assert!(lost.is_empty(), "lost {lost:?}");

    // turned off: the faces and fonts go, the pages ask for the reader's fonts again
    let config = p.join("sources/hakusho.yaml");
    let yaml = fs::read_to_string(&config).unwrap();
    let fonts = "  fonts:\n    - { family: hakusho-gothic, file: fonts/BIZUDGothic-Regular.ttf, weight: 400 }\n    - { family: hakusho-gothic, file: fonts/BIZUDGothic-Bold.ttf, weight: 700 }\n";
    assert!(yaml.contains(fonts));
    fs::write(&config, yaml.replacen(fonts, "", 1)).unwrap();
    build_ok(p);
    let off = edition(p);
    assert!(
        !off.keys().any(|k| k.contains("font")),
        "{:?}",
        off.keys().collect::<Vec<_>>()
    );
    let index = String::from_utf8(off["hakusho-2021/index.html"].0.clone()).unwrap();
    assert!(!index.contains("web-fonts.css"));
}

#[test]
fn a_web_font_declared_wrong_is_a_located_error() {
    let dir = project_copy();
    let p = dir.path();
    let n = replace_in(
        p,
        "sources/hakusho.yaml",
        "{ family: hakusho-gothic, file: fonts/BIZUDGothic-Bold.ttf, weight: 700 }",
        "{ family: \"x\\\"; } body { color: red\", file: ../outside.ttf, weight: 7000 }",
    );
    let at = format!("sources/hakusho.yaml:{n}:");
    let out = hakusho(p, &["check"]);
    assert!(!out.status.success());
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for expected in [
        "ウェブフォントの書体名",
        "ウェブフォントの太さ 7000 は範囲外です",
        "ウェブフォントのファイル ../outside.ttf はプロジェクトの中を指していません",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert!(text.contains(&at), "{at} not in {text}");
}
