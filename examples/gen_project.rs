//! Generates a large, realistic hakusho project for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_project -- --departments 30 --policies 150 --indicators 2 --out /tmp/p150
//! cargo run --release -- -C /tmp/p150 build
//! ```
//!
//! The project is derived from the bundled sample at generation time (`sources/` and
//! `tools/sample-data/*.tsv` of this repository, or of `--sample DIR`), so it follows the sample's
//! configuration format as it evolves:
//!
//! - `hakusho.yaml`: the sample's file with its `departments:` list replaced (tables, documents and
//!   every other key are copied as they are);
//! - `plan.yaml`: the sample's title and 総合戦略; `--policies` policies spread over the sample's
//!   parts (more parts for big plans), titles and divisions taken from the sample's policies;
//! - `departments/<id>.yaml`: one per department, shaped like the sample's; narrative (progress
//!   paragraphs, mission, main projects) is re-drawn sentence by sentence from the sample's own
//!   Japanese prose, keeping each paragraph's sentence count and every list line's structure;
//! - `action_plan.yaml`, `plan_summaries.yaml`: the sample's files with their items/plans repeated
//!   to scale (ids renumbered, narrative re-drawn, departments reassigned);
//! - `white_paper.yaml`, `booklet.yaml` and any other top-level YAML: copied;
//! - `workbooks/<id>.xlsx`: sheet 目標指標 with about `--indicators` rows per policy, rows taken from
//!   the sample's transcription (`indicators.tsv`: numbers with Excel number formats such as
//!   `#,##0"人"` and `0.0%`, annotated text values such as `326事業所 (平成21年)`); the first
//!   department's workbook also gets the other sheets of the transcription (総合戦略).
//! - `templates/` and `fonts/`: copies of the repository's (hakusho refuses fonts and templates
//!   reached through a link that leads outside the project, so links would not build).
//!
//! The output is deterministic for a given sample, seed and options. Sizes: the white paper has
//! roughly two pages per policy when `--action-items` keeps its default (scaled with the policies).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};
use serde_yaml::{Mapping, Value};

/// Marker file written into generated projects; the generator only replaces a `sources/` that has it.
const MARKER: &str = ".hakusho-gen-project";

#[derive(Parser, Debug)]
#[command(about = "Generate a large hakusho project from the bundled sample (benchmarks)")]
struct Args {
    /// Number of departments (each gets a workbook and a booklet).
    #[arg(long, default_value_t = 10)]
    departments: usize,
    /// Number of policies (施策) in plan.yaml; each is one section of the white paper's Chapter 1.
    #[arg(long, default_value_t = 34)]
    policies: usize,
    /// Indicators (目標指標 rows) per policy, on average.
    #[arg(long, default_value_t = 2)]
    indicators: usize,
    /// Items of the action plan (Chapter 2); default: the sample's count scaled by policies/34.
    #[arg(long)]
    action_items: Option<usize>,
    /// Individual plans in plan_summaries.yaml; default: the sample's count scaled by departments/10.
    #[arg(long)]
    plans: Option<usize>,
    /// Extra indicator rows for the first policy (one table this long: the scale benchmark).
    #[arg(long, default_value_t = 0)]
    big_table: usize,
    /// Seed of the deterministic random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output project directory (gets sources/, templates/, fonts/).
    #[arg(long)]
    out: PathBuf,
    /// Repository whose sources/, tools/sample-data/, templates/ and fonts/ are the material.
    #[arg(long)]
    sample: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.departments == 0 {
        bail!("--departments must be at least 1");
    }
    let repo = args
        .sample
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let sample = Sample::read(&repo)?;
    let mut rng = Rng::new(args.seed);

    let sources = args.out.join("sources");
    if sources.exists() {
        if !args.out.join(MARKER).exists() {
            bail!(
                "{} exists and was not made by gen_project; not overwriting it",
                sources.display()
            );
        }
        std::fs::remove_dir_all(&sources)?;
    }
    std::fs::create_dir_all(sources.join("departments"))?;
    std::fs::create_dir_all(sources.join("workbooks"))?;
    std::fs::write(args.out.join(MARKER), format!("{args:?}\n"))?;

