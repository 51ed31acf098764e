//! `hakusho build NAME...`: unknown names, output names that would leave build/.

mod common;

use std::fs;

use common::{hakusho, project_copy};

#[test]
fn unknown_document_name_lists_the_declared_ones() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build", "hakusho-2020"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("hakusho-2020"), "{stderr}");
    assert!(stderr.contains("宣言されている文書"), "{stderr}");
    for declared in ["hakusho-2021", "booklet-kikaku", "plan-summaries"] {
        assert!(stderr.contains(declared), "{stderr}");
    }
    assert!(!dir.path().join("build").join("hakusho-2020.pdf").exists());
}

#[test]
fn named_documents_only_are_built() {
    let dir = project_copy();
    let out = hakusho(dir.path(), &["build", "booklet-somu"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("build/booklet-somu.pdf"), "{stdout}");
    assert!(stdout.contains("ページ"), "{stdout}");
    // One PDF and its web edition (besides the build's hidden records: manifest, proofreading
    // snapshot).
    let list = |dir: &std::path::Path| {
        let mut files: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with(".hakusho-"))
            .collect();
        files.sort();
        files
    };
    assert_eq!(
        list(&dir.path().join("build")),
        ["booklet-somu.pdf", "html"]
    );
    // (the sample serves web fonts: html: fonts: in hakusho.yaml)
    assert_eq!(
        list(&dir.path().join("build/html")),
        [
            "booklet-somu",
            "hakusho-gothic-400.woff2",
            "hakusho-gothic-700.woff2",
            "web-fonts.css",
            "web.css"
        ]
    );
}

#[test]
fn a_document_name_that_leaves_build_is_refused() {
    let dir = project_copy();
    let cfg = dir.path().join("sources/hakusho.yaml");
    let yaml = fs::read_to_string(&cfg).unwrap();
    fs::write(
        &cfg,
        yaml.replace("name: plan-summaries", "name: ../plan-summaries"),
    )
    .unwrap();
    let out = hakusho(dir.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("../plan-summaries"), "{stderr}");
    assert!(!dir.path().join("plan-summaries.pdf").exists());
    assert!(
        !dir.path().join("build").exists()
            || fs::read_dir(dir.path().join("build"))
                .unwrap()
                .next()
                .is_none()
    );
}
