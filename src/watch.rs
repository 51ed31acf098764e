//! `hakusho watch`: builds, then watches sources/, templates/ and fonts/ and builds again after
//! each change (events are gathered until 200 ms pass without one). Only the documents whose
//! typeset input changed are typeset again (see `build`). Problems are printed as `check`
//! prints them; a failed build leaves the previous PDFs and the watch goes on. Ctrl-C ends it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use hakusho_diagnostics::Lang;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::build;

/// How long the file system must be quiet before a build starts.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// The watched directories, inside the project directory.
pub const WATCHED: [&str; 3] = ["sources", "templates", "fonts"];

pub fn run(project: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    if !project.is_dir() {
        anyhow::bail!(match lang {
            Lang::Ja => format!("プロジェクトのフォルダ {} がありません", project.display()),
            Lang::En => format!("no project directory {}", project.display()),
        });
    }
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf());
    let opts = build::Options::default();
    let mut session = build::Session::default();
    build::execute_in(&mut session, project, &opts, lang);

    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    })?;
    let mut watched = Vec::new();
    for sub in WATCHED {
        let dir = root.join(sub);
        if dir.is_dir() {
            watcher.watch(&dir, RecursiveMode::Recursive)?;
            watched.push(format!("{sub}/"));
        }
    }
    waiting(&watched, lang);

    loop {
        let Ok(first) = rx.recv() else {
            return Ok(ExitCode::SUCCESS);
        };
        let mut changed = BTreeSet::new();
        collect(&root, first, &mut changed);
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(ev) => collect(&root, ev, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Ok(ExitCode::SUCCESS),
            }
        }
        if changed.is_empty() {
            continue;
        }
        let list = changed.iter().cloned().collect::<Vec<_>>().join(", ");
        match lang {
            Lang::Ja => println!("\n変更を検出しました: {list}"),
            Lang::En => println!("\nchanged: {list}"),
        }
        build::execute_in(&mut session, project, &opts, lang);
        waiting(&watched, lang);
    }
}

fn waiting(watched: &[String], lang: Lang) {
    match lang {
        Lang::Ja => println!("{} を監視しています（Ctrl-C で終了）", watched.join(" ")),
        Lang::En => println!("watching {} (Ctrl-C to stop)", watched.join(" ")),
    }
}

/// Adds the project-relative paths of an event that may change a document: not reads, not
/// editors' hidden, backup or swap files.
fn collect(root: &Path, ev: notify::Result<notify::Event>, out: &mut BTreeSet<String>) {
    let ev = match ev {
        Ok(ev) => ev,
        Err(e) => {
            eprintln!("watch: {e}");
            return;
        }
    };
    if matches!(ev.kind, EventKind::Access(_)) {
        return;
    }
    for p in ev.paths {
        if is_noise(&p) {
            continue;
        }
        let rel = p.strip_prefix(root).map(PathBuf::from).unwrap_or(p);
        out.insert(rel.to_string_lossy().replace('\\', "/"));
    }
}

fn is_noise(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_noise_is_ignored() {
        assert!(is_noise(Path::new("sources/.kikaku.yaml.swp")));
        assert!(is_noise(Path::new("sources/~$kikaku.xlsx")));
        assert!(is_noise(Path::new("templates/booklet.html~")));
        assert!(!is_noise(Path::new("sources/departments/kikaku.yaml")));
    }
}
