//! `chart(table_id, row)`: one row of a workbook table (an indicator and its value columns) as
//! a `<chart>` of the document markup, with the notes a reader needs and the figure's text
//! alternative, from the configuration (`charts:` of hakusho.yaml) and no code per chart.
//!
//! A value that is not a number (「おおむね80%台を維持」, 「-」, an empty cell) is left out with a
//! note, never drawn as zero. Compound values (「8施設 98事業者」) whose parts have the same
//! units in every column draw one series per part (named by its unit); otherwise a compound
//! value is left out with a note, and so is a number in another unit than the row's first. The target column is drawn as a dashed
//! rule. Which way is better (`charts.lower_is_better`) decides what the last note says.

use minijinja::{Error, State, Value};

fn invalid(ja: String, en: String) -> Error {
    super::helper_error(ja, en)
}

fn attr(v: &Value, name: &str) -> Value {
    v.get_attr(name).unwrap_or(Value::UNDEFINED)
}

fn text_of(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None if v.is_undefined() || v.is_none() => String::new(),
        None => v.to_string(),
    }
}

/// Escapes an attribute value of the markup (a line break stays one: `&#10;`).
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '|' => out.push('｜'),
            c => out.push(c),
        }
    }
    out
}

/// A value column's label on one line (「平成26年度\n(前期)」 → 「平成26年度(前期)」).
fn one_line(label: &str) -> String {
    label.lines().map(str::trim).collect::<Vec<_>>().join("")
}

/// A model `Value` as a chart number with its unit and decimals, or why it is left out.
enum Read {
    Number {
        value: f64,
        unit: String,
        decimals: usize,
        text: String,
    },
    Empty,
    Text(String),
    /// As typed, and its parts (number, unit) when each part is a number with a unit.
    Compound(String, Vec<(f64, String)>),
}

