//! What templates see (documented for template authors in docs/templates.md, which a test
//! keeps complete). The model is turned into one context per document:
//!
//! | name | what |
//! |---|---|
//! | `city`, `fiscal_year`, `publication` | from hakusho.yaml |
//! | `config` | the whole of hakusho.yaml |
//! | `document` | `{name, title, template, department}` of the document being built |
//! | `dept` | the department of an `each: department` document (else none) |
//! | `wp`, `plan`, `action_plan`, `summaries`, `booklet` | white_paper.yaml, plan.yaml, action_plan.yaml, plan_summaries.yaml, booklet.yaml |
//! | `departments` | every department in hakusho.yaml order: `id`, `name`, `mission`, `resources`, `main_projects`, `policies` (code → `{notes, progress}`) |
//! | `policies` | every policy of the plan in order (each with `part` = its part's number) |
//! | `tables` | table id → its configuration (`header_rows`, `name`, `values`, …) and `rows` (`group`, `name`, `note`, `values`: key → Value) |
//!
//! Functions: `rows(table_id, group)` → the rows of a table for one policy code or goal code;
//! `department(id)` → a department.

use minijinja::{Error, State, Value};

fn invalid(ja: String, en: String) -> Error {
    super::helper_error(ja, en)
}

fn key_of(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.trim().to_string(),
        None => v.to_string(),
    }
}

/// `rows("indicators", policy.code)`: the rows of table `table` whose group is `group`, in the
/// order the workbook has them.
pub fn rows(state: &State, table: &str, group: &Value) -> Result<Value, Error> {
    let tables = state.lookup("tables").ok_or_else(|| {
        invalid(
            "rows(): この文書には表がありません".into(),
            "rows(): no tables in this context".into(),
        )
    })?;
    let t = tables.get_attr(table)?;
    if t.is_undefined() || t.is_none() {
        let known: Vec<String> = tables
            .try_iter()
            .map(|it| it.map(|k| key_of(&k)).collect())
            .unwrap_or_default();
        return Err(invalid(
            format!(
                "rows(): 表「{table}」は hakusho.yaml の tables: にありません（ある表: {}）",
                known.join("、")
            ),
            format!(
                "rows(): no table '{table}' in hakusho.yaml (tables: {})",
                known.join(", ")
            ),
        ));
    }
    let want = key_of(group);
    let mut out = Vec::new();
    for row in t.get_attr("rows")?.try_iter()? {
        if key_of(&row.get_attr("group")?) == want {
            out.push(row);
        }
    }
    Ok(Value::from(out))
}

/// `department("kikaku")`: the department with that id.
pub fn department(state: &State, id: &Value) -> Result<Value, Error> {
    let departments = state.lookup("departments").ok_or_else(|| {
        invalid(
            "department(): この文書には部がありません".into(),
            "department(): no departments in this context".into(),
        )
    })?;
    let want = key_of(id);
    for d in departments.try_iter()? {
        if key_of(&d.get_attr("id")?) == want {
            return Ok(d);
        }
    }
    Err(invalid(
        format!("department(): 部「{want}」は hakusho.yaml の departments: にありません"),
        format!("department(): no department '{want}' in hakusho.yaml"),
    ))
}

/// The parts of the context every document shares, serialized from the model once per build.
pub struct Base {
    vars: std::collections::BTreeMap<&'static str, Value>,
}

/// A document to render: its output name, title, template and, for `each: department`
/// documents, the department id.
pub struct DocumentInfo<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub template: &'a str,
    pub department: Option<&'a str>,
}

/// Serializes the model into the shared context (see the table at the top of this module).
pub fn base(p: &hakusho_sources::Project) -> Base {
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("city", Value::from(p.city.as_str()));
    vars.insert("fiscal_year", Value::from(p.fiscal_year));
    vars.insert("publication", Value::from(p.publication.as_str()));
    vars.insert("config", Value::from_serialize(&p.config));
    vars.insert("plan", Value::from_serialize(&p.plan));
    vars.insert("wp", Value::from_serialize(&p.white_paper));
    vars.insert("action_plan", Value::from_serialize(&p.action_plan));
    vars.insert("summaries", Value::from_serialize(&p.plan_summaries));
    vars.insert("booklet", Value::from_serialize(&p.booklet));
    vars.insert("departments", Value::from_serialize(&p.departments));
    let policies: Vec<&hakusho_sources::Policy> = p.policies().collect();
    vars.insert("policies", Value::from_serialize(&policies));
    let tables: std::collections::BTreeMap<&str, &hakusho_sources::Table> =
        p.tables.iter().map(|t| (t.config.id.as_str(), t)).collect();
    vars.insert("tables", Value::from_serialize(&tables));
    Base { vars }
}

/// The context of one document: the shared part, `document`, and `dept` (the department of an
/// `each: department` document, else none).
pub fn for_document(base: &Base, doc: &DocumentInfo) -> Value {
    let mut vars: std::collections::BTreeMap<String, Value> = base
        .vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let dept = match doc.department {
        Some(id) => base
            .vars
            .get("departments")
            .and_then(|ds| ds.try_iter().ok())
            .and_then(|mut it| {
                it.find(|d| d.get_attr("id").ok().as_ref().map(key_of).as_deref() == Some(id))
            })
            .unwrap_or(Value::from(())),
        None => Value::from(()),
    };
    vars.insert(
        "document".into(),
        minijinja::context! {
            name => doc.name,
            title => doc.title,
            template => doc.template,
            department => doc.department,
        },
    );
    vars.insert("dept".into(), dept);
    Value::from(vars)
}
