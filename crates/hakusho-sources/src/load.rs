//! Loading the whole project ([`load_project`]) or single files ([`check_files`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hakusho_diagnostics::{quote, Diagnostics, Lang, Location, Message};

use crate::config::{Config, RefersTo};
use crate::guard::Limits;
use crate::model::{
    ActionPlan, Booklet, Department, DepartmentFile, Input, InputKind, Loc, Plan, PlanSummaries,
    Project, Row, Table, WhitePaper,
};
use crate::validate::{self, list, suggestion};
use crate::workbook::{self, is_workbook_path, WorkbookData};
use crate::yaml::{self, yaml_path};

/// The project configuration, relative to the project directory.
pub const CONFIG_PATH: &str = "sources/hakusho.yaml";

/// The folder of `sources/workbooks/` where `hakusho intake` keeps each replaced workbook
/// (`history/<department id>/<time>.xlsx`); the loader does not read it.
pub const WORKBOOK_HISTORY_DIR: &str = "history";

/// Optional YAML files of `sources/` and what they are.
const DOCS: &[(&str, InputKind)] = &[
    ("white_paper.yaml", InputKind::WhitePaper),
    ("action_plan.yaml", InputKind::ActionPlan),
    ("plan_summaries.yaml", InputKind::PlanSummaries),
    ("booklet.yaml", InputKind::Booklet),
];

fn rel(parts: &[&str]) -> PathBuf {
    parts.iter().collect()
}

fn load_config(root: &Path, diags: &mut Diagnostics) -> Option<Config> {
    let display = Path::new(CONFIG_PATH);
    let real = root.join(CONFIG_PATH);
    if !real.is_file() {
        diags.error(
            Location::None,
            format!(
                "プロジェクト設定 {CONFIG_PATH} が見つかりません（プロジェクトのフォルダ: {}）。プロジェクトのフォルダで実行するか、-C でフォルダを指定してください",
                root.display()
            ),
            format!(
                "the project configuration {CONFIG_PATH} is missing (project directory: {}); run in the project directory or give it with -C",
                root.display()
            ),
        );
        return None;
    }
    let (mut config, src) =
        yaml::read_limited::<Config>(&real, display, Limits::default().max_yaml_mb, diags)?;
    validate::config(&config, &src, diags);
    config.charts.lower_is_better_at = (0..config.charts.lower_is_better.len())
        .map(|i| Loc(src.at(yaml_path!["charts", "lower_is_better", i])))
        .collect();
    config.fill_years();
    for (i, d) in config.documents.iter_mut().enumerate() {
        d.location = Loc(src.at(yaml_path!["documents", i, "name"]));
    }
    Some(config)
}

fn load_plan(root: &Path, config: Option<&Config>, diags: &mut Diagnostics) -> Option<Plan> {
    let display = rel(&["sources", "plan.yaml"]);
    let real = root.join(&display);
    if !real.is_file() {
        diags.error(
            Location::file(&display),
            "計画の構成 sources/plan.yaml がありません",
            "the plan structure sources/plan.yaml is missing",
        );
        return None;
    }
    parse_plan(&real, &display, config, diags)
}

fn parse_plan(
    real: &Path,
    display: &Path,
    config: Option<&Config>,
    diags: &mut Diagnostics,
) -> Option<Plan> {
    let (mut plan, src) = yaml::read_limited::<Plan>(
        real,
        display,
        config.map_or(Limits::default().max_yaml_mb, |c| c.limits.max_yaml_mb),
        diags,
    )?;
    for (i, part) in plan.parts.iter_mut().enumerate() {
        for (j, p) in part.policies.iter_mut().enumerate() {
            p.location = Loc(src.at(yaml_path!["parts", i, "policies", j, "code"]));
        }
    }
    if let Some(s) = plan.strategy.as_mut() {
        for (k, g) in s.goals.iter_mut().enumerate() {
            g.location = Loc(src.at(yaml_path!["strategy", "goals", k, "code"]));
        }
    }
    validate::plan(&plan, config, &src, diags);
    if let Some(config) = config {
        validate::plan_sections(config, &mut plan, &src, diags);
    }
    Some(plan)
}

