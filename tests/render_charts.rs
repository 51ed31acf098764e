//! `chart(table_id, row)`: a workbook row becomes a chart with no code per chart. Values that
//! are not numbers are left out with a note (never drawn as zero), the target is a rule, the
//! direction of an indicator is configuration, and the markup it writes typesets.

mod common;

use std::fs;
use std::sync::Arc;

use hakusho::render::Renderer;
use hakusho_sources::Value as Cell;
use minijinja::{context, Value};

fn cell(typed: &str) -> Value {
    Value::from_serialize(Cell::from_text(typed))
}

fn config(lower: &[&str]) -> Value {
    context! {
        charts => context! {
            show => true,
            tables => context! { indicators => context! { kind => "bar", target => "target", skip => Vec::<String>::new() } },
            lower_is_better => lower,
        },
    }
}

fn tables() -> Value {
    let cols = [
        ("baseline", "平成22年度"),
        ("early", "平成26年度\n(前期)"),
        ("mid", "平成30年度\n(中期)"),
        ("current", "令和2年度"),
        ("target", "令和4年度"),
    ];
    context! {
        indicators => context! {
            values => cols.iter().map(|(k, l)| context! { key => k, label => l }).collect::<Vec<_>>(),
        },
    }
}

/// Renders `template` with one row (`name`, values by key) and the lower-is-better list.
fn render(template: &str, name: &str, values: &[(&str, &str)], lower: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.html"), template).unwrap();
    let vals: std::collections::BTreeMap<String, Value> = values
        .iter()
        .map(|(k, v)| (k.to_string(), cell(v)))
        .collect();
    let row = context! { group => "1-1", name => cell(name), values => vals };
    Renderer::new(dir.path())
        .render(
            "t.html",
            context! { config => config(lower), tables => tables(), row => row },
        )
        .unwrap()
}

const FIGURE: &str = r#"{% set c = chart("indicators", row) %}<doc title="t"><figure alt="{{ c.alt }}"><figcaption>図1-1 {{ c.name }}</figcaption>{{ c.markup }}{% for n in c.notes %}<p class="figure-note">{{ n }}</p>{% endfor %}</figure></doc>
drawn={{ c.drawn }} direction={{ c.direction }}"#;

