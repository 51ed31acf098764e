//! Hostile YAML: deep nesting, alias bombs ("billion laughs"), huge scalars, text that is not
//! UTF-8, binary files. Each gives one clear message, in bounded time and memory.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use hakusho_diagnostics::Diagnostics;
use hakusho_sources::yaml;
use hakusho_sources::{check_files, load_project};

/// Generous bound: these must fail fast, not after expanding or recursing for long.
const BOUND: Duration = Duration::from_secs(20);

fn read_value(bytes: &[u8]) -> (Option<serde_yaml::Value>, Vec<String>, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.yaml");
    std::fs::write(&p, bytes).unwrap();
    let mut d = Diagnostics::new();
    let t = Instant::now();
    let v = yaml::read::<serde_yaml::Value>(&p, Path::new("x.yaml"), &mut d).map(|(v, _)| v);
    (v, errors(&d), t.elapsed())
}

fn refused(bytes: &[u8], needle: &str) -> String {
    let (v, e, took) = read_value(bytes);
    assert!(v.is_none(), "accepted");
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("x.yaml"), "{}", e[0]);
    assert!(e[0].contains(needle), "{}", e[0]);
    assert!(took < BOUND, "took {took:?}");
    e[0].clone()
}

#[test]
fn deep_nesting_stops_at_the_recursion_limit() {
    let flow = "[".repeat(100_000);
    // the Japanese message is Japanese only (issue 17, point 11); the English keeps serde_yaml's
    let e = refused(flow.as_bytes(), "入れ子が深すぎます");
    assert!(e.contains("YAML の書き方に誤り"), "{e}");
    let mut block = String::new();
    for i in 0..1_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    refused(block.as_bytes(), "入れ子が深すぎます");
    // legitimate depth is fine
    let ok = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    assert!(read_value(ok.as_bytes()).0.is_some());
}

#[test]
fn alias_bombs_stop_at_the_repetition_limit() {
    let mut y = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        y.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let e = refused(y.as_bytes(), "展開が多すぎます");
    assert!(e.starts_with("x.yaml:"), "a position: {e}");
    // a few aliases, as people use them, still work
    let ok = "base: &b {x: 1}\none: *b\ntwo: *b\n";
    assert!(read_value(ok.as_bytes()).0.is_some());
}

#[test]
fn files_over_max_yaml_mb_are_refused_before_parsing() {
    let huge = format!("text: \"{}\"\n", "あ".repeat(3 * 1024 * 1024)); // 9 MiB
    let e = refused(huge.as_bytes(), "max_yaml_mb = 8");
    assert!(e.contains("limits: に max_yaml_mb: を書いて"), "{e}");
    // a big but allowed scalar is read
    let big = format!("text: \"{}\"\n", "x".repeat(4 * 1024 * 1024));
    let (v, e, took) = read_value(big.as_bytes());
    assert!(v.is_some() && e.is_empty(), "{e:?}");
    assert!(took < BOUND);
}

#[test]
fn the_limit_is_configurable_and_applies_to_every_yaml_file() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    let cfg = root.join("sources/hakusho.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}limits:\n  max_yaml_mb: 0\n")).unwrap();
    let (p, d) = load_project(root);
    assert!(p.is_none());
    let e = errors(&d);
    assert!(
        e.iter()
            .any(|m| m.starts_with("sources/plan.yaml") && m.contains("max_yaml_mb = 0")),
        "{e:#?}"
    );
    let d = check_files(root, &[PathBuf::from("sources/departments/kikaku.yaml")]);
    assert!(
        errors(&d)[0].contains("max_yaml_mb = 0"),
        "{:?}",
        errors(&d)
    );
}

#[test]
fn text_that_is_not_utf8_is_located() {
    let mut b = "title: 見本\nname: ".as_bytes().to_vec();
    b.extend_from_slice(&[0x8c, 0xa9, 0x96, 0x7b]); // Shift_JIS 見本
    b.push(b'\n');
    let e = refused(&b, "UTF-8");
    assert!(e.starts_with("x.yaml:2:7:"), "{e}");
}

#[test]
fn a_binary_file_is_not_taken_for_yaml() {
    let mut b = b"PK\x03\x04".to_vec();
    b.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    // whichever comes first, the message is clear
    let (v, e, _) = read_value(&b);
    assert!(v.is_none());
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("UTF-8") || e[0].contains("バイナリ"),
        "{}",
        e[0]
    );
    let e = refused(b"title: x\n\0\0\0\x01\x02", "バイナリ");
    assert!(e.starts_with("x.yaml:2:1:"), "{e}");
}

#[test]
fn hostile_yaml_in_a_project_file_is_one_message() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::write(
        root.join("sources/departments/kikaku.yaml"),
        format!("name: 企画部\nmission: {}", "[".repeat(50_000)),
    )
    .unwrap();
    let t = Instant::now();
    let (_, d) = load_project(root);
    assert!(t.elapsed() < BOUND);
    let e = errors(&d);
    assert!(
        e.iter()
            .any(|m| m.starts_with("sources/departments/kikaku.yaml:2:")
                && m.contains("入れ子が深すぎます")),
        "{e:#?}"
    );
}
