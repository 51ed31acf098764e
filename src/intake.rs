//! `hakusho intake`: takes the workbooks the departments sent, whatever their names, and for
//! each one finds its department, checks it and — when it has no error — installs it as
//! `sources/workbooks/<id>.<ext>`, keeping the version it replaces under
//! `sources/workbooks/history/<id>/<time>.<ext>` and saying which values changed against it
//! (the comparison `hakusho diff` makes: [`crate::snapshot::compare`]).
//!
//! Every file is read once, bounded and without following a link out of the folder it was
//! found in ([`confined`]), copied into `build/intake/.staging/`, and from there read behind
//! the workbook guard like any project file. A file that cannot be read, is not a workbook,
//! belongs to no known department or to several, or is older than another file of the same
//! department, gets its line on the board and is left alone.
//!
//! The result is a [`Board`]: one line per department (submitted or not, when, which file,
//! errors, warnings, values changed) and one per file not taken. It is kept in
//! `build/intake/status.json` for `hakusho status`, written as `build/intake/status.xlsx`
//! ([`crate::board`]), and every workbook with problems gets a marked-up copy
//! `build/intake/<id>-指摘.xlsx` ([`crate::markup`]) to send back.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use hakusho_diagnostics::{confined, Diagnostic, Diagnostics, Location, Message, Severity};
use hakusho_sources::config::{Column, GroupColumn, Headings, ValueColumn};
use hakusho_sources::text::half_width;
use hakusho_sources::workbook::{normalize_code, read_workbook, WorkbookData, EXTENSIONS};
use hakusho_sources::{Project, RefersTo, Row, TableConfig, WORKBOOK_HISTORY_DIR};
use serde::{Deserialize, Serialize};

use crate::files::{slash, write_atomic};
use crate::snapshot;
use crate::workbook::{ID_HEADINGS, ID_SHEET};

/// Where intake writes its board and marked-up workbooks, relative to the project.
pub const INTAKE_DIR: &str = "build/intake";
/// The board as data, for `hakusho status`.
pub const STATUS_JSON: &str = "build/intake/status.json";
/// The board as a workbook, for the editor to keep and forward.
pub const STATUS_XLSX: &str = "build/intake/status.xlsx";
/// Copies of the files being taken in (removed when intake ends).
const STAGING_DIR: &str = "build/intake/.staging";
/// The folder of the installed workbooks.
const WORKBOOKS_DIR: &str = "sources/workbooks";
/// Files read from one inbox folder at most; the rest get one line on the board.
pub const MAX_INBOX_FILES: usize = 1000;
/// The board file is small; a larger one is not ours.
const STATUS_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// The submission status board.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Board {
    /// The fiscal year of the configuration the board was made for: submissions recorded
    /// under another year are last cycle's and do not count.
    pub fiscal_year: i32,
    /// One line per department, in the configured order.
    pub departments: Vec<DepartmentLine>,
    /// The files of the last intake that were not taken, and why.
    pub others: Vec<OtherFile>,
}

/// Where a department stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nothing received this cycle.
    NotSubmitted,
    /// Received with errors: not installed, a marked-up copy was written.
    Refused,
    /// Received and installed.
    Installed,
    /// Received, identical to the installed workbook.
    Unchanged,
    /// The department has no sheet to fill (no workbook is asked of it).
    NoWorkbook,
}

/// One department on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentLine {
    pub id: String,
    pub name: String,
    pub state: State,
    /// The file as it was received (the path given to intake).
    pub file: Option<String>,
    /// The file's modification time (seconds since 1970, UTC).
    pub modified: Option<u64>,
    /// When intake took it.
    pub taken: Option<u64>,
    pub errors: usize,
    pub warnings: usize,
    /// Values changed against the version it replaced.
    pub changes: Vec<Change>,
    /// The marked-up copy to send back (`build/intake/<id>-指摘.xlsx`).
    pub markup: Option<String>,
    /// Where the replaced version was kept.
    pub history: Option<String>,
    /// A refused submission after one installed earlier this cycle: the file installed then
    /// (still the department's workbook).
    #[serde(default)]
    pub still_installed: Option<String>,
}

