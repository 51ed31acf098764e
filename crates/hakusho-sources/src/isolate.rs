//! Reading an old-format workbook (`.xls`) in a child process first.
//!
//! A `.xls` is an OLE2 compound file holding BIFF records; calamine parses every sheet when the
//! file is opened and trusts the counts the file declares. A crafted `DIMENSIONS` record (a sheet
//! claiming 268 million rows × 65,535 columns) makes it reserve hundreds of terabytes, which
//! aborts the process (an allocation failure is not a panic: `catch_unwind` cannot recover it).
//! The zip formats are inspected by [`crate::guard`] before calamine sees them; a `.xls` is not
//! inspectable that cheaply, so it is *probed*: the program re-executes itself with the hidden
//! argument [`PROBE_ARG`], and the child opens the file and reads every sheet under a memory
//! limit (`max_read_mb`, set with `setrlimit(RLIMIT_AS)` on Unix) and a time limit
//! (`max_read_seconds`, the parent kills the child). Only when the child finishes normally is the
//! file read in the main process; an abort, a signal or a timeout becomes a clear message naming
//! the limit.
//!
//! The binary opts in with [`child_main_if_requested`] (first thing in `main`) and [`enable`].
//! A library user that does not (tests, examples) reads `.xls` files in process, relying on
//! calamine's own caps.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::guard::{over_limit, Limits};
use hakusho_diagnostics::Message;

/// The hidden first argument that makes the program a probe child.
pub const PROBE_ARG: &str = "__hakusho-probe-workbook";

/// What a child prints on stdout when it read the file to the end (with data or a clean error).
const DONE: &str = "hakusho-probe-done";

/// Above this, an allocation request is a broken file, not a limit worth raising (64 GiB).
const ABSURD_BYTES: u64 = 64 << 30;

static CHILD_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Probes `.xls` files with `exe` (a program that calls [`child_main_if_requested`] first).
pub fn enable(exe: PathBuf) {
    let _ = CHILD_EXE.set(exe);
}

/// [`enable`] with the running program, if its path is known.
pub fn enable_current_exe() {
    if let Ok(exe) = std::env::current_exe() {
        enable(exe);
    }
}

/// Whether `.xls` files are probed in a child process.
pub fn enabled() -> bool {
    CHILD_EXE.get().is_some()
}

/// In `main`, before parsing the command line: when the program was started as a probe child,
/// does the probe and returns the exit code to end with.
pub fn child_main_if_requested() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != PROBE_ARG {
        return None;
    }
    let rest: Vec<OsString> = args.collect();
    Some(child_main(&rest))
}

fn child_main(args: &[OsString]) -> ExitCode {
    let [limits, path] = args else {
        eprintln!("usage: {PROBE_ARG} LIMITS-YAML FILE");
        return ExitCode::from(2);
    };
    let limits: Limits = match limits.to_str().map(serde_yaml::from_str) {
        Some(Ok(l)) => l,
        _ => {
            eprintln!("{PROBE_ARG}: bad limits");
            return ExitCode::from(2);
        }
    };
    limit_memory(limits.max_read_mb);
    limit_cpu(limits.max_read_seconds);
    // A clean error is fine: the main process will read the file again and report it.
    let result = crate::workbook::read_all_sheets(Path::new(path), &limits);
    match result {
        Ok(sheets) => println!("{DONE} ok {}", sheets.len()),
        Err(m) => println!("{DONE} error {}", m.en),
    }
    ExitCode::SUCCESS
}

#[cfg(target_os = "linux")]
fn current_address_space() -> u64 {
    // first field of statm: total program size in pages
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * if page > 0 { page as u64 } else { 4096 }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn current_address_space() -> u64 {
    0
}

/// Caps the child's address space at what it uses now plus `mb` MiB: an allocation beyond it
/// fails (and aborts the child, not the main process).
#[cfg(unix)]
fn limit_memory(mb: u64) {
    let bytes = current_address_space().saturating_add(mb.saturating_mul(1024 * 1024));
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass; failure leaves the limit unchanged.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &lim);
    }
}

