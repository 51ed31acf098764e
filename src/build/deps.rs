//! What each document depends on: the model parts it shows (`config`, `plan`,
//! `department:<id>`, `table:<table>:<group>` ... as in [`hakusho_sources::Input::parts`]), the
//! templates it is made of, the style sheet and the fonts; and the fingerprints of those files.
//!
//! Whether a document is typeset again is decided exactly, by the fingerprint of its rendered
//! markup (see `driver.rs`). The dependencies here explain *why* a document changed ("変更:
//! sources/departments/kikaku.yaml") and group `hakusho diff`'s changes by document. The model
//! parts and templates are those its render read ([`crate::render::record`]), not guessed from
//! template text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hakusho_diagnostics::confined;
use hakusho_sources::Project;

use super::Job;
use crate::render::record::RecordedDeps;

/// The dependencies of one document.
#[derive(Debug, Clone, Default)]
pub struct DocDeps {
    /// Part patterns: a part name, or one with `*` segments (`table:indicators:*`: a template
    /// read a whole table's rows).
    pub parts: BTreeSet<String>,
    /// Project-relative paths of files the document uses directly (the templates its render
    /// loaded, the style sheet, fonts, the department's own workbook).
    pub files: BTreeSet<String>,
}

impl DocDeps {
    /// Whether a model part (`department:kikaku`, `table:indicators:1-1`) feeds this document.
    pub fn covers(&self, part: &str) -> bool {
        self.parts.iter().any(|p| part_matches(p, part))
    }

    /// Whether an input file (with the parts it feeds) is one this document uses.
    pub fn uses(&self, path: &str, parts: &[String]) -> bool {
        self.files.contains(path) || parts.iter().any(|p| self.covers(p))
    }
}

/// `pattern` matches `part` when both have the same number of `:` segments and each pattern
/// segment is `*` or equal.
pub fn part_matches(pattern: &str, part: &str) -> bool {
    let a: Vec<&str> = pattern.split(':').collect();
    let b: Vec<&str> = part.split(':').collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| *x == "*" || x == y)
}

/// The dependencies of `job`: what its render read (`recorded`: model parts, templates, see
/// [`crate::render::record`]), `config` (every document depends on hakusho.yaml), the style
/// sheet, `fonts` and, for a department's document, that department's workbook
/// (project-relative paths).
pub fn of_document(
    project: &Project,
    job: &Job,
    recorded: RecordedDeps,
    fonts: &[String],
) -> DocDeps {
    let RecordedDeps {
        mut parts,
        mut files,
    } = recorded;
    parts.insert("config".into());
    if let Some(wb) = job
        .department
        .as_deref()
        .and_then(|id| project.department(id))
        .and_then(|d| d.workbook.as_ref())
    {
        files.insert(slash(wb));
    }
    files.insert(STYLE_PATH.into());
    files.extend(fonts.iter().cloned());
    DocDeps { parts, files }
}

/// The style sheet, relative to the project directory.
pub const STYLE_PATH: &str = "templates/style.yaml";

pub use crate::files::slash;

/// The font files the style sheet names (project-relative), in the style's order; empty when
/// the style cannot be read (typesetting will report that).
pub fn style_fonts(project: &Path) -> Vec<String> {
    let Ok(text) = confined::read_text(project, Path::new(STYLE_PATH), TEXT_MAX_BYTES) else {
        return Vec::new();
    };
    match hakusho_typeset::Style::parse(&text, STYLE_PATH) {
        Ok(file) => file.fonts.values().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// Largest template or style sheet read (their loaders refuse larger ones with a message).
pub const TEXT_MAX_BYTES: u64 = crate::render::TEMPLATE_MAX_BYTES;

/// blake3 of a project file's bytes (hex), streamed; `"missing"` when it cannot be read and
/// `"refused"` when it is no regular file inside the project (its reader reports that).
pub fn hash_file(project: &Path, rel: &str) -> String {
    let Ok((mut file, _)) = confined::open(project, Path::new(rel)) else {
        return if project.join(rel).exists() {
            "refused".into()
        } else {
            "missing".into()
        };
    };
    let mut h = blake3::Hasher::new();
    match std::io::copy(&mut file, &mut h) {
        Ok(_) => h.finalize().to_hex().to_string(),
        Err(_) => "missing".into(),
    }
}

/// Every input file of the build with its parts: the sources (from `Project::inputs()`), and
/// the files the documents use (`used`: templates they reach, the style sheet, the fonts).
/// Nothing else under templates/ or fonts/ is read: a stray file there costs nothing.
pub fn all_inputs<'a>(
    project: &Project,
    used: impl IntoIterator<Item = &'a String>,
) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = project
        .inputs()
        .iter()
        .map(|i| (slash(&i.path), i.parts.clone()))
        .collect();
    let known: BTreeSet<String> = out.iter().map(|(p, _)| p.clone()).collect();
    let extra: BTreeSet<&String> = used.into_iter().filter(|f| !known.contains(*f)).collect();
    out.extend(extra.into_iter().map(|f| (f.clone(), Vec::new())));
    out
}