impl DepartmentLine {
    fn new(id: &str, name: &str, state: State) -> Self {
        DepartmentLine {
            id: id.to_string(),
            name: name.to_string(),
            state,
            file: None,
            modified: None,
            taken: None,
            errors: 0,
            warnings: 0,
            changes: Vec::new(),
            markup: None,
            history: None,
            still_installed: None,
        }
    }
}

/// One value changed against the previous version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `sheet!cell` in the new workbook (in the old one for a removed row).
    pub cell: String,
    /// The column's heading.
    pub column: String,
    /// The row's name.
    pub name: String,
    /// `None`: the row was not there.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A file that was not taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherFile {
    pub file: String,
    pub modified: Option<u64>,
    pub reason: Reason,
}

/// Why a file was not taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// Not read, or not a workbook: the reader's own message.
    Unreadable(Message),
    /// A workbook, but of no known department.
    UnknownDepartment,
    /// A workbook whose clues point to several departments.
    Ambiguous { departments: Vec<String> },
    /// Another file of the same department is newer.
    Superseded { department: String, by: String },
    /// The inbox held more files than intake reads.
    TooManyFiles { skipped: usize },
}

/// What one intake did: the board, and every problem found in the files it read (each file
/// shown as it was given).
#[derive(Debug, Default)]
pub struct IntakeReport {
    pub board: Board,
    pub diagnostics: Diagnostics,
    /// Departments whose workbook this intake processed (installed, unchanged or refused).
    pub processed: Vec<String>,
}

/// A file found in the inbox: how it is shown, and what reading it gave.
struct Received {
    display: PathBuf,
    modified: Option<u64>,
    /// The file as resolved in the folder it was found in.
    source: confined::Resolved,
    /// The staged copy, relative to the project, once read.
    staged: Option<PathBuf>,
    /// The fiscal year the workbook asks for, from its identifying sheet.
    asked_year: Option<i32>,
    ext: String,
}

/// How a workbook's department was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Known(String),
    Unknown,
    Ambiguous(Vec<String>),
}

/// Takes in the workbooks in `inputs` (folders and files) at time `now`. `Err` when the
/// project itself cannot be read (its problems are in the diagnostics).
pub fn intake(
    project_dir: &Path,
    inputs: &[PathBuf],
    now: SystemTime,
) -> Result<std::result::Result<IntakeReport, Diagnostics>> {
    let (project, load_diags) = hakusho_sources::load_project(project_dir);
    let Some(project) = project else {
        return Ok(Err(load_diags));
    };
    let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let staging = project_dir.join(STAGING_DIR);
    // a staging folder left by an interrupted intake holds nothing anyone needs, nor do the
    // temporary files of its installs (removed only when their process is gone)
    let _ = fs::remove_dir_all(&staging);
    crate::build::remove_stale_temps(&project_dir.join(WORKBOOKS_DIR));
    fs::create_dir_all(&staging).with_context(|| slash(&staging))?;
    let result = take_in(project_dir, &project, inputs, now_secs);
    let _ = fs::remove_dir_all(&staging);
    let report = result?;
    let json = serde_json::to_vec_pretty(&report.board)?;
    write_atomic(&project_dir.join(STATUS_JSON), &json).context(STATUS_JSON)?;
    Ok(Ok(report))
}

