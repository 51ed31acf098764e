//! `hakusho check FILE` on every file a department could send: calamine's own test corpus
//! (tests/fixtures/calamine: real files from Excel, LibreOffice, gnumeric..., and files crafted
//! to crash readers) and our crafted files (tests/fixtures/crafted). Each run is its own
//! process; it must end with exit 0 or 1 and a message naming the file: never a panic, an
//! abort, a signal or a hang.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: a hang detector, not a benchmark (each file takes well under a second).
const PER_FILE: Duration = Duration::from_secs(60);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn check(file: &Path, lang: &str) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(repo())
        .args(["--lang", lang, "check"])
        .arg(file)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > PER_FILE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{}: no answer after {PER_FILE:?} (hang)", file.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
        took: started.elapsed(),
    }
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_fixture_gets_a_clear_answer() {
    let mut all = files("tests/fixtures/calamine");
    all.extend(files("tests/fixtures/crafted"));
    assert!(all.len() >= 130, "only {} fixtures", all.len());
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for f in &all {
        let r = check(f, "ja");
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(
            matches!(r.code, Some(0) | Some(1)),
            "{name}: exit {:?} (signal or crash)\nstdout: {}\nstderr: {}",
            r.code,
            r.stdout,
            r.stderr
        );
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(!text.trim().is_empty(), "{name}: no message");
        for bad in [
            "panicked",
            "memory allocation of",
            "stack backtrace",
            "RUST_BACKTRACE",
        ] {
            assert!(!text.contains(bad), "{name}: {text}");
        }
        if r.code == Some(1) {
            // the problem is reported against the file itself
            assert!(r.stderr.contains(&*name), "{name}: {}", r.stderr);
        }
        if r.took > slowest.0 {
            slowest = (r.took, f.clone());
        }
    }
    eprintln!(
        "{} files; slowest {} in {:?}",
        all.len(),
        slowest.1.display(),
        slowest.0
    );
}

#[test]
fn a_crafted_xls_that_aborts_calamine_is_refused_with_a_message() {
    // DIMENSIONS record declaring 268,435,455 rows × 65,535 columns: calamine reserves
    // ~640 TiB on open and the process aborts. Read in a child process, it is a message.
    let bomb = repo().join("tests/fixtures/crafted/dimensions_bomb.xls");
    let r = check(&bomb, "ja");
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("dimensions_bomb.xls"), "{}", r.stderr);
    assert!(r.stderr.contains("異常な大きさ"), "{}", r.stderr);
    let r = check(&bomb, "en");
    assert!(r.stderr.contains("absurd amount of memory"), "{}", r.stderr);

    // 65,536 rows × 1,024 columns declared: ~2.5 GiB, over max_read_mb = 1024: a limit the
    // message names, with how to raise it.
    let big = repo().join("tests/fixtures/crafted/dimensions_2gb.xls");
    let r = check(&big, "ja");
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("上限 max_read_mb = 1024")
            && r.stderr.contains("limits: に max_read_mb: を書いて"),
        "{}",
        r.stderr
    );
}