    let departments = make_departments(&sample, args.departments);
    let policies = make_policies(&sample, &departments, args.policies);

    // hakusho.yaml: the sample's, with the departments replaced.
    let mut config = sample.config.clone();
    let list: Vec<Value> = departments
        .iter()
        .map(|d| {
            let mut m = Mapping::new();
            m.insert("id".into(), d.id.clone().into());
            m.insert("name".into(), d.name.clone().into());
            Value::Mapping(m)
        })
        .collect();
    config["departments"] = Value::Sequence(list);
    write_yaml(&sources.join("hakusho.yaml"), &config)?;

    let mut plan = plan_yaml(&sample, &policies);
    fill_plan_departments(&mut plan, &policies, &departments);
    write_yaml(&sources.join("plan.yaml"), &plan)?;

    for (i, dept) in departments.iter().enumerate() {
        let doc = department_yaml(&sample, dept, i, &policies, &mut rng);
        write_yaml(
            &sources
                .join("departments")
                .join(format!("{}.yaml", dept.id)),
            &doc,
        )?;
    }

    let action_items = args
        .action_items
        .unwrap_or_else(|| scale(sample.action_item_count(), args.policies, 34));
    let action = action_plan_yaml(&sample, &departments, action_items, &mut rng);
    write_yaml(&sources.join("action_plan.yaml"), &action)?;

    let plans = args
        .plans
        .unwrap_or_else(|| scale(sample.plan_count(), args.departments, 10));
    if let Some(summaries) = plan_summaries_yaml(&sample, &departments, plans, &mut rng) {
        write_yaml(&sources.join("plan_summaries.yaml"), &summaries)?;
    }

    // Every other top-level YAML file of the sample (white_paper.yaml, booklet.yaml, ...): copied.
    for (name, text) in &sample.other_files {
        std::fs::write(sources.join(name), text)?;
    }

    let rows = write_workbooks(
        &sample,
        &departments,
        &policies,
        args.indicators,
        args.big_table,
        &sources,
        &mut rng,
    )?;

    for asset in ["templates", "fonts"] {
        replace_with_copy(&repo.join(asset), &args.out.join(asset))?;
    }

    let sentences: usize = sample.sentences.len();
    let policy_count: usize = policies.iter().map(|p| p.policies.len()).sum();
    println!(
        "{}: {} departments, {} policies, {} indicator rows, {} action items, {} plans \
         (material: {} sentences of the sample)",
        args.out.display(),
        departments.len(),
        policy_count,
        rows,
        action_items,
        plans,
        sentences
    );
    Ok(())
}

fn scale(count: usize, n: usize, of: usize) -> usize {
    ((count * n) as f64 / of as f64).round().max(1.0) as usize
}

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers (SplitMix64): no dependency, stable across versions.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// The sample.

struct SampleDept {
    id: String,
    name: String,
    doc: Value,
}

struct SamplePolicy {
    title: String,
    division: String,
    group: Option<String>,
    notes: Vec<Value>,
    progress: Option<String>,
}