fn take_in(
    project_dir: &Path,
    project: &Project,
    inputs: &[PathBuf],
    now: u64,
) -> Result<IntakeReport> {
    let config = &project.config;
    let mut report = IntakeReport {
        board: previous_board(project_dir, project),
        ..IntakeReport::default()
    };
    report.board.others.clear();
    let mut received = Vec::new();
    for input in inputs {
        // relative to the project first (as with `git -C`), then to the working directory
        let in_project = project_dir.join(input);
        let real = if input.is_relative() && fs::symlink_metadata(&in_project).is_ok() {
            in_project
        } else {
            input.clone()
        };
        gather(&real, input, &mut received, &mut report.board.others);
    }
    let max_bytes = config.limits.max_file_mb.saturating_mul(1024 * 1024);
    // read each file once and stage it; identify it
    let mut identified: Vec<(String, Received)> = Vec::new();
    for (n, mut file) in received.into_iter().enumerate() {
        let bytes = match confined::read_resolved(&file.source, &file.display, max_bytes) {
            Ok(b) => b,
            Err(e) => {
                report
                    .board
                    .others
                    .push(other(&file, unreadable(&e.diagnostic)));
                continue;
            }
        };
        let staged = Path::new(STAGING_DIR).join(staged_name(&n.to_string(), &file.ext));
        // a scratch copy: removed when intake ends, so not synced to disk
        fs::write(project_dir.join(&staged), &bytes).with_context(|| slash(&staged))?;
        let mut read_diags = Diagnostics::new();
        let mut tables = config.tables.clone();
        tables.push(id_table());
        let data = read_workbook(
            &project_dir.join(&staged),
            &file.display,
            None,
            &tables,
            &config.limits,
            &mut read_diags,
        );
        let Some(data) = data else {
            let first = read_diags
                .iter()
                .find(|d| d.severity == Severity::Error)
                .cloned();
            let reason = first.as_ref().map_or(
                Reason::Unreadable(Message::new(
                    "ワークブックとして読めません",
                    "cannot be read as a workbook",
                )),
                unreadable,
            );
            report.board.others.push(other(&file, reason));
            continue;
        };
        match identify(project, &file.display, &data) {
            Identity::Known(id) => {
                file.staged = Some(staged);
                file.asked_year = data
                    .tables
                    .iter()
                    .find(|t| t.id == id_table().id)
                    .and_then(|t| t.rows.first())
                    .and_then(|r| r.values.get("year"))
                    .and_then(|v| v.text.trim().parse().ok());
                identified.push((id, file));
            }
            Identity::Unknown => report
                .board
                .others
                .push(other(&file, Reason::UnknownDepartment)),
            Identity::Ambiguous(departments) => report
                .board
                .others
                .push(other(&file, Reason::Ambiguous { departments })),
        }
    }
    // two files of one department: the newest wins, the others are reported
    let mut winners: Vec<(String, Received)> = Vec::new();
    for (id, file) in identified {
        match winners.iter().position(|(w, _)| *w == id) {
            None => winners.push((id, file)),
            Some(i) => {
                let newer = file.modified > winners[i].1.modified;
                let (kept, dropped) = if newer {
                    let old = std::mem::replace(&mut winners[i].1, file);
                    (&winners[i].1, old)
                } else {
                    (&winners[i].1, file)
                };
                let reason = Reason::Superseded {
                    department: id.clone(),
                    by: slash(&kept.display),
                };
                report.board.others.push(other(&dropped, reason));
            }
        }
    }
    winners.sort_by_key(|(id, _)| config.departments.iter().position(|d| d.id == *id));
    // checked together (the configuration, the plan and the fonts are loaded once), each
    // under its department's id, so that the check knows whose workbook it is
    let mut named = Vec::new();
    for (id, file) in &winners {
        let staged = file.staged.as_deref().unwrap_or(Path::new(""));
        let as_department = Path::new(STAGING_DIR).join(staged_name(id, &file.ext));
        fs::rename(project_dir.join(staged), project_dir.join(&as_department))
            .with_context(|| slash(&as_department))?;
        named.push(as_department);
    }
    let (mut diags, _, mut rows) = hakusho_sources::check_files_with_rows(project_dir, &named);
    if !named.is_empty() {
        diags.extend(crate::characters::check_rows(
            project_dir,
            &rows,
            crate::build::deps::STYLE_PATH,
        ));
    }
    let mut diags = diags.into_vec();
    let old_snapshot = snapshot::snapshot(project);
    for ((id, file), as_department) in winners.iter().zip(&named) {
        let (own, rest): (Vec<Diagnostic>, Vec<Diagnostic>) = diags
            .into_iter()
            .partition(|d| d.location.path() == Some(as_department.as_path()));
        diags = rest;
        let (own_rows, rest): (Vec<Row>, Vec<Row>) = rows
            .into_iter()
            .partition(|r| r.location.0.path() == Some(as_department.as_path()));
        rows = rest;
        let mut checked = Diagnostics::new();
        for d in own {
            checked.push(d);
        }
        let checked = Checked {
            as_department,
            diags: relocated(checked, as_department, &file.display),
            rows: own_rows,
        };
        let line = take_one(
            project_dir,
            project,
            &old_snapshot,
            (id, file),
            checked,
            now,
            &mut report.diagnostics,
        )?;
        report.processed.push(id.clone());
        if let Some(slot) = report.board.departments.iter_mut().find(|l| l.id == *id) {
            let mut line = line;
            if line.state == State::Refused {
                line.still_installed = match slot.state {
                    State::Installed | State::Unchanged => slot.file.clone(),
                    State::Refused => slot.still_installed.clone(),
                    State::NotSubmitted | State::NoWorkbook => None,
                };
            }
            *slot = line;
        }
    }
    // what no workbook's location names (e.g. the plan could not be read)
    for d in diags {
        report.diagnostics.push(d);
    }
    Ok(report)
}

