//! The versions a proof compares against: each successful full build records what its
//! documents showed (their markup, and the snapshot of the sources) as the *current* version;
//! when a build changes something, the version before it becomes the *previous* one — the
//! default baseline of a proof, the same as `hakusho diff --last`. A proof keeps the version
//! it shows as a *round* (build/proof/rounds/<name>.json) so that a later proof can be made
//! against it (`--since <name>`).
//!
//! Files are written atomically and read back like every other input: regular files inside
//! the project, size-capped.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hakusho_diagnostics::confined;
use serde::{Deserialize, Serialize};

use crate::files::write_atomic;
use crate::snapshot::Snapshot;

const VERSION: u32 = 1;
const DIR: &str = "build/.hakusho-proof";
const CURRENT: &str = "current.json";
const PREVIOUS: &str = "prev.json";
const CURRENT_KEY: &str = "current.key";
pub const ROUNDS_DIR: &str = "build/proof/rounds";

/// Largest version file read back: a bound against a hostile file, not a budget.
const MAX_BYTES: u64 = 1 << 30;

/// What the documents showed at one build.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub version: u32,
    /// When it was built (UTC, `2026-11-30 17:45`).
    pub built: String,
    pub snapshot: Snapshot,
    /// Document name → its markup.
    pub documents: BTreeMap<String, String>,
}

impl Version {
    pub fn new(snapshot: Snapshot, documents: BTreeMap<String, String>) -> Version {
        Version {
            version: VERSION,
            built: now_utc(),
            snapshot,
            documents,
        }
    }

    /// Whether both show the same (the build time aside).
    fn same_content(&self, other: &Version) -> bool {
        self.snapshot == other.snapshot && self.documents == other.documents
    }
}

fn read(project: &Path, rel: &Path) -> Option<Version> {
    let bytes = confined::read(project, rel, MAX_BYTES).ok()?;
    serde_json::from_slice::<Version>(&bytes)
        .ok()
        .filter(|v| v.version == VERSION)
}

/// Records the version a successful full build shows as the current one; the current one
/// before it becomes the previous one. `key` identifies what the build shows (a hash of the
/// sources' snapshot and every markup): when it is the recorded one's, nothing is read, made or
/// written; when it is not, the build shows something new and the current file is renamed to
/// the previous one (not read). Returns the version when it was made (`make`).
pub fn record(
    project: &Path,
    key: &str,
    make: impl FnOnce() -> Version,
) -> io::Result<Option<Version>> {
    let dir = project.join(DIR);
    let key_rel = Path::new(DIR).join(CURRENT_KEY);
    let current_rel = Path::new(DIR).join(CURRENT);
    // the key file holds the key and the length of the current file: a current file damaged
    // or replaced since (another length) is made again
    let current_len = std::fs::metadata(project.join(&current_rel))
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let recorded = confined::read(project, &key_rel, 256).ok();
    let expected = current_len.map(|len| format!("{key} {len}"));
    if recorded.is_some() && recorded.as_deref() == expected.as_deref().map(str::as_bytes) {
        return Ok(None);
    }
    let version = make();
    // a current version of unknown content (no key: an older tool wrote it) is compared
    let replaced = recorded.is_some()
        || read(project, &current_rel).is_some_and(|old| !old.same_content(&version));
    if replaced && project.join(&current_rel).is_file() {
        std::fs::rename(dir.join(CURRENT), dir.join(PREVIOUS))?;
    }
    let len = write_current(&dir, &version)?;
    write_atomic(&dir.join(CURRENT_KEY), format!("{key} {len}").as_bytes())?;
    Ok(Some(version))
}

/// Writes the current version; returns its length in bytes.
fn write_current(dir: &Path, version: &Version) -> io::Result<usize> {
    let bytes = serde_json::to_vec(version).map_err(io::Error::other)?;
    write_atomic(&dir.join(CURRENT), &bytes)?;
    Ok(bytes.len())
}

/// The version the last corrections were made against (what `diff --last` compares with).
pub fn previous(project: &Path) -> Option<Version> {
    read(project, &Path::new(DIR).join(PREVIOUS))
}

/// The version the last corrections were made against: the last build's, when `now` shows
/// something else (corrections not built yet, or being built now); else the one before it
/// (the last build applied the corrections: as `hakusho diff --last`).
pub fn baseline(project: &Path, now: &Version) -> Option<Version> {
    let current = current(project)?;
    let differs = now
        .documents
        .iter()
        .any(|(name, markup)| current.documents.get(name) != Some(markup));
    if differs {
        Some(current)
    } else {
        previous(project)
    }
}

/// The version the last full build recorded.
pub fn current(project: &Path) -> Option<Version> {
    read(project, &Path::new(DIR).join(CURRENT))
}

/// A kept round by name.
pub fn round(project: &Path, name: &str) -> Option<Version> {
    if !is_round_name(name) {
        return None;
    }
    read(project, &Path::new(ROUNDS_DIR).join(format!("{name}.json")))
}

/// The names of the kept rounds, oldest first.
pub fn rounds(project: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project.join(ROUNDS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|n| is_round_name(n))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Keeps `version` as a round named after its build time (`20261130-1745`, a suffix when two
/// proofs fall in one minute); an identical latest round is reused. Returns its name.
pub fn keep_round(project: &Path, version: &Version) -> io::Result<String> {
    let existing = rounds(project);
    if let Some(last) = existing.last() {
        if round(project, last).is_some_and(|v| v.same_content(version)) {
            return Ok(last.clone());
        }
    }
    let base: String = version
        .built
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let base = if base.len() >= 12 {
        format!("{}-{}", &base[..8], &base[8..12])
    } else {
        "round".to_string()
    };
    let mut name = base.clone();
    let mut n = 2;
    while existing.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    let bytes = serde_json::to_vec(version).map_err(io::Error::other)?;
    write_atomic(&round_path(project, &name), &bytes)?;
    Ok(name)
}

fn round_path(project: &Path, name: &str) -> PathBuf {
    project.join(ROUNDS_DIR).join(format!("{name}.json"))
}

/// Digits, `-` and ASCII letters only: a name never leaves the rounds folder.
fn is_round_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The current time as `2026-11-30 17:45` (UTC).
fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_787), (2026, 11, 30));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn round_names_stay_in_their_folder() {
        assert!(is_round_name("20261130-1745"));
        assert!(!is_round_name("../x"));
        assert!(!is_round_name(""));
        assert!(!is_round_name("a/b"));
    }
}
