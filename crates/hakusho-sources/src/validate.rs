//! Cross-checks of the configuration and the YAML files (all problems, never the first only).

use hakusho_diagnostics::{quote, Diagnostics, Lang, Message};
use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::model::{ActionPlan, DepartmentFile, Plan, PlanSummaries};
use crate::text::closest;
use crate::yaml::{yaml_path, Seg, Source};

/// A value typed in a file, as the Japanese and the English message quote it (at most
/// [`hakusho_diagnostics::QUOTE_MAX_CHARS`] characters).
fn q(value: &str) -> Message {
    Message::new(quote(value, Lang::Ja), quote(value, Lang::En))
}

/// `a, b, c` lists in messages, shortened when long.
pub fn list(items: &[&str], sep: &str) -> String {
    if items.len() > 12 {
        format!("{}{sep}…（全 {} 件）", items[..12].join(sep), items.len())
    } else {
        items.join(sep)
    }
}

/// "…（もしかして 2-4-1）" / " (did you mean 2-4-1?)" or the list of expected values.
pub fn suggestion(found: &str, expected: &[&str]) -> Message {
    // a value far longer than any id is no typo of one (and not worth an edit distance)
    let near = if found.len() > 200 {
        None
    } else {
        closest(found, expected.iter().copied())
    };
    match near {
        Some(c) => Message::new(
            format!("もしかして {c} ではありませんか"),
            format!("did you mean {c}?"),
        ),
        None => Message::new(
            format!("使えるのは {}", list(expected, "、")),
            format!("expected one of {}", list(expected, ", ")),
        ),
    }
}

/// Whether a department id can name files (`departments/<id>.yaml`, `workbooks/<id>.xlsx`,
/// `build/booklet-<id>.pdf`): lower-case ASCII letters, digits, `-` and `_` only, so it can
/// neither climb out of its folder nor be absolute.
pub fn is_ascii_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

