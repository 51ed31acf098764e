//! Template errors name the template file and line; templates cannot reach outside templates/.

mod common;

use std::fs;

use common::{hakusho, project_copy};
use hakusho::render::Renderer;
use hakusho_diagnostics::{Lang, Location};
use minijinja::context;

fn renderer(files: &[(&str, &str)]) -> (tempfile::TempDir, Renderer) {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("templates");
    fs::create_dir_all(t.join("parts")).unwrap();
    for (name, src) in files {
        fs::write(t.join(name), src).unwrap();
    }
    fs::write(dir.path().join("secret.txt"), "SECRET").unwrap();
    let r = Renderer::new(&t);
    (dir, r)
}

#[test]
fn a_typo_names_file_line_and_column() {
    let (_d, r) = renderer(&[(
        "doc.html",
        "<doc title=\"t\">\n<p>{{ city }}</p>\n<p>{{ polcy.title }}</p>\n</doc>\n",
    )]);
    let d = r
        .render(
            "doc.html",
            context! { city => "三鷹市", policy => context!{ title => "x" } },
        )
        .unwrap_err();
    assert_eq!(
        d.location,
        Location::text("templates/doc.html", 3, 7),
        "{}",
        d.render(Lang::En)
    );
    assert!(d.ja.contains("polcy.title"), "{}", d.ja);
}

#[test]
fn an_error_in_an_included_template_names_that_template() {
    let (_d, r) = renderer(&[
        ("doc.html", "<doc>\n{% include \"parts/p.html\" %}\n</doc>"),
        ("parts/p.html", "<p>ok</p>\n<p>{{ 1|no_such_filter }}</p>\n"),
    ]);
    let d = r.render("doc.html", context! {}).unwrap_err();
    match &d.location {
        Location::Text { path, line, .. } => {
            assert_eq!(path, &std::path::PathBuf::from("templates/parts/p.html"));
            assert_eq!(*line, 2);
        }
        other => panic!("unexpected location {other:?}"),
    }
}

#[test]
fn undefined_attributes_are_errors_not_blanks() {
    let (_d, r) = renderer(&[("doc.html", "<p>{{ x.missing }}</p>")]);
    assert!(r
        .render("doc.html", context! { x => context!{ a => 1 } })
        .is_err());
}

#[test]
fn templates_cannot_read_outside_templates() {
    for name in ["../secret.txt", "/etc/passwd", "parts/../../secret.txt"] {
        let src = format!("{{% include \"{name}\" %}}");
        let (_d, r) = renderer(&[("doc.html", &src)]);
        let err = r.render("doc.html", context! {}).unwrap_err();
        assert!(
            !err.ja.contains("SECRET") && !err.en.contains("root:"),
            "{name}: {}",
            err.render(Lang::En)
        );
    }
    let (_d, r) = renderer(&[]);
    assert!(r.render("../secret.txt", context! {}).is_err());
}

/// A map, a list, none or a boolean printed as it is would put its serialized form on the page
/// (`{"text": …, "kind": "text", "number": None, …}`, `True`): each is an error at the
/// template's line.
#[test]
fn printing_a_structure_is_an_error_at_its_line() {
    let target = context! { text => "おおむね8％を超えないこと", kind => "text", number => () };
    for (expr, ja_word, en_word) in [
        ("i.target", "項目の組", "is a map"),
        ("i.list", "一覧", "is a list"),
        ("i.nothing", "空（none）", "is none"),
        ("i.flag", "真偽値", "is a boolean"),
    ] {
        let src = format!("<doc>\n<table>\n<tr><td>{{{{ {expr} }}}}</td></tr>\n</table>\n</doc>\n");
        let (_d, r) = renderer(&[("doc.html", &src)]);
        let d = r
            .render(
                "doc.html",
                context! { i => context! { target => target.clone(), list => vec!["a", "b"], nothing => (), flag => true } },
            )
            .unwrap_err();
        assert_eq!(
            d.location,
            Location::text("templates/doc.html", 3, 12),
            "{}",
            d.render(Lang::En)
        );
        assert!(d.ja.contains(expr) && d.ja.contains(ja_word), "{}", d.ja);
        assert!(d.en.contains(expr) && d.en.contains(en_word), "{}", d.en);
        assert!(
            !d.ja.contains("cannot"),
            "no English inside the Japanese: {}",
            d.ja
        );
    }
}

/// What is meant to print still prints: text (escaped), numbers, a model value
/// through `cell`, and the empty branch of a conditional expression.
#[test]
fn text_numbers_and_values_through_filters_still_print() {
    let (_d, r) = renderer(&[(
        "doc.html",
        "<p>{{ s }} {{ n }} {{ \"はい\" if b else \"いいえ\" }} {{ v|cell }} {{ v.text }} [{{ s if false }}] {{ l|join(\"・\") }}</p>",
    )]);
    let out = r
        .render(
            "doc.html",
            context! {
                s => "a<b", n => 1.5, b => true, l => vec!["x", "y"],
                v => context! { text => "90％台", kind => "text", number => () },
            },
        )
        .unwrap();
    assert_eq!(out, "<p>a&lt;b 1.5 はい 90％台 90％台 [] x・y</p>");
}

// issue 17: our own helpers' errors were English inside the Japanese message
// (「テンプレートの誤り（処理できない操作）: …: rows(): no table 'x' in hakusho.yaml」)
#[test]
fn helper_errors_are_japanese_in_japanese_messages() {
    let dir = project_copy();
    let p = dir.path();
    let path = p.join("templates/plan_summaries.html");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{{{{ rows(\"nosuch\", \"1-1\")|length }}}}\n{text}"),
    )
    .unwrap();
    let ja = hakusho(p, &["build", "plan-summaries"]);
    assert_eq!(ja.status.code(), Some(1));
    let ja = String::from_utf8_lossy(&ja.stderr).into_owned();
    let line = ja
        .lines()
        .find(|l| l.starts_with("templates/plan_summaries.html:1:"))
        .unwrap_or_else(|| panic!("{ja}"));
    assert!(
        line.contains("表「nosuch」は hakusho.yaml の tables: にありません"),
        "{line}"
    );
    assert!(
        !line.contains("no table"),
        "English inside Japanese: {line}"
    );
    let en = hakusho(p, &["--lang", "en", "build", "plan-summaries"]);
    let en = String::from_utf8_lossy(&en.stderr).into_owned();
    assert!(en.contains("no table 'nosuch'"), "{en}");
}