/// Loads and validates everything under `root/sources/`, reporting all problems. The project
/// is `None` only when the configuration or the plan could not be read; with `Some`, check
/// `has_errors()` before using it for output.
pub fn load_project(root: &Path) -> (Option<Project>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let sources = root.join("sources");
    if !sources.is_dir() {
        diags.error(
            Location::None,
            format!(
                "sources フォルダがありません（プロジェクトのフォルダ: {}）",
                root.display()
            ),
            format!(
                "no sources directory (project directory: {})",
                root.display()
            ),
        );
        return (None, diags);
    }
    let Some(config) = load_config(root, &mut diags) else {
        return (None, diags);
    };
    let plan = load_plan(root, Some(&config), &mut diags);
    let mut inputs = vec![
        Input {
            path: PathBuf::from(CONFIG_PATH),
            kind: InputKind::Config,
            parts: vec!["config".into()],
        },
        Input {
            path: rel(&["sources", "plan.yaml"]),
            kind: InputKind::Plan,
            parts: vec!["plan".into()],
        },
    ];

    // departments/<id>.yaml
    let mut departments = Vec::new();
    let dept_dir = sources.join("departments");
    for decl in &config.departments {
        // an id that could name a path outside departments/ is reported by validate::config;
        // no file is derived from it
        if !validate::is_ascii_id(&decl.id) {
            continue;
        }
        let display = rel(&["sources", "departments", &format!("{}.yaml", decl.id)]);
        let real = root.join(&display);
        let mut dept = Department {
            id: decl.id.clone(),
            name: decl.name.clone(),
            sections: validate::declared_defaults(&config.sections.department),
            ..Department::default()
        };
        if real.is_file() {
            if let Some((file, src)) = yaml::read_limited::<DepartmentFile>(
                &real,
                &display,
                config.limits.max_yaml_mb,
                &mut diags,
            ) {
                if !file.name.is_empty() && file.name != decl.name {
                    diags.warning(
                        src.at(yaml_path!["name"]),
                        format!("部の名前が {CONFIG_PATH} の「{}」と違います（「{}」）。{CONFIG_PATH} の名前を使います", quote(&decl.name, Lang::Ja), quote(&file.name, Lang::Ja)),
                        format!("the department name differs from {CONFIG_PATH} (\"{}\" there, \"{}\" here); {CONFIG_PATH}'s is used", quote(&decl.name, Lang::En), quote(&file.name, Lang::En)),
                    );
                }
                validate::department(Some(&decl.id), &file, plan.as_ref(), &src, &mut diags);
                dept.policies = validate::policy_sections(&config, &file, &src, &mut diags);
                dept.sections = validate::department_sections(&config, &file, &src, &mut diags);
                dept.mission = file.mission;
                dept.resources = file.resources;
                dept.main_projects = file.main_projects;
            }
            dept.location = Loc(Location::file(&display));
            dept.file = Some(display.clone());
            inputs.push(Input {
                path: display,
                kind: InputKind::Department,
                parts: vec![format!("department:{}", decl.id)],
            });
        } else {
            diags.warning(
                Location::file(&display),
                format!(
                    "{} ({}) のファイルがありません。部の使命・主要事業・施策の文章は空になります",
                    decl.name, decl.id
                ),
                format!(
                    "no file for {} ({}); its mission, main projects and policy texts stay empty",
                    decl.name, decl.id
                ),
            );
        }
        departments.push(dept);
    }
    // (an unsafe id names no file and is no suggestion)
    let ids: Vec<&str> = config
        .departments
        .iter()
        .map(|d| d.id.as_str())
        .filter(|id| validate::is_ascii_id(id))
        .collect();
    for path in list_dir(&dept_dir) {
        let Some(name) = listed_name(&path) else {
            continue;
        };
        let display = rel(&["sources", "departments", &name]);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let is_yaml = has_ext(&path, &["yaml", "yml"]);
        if !is_yaml || !ids.contains(&stem) || name.ends_with(".yml") {
            let Message { ja, en } = suggestion(stem, &ids);
            diags.error(
                Location::file(&display),
                format!("{name} はどの部のファイルでもありません（ファイル名は <部の id>.yaml。{ja}）。このファイルは使われません"),
                format!("{name} is no department's file (name it <department id>.yaml; {en}); it is not used"),
            );
        }
    }

    // workbooks
    let wb_dir = sources.join("workbooks");
    let mut by_department: BTreeMap<String, (PathBuf, WorkbookData)> = BTreeMap::new();
    let mut unattached: Vec<(PathBuf, WorkbookData)> = Vec::new();
    // departments whose workbook exists but was refused (already reported): not "missing"
    let mut refused: Vec<String> = Vec::new();
    for path in list_dir(&wb_dir) {
        let Some(name) = listed_name(&path) else {
            continue;
        };
        // previous versions kept by `hakusho intake`: not this year's workbooks
        if name == WORKBOOK_HISTORY_DIR && path.is_dir() {
            continue;
        }
        let display = rel(&["sources", "workbooks", &name]);
        if !is_workbook_path(&path) {
            diags.error(
                Location::file(&display),
                format!(
                    "ワークブックではないファイルです（使えるのは {}）。このファイルは読みません",
                    workbook::EXTENSIONS.join("・")
                ),
                format!(
                    "not a workbook (expected {}); the file is not read",
                    workbook::EXTENSIONS.join(", ")
                ),
            );
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let department = ids.contains(&stem.as_str()).then_some(stem.clone());
        if department.is_none() {
            let Message { ja, en } = suggestion(&stem, &ids);
            diags.error(
                Location::file(&display),
                format!("ワークブックの名前 {stem} は部の id ではありません（名前は <部の id>.xlsx。{ja}）"),
                format!("workbook name {stem} is not a department id (name it <department id>.xlsx; {en})"),
            );
        }
        if let Some(d) = &department {
            if let Some((other, _)) = by_department.get(d) {
                diags.error(
                    Location::file(&display),
                    format!(
                        "部 {d} のワークブックが二つあります（{} と {}）。一つにしてください",
                        other.display(),
                        display.display()
                    ),
                    format!(
                        "department {d} has two workbooks ({} and {}); keep one",
                        other.display(),
                        display.display()
                    ),
                );
                continue;
            }
        }
        let Some(data) = workbook::read_workbook(
            &path,
            &display,
            department.as_deref(),
            &config.tables,
            &config.limits,
            &mut diags,
        ) else {
            refused.extend(department);
            continue;
        };
        check_workbook_sheets(
            &config,
            &display,
            department.as_deref(),
            plan.as_ref(),
            &data,
            &mut diags,
        );
        match department {
            Some(d) => {
                by_department.insert(d, (display, data));
            }
            None => unattached.push((display, data)),
        }
    }

    // tables: rows in department order, then unattached workbooks
    let mut tables: Vec<Table> = config
        .tables
        .iter()
        .map(|t| Table {
            config: t.clone(),
            rows: Vec::new(),
            not_kept: Vec::new(),
        })
        .collect();
    let mut workbook_inputs: Vec<Input> = Vec::new();
    let ordered = config
        .departments
        .iter()
        .filter_map(|d| by_department.remove(&d.id))
        .chain(unattached);
    for (display, data) in ordered {
        let mut parts = Vec::new();
        for read in data.tables {
            if let Some(t) = tables.iter_mut().find(|t| t.config.id == read.id) {
                for r in &read.rows {
                    let part = format!("table:{}:{}", read.id, r.group);
                    if !parts.contains(&part) {
                        parts.push(part);
                    }
                }
                t.rows.extend(read.rows);
                if read.not_kept > 0 {
                    t.not_kept.push((display.clone(), read.not_kept));
                }
            }
        }
        if let Some(d) = departments
            .iter_mut()
            .find(|d| display.file_stem().and_then(|s| s.to_str()) == Some(d.id.as_str()))
        {
            d.workbook = Some(display.clone());
        }
        workbook_inputs.push(Input {
            path: display,
            kind: InputKind::Workbook,
            parts,
        });
    }
    for t in &tables {
        check_table_size(t, &config.limits, &mut diags);
    }
    fill_table_sections(&config, &tables, &mut departments);
    if let Some(plan) = &plan {
        for t in &tables {
            check_rows(
                &config,
                plan,
                &t.config.id,
                t.config.group.refers_to,
                &t.rows,
                &mut diags,
            );
        }
        check_policy_coverage(&config, plan, &departments, &tables, &refused, &mut diags);
        // Only when every workbook a policy needs was read: otherwise a name's row may be in
        // the one missing (already reported).
        let all_read = refused.is_empty()
            && plan.parts.iter().flat_map(|p| &p.policies).all(|p| {
                departments
                    .iter()
                    .any(|d| d.id == p.department && d.workbook.is_some())
            });
        if all_read {
            check_lower_is_better(&config, &tables, &mut diags);
        }
    }
    inputs.extend(workbook_inputs);

    // the other YAML files
    let mut white_paper = None;
    let mut action_plan = None;
    let mut plan_summaries = None;
    let mut booklet = None;
    for (name, kind) in DOCS {
        let display = rel(&["sources", name]);
        let real = root.join(&display);
        if !real.is_file() {
            continue;
        }
        inputs.push(Input {
            path: display.clone(),
            kind: *kind,
            parts: vec![name.trim_end_matches(".yaml").to_string()],
        });
        match kind {
            InputKind::WhitePaper => {
                white_paper = yaml::read_limited::<WhitePaper>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    &mut diags,
                )
                .map(|(v, _)| v)
            }
            InputKind::ActionPlan => {
                action_plan = yaml::read_limited::<ActionPlan>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    &mut diags,
                )
                .map(|(v, src)| {
                    validate::action_plan(&v, &src, &mut diags);
                    v
                })
            }
            InputKind::PlanSummaries => {
                plan_summaries = yaml::read_limited::<PlanSummaries>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    &mut diags,
                )
                .map(|(v, src)| {
                    validate::plan_summaries(&v, Some(&config), &src, &mut diags);
                    v
                })
            }
            InputKind::Booklet => {
                booklet = yaml::read_limited::<Booklet>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    &mut diags,
                )
                .map(|(v, _)| v)
            }
            _ => {}
        }
    }
    // unknown files directly in sources/
    for path in list_dir(&sources) {
        let Some(name) = listed_name(&path).filter(|_| !path.is_dir()) else {
            continue;
        };
        let known =
            name == "hakusho.yaml" || name == "plan.yaml" || DOCS.iter().any(|(n, _)| *n == name);
        if !known {
            let names: Vec<&str> = ["hakusho.yaml", "plan.yaml"]
                .into_iter()
                .chain(DOCS.iter().map(|(n, _)| *n))
                .collect();
            let Message { ja, en } = suggestion(&name, &names);
            diags.warning(
                Location::file(rel(&["sources", &name])),
                format!("知らないファイルです（{ja}）。このファイルは使われません"),
                format!("unknown file ({en}); it is not used"),
            );
        }
    }

    let Some(plan) = plan else {
        return (None, diags);
    };
    let project = Project {
        root: root.to_path_buf(),
        city: config.city.clone(),
        fiscal_year: config.fiscal_year,
        publication: config.publication.clone(),
        config,
        plan,
        departments,
        tables,
        white_paper,
        action_plan,
        plan_summaries,
        booklet,
        inputs,
    };
    (Some(project), diags)
}

