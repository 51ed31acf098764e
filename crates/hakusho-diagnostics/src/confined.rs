//! The one way hakusho reads a file: checked to be a regular file (inside the project, for
//! project files) before it is opened, and read with a size cap.
//!
//! Why one reader: a symlink such as `sources/workbooks/somu.xlsx -> /dev/zero` made a size check
//! on `metadata().len()` (0 for a device) pass and `fs::read` fill memory; a FIFO made `open`
//! block forever; a link to `/etc/passwd` was parsed and echoed in a message. Every file is now
//! resolved (symlinks followed), confined to the canonical project root, checked to be a regular
//! file, opened without blocking, checked again on the open handle, and read at most
//! `max_bytes + 1` bytes.
//!
//! * [`read`] / [`read_text`]: a project file, `root` + a relative path.
//! * [`read_named`]: a path the user typed on the command line (it may be outside the project,
//!   a clerk checking a file in their Downloads) — still a regular file, still capped.
//! * [`read_source`]: picks one of the two from a (real path, display path) pair, for the readers
//!   that are handed `root.join(display)`.
//! * [`resolve`]: the checks without reading (to stat a file, or hand it to a child); [`open`]:
//!   the checks, then a handle to stream (to hash a file).

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::{Diagnostic, Location, Message};

const MIB: u64 = 1024 * 1024;

/// Why a file was not read. `too_large` lets a caller replace the generic message with one
/// naming its own limit setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Boxed: the error travels in `Result`s that should stay small.
    pub diagnostic: Box<Diagnostic>,
    /// The file is larger than the cap (its size in bytes, or `max_bytes + 1` when it grew).
    pub too_large: Option<u64>,
}

impl From<ReadError> for Diagnostic {
    fn from(e: ReadError) -> Diagnostic {
        *e.diagnostic
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.en)
    }
}

impl std::error::Error for ReadError {}

impl ReadError {
    fn refused(display: &Path, ja: impl Into<String>, en: impl Into<String>) -> Self {
        ReadError {
            diagnostic: Box::new(Diagnostic::error(Location::file(display), ja, en)),
            too_large: None,
        }
    }
}

/// A file that passed the checks: its canonical path and metadata.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub real: PathBuf,
    pub metadata: Metadata,
}

/// The Japanese and English reason for an I/O error, for use inside a sentence. The Japanese
/// text never carries the operating system's English message (it follows only in English).
pub fn io_reason(e: &io::Error) -> Message {
    use io::ErrorKind as K;
    let ja = match e.kind() {
        K::NotFound => "見つかりません".to_string(),
        K::PermissionDenied => "読み書きする権限がありません".to_string(),
        K::AlreadyExists => "同じ名前のものがすでにあります".to_string(),
        K::InvalidData => "内容が壊れています".to_string(),
        K::UnexpectedEof => "途中で終わっています".to_string(),
        K::OutOfMemory => "メモリが足りません".to_string(),
        K::Interrupted | K::WouldBlock | K::TimedOut => {
            "読み書きが中断されました。もう一度実行してください".to_string()
        }
        _ => match e.raw_os_error() {
            Some(code) => format!("読み書きに失敗しました（OS のエラー番号 {code}）"),
            None => "読み書きに失敗しました".to_string(),
        },
    };
    Message::new(ja, e.to_string())
}

fn io_error(display: &Path, e: &io::Error) -> ReadError {
    let Message { ja, en } = io_reason(e);
    ReadError::refused(
        display,
        format!("ファイルを読めません: {ja}"),
        format!("cannot read the file: {en}"),
    )
}

/// Checks a project file without reading it: `root.join(rel)` with every symlink resolved must
/// lie inside the canonical `root` and be a regular file. `rel` is also the path in messages.
pub fn resolve(root: &Path, rel: &Path) -> Result<Resolved, ReadError> {
    let climbs = rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if climbs {
        return Err(outside(rel));
    }
    let real_root = std::fs::canonicalize(root).map_err(|e| {
        let Message { ja, en } = io_reason(&e);
        ReadError::refused(
            rel,
            format!("プロジェクトのフォルダを開けません: {ja}"),
            format!("cannot open the project directory: {en}"),
        )
    })?;
    let real = std::fs::canonicalize(root.join(rel)).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound
            && std::fs::symlink_metadata(root.join(rel)).is_ok_and(|m| m.is_symlink())
        {
            ReadError::refused(
                rel,
                "リンク（シンボリックリンク）ですが、リンク先がありません。リンクではなくファイルそのものを置いてください",
                "a symbolic link whose target does not exist; put the file itself here, not a link",
            )
        } else {
            io_error(rel, &e)
        }
    })?;
    if !real.starts_with(&real_root) {
        return Err(outside(rel));
    }
    regular(real, rel)
}

