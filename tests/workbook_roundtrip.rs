//! Workbooks written by `hakusho workbook` and sent back: returned unchanged they give the same
//! model values and byte-identical PDFs; filled in, the new values are printed.

mod common;

use std::fs;
use std::path::Path;

use common::{contains_text, hakusho, project_copy, squash};
use hakusho_sources::{Project, Value, ValueKind};

fn load(dir: &Path) -> Project {
    let (project, diags) = hakusho_sources::load_project(dir);
    assert!(!diags.has_errors(), "{diags:?}");
    project.expect("project loads")
}

fn build(dir: &Path, names: &[&str]) {
    let mut args = vec!["build"];
    args.extend_from_slice(names);
    let run = hakusho(dir, &args);
    assert!(
        run.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Every row of `department`: (table, group, name, note, [(key, text, number, kind)]).
type RowKey = (
    String,
    String,
    String,
    String,
    Vec<(String, String, Option<u64>, ValueKind)>,
);

fn rows_of(project: &Project, department: &str) -> Vec<RowKey> {
    let mut out = Vec::new();
    for t in &project.tables {
        for r in t
            .rows
            .iter()
            .filter(|r| r.department.as_deref() == Some(department))
        {
            let values = r
                .values
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.text.clone(),
                        v.number.map(f64::to_bits),
                        v.kind,
                    )
                })
                .collect();
            out.push((
                t.config.id.clone(),
                r.group.clone(),
                r.name.clone(),
                r.note.clone(),
                values,
            ));
        }
    }
    out
}

#[test]
fn returned_unchanged_gives_the_same_values_and_the_same_pdfs() {
    let dir = project_copy();
    build(dir.path(), &[]);
    let before_project = load(dir.path());
    let build_dir = dir.path().join("build");
    let mut before_pdfs = Vec::new();
    for e in fs::read_dir(&build_dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pdf") {
            before_pdfs.push((p.clone(), fs::read(&p).unwrap()));
        }
    }
    assert_eq!(before_pdfs.len(), 12);

    // every department's workbook replaced by the one `hakusho workbook` writes
    let out = tempfile::tempdir().unwrap();
    let run = hakusho(
        dir.path(),
        &["workbook", "--all", "--out", out.path().to_str().unwrap()],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut replaced = 0;
    for d in &before_project.departments {
        let written = out.path().join(format!("{}.xlsx", d.id));
        if written.is_file() {
            let target = dir.path().join(format!("sources/workbooks/{}.xlsx", d.id));
            assert!(target.is_file());
            fs::copy(&written, &target).unwrap();
            replaced += 1;
        }
    }
    assert_eq!(replaced, 9);

    let after_project = load(dir.path());
    let mut compared = 0;
    for d in &before_project.departments {
        let before = rows_of(&before_project, &d.id);
        let after = rows_of(&after_project, &d.id);
        assert_eq!(before, after, "values of {} changed", d.id);
        compared += before.len();
    }
    assert_eq!(compared, 84, "every indicator row compared");

    // the PDFs are typeset again (an incremental build could otherwise keep the old files)
    for (path, _) in &before_pdfs {
        fs::remove_file(path).unwrap();
    }
    build(dir.path(), &[]);
    for (path, bytes) in &before_pdfs {
        let now = fs::read(path).unwrap();
        assert!(
            &now == bytes,
            "{} differs after the round trip",
            path.display()
        );
    }
}

#[test]
fn filled_in_values_are_printed() {
    let dir = project_copy();
    let mut project = load(dir.path());

    // The clerk of 企画部 types next year's results into the yellow column (実績): a number in a
    // cell formatted #,##0"件", a percentage, and a word.
    let fill = {
        let t = project.table("indicators").unwrap();
        hakusho::workbook::fill_columns(&t.config)
            .into_iter()
            .map(|i| t.config.values[i].key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(fill, vec!["current".to_string()]);
    let new_values = [
        Value::from_number(212345.0, "#,##0\"件\""),
        Value::from_number(0.417, "0.0%"),
        Value::from_text("集計中"),
    ];
    let table = project
        .tables
        .iter_mut()
        .find(|t| t.config.id == "indicators")
        .unwrap();
    let mut changed = Vec::new();
    let mut rows = table
        .rows
        .iter_mut()
        .filter(|r| r.department.as_deref() == Some("kikaku"));
    for v in &new_values {
        let row = rows.next().unwrap();
        let old = row.values.insert("current".into(), v.clone()).unwrap();
        changed.push((row.name.clone(), old.text, v.text.clone()));
    }
    drop(rows);
    assert_eq!(new_values[0].text, "212,345件");
    assert_eq!(new_values[1].text, "41.7%");

    let bytes = hakusho::workbook::workbook_bytes(&project, "kikaku")
        .unwrap()
        .unwrap();
    let target = dir.path().join("sources/workbooks/kikaku.xlsx");
    fs::write(&target, &bytes).unwrap();
    let check = hakusho(dir.path(), &["check", target.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // the model reads the new values as typed
    let reread = load(dir.path());
    for (name, _, new) in &changed {
        let row = reread
            .table("indicators")
            .unwrap()
            .rows
            .iter()
            .find(|r| &r.name == name)
            .unwrap();
        assert_eq!(&row.values["current"].text, new);
    }
    assert_eq!(
        reread
            .table("indicators")
            .unwrap()
            .rows
            .iter()
            .find(|r| r.name == changed[0].0)
            .unwrap()
            .values["current"]
            .number,
        Some(212345.0)
    );

    build(dir.path(), &["booklet-kikaku"]);
    let pdf = fs::read(dir.path().join("build/booklet-kikaku.pdf")).unwrap();
    let report = hakusho_pdfcheck::inspect(&pdf).unwrap();
    let text = report.text();
    let squashed = report.text_without_whitespace();
    for (name, old, new) in &changed {
        assert!(
            text.contains(new.as_str()) || contains_text(&squashed, &squash(new)),
            "{new} (row {name}) not in the booklet"
        );
        assert!(
            !squashed.contains(&squash(old)),
            "the old value {old} of {name} is still printed"
        );
    }
}
