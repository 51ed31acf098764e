//! Issue 18: `hakusho intake` takes a folder of workbooks named however the departments liked
//! — renamed, duplicated, broken, foreign, hostile and valid ones — and the board, the
//! installed files, the kept versions and the marked-up workbooks are exactly what the rules
//! say. The workbooks are made here: `hakusho workbook`'s own writer on the sample's model,
//! with values changed or broken, plus the sample's workbooks renamed and fixtures that are
//! no department's.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{hakusho, project_copy, repo};
use hakusho::intake::{intake, Reason, State};
use hakusho_diagnostics::Location;
use hakusho_sources::{Project, Value};

/// The project's model (loaded clean).
fn model(dir: &Path) -> Project {
    let (p, diags) = hakusho_sources::load_project(dir);
    assert!(!diags.has_errors(), "{diags:?}");
    p.unwrap()
}

/// The prefilled workbook of `id` (`hakusho workbook`'s writer) after `edit` on the model: as
/// sent out the year before, asking for the configured year's figures.
fn prefilled(dir: &Path, id: &str, edit: impl FnOnce(&mut Project)) -> Vec<u8> {
    let mut p = model(dir);
    p.fiscal_year -= 1;
    edit(&mut p);
    hakusho::workbook::workbook_bytes(&p, id).unwrap().unwrap()
}

/// Sets the value `key` of the row named `name` of table `table`.
fn set_value(p: &mut Project, table: &str, name: &str, key: &str, text: &str) {
    let t = p.tables.iter_mut().find(|t| t.config.id == table).unwrap();
    let row = t.rows.iter_mut().find(|r| r.name == name).unwrap();
    row.values.insert(key.into(), Value::from_text(text));
}

fn write_at(path: &Path, bytes: &[u8], age_secs: u64) {
    fs::write(path, bytes).unwrap();
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(age_secs))
        .unwrap();
}