/// The file name of a listed source file, or None for files hakusho leaves alone.
fn listed_name(path: &Path) -> Option<String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    (!ignored_name(name)).then(|| name.to_string())
}

fn ignored_name(name: &str) -> bool {
    // Excel's lock files (~$kikaku.xlsx), hidden files, editor backups
    name.starts_with("~$") || name.starts_with('.') || name.ends_with('~')
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn list_dir(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A workbook must hold at least one configured sheet; a department responsible for a
/// policy must have every `refers_to: policy` table's sheet.
fn check_workbook_sheets(
    config: &Config,
    display: &Path,
    department: Option<&str>,
    plan: Option<&Plan>,
    data: &WorkbookData,
    diags: &mut Diagnostics,
) {
    let expected: Vec<&str> = config.tables.iter().map(|t| t.sheet.as_str()).collect();
    if data.tables.is_empty() {
        diags.error(
            Location::file(display),
            format!(
                "読み込むシートがありません（必要なシート名: {}。このファイルのシート: {}）",
                list(&expected, "、"),
                list(
                    &data.sheets.iter().map(String::as_str).collect::<Vec<_>>(),
                    "、"
                )
            ),
            format!(
                "no sheet to read (expected sheet names: {}; this file has: {})",
                list(&expected, ", "),
                list(
                    &data.sheets.iter().map(String::as_str).collect::<Vec<_>>(),
                    ", "
                )
            ),
        );
        return;
    }
    let (Some(d), Some(plan)) = (department, plan) else {
        return;
    };
    let responsible = plan
        .parts
        .iter()
        .flat_map(|p| &p.policies)
        .any(|p| p.department == d);
    if !responsible {
        return;
    }
    for t in config
        .tables
        .iter()
        .filter(|t| t.group.refers_to == RefersTo::Policy)
    {
        if !data.has_table(&t.id) {
            diags.error(
                Location::file(display),
                format!(
                    "シート「{}」がありません（このファイルのシート: {}）",
                    t.sheet,
                    list(
                        &data.sheets.iter().map(String::as_str).collect::<Vec<_>>(),
                        "、"
                    )
                ),
                format!(
                    "sheet \"{}\" is missing (this file has: {})",
                    t.sheet,
                    list(
                        &data.sheets.iter().map(String::as_str).collect::<Vec<_>>(),
                        ", "
                    )
                ),
            );
        }
    }
}

/// The `table` sections: a policy's rows of the declared table, a department's rows of it.
fn fill_table_sections(config: &Config, tables: &[Table], departments: &mut [Department]) {
    use crate::config::{SectionDecl, SectionKind};
    use crate::model::SectionValue;
    // each declared table section with the table it reads
    let with_table = |declared: &'_ [SectionDecl]| -> Vec<(String, &'_ Table)> {
        declared
            .iter()
            .filter(|s| s.kind == SectionKind::Table)
            .filter_map(|s| {
                let table = tables
                    .iter()
                    .find(|t| Some(&t.config.id) == s.table.as_ref())?;
                Some((s.name.clone(), table))
            })
            .collect()
    };
    let rows_where = |table: &Table, keep: &dyn Fn(&Row) -> bool| {
        SectionValue::Rows(table.rows.iter().filter(|r| keep(r)).cloned().collect())
    };
    let department_tables = with_table(&config.sections.department);
    let policy_tables = with_table(&config.sections.policy);
    for d in departments.iter_mut() {
        for (name, table) in &department_tables {
            let value = rows_where(table, &|r| r.department.as_deref() == Some(d.id.as_str()));
            d.sections.0.insert(name.clone(), value);
        }
        for (code, text) in d.policies.iter_mut() {
            for (name, table) in &policy_tables {
                text.0
                    .insert(name.clone(), rows_where(table, &|r| &r.group == code));
            }
        }
    }
}

/// A table with more rows than `max_table_rows` is refused before anything is rendered: its
/// layout would take memory in proportion (see [`crate::guard::Limits::max_table_rows`]).
fn check_table_size(table: &Table, limits: &crate::guard::Limits, diags: &mut Diagnostics) {
    let not_kept: usize = table.not_kept.iter().map(|(_, n)| n).sum();
    let rows = (table.rows.len() + not_kept) as u64;
    let max = limits.max_table_rows;
    if rows <= max {
        return;
    }
    let key = "max_table_rows";
    let sheet = &table.config.sheet;
    // the workbooks that hold the table's rows, largest first, so the message names where
    // the rows come from
    let mut by_file: BTreeMap<&Path, usize> = BTreeMap::new();
    for r in &table.rows {
        if let Some(path) = r.location.0.path() {
            *by_file.entry(path).or_default() += 1;
        }
    }
    for (path, n) in &table.not_kept {
        *by_file.entry(path).or_default() += n;
    }
    let mut files: Vec<(&Path, usize)> = by_file.into_iter().collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.1));
    let (where_ja, where_en): (Vec<String>, Vec<String>) = files
        .iter()
        .take(3)
        .map(|(p, n)| {
            (
                format!("{} に {n} 行", p.display()),
                format!("{n} in {}", p.display()),
            )
        })
        .unzip();
    diags.error(
        Location::file(CONFIG_PATH),
        format!(
            "シート {sheet} の表が {rows} 行あり、上限 {key} = {max} を超えるため文書を作りません（{}）。行が重複していないか確かめてください。正しい内容なら {CONFIG_PATH} の limits: に {key}: を書いて上限を上げてください（1 万行あたり約 0.5 GB のメモリを使います）",
            where_ja.join("、")
        ),
        format!(
            "the table of sheet {sheet} has {rows} rows, over the limit {key} = {max}; no document is made ({}). Check for duplicated rows; if the content is right, raise it with `{key}:` under `limits:` in {CONFIG_PATH} (about 0.5 GB of memory per 10,000 rows)",
            where_en.join(", ")
        ),
    );
}

