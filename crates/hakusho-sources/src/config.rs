//! `sources/hakusho.yaml`: the project configuration.
//!
//! Nothing here names a column of a particular city: tables, their headings and labels are all
//! configuration.

use serde::{Deserialize, Deserializer, Serialize};

use crate::guard::Limits;
use crate::yaml::string;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(deserialize_with = "string")]
    pub city: String,
    /// The fiscal year whose results are reported (2020 = 令和2年度).
    pub fiscal_year: i32,
    #[serde(default, deserialize_with = "string")]
    pub publication: String,
    /// Departments, in document order.
    pub departments: Vec<DepartmentDecl>,
    #[serde(default)]
    pub tables: Vec<TableConfig>,
    #[serde(default)]
    pub documents: Vec<DocumentDecl>,
    /// The narrative sections a city writes, declared: a template reaches them by name.
    #[serde(default)]
    pub sections: Sections,
    /// Limits of the workbook guard (see [`Limits`]).
    #[serde(default)]
    pub limits: Limits,
    /// Charts drawn from table rows (the templates' `chart()` function).
    #[serde(default)]
    pub charts: Charts,
    /// The web edition's labels; required when a document asks for `html:`.
    #[serde(default)]
    pub html: Option<HtmlConfig>,
    /// The print file (`hakusho build --print`): bleed, crop marks, standard.
    #[serde(default)]
    pub print: PrintConfig,
    /// The tables as written, before their year placeholders were filled
    /// ([`Config::fill_years`]); empty until then.
    #[serde(skip)]
    pub table_templates: Vec<TableConfig>,
}

/// `charts:` of hakusho.yaml: which tables' rows can be charts, how, and whether the documents
/// show them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Charts {
    /// Whether the documents show charts (templates test `config.charts.show`); false when
    /// `charts:` is absent.
    pub show: bool,
    /// Table id → how its rows are drawn.
    pub tables: std::collections::BTreeMap<String, ChartTable>,
    /// Rows (by their name, as typed in the workbook) whose values are better lower (ごみの
    ///排出量, 待機児童数); every other row is better higher.
    pub lower_is_better: Vec<String>,
    /// Where each name of `lower_is_better` is written (for a name no row has).
    #[serde(skip)]
    pub lower_is_better_at: Vec<crate::model::Loc>,
}

/// How the rows of one table are drawn.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartTable {
    /// `bar` or `line`.
    #[serde(default = "bar")]
    pub kind: String,
    /// The value column (`key`) that holds the target: drawn as a dashed rule, not as a bar.
    #[serde(default)]
    pub target: Option<String>,
    /// Value columns (`key`) left out of the chart.
    #[serde(default)]
    pub skip: Vec<String>,
}

fn bar() -> String {
    "bar".into()
}

/// Declared narrative sections, by where they are written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sections {
    /// Sections of each policy, written in `departments/<id>.yaml` under `policies: <code>:`
    /// (a `table` section is read from a workbook sheet instead).
    pub policy: Vec<SectionDecl>,
    /// Sections of each department, written in `departments/<id>.yaml` under `sections:`
    /// (a `table` section is the department's rows of the table).
    pub department: Vec<SectionDecl>,
    /// Fields of each part (部・章) of the plan, written in plan.yaml under the part's
    /// `sections:`.
    pub part: Vec<SectionDecl>,
    /// Extra fields of each policy of the plan, written in plan.yaml under the policy's
    /// `sections:` (a policy's goal kept with the plan rather than with a department).
    pub plan_policy: Vec<SectionDecl>,
}

/// One declared section: `{ name: progress, kind: paragraphs, label: 取り組み状況 }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDecl {
    /// The key it is written under and the name a template reaches it by.
    #[serde(deserialize_with = "string")]
    pub name: String,
    pub kind: SectionKind,
    /// A heading templates may print.
    #[serde(default, deserialize_with = "string")]
    pub label: String,
    /// For `kind: table`: the id of the workbook table (`tables:`) whose rows of the policy
    /// form the section.
    #[serde(default)]
    pub table: Option<String>,
}

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Narrative text (paragraphs split at blank lines; `narrative` filter).
    Paragraphs,
    /// A list of items (one string each; one string is a list of one).
    List,
    /// Notes printed under a table (a list of strings).
    Footnotes,
    /// Rows of a workbook table for the policy.
    Table,
}