#[cfg(unix)]
fn limit_cpu(seconds: u64) {
    let s = seconds.saturating_add(1);
    let lim = libc::rlimit {
        rlim_cur: s as libc::rlim_t,
        rlim_max: s as libc::rlim_t,
    };
    // SAFETY: as above.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CPU, &lim);
    }
}

#[cfg(not(unix))]
fn limit_memory(_mb: u64) {}

#[cfg(not(unix))]
fn limit_cpu(_seconds: u64) {}

/// Probes `real` in a child process when [`enable`]d; `Ok` when the child read it to the end.
pub(crate) fn probe(real: &Path, limits: &Limits) -> Result<(), Message> {
    let Some(exe) = CHILD_EXE.get() else {
        return Ok(());
    };
    let limits_yaml = serde_yaml::to_string(limits).unwrap_or_default();
    let mut child = match Command::new(exe)
        .arg(PROBE_ARG)
        .arg(&limits_yaml)
        .arg(real)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        // cannot isolate (no process creation allowed...): read in process as before
        Err(_) => return Ok(()),
    };
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            if let Some(mut r) = r {
                let mut buf = [0u8; 8192];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if kept.len() < 16 * 1024 {
                        kept.extend_from_slice(&buf[..n]);
                    }
                }
            }
            String::from_utf8_lossy(&kept).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + Duration::from_secs(limits.max_read_seconds.max(1));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(over_limit(
            "max_read_seconds",
            format!(
                "古い形式 (.xls) のファイルの読み込みが {} 秒で終わりません",
                limits.max_read_seconds
            ),
            format!(
                "reading the old-format (.xls) file did not finish in {} seconds",
                limits.max_read_seconds
            ),
            limits.max_read_seconds,
        ));
    };
    if status.success() && stdout.contains(DONE) {
        return Ok(());
    }
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        let bytes = stderr
            .split("memory allocation of ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok());
        // an absurd request (far beyond any real workbook): broken, not a limit to raise
        if bytes.is_some_and(|b| b > ABSURD_BYTES) {
            let mib = bytes.unwrap_or(0).div_ceil(1024 * 1024);
            return Err(Message {
                ja: format!("古い形式 (.xls) のファイルが異常な大きさ（{mib} MiB）のメモリを要求しました。ファイルが壊れているか、不正に作られています。Excel で開いて .xlsx 形式で保存し直してください"),
                en: format!("the old-format (.xls) file asks for an absurd amount of memory ({mib} MiB); it is damaged or crafted: open it in Excel and save it as .xlsx"),
            });
        }
        let (ja, en) = match bytes {
            Some(b) => (
                format!("（{} MiB を確保しようとしました）", b.div_ceil(1024 * 1024)),
                format!(" (it tried to allocate {} MiB)", b.div_ceil(1024 * 1024)),
            ),
            None => (String::new(), String::new()),
        };
        return Err(over_limit(
            "max_read_mb",
            format!("古い形式 (.xls) のファイルを読むのに必要なメモリが上限を超えました{ja}。ファイルが壊れているか、異常に大きな範囲が宣言されています。Excel で開いて .xlsx 形式で保存し直してください"),
            format!("reading the old-format (.xls) file needs more memory than allowed{en}; the file is damaged or declares an absurd range: open it in Excel and save it as .xlsx"),
            limits.max_read_mb,
        ));
    }
    let how = describe_exit(&status);
    Err(Message {
        ja: format!("古い形式 (.xls) のファイルを読む途中で読み取りライブラリが異常終了しました（{how}）。ファイルが壊れている可能性があります。Excel で開いて .xlsx 形式で保存し直してください"),
        en: format!("the spreadsheet library crashed while reading the old-format (.xls) file ({how}); the file may be damaged: open it in Excel and save it as .xlsx"),
    })
}

fn describe_exit(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exit {c}"),
        None => "unknown".to_string(),
    }
}
