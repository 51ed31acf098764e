//! Issue 17, slice C, run as a hostile tester would: every file read is bounded and confined
//! to the project (points 7, 8 and 10), temporary files of killed builds go (point 12), and the
//! command line's paths, exit codes and I/O errors read right (point 11).
//!
//! Every run of the binary is under a memory limit and a time limit, so that a regression fails
//! the test instead of filling the machine's memory or hanging CI.

// pre_exec + setrlimit and mkfifo: the limits the binary runs under, a FIFO as hostile input
#![allow(unsafe_code)]

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::project_copy;

/// Enough for the sample's build; far below what reading /dev/zero reaches.
const MEMORY_LIMIT: u64 = 3 << 30;
const TIME_LIMIT: Duration = Duration::from_secs(120);

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

/// Runs `hakusho -C project args...` under [`MEMORY_LIMIT`] and [`TIME_LIMIT`]; panics (after
/// killing it) when it runs over time.
fn run(project: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hakusho"));
    cmd.arg("-C")
        .arg(project)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: MEMORY_LIMIT as libc::rlim_t,
                rlim_max: MEMORY_LIMIT as libc::rlim_t,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || std::io::read_to_string(out_pipe).unwrap());
    let err_reader = std::thread::spawn(move || std::io::read_to_string(err_pipe).unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hakusho {args:?} did not finish in {TIME_LIMIT:?} (hangs)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code: status.code(),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn replace_with_link(target: &Path, link: &Path) {
    let _ = fs::remove_file(link);
    symlink(target, link).unwrap();
}

fn assert_refused(r: &Run, file: &str, reason: &str) {
    assert_eq!(r.code, Some(1), "exit status; stderr:\n{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with(&format!("{file}: ")) && l.contains(reason)),
        "expected «{file}: …{reason}…»; stderr:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn check_refuses_a_workbook_linked_to_dev_zero() {
    // issue 17, point 7: was 23.6 GB resident, then the OOM killer
    let dir = project_copy();
    replace_with_link(
        Path::new("/dev/zero"),
        &dir.path().join("sources/workbooks/somu.xlsx"),
    );
    let r = run(dir.path(), &["check"]);
    assert_refused(
        &r,
        "sources/workbooks/somu.xlsx",
        "プロジェクトのフォルダの外",
    );
    let r = run(dir.path(), &["build"]);
    assert_refused(
        &r,
        "sources/workbooks/somu.xlsx",
        "プロジェクトのフォルダの外",
    );
}

#[test]
fn check_refuses_dev_zero_named_on_the_command_line() {
    // issue 17, point 7: `hakusho check /dev/zero` read until memory ran out
    let dir = project_copy();
    let r = run(dir.path(), &["check", "/dev/zero"]);
    assert_refused(&r, "/dev/zero", "通常のファイルではありません");
}

#[test]
fn check_refuses_a_fifo_as_a_workbook_without_hanging() {
    // issue 17, point 7: a FIFO as a workbook hung `check`
    let dir = project_copy();
    let wb = dir.path().join("sources/workbooks/somu.xlsx");
    fs::remove_file(&wb).unwrap();
    mkfifo(&wb);
    let r = run(dir.path(), &["check"]);
    assert_refused(
        &r,
        "sources/workbooks/somu.xlsx",
        "通常のファイルではありません",
    );
    let r = run(dir.path(), &["check", "sources/workbooks/somu.xlsx"]);
    assert_refused(
        &r,
        "sources/workbooks/somu.xlsx",
        "通常のファイルではありません",
    );
}

#[test]
fn a_yaml_file_linked_outside_the_project_is_refused_and_not_echoed() {
    // issue 17, point 10: `ln -sf /etc/passwd sources/departments/kikaku.yaml` was followed and
    // the whole file echoed in the error message
    let dir = project_copy();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("passwd");
    fs::write(&secret, "root:x:0:0:SECRET-ROOT-LINE:/root:/bin/bash\n").unwrap();
    replace_with_link(&secret, &dir.path().join("sources/departments/kikaku.yaml"));
    for args in [
        &["check"][..],
        &["build"],
        &["check", "sources/departments/kikaku.yaml"],
    ] {
        let r = run(dir.path(), args);
        assert_refused(
            &r,
            "sources/departments/kikaku.yaml",
            "プロジェクトのフォルダの外",
        );
        assert!(
            !r.stderr.contains("SECRET"),
            "{args:?} echoed it:\n{}",
            r.stderr
        );
        assert!(
            !r.stdout.contains("SECRET"),
            "{args:?} echoed it:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_department_id_naming_a_file_outside_the_project_is_not_read() {
    // issue 17, point 10: an absolute department id read that path plus `.yaml`, and one that
    // climbs out (`../../x`) parsed the file before refusing the id; its keys showed in messages
    let dir = project_copy();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("x.yaml"), "SECRETKEY: 1\n").unwrap();
    let config = dir.path().join("sources/hakusho.yaml");
    let original = fs::read_to_string(&config).unwrap();
    let abs = outside.path().join("x").display().to_string();
    let depth = dir.path().components().count() + 2;
    let climb = format!("{}{}", "../".repeat(depth), abs.trim_start_matches('/'));
    for id in [abs, climb] {
        let changed = original.replacen("- id: kikaku", &format!("- id: {id}"), 1);
        assert_ne!(changed, original);
        fs::write(&config, changed).unwrap();
        let r = run(dir.path(), &["check"]);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(r.stderr.contains("sources/hakusho.yaml:"), "{}", r.stderr);
        assert!(!r.stderr.contains("SECRETKEY"), "{id}: read:\n{}", r.stderr);
    }
}

#[test]
fn a_linked_template_leading_outside_the_project_is_refused() {
    // issue 17, point 10, templates: a template is read only from inside the project
    let dir = project_copy();
    let outside = tempfile::tempdir().unwrap();
    let real = outside.path().join("macros.html");
    fs::copy(dir.path().join("templates/macros.html"), &real).unwrap();
    replace_with_link(&real, &dir.path().join("templates/macros.html"));
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("templates/macros.html"), "{}", r.stderr);
    assert!(
        r.stderr.contains("プロジェクトのフォルダの外"),
        "{}",
        r.stderr
    );
}

#[test]
fn stray_devices_in_templates_and_fonts_are_not_read() {
    // issue 17, point 8: hashing the inputs read every file under templates/ and fonts/; a stray
    // /dev/zero link there took 9–11 GB
    let dir = project_copy();
    symlink("/dev/zero", dir.path().join("templates/zero.html")).unwrap();
    symlink("/dev/zero", dir.path().join("fonts/zero.ttf")).unwrap();
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("すべての文書が最新です") || r.stderr.contains("すべての文書が最新です")
    );
}

#[test]
fn temporary_files_of_a_killed_build_go_even_when_nothing_is_written() {
    // issue 17, point 12: `.booklet-*.pdf.<pid>.tmp` files stayed through builds that wrote
    // nothing
    let dir = project_copy();
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let build = dir.path().join("build");
    // a pid no process has (above the kernel's pid_max limit of 2^22)
    let stale = build.join(".booklet-somu.pdf.99999999.tmp");
    fs::write(&stale, b"%PDF-1.7 half written").unwrap();
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        !stale.exists(),
        "the stale temporary file is still in build/"
    );
}