/// What the check found in one workbook staged as `<id>.<ext>`.
struct Checked<'a> {
    as_department: &'a Path,
    /// Shown with the file as received.
    diags: Diagnostics,
    rows: Vec<Row>,
}

/// Installs one checked workbook when it has no error; writes its marked-up copy when it has
/// problems.
fn take_one(
    project_dir: &Path,
    project: &Project,
    old_snapshot: &snapshot::Snapshot,
    (id, file): (&str, &Received),
    checked: Checked,
    now: u64,
    all_diags: &mut Diagnostics,
) -> Result<DepartmentLine> {
    let Checked {
        as_department,
        mut diags,
        mut rows,
    } = checked;
    let name = project.department(id).map_or("", |d| d.name.as_str());
    let mut line = DepartmentLine::new(id, name, State::Installed);
    line.file = Some(slash(&file.display));
    line.modified = file.modified;
    line.taken = Some(now);
    if let Some(year) = file.asked_year.filter(|y| *y != project.fiscal_year) {
        diags.push(year_mismatch(&file.display, year, project.fiscal_year));
    }
    let (errors, warnings) = crate::messages::severity_counts(&diags);
    line.errors = errors;
    line.warnings = warnings;
    if !diags.is_empty() {
        let out = markup_path(id);
        let written = crate::markup::write(
            &project_dir.join(as_department),
            &file.display,
            &project.config.limits,
            &diags,
            &project_dir.join(&out),
        );
        // the board and the other workbooks matter more than one marked-up copy
        match written {
            Ok(()) => line.markup = Some(slash(&out)),
            Err(e) => all_diags.push(Diagnostic::warning(
                Location::file(&out),
                "指摘ファイルを書けませんでした（問題の一覧は上のとおりです）。詳しい理由は --lang en を付けて実行すると英語で表示されます",
                format!("the marked-up workbook could not be written ({e:#}); the problems are listed above"),
            )),
        }
    } else {
        // a marked-up copy of an earlier submission no longer applies
        let _ = fs::remove_file(project_dir.join(markup_path(id)));
    }
    all_diags.extend(diags);
    if errors > 0 {
        line.state = State::Refused;
        return Ok(line);
    }
    let installed = Path::new(WORKBOOKS_DIR).join(staged_name(id, &file.ext));
    let max_bytes = project
        .config
        .limits
        .max_file_mb
        .saturating_mul(1024 * 1024);
    let bytes = confined::read(project_dir, as_department, max_bytes)
        .map_err(|e| anyhow::anyhow!("{}", e.diagnostic.en))
        .with_context(|| slash(as_department))?;
    let previous = installed_versions(project_dir, id);
    let same = previous.len() == 1
        && previous[0] == installed
        && confined::read(project_dir, &installed, bytes.len() as u64)
            .is_ok_and(|old| old == bytes);
    if same {
        line.state = State::Unchanged;
        return Ok(line);
    }
    // the values as the documents show them, before and after
    let installed_loc = |l: &Location| relocate(l.clone(), as_department, &installed);
    for row in &mut rows {
        row.location.0 = installed_loc(&row.location.0);
        for cell in row.cells.values_mut() {
            *cell = installed_loc(cell);
        }
    }
    let next = with_rows(project, id, rows);
    let changes = snapshot::compare(old_snapshot, &snapshot::snapshot(&next));
    line.changes = changes
        .values
        .iter()
        .map(|v| Change {
            cell: v
                .location
                .split_once(':')
                .map_or(v.location.clone(), |(_, at)| at.to_string()),
            column: v.column.clone(),
            name: v.name.clone(),
            old: v.old.clone(),
            new: v.new.clone(),
        })
        .collect();
    line.history = install(project_dir, &installed, &previous, &bytes, now)?.map(|p| slash(&p));
    Ok(line)
}