/// Group codes exist; names are unique within a group; rows sit in the responsible
/// department's workbook.
fn check_rows(
    config: &Config,
    plan: &Plan,
    table_id: &str,
    refers_to: RefersTo,
    rows: &[Row],
    diags: &mut Diagnostics,
) {
    let heading = config
        .table(table_id)
        .map(|t| t.group.heading.main().to_string())
        .unwrap_or_default();
    let codes: Vec<&str> = match refers_to {
        RefersTo::Policy => plan
            .parts
            .iter()
            .flat_map(|p| &p.policies)
            .map(|p| p.code.as_str())
            .collect(),
        RefersTo::StrategyGoal => plan
            .strategy
            .iter()
            .flat_map(|s| &s.goals)
            .map(|g| g.code.as_str())
            .collect(),
    };
    let mut seen: BTreeMap<(&str, String), &Row> = BTreeMap::new();
    for r in rows {
        let loc = r.location.0.clone();
        let group_loc = r.group_cell.clone();
        if !codes.contains(&r.group.as_str()) {
            let Message { ja, en } = suggestion(&r.group, &codes);
            let (what_ja, what_en) = match refers_to {
                RefersTo::Policy => ("plan.yaml の施策", "a policy code of plan.yaml"),
                RefersTo::StrategyGoal => (
                    "plan.yaml の総合戦略の目標",
                    "a strategy goal code of plan.yaml",
                ),
            };
            diags.error(
                group_loc.clone(),
                format!("{heading}「{}」は{what_ja}にありません（{ja}）", r.group),
                format!("{heading} \"{}\" is not {what_en} ({en})", r.group),
            );
            continue;
        }
        let key = (r.group.as_str(), crate::text::normalize_heading(&r.name));
        if let Some(first) = seen.get(&key) {
            diags.error(
                loc.clone(),
                format!(
                    "指標「{}」が {heading} {} に二度あります（最初は {}）",
                    r.name, r.group, first.location.0
                ),
                format!(
                    "indicator \"{}\" appears twice under {} (first at {})",
                    r.name, r.group, first.location.0
                ),
            );
        } else {
            seen.insert(key, r);
        }
        if refers_to == RefersTo::Policy {
            if let (Some(p), Some(d)) = (
                plan.parts
                    .iter()
                    .flat_map(|p| &p.policies)
                    .find(|p| p.code == r.group),
                &r.department,
            ) {
                if &p.department != d {
                    diags.warning(
                        group_loc,
                        format!("施策 {} の担当部は {} です（plan.yaml）が、{} のワークブックにあります", r.group, p.department, d),
                        format!("policy {} belongs to {} in plan.yaml but is in {}'s workbook", r.group, p.department, d),
                    );
                }
            }
        }
    }
}

