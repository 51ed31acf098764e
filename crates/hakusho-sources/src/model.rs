//! The typed model templates see (`hakusho_sources::Project`); see docs/DESIGN.md "The model".

use std::collections::BTreeMap;
use std::path::PathBuf;

use hakusho_diagnostics::Location;
use serde::{Deserialize, Serialize, Serializer};

use crate::config::{Config, TableConfig};
use crate::value::Value;
use crate::yaml::{string, strings};

/// Where an item was read from; serialized as `file:sheet!cell` / `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc(pub Location);

impl Default for Loc {
    fn default() -> Self {
        Loc(Location::None)
    }
}

impl Serialize for Loc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

// ───── plan.yaml ─────

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(deserialize_with = "string")]
    pub title: String,
    pub parts: Vec<Part>,
    #[serde(default)]
    pub strategy: Option<Strategy>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    #[serde(deserialize_with = "string")]
    pub number: String,
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// The part's declared sections as written (`sections: part:` of hakusho.yaml).
    #[serde(default, rename = "sections", skip_serializing)]
    pub written_sections: BTreeMap<String, serde_yaml::Value>,
    /// The part's declared sections, checked (templates: `part.sections.<name>`).
    #[serde(skip_deserializing)]
    pub sections: SectionTexts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Unique; what workbooks put in the group column (the policy's code).
    #[serde(deserialize_with = "string")]
    pub code: String,
    #[serde(deserialize_with = "string")]
    pub number: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(deserialize_with = "string")]
    pub title: String,
    /// The responsible department: its id.
    #[serde(deserialize_with = "string")]
    pub department: String,
    #[serde(default, deserialize_with = "string")]
    pub division: String,
    /// The policy's declared plan fields as written (`sections: plan_policy:`).
    #[serde(default, rename = "sections", skip_serializing)]
    pub written_sections: BTreeMap<String, serde_yaml::Value>,
    /// The policy's declared plan fields, checked (templates: `policy.sections.<name>`).
    #[serde(skip_deserializing)]
    pub sections: SectionTexts,
    #[serde(skip_deserializing)]
    pub location: Loc,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    #[serde(default, deserialize_with = "string")]
    pub title: String,
    #[serde(default)]
    pub goals: Vec<Goal>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    #[serde(deserialize_with = "string")]
    pub code: String,
    #[serde(default, deserialize_with = "string")]
    pub label: String,
    #[serde(default, deserialize_with = "string")]
    pub title: String,
    #[serde(default, deserialize_with = "string")]
    pub direction: String,
    /// Notes printed under the goal's KPI table.
    #[serde(default, deserialize_with = "strings")]
    pub kpi_notes: Vec<String>,
    #[serde(skip_deserializing)]
    pub location: Loc,
}

// ───── departments/<id>.yaml ─────