/// A workbook written for another fiscal year than the configured one: its values go in
/// under the configured year's labels, so the editor hears of it.
fn year_mismatch(display: &Path, asked: i32, configured: i32) -> Diagnostic {
    let label =
        |y: i32| hakusho_sources::era_label(y, "年度").unwrap_or_else(|| format!("{y}年度"));
    Diagnostic::warning(
        Location::file(display),
        format!(
            "このワークブックは{}の値を提出するためのものですが、sources/hakusho.yaml の fiscal_year は {configured}（{}）です。{}の白書を作るのであれば、fiscal_year を {asked} に直してください",
            label(asked),
            label(configured),
            label(asked),
        ),
        format!(
            "this workbook was written for the figures of fiscal year {asked}, but fiscal_year in sources/hakusho.yaml is {configured}; to report {asked}, set fiscal_year to {asked}"
        ),
    )
}

/// The marked-up copy of a department's workbook.
pub fn markup_path(id: &str) -> PathBuf {
    Path::new(INTAKE_DIR).join(format!("{id}-指摘.xlsx"))
}

/// `name.ext`, or `name` when the file had no extension.
fn staged_name(name: &str, ext: &str) -> String {
    if ext.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{ext}")
    }
}

/// The department's installed workbooks (normally one), relative to the project.
fn installed_versions(project_dir: &Path, id: &str) -> Vec<PathBuf> {
    EXTENSIONS
        .iter()
        .map(|ext| Path::new(WORKBOOKS_DIR).join(format!("{id}.{ext}")))
        .filter(|p| fs::symlink_metadata(project_dir.join(p)).is_ok())
        .collect()
}

