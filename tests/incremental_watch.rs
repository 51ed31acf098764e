//! `hakusho watch` on a copy of the bundled project: the first build, then an edited YAML
//! paragraph rebuilds the documents that show it (and only those); an error is reported and
//! the watch goes on.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::project_copy;

/// Kills the watcher when the test ends, however it ends.
struct Watcher {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pump(mut r: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = r.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    buf
}

fn start(project: &Path) -> Watcher {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hakusho"))
        .arg("-C")
        .arg(project)
        .arg("watch")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = pump(child.stdout.take().unwrap());
    let stderr = pump(child.stderr.take().unwrap());
    Watcher {
        child,
        stdout,
        stderr,
    }
}

impl Watcher {
    /// Waits (generously: the machine may be busy) until `cond` holds.
    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if cond(&self.stdout.lock().unwrap()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\nstdout:\n{}\nstderr:\n{}",
                self.stdout.lock().unwrap(),
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn count(&self, needle: &str) -> usize {
        self.stdout.lock().unwrap().matches(needle).count()
    }
}

#[test]
fn watch_rebuilds_what_an_edit_changes_and_survives_errors() {
    let dir = project_copy();
    let p = dir.path();
    let w = start(p);
    w.wait_for("the first build", |s| s.contains("を監視しています"));
    let build = p.join("build");
    let somu = fs::read(build.join("booklet-somu.pdf")).unwrap();
    let somu_mtime = fs::metadata(build.join("booklet-somu.pdf"))
        .unwrap()
        .modified()
        .unwrap();
    let kikaku = fs::read(build.join("booklet-kikaku.pdf")).unwrap();

    // An edited paragraph of 企画部.
    let yaml = p.join("sources/departments/kikaku.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    fs::write(
        &yaml,
        text.replacen(
            "貸出用を含め計7台配置した。",
            "貸出用を含め計8台配置した。",
            1,
        ),
    )
    .unwrap();
    w.wait_for("the rebuild", |s| {
        s.matches("を監視しています").count() >= 2
    });
    let out = w.stdout.lock().unwrap().clone();
    assert!(
        out.contains("変更を検出しました: sources/departments/kikaku.yaml"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("build/booklet-kikaku.pdf（")
                && l.ends_with("ページ）— 変更: sources/departments/kikaku.yaml")),
        "{out}"
    );
    let rebuild = &out[out.find("変更を検出しました").unwrap()..];
    assert!(!rebuild.contains("build/booklet-somu.pdf"), "{out}");
    assert_ne!(fs::read(build.join("booklet-kikaku.pdf")).unwrap(), kikaku);
    let report =
        hakusho_pdfcheck::inspect(&fs::read(build.join("booklet-kikaku.pdf")).unwrap()).unwrap();
    assert!(report.text_without_whitespace().contains("計8台配置した"));
    assert_eq!(fs::read(build.join("booklet-somu.pdf")).unwrap(), somu);
    assert_eq!(
        fs::metadata(build.join("booklet-somu.pdf"))
            .unwrap()
            .modified()
            .unwrap(),
        somu_mtime
    );

    // A broken template: reported, nothing written, still watching.
    let before = w.count("を監視しています");
    let tmpl = p.join("templates/booklet.html");
    let good = fs::read_to_string(&tmpl).unwrap();
    fs::write(
        &tmpl,
        good.replacen("{{ dept.name }}", "{{ dept.nmae }}", 1),
    )
    .unwrap();
    w.wait_for("the failed build", |s| {
        s.matches("を監視しています").count() > before
    });
    assert!(
        w.stderr.lock().unwrap().contains("templates/booklet.html:"),
        "{}",
        w.stderr.lock().unwrap()
    );
    assert_eq!(fs::read(build.join("booklet-somu.pdf")).unwrap(), somu);

    // Fixed again: the watch is alive and builds.
    let before = w.count("を監視しています");
    fs::write(&tmpl, good).unwrap();
    w.wait_for("the build after the fix", |s| {
        s.matches("を監視しています").count() > before
    });
    let out = w.stdout.lock().unwrap().clone();
    assert!(out.trim_end().ends_with("（Ctrl-C で終了）"), "{out}");
}