/// A department: its declaration in hakusho.yaml plus its YAML file.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Department {
    pub id: String,
    /// The name declared in hakusho.yaml.
    pub name: String,
    pub mission: String,
    pub resources: Resources,
    pub main_projects: Vec<MainProject>,
    /// Narrative of the policies this department is responsible for, by policy code.
    pub policies: BTreeMap<String, SectionTexts>,
    /// The department's declared sections (`sections: department:`), by name.
    pub sections: SectionTexts,
    /// `departments/<id>.yaml`, if it exists.
    pub file: Option<PathBuf>,
    /// The department's workbook, if it exists.
    pub workbook: Option<PathBuf>,
    pub location: Loc,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DepartmentFile {
    #[serde(deserialize_with = "string")]
    pub name: String,
    #[serde(deserialize_with = "string")]
    pub mission: String,
    pub resources: Resources,
    pub main_projects: Vec<MainProject>,
    /// Each policy's sections as written; checked against the declared sections
    /// (`sections: policy:` of hakusho.yaml) into [`SectionTexts`].
    pub policies: BTreeMap<String, BTreeMap<String, serde_yaml::Value>>,
    /// The department's own sections as written (`sections: department:`).
    pub sections: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Resources {
    #[serde(deserialize_with = "string")]
    pub staff: String,
    #[serde(deserialize_with = "string")]
    pub budget: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MainProject {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub text: String,
    #[serde(deserialize_with = "string")]
    pub contact: String,
}

/// Declared sections' content by name: a policy's (templates: `text.progress`) or a
/// department's (`dept.sections.vision`).
#[derive(Debug, Clone, Serialize, Default)]
#[serde(transparent)]
pub struct SectionTexts(pub BTreeMap<String, SectionValue>);

/// The content of one section, by its declared kind.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SectionValue {
    /// `paragraphs`: the text as typed.
    Text(String),
    /// `list`, `footnotes`: one string per item.
    Items(Vec<String>),
    /// `table`: the workbook rows of the policy.
    Rows(Vec<Row>),
}

impl SectionTexts {
    /// The text of a `paragraphs` section ("" when absent or of another kind).
    pub fn text(&self, name: &str) -> &str {
        match self.0.get(name) {
            Some(SectionValue::Text(t)) => t,
            _ => "",
        }
    }

    /// The items of a `list` or `footnotes` section (none when absent or of another kind).
    pub fn items(&self, name: &str) -> &[String] {
        match self.0.get(name) {
            Some(SectionValue::Items(v)) => v,
            _ => &[],
        }
    }
}

// ───── white_paper.yaml ─────

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct WhitePaper {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub subtitle: String,
    #[serde(deserialize_with = "string")]
    pub year_label: String,
    #[serde(deserialize_with = "string")]
    pub publication: String,
    #[serde(deserialize_with = "string")]
    pub cover_note: String,
    /// Chapter/section headings as printed, keyed for templates.
    pub headings: BTreeMap<String, Heading>,
    /// Fixed prose keyed so templates can place it: a text or a list of titled blocks.
    pub chapters: BTreeMap<String, Prose>,
    pub colophon: Colophon,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Heading {
    #[serde(deserialize_with = "string")]
    pub number: String,
    #[serde(deserialize_with = "string")]
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Prose {
    Text(String),
    Blocks(Vec<Block>),
}

impl<'de> Deserialize<'de> for Prose {
    // Not `#[serde(untagged)]`: that buffers the value, which loses serde_yaml's positions and
    // the text of a number as typed inside the blocks.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Prose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text or a list of blocks with heading and text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Prose, E> {
                Ok(Prose::Text(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Prose, A::Error> {
                let mut blocks = Vec::new();
                while let Some(b) = seq.next_element()? {
                    blocks.push(b);
                }
                Ok(Prose::Blocks(blocks))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Block {
    #[serde(deserialize_with = "string")]
    pub heading: String,
    #[serde(deserialize_with = "string")]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Colophon {
    #[serde(deserialize_with = "strings")]
    pub lines: Vec<String>,
}

// ───── action_plan.yaml ─────

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ActionPlan {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub overview: String,
    #[serde(deserialize_with = "string")]
    pub systems_intro: String,
    pub principles: Vec<Principle>,
    #[serde(deserialize_with = "string")]
    pub intro: String,
    pub systems: Vec<ActionSystem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Principle {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "strings")]
    pub systems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ActionSystem {
    #[serde(deserialize_with = "string")]
    pub number: String,
    #[serde(deserialize_with = "string")]
    pub title: String,
    pub items: Vec<ActionItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ActionItem {
    #[serde(deserialize_with = "string")]
    pub id: String,
    #[serde(deserialize_with = "string")]
    pub title: String,
    pub major: bool,
    #[serde(deserialize_with = "strings")]
    pub departments: Vec<String>,
    #[serde(deserialize_with = "string")]
    pub summary: String,
    #[serde(deserialize_with = "string")]
    pub status: String,
}

// ───── plan_summaries.yaml ─────

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSummaries {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub subtitle: String,
    pub note: Option<Block>,
    pub public_comment: Option<PublicCommentArticle>,
    pub plans: Vec<PlanSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PublicCommentArticle {
    #[serde(deserialize_with = "string")]
    pub headline: String,
    #[serde(deserialize_with = "string")]
    pub subtitle: String,
    #[serde(deserialize_with = "string")]
    pub intro: String,
    #[serde(deserialize_with = "string")]
    pub notes: String,
    #[serde(deserialize_with = "string")]
    pub figure: String,
    #[serde(deserialize_with = "string")]
    pub mark_note: String,
    #[serde(deserialize_with = "string")]
    pub how_to_submit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSummary {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub edition: String,
    #[serde(deserialize_with = "string")]
    pub department: String,
    #[serde(deserialize_with = "string")]
    pub purpose: String,
    pub indicators: Vec<PlanIndicator>,
    pub projects: Vec<PlanProject>,
    pub issues: Vec<PlanIssues>,
    #[serde(deserialize_with = "string")]
    pub contact: String,
    pub public_comment: Option<PlanPublicComment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanIndicator {
    #[serde(deserialize_with = "string")]
    pub name: String,
    /// Kept as a [`Value`] so templates read it like a workbook cell.
    #[serde(deserialize_with = "value")]
    pub target: Value,
}

fn value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Ok(Value::from_text(&string(d)?))
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanProject {
    #[serde(deserialize_with = "string")]
    pub mark: String,
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanIssues {
    #[serde(deserialize_with = "string")]
    pub heading: String,
    #[serde(deserialize_with = "strings")]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PlanPublicComment {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub edition: String,
    #[serde(deserialize_with = "string")]
    pub purpose: String,
    #[serde(deserialize_with = "string")]
    pub structure: String,
    #[serde(deserialize_with = "string")]
    pub projects: String,
    #[serde(deserialize_with = "string")]
    pub contact: String,
    #[serde(deserialize_with = "string")]
    pub phone: String,
    #[serde(deserialize_with = "string")]
    pub email: String,
}

// ───── booklet.yaml ─────

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Booklet {
    #[serde(deserialize_with = "string")]
    pub title: String,
    #[serde(deserialize_with = "string")]
    pub year_label: String,
    #[serde(deserialize_with = "string")]
    pub headline: String,
    #[serde(deserialize_with = "string")]
    pub kicker: String,
    #[serde(deserialize_with = "string")]
    pub intro: String,
    #[serde(deserialize_with = "string")]
    pub article_intro: String,
    #[serde(deserialize_with = "string")]
    pub note: String,
    #[serde(deserialize_with = "string")]
    pub contact: String,
    #[serde(deserialize_with = "string")]
    pub phone_note: String,
}

// ───── workbook tables ─────

/// A configured table with the rows of every workbook, in department order then sheet order.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    #[serde(flatten)]
    pub config: TableConfig,
    pub rows: Vec<Row>,
    /// Rows read but not kept, by workbook: a table over `max_table_rows` is refused, and
    /// its rows past the limit are only counted (see `workbook::TableRows`).
    #[serde(skip)]
    pub not_kept: Vec<(PathBuf, usize)>,
}

/// One row of a workbook table (one indicator).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The group code as typed, trimmed and half-width (`2-4-1`, `1`).
    pub group: String,
    /// The name (the name column) as typed.
    pub name: String,
    /// The note column, `""` when absent.
    pub note: String,
    /// Values by the configured column key.
    pub values: BTreeMap<String, Value>,
    /// The department whose workbook holds the row (`None` when a file was checked alone
    /// under a name that is no department id).
    pub department: Option<String>,
    /// The name cell.
    pub location: Loc,
    /// The group code's cell.
    #[serde(skip)]
    pub group_cell: Location,
    /// The note's cell, when the table has a note column.
    #[serde(skip)]
    pub note_cell: Option<Location>,
    /// Each value's cell, by column key.
    #[serde(skip)]
    pub cells: BTreeMap<String, Location>,
}

// ───── the project ─────

/// Everything read from `sources/`, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The project directory.
    #[serde(skip)]
    pub root: PathBuf,
    pub city: String,
    pub fiscal_year: i32,
    pub publication: String,
    pub config: Config,
    pub plan: Plan,
    /// Departments in the configured order.
    pub departments: Vec<Department>,
    /// Workbook tables in the configured order.
    pub tables: Vec<Table>,
    pub white_paper: Option<WhitePaper>,
    pub action_plan: Option<ActionPlan>,
    pub plan_summaries: Option<PlanSummaries>,
    pub booklet: Option<Booklet>,
    #[serde(skip)]
    pub(crate) inputs: Vec<Input>,
}

/// One input file and the parts of the model it feeds (for incremental builds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    /// Path relative to the project directory (`sources/workbooks/kikaku.xlsx`).
    pub path: PathBuf,
    /// What the file is.
    pub kind: InputKind,
    /// The model parts it feeds: `config`, `plan`, `white_paper`, `action_plan`,
    /// `plan_summaries`, `booklet`, `department:<id>`, `table:<table id>:<group code>`.
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Config,
    Plan,
    WhitePaper,
    ActionPlan,
    PlanSummaries,
    Booklet,
    Department,
    Workbook,
}

impl Project {
    /// All policies of the plan, in order.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.plan.parts.iter().flat_map(|p| p.policies.iter())
    }

    pub fn policy(&self, code: &str) -> Option<&Policy> {
        self.policies().find(|p| p.code == code)
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.config.id == id)
    }

    /// The rows of table `table` whose group is `group` (a policy or goal code), in order.
    pub fn rows(&self, table: &str, group: &str) -> Vec<&Row> {
        self.table(table)
            .map(|t| t.rows.iter().filter(|r| r.group == group).collect())
            .unwrap_or_default()
    }

    /// Every input file with the model parts it feeds; a later build can rebuild only the
    /// documents whose parts changed.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
}