/// A name in a row's name column on one line (the lines of a cell typed with Alt+Enter
/// joined), as `charts: lower_is_better` is matched against it.
fn one_line(name: &str) -> String {
    name.lines().map(str::trim).collect()
}

/// Each name of `charts: lower_is_better` is the name of a row of a table charts draw: a name
/// that matches none (a typo, a renamed indicator) would silently turn its chart's verdict the
/// wrong way.
fn check_lower_is_better(config: &Config, tables: &[Table], diags: &mut Diagnostics) {
    let names: Vec<String> = tables
        .iter()
        .filter(|t| config.charts.tables.contains_key(&t.config.id))
        .flat_map(|t| t.rows.iter().map(|r| one_line(&r.name)))
        .collect();
    for (i, declared) in config.charts.lower_is_better.iter().enumerate() {
        let wanted = one_line(declared.trim());
        if names.contains(&wanted) {
            continue;
        }
        let at = config
            .charts
            .lower_is_better_at
            .get(i)
            .map_or(Location::file(CONFIG_PATH), |l| l.0.clone());
        let near = crate::text::closest(&wanted, names.iter().map(String::as_str));
        let (hint_ja, hint_en) = match near {
            Some(n) => (
                format!("もしかして「{n}」ではありませんか。"),
                format!(" Did you mean \"{n}\"?"),
            ),
            None => (String::new(), String::new()),
        };
        diags.error(
            at,
            format!(
                "charts: lower_is_better の「{wanted}」という名前の指標の行が、ワークブックにありません。{hint_ja}ワークブックの行の名前と一字一句同じに書くか、この行を消してください"
            ),
            format!(
                "charts: lower_is_better names \"{wanted}\", but no workbook row has that name.{hint_en} Write it exactly as the row's name in the workbook, or remove the line"
            ),
        );
    }
}

