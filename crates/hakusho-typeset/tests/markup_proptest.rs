//! Property tests of `markup::parse`: random strings and mutated valid documents never panic;
//! every error has a position (line ≥ 1, column ≥ 1) inside the source, and a valid document
//! keeps its text. Case count: PROPTEST_CASES (default 128).

use hakusho_diagnostics::Location;
use hakusho_typeset::markup::{parse, Element, Node};
use proptest::prelude::*;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(128);
    ProptestConfig {
        cases: n,
        ..ProptestConfig::default()
    }
}

const VALID: &str = r#"<doc title="見本市白書" lang="ja">
<toc/>
<section class="policy">
<h2 data-short="国際化">第1 国際化の推進</h2>
<p>英語版ホームページの<b>アクセス件数</b>は 34,677件 でした。<br/>次の行 &amp; 記号 &lt;b&gt;</p>
<table><thead><tr><th rowspan="2">指標名</th><th colspan="2">達成値</th></tr>
<tr><th>実績</th><th>目標</th></tr></thead>
<tbody><tr><td>件数</td><td class="num">35.6%</td><td class="num">1,234件</td></tr></tbody></table>
<ol class="circled"><li>一つ目</li><li>二つ目</li></ol>
<p class="note">(注) 注記</p>
</section>
<pagebreak/>
<div class="colophon"><p class="center">発行 見本市</p></div>
</doc>"#;

fn text_of(e: &Element, out: &mut String) {
    for c in &e.children {
        match c {
            Node::Element(x) => text_of(x, out),
            Node::Text(t, _) => out.push_str(t),
        }
    }
}

fn check_errors(src: &str) -> Result<(), TestCaseError> {
    if let Err(d) = parse(src, "doc.html") {
        prop_assert!(d.has_errors());
        let lines = src.split('\n').count() as u32;
        for x in d.iter() {
            match &x.location {
                Location::Text { path, line, column } => {
                    prop_assert_eq!(path.to_str(), Some("doc.html"));
                    prop_assert!(
                        *line >= 1 && *line <= lines + 1,
                        "line {} of {}",
                        line,
                        lines
                    );
                    prop_assert!(*column >= 1);
                }
                other => prop_assert!(false, "no position: {:?} ({})", other, x.en),
            }
        }
    }
    Ok(())
}

#[test]
fn the_valid_document_parses_and_keeps_its_text() {
    let doc = parse(VALID, "doc.html").unwrap();
    assert_eq!(doc.title, "見本市白書");
    let mut t = String::new();
    text_of(&doc.root, &mut t);
    for s in [
        "34,677件",
        "& 記号 <b>",
        "35.6%",
        "(注) 注記",
        "発行 見本市",
    ] {
        assert!(t.contains(s), "{s} lost: {t}");
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Swap(usize, usize),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let frag = prop_oneof![
        Just("<".to_string()),
        Just(">".to_string()),
        Just("</p>".to_string()),
        Just("<td colspan=\"x\">".to_string()),
        Just("<th rowspan=\"99999999999\">".to_string()),
        Just("&bogus;".to_string()),
        Just("&#xFFFFFFF;".to_string()),
        Just("\"".to_string()),
        Just("<![CDATA[".to_string()),
        Just("<!--".to_string()),
        Just("<?xml".to_string()),
        Just("\u{0}".to_string()),
        Just("\r\n".to_string()),
        "\\PC{0,6}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), frag).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), 1usize..60).prop_map(|(a, n)| Edit::Duplicate(a, n)),
    ]
}

/// Applies an edit on char boundaries.
fn apply(src: &str, e: &Edit) -> String {
    let chars: Vec<char> = src.chars().collect();
    let n = chars.len().max(1);
    let mut c = chars.clone();
    match e {
        Edit::Delete(a, len) => {
            let a = a % n;
            let b = (a + len).min(c.len());
            c.drain(a.min(c.len())..b);
        }
        Edit::Insert(a, s) => {
            let a = a % (c.len() + 1);
            c.splice(a..a, s.chars());
        }
        Edit::Swap(a, b) => {
            if !c.is_empty() {
                let (a, b) = (a % c.len(), b % c.len());
                c.swap(a, b);
            }
        }
        Edit::Duplicate(a, len) => {
            let a = a % n;
            let b = (a + len).min(c.len());
            if a < b {
                let piece: Vec<char> = c[a..b].to_vec();
                c.splice(b..b, piece);
            }
        }
    }
    c.into_iter().collect()
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn random_strings_never_panic(s in prop_oneof!["\\PC{0,200}", "[<>/=\"a-z &;#!?\\n]{0,200}"]) {
        check_errors(&s)?;
        check_errors(&format!("<doc title=\"t\">{s}</doc>"))?;
    }

    #[test]
    fn mutated_valid_documents_never_panic(edits in proptest::collection::vec(edit(), 1..6)) {
        let mut src = VALID.to_string();
        for e in &edits {
            src = apply(&src, e);
        }
        check_errors(&src)?;
    }
}
