//! Indicator tables are laid out from the configuration: a city with only 現状値/目標値 and no
//! spanning header needs a different hakusho.yaml, not different templates.

mod common;

use std::fs;

use hakusho::render::Renderer;
use minijinja::context;

fn value(text: &str) -> minijinja::Value {
    context! { text => text, kind => "number", annotation => () }
}

fn render_table(table: minijinja::Value, rows: Vec<minijinja::Value>) -> String {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        common::repo().join("templates/macros.html"),
        dir.path().join("macros.html"),
    )
    .unwrap();
    fs::write(
        dir.path().join("t.html"),
        "{% import \"macros.html\" as m %}<doc>{{ m.value_table(table, rows) }}</doc>",
    )
    .unwrap();
    Renderer::new(dir.path())
        .render("t.html", context! { table => table, rows => rows })
        .unwrap()
}

#[test]
fn two_value_columns_without_spanning_header() {
    let table = context! {
        id => "indicators",
        name => context!{ label => "指標" },
        header_rows => Vec::<minijinja::Value>::new(),
        values => vec![
            context!{ key => "now", label => "現状値\n(令和2年度)" },
            context!{ key => "goal", label => "目標値" },
        ],
    };
    let rows = vec![context! {
        group => "1", name => "図書館の貸出冊数", note => "",
        values => context!{ now => value("1,234冊"), goal => value("2,000冊") },
    }];
    let m = render_table(table, rows);
    assert!(m.contains("<th class=\"name\">指標</th>"), "{m}");
    assert!(m.contains("<th>現状値<br/>(令和2年度)</th>"), "{m}");
    assert!(m.contains("<th>目標値</th>"), "{m}");
    assert!(!m.contains("計画策定時") && !m.contains("達成値") && !m.contains("rowspan"));
    assert_eq!(m.matches("<td").count(), 2, "{m}");
    assert!(
        m.contains(">1,234冊</td>") && m.contains(">2,000冊</td>"),
        "{m}"
    );
}

#[test]
fn spanning_header_rows_come_from_configuration() {
    let table = context! {
        id => "indicators",
        name => context!{ label => "" },
        header_rows => vec![vec![
            context!{ text => "計画策定時", span => 1 },
            context!{ text => "達成値", span => 3 },
            context!{ text => "目標値", span => 1 },
        ]],
        values => ["baseline", "early", "mid", "current", "target"]
            .iter()
            .map(|k| context!{ key => k, label => format!("{k}年度") })
            .collect::<Vec<_>>(),
    };
    let rows = vec![context! {
        group => "1", name => "x", note => "",
        values => context!{ baseline => value("1"), current => value("3") },
    }];
    let m = render_table(table, rows);
    assert!(m.contains("<th class=\"name\" rowspan=\"2\"></th>"), "{m}");
    assert!(m.contains("<th colspan=\"3\">達成値</th>"), "{m}");
    // A value a workbook does not give is an empty cell, never invented.
    assert_eq!(m.matches("<td></td>").count(), 3, "{m}");
}
