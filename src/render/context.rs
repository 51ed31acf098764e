//! What templates see. The model is turned into one context per document:
//!
//! | name | what |
//! |---|---|
//! | `city`, `fiscal_year`, `publication` | from hakusho.yaml |
//! | `document` | `{name, title, template, department}` of the document being built |
//! | `dept` | the department of an `each: department` document (else none) |
//! | `wp`, `plan`, `action_plan`, `summaries`, `booklet` | white_paper.yaml, plan.yaml, action_plan.yaml, plan_summaries.yaml, booklet.yaml |
//! | `departments` | every department in hakusho.yaml order: `id`, `name`, `mission`, `resources`, `main_projects`, `policies` (code → `{notes, progress}`) |
//! | `policies` | every policy of the plan in order (each with `part` = its part's number) |
//! | `tables` | table id → its configuration (`header_rows`, `name`, `values`, …) and `rows` (`group`, `name`, `note`, `values`: key → Value) |
//!
//! Functions: `rows(table_id, group)` → the rows of a table for one policy code or goal code;
//! `department(id)` → a department.

use minijinja::{Error, ErrorKind, State, Value};

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
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
    let tables = state
        .lookup("tables")
        .ok_or_else(|| invalid("rows(): no tables in this context".into()))?;
    let t = tables.get_attr(table)?;
    if t.is_undefined() || t.is_none() {
        let known: Vec<String> = tables
            .try_iter()
            .map(|it| it.map(|k| key_of(&k)).collect())
            .unwrap_or_default();
        return Err(invalid(format!(
            "rows(): no table '{table}' in hakusho.yaml (tables: {})",
            known.join(", ")
        )));
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
    let departments = state
        .lookup("departments")
        .ok_or_else(|| invalid("department(): no departments in this context".into()))?;
    let want = key_of(id);
    for d in departments.try_iter()? {
        if key_of(&d.get_attr("id")?) == want {
            return Ok(d);
        }
    }
    Err(invalid(format!(
        "department(): no department '{want}' in hakusho.yaml"
    )))
}