/// Each policy's department has a workbook; each policy has rows in the policy tables.
fn check_policy_coverage(
    config: &Config,
    plan: &Plan,
    departments: &[Department],
    tables: &[Table],
    refused: &[String],
    diags: &mut Diagnostics,
) {
    // the groups each policy table has, looked up once per policy (a table may have 100,000
    // rows: issue 17, point 9)
    let groups: Vec<(&Table, std::collections::HashSet<&str>)> = tables
        .iter()
        .filter(|t| t.config.group.refers_to == RefersTo::Policy)
        .map(|t| (t, t.rows.iter().map(|r| r.group.as_str()).collect()))
        .collect();
    for p in plan.parts.iter().flat_map(|p| &p.policies) {
        let Some(dept) = departments.iter().find(|d| d.id == p.department) else {
            continue; // reported by validate::plan
        };
        if refused.contains(&dept.id) {
            continue; // its workbook was refused with the reason (issue 17, point 11)
        }
        if dept.workbook.is_none() {
            diags.error(
                p.location.0.clone(),
                format!(
                    "施策 {} の担当 {}（{}）のワークブック sources/workbooks/{}.xlsx がありません",
                    p.code, dept.name, dept.id, dept.id
                ),
                format!(
                    "policy {}: the workbook of {} ({}), sources/workbooks/{}.xlsx, is missing",
                    p.code, dept.name, dept.id, dept.id
                ),
            );
            continue;
        }
        for (t, present) in &groups {
            if !present.contains(p.code.as_str()) {
                diags.warning(
                    p.location.0.clone(),
                    format!(
                        "施策 {}「{}」の行がシート「{}」にありません",
                        p.code, p.title, t.config.sheet
                    ),
                    format!(
                        "policy {} \"{}\" has no row in sheet \"{}\"",
                        p.code, p.title, t.config.sheet
                    ),
                );
            }
        }
    }
    let _ = config;
}

