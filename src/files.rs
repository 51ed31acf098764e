//! Writing files so that readers see the old or the new content, never a part (build/'s
//! PDFs, manifest and snapshots).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory: write, fsync the
/// file, rename over `path`, fsync the directory. Readers see the old or the new content, never
/// a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.trim_start_matches('.'),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// fsync a directory so renames inside it survive a crash (best effort: not every platform or
/// file system can open a directory).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A path as shown and stored: forward slashes.
pub fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
