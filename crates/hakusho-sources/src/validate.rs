//! Cross-checks of the configuration and the YAML files (all problems, never the first only).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hakusho_diagnostics::{Diagnostics, Location};

use crate::config::Config;
use crate::model::{ActionPlan, DepartmentFile, Plan, PlanSummaries};
use crate::text::closest;
use crate::yaml::locate;

/// `a, b, c` lists in messages, shortened when long.
pub fn list(items: &[&str], sep: &str) -> String {
    if items.len() > 12 {
        format!("{}{sep}…（全 {} 件）", items[..12].join(sep), items.len())
    } else {
        items.join(sep)
    }
}

/// "…（もしかして 2-4-1）" / " (did you mean 2-4-1?)" or the list of expected values.
pub fn suggestion(found: &str, expected: &[&str]) -> (String, String) {
    match closest(found, expected.iter().copied()) {
        Some(c) => (
            format!("もしかして {c} ではありませんか"),
            format!("did you mean {c}?"),
        ),
        None => (
            format!("使えるのは {}", list(expected, "、")),
            format!("expected one of {}", list(expected, ", ")),
        ),
    }
}

fn is_ascii_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

pub fn config(c: &Config, display: &Path, text: &str, diags: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    for d in &c.departments {
        let loc = locate(display, text, "id", Some(&d.id));
        if !is_ascii_id(&d.id) {
            diags.error(
                loc.clone(),
                format!("部の id「{}」には半角英小文字・数字・ハイフンだけを使ってください（ファイル名になります）", d.id),
                format!("department id \"{}\" must use lower-case ASCII letters, digits and hyphens only (it names files)", d.id),
            );
        }
        if !seen.insert(d.id.as_str()) {
            diags.error(
                loc,
                format!("部の id {} が二度宣言されています", d.id),
                format!("department id {} is declared twice", d.id),
            );
        }
    }
    let mut table_ids = BTreeSet::new();
    for t in &c.tables {
        let loc = locate(display, text, "id", Some(&t.id));
        if !table_ids.insert(t.id.as_str()) {
            diags.error(
                loc.clone(),
                format!("表の id {} が二度宣言されています", t.id),
                format!("table id {} is declared twice", t.id),
            );
        }
        let mut keys = BTreeSet::new();
        for v in &t.values {
            if !keys.insert(v.key.as_str()) {
                diags.error(
                    locate(display, text, "key", Some(&v.key)),
                    format!("表 {} の値の列 key {} が二度あります", t.id, v.key),
                    format!("table {}: value column key {} appears twice", t.id, v.key),
                );
            }
        }
        if t.values.is_empty() {
            diags.error(
                loc.clone(),
                format!("表 {} に値の列 (values) がありません", t.id),
                format!("table {} has no value columns (values)", t.id),
            );
        }
        for hr in &t.header_rows {
            let span: u32 = hr.iter().map(|c| c.span.max(1)).sum();
            if span as usize != t.values.len() {
                diags.error(
                    loc.clone(),
                    format!(
                        "表 {} の header_rows の列数（span の合計 {span}）が値の列の数 {} と合いません",
                        t.id,
                        t.values.len()
                    ),
                    format!(
                        "table {}: header_rows span {span} columns but there are {} value columns",
                        t.id,
                        t.values.len()
                    ),
                );
            }
        }
    }
    let mut names = BTreeSet::new();
    for d in &c.documents {
        if !names.insert(d.name.as_str()) {
            diags.error(
                locate(display, text, "name", Some(&d.name)),
                format!("文書名 {} が二度宣言されています", d.name),
                format!("document name {} is declared twice", d.name),
            );
        }
    }
}

/// Policy codes unique, departments declared, goal codes unique.
pub fn plan(
    p: &Plan,
    config: Option<&Config>,
    display: &Path,
    text: &str,
    diags: &mut Diagnostics,
) {
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    let dept_ids: Vec<&str> = config
        .map(|c| c.departments.iter().map(|d| d.id.as_str()).collect())
        .unwrap_or_default();
    for policy in p.parts.iter().flat_map(|part| &part.policies) {
        let loc = policy.location.0.clone();
        if policy.code.trim().is_empty() {
            diags.error(
                loc.clone(),
                "施策コード (code) が空です",
                "policy code is empty",
            );
        } else if seen.insert(policy.code.as_str(), ()).is_some() {
            let second =
                nth_location(display, text, "code", &policy.code, 2).unwrap_or(loc.clone());
            diags.error(
                second,
                format!("施策コード {} が重複しています（ワークブックの行がどちらの施策か決められません）", policy.code),
                format!("policy code {} is used twice (workbook rows could not tell which policy they belong to)", policy.code),
            );
        }
        if config.is_some() && !dept_ids.contains(&policy.department.as_str()) {
            let (ja, en) = suggestion(&policy.department, &dept_ids);
            diags.error(
                locate(display, text, "department", Some(&policy.department)),
                format!(
                    "施策 {} の担当部 {} は sources/hakusho.yaml の departments にありません（{ja}）",
                    policy.code, policy.department
                ),
                format!(
                    "policy {}: department {} is not declared in sources/hakusho.yaml departments ({en})",
                    policy.code, policy.department
                ),
            );
        }
    }
    if let Some(s) = &p.strategy {
        let mut goals = BTreeSet::new();
        for g in &s.goals {
            if !goals.insert(g.code.as_str()) {
                diags.error(
                    g.location.0.clone(),
                    format!("基本目標のコード {} が重複しています", g.code),
                    format!("strategy goal code {} is used twice", g.code),
                );
            }
        }
    }
}

