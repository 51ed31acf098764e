//! Step [`super::Step::Html`]: the web edition of every document whose declaration asks for it
//! (`html:` in sources/hakusho.yaml) → `build/html/<name>/` (index.html, 01.html…, all.html),
//! with the city's stylesheet `templates/web.css` copied to `build/html/web.css`.
//!
//! The pages are written from the markup the PDF was typeset from (the writer is
//! [`hakusho_typeset::html`]), after the PDFs, because each page links to its PDF with the
//! PDF's size. Like the PDFs: every page is made in memory first, then written to a temporary
//! file; only when all are written are they renamed into place, so a failure leaves the
//! previous edition as it was. A page whose bytes would not change is not rewritten (its mtime
//! stays); a page no longer made (a chapter removed) is removed.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use hakusho_diagnostics::{confined, Diagnostic, Location};
use hakusho_sources::config::{HtmlConfig, WebFont};
use hakusho_typeset::html::{self, Labels};
use hakusho_typeset::webfont;
use rayon::prelude::*;

use super::Job;
use crate::files::{slash, sync_dir};

/// The edition's folder inside build/.
pub const HTML_DIR: &str = "html";
/// The city's stylesheet, copied beside the editions.
pub const STYLESHEET: &str = "templates/web.css";
const STYLESHEET_FILE: &str = "web.css";
/// No page or stylesheet of an edition is read back larger than this (comparing it costs a read).
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest font file read for web fonts (the bundled BIZ UD fonts are 5–6 MB).
const MAX_FONT_BYTES: u64 = 128 * 1024 * 1024;
/// The web fonts' `@font-face` rules, beside web.css; the fonts beside them. One cut serves
/// every edition (a reader's browser fetches it once for the whole site), made from the
/// characters of all of them.
const FONT_FACES_FILE: &str = "web-fonts.css";
const FONT_FILE_KIND: &str = "woff2";
const FONT_FACES_LINK: &str = "../web-fonts.css";

/// What the step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HtmlReport {
    /// `build/html/<name>/` of each edition, in declaration order.
    pub editions: Vec<String>,
    /// Pages (and the stylesheet) written because they are new or changed.
    pub written: usize,
    /// Pages left as they were.
    pub unchanged: usize,
}

/// One file of the editions: where it goes (relative to the project) and its bytes.
struct OutFile {
    rel: PathBuf,
    bytes: Vec<u8>,
}