struct Sheet {
    name: String,
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

struct Sample {
    config: Value,
    plan: Value,
    departments: Vec<SampleDept>,
    policies: Vec<SamplePolicy>,
    part_titles: Vec<String>,
    action_plan: Option<Value>,
    plan_summaries: Option<Value>,
    other_files: Vec<(String, String)>,
    /// Sentences (ending in 。) of the sample's narrative paragraphs.
    sentences: Vec<String>,
    /// Progress texts of the sample's policies (the shape of generated progress).
    progress_texts: Vec<String>,
    indicators: Sheet,
    other_sheets: Vec<Sheet>,
}

impl Sample {
    fn read(repo: &Path) -> Result<Sample> {
        let src = repo.join("sources");
        let config = read_yaml(&src.join("hakusho.yaml"))?;
        let plan = read_yaml(&src.join("plan.yaml"))?;

        let mut departments = Vec::new();
        for d in config["departments"]
            .as_sequence()
            .ok_or_else(|| anyhow!("sources/hakusho.yaml: no departments list"))?
        {
            let id = d["id"]
                .as_str()
                .ok_or_else(|| anyhow!("department without id"))?
                .to_string();
            let name = d["name"].as_str().unwrap_or(&id).to_string();
            let path = src.join("departments").join(format!("{id}.yaml"));
            let doc = if path.exists() {
                read_yaml(&path)?
            } else {
                Value::Mapping(Mapping::new())
            };
            departments.push(SampleDept { id, name, doc });
        }
        if departments.is_empty() {
            bail!("sources/hakusho.yaml lists no departments");
        }

        let mut policies = Vec::new();
        let mut part_titles = Vec::new();
        for part in plan["parts"].as_sequence().into_iter().flatten() {
            part_titles.push(part["title"].as_str().unwrap_or("").to_string());
            for p in part["policies"].as_sequence().into_iter().flatten() {
                let code = yaml_str(&p["code"]);
                let dept = p["department"].as_str().unwrap_or("");
                let narrative = departments
                    .iter()
                    .find(|d| d.id == dept)
                    .map(|d| d.doc["policies"][code.as_str()].clone())
                    .unwrap_or(Value::Null);
                policies.push(SamplePolicy {
                    title: p["title"].as_str().unwrap_or("").to_string(),
                    division: p["division"].as_str().unwrap_or("").to_string(),
                    group: p["group"].as_str().map(str::to_string),
                    notes: narrative["notes"]
                        .as_sequence()
                        .cloned()
                        .unwrap_or_default(),
                    progress: narrative["progress"].as_str().map(str::to_string),
                });
            }
        }
        if policies.is_empty() {
            bail!("sources/plan.yaml has no policies");
        }

        let optional = |name: &str| -> Result<Option<Value>> {
            let path = src.join(name);
            if path.exists() {
                read_yaml(&path).map(Some)
            } else {
                Ok(None)
            }
        };
        let action_plan = optional("action_plan.yaml")?;
        let plan_summaries = optional("plan_summaries.yaml")?;

        let generated = [
            "hakusho.yaml",
            "plan.yaml",
            "action_plan.yaml",
            "plan_summaries.yaml",
        ];
        let mut other_files = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(&src)?.collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file()
                && (name.ends_with(".yaml") || name.ends_with(".yml"))
                && !generated.contains(&name.as_str())
            {
                other_files.push((name, std::fs::read_to_string(entry.path())?));
            }
        }

        // Narrative material: every long string of the sample's YAML.
        let mut texts = Vec::new();
        for d in &departments {
            collect_strings(&d.doc, &mut texts);
        }
        collect_strings(&plan, &mut texts);
        for v in action_plan.iter().chain(plan_summaries.iter()) {
            collect_strings(v, &mut texts);
        }
        let mut sentences = Vec::new();
        for text in &texts {
            for line in text.lines() {
                if line.trim().is_empty() || is_list_line(line) || is_subheading(line) {
                    continue;
                }
                for s in split_sentences(line) {
                    if stands_alone(&s) {
                        sentences.push(s);
                    }
                }
            }
        }
        sentences.sort();
        sentences.dedup();
        if sentences.is_empty() {
            bail!("the sample has no narrative sentences");
        }
        let progress_texts: Vec<String> =
            policies.iter().filter_map(|p| p.progress.clone()).collect();