/// Checks single files as a department would before sending them: workbooks against the
/// table configuration of `root/sources/hakusho.yaml` (and the codes of plan.yaml when it can
/// be read), YAML files against their schema. Paths are shown as given.
pub fn check_files(root: &Path, files: &[PathBuf]) -> Diagnostics {
    check_files_with_counts(root, files).0
}

/// What was read: files, and rows per table (sheet name, rows) in the configured order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub workbooks: usize,
    pub yaml_files: usize,
    pub rows: Vec<(String, usize)>,
}

impl Counts {
    /// Counts of a loaded project.
    pub fn of_project(p: &Project) -> Counts {
        Counts {
            workbooks: p
                .inputs
                .iter()
                .filter(|i| i.kind == InputKind::Workbook)
                .count(),
            yaml_files: p
                .inputs
                .iter()
                .filter(|i| i.kind != InputKind::Workbook)
                .count(),
            rows: p
                .tables
                .iter()
                .map(|t| (t.config.sheet.clone(), t.rows.len()))
                .collect(),
        }
    }
}

/// [`check_files`], also telling what was read (for the summary line of `hakusho check`).
pub fn check_files_with_counts(root: &Path, files: &[PathBuf]) -> (Diagnostics, Counts) {
    let (diags, counts, _) = check_files_with_rows(root, files);
    (diags, counts)
}

/// [`check_files_with_counts`], also returning the rows read from the workbooks named (for the
/// characters check of `hakusho check FILE`).
pub fn check_files_with_rows(root: &Path, files: &[PathBuf]) -> (Diagnostics, Counts, Vec<Row>) {
    let mut diags = Diagnostics::new();
    let mut counts = Counts::default();
    let mut rows = Vec::new();
    let Some(config) = load_config(root, &mut diags) else {
        return (diags, counts, rows);
    };
    counts.rows = config.tables.iter().map(|t| (t.sheet.clone(), 0)).collect();
    let mut plan_diags = Diagnostics::new();
    let plan = load_plan(root, Some(&config), &mut plan_diags);
    for file in files {
        let read = check_one(root, &config, plan.as_ref(), file, &mut diags, &mut counts);
        rows.extend(read);
    }
    let checked_plan = files
        .iter()
        .any(|f| f.file_name().is_some_and(|n| n == "plan.yaml"));
    if plan.is_none() && !checked_plan && files.iter().any(|f| is_workbook_path(f)) {
        diags.warning(
            Location::file("sources/plan.yaml"),
            "sources/plan.yaml を読めないため、ワークブックの施策の code は確かめていません",
            "sources/plan.yaml could not be read, so the workbooks' codes were not checked",
        );
    }
    (diags, counts, rows)
}

/// Where a file named on the command line is read from and how it is shown: a file inside the
/// project is `root.join(rel)` shown as `rel` (so the confined reader applies the project's
/// rules to it, a link out of the project included); a file elsewhere (a clerk's Downloads) is
/// read where it is, shown as typed.
fn named_file(root: &Path, file: &Path) -> (PathBuf, PathBuf) {
    // relative to the project first (as with `git -C`), then to the working directory
    let in_root = root.join(file);
    let typed = if file.is_absolute() || std::fs::symlink_metadata(&in_root).is_ok() {
        in_root
    } else {
        file.to_path_buf()
    };
    let abs = std::path::absolute(&typed).unwrap_or_else(|_| typed.clone());
    let roots = [
        std::path::absolute(root).ok(),
        std::fs::canonicalize(root).ok(),
    ];
    for r in roots.iter().flatten() {
        if let Ok(rel) = lexical(&abs).strip_prefix(lexical(r)) {
            if !rel.as_os_str().is_empty() {
                return (root.join(rel), rel.to_path_buf());
            }
        }
    }
    (typed, file.to_path_buf())
}