/// A stamp is kept only for a file last modified at least this long before it was hashed: a
/// file system with coarse timestamps (FAT: 2 s) could otherwise show an edit made in the same
/// tick with the same size as unchanged.
const RACY_NS: u128 = 3_000_000_000;

/// Hashes the given input files (in parallel). Size and modification time are the first test:
/// a file whose size and mtime match its entry in `stamps` keeps the recorded hash without
/// being read; `stamps` is updated.
pub fn hash_inputs(
    project: &Path,
    inputs: &[(String, Vec<String>)],
    stamps: &mut BTreeMap<String, super::manifest::Stamp>,
) -> BTreeMap<String, String> {
    use rayon::prelude::*;
    let known = &*stamps;
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let hashed: Vec<(String, String, Option<super::manifest::Stamp>)> = inputs
        .par_iter()
        .map(|(p, _)| {
            // symlinks followed, then confined; a device or FIFO gets no stamp and no read
            let meta = confined::resolve(project, Path::new(p))
                .ok()
                .map(|r| r.metadata);
            let (len, mtime_ns) = meta
                .as_ref()
                .map(|m| {
                    let t = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    (m.len(), t)
                })
                .unwrap_or((0, 0));
            if meta.is_some() && mtime_ns != 0 {
                if let Some(s) = known.get(p) {
                    if s.len == len && s.mtime_ns == mtime_ns {
                        return (p.clone(), s.hash.clone(), Some(s.clone()));
                    }
                }
            }
            let hash = hash_file(project, p);
            let settled = mtime_ns != 0 && mtime_ns.saturating_add(RACY_NS) < now_ns;
            let stamp = (meta.is_some() && settled).then(|| super::manifest::Stamp {
                len,
                mtime_ns,
                hash: hash.clone(),
            });
            (p.clone(), hash, stamp)
        })
        .collect();
    stamps.clear();
    let mut out = BTreeMap::new();
    for (p, h, stamp) in hashed {
        if let Some(s) = stamp {
            stamps.insert(p.clone(), s);
        }
        out.insert(p, h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn patterns() {
        assert!(part_matches("department:*", "department:kikaku"));
        assert!(part_matches("table:*:1-1", "table:indicators:1-1"));
        assert!(!part_matches("table:*:1-1", "table:indicators:1-2"));
        assert!(!part_matches("config", "department:kikaku"));
        assert!(part_matches("config", "config"));
    }

    #[test]
    fn unchanged_size_and_mtime_keep_the_stored_hash_without_reading() {
        // issue 17, point 8: size+mtime is the first test for every input, small ones too
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        let file = dir.path().join("templates/a.html");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |content: &str| {
            fs::write(&file, content).unwrap();
            fs::File::options()
                .write(true)
                .open(&file)
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        write("<p>one</p>");
        let inputs = vec![("templates/a.html".to_string(), Vec::new())];
        let mut stamps = BTreeMap::new();
        let first = hash_inputs(dir.path(), &inputs, &mut stamps);
        // same size, same mtime: not read again (a 2 GB font is not re-read every build)
        write("<p>two</p>");
        let second = hash_inputs(dir.path(), &inputs, &mut stamps);
        assert_eq!(first, second);
        // another size: read again
        write("<p>three</p>");
        let third = hash_inputs(dir.path(), &inputs, &mut stamps);
        assert_ne!(first, third);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_among_the_inputs_is_refused_unread() {
        // issue 17, point 8: a stray /dev/zero link was read until memory ran out
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("fonts")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("fonts/z.ttf")).unwrap();
        let inputs = vec![("fonts/z.ttf".to_string(), Vec::new())];
        let h = hash_inputs(dir.path(), &inputs, &mut BTreeMap::new());
        assert_eq!(h["fonts/z.ttf"], "refused");
    }

    #[test]
    fn only_the_templates_and_fonts_a_document_uses_are_inputs() {
        // issue 17, point 8: every file under templates/ and fonts/ was hashed by every build
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (project, _) = hakusho_sources::load_project(&root);
        let project = project.expect("the sample project loads");
        let used = vec!["templates/booklet.html".to_string()];
        let inputs = all_inputs(&project, &used);
        let outside_sources: Vec<&str> = inputs
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| !p.starts_with("sources/"))
            .collect();
        assert_eq!(outside_sources, vec!["templates/booklet.html"]);
    }
}
