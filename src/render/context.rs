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
//!
//! The parts of the model are objects that note what a template reads of them into the
//! render's [`Recorder`] ([`record`]): what a document depends on is what it read.

use std::collections::BTreeMap;

use minijinja::{Error, State, Value};

use super::record::{self, Dep, Recorder, Tracked};

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
/// order the workbook has them. Notes `table:<table>:<group>` (the rows asked for, whether or
/// not there are any yet), not the whole table.
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
    let all_rows = match record::tracked(&t) {
        Some(tracked) => {
            tracked.note(&Dep::Part(format!("table:{table}:{want}")));
            tracked.get_unnoted("rows").unwrap_or_default()
        }
        None => t.get_attr("rows")?,
    };
    let mut out = Vec::new();
    for row in all_rows.try_iter()? {
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
        // `id` is read without noting the department (it comes from hakusho.yaml)
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
    /// Top-level names with the model part each stands for (`None`: from hakusho.yaml, which
    /// every document depends on).
    vars: Vec<(&'static str, Value, Option<&'static str>)>,
    departments: Vec<DepartmentValue>,
    /// Table id → the table (configuration and rows).
    tables: Vec<(String, Value)>,
}

/// A department of the context, with what reading it means.
struct DepartmentValue {
    id: String,
    value: Value,
    /// Read with `sections`: the department's workbook, when a department section is a table
    /// (its rows are the workbook's).
    sections: Vec<Dep>,
    /// Read with `policies`: `table:<t>:<code>` of each policy table section.
    policies: Vec<Dep>,
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
    let policies: Vec<&hakusho_sources::Policy> = p.policies().collect();
    let vars = vec![
        ("city", Value::from(p.city.as_str()), None),
        ("fiscal_year", Value::from(p.fiscal_year), None),
        ("publication", Value::from(p.publication.as_str()), None),
        ("config", Value::from_serialize(&p.config), None),
        ("plan", Value::from_serialize(&p.plan), Some("plan")),
        (
            "wp",
            Value::from_serialize(&p.white_paper),
            Some("white_paper"),
        ),
        (
            "action_plan",
            Value::from_serialize(&p.action_plan),
            Some("action_plan"),
        ),
        (
            "summaries",
            Value::from_serialize(&p.plan_summaries),
            Some("plan_summaries"),
        ),
        (
            "booklet",
            Value::from_serialize(&p.booklet),
            Some("booklet"),
        ),
        ("policies", Value::from_serialize(&policies), Some("plan")),
    ];
    let departments = p
        .departments
        .iter()
        .map(|d| department_value(p, d))
        .collect();
    let tables = p
        .tables
        .iter()
        .map(|t| (t.config.id.clone(), Value::from_serialize(t)))
        .collect();
    Base {
        vars,
        departments,
        tables,
    }
}

fn department_value(
    p: &hakusho_sources::Project,
    d: &hakusho_sources::Department,
) -> DepartmentValue {
    use hakusho_sources::config::SectionKind;
    let table_sections = |declared: &[hakusho_sources::config::SectionDecl]| -> Vec<String> {
        declared
            .iter()
            .filter(|s| s.kind == SectionKind::Table)
            .filter_map(|s| s.table.clone())
            .collect()
    };
    let sections = match &d.workbook {
        Some(wb) if !table_sections(&p.config.sections.department).is_empty() => {
            vec![Dep::File(crate::files::slash(wb))]
        }
        _ => Vec::new(),
    };
    let policy_tables = table_sections(&p.config.sections.policy);
    let policies = d
        .policies
        .keys()
        .flat_map(|code| {
            policy_tables
                .iter()
                .map(move |t| Dep::Part(format!("table:{t}:{code}")))
        })
        .collect();
    DepartmentValue {
        id: d.id.clone(),
        value: Value::from_serialize(d),
        sections,
        policies,
    }
}

/// The keys of a department that come from hakusho.yaml: reading them reads no department.
const DEPARTMENT_CONFIG_KEYS: &[&str] = &["id", "name"];

/// The context of one document: the shared part, `document`, and `dept` (the department of an
/// `each: department` document, else none). What the templates read of it is noted in
/// `recorder` (see [`record`]).
pub fn for_document(base: &Base, doc: &DocumentInfo, recorder: &Recorder) -> Value {
    let mut vars: BTreeMap<String, Value> = base
        .vars
        .iter()
        .map(|(name, value, part)| {
            let value = match part {
                Some(part) => Tracked::part(value, recorder, part),
                None => value.clone(),
            };
            (name.to_string(), value)
        })
        .collect();
    let departments: Vec<(&str, Value)> = base
        .departments
        .iter()
        .map(|d| {
            let value = Tracked::wrap(
                &d.value,
                recorder,
                vec![Dep::Part(format!("department:{}", d.id))],
                DEPARTMENT_CONFIG_KEYS,
                vec![
                    ("sections", d.sections.clone()),
                    ("policies", d.policies.clone()),
                ],
            );
            (d.id.as_str(), value)
        })
        .collect();
    let dept = doc
        .department
        .and_then(|id| departments.iter().find(|(d, _)| *d == id))
        .map_or(Value::from(()), |(_, v)| v.clone());
    vars.insert(
        "departments".into(),
        Value::from(departments.into_iter().map(|(_, v)| v).collect::<Vec<_>>()),
    );
    let tables: BTreeMap<String, Value> = base
        .tables
        .iter()
        .map(|(id, table)| {
            // its configuration comes from hakusho.yaml; its rows, all of them, from workbooks
            let rows = vec![Dep::Part(format!("table:{id}:*"))];
            let value = Tracked::wrap(table, recorder, Vec::new(), &[], vec![("rows", rows)]);
            (id.clone(), value)
        })
        .collect();
    vars.insert("tables".into(), Value::from(tables));
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