fn installed(dir: &Path, id: &str) -> Vec<u8> {
    fs::read(dir.join("sources/workbooks").join(format!("{id}.xlsx"))).unwrap()
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

const HOMEPAGE: &str = "英語版ホームページのアクセス件数";

#[test]
fn a_folder_of_renamed_duplicated_broken_foreign_and_valid_workbooks() {
    // `.xls` files are probed by a child hakusho, as in the binary
    hakusho_sources::isolate::enable(PathBuf::from(env!("CARGO_BIN_EXE_hakusho")));
    let dir = project_copy();
    let d = dir.path();
    let inbox = tempfile::tempdir().unwrap();
    let inbox_dir = inbox.path();
    let before: Vec<(String, Vec<u8>)> = ["kikaku", "somu", "kodomo", "kenko-fukushi", "kyoiku"]
        .iter()
        .map(|id| (id.to_string(), installed(d, id)))
        .collect();
    let old = |id: &str| before.iter().find(|(i, _)| i == id).unwrap().1.clone();

    // renamed, a value changed: recognised by the identifying sheet
    let kikaku = prefilled(d, "kikaku", |p| {
        set_value(p, "indicators", HOMEPAGE, "current", "203,100件")
    });
    write_at(
        &inbox_dir.join("企画部_目標指標_修正版2.xlsx"),
        &kikaku,
        100,
    );
    // the sample's own workbook renamed (no identifying sheet): recognised by the name in the
    // file name; the same content as installed
    write_at(
        &inbox_dir.join("R3指標（健康福祉部）.xlsx"),
        &old("kenko-fukushi"),
        100,
    );
    // sent twice: the newer wins
    let somu_new = prefilled(d, "somu", |p| {
        set_value(
            p,
            "indicators",
            "安全安心・市民協働パトロールへの参加人数",
            "current",
            "3,600人",
        )
    });
    write_at(
        &inbox_dir.join("somu (1).xlsx"),
        &prefilled(d, "somu", |_| {}),
        5000,
    );
    write_at(&inbox_dir.join("総務部_最終.xlsx"), &somu_new, 10);
    // broken: an error value and an empty name
    let kodomo = prefilled(d, "kodomo", |p| {
        let t = p
            .tables
            .iter_mut()
            .find(|t| t.config.id == "indicators")
            .unwrap();
        let rows: Vec<_> = t
            .rows
            .iter_mut()
            .filter(|r| r.department.as_deref() == Some("kodomo"))
            .collect();
        assert!(rows.len() >= 2);
        let mut rows = rows.into_iter();
        rows.next()
            .unwrap()
            .values
            .insert("current".into(), Value::from_text("#DIV/0!"));
        rows.next().unwrap().name = String::new();
    });
    write_at(&inbox_dir.join("子ども政策部_R3.xlsx"), &kodomo, 100);
    // foreign: a workbook of no department, a text file, a hostile .xls, a link out
    fs::copy(
        repo().join("tests/fixtures/calamine/any_sheets.xlsx"),
        inbox_dir.join("予算書.xlsx"),
    )
    .unwrap();
    fs::write(inbox_dir.join("メモ.txt"), "提出します").unwrap();
    fs::copy(
        repo().join("tests/fixtures/crafted/dimensions_bomb.xls"),
        inbox_dir.join("kyoiku.xls"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", inbox_dir.join("passwd.xlsx")).unwrap();
    // ambiguous: named for 総務部, holding 企画部's codes
    write_at(&inbox_dir.join("総務部.xlsx"), &old("kikaku"), 100);
    // Excel's lock file is not a submission
    fs::write(inbox_dir.join("~$企画部_目標指標_修正版2.xlsx"), "lock").unwrap();

    let report = intake(d, &[inbox_dir.to_path_buf()], SystemTime::now())
        .unwrap()
        .unwrap();
    let board = &report.board;
    let line = |id: &str| board.departments.iter().find(|l| l.id == id).unwrap();

    // 企画部: installed, the change said as `diff` says it, the old version kept
    let k = line("kikaku");
    assert_eq!(k.state, State::Installed);
    let changes: Vec<String> = k
        .changes
        .iter()
        .map(|c| hakusho::messages::change_text(c, hakusho_diagnostics::Lang::Ja))
        .collect();
    assert_eq!(
        changes,
        [format!(
            "目標指標!G4 実績: 202,850件 → 203,100件（{HOMEPAGE}）"
        )]
    );
    assert_eq!(installed(d, "kikaku"), kikaku);
    let history = d.join(k.history.as_ref().unwrap());
    assert!(k
        .history
        .as_ref()
        .unwrap()
        .starts_with("sources/workbooks/history/kikaku/"));
    assert_eq!(fs::read(&history).unwrap(), old("kikaku"));

    // 健康福祉部: the same bytes, nothing replaced, no version kept
    let kf = line("kenko-fukushi");
    assert_eq!(kf.state, State::Unchanged);
    assert!(kf.history.is_none());
    assert_eq!(installed(d, "kenko-fukushi"), old("kenko-fukushi"));

    // 総務部: the newer of two files
    let s = line("somu");
    assert_eq!(s.state, State::Installed);
    assert!(s.file.as_ref().unwrap().ends_with("総務部_最終.xlsx"));
    assert_eq!(installed(d, "somu"), somu_new);
    assert_eq!(s.changes.len(), 1, "{:?}", s.changes);

    // 子ども政策部: refused, the installed workbook untouched, a marked-up copy written
    let kd = line("kodomo");
    assert_eq!(kd.state, State::Refused);
    assert_eq!((kd.errors, kd.warnings), (2, 0));
    assert_eq!(installed(d, "kodomo"), old("kodomo"));
    assert_eq!(kd.markup.as_deref(), Some("build/intake/kodomo-指摘.xlsx"));

    // the rest: not submitted, listed first; 市民部 asked for nothing
    assert_eq!(line("kyoiku").state, State::NotSubmitted);
    assert_eq!(installed(d, "kyoiku"), old("kyoiku"));
    assert_eq!(line("shimin").state, State::NoWorkbook);
    let order: Vec<State> = hakusho::intake::shown_order(board)
        .iter()
        .map(|l| l.state)
        .collect();
    let first_other = order
        .iter()
        .position(|s| *s != State::NotSubmitted)
        .unwrap();
    assert!(order[first_other..]
        .iter()
        .all(|s| *s != State::NotSubmitted));

    // every file not taken has its line, with its reason
    let reason = |name: &str| {
        board
            .others
            .iter()
            .find(|o| o.file.ends_with(name))
            .unwrap_or_else(|| panic!("{name}: {:?}", board.others))
            .reason
            .clone()
    };
    assert!(
        matches!(reason("somu (1).xlsx"), Reason::Superseded { department, .. } if department == "somu")
    );
    assert_eq!(reason("予算書.xlsx"), Reason::UnknownDepartment);
    assert!(
        matches!(reason("メモ.txt"), Reason::Unreadable(m) if m.ja.contains("ワークブックではありません"))
    );
    assert!(matches!(reason("kyoiku.xls"), Reason::Unreadable(_)));
    #[cfg(unix)]
    assert!(matches!(reason("passwd.xlsx"), Reason::Unreadable(m) if m.ja.contains("リンク")));
    assert_eq!(
        reason("/総務部.xlsx"),
        Reason::Ambiguous {
            departments: vec!["kikaku".into(), "somu".into()]
        }
    );
    assert_eq!(board.others.len(), 6, "{:?}", board.others);

    // nothing half-written or left over; only the two installed workbooks and their
    // history changed under sources/workbooks
    let files = files_under(&d.join("sources/workbooks"));
    assert!(
        files.iter().all(|f| !f.to_string_lossy().contains(".tmp")),
        "{files:?}"
    );
    assert_eq!(
        files.iter().filter(|f| f.starts_with("history")).count(),
        2,
        "{files:?}"
    );
    assert!(!d.join("build/intake/.staging").exists());
    // the project as installed is clean
    model(d);

    // the marked-up workbook read back by `check` gives the same problems at the same cells
    let markup = d.join("build/intake/kodomo-指摘.xlsx");
    let again = hakusho_sources::check_files(d, std::slice::from_ref(&markup));
    let cells = |diags: &hakusho_diagnostics::Diagnostics| {
        let mut v: Vec<(String, u32, u32, String)> = diags
            .iter()
            .filter_map(|d| match &d.location {
                Location::Cell {
                    sheet, row, col, ..
                } => Some((sheet.clone(), *row, *col, d.ja.clone())),
                _ => None,
            })
            .collect();
        v.sort();
        v
    };
    let at_intake: hakusho_diagnostics::Diagnostics = {
        let mut x = hakusho_diagnostics::Diagnostics::new();
        for diag in report.diagnostics.iter() {
            if diag
                .location
                .path()
                .is_some_and(|p| p.ends_with("子ども政策部_R3.xlsx"))
            {
                x.push(diag.clone());
            }
        }
        x
    };
    assert_eq!(cells(&at_intake).len(), 2, "{at_intake:?}");
    assert_eq!(cells(&again), cells(&at_intake));
    assert_eq!(again.len(), at_intake.len(), "{again:?}");

    // `hakusho status` shows the same board (not submitted first), and the CLI's intake of
    // the corrected workbook installs it
    let status = hakusho(d, &["status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{text}");
    assert!(d.join("build/intake/status.xlsx").is_file());
    let not_submitted = text.find("教育部（kyoiku）").unwrap();
    let refused = text.find("子ども政策部（kodomo）").unwrap();
    assert!(not_submitted < refused, "{text}");
    assert!(text.contains("要修正"), "{text}");
    assert!(
        text.contains(&format!("202,850件 → 203,100件（{HOMEPAGE}）")),
        "{text}"
    );

    let fixed = tempfile::tempdir().unwrap();
    write_at(
        &fixed.path().join("子ども政策部_R3_修正.xlsx"),
        &prefilled(d, "kodomo", |_| {}),
        1,
    );
    let run = hakusho(d, &["intake", fixed.path().to_str().unwrap()]);
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let board = hakusho::intake::previous_board(d, &model(d));
    let kd = board.departments.iter().find(|l| l.id == "kodomo").unwrap();
    assert_eq!(kd.state, State::Installed);
    assert!(
        !markup.exists(),
        "the marked-up copy of the refused version is gone"
    );
    // the earlier submissions of this cycle stay on the board
    let k = board.departments.iter().find(|l| l.id == "kikaku").unwrap();
    assert_eq!(k.state, State::Installed);

    // a broken resubmission after an installed one: refused, the installed one stays and the
    // board says so
    let installed_before = installed(d, "kikaku");
    let broken = prefilled(d, "kikaku", |p| {
        set_value(p, "indicators", HOMEPAGE, "current", "#REF!")
    });
    let again = tempfile::tempdir().unwrap();
    write_at(&again.path().join("企画部_再提出.xlsx"), &broken, 1);
    let run = hakusho(d, &["intake", again.path().to_str().unwrap()]);
    let out = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert_eq!(installed(d, "kikaku"), installed_before);
    assert!(out.contains("要修正（先に取り込んだ版のまま）"), "{out}");
    assert!(
        out.contains("企画部_目標指標_修正版2.xlsx がそのまま使われます"),
        "{out}"
    );
}

#[test]
fn nothing_given_or_a_broken_project_is_said_not_crashed() {
    let dir = project_copy();
    let run = hakusho(dir.path(), &["intake"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("取り込むフォルダかファイル"));
    fs::remove_file(dir.path().join("sources/hakusho.yaml")).unwrap();
    let run = hakusho(dir.path(), &["intake", "sources/workbooks/kikaku.xlsx"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("何も取り込んでいません"));
}

#[test]
fn a_workbook_asking_for_another_year_is_taken_with_a_warning() {
    let dir = project_copy();
    let d = dir.path();
    // written from this year's configuration: it asks for next year's figures
    let somu = hakusho::workbook::workbook_bytes(&model(d), "somu")
        .unwrap()
        .unwrap();
    let inbox = tempfile::tempdir().unwrap();
    fs::write(inbox.path().join("総務部.xlsx"), &somu).unwrap();
    let report = intake(d, &[inbox.path().to_path_buf()], SystemTime::now())
        .unwrap()
        .unwrap();
    let s = report
        .board
        .departments
        .iter()
        .find(|l| l.id == "somu")
        .unwrap();
    assert_eq!(s.state, State::Installed);
    assert_eq!((s.errors, s.warnings), (0, 1));
    let warning = report.diagnostics.iter().next().unwrap();
    assert!(
        warning.ja.contains("令和3年度の値を提出するためのもの")
            && warning.ja.contains("fiscal_year を 2021 に直してください"),
        "{}",
        warning.ja
    );
}

// every file of calamine's test corpus and the crafted bombs: each gets its line, none is
// taken, nothing panics, nothing under sources/ changes
#[test]
fn a_folder_of_hostile_and_foreign_files_gets_one_line_each() {
    let dir = project_copy();
    let d = dir.path();
    let before = files_under(&d.join("sources"));
    let folders = ["tests/fixtures/calamine", "tests/fixtures/crafted"];
    let paths = folders.map(|f| repo().join(f).to_string_lossy().into_owned());
    let mut args = vec!["intake"];
    args.extend(paths.iter().map(String::as_str));
    let run = hakusho(d, &args);
    let out = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{out}");
    let board = hakusho::intake::previous_board(d, &model(d));
    let files: usize = folders
        .iter()
        .map(|f| {
            fs::read_dir(repo().join(f))
                .unwrap()
                .filter(|e| {
                    !e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with('.')
                })
                .count()
        })
        .sum();
    assert_eq!(board.others.len(), files, "{out}");
    assert!(board
        .departments
        .iter()
        .all(|l| matches!(l.state, State::NotSubmitted | State::NoWorkbook)));
    assert_eq!(files_under(&d.join("sources")), before);
}

// an intake killed at any moment leaves every department's workbook old or new, never a part,
// and the next intake finishes the job
#[test]
fn an_interrupted_intake_leaves_each_workbook_old_or_new() {
    let dir = project_copy();
    let d = dir.path();
    let ids: Vec<String> = model(d)
        .departments
        .iter()
        .map(|x| x.id.clone())
        .filter(|id| d.join(format!("sources/workbooks/{id}.xlsx")).is_file())
        .collect();
    let inbox = tempfile::tempdir().unwrap();
    let mut news = Vec::new();
    for id in &ids {
        let bytes = prefilled(d, id, |p| {
            for t in &mut p.tables {
                for r in t
                    .rows
                    .iter_mut()
                    .filter(|r| r.department.as_deref() == Some(id))
                {
                    r.note = "改訂".into();
                }
            }
        });
        fs::write(inbox.path().join(format!("{id}-提出.xlsx")), &bytes).unwrap();
        news.push(bytes);
    }
    let olds: Vec<Vec<u8>> = ids.iter().map(|id| installed(d, id)).collect();
    for delay_ms in [0, 10, 30, 60, 100, 150, 250] {
        for (id, old) in ids.iter().zip(&olds) {
            fs::write(d.join(format!("sources/workbooks/{id}.xlsx")), old).unwrap();
        }
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hakusho"))
            .arg("-C")
            .arg(d)
            .arg("intake")
            .arg(inbox.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        for ((id, old), new) in ids.iter().zip(&olds).zip(&news) {
            let now = installed(d, id);
            assert!(now == *old || now == *new, "{id} after {delay_ms} ms");
        }
        // the project reads (left-over temporary files are hidden names, not workbooks)
        model(d);
    }
    let run = hakusho(d, &["intake", inbox.path().to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    for (id, new) in ids.iter().zip(&news) {
        assert_eq!(&installed(d, id), new, "{id}");
    }
    let names: Vec<PathBuf> = files_under(&d.join("sources/workbooks"))
        .into_iter()
        .filter(|f| !f.starts_with("history"))
        .collect();
    assert_eq!(names.len(), ids.len(), "{names:?}");
}