#[test]
fn a_missing_project_directory_exits_2_in_japanese() {
    // issue 17, point 11: `-C /nonexistent` exited 1
    let missing = Path::new("/nonexistent-hakusho-project");
    for cmd in ["check", "build", "diff"] {
        let r = run(missing, &[cmd]);
        assert_eq!(r.code, Some(2), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("プロジェクトのフォルダ"),
            "{cmd}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("os error"), "{cmd}: {}", r.stderr);
    }
}

#[test]
fn io_errors_stay_out_of_japanese_messages() {
    // issue 17, point 11: `No such file or directory (os error 2)` inside Japanese sentences
    let dir = project_copy();
    let link = dir.path().join("sources/workbooks/somu.xlsx");
    replace_with_link(&dir.path().join("sources/workbooks/gone.xlsx"), &link);
    for args in [&["check"][..], &["check", "sources/workbooks/somu.xlsx"]] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.contains("sources/workbooks/somu.xlsx"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("os error"), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("No such file"), "{args:?}: {}", r.stderr);
    }
    let abs = dir.path().display().to_string();
    let r = run(dir.path(), &["check"]);
    assert!(
        !r.stderr.contains(&abs),
        "an absolute path in:\n{}",
        r.stderr
    );
}

#[test]
fn a_font_linked_to_a_device_is_refused_at_the_style_line() {
    // issue 17, point 7, fonts: the style's fonts are read through the confined, capped reader
    let dir = project_copy();
    replace_with_link(
        Path::new("/dev/zero"),
        &dir.path().join("fonts/BIZUDGothic-Bold.ttf"),
    );
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("templates/style.yaml:")
                && l.contains("fonts/BIZUDGothic-Bold.ttf")
                && l.contains("プロジェクトのフォルダの外")),
        "{}",
        r.stderr
    );
}

/// Issue 17's leftover: the files of build/ (manifest, snapshots, the PDF that is hashed) were
/// read with `fs::read`, so a FIFO there hung `build` and `diff`, and a link to /dev/zero
/// filled memory. They are read like every other input now: not a regular file inside the
/// project → as if absent (the build typesets again and writes fresh ones).
#[test]
fn files_in_build_that_are_no_regular_files_are_not_read() {
    let dir = project_copy();
    let p = dir.path();
    let first = run(p, &["build"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let build = p.join("build");
    mkfifo(&build.join(".hakusho-snapshot.json.fifo"));
    replace_with_link(
        &build.join(".hakusho-snapshot.json.fifo"),
        &build.join(".hakusho-snapshot.json"),
    );
    mkfifo(&build.join(".hakusho-snapshot.prev.json"));
    replace_with_link(
        Path::new("/dev/zero"),
        &build.join(".hakusho-manifest.json"),
    );
    replace_with_link(Path::new("/dev/zero"), &build.join("plan-summaries.pdf"));

    for args in [&["diff"][..], &["diff", "--last"][..]] {
        let r = run(p, args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("hakusho build"), "{args:?}: {}", r.stderr);
    }
    // no manifest to trust: every document is typeset again, as on a first build
    let r = run(p, &["build"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("build/plan-summaries.pdf"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