impl SectionKind {
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Paragraphs => "paragraphs",
            SectionKind::List => "list",
            SectionKind::Footnotes => "footnotes",
            SectionKind::Table => "table",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentDecl {
    /// ASCII id: names the workbook (`workbooks/<id>.xlsx`) and YAML (`departments/<id>.yaml`).
    #[serde(deserialize_with = "string")]
    pub id: String,
    /// The Japanese name.
    #[serde(deserialize_with = "string")]
    pub name: String,
}

/// A workbook table: one sheet in the department workbooks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    #[serde(deserialize_with = "string")]
    pub id: String,
    #[serde(deserialize_with = "string")]
    pub sheet: String,
    /// The column that groups rows (a policy code or a strategy goal code).
    pub group: GroupColumn,
    /// The column naming each row.
    pub name: Column,
    /// Optional note column; never required.
    #[serde(default)]
    pub note: Option<Column>,
    /// Spanning header rows of the printed table.
    #[serde(default)]
    pub header_rows: Vec<Vec<HeaderCell>>,
    /// Ordered value columns.
    pub values: Vec<ValueColumn>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupColumn {
    pub heading: Headings,
    pub refers_to: RefersTo,
    #[serde(default, deserialize_with = "string")]
    pub label: String,
    /// The heading of the reference column `hakusho workbook` writes next to the codes, holding
    /// the policy's (goal's) title (`title_heading: 施策名`). Without it: the group heading
    /// without a trailing コード, plus 名.
    #[serde(default)]
    pub title_heading: Option<String>,
}

/// What the group column's codes refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefersTo {
    /// `plan.yaml` policies (`code`).
    Policy,
    /// `plan.yaml` `strategy.goals` (`code`).
    StrategyGoal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub heading: Headings,
    /// Printed header text (may hold line breaks).
    #[serde(default, deserialize_with = "string")]
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueColumn {
    /// The key templates use (`row.values.baseline`).
    #[serde(deserialize_with = "string")]
    pub key: String,
    pub heading: Headings,
    #[serde(default, deserialize_with = "string")]
    pub label: String,
    /// A spanning header this column belongs to (達成値).
    #[serde(default)]
    pub group: Option<String>,
    /// The departments enter this column's figures for the coming year (`fill: true`):
    /// `hakusho workbook` colours it and puts the cursor there. Declared, never guessed from a
    /// year in the heading: one city's "current value" column is another's baseline.
    #[serde(default)]
    pub fill: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCell {
    #[serde(default, deserialize_with = "string")]
    pub text: String,
    #[serde(default = "one")]
    pub span: u32,
}

fn one() -> u32 {
    1
}

/// Accepted headings of a column: `heading: 名称` or `heading: [名称, 項目名]` (the first is
/// the one written into new workbooks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Headings(pub Vec<String>);

impl<'de> Deserialize<'de> for Headings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = crate::yaml::strings(d)?;
        if v.is_empty() || v.iter().all(|s| s.trim().is_empty()) {
            return Err(serde::de::Error::custom("heading is empty"));
        }
        Ok(Headings(v))
    }
}

impl Headings {
    /// The first (main) heading, used in messages.
    pub fn main(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }

    /// Whether a cell's text is one of these headings (after normalization).
    pub fn matches(&self, cell: &str) -> bool {
        let n = crate::text::normalize_heading(cell);
        !n.is_empty()
            && self
                .0
                .iter()
                .any(|h| crate::text::normalize_heading(h) == n)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDecl {
    /// Output name (`build/<name>.pdf`); `{id}` for per-department documents.
    #[serde(deserialize_with = "string")]
    pub name: String,
    #[serde(deserialize_with = "string")]
    pub template: String,
    #[serde(default, deserialize_with = "string")]
    pub title: String,
    /// `department`: one document per department.
    #[serde(default)]
    pub each: Option<Each>,
    /// The web edition of the document (`build/html/<name>/`); none without it.
    #[serde(default)]
    pub html: Option<HtmlEdition>,
    /// `pdf: { standards: [ua-1, a-2a] }`: the standards the PDF declares and meets.
    #[serde(default)]
    pub pdf: PdfOptions,
    /// Where `name:` is written in hakusho.yaml (for messages about the document).
    #[serde(skip)]
    pub location: crate::model::Loc,
}

/// `pdf:` on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfOptions {
    /// Without `pdf:`, `[ua-1]`: a tagged PDF. `[]` writes an untagged PDF (for measuring
    /// what tagging costs).
    #[serde(default = "default_standards")]
    pub standards: Vec<PdfStandard>,
}

impl Default for PdfOptions {
    fn default() -> PdfOptions {
        PdfOptions {
            standards: default_standards(),
        }
    }
}

fn default_standards() -> Vec<PdfStandard> {
    vec![PdfStandard::Ua1]
}

/// A standard a PDF can declare: PDF/UA-1 (ISO 14289-1) or a level of PDF/A-2 (ISO 19005-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PdfStandard {
    #[serde(rename = "ua-1")]
    Ua1,
    /// Level a: b, plus the structure tree and Unicode text.
    #[serde(rename = "a-2a")]
    A2a,
    /// Level b: the visual appearance is preserved.
    #[serde(rename = "a-2b")]
    A2b,
    /// Level u: b, plus every character mapped to Unicode.
    #[serde(rename = "a-2u")]
    A2u,
}

impl PdfStandard {
    /// The name written in hakusho.yaml.
    pub fn name(self) -> &'static str {
        match self {
            PdfStandard::Ua1 => "ua-1",
            PdfStandard::A2a => "a-2a",
            PdfStandard::A2b => "a-2b",
            PdfStandard::A2u => "a-2u",
        }
    }

    pub fn is_pdfa(self) -> bool {
        !matches!(self, PdfStandard::Ua1)
    }
}

/// `html: { split: 2 }` on a document: its web edition, one page per heading of level `split`
/// or above (1: per chapter `h1`; 2: per section `h2` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlEdition {
    #[serde(default = "one_u8", deserialize_with = "split_level")]
    pub split: u8,
}

fn one_u8() -> u8 {
    1
}

fn split_level<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = u8::deserialize(d)?;
    if (1..=4).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "split must be a heading level from 1 to 4, found {n}"
        )))
    }
}

/// `print:` in hakusho.yaml: how `hakusho build --print` makes the print files
/// (`build/print/<name>.pdf`) for the print shop. Every key optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintConfig {
    /// Bleed (塗り足し) in millimetres on each side of the trim; 3 is what Japanese print
    /// shops ask for.
    #[serde(deserialize_with = "bleed_mm")]
    pub bleed: f32,
    /// Crop marks (トンボ) around the page; the trim and bleed boxes are written either way.
    pub marks: bool,
    /// The PDF/X standard of the print file.
    pub standard: PrintStandard,
}

impl Default for PrintConfig {
    fn default() -> Self {
        PrintConfig {
            bleed: 3.0,
            marks: true,
            standard: PrintStandard::X1a,
        }
    }
}

/// The PDF/X standards the print file can meet: PDF/X-1a:2003 only (see the README for why
/// not PDF/X-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrintStandard {
    #[serde(rename = "x-1a")]
    X1a,
}

fn bleed_mm<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    let v = f32::deserialize(d)?;
    if (0.0..=20.0).contains(&v) {
        Ok(v)
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Float(v as f64),
            &"f32",
        ))
    }
}

/// `html:` in hakusho.yaml: the texts of the web edition's pages, as the city words them.
/// `{size}` in `pdf` is the PDF's size (784KB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlConfig {
    #[serde(deserialize_with = "string")]
    pub contents: String,
    #[serde(deserialize_with = "string")]
    pub skip_to_content: String,
    #[serde(deserialize_with = "string")]
    pub breadcrumbs: String,
    #[serde(deserialize_with = "string")]
    pub pager: String,
    #[serde(deserialize_with = "string")]
    pub previous: String,
    #[serde(deserialize_with = "string")]
    pub next: String,
    #[serde(deserialize_with = "string")]
    pub pdf: String,
    #[serde(deserialize_with = "string")]
    pub single_page: String,
    /// Bundled fonts served as web fonts, each cut to the characters of the edition it is in;
    /// none: the reader's own fonts (the list in templates/web.css).
    #[serde(default)]
    pub fonts: Vec<WebFont>,
}