fn read(v: &Value) -> Read {
    if v.is_undefined() || v.is_none() {
        return Read::Empty;
    }
    // Quoted in a note on one line: the lines of a cell typed with Alt+Enter are kept apart
    // by a slash (a line break between two kanji would vanish in the markup).
    let text = text_of(&attr(v, "text"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("／");
    let parts = attr(v, "parts");
    if parts.len().unwrap_or(0) > 0 {
        let numbers: Option<Vec<(f64, String)>> = parts.try_iter().ok().and_then(|it| {
            it.map(|p| match read(&p) {
                Read::Number { value, unit, .. } if !unit.is_empty() => Some((value, unit)),
                _ => None,
            })
            .collect()
        });
        return Read::Compound(text, numbers.unwrap_or_default());
    }
    // A dash typed for "no figure" is no value, not a text to quote.
    if !text.is_empty() && text.chars().all(|c| "-－—―‐ー−".contains(c)) {
        return Read::Empty;
    }
    match text_of(&attr(v, "kind")).as_str() {
        "number" => {}
        "empty" => return Read::Empty,
        _ if text.is_empty() => return Read::Empty,
        _ => return Read::Text(text),
    }
    let Ok(number) = f64::try_from(attr(v, "number")) else {
        return Read::Text(text);
    };
    let percent = attr(v, "percent").is_true();
    let decimals = usize::try_from(attr(v, "decimals")).unwrap_or(0).min(6);
    let (value, unit) = if percent {
        (number * 100.0, "%".to_string())
    } else {
        (number, text_of(&attr(v, "unit")))
    };
    Read::Number {
        value,
        unit,
        decimals,
        text,
    }
}

/// `chart("indicators", row)` or `chart("indicators", row, "progress")` (another kind than
/// the table's `charts:` declaration; a progress chart with no target or fewer than two
/// values to start from is drawn as bars, its history) → `{markup, alt, name, notes, drawn,
/// direction, kind}`: `markup` the
/// `<chart>` (safe markup), `alt` the text alternative, `notes` what a reader is told under
/// the chart (values left out, whether the target is being approached), `drawn` how many
/// values the chart shows, `direction` `higher` or `lower`, `name` the row's name on one line.
pub fn chart(
    state: &State,
    table: &str,
    row: &Value,
    kind: Option<String>,
) -> Result<Value, Error> {
    let config = state.lookup("config").unwrap_or(Value::UNDEFINED);
    let decl = attr(&attr(&attr(&config, "charts"), "tables"), table);
    if decl.is_undefined() || decl.is_none() {
        return Err(invalid(
            format!("chart(): 表「{table}」は hakusho.yaml の charts: tables: にありません。charts: tables: に {table}: {{ kind: bar, target: <目標の列の key> }} を書いてください"),
            format!("chart(): table '{table}' is not under charts: tables: of hakusho.yaml; add {table}: {{ kind: bar, target: <key of the target column> }}"),
        ));
    }
    let tables = state.lookup("tables").unwrap_or(Value::UNDEFINED);
    let columns = attr(&attr(&tables, table), "values");
    if columns.is_undefined() {
        return Err(invalid(
            format!("chart(): 表「{table}」は hakusho.yaml の tables: にありません"),
            format!("chart(): no table '{table}' in hakusho.yaml"),
        ));
    }
    let kind = match kind.unwrap_or_else(|| text_of(&attr(&decl, "kind"))) {
        k if k.is_empty() => "bar".to_string(),
        k => k,
    };
    if !["bar", "line", "progress"].contains(&kind.as_str()) {
        return Err(invalid(
            format!("chart(): 図の種類「{kind}」は使えません。bar、line、progress のどれかを書いてください"),
            format!("chart(): '{kind}' is not a chart kind; write bar, line or progress"),
        ));
    }
    let target_key = text_of(&attr(&decl, "target"));
    let skip: Vec<String> = attr(&decl, "skip")
        .try_iter()
        .map(|it| it.map(|v| text_of(&v)).collect())
        .unwrap_or_default();
    // A row's name is a cell (a `Value`) or, from YAML, plain text.
    let name_value = attr(row, "name");
    let name_text = match name_value.as_str() {
        Some(s) => s.to_string(),
        None => text_of(&attr(&name_value, "text")),
    };
    let name = one_line(name_text.trim());
    let lower: bool = attr(&attr(&config, "charts"), "lower_is_better")
        .try_iter()
        .map(|mut it| it.any(|v| one_line(text_of(&v).trim()) == name))
        .unwrap_or(false);
    let values = attr(row, "values");
    let mut reads = Vec::new();
    for col in columns.try_iter()? {
        let key = text_of(&attr(&col, "key"));
        if skip.contains(&key) {
            continue;
        }
        let value = read(&attr(&values, &key));
        reads.push((key, text_of(&attr(&col, "label")), value));
    }
    // Compound values whose parts have the same units in every column (「8施設 98事業者」,
    // 「12施設 120事業者」): one series per part, named by its unit.
    let part_units: Option<Vec<String>> = {
        let mut lists = reads.iter().filter_map(|(_, _, r)| match r {
            Read::Compound(_, parts) => Some(parts.iter().map(|(_, u)| u.clone()).collect()),
            _ => None,
        });
        let first: Option<Vec<String>> = lists.next();
        first.filter(|units| {
            units.len() > 1
                && lists.all(|l| l == *units)
                // a plain number in another unit: the row is not one of parts
                && reads.iter().all(|(_, _, r)| match r {
                    Read::Number { unit, .. } => units.contains(unit),
                    _ => true,
                })
        })
    };
    let n_series = part_units.as_ref().map_or(1, Vec::len);

    let mut categories: Vec<String> = Vec::new();
    let mut points: Vec<Vec<Option<f64>>> = Vec::new();
    // (category label, value as typed) of the values drawn, for the notes and the alt text.
    let mut drawn: Vec<(String, f64, String)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut unit: Option<String> = None;
    let mut decimals = 0usize;
    let mut target: Option<(String, f64, String)> = None;
    for (key, label, value) in reads {
        let flat = one_line(&label);
        let is_target = key == target_key;
        // The column's value per series (one series unless the row is compound).
        let mut parts: Option<Vec<Option<f64>>> = None;
        let got = match value {
            Read::Number {
                value,
                unit: u,
                decimals: d,
                text,
            } if part_units.is_some() => {
                let units = part_units.as_deref().unwrap_or_default();
                match units.iter().position(|p| *p == u) {
                    Some(i) => {
                        decimals = decimals.max(d);
                        let mut one = vec![None; n_series];
                        one[i] = Some(value);
                        parts = Some(one);
                        Some((value, text))
                    }
                    None => {
                        notes.push(format!(
                            "{flat}の「{text}」は単位が「{}」のどれとも異なるため図に含めていません。",
                            units.join("」「")
                        ));
                        None
                    }
                }
            }
            Read::Number {
                value,
                unit: u,
                decimals: d,
                text,
            } => match &unit {
                Some(first) if *first != u => {
                    notes.push(format!(
                        "{flat}の「{text}」は単位が「{first}」と異なるため図に含めていません。"
                    ));
                    None
                }
                _ => {
                    unit.get_or_insert(u);
                    decimals = decimals.max(d);
                    Some((value, text))
                }
            },
            Read::Empty => {
                notes.push(format!("{flat}は値がないため図に含めていません。"));
                None
            }
            Read::Text(t) => {
                notes.push(format!(
                    "{flat}の「{t}」は数値ではないため図に含めていません。"
                ));
                None
            }
            Read::Compound(t, ps)
                if !is_target
                    && part_units
                        .as_ref()
                        .is_some_and(|u| ps.iter().map(|(_, pu)| pu).eq(u.iter())) =>
            {
                parts = Some(ps.iter().map(|(v, _)| Some(*v)).collect());
                Some((ps[0].0, t))
            }
            Read::Compound(t, _) if is_target && part_units.is_some() => {
                notes.push(format!(
                    "{flat}の「{t}」は複数の値からなるため、目標の線は引いていません。"
                ));
                None
            }
            Read::Compound(t, _) => {
                notes.push(format!(
                    "{flat}の「{t}」は複数の値からなるため図に含めていません。"
                ));
                None
            }
        };
        if is_target {
            target = got.map(|(v, t)| (flat, v, t));
            continue;
        }
        categories.push(label);
        points.push(parts.unwrap_or_else(|| {
            let mut one = vec![None; n_series];
            one[0] = got.as_ref().map(|(v, _)| *v);
            one
        }));
        if let Some((v, t)) = got {
            drawn.push((flat, v, t));
        }
    }
    let unit = unit.unwrap_or_default();
    // A progress chart needs a target and a baseline before the latest value.
    let kind = if kind == "progress" && (target.is_none() || drawn.len() < 2) {
        "bar".to_string()
    } else {
        kind
    };
    let direction = if lower { "lower" } else { "higher" };

    // The alt text: 「英語版ホームページのアクセス件数：平成22年度 34,677件から令和2年度
    // 202,850件、目標は令和4年度 400,000件」.
    let mut alt = format!("{name}：");
    match (drawn.first(), drawn.last()) {
        (Some(first), Some(last)) if drawn.len() > 1 => {
            alt.push_str(&format!("{} {}から{} {}", first.0, first.2, last.0, last.2));
        }
        (Some(only), _) => alt.push_str(&format!("{} {}", only.0, only.2)),
        _ => alt.push_str("数値の値なし"),
    }
    if let Some((label, _, text)) = &target {
        alt.push_str(&format!("、目標は{label} {text}"));
    }
    // Whether the latest value moved toward the target (of a single series: the parts of a
    // compound value may move different ways).
    if let (Some(first), Some(last), Some((_, t, _)), 1) =
        (drawn.first(), drawn.last(), &target, n_series)
    {
        let better = |a: f64, b: f64| if lower { a < b } else { a > b };
        let reached = if lower { last.1 <= *t } else { last.1 >= *t };
        let verdict = if reached {
            "目標に達しています".to_string()
        } else if drawn.len() > 1 && better(last.1, first.1) {
            format!("{}から目標に近づいています", first.0)
        } else if drawn.len() > 1 && better(first.1, last.1) {
            format!("{}から目標と反対の方向に動いています", first.0)
        } else {
            "目標に届いていません".to_string()
        };
        let way = if lower {
            "値が小さいほど良い指標"
        } else {
            "値が大きいほど良い指標"
        };
        notes.push(format!("{}の値は{verdict}（{way}）。", last.0));
        alt.push_str(&format!("。{}の値は{verdict}", last.0));
    }

    let mut markup = format!(
        "<chart kind=\"{}\" title=\"{}\" unit=\"{}\" categories=\"{}\" direction=\"{direction}\" decimals=\"{decimals}\"",
        escape_attr(&kind),
        escape_attr(&name),
        escape_attr(&unit),
        categories
            .iter()
            .map(|c| escape_attr(c))
            .collect::<Vec<_>>()
            .join("|"),
    );
    if let Some((label, v, _)) = &target {
        markup.push_str(&format!(
            " target=\"{v:.decimals$}\" target-label=\"{}\"",
            escape_attr(&format!("目標（{label}）"))
        ));
    }
    markup.push('>');
    // One series, named by the indicator; or one per part of a compound value, named by
    // its unit.
    let names: Vec<String> = part_units.unwrap_or_else(|| vec![name.clone()]);
    for (k, series_name) in names.iter().enumerate() {
        let values_attr: Vec<String> = points
            .iter()
            .map(|p| match p.get(k).copied().flatten() {
                Some(v) => format!("{v:.decimals$}"),
                None => "-".to_string(),
            })
            .collect();
        markup.push_str(&format!(
            "<series name=\"{}\" values=\"{}\"/>",
            escape_attr(series_name),
            values_attr.join("|")
        ));
    }
    markup.push_str("</chart>");
    let out = std::collections::BTreeMap::from([
        ("markup", Value::from_safe_string(markup)),
        ("alt", Value::from(alt)),
        ("name", Value::from(name)),
        ("notes", Value::from(notes)),
        ("drawn", Value::from(drawn.len())),
        ("direction", Value::from(direction)),
        ("kind", Value::from(kind)),
    ]);
    Ok(Value::from_iter(out))
}