/// Checks a path the user named on the command line: it may lie anywhere, but must be a
/// regular file (symlinks followed). `display` is the path in messages.
pub fn resolve_named(path: &Path, display: &Path) -> Result<Resolved, ReadError> {
    let real = std::fs::canonicalize(path).map_err(|e| io_error(display, &e))?;
    regular(real, display)
}

fn outside(display: &Path) -> ReadError {
    ReadError::refused(
        display,
        "プロジェクトのフォルダの外を指しています（シンボリックリンクか「..」）。プロジェクトの外のファイルは読みません。リンクではなくファイルそのものをプロジェクトのフォルダに置いてください",
        "this leads outside the project directory (a symbolic link or '..'); files outside the project are not read; put the file itself in the project directory, not a link",
    )
}

fn regular(real: PathBuf, display: &Path) -> Result<Resolved, ReadError> {
    let metadata = std::fs::metadata(&real).map_err(|e| io_error(display, &e))?;
    check_type(&metadata, display)?;
    Ok(Resolved { real, metadata })
}

fn check_type(m: &Metadata, display: &Path) -> Result<(), ReadError> {
    if m.is_file() {
        return Ok(());
    }
    if m.is_dir() {
        return Err(ReadError::refused(
            display,
            "フォルダです。ファイルを指定してください",
            "this is a folder; give a file",
        ));
    }
    Err(ReadError::refused(
        display,
        "通常のファイルではありません（デバイス、名前付きパイプ、ソケットなど）。読みません。Excel や YAML のファイルそのものを置いてください",
        "not a regular file (a device, a named pipe, a socket...); not read; put the workbook or YAML file itself here",
    ))
}

/// Reads a project file (see [`resolve`]) of at most `max_bytes` bytes.
pub fn read(root: &Path, rel: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let r = resolve(root, rel)?;
    read_resolved(&r, rel, max_bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_text(root: &Path, rel: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let bytes = read(root, rel, max_bytes)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::refused(
            rel,
            "文字コードが UTF-8 ではありません。UTF-8 で保存し直してください",
            "the file is not UTF-8; save it as UTF-8",
        )
    })
}

/// Reads a path the user named (see [`resolve_named`]) of at most `max_bytes` bytes.
pub fn read_named(path: &Path, display: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let r = resolve_named(path, display)?;
    read_resolved(&r, display, max_bytes)
}

/// The project root `real` was built from, when `real` is `root.join(display)` with a relative
/// `display`; `None` for a path the user named.
pub fn project_root_of<'a>(real: &'a Path, display: &Path) -> Option<&'a Path> {
    if display.is_absolute() || display.as_os_str().is_empty() || !real.ends_with(display) {
        return None;
    }
    let mut root = real;
    for _ in display.components() {
        root = root.parent()?;
    }
    (!root.as_os_str().is_empty()).then_some(root)
}

/// Reads `real`, shown as `display`: confined to the project when `real` is
/// `<root>/<display>` (see [`project_root_of`]), otherwise as a path the user named.
pub fn read_source(real: &Path, display: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    match project_root_of(real, display) {
        Some(root) => read(root, display, max_bytes),
        None => read_named(real, display, max_bytes),
    }
}

/// [`resolve`] or [`resolve_named`], chosen like [`read_source`].
pub fn resolve_source(real: &Path, display: &Path) -> Result<Resolved, ReadError> {
    match project_root_of(real, display) {
        Some(root) => resolve(root, display),
        None => resolve_named(real, display),
    }
}

fn too_large(display: &Path, len: u64, max_bytes: u64) -> ReadError {
    let mb = len.div_ceil(MIB);
    let max_mb = max_bytes / MIB;
    ReadError {
        diagnostic: Box::new(Diagnostic::error(
            Location::file(display),
            format!("ファイルが大きすぎます（{mb} MiB、上限 {max_mb} MiB）。読み込みません"),
            format!("the file is too large ({mb} MiB, the limit is {max_mb} MiB); not read"),
        )),
        too_large: Some(len),
    }
}

