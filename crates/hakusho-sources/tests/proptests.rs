//! Property tests (no panics, nothing lost) over what departments send: cell values through
//! the value parser and through a real xlsx round trip, and arbitrary bytes into the YAML
//! loaders. Case counts keep `cargo test` short; raise them with PROPTEST_CASES.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use hakusho_diagnostics::{Diagnostics, Location};
use hakusho_sources::{check_files, load_project, yaml, Value};
use proptest::prelude::*;

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        ..ProptestConfig::default()
    }
}

/// Cell contents as clerks type them: numbers with units and separators, era years,
/// annotations, full-width digits, blanks, anything.
fn typed_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        "[-△▲]?[0-9０-９]{1,7}([.．][0-9]{1,3})?[%％]?(件|人|ha|百万円|か所|店)?",
        "(平成|令和|昭和)[0-9元]{1,2}年度?(\\([^)]{0,6}\\))?",
        "[0-9,，]{1,12}(件|人)? ?\\((注[0-9]|[0-9]+人)\\)",
        "[0-9]{1,3}施設 [0-9]{1,4}事業者",
        "[ 　\\t\\n]{0,4}",
    ]
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn typed_text_is_kept_verbatim(s in typed_cell()) {
        let v = Value::from_text(&s);
        prop_assert_eq!(&v.text, &s);
        for p in &v.parts {
            prop_assert!(p.number.is_some());
        }
    }

    #[test]
    fn numbers_with_any_format_never_panic(
        x in prop_oneof![proptest::num::f64::ANY, -1e12f64..1e12, 0.0f64..1.0],
        code in prop_oneof![
            Just("General".to_string()), Just("0.0%".to_string()), Just("#,##0".to_string()),
            Just("#,##0\"人\"".to_string()), Just("yyyy/m/d".to_string()),
            Just("[$-ja-JP]ggge\"年\"m\"月\"d\"日\"".to_string()), "\\PC{0,16}",
        ],
    ) {
        let v = Value::from_number(x, &code);
        let _ = Value::from_date_serial(x, &code);
        if x.is_finite() && code == "General" {
            prop_assert!(!v.text.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(cases(64))]

    /// Arbitrary bytes into every YAML loader: a message or a model, never a panic; every
    /// message has a file location.
    #[test]
    fn arbitrary_bytes_into_the_yaml_loaders(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            "\\PC{0,300}".prop_map(String::into_bytes),
            "([a-z_]{1,8}: ?(\\[|\\{|&a |\\*a|\\||>|\"|'|-)?[^\\n]{0,12}\\n {0,4}){0,20}".prop_map(String::into_bytes),
        ],
        target in 0usize..5,
    ) {
        let dir = project();
        let root = dir.path();
        let file = [
            "sources/plan.yaml",
            "sources/departments/kikaku.yaml",
            "sources/white_paper.yaml",
            "sources/action_plan.yaml",
            "sources/plan_summaries.yaml",
        ][target];
        std::fs::write(root.join(file), &bytes).unwrap();
        let d = check_files(root, &[PathBuf::from(file)]);
        for x in d.iter() {
            prop_assert!(x.location.path().is_some(), "{:?}", x);
        }
        let (_, d) = load_project(root);
        for x in d.iter() {
            prop_assert!(!matches!(x.location, Location::None), "{:?}", x);
        }
        // the typed reader as well
        let mut d = Diagnostics::new();
        let _ = yaml::read::<serde_yaml::Value>(&root.join(file), Path::new(file), &mut d);
    }
}

proptest! {
    #![proptest_config(cases(8))]

    /// A real xlsx round trip: what is typed into the value cells comes back as the row's
    /// value text (strings) or a number (numbers), row by row: nothing lost.
    #[test]
    fn xlsx_round_trip_keeps_every_value(
        rows in proptest::collection::vec(
            (typed_cell(), prop_oneof![typed_cell().prop_map(Err), (-1e9f64..1e9).prop_map(Ok)]),
            1..12,
        ),
    ) {
        let dir = project();
        let root = dir.path();
        clean_workbooks(root);
        write_workbook(&workbook_path(root, "seikatsu"), |ws| {
            for (c, h) in ["施策コード", "指標名", "計画策定時", "実績", "目標"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (i, (text, cur)) in rows.iter().enumerate() {
                let r = 1 + i as u32;
                ws.write_string(r, 0, "2-4-1").unwrap();
                ws.write_string(r, 1, format!("指標{i}")).unwrap();
                if !text.is_empty() {
                    ws.write_string(r, 2, text).unwrap();
                }
                match cur {
                    Ok(x) => { ws.write_number(r, 3, *x).unwrap(); }
                    Err(s) if !s.is_empty() => { ws.write_string(r, 3, s).unwrap(); }
                    Err(_) => {}
                }
                ws.write_string(r, 4, "維持").unwrap();
            }
        });
        let (project, d) = load_project(root);
        let Some(project) = project else {
            return Err(TestCaseError::fail(format!("{:?}", errors(&d))));
        };
        let table = &project.tables[0];
        let got: Vec<_> = table.rows.iter().filter(|r| r.department.as_deref() == Some("seikatsu")).collect();
        prop_assert_eq!(got.len(), rows.len());
        for (row, (text, cur)) in got.iter().zip(&rows) {
            // xlsx keeps strings as typed (calamine gives them back unchanged)
            prop_assert_eq!(&row.values["baseline"].text, text);
            match cur {
                Ok(x) => {
                    let n = row.values["current"].number.expect("a number");
                    prop_assert!((n - x).abs() <= 1e-9 * x.abs().max(1.0), "{} vs {}", n, x);
                }
                Err(s) => prop_assert_eq!(&row.values["current"].text, s),
            }
            prop_assert_eq!(&row.values["target"].text, "維持");
        }
    }
}