#[test]
fn text_values_are_left_out_with_a_note_never_drawn_as_zero() {
    let m = render(
        FIGURE,
        "英語版ホームページのアクセス件数",
        &[
            ("baseline", "34,677件"),
            ("early", "おおむね80%台を維持"),
            ("mid", "-"),
            ("current", "202,850件"),
            ("target", "400,000件"),
        ],
        &[],
    );
    assert!(m.contains(r#"values="34677|-|-|202850""#), "{m}");
    assert!(
        m.contains(r#"target="400000""#) && m.contains(r#"unit="件""#),
        "{m}"
    );
    assert!(
        m.contains(
            "平成26年度(前期)の「おおむね80%台を維持」は数値ではないため図に含めていません。"
        ),
        "{m}"
    );
    assert!(
        m.contains("平成30年度(中期)は値がないため図に含めていません。"),
        "{m}"
    );
    assert!(
        m.contains("alt=\"英語版ホームページのアクセス件数：平成22年度 34,677件から令和2年度 202,850件、目標は令和4年度 400,000件。"),
        "{m}"
    );
    assert!(
        m.contains("目標に近づいています（値が大きいほど良い指標）"),
        "{m}"
    );
    assert!(m.contains("drawn=2 direction=higher"), "{m}");
    // The category labels keep their line breaks for the chart.
    assert!(m.contains("平成26年度&#10;(前期)"), "{m}");
    typesets(&m);
}

#[test]
fn compound_values_and_other_units_are_left_out_with_a_note() {
    let m = render(
        FIGURE,
        "連携施設・事業者数",
        &[
            ("baseline", "8施設 98事業者"),
            ("early", "12件"),
            ("mid", "15人"),
            ("current", "20件"),
        ],
        &[],
    );
    assert!(m.contains(r#"values="-|12|-|20""#), "{m}");
    assert!(
        m.contains("「8施設 98事業者」は複数の値からなるため"),
        "{m}"
    );
    assert!(m.contains("「15人」は単位が「件」と異なるため"), "{m}");
    assert!(m.contains("令和4年度は値がないため"), "{m}");
    typesets(&m);
}

#[test]
fn compound_values_with_the_same_parts_in_every_column_draw_one_series_per_part() {
    let m = render(
        FIGURE,
        "連携施設・事業者数",
        &[
            ("baseline", "8施設 98事業者"),
            ("early", "10施設 120事業者"),
            ("mid", "-"),
            ("current", "12施設"),
            ("target", "15施設 150事業者"),
        ],
        &[],
    );
    assert!(
        m.contains(
            r#"<series name="施設" values="8|10|-|12"/><series name="事業者" values="98|120|-|-"/>"#
        ),
        "{m}"
    );
    // Never drawn as zero; the compound target is no single rule, and the note says so.
    assert!(!m.contains("target="), "{m}");
    assert!(
        m.contains(
            "令和4年度の「15施設 150事業者」は複数の値からなるため、目標の線は引いていません。"
        ),
        "{m}"
    );
    assert!(m.contains("8施設 98事業者から令和2年度 12施設"), "{m}");
    typesets(&m);
}

#[test]
fn a_lower_is_better_indicator_says_so_and_percentages_are_percent() {
    let m = render(
        FIGURE,
        "人件費比率",
        &[
            ("baseline", "24.5%"),
            ("current", "21.0%"),
            ("target", "20.0%"),
        ],
        &["人件費比率"],
    );
    assert!(
        m.contains(r#"unit="%""#) && m.contains(r#"values="24.5|-|-|21.0""#),
        "{m}"
    );
    assert!(m.contains(r#"target="20.0""#), "{m}");
    assert!(
        m.contains("令和2年度の値は平成22年度から目標に近づいています（値が小さいほど良い指標）"),
        "{m}"
    );
    assert!(m.contains("direction=lower"), "{m}");
    // The same values, better higher: moving away.
    let m = render(
        FIGURE,
        "人件費比率",
        &[
            ("baseline", "24.5%"),
            ("current", "21.0%"),
            ("target", "30.0%"),
        ],
        &[],
    );
    assert!(m.contains("目標と反対の方向に動いています"), "{m}");
    typesets(&m);
}

#[test]
fn a_progress_chart_is_asked_for_by_name_and_falls_back_to_bars_without_a_target() {
    let progress = FIGURE.replace(
        r#"chart("indicators", row)"#,
        r#"chart("indicators", row, "progress")"#,
    );
    let values = [
        ("baseline", "34,677件"),
        ("current", "202,850件"),
        ("target", "400,000件"),
    ];
    let m = render(&progress, "アクセス件数", &values, &[]);
    assert!(m.contains(r#"<chart kind="progress""#), "{m}");
    assert!(m.contains(r#"target="400000""#), "{m}");
    typesets(&m);
    // No target: the history as bars, not a progress chart that cannot be drawn.
    let m = render(&progress, "アクセス件数", &values[..2], &[]);
    assert!(m.contains(r#"<chart kind="bar""#), "{m}");
    typesets(&m);
    // A kind no chart has is an error that says which ones there are.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.html"),
        r#"{{ chart("indicators", row, "pie").alt }}"#,
    )
    .unwrap();
    let err = Renderer::new(dir.path())
        .render(
            "t.html",
            context! { config => config(&[]), tables => tables(), row => context!{ name => "x", values => context!{} } },
        )
        .unwrap_err();
    assert!(err.ja.contains("bar、line、progress"), "{}", err.ja);
}

#[test]
fn a_table_without_chart_configuration_is_an_error_that_says_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.html"), r#"{{ chart("kpi", row).alt }}"#).unwrap();
    let err = Renderer::new(dir.path())
        .render(
            "t.html",
            context! { config => config(&[]), tables => tables(), row => context!{ name => "x", values => context!{} } },
        )
        .unwrap_err();
    assert!(err.ja.contains("charts: tables:"), "{}", err.ja);
}

/// The markup (before the trailing test line) lays out without problems.
fn typesets(rendered: &str) {
    let markup = rendered.split("\ndrawn=").next().unwrap();
    let root = common::repo();
    let (style, fonts) =
        hakusho_typeset::Style::load(&root.join("templates/style.yaml"), &root).unwrap();
    let ts = hakusho_typeset::Typesetter::new(style, Arc::new(fonts)).unwrap();
    let (laid, warnings) = ts
        .layout(markup, "t.html")
        .unwrap_or_else(|d| panic!("{d:?}\n{markup}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(laid.pages.len(), 1);
}

#[test]
fn charts_configuration_is_checked_and_show_false_turns_charts_off() {
    let p = common::project_copy();
    let line = common::replace_in(
        p.path(),
        "sources/hakusho.yaml",
        "indicators: { kind: bar, target: target }",
        "indicators: { kind: pie, target: goal }",
    );
    let out = common::hakusho(p.path(), &["check"]);
    let err =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("sources/hakusho.yaml:{line}:")),
        "{err}"
    );
    assert!(err.contains("kind「pie」は使えません"), "{err}");
    assert!(
        err.contains("target「goal」は、その表の値の列の key ではありません"),
        "{err}"
    );

    // Turned off: the white paper has no figure.
    let p = common::project_copy();
    common::replace_in(
        p.path(),
        "sources/hakusho.yaml",
        "show: true",
        "show: false",
    );
    let out = common::hakusho(p.path(), &["build", "hakusho-2021"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&p.path().join("build/hakusho-2021.pdf"));
    assert!(
        !text.contains("目標指標の推移"),
        "charts shown although show: false"
    );
    let p = common::project_copy();
    let out = common::hakusho(p.path(), &["build", "hakusho-2021"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&p.path().join("build/hakusho-2021.pdf"));
    assert!(
        text.contains("目標指標の推移"),
        "no charts in the sample white paper"
    );
}

/// The text of a PDF as hakusho's own reader extracts it (no external tool needed).
fn pdf_text(path: &std::path::Path) -> String {
    let bytes = fs::read(path).unwrap();
    hakusho_pdfcheck::inspect(&bytes)
        .unwrap()
        .text_without_whitespace()
}

#[test]
fn a_lower_is_better_name_that_matches_no_indicator_row_is_an_error_at_the_name() {
    let p = common::project_copy();
    let line = common::replace_in(
        p.path(),
        "sources/hakusho.yaml",
        "    - 人件費比率",
        "    - 人件費の比率",
    );
    let out = common::hakusho(p.path(), &["check"]);
    let err =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "sources/hakusho.yaml:{line}:7: charts: lower_is_better の「人件費の比率」という名前の指標の行が、ワークブックにありません。もしかして「人件費比率」ではありませんか。"
        )),
        "{err}"
    );
    // The sample's names all match (its check is clean).
    let p = common::project_copy();
    let out = common::hakusho(p.path(), &["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
