//! build/.hakusho-manifest.json: what the last successful build wrote, per document — the
//! fingerprint of what was typeset (markup + style + fonts + tool), the blake3 of the PDF as
//! written (to notice a PDF deleted or edited by hand), its page count, and the fingerprints of
//! the input files the document uses (to say which of them changed).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use hakusho_diagnostics::confined;
use serde::{Deserialize, Serialize};

use crate::files::write_atomic;

pub const MANIFEST_FILE: &str = ".hakusho-manifest.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// The tool that wrote it (see `tool_id`).
    pub tool: String,
    pub documents: BTreeMap<String, Entry>,
    /// Fingerprint of the source files when the proofreading snapshot was taken.
    #[serde(default)]
    pub sources: String,
    /// Large input files (fonts) by path: size and mtime with their blake3, so an unchanged
    /// font is not read again.
    #[serde(default)]
    pub stamps: BTreeMap<String, Stamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub len: u64,
    pub mtime_ns: u128,
    pub hash: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    /// blake3 of what was typeset.
    pub fingerprint: String,
    /// blake3 of the PDF bytes written.
    pub pdf: String,
    pub pages: usize,
    /// The input files the document uses → their blake3 at that build.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// The print file written last (`--print`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print: Option<PrintEntry>,
}

/// What the last `--print` build wrote of a document: what was typeset (the document's
/// fingerprint with the print settings) and the blake3 of build/print/<name>.pdf.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintEntry {
    pub fingerprint: String,
    pub pdf: String,
}

/// Largest manifest read back: far above what the largest benchmark project writes; a bound
/// against a hostile file, not a budget.
pub const MANIFEST_MAX_BYTES: u64 = 256 << 20;

impl Manifest {
    /// The manifest in the project's build/, or an empty one (absent, refused, unreadable,
    /// other version). Read like every other input: a regular file inside the project, capped.
    pub fn load(project: &Path) -> Manifest {
        confined::read(
            project,
            &Path::new("build").join(MANIFEST_FILE),
            MANIFEST_MAX_BYTES,
        )
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .filter(|m| m.version == VERSION)
        .unwrap_or_default()
    }

    pub fn save(&mut self, build_dir: &Path, tool: &str) -> io::Result<()> {
        self.version = VERSION;
        self.tool = tool.to_string();
        let json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        write_atomic(&build_dir.join(MANIFEST_FILE), &json)
    }
}

/// What identifies the tool for fingerprints: its version and the executable's size and
/// modification time (a rebuilt or reinstalled binary may typeset differently, so every
/// document is typeset again).
pub fn tool_id() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::metadata(p).ok())
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{}/{}", m.len(), mtime)
        })
        .unwrap_or_default();
    format!("hakusho {} {exe}", env!("CARGO_PKG_VERSION"))
}