pub fn config(c: &Config, src: &Source, diags: &mut Diagnostics) {
    sections(c, src, diags);
    let mut seen = BTreeSet::new();
    for (i, d) in c.departments.iter().enumerate() {
        let loc = src.at(yaml_path!["departments", i, "id"]);
        if !is_ascii_id(&d.id) {
            diags.error(
                loc.clone(),
                format!("部の id「{}」には半角英小文字・数字・ハイフンだけを使ってください（ファイル名になります）。この部のファイルは読みません", quote(&d.id, Lang::Ja)),
                format!("department id \"{}\" must use lower-case ASCII letters, digits and hyphens only (it names files); this department's files are not read", quote(&d.id, Lang::En)),
            );
            continue;
        }
        if !seen.insert(d.id.as_str()) {
            diags.error(
                loc,
                format!("部の id {} が二度宣言されています", q(&d.id).ja),
                format!("department id {} is declared twice", q(&d.id).en),
            );
        }
    }
    let mut table_ids = BTreeSet::new();
    for (i, t) in c.tables.iter().enumerate() {
        let loc = src.at(yaml_path!["tables", i, "id"]);
        if !table_ids.insert(t.id.as_str()) {
            diags.error(
                loc.clone(),
                format!("表の id {} が二度宣言されています", q(&t.id).ja),
                format!("table id {} is declared twice", q(&t.id).en),
            );
        }
        let mut keys = BTreeSet::new();
        for (j, v) in t.values.iter().enumerate() {
            if !keys.insert(v.key.as_str()) {
                diags.error(
                    src.at(yaml_path!["tables", i, "values", j, "key"]),
                    format!(
                        "表 {} の値の列 key {} が二度あります",
                        q(&t.id).ja,
                        q(&v.key).ja
                    ),
                    format!(
                        "table {}: value column key {} appears twice",
                        q(&t.id).en,
                        q(&v.key).en
                    ),
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
    charts(c, src, diags);
    web_fonts(c, src, diags);
    let mut names = BTreeSet::new();
    for (i, d) in c.documents.iter().enumerate() {
        let loc = src.at(yaml_path!["documents", i, "name"]);
        // `{id}` and `{name}` are filled in per department (ids are checked above; a name with
        // a `/` is refused by the build after filling)
        let bare = d.name.replace("{id}", "id").replace("{name}", "name");
        if !is_safe_file_name(&bare) {
            diags.error(
                loc,
                format!(
                    "文書名「{}」は使えません。build/ の中のファイル名になるため、/ \\ .. : などを含めず、. で始めないでください",
                    quote(&d.name, Lang::Ja)
                ),
                format!(
                    "document name \"{}\" is not allowed: it names a file inside build/, so it must not contain / \\ .. : or similar, nor start with .",
                    quote(&d.name, Lang::En)
                ),
            );
            continue;
        }
        let pdfa: Vec<&str> = d
            .pdf
            .standards
            .iter()
            .filter(|s| s.is_pdfa())
            .map(|s| s.name())
            .collect();
        if pdfa.len() > 1 {
            diags.error(
                src.at(yaml_path!["documents", i, "pdf", "standards"]),
                format!(
                    "文書 {} の standards: に PDF/A の水準が {} 個あります（{}）。一つの PDF が名乗れる PDF/A の水準は一つだけです。a-2a、a-2b、a-2u のどれか一つにしてください",
                    d.name,
                    pdfa.len(),
                    pdfa.join("、")
                ),
                format!(
                    "document {} lists {} PDF/A levels in standards: ({}); a PDF declares one level only: keep one of a-2a, a-2b, a-2u",
                    d.name,
                    pdfa.len(),
                    pdfa.join(", ")
                ),
            );
        }
        let tagged = d.pdf.standards.contains(&crate::config::PdfStandard::Ua1);
        if d.pdf.standards.contains(&crate::config::PdfStandard::A2a) && !tagged {
            diags.error(
                src.at(yaml_path!["documents", i, "pdf", "standards"]),
                format!(
                    "文書 {} の standards: の a-2a には構造タグが必要です。ua-1 も書いてください（standards: [ua-1, a-2a]）。タグなしの PDF/A なら a-2b にしてください",
                    d.name
                ),
                format!(
                    "document {}: a-2a in standards: needs the structure tags: add ua-1 (standards: [ua-1, a-2a]), or use a-2b for an untagged PDF/A",
                    d.name
                ),
            );
        }
        if d.html.is_some() && c.html.is_none() {
            diags.error(
                src.at(yaml_path!["documents", i, "html"]),
                format!(
                    "文書 {} の html: （ウェブ版）には、ページに表示する文言が必要です。sources/hakusho.yaml の最上位に html: を書き、contents, skip_to_content, breadcrumbs, pager, previous, next, pdf, single_page を指定してください",
                    q(&d.name).ja
                ),
                format!(
                    "document {} asks for a web edition (html:) but sources/hakusho.yaml has no top-level html: with its labels (contents, skip_to_content, breadcrumbs, pager, previous, next, pdf, single_page)",
                    q(&d.name).en
                ),
            );
        }
        if !names.insert(d.name.as_str()) {
            diags.error(
                loc,
                format!("文書名 {} が二度宣言されています", q(&d.name).ja),
                format!("document name {} is declared twice", q(&d.name).en),
            );
        }
    }
}

/// `charts:`: each table it names exists, its kind is one a chart has, its target and skipped
/// columns are value columns of that table.
/// `html: fonts:`: a family name a stylesheet can quote, a CSS weight, a file inside the
/// project (the build reads it through the confined reader; this says it early and where).
fn web_fonts(c: &Config, src: &Source, diags: &mut Diagnostics) {
    let Some(html) = &c.html else { return };
    for (i, f) in html.fonts.iter().enumerate() {
        let family_ok = !f.family.is_empty()
            && f.family.len() <= 64
            && f.family
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, ' ' | '-' | '_'));
        if !family_ok {
            diags.error(
                src.at(yaml_path!["html", "fonts", i, "family"]),
                format!(
                    "ウェブフォントの書体名 {} は使えません。半角英数字・空白・- ・_ だけで 64 文字以内の名前にし、templates/web.css の font-family にも同じ名前を書いてください",
                    q(&f.family).ja
                ),
                format!(
                    "web font family {} is not allowed: use ASCII letters, digits, space, - and _ only (64 at most), and the same name in font-family in templates/web.css",
                    q(&f.family).en
                ),
            );
        }
        if !(1..=1000).contains(&f.weight) {
            diags.error(
                src.at(yaml_path!["html", "fonts", i, "weight"]),
                format!(
                    "ウェブフォントの太さ {} は範囲外です。1 から 1000 の数（標準 400、太字 700）を書いてください",
                    f.weight
                ),
                format!(
                    "web font weight {} is out of range: write a number from 1 to 1000 (400 normal, 700 bold)",
                    f.weight
                ),
            );
        }
        let path = std::path::Path::new(&f.file);
        let inside = !f.file.is_empty()
            && path
                .components()
                .all(|part| matches!(part, std::path::Component::Normal(_)));
        if !inside {
            diags.error(
                src.at(yaml_path!["html", "fonts", i, "file"]),
                format!(
                    "ウェブフォントのファイル {} はプロジェクトの中を指していません。fonts/BIZUDGothic-Regular.ttf のように、プロジェクトからの相対パスを .. なしで書いてください",
                    q(&f.file).ja
                ),
                format!(
                    "web font file {} does not point inside the project: write a path relative to the project without .., such as fonts/BIZUDGothic-Regular.ttf",
                    q(&f.file).en
                ),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (i, f) in html.fonts.iter().enumerate() {
        if !seen.insert((f.family.as_str(), f.weight)) {
            diags.error(
                src.at(yaml_path!["html", "fonts", i]),
                format!(
                    "ウェブフォント {}（太さ {}）が二度宣言されています。どちらか一方を消してください",
                    q(&f.family).ja,
                    f.weight
                ),
                format!(
                    "web font {} (weight {}) is declared twice: remove one",
                    q(&f.family).en,
                    f.weight
                ),
            );
        }
    }
}

fn charts(c: &Config, src: &Source, diags: &mut Diagnostics) {
    for (id, t) in &c.charts.tables {
        let Some(table) = c.tables.iter().find(|x| &x.id == id) else {
            let known: Vec<&str> = c.tables.iter().map(|t| t.id.as_str()).collect();
            diags.error(
                src.at(yaml_path!["charts", "tables", id.as_str()]),
                format!(
                    "charts: の表「{}」は tables: にありません（ある表: {}）",
                    quote(id, Lang::Ja),
                    list(&known, "、")
                ),
                format!(
                    "charts: table {} is not under tables: (tables: {})",
                    q(id).en,
                    list(&known, ", ")
                ),
            );
            continue;
        };
        if !matches!(t.kind.as_str(), "bar" | "line" | "progress") {
            diags.error(
                src.at(yaml_path!["charts", "tables", id.as_str(), "kind"]),
                format!(
                    "charts: の表「{}」の kind「{}」は使えません。bar（棒グラフ）、line（折れ線グラフ）、progress（目標への進み具合）のどれかにしてください",
                    quote(id, Lang::Ja),
                    quote(&t.kind, Lang::Ja)
                ),
                format!(
                    "charts: table {}: kind {} is not a chart kind; write bar, line or progress",
                    q(id).en,
                    q(&t.kind).en
                ),
            );
        }
        let keys: Vec<&str> = table.values.iter().map(|v| v.key.as_str()).collect();
        let named = t
            .target
            .iter()
            .map(|k| (k, "target"))
            .chain(t.skip.iter().map(|k| (k, "skip")));
        for (key, field) in named {
            if !keys.contains(&key.as_str()) {
                diags.error(
                    src.at(yaml_path!["charts", "tables", id.as_str(), field]),
                    format!(
                        "charts: の表「{}」の {field}「{}」は、その表の値の列の key ではありません（ある key: {}）",
                        quote(id, Lang::Ja),
                        quote(key, Lang::Ja),
                        list(&keys, "、")
                    ),
                    format!(
                        "charts: table {}: {field} {} is not a value column key of that table (keys: {})",
                        q(id).en,
                        q(key).en,
                        list(&keys, ", ")
                    ),
                );
            }
        }
    }
}

/// Whether `name` can name a file directly inside a folder: not empty, no path separators, no
/// `..`, not hidden, no control characters and none of the characters Windows refuses.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.chars().any(|c| {
            matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()
        })
}

/// Policy codes unique, departments declared, goal codes unique.
pub fn plan(p: &Plan, config: Option<&Config>, src: &Source, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    let dept_ids: Vec<&str> = config
        .map(|c| c.departments.iter().map(|d| d.id.as_str()).collect())
        .unwrap_or_default();
    let policies = p.parts.iter().enumerate().flat_map(|(i, part)| {
        part.policies
            .iter()
            .enumerate()
            .map(move |(j, policy)| (i, j, policy))
    });
    for (i, j, policy) in policies {
        let loc = policy.location.0.clone();
        if policy.code.trim().is_empty() {
            diags.error(loc.clone(), "施策の code が空です", "policy code is empty");
        } else if seen.insert(policy.code.as_str(), ()).is_some() {
            // the policies are visited in file order: this one is the repeat
            diags.error(
                loc.clone(),
                format!("施策の code {} が重複しています（ワークブックの行がどちらの施策か決められません）", q(&policy.code).ja),
                format!("policy code {} is used twice (workbook rows could not tell which policy they belong to)", q(&policy.code).en),
            );
        }
        if config.is_some() && !dept_ids.contains(&policy.department.as_str()) {
            let Message { ja, en } = suggestion(&policy.department, &dept_ids);
            diags.error(
                src.at(yaml_path!["parts", i, "policies", j, "department"]),
                format!(
                    "施策 {} の担当部 {} は sources/hakusho.yaml の departments にありません（{ja}）",
                    q(&policy.code).ja,
                    q(&policy.department).ja
                ),
                format!(
                    "policy {}: department {} is not declared in sources/hakusho.yaml departments ({en})",
                    q(&policy.code).en,
                    q(&policy.department).en
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
                    format!("総合戦略の目標の code {} が重複しています", q(&g.code).ja),
                    format!("strategy goal code {} is used twice", q(&g.code).en),
                );
            }
        }
    }
}

/// A department file's policies: codes exist and belong to the department.
pub fn department(
    id: Option<&str>,
    file: &DepartmentFile,
    plan: Option<&Plan>,
    src: &Source,
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
        let loc = src.at(yaml_path!["policies", code]);
        match plan
            .parts
            .iter()
            .flat_map(|p| &p.policies)
            .find(|p| &p.code == code)
        {
            None => {
                let Message { ja, en } = suggestion(code, &codes);
                diags.error(
                    loc,
                    format!(
                        "施策の code {} は plan.yaml にありません（{ja}）",
                        q(code).ja
                    ),
                    format!("policy code {} is not in plan.yaml ({en})", q(code).en),
                );
            }
            Some(p) => {
                if let Some(id) = id {
                    if p.department != id {
                        diags.warning(
                            loc,
                            format!("施策 {} の担当部は {} です（plan.yaml）。この部のファイルに書いた文章は {} の文章として使われます", q(code).ja, q(&p.department).ja, q(&p.department).ja),
                            format!("policy {} belongs to {} in plan.yaml; this text is used as that department's", q(code).en, q(&p.department).en),
                        );
                    }
                }
            }
        }
    }
}

pub fn action_plan(a: &ActionPlan, src: &Source, diags: &mut Diagnostics) {
    let numbers: Vec<&str> = a.systems.iter().map(|s| s.number.as_str()).collect();
    let mut ids = BTreeSet::new();
    let items = a.systems.iter().enumerate().flat_map(|(i, s)| {
        s.items
            .iter()
            .enumerate()
            .map(move |(j, item)| (i, j, item))
    });
    for (i, j, item) in items {
        if !ids.insert(item.id.as_str()) {
            diags.error(
                src.at(yaml_path!["systems", i, "items", j, "id"]),
                format!("取り組みの id {} が重複しています", q(&item.id).ja),
                format!("action plan item id {} is used twice", q(&item.id).en),
            );
        }
    }
    let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in a.principles.iter().enumerate() {
        for (j, s) in p.systems.iter().enumerate() {
            *listed.entry(s.as_str()).or_default() += 1;
            if !numbers.contains(&s.as_str()) {
                diags.error(
                    src.value_at(yaml_path!["principles", i, "systems", j]),
                    format!(
                        "「{}」の体系 {} は systems にありません",
                        q(&p.title).ja,
                        q(s).ja
                    ),
                    format!(
                        "\"{}\" lists system {}, which is not in systems",
                        q(&p.title).en,
                        q(s).en
                    ),
                );
            }
        }
    }
    if !a.principles.is_empty() {
        for (i, n) in numbers.iter().enumerate() {
            let times = listed.get(n).copied().unwrap_or(0);
            if times != 1 {
                diags.error(
                    src.at(yaml_path!["systems", i, "number"]),
                    format!("体系 {} は principles に {times} 回書かれています（ちょうど 1 回のはずです）", q(n).ja),
                    format!("system {} is listed {times} times under principles (exactly once expected)", q(n).en),
                );
            }
        }
    }
}

pub fn plan_summaries(
    p: &PlanSummaries,
    config: Option<&Config>,
    src: &Source,
    diags: &mut Diagnostics,
) {
    let Some(config) = config else { return };
    let ids: Vec<&str> = config.departments.iter().map(|d| d.id.as_str()).collect();
    for (i, plan) in p.plans.iter().enumerate() {
        if !plan.department.is_empty() && !ids.contains(&plan.department.as_str()) {
            let Message { ja, en } = suggestion(&plan.department, &ids);
            diags.error(
                src.at(yaml_path!["plans", i, "department"]),
                format!(
                    "計画「{}」の department {} は部の id ではありません（{ja}）",
                    q(&plan.title).ja,
                    q(&plan.department).ja
                ),
                format!(
                    "plan \"{}\": department {} is not a department id ({en})",
                    q(&plan.title).en,
                    q(&plan.department).en
                ),
            );
        }
    }
}

/// The declared sections of `sections: policy:` and `sections: department:`: names unique, a
/// `table` section names a table (grouped by policy for a policy's section) and only it has
/// `table:`.
pub fn sections(c: &Config, src: &Source, diags: &mut Diagnostics) {
    use crate::config::{RefersTo, SectionKind};
    let places = [
        ("policy", &c.sections.policy),
        ("department", &c.sections.department),
    ];
    for (place, declared) in places {
        let mut seen = BTreeSet::new();
        for (i, s) in declared.iter().enumerate() {
            let at = |key: &str| src.at(yaml_path!["sections", place, i, key]);
            if s.name.is_empty()
                || !s
                    .name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                diags.error(
                at("name"),
                format!("節の名前「{}」には半角英数字と _ だけを使ってください（テンプレートから text.名前 で使います）", q(&s.name).ja),
                format!("section name \"{}\" must use ASCII letters, digits and _ only (templates use it as text.name)", q(&s.name).en),
            );
            }
            if !seen.insert(s.name.as_str()) {
                diags.error(
                    at("name"),
                    format!("節の名前「{}」が二度宣言されています", q(&s.name).ja),
                    format!("section name \"{}\" is declared twice", q(&s.name).en),
                );
            }
            if s.kind == SectionKind::Table && matches!(place, "part" | "plan_policy") {
                diags.error(
                at("kind"),
                format!("kind: table の節は sections: policy: と sections: department: にだけ書けます（plan.yaml の {place} には表を置けません）"),
                format!("kind: table sections belong under sections: policy: and sections: department: only (plan.yaml's {place} holds no table)"),
            );
                continue;
            }
            match (s.kind, &s.table) {
            (SectionKind::Table, None) => diags.error(
                at("kind"),
                format!("節「{}」は kind: table です。読む表の id を table: に書いてください（tables: の id）", q(&s.name).ja),
                format!("section \"{}\" is kind: table; name the table to read with table: (an id of tables:)", q(&s.name).en),
            ),
            (SectionKind::Table, Some(id)) => {
                let ids: Vec<&str> = c.tables.iter().map(|t| t.id.as_str()).collect();
                match c.table(id) {
                    None => {
                        let Message { ja, en } = suggestion(id, &ids);
                        diags.error(
                            at("table"),
                            format!("表 {} は tables: にありません（{ja}）", q(id).ja),
                            format!("table {} is not in tables: ({en})", q(id).en),
                        );
                    }
                    Some(t) if place == "policy" && t.group.refers_to != RefersTo::Policy => diags.error(
                        at("table"),
                        format!("表 {} は施策ごとの表ではありません（group の refers_to が policy の表を指定してください）", q(id).ja),
                        format!("table {} is not grouped by policy (name a table whose group refers_to policy)", q(id).en),
                    ),
                    Some(_) => {}
                }
            }
            (kind, Some(_)) => diags.error(
                at("table"),
                format!("table: は kind: table の節にだけ書けます（この節は {}）", kind.name()),
                format!("table: belongs to kind: table sections only (this one is {})", kind.name()),
            ),
            (_, None) => {}
        }
        }
    }
}