/// Writes the editions of `documents` (each job with its markup) whose job asks for one;
/// `force` (`build --force`) writes every page, changed or not. `Ok(None)` when none asks.
pub fn write_editions<'a>(
    project: &Path,
    config: Option<&HtmlConfig>,
    force: bool,
    documents: impl Iterator<Item = (&'a Job, &'a str)>,
) -> Result<Option<HtmlReport>, Diagnostic> {
    let wanted: Vec<(&Job, &str, u8)> = documents
        .filter_map(|(job, markup)| job.html.map(|h| (job, markup, h.split)))
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    // validation refuses html: on a document without the labels; say so rather than panic
    let Some(labels) = config.map(labels_of) else {
        return Err(Diagnostic::error(
            Location::file("sources/hakusho.yaml"),
            "ウェブ版の文言（sources/hakusho.yaml の html:）がありません",
            "sources/hakusho.yaml has no html: labels for the web edition",
        ));
    };
    let css =
        confined::read(project, Path::new(STYLESHEET), MAX_PAGE_BYTES).map_err(Diagnostic::from)?;
    let fonts = read_web_fonts(project, config.map_or(&[], |c| c.fonts.as_slice()))?;
    let base = Path::new("build").join(HTML_DIR);
    let with_fonts = !fonts.is_empty();
    let made: Vec<Result<Vec<OutFile>, Diagnostic>> = wanted
        .par_iter()
        .map(|&(job, markup, split)| {
            edition(project, &base, &labels, with_fonts, job, markup, split)
        })
        .collect();
    let mut files = vec![OutFile {
        rel: base.join(STYLESHEET_FILE),
        bytes: css,
    }];
    for m in made {
        files.extend(m?);
    }
    if with_fonts {
        let made_now: BTreeSet<&str> = wanted.iter().map(|(job, ..)| job.name.as_str()).collect();
        let mut text = CharSet::printable_ascii();
        for f in &files {
            text.add_text_of(&f.bytes);
        }
        add_characters_of_other_editions(project, &base, &made_now, &mut text);
        let chars = text.to_vec();
        let key = web_fonts_key(&fonts, &chars);
        let reused = if force {
            None
        } else {
            previous_web_fonts(project, &base, &fonts, &key)
        };
        match reused {
            Some(previous) => files.extend(previous),
            None => files.extend(web_font_files(&base, &fonts, &chars, &key)?),
        }
    }
    let mut report = HtmlReport {
        editions: wanted
            .iter()
            .map(|(job, ..)| format!("build/{HTML_DIR}/{}/", job.name))
            .collect(),
        ..HtmlReport::default()
    };
    // unchanged pages are left alone (read back through the confined reader: a link planted in
    // build/html is never followed)
    let changed: Vec<&OutFile> = files
        .iter()
        .filter(|f| {
            let same = !force
                && confined::read(project, &f.rel, MAX_PAGE_BYTES).is_ok_and(|old| old == f.bytes);
            !same
        })
        .collect();
    report.unchanged = files.len() - changed.len();
    report.written = changed.len();
    let dirs: BTreeSet<PathBuf> = std::iter::once(base.clone())
        .chain(wanted.iter().map(|(job, ..)| base.join(&job.name)))
        .collect();
    write_all(project, &dirs, &changed).map_err(|(rel, e)| write_error(&rel, &e))?;
    for (job, ..) in &wanted {
        let dir = base.join(&job.name);
        let keep: BTreeSet<PathBuf> = files
            .iter()
            .filter(|f| f.rel.parent() == Some(dir.as_path()))
            .map(|f| f.rel.clone())
            .collect();
        remove_pages_not_made(project, &dir, &keep);
    }
    // web fonts no longer served (turned off, or a font removed from the list)
    let made: BTreeSet<PathBuf> = files.iter().map(|f| f.rel.clone()).collect();
    remove_files_not_made(project, &base, &made, &[FONT_FILE_KIND]);
    if !with_fonts {
        let faces = project.join(base.join(FONT_FACES_FILE));
        if fs::symlink_metadata(&faces).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(faces);
        }
    }
    Ok(Some(report))
}

fn labels_of(c: &HtmlConfig) -> Labels {
    Labels {
        contents: c.contents.clone(),
        skip_to_content: c.skip_to_content.clone(),
        breadcrumbs: c.breadcrumbs.clone(),
        pager: c.pager.clone(),
        previous: c.previous.clone(),
        next: c.next.clone(),
        pdf: c.pdf.clone(),
        single_page: c.single_page.clone(),
    }
}

/// A font of `html: fonts:` with its file's bytes.
struct LoadedWebFont<'a> {
    declared: &'a WebFont,
    data: Vec<u8>,
}

impl LoadedWebFont<'_> {
    /// `<family>-<weight>.woff2` (the family is ASCII letters, digits, space, - and _).
    fn file_name(&self) -> String {
        format!(
            "{}-{}.woff2",
            self.declared.family.replace(' ', "_"),
            self.declared.weight
        )
    }
}