        let data = repo.join("tools/sample-data");
        let indicators = read_tsv(&data.join("indicators.tsv"))?;
        let mut other_sheets = Vec::new();
        if data.exists() {
            let mut names: Vec<_> = std::fs::read_dir(&data)?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "tsv")
                        && p.file_name().is_some_and(|n| n != "indicators.tsv")
                })
                .collect();
            names.sort();
            for path in names {
                other_sheets.push(read_tsv(&path)?);
            }
        }

        Ok(Sample {
            config,
            plan,
            departments,
            policies,
            part_titles,
            action_plan,
            plan_summaries,
            other_files,
            sentences,
            progress_texts,
            indicators,
            other_sheets,
        })
    }

    fn action_item_count(&self) -> usize {
        self.action_plan
            .as_ref()
            .and_then(|a| a["systems"].as_sequence())
            .map(|s| {
                s.iter()
                    .map(|sys| sys["items"].as_sequence().map_or(0, |i| i.len()))
                    .sum()
            })
            .unwrap_or(0)
    }

    fn plan_count(&self) -> usize {
        self.plan_summaries
            .as_ref()
            .and_then(|p| p["plans"].as_sequence())
            .map_or(0, |p| p.len())
    }

    /// A sentence of the sample, or (half of the time) the opening clause of one joined to the
    /// rest of another at their first 、, so that a large project does not repeat the sample's
    /// ~600 sentences verbatim (real documents rarely repeat a sentence; repeated openings would
    /// flatter caches and skew anything that searches text).
    fn sentence(&self, rng: &mut Rng) -> String {
        let a = rng.pick(&self.sentences);
        if rng.chance(50) {
            let b = rng.pick(&self.sentences);
            if let (Some(i), Some(j)) = (a.find('、'), b.find('、')) {
                let (head, tail) = (&a[..i], &b[j..]);
                if balanced(head) && balanced(tail) {
                    return format!("{head}{tail}");
                }
            }
        }
        a.clone()
    }

    /// A paragraph of `n` sentences drawn from the sample.
    fn paragraph(&self, n: usize, rng: &mut Rng) -> String {
        (0..n.max(1))
            .map(|_| self.sentence(rng))
            .collect::<Vec<_>>()
            .concat()
    }

    /// `text` with each plain paragraph line replaced by as many sentences drawn from the sample;
    /// blank lines, list lines (①, ・, ◎, ○, `- `) and 【…】 sub-headings are kept.
    fn redraw(&self, text: &str, rng: &mut Rng) -> String {
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            let (body, nl) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            if body.trim().is_empty() || is_list_line(body) || is_subheading(body) {
                out.push_str(line);
            } else {
                let n = split_sentences(body).len();
                out.push_str(&self.paragraph(n, rng));
                out.push_str(nl);
            }
        }
        out
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.chars().count() >= 30 => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Mapping(m) => m.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// Whether brackets open and close within `s` (so a spliced sentence keeps them paired).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '（' | '(' | '「' | '『' | '【' => depth += 1,
            '）' | ')' | '」' | '』' | '】' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

fn is_list_line(line: &str) -> bool {
    let first = line.chars().next().unwrap_or(' ');
    ('①'..='⑳').contains(&first)
        || matches!(first, '・' | '◎' | '○' | '●')
        || line.starts_with("- ")
}

fn is_subheading(line: &str) -> bool {
    line.starts_with('【') && line.ends_with('】')
}