/// A department file's policy sections checked against the declared ones (`sections:
/// policy:`); see [`section_texts`].
pub fn policy_sections(
    config: &Config,
    file: &DepartmentFile,
    src: &Source,
    diags: &mut Diagnostics,
) -> BTreeMap<String, crate::model::SectionTexts> {
    file.policies
        .iter()
        .map(|(code, written)| {
            let place = Place {
                declared: &config.sections.policy,
                key: "policy",
                owner: Message::new(
                    format!("施策 {} の", q(code).ja),
                    format!(" of policy {}", q(code).en),
                ),
                base: vec![Seg::from("policies"), Seg::from(code)],
            };
            (code.clone(), section_texts(&place, written, src, diags))
        })
        .collect()
}

/// A department file's own sections (under `sections:`) checked against `sections:
/// department:`; see [`section_texts`].
pub fn department_sections(
    config: &Config,
    file: &DepartmentFile,
    src: &Source,
    diags: &mut Diagnostics,
) -> crate::model::SectionTexts {
    let place = Place {
        declared: &config.sections.department,
        key: "department",
        owner: Message::new("部の", " of the department"),
        base: vec![Seg::from("sections")],
    };
    section_texts(&place, &file.sections, src, diags)
}

/// plan.yaml's declared fields of each part and each policy (`sections: part:`, `sections:
/// plan_policy:`), written under their `sections:`; see [`section_texts`]. A `table` section
/// is refused there (tables belong to a policy's or a department's sections).
pub fn plan_sections(config: &Config, plan: &mut Plan, src: &Source, diags: &mut Diagnostics) {
    for (i, part) in plan.parts.iter_mut().enumerate() {
        let place = Place {
            declared: &config.sections.part,
            key: "part",
            owner: Message::new(
                format!("{} の", q(&part.number).ja),
                format!(" of {}", q(&part.number).en),
            ),
            base: vec![Seg::from("parts"), Seg::from(i), Seg::from("sections")],
        };
        part.sections = section_texts(&place, &part.written_sections, src, diags);
        for (j, policy) in part.policies.iter_mut().enumerate() {
            let place = Place {
                declared: &config.sections.plan_policy,
                key: "plan_policy",
                owner: Message::new(
                    format!("施策 {} の", q(&policy.code).ja),
                    format!(" of policy {}", q(&policy.code).en),
                ),
                base: vec![
                    Seg::from("parts"),
                    Seg::from(i),
                    Seg::from("policies"),
                    Seg::from(j),
                    Seg::from("sections"),
                ],
            };
            policy.sections = section_texts(&place, &policy.written_sections, src, diags);
        }
    }
}