/// Reads the font files of `html: fonts:` once per build (every edition cuts its own subset).
fn read_web_fonts<'a>(
    project: &Path,
    declared: &'a [WebFont],
) -> Result<Vec<LoadedWebFont<'a>>, Diagnostic> {
    declared
        .iter()
        .map(|f| {
            let data =
                confined::read(project, Path::new(&f.file), MAX_FONT_BYTES).map_err(|e| {
                    let reason = Diagnostic::from(e);
                    Diagnostic::error(
                        Location::file("sources/hakusho.yaml"),
                        format!(
                            "html: fonts: のフォント {} を読めませんでした: {}",
                            f.file, reason.ja
                        ),
                        format!(
                            "could not read the font {} of html: fonts: {}",
                            f.file, reason.en
                        ),
                    )
                })?;
            Ok(LoadedWebFont { declared: f, data })
        })
        .collect()
}

/// The characters a web font must hold, one bit per code point (139 KB): collecting a site's
/// pages is millions of insertions, which a `BTreeSet` made a visible part of the build.
struct CharSet(Vec<u64>);

impl CharSet {
    /// Printable ASCII, always held: a character a page writes as an entity is never missing.
    fn printable_ascii() -> Self {
        let mut set = CharSet(vec![0; (char::MAX as usize + 1).div_ceil(64)]);
        for c in ' '..='~' {
            set.insert(c);
        }
        set
    }

