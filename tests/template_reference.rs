//! docs/templates.md lists everything a template sees: every variable of a document's
//! context, every function, filter and test the environment registers.

mod common;

use std::fs;

use hakusho::render::context::{base, for_document, DocumentInfo};
use hakusho::render::record::Recorder;

fn reference() -> String {
    fs::read_to_string(common::repo().join("docs/templates.md")).unwrap()
}

/// Whether the page has a table row for `name` (its first cell starts with `name`).
fn documented(page: &str, name: &str) -> bool {
    page.lines().any(|l| {
        l.strip_prefix("| `").is_some_and(|rest| {
            rest.strip_prefix(name)
                .is_some_and(|after| after.starts_with('`') || after.starts_with('('))
        })
    })
}

#[test]
fn every_context_variable_is_documented() {
    let (project, _) = hakusho_sources::load_project(&common::repo());
    let project = project.expect("sample project loads");
    let ctx = for_document(
        &base(&project),
        &DocumentInfo {
            name: "booklet-kikaku",
            title: "t",
            template: "booklet.html",
            department: Some("kikaku"),
        },
        &Recorder::default(),
    );
    let page = reference();
    let names: Vec<String> = ctx
        .try_iter()
        .unwrap()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    let missing: Vec<&String> = names.iter().filter(|n| !documented(&page, n)).collect();
    assert!(
        missing.is_empty(),
        "docs/templates.md does not list the variables {missing:?}"
    );
}

#[test]
fn every_registered_function_filter_and_test_is_documented() {
    let source = fs::read_to_string(common::repo().join("src/render/mod.rs")).unwrap();
    let page = reference();
    let mut registered = Vec::new();
    for call in [
        "add_filter(\"",
        "add_function(\"",
        "add_test(\"",
        "add_global(\"",
    ] {
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            registered.push(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    assert!(registered.len() >= 12, "{registered:?}");
    let missing: Vec<&String> = registered
        .iter()
        .filter(|n| !documented(&page, n))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/templates.md does not list {missing:?}"
    );
}