/// Installs `bytes` as `installed`: each previous version is first linked (or copied) into
/// `history/<id>/<time>.<ext>`, then the new workbook replaces it in one rename, so an
/// interruption leaves the old or the new workbook, never a part; a previous version under
/// another extension is removed only once the new one is in place. Returns where the replaced
/// version was kept.
fn install(
    project_dir: &Path,
    installed: &Path,
    previous: &[PathBuf],
    bytes: &[u8],
    now: u64,
) -> Result<Option<PathBuf>> {
    let id = installed
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let history_dir = Path::new(WORKBOOKS_DIR)
        .join(WORKBOOK_HISTORY_DIR)
        .join(&id);
    let mut kept = None;
    for old in previous {
        let ext = old
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        fs::create_dir_all(project_dir.join(&history_dir)).with_context(|| slash(&history_dir))?;
        let stamp = history_stamp(now);
        let mut target = history_dir.join(staged_name(&stamp, &ext));
        let mut n = 2;
        while fs::symlink_metadata(project_dir.join(&target)).is_ok() {
            target = history_dir.join(staged_name(&format!("{stamp}-{n}"), &ext));
            n += 1;
        }
        // a hard link keeps the exact file without reading it; where links are not possible,
        // a bounded copy
        if fs::hard_link(project_dir.join(old), project_dir.join(&target)).is_err() {
            let old_bytes = confined::read(project_dir, old, 1 << 30)
                .map_err(|e| anyhow::anyhow!("{}", e.diagnostic.en))
                .with_context(|| slash(old))?;
            write_atomic(&project_dir.join(&target), &old_bytes).with_context(|| slash(&target))?;
        }
        kept = Some(target);
    }
    write_atomic(&project_dir.join(installed), bytes).with_context(|| slash(installed))?;
    for old in previous.iter().filter(|p| p.as_path() != installed) {
        fs::remove_file(project_dir.join(old)).with_context(|| slash(old))?;
    }
    Ok(kept)
}