/// Where sections are written: their declarations, the declaration's key under `sections:`,
/// whose they are (for messages) and their path in the file.
struct Place<'a> {
    declared: &'a [crate::config::SectionDecl],
    key: &'static str,
    owner: Message,
    base: Vec<Seg>,
}

/// Sections as written, checked against their declarations: every key is a declared section
/// of a kind written in YAML, every value has its kind's shape, each problem at its own line.
/// Declared sections not written get their empty value; `table` sections are filled from the
/// workbooks by the loader. A number or a boolean keeps the text typed (`1.50` stays 1.50).
fn section_texts(
    place: &Place,
    written: &BTreeMap<String, serde_yaml::Value>,
    src: &Source,
    diags: &mut Diagnostics,
) -> crate::model::SectionTexts {
    use crate::config::SectionKind;
    use crate::model::{SectionTexts, SectionValue};
    use serde_yaml::Value as Y;
    let key_decl = place.key;
    let (owner_ja, owner_en) = (&place.owner.ja, &place.owner.en);
    let names: Vec<&str> = place.declared.iter().map(|s| s.name.as_str()).collect();
    let path = |rest: &[Seg]| -> Vec<Seg> { place.base.iter().chain(rest).cloned().collect() };
    let mut text = SectionTexts::default();
    for (key, value) in written {
        let at = src.at(&path(&[Seg::from(key)]));
        let Some(decl) = place.declared.iter().find(|s| &s.name == key) else {
            let (ja, en) = if names.is_empty() {
                (
                    format!(
                        "sources/hakusho.yaml の sections: {key_decl}: に節が宣言されていません"
                    ),
                    format!("sources/hakusho.yaml declares no section under sections: {key_decl}:"),
                )
            } else {
                let near = closest(key, names.iter().copied());
                (
                    format!(
                        "宣言されている節: {}{}",
                        list(&names, "、"),
                        near.map(|n| format!("。もしかして {n} ではありませんか"))
                            .unwrap_or_default()
                    ),
                    format!(
                        "declared sections: {}{}",
                        list(&names, ", "),
                        near.map(|n| format!("; did you mean {n}?"))
                            .unwrap_or_default()
                    ),
                )
            };
            diags.error(
                at,
                format!("{owner_ja}節「{}」は宣言されていません（{ja}）。書き間違いでなければ sources/hakusho.yaml の sections: {key_decl}: に宣言してください", q(key).ja),
                format!("section \"{}\"{owner_en} is not declared ({en}); if it is no typo, declare it under sections: {key_decl}: in sources/hakusho.yaml", q(key).en),
            );
            continue;
        };
        let scalar = |v: &Y, item: Option<usize>| match v {
            Y::String(s) => Some(s.clone()),
            Y::Number(_) | Y::Bool(_) => {
                let mut at = vec![Seg::from(key)];
                at.extend(item.map(Seg::from));
                Some(src.plain_scalar_at(&path(&at)).unwrap_or_else(|| match v {
                    Y::Number(n) => n.to_string(),
                    _ => v.as_bool().unwrap_or_default().to_string(),
                }))
            }
            Y::Null => Some(String::new()),
            _ => None,
        };
        let converted = match decl.kind {
            SectionKind::Paragraphs => scalar(value, None).map(SectionValue::Text),
            SectionKind::List | SectionKind::Footnotes => match value {
                Y::Sequence(items) => items
                    .iter()
                    .enumerate()
                    .map(|(j, v)| scalar(v, Some(j)))
                    .collect::<Option<Vec<_>>>()
                    .map(SectionValue::Items),
                v => scalar(v, None)
                    .map(|s| SectionValue::Items(if s.is_empty() { vec![] } else { vec![s] })),
            },
            SectionKind::Table => {
                let table = decl.table.as_deref().unwrap_or("");
                diags.error(
                    at,
                    format!("節「{}」は表 {} の行をワークブックから読みます。YAML には書けません", q(key).ja, q(table).ja),
                    format!("section \"{}\" is read from the workbooks (table {}); it cannot be written in YAML", q(key).en, q(table).en),
                );
                continue;
            }
        };
        match converted {
            Some(v) => {
                text.0.insert(key.clone(), v);
            }
            None => {
                let (ja, en) = match decl.kind {
                    SectionKind::Paragraphs => ("文章（文字列）", "text (a string)"),
                    _ => ("項目の一覧（文字列のリスト）", "a list of strings"),
                };
                diags.error(
                    src.value_at(&path(&[Seg::from(key)])),
                    format!(
                        "{owner_ja}節「{}」（{}）には{ja}を書いてください",
                        q(key).ja,
                        decl.kind.name()
                    ),
                    format!(
                        "section \"{}\"{owner_en} ({}) takes {en}",
                        q(key).en,
                        decl.kind.name()
                    ),
                );
            }
        }
    }
    for (name, empty) in declared_defaults(place.declared).0 {
        text.0.entry(name).or_insert(empty);
    }
    text
}

/// Every declared section with its empty value (what a template sees when nothing is written).
pub fn declared_defaults(declared: &[crate::config::SectionDecl]) -> crate::model::SectionTexts {
    use crate::config::SectionKind;
    use crate::model::{SectionTexts, SectionValue};
    let mut text = SectionTexts::default();
    for decl in declared {
        let empty = match decl.kind {
            SectionKind::Paragraphs => SectionValue::Text(String::new()),
            SectionKind::List | SectionKind::Footnotes => SectionValue::Items(Vec::new()),
            SectionKind::Table => SectionValue::Rows(Vec::new()),
        };
        text.0.insert(decl.name.clone(), empty);
    }
    text
}