/// Reads a file [`resolve`] accepted, rechecking the type on the open handle (the path may have
/// been swapped since) and never reading more than `max_bytes + 1` bytes.
pub fn read_resolved(r: &Resolved, display: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    if r.metadata.len() > max_bytes {
        return Err(too_large(display, r.metadata.len(), max_bytes));
    }
    let file = open_nonblocking(&r.real).map_err(|e| io_error(display, &e))?;
    let m = file.metadata().map_err(|e| io_error(display, &e))?;
    check_type(&m, display)?;
    let mut bytes = Vec::with_capacity(m.len().min(max_bytes) as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(display, &e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(display, bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

/// Opens a project file (see [`resolve`]) for streaming, e.g. to hash it; the caller bounds
/// what it reads (the handle was checked to be a regular file).
pub fn open(root: &Path, rel: &Path) -> Result<(File, Resolved), ReadError> {
    let r = resolve(root, rel)?;
    let file = open_nonblocking(&r.real).map_err(|e| io_error(rel, &e))?;
    let m = file.metadata().map_err(|e| io_error(rel, &e))?;
    check_type(&m, rel)?;
    Ok((file, r))
}

/// Opens for reading without blocking: if a FIFO was swapped in after the type check, `open`
/// returns at once (the type check on the handle then refuses it).
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("hakusho-confined-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("p/sources")).unwrap();
        d
    }

    #[test]
    fn a_regular_file_inside_the_project_is_read() {
        let d = scratch("ok");
        std::fs::write(d.join("p/sources/a.yaml"), "x: 1\n").unwrap();
        let text = read_text(&d.join("p"), Path::new("sources/a.yaml"), 100).unwrap();
        assert_eq!(text, "x: 1\n");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_leading_outside_the_project_is_refused_without_reading_it() {
        // issue 17, point 10
        let d = scratch("outside");
        std::fs::write(d.join("secret"), "password").unwrap();
        std::os::unix::fs::symlink(d.join("secret"), d.join("p/sources/a.yaml")).unwrap();
        let e = read(&d.join("p"), Path::new("sources/a.yaml"), 100).unwrap_err();
        assert!(
            e.diagnostic.ja.contains("プロジェクトのフォルダの外"),
            "{e:?}"
        );
        assert!(!e.diagnostic.ja.contains("password") && !e.diagnostic.en.contains("password"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_even_when_named_explicitly() {
        // issue 17, point 7
        let e = read_named(Path::new("/dev/zero"), Path::new("/dev/zero"), 100).unwrap_err();
        assert!(
            e.diagnostic.ja.contains("通常のファイルではありません"),
            "{e:?}"
        );
        let d = scratch("dev");
        std::os::unix::fs::symlink("/dev/zero", d.join("p/sources/a.xlsx")).unwrap();
        let e = read(&d.join("p"), Path::new("sources/a.xlsx"), 100).unwrap_err();
        assert!(
            e.diagnostic.ja.contains("プロジェクトのフォルダの外"),
            "{e:?}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn reads_stop_at_the_cap() {
        let d = scratch("cap");
        std::fs::write(d.join("p/sources/big"), vec![b'a'; 1000]).unwrap();
        let e = read(&d.join("p"), Path::new("sources/big"), 999).unwrap_err();
        assert_eq!(e.too_large, Some(1000));
        assert!(read(&d.join("p"), Path::new("sources/big"), 1000).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn climbing_names_are_refused() {
        let d = scratch("climb");
        let e = read(&d.join("p"), Path::new("../secret"), 100).unwrap_err();
        assert!(e.diagnostic.ja.contains("プロジェクトのフォルダの外"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_root_of_a_joined_path_is_found() {
        let real = Path::new("./proj/sources/a.yaml");
        assert_eq!(
            project_root_of(real, Path::new("sources/a.yaml")),
            Some(Path::new("./proj"))
        );
        assert_eq!(project_root_of(real, real), None);
        assert_eq!(
            project_root_of(Path::new("/dev/zero"), Path::new("/dev/zero")),
            None
        );
    }

    #[test]
    fn io_errors_read_in_japanese_without_english() {
        let e = io::Error::from(io::ErrorKind::NotFound);
        let Message { ja, en } = io_reason(&e);
        assert_eq!(ja, "見つかりません");
        assert!(!en.is_empty());
        let e = io::Error::from_raw_os_error(13);
        assert!(io_reason(&e).ja.contains("権限"));
        assert!(!io_reason(&e).ja.contains("denied"));
    }
}