/// `20260405-093000` (UTC): sorts in time order, safe in every file system.
fn history_stamp(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

/// (year, month, day, hour, minute, second) in UTC of seconds since 1970.
pub fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// The project with `id`'s rows replaced by `rows` (each row goes to the table whose sheet
/// holds it).
fn with_rows(project: &Project, id: &str, rows: Vec<Row>) -> Project {
    let mut next = project.clone();
    for t in &mut next.tables {
        t.rows.retain(|r| r.department.as_deref() != Some(id));
    }
    for row in rows {
        let sheet = match &row.location.0 {
            Location::Cell { sheet, .. } | Location::Sheet { sheet, .. } => sheet.clone(),
            _ => continue,
        };
        let wanted = hakusho_sources::text::normalize_heading(&sheet);
        if let Some(t) = next
            .tables
            .iter_mut()
            .find(|t| hakusho_sources::text::normalize_heading(&t.config.sheet) == wanted)
        {
            t.rows.push(row);
        }
    }
    next
}

/// The table read from [`ID_SHEET`]: department id (as the group), name, year.
fn id_table() -> TableConfig {
    let headings = |h: &str| Headings(vec![h.to_string()]);
    TableConfig {
        id: "\u{1f}intake-id".into(),
        sheet: ID_SHEET.into(),
        group: GroupColumn {
            heading: headings(ID_HEADINGS[0]),
            refers_to: RefersTo::Policy,
            label: String::new(),
            title_heading: None,
        },
        name: Column {
            heading: headings(ID_HEADINGS[1]),
            label: String::new(),
        },
        note: None,
        header_rows: Vec::new(),
        values: vec![ValueColumn {
            key: "year".into(),
            heading: headings(ID_HEADINGS[2]),
            label: String::new(),
            group: None,
            fill: false,
        }],
    }
}

/// Whose workbook this is: the identifying sheet `hakusho workbook` writes; else the
/// department names in the file name and the departments responsible for the policy codes
/// it holds, which must agree on one.
fn identify(project: &Project, display: &Path, data: &WorkbookData) -> Identity {
    let config = &project.config;
    let id_rows = data
        .tables
        .iter()
        .find(|t| t.id == id_table().id)
        .map(|t| t.rows.as_slice())
        .unwrap_or(&[]);
    if let Some(row) = id_rows.first() {
        let id = normalize_code(&row.group);
        if config.department(&id).is_some() {
            return Identity::Known(id);
        }
    }
    let file_name = half_width(
        &display
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let mut by_name: Vec<&str> = config
        .departments
        .iter()
        .filter(|d| !d.name.is_empty() && file_name.contains(&half_width(&d.name)))
        .map(|d| d.name.as_str())
        .collect();
    // 「都市整備部」 also contains a shorter name some city may have: keep the longest
    let names = by_name.clone();
    by_name.retain(|n| !names.iter().any(|m| m != n && m.contains(n)));
    let by_name: BTreeSet<String> = config
        .departments
        .iter()
        .filter(|d| by_name.contains(&d.name.as_str()))
        .map(|d| d.id.clone())
        .collect();
    let by_stem: BTreeSet<String> = display
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| config.department(s).is_some())
        .map(|s| s.to_string())
        .into_iter()
        .collect();
    let by_codes: BTreeSet<String> = data
        .tables
        .iter()
        .filter(|t| {
            config
                .table(&t.id)
                .is_some_and(|c| c.group.refers_to == RefersTo::Policy)
        })
        .flat_map(|t| &t.rows)
        .filter_map(|r| project.policy(&r.group).map(|p| p.department.clone()))
        .collect();
    let named: BTreeSet<String> = by_name.union(&by_stem).cloned().collect();
    let candidates: BTreeSet<String> = match (named.is_empty(), by_codes.is_empty()) {
        (true, true) => return Identity::Unknown,
        (false, true) => named,
        (true, false) => by_codes,
        (false, false) => {
            let both: BTreeSet<String> = named.intersection(&by_codes).cloned().collect();
            if both.is_empty() {
                named.union(&by_codes).cloned().collect()
            } else {
                both
            }
        }
    };
    let mut ids: Vec<String> = candidates.into_iter().collect();
    ids.sort_by_key(|id| config.departments.iter().position(|d| d.id == *id));
    if ids.len() == 1 {
        Identity::Known(ids.remove(0))
    } else {
        Identity::Ambiguous(ids)
    }
}

/// The files of one input: a folder's regular files (not its subfolders; hidden files and
/// Excel's lock files skipped), each confined to the folder; or the file itself.
fn gather(input: &Path, shown: &Path, out: &mut Vec<Received>, others: &mut Vec<OtherFile>) {
    fn push(
        out: &mut Vec<Received>,
        others: &mut Vec<OtherFile>,
        display: PathBuf,
        found: std::result::Result<confined::Resolved, Diagnostic>,
    ) {
        let ext = display
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 8)
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match found {
            Ok(source) => {
                let modified = source
                    .metadata
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs());
                out.push(Received {
                    display,
                    modified,
                    source,
                    staged: None,
                    asked_year: None,
                    ext,
                });
            }
            Err(d) => others.push(OtherFile {
                file: slash(&display),
                modified: None,
                reason: unreadable(&d),
            }),
        }
    }
    if !input.is_dir() {
        let found = confined::resolve_named(input, shown).map_err(|e| *e.diagnostic);
        push(out, others, shown.to_path_buf(), found);
        return;
    }
    let mut names: Vec<String> = match fs::read_dir(input) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !(n.starts_with("~$") || n.starts_with('.') || n.ends_with('~')))
            .collect(),
        Err(e) => {
            let hakusho_diagnostics::Message { ja, en } = confined::io_reason(&e);
            others.push(OtherFile {
                file: slash(shown),
                modified: None,
                reason: Reason::Unreadable(Message::new(
                    format!("フォルダを読めません: {ja}"),
                    format!("cannot read the folder: {en}"),
                )),
            });
            return;
        }
    };
    names.sort();
    if names.len() > MAX_INBOX_FILES {
        others.push(OtherFile {
            file: slash(shown),
            modified: None,
            reason: Reason::TooManyFiles {
                skipped: names.len() - MAX_INBOX_FILES,
            },
        });
        names.truncate(MAX_INBOX_FILES);
    }
    let folder = fs::canonicalize(input).unwrap_or_else(|_| input.to_path_buf());
    for name in names {
        let display = shown.join(&name);
        // a link is followed only within the folder
        let leaves =
            fs::canonicalize(input.join(&name)).is_ok_and(|real| !real.starts_with(&folder));
        if leaves {
            others.push(OtherFile {
                file: slash(&display),
                modified: None,
                reason: Reason::Unreadable(Message::new(
                    "受け取ったフォルダの外を指すリンク（シンボリックリンク）です。リンクはたどりません。ワークブックのファイルそのものを置いてください",
                    "a symbolic link leading out of the folder given; links are not followed; put the workbook file itself there",
                )),
            });
            continue;
        }
        let found = confined::resolve(input, Path::new(&name)).map_err(|e| Diagnostic {
            location: Location::file(&display),
            ..*e.diagnostic
        });
        push(out, others, display, found);
    }
}