/// The location of the `n`-th (1-based) `key: value` line.
fn nth_location(display: &Path, text: &str, key: &str, value: &str, n: usize) -> Option<Location> {
    let mut offset_lines = 0u32;
    let mut rest = text;
    for i in 1..=n {
        let (line, col) = crate::yaml::find_key(rest, key, Some(value))?;
        if i == n {
            return Some(Location::text(display, offset_lines + line, col));
        }
        let skip: usize = rest
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        rest = &rest[skip..];
        offset_lines += line;
    }
    None
}

/// A department file's policies: codes exist and belong to the department.
pub fn department(
    id: Option<&str>,
    file: &DepartmentFile,
    plan: Option<&Plan>,
    display: &Path,
    text: &str,
    diags: &mut Diagnostics,
) {
    let Some(plan) = plan else { return };
    let codes: Vec<&str> = plan
        .parts
        .iter()
        .flat_map(|p| &p.policies)
        .map(|p| p.code.as_str())
        .collect();
    for code in file.policies.keys() {
        let loc = crate::yaml::locate_mapping_key(display, text, code);
        match plan
            .parts
            .iter()
            .flat_map(|p| &p.policies)
            .find(|p| &p.code == code)
        {
            None => {
                let (ja, en) = suggestion(code, &codes);
                diags.error(
                    loc,
                    format!("施策コード {code} は plan.yaml にありません（{ja}）"),
                    format!("policy code {code} is not in plan.yaml ({en})"),
                );
            }
            Some(p) => {
                if let Some(id) = id {
                    if p.department != id {
                        diags.warning(
                            loc,
                            format!("施策 {code} の主な担当課は {} です（plan.yaml）。この部のファイルに書いた文章は {} の文章として使われます", p.department, p.department),
                            format!("policy {code} belongs to {} in plan.yaml; this text is used as that department's", p.department),
                        );
                    }
                }
            }
        }
    }
}

pub fn action_plan(a: &ActionPlan, display: &Path, text: &str, diags: &mut Diagnostics) {
    let numbers: Vec<&str> = a.systems.iter().map(|s| s.number.as_str()).collect();
    let mut ids = BTreeSet::new();
    for item in a.systems.iter().flat_map(|s| &s.items) {
        if !ids.insert(item.id.as_str()) {
            diags.error(
                locate(display, text, "id", Some(&item.id)),
                format!("取り組みの id {} が重複しています", item.id),
                format!("action plan item id {} is used twice", item.id),
            );
        }
    }
    let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &a.principles {
        for s in &p.systems {
            *listed.entry(s.as_str()).or_default() += 1;
            if !numbers.contains(&s.as_str()) {
                diags.error(
                    locate(display, text, "title", Some(&p.title)),
                    format!("「{}」の体系 {s} は systems にありません", p.title),
                    format!("\"{}\" lists system {s}, which is not in systems", p.title),
                );
            }
        }
    }
    if !a.principles.is_empty() {
        for n in &numbers {
            let times = listed.get(n).copied().unwrap_or(0);
            if times != 1 {
                diags.error(
                    locate(display, text, "number", Some(n)),
                    format!("体系 {n} は principles に {times} 回書かれています（ちょうど 1 回のはずです）"),
                    format!("system {n} is listed {times} times under principles (exactly once expected)"),
                );
            }
        }
    }
}

pub fn plan_summaries(
    p: &PlanSummaries,
    config: Option<&Config>,
    display: &Path,
    text: &str,
    diags: &mut Diagnostics,
) {
    let Some(config) = config else { return };
    let ids: Vec<&str> = config.departments.iter().map(|d| d.id.as_str()).collect();
    for plan in &p.plans {
        if !plan.department.is_empty() && !ids.contains(&plan.department.as_str()) {
            let (ja, en) = suggestion(&plan.department, &ids);
            diags.error(
                locate(display, text, "department", Some(&plan.department)),
                format!(
                    "計画「{}」の department {} は部の id ではありません（{ja}）",
                    plan.title, plan.department
                ),
                format!(
                    "plan \"{}\": department {} is not a department id ({en})",
                    plan.title, plan.department
                ),
            );
        }
    }
}