/// `path` with `.` and `..` removed without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Checks one named file; returns the rows read when it is a workbook.
fn check_one(
    root: &Path,
    config: &Config,
    plan: Option<&Plan>,
    file: &Path,
    diags: &mut Diagnostics,
    counts: &mut Counts,
) -> Vec<Row> {
    let (real, display) = named_file(root, file);
    if !real.exists() {
        diags.error(
            Location::file(&display),
            "ファイルがありません",
            "no such file",
        );
        return Vec::new();
    }
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if has_ext(file, &["yaml", "yml"]) {
        counts.yaml_files += 1;
        let in_departments = file
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|p| p == "departments");
        match name {
            "hakusho.yaml" => {
                let mut d = Diagnostics::new();
                if let Some((c, src)) =
                    yaml::read_limited::<Config>(&real, &display, config.limits.max_yaml_mb, &mut d)
                {
                    validate::config(&c, &src, &mut d);
                }
                diags.extend(d);
            }
            "plan.yaml" => {
                parse_plan(&real, &display, Some(config), diags);
            }
            "white_paper.yaml" => {
                yaml::read_limited::<WhitePaper>(&real, &display, config.limits.max_yaml_mb, diags);
            }
            "action_plan.yaml" => {
                if let Some((a, src)) = yaml::read_limited::<ActionPlan>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    diags,
                ) {
                    validate::action_plan(&a, &src, diags);
                }
            }
            "plan_summaries.yaml" => {
                if let Some((p, src)) = yaml::read_limited::<PlanSummaries>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    diags,
                ) {
                    validate::plan_summaries(&p, Some(config), &src, diags);
                }
            }
            "booklet.yaml" => {
                yaml::read_limited::<Booklet>(&real, &display, config.limits.max_yaml_mb, diags);
            }
            _ if in_departments => {
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                let id = config.department(stem).map(|d| d.id.as_str());
                if id.is_none() {
                    let ids: Vec<&str> = config.departments.iter().map(|d| d.id.as_str()).collect();
                    let Message { ja, en } = suggestion(stem, &ids);
                    diags.error(
                        Location::file(&display),
                        format!("{name} はどの部のファイルでもありません（ファイル名は <部の id>.yaml。{ja}）"),
                        format!("{name} is no department's file (name it <department id>.yaml; {en})"),
                    );
                }
                if let Some((f, src)) = yaml::read_limited::<DepartmentFile>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    diags,
                ) {
                    validate::department(id, &f, plan, &src, diags);
                    validate::policy_sections(config, &f, &src, diags);
                    validate::department_sections(config, &f, &src, diags);
                }
            }
            _ => {
                // unknown YAML: syntax only
                if yaml::read_limited::<serde_yaml::Value>(
                    &real,
                    &display,
                    config.limits.max_yaml_mb,
                    diags,
                )
                .is_some()
                {
                    diags.warning(
                        Location::file(&display),
                        "hakusho の知らない YAML ファイルです。書き方（文法）だけを確かめました",
                        "a YAML file hakusho does not know; only its syntax was checked",
                    );
                }
            }
        }
        return Vec::new();
    }
    // anything else is checked as a workbook (a .csv gets "not a workbook")
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let department = config.department(stem).map(|d| d.id.clone());
    let Some(data) = workbook::read_workbook(
        &real,
        &display,
        department.as_deref(),
        &config.tables,
        &config.limits,
        diags,
    ) else {
        return Vec::new();
    };
    counts.workbooks += 1;
    for read in &data.tables {
        if let Some(i) = config.tables.iter().position(|t| t.id == read.id) {
            counts.rows[i].1 += read.count();
        }
    }
    check_workbook_sheets(config, &display, department.as_deref(), plan, &data, diags);
    if let Some(plan) = plan {
        for read in &data.tables {
            if let Some(t) = config.table(&read.id) {
                check_rows(config, plan, &read.id, t.group.refers_to, &read.rows, diags);
            }
        }
    }
    data.tables.into_iter().flat_map(|t| t.rows).collect()
}