/// Splits after each 。 outside brackets (a closing bracket right after it stays with the sentence).
fn split_sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        match c {
            '（' | '(' | '「' | '『' => depth += 1,
            '）' | ')' | '」' | '』' => depth = depth.saturating_sub(1),
            '。' if depth == 0 => {
                while let Some(&n) = chars.peek() {
                    if matches!(n, '」' | '）' | ')' | '』') {
                        cur.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(std::mem::take(&mut cur));
            }
            _ => {}
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// A sentence that reads on its own: not a note line, not starting with a particle or bracket.
fn stands_alone(s: &str) -> bool {
    let first = s.chars().next().unwrap_or('、');
    let note = s.starts_with("(注") || s.starts_with("（注") || s.starts_with('※');
    !(note || "はがをにのとでも、。）)」』".contains(first))
        && s.chars().count() >= 12
        && s.ends_with('。')
}

fn yaml_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn read_yaml(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn write_yaml(path: &Path, value: &Value) -> Result<()> {
    let text = serde_yaml::to_string(value)?;
    let header = "# Generated by `cargo run --example gen_project` (benchmark data; not real).\n";
    std::fs::write(path, format!("{header}{text}"))
        .with_context(|| format!("writing {}", path.display()))
}

fn replace_with_copy(from: &Path, to: &Path) -> Result<()> {
    if to.symlink_metadata().is_ok() {
        if to.symlink_metadata()?.file_type().is_symlink() || to.is_file() {
            std::fs::remove_file(to)?;
        } else {
            std::fs::remove_dir_all(to)?;
        }
    }
    if !from.exists() {
        eprintln!(
            "warning: {} does not exist (yet); not copied",
            from.display()
        );
        return Ok(());
    }
    copy_dir(&from.canonicalize()?, to)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Departments and policies.

struct Dept {
    id: String,
    name: String,
    /// Index of the sample department it is modelled on.
    base: usize,
}

fn make_departments(sample: &Sample, n: usize) -> Vec<Dept> {
    let s = sample.departments.len();
    (0..n)
        .map(|i| {
            let base = i % s;
            let round = i / s;
            let d = &sample.departments[base];
            if round == 0 {
                Dept {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    base,
                }
            } else {
                let number = round + 1;
                let name = match d.name.strip_suffix('部') {
                    Some(stem) => format!("{stem}第{number}部"),
                    None => format!("{}第{number}", d.name),
                };
                Dept {
                    id: format!("{}-{number}", d.id),
                    name,
                    base,
                }
            }
        })
        .collect()
}

struct Policy {
    code: String,
    number: String,
    group: Option<String>,
    title: String,
    /// Index into the generated departments.
    dept: usize,
    division: String,
    /// Index of the sample policy it is modelled on.
    base: usize,
}

struct Part {
    number: String,
    title: String,
    policies: Vec<Policy>,
}

fn make_policies(sample: &Sample, departments: &[Dept], m: usize) -> Vec<Part> {
    // As many parts as the sample for sample-sized plans; about 12 policies a part for big ones.
    let parts_n = sample
        .part_titles
        .len()
        .max(1)
        .max(m.div_ceil(12))
        .min(m.max(1));
    let mut parts: Vec<Part> = (0..parts_n)
        .map(|i| {
            let title = &sample.part_titles[i % sample.part_titles.len().max(1)];
            let round = i / sample.part_titles.len().max(1);
            Part {
                number: format!("第{}部", i + 1),
                title: if round == 0 {
                    title.clone()
                } else {
                    format!("{title}（その{}）", round + 1)
                },
                policies: Vec::new(),
            }
        })
        .collect();
    let n_dept = departments.len();
    let s = sample.policies.len();
    for i in 0..m {
        let part = i * parts_n / m;
        let base = i % s;
        let sp = &sample.policies[base];
        let round = i / s;
        let title = if round == 0 {
            sp.title.clone()
        } else {
            format!("{}（その{}）", sp.title, round + 1)
        };
        let dept = i * n_dept / m;
        parts[part].policies.push(Policy {
            code: String::new(),
            number: String::new(),
            group: sp.group.clone(),
            title,
            dept,
            division: sp.division.clone(),
            base,
        });
    }
    // Codes and number labels: consecutive policies with the same group share a number (第4-1, 第4-2).
    for (pi, part) in parts.iter_mut().enumerate() {
        let mut n = 0;
        let mut sub = 0;
        let mut prev_group: Option<String> = None;
        for p in &mut part.policies {
            match &p.group {
                Some(g) if prev_group.as_ref() == Some(g) => sub += 1,
                Some(_) => {
                    n += 1;
                    sub = 1;
                }
                None => {
                    n += 1;
                    sub = 0;
                }
            }
            prev_group = p.group.clone();
            if sub > 0 {
                p.code = format!("{}-{n}-{sub}", pi + 1);
                p.number = format!("第{n}-{sub}");
                // The group label carries the parent's number, as in the sample (第4 商業環境の整備).
                if let Some(g) = &p.group {
                    let label = g.split_once(' ').map_or(g.as_str(), |(_, t)| t);
                    p.group = Some(format!("第{n} {label}"));
                }
            } else {
                p.code = format!("{}-{n}", pi + 1);
                p.number = format!("第{n}");
            }
        }
    }
    parts
}

fn plan_yaml(sample: &Sample, parts: &[Part]) -> Value {
    let mut plan = sample.plan.clone();
    let list: Vec<Value> = parts
        .iter()
        .map(|part| {
            let mut m = Mapping::new();
            m.insert("number".into(), part.number.clone().into());
            m.insert("title".into(), part.title.clone().into());
            let policies: Vec<Value> = part
                .policies
                .iter()
                .map(|p| {
                    let mut pm = Mapping::new();
                    pm.insert("code".into(), p.code.clone().into());
                    pm.insert("number".into(), p.number.clone().into());
                    if let Some(g) = &p.group {
                        pm.insert("group".into(), g.clone().into());
                    }
                    pm.insert("title".into(), p.title.clone().into());
                    pm.insert("department".into(), Value::Null); // fill_plan_departments
                    pm.insert("division".into(), p.division.clone().into());
                    Value::Mapping(pm)
                })
                .collect();
            m.insert("policies".into(), Value::Sequence(policies));
            Value::Mapping(m)
        })
        .collect();
    plan["parts"] = Value::Sequence(list);
    plan
}

fn fill_plan_departments(plan: &mut Value, parts: &[Part], departments: &[Dept]) {
    let Some(list) = plan["parts"].as_sequence_mut() else {
        return;
    };
    for (pv, part) in list.iter_mut().zip(parts) {
        let Some(pl) = pv["policies"].as_sequence_mut() else {
            continue;
        };
        for (v, p) in pl.iter_mut().zip(&part.policies) {
            v["department"] = departments[p.dept].id.clone().into();
        }
    }
}

fn department_yaml(
    sample: &Sample,
    dept: &Dept,
    index: usize,
    parts: &[Part],
    rng: &mut Rng,
) -> Value {
    let base = &sample.departments[dept.base].doc;
    let mut doc = match base {
        Value::Mapping(_) => base.clone(),
        _ => Value::Mapping(Mapping::new()),
    };
    doc["name"] = dept.name.clone().into();
    // The booklet text: the sample gives only main projects; fill mission and resources too so a
    // booklet has a realistic amount of text.
    let mission = format!(
        "{}\n\n{}\n",
        sample.paragraph(3, rng),
        sample.paragraph(2, rng)
    );
    doc["mission"] = mission.into();
    let mut resources = Mapping::new();
    let staff = 40 + rng.below(400);
    resources.insert(
        "staff".into(),
        format!(
            "正規職員 {staff}人、再任用職員 {}人、会計年度任用職員 {}人",
            staff / 10,
            staff / 3
        )
        .into(),
    );
    resources.insert(
        "budget".into(),
        format!(
            "一般会計 {}百万円（前年度比 {}.{}%）",
            group_digits(1000 + rng.below(40000)),
            rng.below(9),
            rng.below(10)
        )
        .into(),
    );
    doc["resources"] = Value::Mapping(resources);
    let count = 3 + rng.below(4);
    let projects: Vec<Value> = (0..count)
        .map(|_| {
            let mut m = Mapping::new();
            m.insert(
                "text".into(),
                sample.paragraph(1 + rng.below(2), rng).into(),
            );
            if rng.chance(30) {
                m.insert(
                    "contact".into(),
                    format!("企画経営課☎内線{}", 2100 + rng.below(800)).into(),
                );
            }
            Value::Mapping(m)
        })
        .collect();
    doc["main_projects"] = Value::Sequence(projects);

    let mut policies = Mapping::new();
    for p in parts
        .iter()
        .flat_map(|p| &p.policies)
        .filter(|p| p.dept == index)
    {
        let sp = &sample.policies[p.base];
        let mut m = Mapping::new();
        m.insert("notes".into(), Value::Sequence(sp.notes.clone()));
        let shape = match &sp.progress {
            Some(t) if !t.trim().is_empty() => t.clone(),
            _ => rng.pick(&sample.progress_texts).clone(),
        };
        m.insert("progress".into(), sample.redraw(&shape, rng).into());
        policies.insert(p.code.clone().into(), Value::Mapping(m));
    }
    doc["policies"] = Value::Mapping(policies);
    doc
}

fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn action_plan_yaml(sample: &Sample, departments: &[Dept], total: usize, rng: &mut Rng) -> Value {
    let Some(base) = &sample.action_plan else {
        return Value::Mapping(Mapping::new());
    };
    let mut doc = base.clone();
    let Some(systems) = doc["systems"].as_sequence_mut() else {
        return doc;
    };
    let counts: Vec<usize> = systems
        .iter()
        .map(|s| s["items"].as_sequence().map_or(0, |i| i.len()))
        .collect();
    let sample_total: usize = counts.iter().sum::<usize>().max(1);
    let mut assigned = 0;
    let n_sys = systems.len();
    for (si, sys) in systems.iter_mut().enumerate() {
        let want = if si + 1 == n_sys {
            total.saturating_sub(assigned)
        } else {
            (counts[si] * total + sample_total / 2) / sample_total
        };
        assigned += want;
        let number = yaml_str(&sys["number"]);
        let originals = sys["items"].as_sequence().cloned().unwrap_or_default();
        if originals.is_empty() {
            continue;
        }
        let items: Vec<Value> = (0..want)
            .map(|k| {
                let mut item = originals[k % originals.len()].clone();
                let round = k / originals.len();
                item["id"] = format!("{number}-({})", k + 1).into();
                if round > 0 {
                    let title = item["title"].as_str().unwrap_or("").to_string();
                    item["title"] = format!("{title}（その{}）", round + 1).into();
                }
                let whole = item["departments"]
                    .as_sequence()
                    .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("全庁")));
                if !whole {
                    let n = 1 + usize::from(rng.chance(15));
                    let names: Vec<Value> = (0..n)
                        .map(|_| rng.pick(departments).name.clone().into())
                        .collect();
                    item["departments"] = Value::Sequence(names);
                }
                for key in ["summary", "status"] {
                    if let Some(text) = item[key].as_str() {
                        item[key] = sample.redraw(text, rng).into();
                    }
                }
                item
            })
            .collect();
        sys["items"] = Value::Sequence(items);
    }
    doc
}

fn plan_summaries_yaml(
    sample: &Sample,
    departments: &[Dept],
    total: usize,
    rng: &mut Rng,
) -> Option<Value> {
    let base = sample.plan_summaries.as_ref()?;
    let mut doc = base.clone();
    let originals = doc["plans"].as_sequence().cloned().unwrap_or_default();
    if originals.is_empty() {
        return Some(doc);
    }
    let plans: Vec<Value> = (0..total)
        .map(|k| {
            let mut plan = originals[k % originals.len()].clone();
            let round = k / originals.len();
            if round > 0 {
                let title = plan["title"].as_str().unwrap_or("").to_string();
                plan["title"] = format!("{title}（その{}）", round + 1).into();
                plan["department"] = departments[k % departments.len()].id.clone().into();
            }
            if let Some(text) = plan["purpose"].as_str() {
                plan["purpose"] = sample.redraw(text, rng).into();
            }
            plan
        })
        .collect();
    doc["plans"] = Value::Sequence(plans);
    Some(doc)
}

// ---------------------------------------------------------------------------------------------
// Workbooks.

fn read_tsv(path: &Path) -> Result<Sheet> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut sheet = Sheet {
        name: String::new(),
        title: String::new(),
        columns: Vec::new(),
        rows: Vec::new(),
    };
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[0] {
            "@sheet" => sheet.name = fields.get(1).unwrap_or(&"").to_string(),
            "@title" => sheet.title = fields.get(1).unwrap_or(&"").to_string(),
            "@columns" => {
                sheet.columns = fields[1..].iter().map(|c| c.replace("\\n", "\n")).collect()
            }
            d if d.starts_with('@') => {}
            _ => {
                let mut cells: Vec<String> = fields[1..].iter().map(|s| s.to_string()).collect();
                cells.resize(sheet.columns.len(), String::new());
                sheet.rows.push(cells);
            }
        }
    }
    if sheet.name.is_empty() || sheet.columns.is_empty() || sheet.rows.is_empty() {
        bail!("{}: needs @sheet, @columns and rows", path.display());
    }
    Ok(sheet)
}

enum Cell {
    Empty,
    Text(String),
    Number { value: f64, format: String },
}

/// A transcription field: `printed = number @ format` (a number cell) or text typed as printed.
fn parse_cell(field: &str) -> Cell {
    if field.is_empty() {
        return Cell::Empty;
    }
    if let Some((_, typed)) = field.split_once(" = ") {
        if let Some((number, format)) = typed.split_once(" @ ") {
            if let Ok(value) = number.trim().parse::<f64>() {
                return Cell::Number {
                    value,
                    format: format.to_string(),
                };
            }
        }
    }
    Cell::Text(field.to_string())
}

fn write_workbooks(
    sample: &Sample,
    departments: &[Dept],
    parts: &[Part],
    per_policy: usize,
    big_table: usize,
    sources: &Path,
    rng: &mut Rng,
) -> Result<usize> {
    let ind = &sample.indicators;
    let col = |name: &str| ind.columns.iter().position(|c| c == name);
    let (code_col, title_col) = (col("施策コード"), col("施策名"));
    let name_col = col("指標名");

    let mut by_dept: BTreeMap<usize, Vec<Vec<String>>> = BTreeMap::new();
    let mut total = 0;
    for p in parts.iter().flat_map(|p| &p.policies) {
        // About `per_policy` rows: per_policy-1 ..= per_policy+1, mean per_policy.
        let n = if per_policy >= 2 {
            per_policy - 1 + rng.below(3)
        } else {
            per_policy
        };
        // Distinct rows within a policy: an indicator name appears once per policy.
        let name_of = |k: usize| name_col.map_or(String::new(), |c| ind.rows[k][c].clone());
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..n.min(ind.rows.len()) {
            let mut k = rng.below(ind.rows.len());
            let mut tries = 0;
            while tries < ind.rows.len() && picked.iter().any(|&q| name_of(q) == name_of(k)) {
                k = (k + 1) % ind.rows.len();
                tries += 1;
            }
            picked.push(k);
            let mut row = ind.rows[k].clone();
            if let Some(c) = code_col {
                row[c] = p.code.clone();
            }
            if let Some(c) = title_col {
                row[c] = p.title.clone();
            }
            by_dept.entry(p.dept).or_default().push(row);
            total += 1;
        }
    }
    // One very long table (--big-table): the sample's rows again and again under the first
    // policy, each name numbered so that names stay distinct.
    if let Some(p) = parts.iter().flat_map(|p| &p.policies).next() {
        for i in 0..big_table {
            let mut row = ind.rows[i % ind.rows.len()].clone();
            if let Some(c) = code_col {
                row[c] = p.code.clone();
            }
            if let Some(c) = title_col {
                row[c] = p.title.clone();
            }
            if let Some(c) = name_col {
                row[c] = format!("{}（{}）", row[c], i + 1);
            }
            by_dept.entry(p.dept).or_default().push(row);
            total += 1;
        }
    }

    let created = ExcelDateTime::from_ymd(2021, 5, 31)?.and_hms(9, 0, 0)?;
    for (i, dept) in departments.iter().enumerate() {
        let rows = by_dept.get(&i);
        let extra: &[Sheet] = if i == 0 { &sample.other_sheets } else { &[] };
        if rows.is_none() && extra.is_empty() {
            continue;
        }
        let mut workbook = Workbook::new();
        workbook.set_properties(
            &DocProperties::new()
                .set_title(format!("目標指標 達成状況（{}）", dept.name))
                .set_author(dept.name.as_str())
                .set_creation_datetime(&created),
        );
        write_sheet(
            &mut workbook,
            ind,
            &dept.name,
            rows.map_or(&[][..], |r| r.as_slice()),
        )?;
        for sheet in extra {
            write_sheet(&mut workbook, sheet, &dept.name, &sheet.rows)?;
        }
        let path = sources.join("workbooks").join(format!("{}.xlsx", dept.id));
        workbook
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(total)
}

fn write_sheet(
    workbook: &mut Workbook,
    spec: &Sheet,
    name: &str,
    rows: &[Vec<String>],
) -> Result<()> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(&spec.name)?;
    let last_col = (spec.columns.len() - 1) as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Left);
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &spec.title.replace("{name}", name),
        &title,
    )?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDEBF7);
    const HEADER_ROW: u32 = 2;
    sheet.set_row_height(HEADER_ROW, 30)?;
    for (c, heading) in spec.columns.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, heading, &header)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    let text = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let mut formats: BTreeMap<String, Format> = BTreeMap::new();
    for (r, row) in rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + r as u32;
        for (c, field) in row.iter().enumerate() {
            let c = c as u16;
            match parse_cell(field) {
                Cell::Empty => {
                    sheet.write_blank(r, c, &text)?;
                }
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, &s, &text)?;
                }
                Cell::Number { value, format } => {
                    let f = formats.entry(format.clone()).or_insert_with(|| {
                        Format::new()
                            .set_num_format(&format)
                            .set_border(FormatBorder::Thin)
                    });
                    sheet.write_number_with_format(r, c, value, f)?;
                }
            }
        }
    }
    Ok(())
}
