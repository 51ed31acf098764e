//! `hakusho watch`: builds, then watches sources/, templates/ and fonts/ and builds again after
//! each change (events are gathered until 200 ms pass without one). Only the documents whose
//! typeset input changed are typeset again (see `build`). Problems are printed as `check`
//! prints them; a failed build leaves the previous PDFs and the watch goes on. Ctrl-C ends it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use crate::build;
use crate::messages::{self, Console};

/// How long the file system must be quiet before a build starts.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// The watched directories, inside the project directory.
pub const WATCHED: [&str; 3] = ["sources", "templates", "fonts"];

pub fn run(project: &Path, console: &mut Console) -> anyhow::Result<ExitCode> {
    let lang = console.lang;
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf());
    let opts = build::Options::default();
    let mut session = build::Session::default();
    build_and_report(&mut session, project, &opts, console)?;

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
    messages::watching(console.out, lang, &watched)?;

    loop {
        let Ok(first) = rx.recv() else {
            return Ok(ExitCode::SUCCESS);
        };
        let mut changed = BTreeSet::new();
        collect(&root, first, &mut changed, console)?;
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(ev) => collect(&root, ev, &mut changed, console)?,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Ok(ExitCode::SUCCESS),
            }
        }
        if changed.is_empty() {
            continue;
        }
        let changed: Vec<String> = changed.into_iter().collect();
        messages::change_detected(console.out, lang, &changed)?;
        build_and_report(&mut session, project, &opts, console)?;
        messages::watching(console.out, lang, &watched)?;
    }
}

/// Adds the project-relative paths of an event that may change a document: not reads, not
/// editors' hidden, backup or swap files.
fn collect(
    root: &Path,
    ev: notify::Result<notify::Event>,
    out: &mut BTreeSet<String>,
    console: &mut Console,
) -> std::io::Result<()> {
    let ev = match ev {
        Ok(ev) => ev,
        Err(e) => return messages::watch_error(console.err, console.lang, &e),
    };
    if matches!(ev.kind, EventKind::Access(_)) {
        return Ok(());
    }
    for p in ev.paths {
        if is_noise(&p) {
            continue;
        }
        let rel = p.strip_prefix(root).map(PathBuf::from).unwrap_or(p);
        out.insert(rel.to_string_lossy().replace('\\', "/"));
    }
    Ok(())
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

fn build_and_report(
    session: &mut build::Session,
    project: &Path,
    opts: &build::Options,
    console: &mut Console,
) -> std::io::Result<()> {
    let progress = crate::cmd::progress::Progress::new(console.lang);
    let report = build::build(session, project, opts, &progress);
    messages::build_report(console, &report)
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