fn other(file: &Received, reason: Reason) -> OtherFile {
    OtherFile {
        file: slash(&file.display),
        modified: file.modified,
        reason,
    }
}

fn unreadable(d: &Diagnostic) -> Reason {
    Reason::Unreadable(Message::new(d.ja.clone(), d.en.clone()))
}

/// `location` with the file `from` shown as `to`.
fn relocate(location: Location, from: &Path, to: &Path) -> Location {
    let swap = |p: PathBuf| if p == from { to.to_path_buf() } else { p };
    match location {
        Location::File { path } => Location::File { path: swap(path) },
        Location::Sheet { path, sheet } => Location::Sheet {
            path: swap(path),
            sheet,
        },
        Location::Cell {
            path,
            sheet,
            row,
            col,
        } => Location::Cell {
            path: swap(path),
            sheet,
            row,
            col,
        },
        Location::Text { path, line, column } => Location::Text {
            path: swap(path),
            line,
            column,
        },
        Location::None => Location::None,
    }
}

fn relocated(diags: Diagnostics, from: &Path, to: &Path) -> Diagnostics {
    let mut out = Diagnostics::new();
    for d in diags.into_vec() {
        out.push(Diagnostic {
            location: relocate(d.location.clone(), from, to),
            ..d
        });
    }
    out
}

/// A board with every department not submitted (or without a workbook to submit).
fn empty_board(project: &Project) -> Board {
    Board {
        fiscal_year: project.fiscal_year,
        departments: project
            .departments
            .iter()
            .map(|d| {
                let state = if crate::workbook::plan_sheets(project, &d.id).is_empty() {
                    State::NoWorkbook
                } else {
                    State::NotSubmitted
                };
                DepartmentLine::new(&d.id, &d.name, state)
            })
            .collect(),
        others: Vec::new(),
    }
}

/// The board of the last intake of this fiscal year, fitted to the configured departments;
/// a fresh one when there is none (or it is of another year, or unreadable).
pub fn previous_board(project_dir: &Path, project: &Project) -> Board {
    let mut board = empty_board(project);
    let saved: Option<Board> =
        confined::read_text(project_dir, Path::new(STATUS_JSON), STATUS_MAX_BYTES)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
    if let Some(saved) = saved.filter(|b| b.fiscal_year == project.fiscal_year) {
        for line in &mut board.departments {
            if let Some(s) = saved.departments.iter().find(|s| s.id == line.id) {
                if s.state != State::NotSubmitted && s.state != State::NoWorkbook {
                    *line = DepartmentLine {
                        name: line.name.clone(),
                        ..s.clone()
                    };
                }
            }
        }
        board.others = saved.others;
    }
    board
}

/// The board's lines in the order shown: departments that have not submitted first, then
/// the others in the configured order.
pub fn shown_order(board: &Board) -> Vec<&DepartmentLine> {
    let mut lines: Vec<&DepartmentLine> = board.departments.iter().collect();
    lines.sort_by_key(|l| match l.state {
        State::NotSubmitted => 0,
        State::NoWorkbook => 2,
        _ => 1,
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_time_in_utc() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        // 2021-04-01 09:30:15 UTC
        assert_eq!(civil(1_617_269_415), (2021, 4, 1, 9, 30, 15));
        assert_eq!(history_stamp(1_617_269_415), "20210401-093015");
        // a leap day
        assert_eq!(civil(1_709_164_800), (2024, 2, 29, 0, 0, 0));
    }
}