    fn insert(&mut self, c: char) {
        let i = c as usize;
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Every character of a page (its markup included, harmlessly: ASCII is held anyway).
    fn add_text_of(&mut self, page: &[u8]) {
        for c in String::from_utf8_lossy(page).chars() {
            self.insert(c);
        }
    }

    fn to_vec(&self) -> Vec<char> {
        let mut out = Vec::new();
        for (w, &bits) in self.0.iter().enumerate() {
            let mut rest = bits;
            while rest != 0 {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                // every set bit came from a char
                if let Some(c) = u32::try_from(w * 64 + bit).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// Adds the characters of the editions on disk that this build does not make (a build of some
/// documents only): the shared fonts must keep serving them. Read through the confined reader.
fn add_characters_of_other_editions(
    project: &Path,
    base: &Path,
    made_now: &BTreeSet<&str>,
    text: &mut CharSet,
) {
    let Ok(editions) = fs::read_dir(project.join(base)) else {
        return;
    };
    for e in editions.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if made_now.contains(name.as_str()) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = fs::read_dir(e.path()) else {
            continue;
        };
        for f in files.flatten() {
            let rel = base.join(&name).join(f.file_name());
            if rel.extension().is_some_and(|x| x == "html") {
                if let Ok(bytes) = confined::read(project, &rel, MAX_PAGE_BYTES) {
                    text.add_text_of(&bytes);
                }
            }
        }
    }
}

/// What the web fonts are made from: the tool, each font's family, weight and bytes, and the
/// characters. Written into `web-fonts.css`, so that a build whose pages hold the same
/// characters reuses the fonts instead of cutting and packing them again (tens of ms each).
fn web_fonts_key(fonts: &[LoadedWebFont], text: &[char]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for f in fonts {
        h.update(f.declared.family.as_bytes());
        h.update(&f.declared.weight.to_le_bytes());
        h.update(&(f.data.len() as u64).to_le_bytes());
        h.update(&f.data);
    }
    for c in text {
        h.update(&u32::from(*c).to_le_bytes());
    }
    format!("/* made from: {} */\n", h.finalize().to_hex())
}

/// The web fonts on disk, when `web-fonts.css` says they were made from `key` and every font
/// it names is there: read back, to be compared and left as they are.
fn previous_web_fonts(
    project: &Path,
    base: &Path,
    fonts: &[LoadedWebFont],
    key: &str,
) -> Option<Vec<OutFile>> {
    let faces_rel = base.join(FONT_FACES_FILE);
    let faces = confined::read(project, &faces_rel, MAX_PAGE_BYTES).ok()?;
    if !faces.starts_with(key.as_bytes()) {
        return None;
    }
    let mut files = Vec::with_capacity(fonts.len() + 1);
    for f in fonts {
        let rel = base.join(f.file_name());
        let bytes = confined::read(project, &rel, MAX_FONT_BYTES).ok()?;
        files.push(OutFile { rel, bytes });
    }
    files.push(OutFile {
        rel: faces_rel,
        bytes: faces,
    });
    Some(files)
}

/// `web-fonts.css` (starting with `key`) and the fonts it names, cut to `text`.
fn web_font_files(
    base: &Path,
    fonts: &[LoadedWebFont],
    text: &[char],
    key: &str,
) -> Result<Vec<OutFile>, Diagnostic> {
    let cut: Vec<Result<Vec<u8>, Diagnostic>> = fonts
        .par_iter()
        .map(|f| {
            webfont::woff2_subset(&f.declared.file, &f.data, text.iter().copied()).map_err(|e| {
                Diagnostic::error(
                    Location::file("sources/hakusho.yaml"),
                    format!(
                        "html: fonts: のフォント {} からウェブフォントを作れませんでした（{e}）。TrueType か OpenType のフォントファイルを指定してください",
                        f.declared.file
                    ),
                    format!(
                        "could not make a web font of {} in html: fonts: ({e}); name a TrueType or OpenType font file",
                        f.declared.file
                    ),
                )
            })
        })
        .collect();
    let mut faces = key.to_string();
    faces.push_str(
        "/* The web fonts of the editions, written by hakusho: each font of html: fonts: in\n   \
         sources/hakusho.yaml, cut to the characters of the editions' pages. */\n",
    );
    let mut files = Vec::with_capacity(fonts.len() + 1);
    for (f, bytes) in fonts.iter().zip(cut) {
        let name = f.file_name();
        let _ = writeln!(
            faces,
            "@font-face {{ font-family: \"{}\"; src: url(\"{name}\") format(\"woff2\"); \
             font-weight: {}; font-style: normal; font-display: swap; }}",
            f.declared.family, f.declared.weight
        );
        files.push(OutFile {
            rel: base.join(name),
            bytes: bytes?,
        });
    }
    files.push(OutFile {
        rel: base.join(FONT_FACES_FILE),
        bytes: faces.into_bytes(),
    });
    Ok(files)
}

/// The pages of one document's edition (and its web fonts), in memory.
fn edition(
    project: &Path,
    base: &Path,
    labels: &Labels,
    with_fonts: bool,
    job: &Job,
    markup: &str,
    split: u8,
) -> Result<Vec<OutFile>, Diagnostic> {
    let source_name = format!("build/{}.markup.html", job.name);
    // The typesetter parsed this very markup (in this build or the one that wrote the PDF), so
    // an error here is not expected; it is reported, never a panic.
    let doc = hakusho_typeset::markup::parse(markup, &source_name).map_err(|d| {
        d.into_iter()
            .next()
            .unwrap_or_else(|| write_error(base, &io::ErrorKind::InvalidData.into()))
    })?;
    let pdf_rel = Path::new("build").join(format!("{}.pdf", job.name));
    let pdf_size = confined::resolve(project, &pdf_rel)
        .ok()
        .map(|r| r.metadata.len());
    let pdf_href = format!("../../{}.pdf", job.name);
    let opts = html::Options {
        split_level: split,
        labels,
        stylesheet: "../web.css",
        font_faces: with_fonts.then_some(FONT_FACES_LINK),
        pdf: pdf_size.map(|s| (pdf_href.as_str(), s)),
    };
    let dir = base.join(&job.name);
    Ok(html::write_edition(&doc, &opts)
        .into_iter()
        .map(|p| OutFile {
            rel: dir.join(p.file),
            bytes: p.html.into_bytes(),
        })
        .collect())
}

/// Creates the folders (refusing a link or a file in their place: the edition stays inside
/// build/), writes every file to a temporary file, and renames them all only when every one was
/// written. On failure the temporary files are removed and nothing is renamed.
fn write_all(
    project: &Path,
    dirs: &BTreeSet<PathBuf>,
    files: &[&OutFile],
) -> Result<(), (PathBuf, io::Error)> {
    for rel in dirs {
        let dir = project.join(rel);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err((
                    rel.clone(),
                    io::Error::new(io::ErrorKind::AlreadyExists, "not a folder"),
                ))
            }
            Err(_) => fs::create_dir(&dir).map_err(|e| (rel.clone(), e))?,
        }
    }
    let pid = std::process::id();
    let temps: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .map(|f| {
            let target = project.join(&f.rel);
            let name = f
                .rel
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (target.with_file_name(format!(".{name}.{pid}.tmp")), target)
        })
        .collect();
    // written in parallel: the fsyncs of many small pages overlap
    let result = temps
        .par_iter()
        .zip(files.par_iter())
        .map(|((tmp, _), f)| {
            let written = (|| {
                let mut file = fs::File::create(tmp)?;
                file.write_all(&f.bytes)?;
                file.sync_all()
            })();
            written.map_err(|e| (f.rel.clone(), e))
        })
        .collect::<Result<Vec<()>, _>>()
        .map(drop);
    let result = result.and_then(|()| {
        match temps
            .iter()
            .zip(files)
            .find(|((_, target), _)| fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()))
        {
            Some((_, f)) => Err((
                f.rel.clone(),
                io::Error::new(io::ErrorKind::AlreadyExists, "a folder is in the way"),
            )),
            None => Ok(()),
        }
    });
    if let Err(e) = result {
        for (tmp, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
        return Err(e);
    }
    for ((tmp, target), f) in temps.iter().zip(files) {
        fs::rename(tmp, target).map_err(|e| (f.rel.clone(), e))?;
    }
    // only the folders something was renamed into (a build that changes nothing syncs nothing)
    let touched: BTreeSet<&Path> = files.iter().filter_map(|f| f.rel.parent()).collect();
    for rel in dirs.iter().filter(|d| touched.contains(d.as_path())) {
        sync_dir(&project.join(rel));
    }
    Ok(())
}

/// After a full build: the editions of documents that no longer ask for one (or are no longer
/// declared) go — their pages, then their folder when nothing else is in it. Only real
/// folders directly in build/html are looked at, and only `.html` files are removed.
pub fn remove_stale_editions<'a>(project: &Path, editions: impl Iterator<Item = &'a Job>) {
    let keep: BTreeSet<String> = editions
        .filter(|job| job.html.is_some())
        .map(|job| job.name.clone())
        .collect();
    let base = Path::new("build").join(HTML_DIR);
    let Ok(entries) = fs::read_dir(project.join(&base)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if keep.contains(&name) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = base.join(&name);
        remove_pages_not_made(project, &dir, &BTreeSet::new());
        let _ = fs::remove_dir(project.join(&dir));
    }
}

/// Removes the pages (and any `.css`) of an edition's folder that this build did not make.
fn remove_pages_not_made(project: &Path, dir: &Path, keep: &BTreeSet<PathBuf>) {
    remove_files_not_made(project, dir, keep, &["html", "css"]);
}

/// Removes the files directly in `dir` with one of the extensions `kinds` that are not in
/// `keep`; nothing else (no folder, no link's target, no other file).
fn remove_files_not_made(project: &Path, dir: &Path, keep: &BTreeSet<PathBuf>, kinds: &[&str]) {
    let Ok(entries) = fs::read_dir(project.join(dir)) else {
        return;
    };
    for e in entries.flatten() {
        let rel = dir.join(e.file_name());
        let ours = rel
            .extension()
            .is_some_and(|x| kinds.iter().any(|k| x == *k));
        if ours && !keep.contains(&rel) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn write_error(rel: &Path, e: &io::Error) -> Diagnostic {
    let reason = confined::io_reason(e);
    Diagnostic::error(
        Location::file(slash(rel)),
        format!(
            "ウェブ版を書き込めませんでした: {}（前回のウェブ版はそのまま残っています）",
            reason.ja
        ),
        format!(
            "could not write the web edition: {} (the previous edition is left as it was)",
            reason.en
        ),
    )
}