/// One entry of `html: fonts:`: a font file of the project served under a CSS family name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebFont {
    /// The family name the stylesheet asks for (`font-family` in templates/web.css).
    #[serde(deserialize_with = "string")]
    pub family: String,
    /// The font file, relative to the project (a TrueType or OpenType font).
    #[serde(deserialize_with = "string")]
    pub file: String,
    /// The CSS weight it serves (400 normal, 700 bold).
    #[serde(default = "normal_weight")]
    pub weight: u16,
}

fn normal_weight() -> u16 {
    400
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Each {
    Department,
}

impl Config {
    /// Fills the year placeholders (`{fiscal_year}`, see [`crate::era::fill_year`]) of the
    /// tables' headings and labels for the configured fiscal year. A heading that carries a
    /// year also accepts its form for the next fiscal year: the workbooks `hakusho workbook`
    /// writes ask for next year's figures under next year's heading, and still read before
    /// the configuration is advanced.
    pub fn fill_years(&mut self) {
        if self.table_templates.is_empty() {
            self.table_templates = self.tables.clone();
        }
        let year = self.fiscal_year;
        self.tables = self
            .table_templates
            .iter()
            .map(|t| {
                let mut filled = t.for_year(year);
                let next = t.for_year(year + 1);
                for (now, then) in filled.headings_mut().into_iter().zip(next.headings()) {
                    for alt in &then.0 {
                        if !now.0.contains(alt) {
                            now.0.push(alt.clone());
                        }
                    }
                }
                filled
            })
            .collect();
    }

    /// The tables as they read for fiscal `year` (the headings of a workbook asking for that
    /// year's figures).
    pub fn tables_for_year(&self, year: i32) -> Vec<TableConfig> {
        let templates = if self.table_templates.is_empty() {
            &self.tables
        } else {
            &self.table_templates
        };
        templates.iter().map(|t| t.for_year(year)).collect()
    }

    pub fn table(&self, id: &str) -> Option<&TableConfig> {
        self.tables.iter().find(|t| t.id == id)
    }

    pub fn department(&self, id: &str) -> Option<&DepartmentDecl> {
        self.departments.iter().find(|d| d.id == id)
    }
}

impl TableConfig {
    /// This table with the year placeholders of its headings and labels filled for `year`.
    pub fn for_year(&self, year: i32) -> TableConfig {
        let fill = |s: &str| crate::era::fill_year(s, year);
        let mut t = self.clone();
        for h in t.headings_mut() {
            for s in &mut h.0 {
                *s = fill(s);
            }
        }
        t.group.label = fill(&t.group.label);
        t.group.title_heading = t.group.title_heading.as_deref().map(fill);
        t.name.label = fill(&t.name.label);
        if let Some(n) = &mut t.note {
            n.label = fill(&n.label);
        }
        for v in &mut t.values {
            v.label = fill(&v.label);
            v.group = v.group.as_deref().map(fill);
        }
        for row in &mut t.header_rows {
            for cell in row {
                cell.text = fill(&cell.text);
            }
        }
        t
    }

    /// Every column's headings: group, name, values, note.
    fn headings(&self) -> Vec<&Headings> {
        let mut v = vec![&self.group.heading, &self.name.heading];
        v.extend(self.values.iter().map(|c| &c.heading));
        v.extend(self.note.as_ref().map(|n| &n.heading));
        v
    }

    fn headings_mut(&mut self) -> Vec<&mut Headings> {
        let mut v = vec![&mut self.group.heading, &mut self.name.heading];
        v.extend(self.values.iter_mut().map(|c| &mut c.heading));
        v.extend(self.note.as_mut().map(|n| &mut n.heading));
        v
    }
}
