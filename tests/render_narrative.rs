//! The `narrative` filter: typed text shows as typed, in the markup and in the PDF.

mod common;

use std::fs;
use std::sync::Arc;

use hakusho::render::Renderer;
use minijinja::context;

const TYPED: &str = "<script>alert(1)</script> & {{ x }} {% if %}\n\n① 一つ目 <b>\n② 二つ目 &amp;";

fn render(template: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.html"), template).unwrap();
    let r = Renderer::new(dir.path());
    r.render("t.html", context! { text => text, x => "INJECTED" })
        .unwrap()
}

#[test]
fn narrative_escapes_everything_in_the_markup() {
    let m = render(
        "<doc title=\"t\" lang=\"ja\">{{ text|narrative }}</doc>",
        TYPED,
    );
    assert!(
        m.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ x }} {% if %}"),
        "{m}"
    );
    assert!(!m.contains("INJECTED"));
    assert!(!m.contains("<script>"));
    // List markers stay in the text; a typed "&amp;" is shown as typed.
    assert!(m.contains(">①一つ目 &lt;b&gt;</p>"), "{m}");
    assert!(m.contains(">②二つ目 &amp;amp;</p>"), "{m}");
    // Plain interpolation is escaped too (auto-escaping of .html templates).
    let m = render(
        "<doc title=\"t\" lang=\"ja\"><p>{{ text }}</p></doc>",
        TYPED,
    );
    assert!(m.contains("&lt;script&gt;"));
}

#[test]
fn narrative_text_survives_into_the_pdf() {
    let template = "<doc title=\"t\" lang=\"ja\"><section>{{ text|narrative }}</section>\
                    <table><tbody><tr><td>{{ text|narrative_inline }}</td></tr></tbody></table></doc>";
    let markup = render(template, TYPED);
    let repo = common::repo();
    let (style, fonts) =
        hakusho_typeset::Style::load(&repo.join("templates/style.yaml"), &repo).unwrap();
    let ts = hakusho_typeset::Typesetter::new(style, Arc::new(fonts)).unwrap();
    let out = ts.typeset(&markup, "t.html").unwrap();
    let text = hakusho_pdfcheck::inspect(&out.pdf)
        .unwrap()
        .text_without_whitespace();
    for expected in [
        "<script>alert(1)</script>&{{x}}{%if%}",
        "①一つ目<b>",
        "②二つ目&amp;",
    ] {
        assert_eq!(
            text.matches(expected).count(),
            2,
            "{expected} should show twice (paragraph and cell) in: {text}"
        );
    }
}

/// The filter makes list items of the lines that start with a marker the project's style sheet
/// declares (`lists.markers` in templates/style.yaml); without the key, the default set.
#[test]
fn narrative_lists_follow_the_markers_the_style_sheet_declares() {
    let typed = "方針\n▶ 施策の方向\n▶施策の展開";
    let template = "{{ text|narrative }}";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.html"), template).unwrap();
    fs::write(
        dir.path().join("style.yaml"),
        "lists:\n  bullet: \"・\"\n  markers: [▶, ①-⑳]\n",
    )
    .unwrap();
    let m = Renderer::new(dir.path())
        .render("t.html", context! { text => typed })
        .unwrap();
    assert_eq!(
        m,
        "<p>方針</p>\n<p class=\"item noindent marked\">▶施策の方向</p>\n<p class=\"item noindent marked\">▶施策の展開</p>\n"
    );
    // The bundled sample's style sheet declares ▶ too.
    assert!(hakusho::render::list_markers(&common::repo().join("templates")).contains('▶'));
    // No style sheet: the default set, which has no ▶.
    assert_eq!(
        render(template, typed),
        "<p>方針▶ 施策の方向▶施策の展開</p>\n"
    );
}
