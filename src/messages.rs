//! Every text the command line prints, in Japanese and in English, in one place.
//!
//! The commands decide *what* to say (a report, a count, a path); this module says it, to a
//! writer it is given (`stdout`/`stderr` in the binary, a buffer in tests). Every function
//! returns the writer's error, so a closed pipe (`hakusho diff --last | head -1`) reaches `main`
//! as an `io::Error` of kind `BrokenPipe`, which ends the command quietly with status 0
//! (like ripgrep) instead of a panic from `println!`.
//!
//! Diagnostics (what a clerk fixes in the sources) carry their own two texts
//! ([`hakusho_diagnostics::Diagnostic`]); this module prints them and their count.

use std::io::{self, Write};
use std::path::Path;

use hakusho_diagnostics::{Diagnostic, Diagnostics, Lang, Severity};
use hakusho_sources::Counts;

use crate::build::{Afterward, BuildReport, DocumentState, Failure};
use crate::diff::DocView;
use crate::snapshot::{Changes, ParaChange, ParaKind, ValueChange};

/// Where a command prints: `out` for its result, `err` for problems and progress.
pub struct Console<'a> {
    pub lang: Lang,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// Whether `err` (or anything it wraps) is a write to a closed pipe: the reader (`head`, a
/// pager) has what it wanted, so the command ends quietly with status 0.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

// ───── the command line as a whole ─────

/// `-C` names something that is not a project directory (a usage error, status 2).
pub fn project_directory_missing(
    w: &mut dyn Write,
    lang: Lang,
    shown: &str,
    exists: bool,
) -> io::Result<()> {
    match (lang, exists) {
        (Lang::Ja, false) => writeln!(
            w,
            "hakusho: プロジェクトのフォルダ {shown} が見つかりません。-C でプロジェクトのフォルダ（sources/ のあるフォルダ）を指定してください"
        ),
        (Lang::Ja, true) => writeln!(
            w,
            "hakusho: {shown} はフォルダではありません。-C でプロジェクトのフォルダ（sources/ のあるフォルダ）を指定してください"
        ),
        (Lang::En, false) => writeln!(
            w,
            "hakusho: the project directory {shown} does not exist; give the project directory (the one holding sources/) with -C"
        ),
        (Lang::En, true) => writeln!(
            w,
            "hakusho: {shown} is not a directory; give the project directory (the one holding sources/) with -C"
        ),
    }
}

/// A command could not run at all (status 2).
pub fn could_not_run(w: &mut dyn Write, lang: Lang, err: &anyhow::Error) -> io::Result<()> {
    match lang {
        // the chain's text is the libraries' English: said in Japanese when it is a file
        // system error, else pointed to
        Lang::Ja => match err.chain().find_map(|e| e.downcast_ref::<io::Error>()) {
            Some(io) => {
                // the outermost context names the file when it is a path
                let what = err.to_string();
                let path = if what.contains('/') && what != io.to_string() {
                    format!("{what}: ")
                } else {
                    String::new()
                };
                writeln!(w, "hakusho: 実行できませんでした（{path}{}）", io_ja(io))
            }
            None => writeln!(
                w,
                "hakusho: 実行できませんでした（詳しい理由は --lang en を付けて実行すると英語で表示されます）"
            ),
        },
        Lang::En => writeln!(w, "hakusho: could not run: {err:#}"),
    }
}

/// A file system error in Japanese (the OS's text is English).
fn io_ja(err: &io::Error) -> String {
    hakusho_diagnostics::confined::io_reason(err).ja
}

// ───── diagnostics ─────

/// Every diagnostic (sorted by location), one line each. Returns whether any is an error.
pub fn diagnostics(w: &mut dyn Write, lang: Lang, diags: &Diagnostics) -> io::Result<bool> {
    let mut sorted = diags.clone();
    sorted.sort();
    for d in sorted.iter() {
        writeln!(w, "{}", d.render(lang))?;
    }
    Ok(diags.has_errors())
}

/// One diagnostic on its own line.
pub fn diagnostic(w: &mut dyn Write, lang: Lang, d: &Diagnostic) -> io::Result<()> {
    writeln!(w, "{}", d.render(lang))
}

/// (errors, warnings) among `diags`.
pub fn severity_counts(diags: &Diagnostics) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

/// Every diagnostic, then their count when there is any ("エラー 2 件、警告 1 件"). Returns
/// whether any is an error. `build`, `diff` and `workbook` report the sources this way.
pub fn diagnostics_with_count(
    w: &mut dyn Write,
    lang: Lang,
    diags: &Diagnostics,
) -> io::Result<bool> {
    let has_errors = diagnostics(w, lang, diags)?;
    let (errors, warnings) = severity_counts(diags);
    if errors > 0 || warnings > 0 {
        writeln!(w, "{}", problem_count(errors, warnings, lang))?;
    }
    Ok(has_errors)
}

/// "エラー 2 件、警告 1 件" / "2 errors, 1 warning".
pub fn problem_count(errors: usize, warnings: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("エラー {errors} 件、警告 {warnings} 件"),
        Lang::En => format!(
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        ),
    }
}

// ───── check ─────

/// What was checked: "ワークブック 9 件、<シート名> 71 行…" (`files`: how many files were named on
/// the command line; 0 for the whole project).
fn checked(c: &Counts, files: usize, lang: Lang) -> String {
    let mut parts = Vec::new();
    if c.workbooks > 0 || files == 0 {
        parts.push(match lang {
            Lang::Ja => format!("ワークブック {} 件", c.workbooks),
            Lang::En => format!("{} workbook{}", c.workbooks, plural(c.workbooks)),
        });
    }
    if files > 0 && c.yaml_files > 0 {
        parts.push(match lang {
            Lang::Ja => format!("YAML {} 件", c.yaml_files),
            Lang::En => format!("{} YAML file{}", c.yaml_files, plural(c.yaml_files)),
        });
    }
    for (sheet, n) in &c.rows {
        if *n > 0 || files == 0 {
            parts.push(match lang {
                Lang::Ja => format!("{sheet} {n} 行"),
                Lang::En => format!("{sheet} {n} row{}", plural(*n)),
            });
        }
    }
    match lang {
        Lang::Ja => parts.join("、"),
        Lang::En => parts.join(", "),
    }
}

/// The one summary line of a check without errors: "問題は見つかりませんでした（…）" when
/// nothing was found, "エラーはありません。警告 2 件（…）" when only warnings were (issue 11
/// item 13: never "no problems" next to a count of warnings).
pub fn check_passed(
    w: &mut dyn Write,
    lang: Lang,
    counts: &Counts,
    files: usize,
    warnings: usize,
) -> io::Result<()> {
    let what = checked(counts, files, lang);
    match (lang, warnings) {
        (Lang::Ja, 0) => writeln!(w, "問題は見つかりませんでした（{what}）"),
        (Lang::En, 0) => writeln!(w, "no problems found ({what})"),
        (Lang::Ja, n) => writeln!(w, "エラーはありません。警告 {n} 件（{what}）"),
        (Lang::En, n) => writeln!(w, "no errors, {n} warning{} ({what})", plural(n)),
    }
}

/// The summary line of a check that found errors: "エラー 2 件、警告 1 件".
pub fn check_failed(
    w: &mut dyn Write,
    lang: Lang,
    errors: usize,
    warnings: usize,
) -> io::Result<()> {
    writeln!(w, "{}", problem_count(errors, warnings, lang))
}

// ───── build ─────

/// Why a document is typeset again, as the summary says it.
pub fn reason(reason: &crate::build::Reason, lang: Lang) -> String {
    use crate::build::Reason;
    match (reason, lang) {
        (Reason::Forced, _) => "--force".into(),
        (Reason::New, Lang::Ja) => "新規".into(),
        (Reason::New, Lang::En) => "new".into(),
        (Reason::Inputs(v), Lang::Ja) => format!("変更: {}", v.join(", ")),
        (Reason::Inputs(v), Lang::En) => format!("changed: {}", v.join(", ")),
        (Reason::Tool, Lang::Ja) => "hakusho が更新されたため".into(),
        (Reason::Tool, Lang::En) => "hakusho was updated".into(),
        (Reason::Content, Lang::Ja) => "内容の変更".into(),
        (Reason::Content, Lang::En) => "content changed".into(),
        (Reason::Missing, Lang::Ja) => "出力がなかったため".into(),
        (Reason::Missing, Lang::En) => "the output was missing".into(),
        (Reason::Modified, Lang::Ja) => "出力が書き換えられていたため".into(),
        (Reason::Modified, Lang::En) => "the output had been modified".into(),
    }
}

/// No PDF was written because of the errors printed above.
pub fn build_failed(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "エラーがあるため PDF は作成していません（以前の出力はそのままです）"
        ),
        Lang::En => writeln!(
            w,
            "no PDF written because of errors (previous outputs are untouched)"
        ),
    }
}

/// The PDFs could not be written into build/.
pub fn write_failed(w: &mut dyn Write, lang: Lang, err: &io::Error) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "build/ に書き込めませんでした: {}（以前の出力はそのままです）",
            io_ja(err)
        ),
        Lang::En => writeln!(
            w,
            "could not write into build/: {err} (previous outputs are untouched)"
        ),
    }
}

/// The proofreading snapshot could not be written (the build itself succeeded).
pub fn snapshot_not_written(w: &mut dyn Write, lang: Lang, err: &io::Error) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "警告: 校正用の記録を書き込めませんでした: {}",
            io_ja(err)
        ),
        Lang::En => writeln!(w, "warning: could not write the proofreading record: {err}"),
    }
}

/// The manifest could not be written (the build itself succeeded).
pub fn manifest_not_written(
    w: &mut dyn Write,
    lang: Lang,
    file: &str,
    err: &io::Error,
) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "警告: {file} を書き込めませんでした: {}（次回はすべて組版し直します）",
            io_ja(err)
        ),
        Lang::En => writeln!(
            w,
            "warning: could not write {file}: {err} (the next build typesets everything)"
        ),
    }
}

/// One written document: "build/x.pdf（52ページ）— 新規".
pub fn document_written(
    w: &mut dyn Write,
    lang: Lang,
    path: &str,
    pages: usize,
    why: &crate::build::Reason,
) -> io::Result<()> {
    let why = reason(why, lang);
    match lang {
        Lang::Ja => writeln!(w, "{path}（{pages}ページ）— {why}"),
        Lang::En => writeln!(w, "{path} ({pages} page{}) — {why}", plural(pages)),
    }
}

/// The web editions: "ウェブ版: build/html/（3件、書き出し 12ページ、変更なし 30ページ）".
pub fn html_written(
    w: &mut dyn Write,
    lang: Lang,
    h: &crate::build::html::HtmlReport,
) -> io::Result<()> {
    let n = h.editions.len();
    match lang {
        Lang::Ja => writeln!(
            w,
            "ウェブ版: build/html/（{n}件、書き出し {}ファイル、変更なし {}ファイル）",
            h.written, h.unchanged
        ),
        Lang::En => writeln!(
            w,
            "web edition: build/html/ ({n} document{}, {} file{} written, {} unchanged)",
            plural(n),
            h.written,
            plural(h.written),
            h.unchanged
        ),
    }
}

/// The print files: "入稿用: build/print/（書き出し 3件、変更なし 9件）".
pub fn print_written(
    w: &mut dyn Write,
    lang: Lang,
    p: &crate::build::driver::PrintReport,
) -> io::Result<()> {
    let n = p.written.len();
    match lang {
        Lang::Ja => writeln!(
            w,
            "入稿用 PDF (PDF/X-1a): build/print/（書き出し {n}件、変更なし {}件）",
            p.unchanged
        ),
        Lang::En => writeln!(
            w,
            "print files (PDF/X-1a): build/print/ ({n} written, {} unchanged)",
            p.unchanged
        ),
    }
}

/// How many documents were left as they were.
pub fn documents_unchanged(w: &mut dyn Write, lang: Lang, count: usize) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(w, "変更なし: {count} 件"),
        Lang::En => writeln!(w, "unchanged: {count}"),
    }
}

/// The report of a build: the problems found (stderr, like `hakusho check`), then either why
/// nothing was written or each written document with its reason, the unchanged count, the
/// changes since the last build and the time taken (stdout). With `HAKUSHO_TIMING` set, the
/// time of each step goes to stderr.
pub fn build_report(console: &mut Console, report: &BuildReport) -> io::Result<()> {
    let lang = console.lang;
    let err = &mut *console.err;
    // the steps that ran, failed build or not
    if std::env::var_os("HAKUSHO_TIMING").is_some() {
        for (step, took) in &report.timings {
            writeln!(
                err,
                "timing: {}: {:.1} ms",
                step.name(),
                took.as_secs_f64() * 1000.0
            )?;
        }
    }
    diagnostics_with_count(err, lang, &report.source_diagnostics)?;
    if let Some(Failure::UnknownDocument(d)) = &report.failure {
        return diagnostic(err, lang, d);
    }
    diagnostics_with_count(err, lang, &report.diagnostics)?;
    match &report.failure {
        Some(Failure::Output(e)) => return write_failed(err, lang, e),
        Some(_) => return build_failed(err, lang),
        None => {}
    }
    for a in &report.afterward {
        match a {
            Afterward::SnapshotNotWritten(e) => snapshot_not_written(err, lang, e)?,
            Afterward::ManifestNotWritten(e) => {
                manifest_not_written(err, lang, crate::build::manifest::MANIFEST_FILE, e)?
            }
            Afterward::HtmlNotWritten(d) => diagnostic(err, lang, d)?,
        }
    }
    let out = &mut *console.out;
    for d in report.written() {
        if let DocumentState::Written { reason, pages } = &d.state {
            document_written(out, lang, &d.path, *pages, reason)?;
        }
    }
    let unchanged = report.unchanged().count();
    if unchanged > 0 {
        documents_unchanged(out, lang, unchanged)?;
    }
    if let Some(h) = &report.html {
        html_written(out, lang, h)?;
    }
    if let Some(p) = &report.print {
        print_written(out, lang, p)?;
    }
    if let Some(line) = report.changes.as_ref().and_then(|c| changes_brief(c, lang)) {
        writeln!(out, "{line}")?;
    }
    build_finished(
        out,
        lang,
        report.written().count(),
        report.elapsed.as_secs_f64(),
    )
}

/// The last line of a successful build.
pub fn build_finished(w: &mut dyn Write, lang: Lang, written: usize, secs: f64) -> io::Result<()> {
    match lang {
        Lang::Ja if written == 0 => writeln!(w, "すべての文書が最新です（{secs:.2}秒）"),
        Lang::En if written == 0 => writeln!(w, "every document is up to date ({secs:.2}s)"),
        Lang::Ja => writeln!(w, "{written}件の文書を作成しました（{secs:.2}秒）"),
        Lang::En => writeln!(w, "built {written} document(s) in {secs:.2}s"),
    }
}

/// The progress bar's template while documents are typeset.
pub fn progress_template(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "{spinner} 組版中 [{bar:30}] {pos}/{len} {wide_msg}",
        Lang::En => "{spinner} typesetting [{bar:30}] {pos}/{len} {wide_msg}",
    }
}

/// The plain progress line (no terminal): "組版 3/12: booklet-kikaku".
pub fn progress_line(
    w: &mut dyn Write,
    lang: Lang,
    done: usize,
    total: usize,
    name: &str,
) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(w, "組版 {done}/{total}: {name}"),
        Lang::En => writeln!(w, "typeset {done}/{total}: {name}"),
    }
}

// ───── watch ─────

pub fn watching(w: &mut dyn Write, lang: Lang, watched: &[String]) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(w, "{} を監視しています（Ctrl-C で終了）", watched.join(" ")),
        Lang::En => writeln!(w, "watching {} (Ctrl-C to stop)", watched.join(" ")),
    }
}

pub fn change_detected(w: &mut dyn Write, lang: Lang, changed: &[String]) -> io::Result<()> {
    let list = changed.join(", ");
    match lang {
        Lang::Ja => writeln!(w, "\n変更を検出しました: {list}"),
        Lang::En => writeln!(w, "\nchanged: {list}"),
    }
}

pub fn watch_error(w: &mut dyn Write, lang: Lang, err: &dyn std::fmt::Display) -> io::Result<()> {
    match lang {
        // notify's text is English: the English message carries it
        Lang::Ja => writeln!(
            w,
            "監視でエラーが起きました（詳しい理由は --lang en を付けて実行すると英語で表示されます）"
        ),
        Lang::En => writeln!(w, "watch: {err}"),
    }
}

// ───── diff ─────

/// `hakusho diff` without a snapshot in build/.
pub fn no_snapshot(w: &mut dyn Write, lang: Lang, file: &str) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "前回のビルドの記録（build/{file}）がありません。先に hakusho build を実行してください"
        ),
        Lang::En => writeln!(
            w,
            "no record of a previous build (build/{file}); run hakusho build first"
        ),
    }
}

/// Which changes `hakusho diff` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    /// Since the last build (what the next build applies).
    Pending,
    /// What the last build applied (`--last`).
    Last,
}

/// `hakusho diff` found nothing.
pub fn no_changes(w: &mut dyn Write, lang: Lang, kind: DiffKind) -> io::Result<()> {
    match (kind, lang) {
        (DiffKind::Pending, Lang::Ja) => writeln!(
            w,
            "前回のビルドから指標の値・段落の変更はありません（前回のビルドでの変更: hakusho diff --last）"
        ),
        (DiffKind::Pending, Lang::En) => writeln!(
            w,
            "no indicator value or paragraph changed since the last build (what the last build changed: hakusho diff --last)"
        ),
        (DiffKind::Last, Lang::Ja) => {
            writeln!(w, "前回のビルドで変わった指標の値・段落はありません")
        }
        (DiffKind::Last, Lang::En) => {
            writeln!(w, "the last build changed no indicator value or paragraph")
        }
    }
}

/// `hakusho diff`: a heading, then every change per document that shows it.
pub fn changes(
    w: &mut dyn Write,
    lang: Lang,
    kind: DiffKind,
    changes: &Changes,
    docs: &[DocView],
) -> io::Result<()> {
    match (kind, lang) {
        (DiffKind::Pending, Lang::Ja) => {
            writeln!(w, "前回のビルドからの変更（次のビルドで反映）:\n")?
        }
        (DiffKind::Pending, Lang::En) => writeln!(
            w,
            "changes since the last build (the next build applies them):\n"
        )?,
        (DiffKind::Last, Lang::Ja) => writeln!(w, "前回のビルドで反映した変更:\n")?,
        (DiffKind::Last, Lang::En) => writeln!(w, "changes the last build applied:\n")?,
    }
    w.write_all(changes_detailed(changes, docs, lang).as_bytes())
}

/// The build summary's line: "前回のビルドからの変更: 指標の値 1 件、段落 2 件（詳細: hakusho diff --last）".
pub fn changes_brief(changes: &Changes, lang: Lang) -> Option<String> {
    if changes.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::Ja => format!(
            "前回のビルドからの変更: {}（詳細: hakusho diff --last）",
            change_counts(changes, lang)
        ),
        Lang::En => format!(
            "changes since the last build: {} (details: hakusho diff --last)",
            change_counts(changes, lang)
        ),
    })
}

fn change_counts(changes: &Changes, lang: Lang) -> String {
    let (v, p) = (changes.values.len(), changes.paragraphs.len());
    let mut parts = Vec::new();
    match lang {
        Lang::Ja => {
            if v > 0 {
                parts.push(format!("指標の値 {v} 件"));
            }
            if p > 0 {
                parts.push(format!("段落 {p} 件"));
            }
            parts.join("、")
        }
        Lang::En => {
            if v > 0 {
                parts.push(format!("{v} indicator value{}", plural(v)));
            }
            if p > 0 {
                parts.push(format!("{p} paragraph{}", plural(p)));
            }
            parts.join(", ")
        }
    }
}

/// The detailed report: per document, every change it shows; then changes no document shows.
pub fn changes_detailed(changes: &Changes, docs: &[DocView], lang: Lang) -> String {
    let mut out = String::new();
    let mut section = |title: &str, values: Vec<&ValueChange>, paras: Vec<&ParaChange>| {
        if values.is_empty() && paras.is_empty() {
            return;
        }
        out.push_str(title);
        out.push('\n');
        for v in values {
            out.push_str(&value_line(v, lang));
        }
        for p in paras {
            out.push_str(&para_lines(p, lang));
        }
        out.push('\n');
    };
    let grouped = crate::diff::group_by_document(changes, docs);
    for (name, values, paras) in grouped.documents {
        section(&format!("build/{name}.pdf"), values, paras);
    }
    let title = match lang {
        Lang::Ja => "（どの文書にも載らない変更）",
        Lang::En => "(changes no document shows)",
    };
    section(title, grouped.unshown_values, grouped.unshown_paragraphs);
    out.push_str(&match lang {
        Lang::Ja => format!("変更: {}\n", change_counts(changes, lang)),
        Lang::En => format!("changes: {}\n", change_counts(changes, lang)),
    });
    out
}

fn shown_value(v: &Option<String>, lang: Lang) -> String {
    match (v, lang) {
        (None, Lang::Ja) => "（行なし）".into(),
        (None, Lang::En) => "(no row)".into(),
        (Some(s), Lang::Ja) if s.is_empty() => "（空欄）".into(),
        (Some(s), Lang::En) if s.is_empty() => "(empty)".into(),
        (Some(s), _) => s.replace('\n', " "),
    }
}

fn value_line(v: &ValueChange, lang: Lang) -> String {
    let (old, new) = (shown_value(&v.old, lang), shown_value(&v.new, lang));
    match lang {
        Lang::Ja => format!(
            "  {} {}: {old} → {new}（{}）\n",
            v.location, v.column, v.name
        ),
        Lang::En => format!(
            "  {} {}: {old} → {new} ({})\n",
            v.location, v.column, v.name
        ),
    }
}

fn para_lines(p: &ParaChange, lang: Lang) -> String {
    let at = match p.line {
        Some(l) => format!("{}:{l}", p.file),
        None => p.file.clone(),
    };
    let what = match (p.kind, lang) {
        (ParaKind::Changed, Lang::Ja) => "段落を変更",
        (ParaKind::Added, Lang::Ja) => "段落を追加",
        (ParaKind::Removed, Lang::Ja) => "段落を削除",
        (ParaKind::Changed, Lang::En) => "paragraph changed",
        (ParaKind::Added, Lang::En) => "paragraph added",
        (ParaKind::Removed, Lang::En) => "paragraph removed",
    };
    let mut s = match lang {
        Lang::Ja => format!("  {at}: {what}（{}）\n", p.label),
        Lang::En => format!("  {at}: {what} ({})\n", p.label),
    };
    for (mark, text) in [("-", &p.old), ("+", &p.new)] {
        if let Some(t) = text {
            for l in t.lines() {
                s.push_str(&format!("    {mark} {l}\n"));
            }
        }
    }
    if let (Some(old), Some(new)) = (&p.old, &p.new) {
        if old.chars().count() > 40 {
            s.push_str(&format!(
                "    ≫ {}\n",
                crate::snapshot::inline_change(old, new)
            ));
        }
    }
    s
}

// ───── workbook ─────

fn department_list(lang: Lang, departments: &[(String, String)]) -> String {
    let items: Vec<String> = departments
        .iter()
        .map(|(id, name)| match lang {
            Lang::Ja => format!("{id}（{name}）"),
            Lang::En => format!("{id} ({name})"),
        })
        .collect();
    match lang {
        Lang::Ja => items.join("、"),
        Lang::En => items.join(", "),
    }
}

/// The sources have errors (printed above): no workbook is written.
pub fn no_workbook_written(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "ワークブックを作れませんでした。上の問題を直してから（hakusho check で確かめられます）もう一度実行してください"
        ),
        Lang::En => writeln!(
            w,
            "no workbook written; fix the problems above (hakusho check shows them) and run again"
        ),
    }
}

/// Neither a department nor `--all` was given.
pub fn department_required(
    w: &mut dyn Write,
    lang: Lang,
    departments: &[(String, String)],
) -> io::Result<()> {
    let known = department_list(lang, departments);
    match lang {
        Lang::Ja => writeln!(
            w,
            "部の id を指定するか、--all を付けてください。部の id: {known}"
        ),
        Lang::En => writeln!(w, "give a department id or --all; department ids: {known}"),
    }
}

/// The department asked for is not declared.
pub fn unknown_department(
    w: &mut dyn Write,
    lang: Lang,
    wanted: &str,
    departments: &[(String, String)],
) -> io::Result<()> {
    let known = department_list(lang, departments);
    match lang {
        Lang::Ja => writeln!(w, "部「{wanted}」はありません。部の id: {known}"),
        Lang::En => writeln!(w, "no department \"{wanted}\"; department ids: {known}"),
    }
}

/// A department without an indicator table gets no workbook.
pub fn no_indicator_table(w: &mut dyn Write, lang: Lang, id: &str, name: &str) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "{id}（{name}）: 指標の表がないため、ワークブックはありません"
        ),
        Lang::En => writeln!(w, "{id} ({name}): no indicator table, no workbook"),
    }
}

/// One workbook written, with the rows of each sheet: "build/workbooks/kikaku.xlsx（<シート名> 8 行）".
pub fn workbook_written(
    w: &mut dyn Write,
    lang: Lang,
    path: &Path,
    sheets: &[(String, usize)],
) -> io::Result<()> {
    let counts: Vec<String> = sheets
        .iter()
        .map(|(sheet, rows)| match lang {
            Lang::Ja => format!("{sheet} {rows} 行"),
            Lang::En => format!("{sheet} {rows} row{}", plural(*rows)),
        })
        .collect();
    match lang {
        Lang::Ja => writeln!(w, "{}（{}）", path.display(), counts.join("、")),
        Lang::En => writeln!(w, "{} ({})", path.display(), counts.join(", ")),
    }
}

/// The count of `hakusho workbook --all`.
pub fn workbooks_written(
    w: &mut dyn Write,
    lang: Lang,
    count: usize,
    dir: &Path,
) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "ワークブック {count} 件を {} に書きました",
            dir.display()
        ),
        Lang::En => writeln!(w, "{count} workbooks written to {}", dir.display()),
    }
}

/// The sources have errors (printed above): no guide is printed.
pub fn no_guide_written(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "記入方法を作れませんでした。上の問題を直してから（hakusho check で確かめられます）もう一度実行してください"
        ),
        Lang::En => writeln!(
            w,
            "no guide written; fix the problems above (hakusho check shows them) and run again"
        ),
    }
}

/// A department that fills in no sheet has no guide.
pub fn no_sheet_to_fill(w: &mut dyn Write, lang: Lang, id: &str, name: &str) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "{name}（{id}）はワークブックを提出しません（記入するシートがありません）"
        ),
        Lang::En => writeln!(w, "{name} ({id}) submits no workbook (no sheet to fill in)"),
    }
}

// ───── intake, status, the marked-up workbook ─────

/// 「エラー」 / "error".
pub fn severity_word(severity: Severity, lang: Lang) -> &'static str {
    match (severity, lang) {
        (Severity::Error, Lang::Ja) => "エラー",
        (Severity::Warning, Lang::Ja) => "警告",
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::En) => "warning",
    }
}

/// The first sheet of a marked-up workbook (Japanese: it goes to a department's clerk).
pub fn markup_list_sheet() -> &'static str {
    "指摘一覧"
}

/// Its title: 「kikaku.xlsx の指摘（エラー 2 件、警告 0 件）」.
pub fn markup_title(file_name: &str, errors: usize, warnings: usize) -> String {
    format!(
        "{file_name} の指摘（{}）",
        problem_count(errors, warnings, Lang::Ja)
    )
}

/// What the clerk does with the marked-up workbook.
pub fn markup_instructions() -> &'static str {
    "提出されたワークブックに見つかった問題の一覧です。次のシートからは提出された内容そのままで、問題のあるセルに色を付け（赤: エラー、黄: 警告）、セルのメモに内容と直し方を書いています。直したワークブック（このファイルでも、元のファイルでも構いません）をもう一度提出してください。エラーがある間は取り込まれません。"
}

/// The list's column headings.
pub fn markup_list_headings() -> [&'static str; 5] {
    ["番号", "シート", "セル", "種類", "内容"]
}

/// A time on the board: 「2026-04-05 09:30 UTC」.
pub fn board_time(secs: Option<u64>) -> String {
    match secs {
        None => String::new(),
        Some(s) => {
            let (y, mo, d, h, mi, _) = crate::intake::civil(s);
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
        }
    }
}

fn state_word(state: crate::intake::State, lang: Lang) -> &'static str {
    use crate::intake::State;
    match (state, lang) {
        (State::NotSubmitted, Lang::Ja) => "未提出",
        (State::Refused, Lang::Ja) => "要修正（取り込んでいません）",
        (State::Installed, Lang::Ja) => "取り込み済み",
        (State::Unchanged, Lang::Ja) => "取り込み済み（前と同じ）",
        (State::NoWorkbook, Lang::Ja) => "提出なし（記入するシートがありません）",
        (State::NotSubmitted, Lang::En) => "not submitted",
        (State::Refused, Lang::En) => "to be fixed (not installed)",
        (State::Installed, Lang::En) => "installed",
        (State::Unchanged, Lang::En) => "installed (same as before)",
        (State::NoWorkbook, Lang::En) => "none asked (no sheet to fill in)",
    }
}

/// The column headings of the board's department table.
pub fn board_headings(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Ja => [
            "部",
            "状態",
            "提出ファイル",
            "ファイルの更新日時",
            "エラー",
            "警告",
            "変更された値",
            "指摘ファイル",
        ],
        Lang::En => [
            "department",
            "state",
            "file",
            "file modified",
            "errors",
            "warnings",
            "values changed",
            "marked-up file",
        ],
    }
}

/// One department's cells on the board, in the order of [`board_headings`].
pub fn board_row(line: &crate::intake::DepartmentLine, lang: Lang) -> [String; 8] {
    use crate::intake::State;
    let submitted = !matches!(line.state, State::NotSubmitted | State::NoWorkbook);
    let count = |n: usize| {
        if submitted {
            n.to_string()
        } else {
            String::new()
        }
    };
    [
        match lang {
            Lang::Ja => format!("{}（{}）", line.name, line.id),
            Lang::En => format!("{} ({})", line.name, line.id),
        },
        match (line.state, &line.still_installed, lang) {
            (State::Refused, Some(_), Lang::Ja) => "要修正（先に取り込んだ版のまま）".to_string(),
            (State::Refused, Some(_), Lang::En) => {
                "to be fixed (the earlier one stays)".to_string()
            }
            _ => state_word(line.state, lang).to_string(),
        },
        line.file.clone().unwrap_or_default(),
        board_time(line.modified),
        count(line.errors),
        count(line.warnings),
        if line.state == State::Installed {
            line.changes.len().to_string()
        } else {
            String::new()
        },
        line.markup.clone().unwrap_or_default(),
    ]
}

/// One changed value, as `diff` says it: 「<sheet>!G4 <column>: 202,850件 → 203,100件（<row name>）」.
pub fn change_text(c: &crate::intake::Change, lang: Lang) -> String {
    let (old, new) = (shown_value(&c.old, lang), shown_value(&c.new, lang));
    match lang {
        Lang::Ja => format!("{} {}: {old} → {new}（{}）", c.cell, c.column, c.name),
        Lang::En => format!("{} {}: {old} → {new} ({})", c.cell, c.column, c.name),
    }
}

/// Why a file was not taken.
pub fn other_reason(reason: &crate::intake::Reason, lang: Lang) -> String {
    use crate::intake::Reason;
    match (reason, lang) {
        (Reason::Unreadable(m), Lang::Ja) => format!("取り込めません: {}", m.ja),
        (Reason::Unreadable(m), Lang::En) => format!("not taken: {}", m.en),
        (Reason::UnknownDepartment, Lang::Ja) => "どの部のワークブックか分かりません（提出情報のシートがなく、ファイル名に部の名前がなく、部の担当する施策のコードもありません）。hakusho workbook で作ったワークブックに記入して提出してもらうか、ファイル名に部の名前を入れてください".into(),
        (Reason::UnknownDepartment, Lang::En) => "no department recognised (no identifying sheet, no department name in the file name, no policy code); have the department fill in the workbook hakusho workbook wrote, or put the department's name in the file name".into(),
        (Reason::Ambiguous { departments }, Lang::Ja) => format!(
            "どの部のワークブックか一つに決まりません（候補: {}）。ファイル名を部の名前を含むものに変えるか、部に確かめてください",
            departments.join("、")
        ),
        (Reason::Ambiguous { departments }, Lang::En) => format!(
            "more than one department could be its sender ({}); rename the file with the department's name, or ask the department",
            departments.join(", ")
        ),
        (Reason::Superseded { department, by }, Lang::Ja) => format!(
            "部 {department} のもっと新しいファイル {by} を取り込んだため、このファイルは使いません"
        ),
        (Reason::Superseded { department, by }, Lang::En) => format!(
            "a newer file of {department}, {by}, was taken instead"
        ),
        (Reason::TooManyFiles { skipped }, Lang::Ja) => format!(
            "ファイルが多すぎます。名前順で {} 件までを読み、残り {skipped} 件は読んでいません。フォルダを分けてください",
            crate::intake::MAX_INBOX_FILES
        ),
        (Reason::TooManyFiles { skipped }, Lang::En) => format!(
            "too many files: the first {} by name were read, {skipped} were not; split the folder",
            crate::intake::MAX_INBOX_FILES
        ),
    }
}

/// Display width in a terminal (wide characters count 2).
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) < 0x1100 || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                1
            } else {
                2
            }
        })
        .sum()
}

/// The board in the terminal: a table of departments (those that have not submitted first),
/// each installed workbook's changed values under it, then the files not taken.
pub fn board(w: &mut dyn Write, lang: Lang, board: &crate::intake::Board) -> io::Result<()> {
    let lines = crate::intake::shown_order(board);
    let headings = board_headings(lang);
    let rows: Vec<[String; 8]> = lines.iter().map(|l| board_row(l, lang)).collect();
    // the marked-up file is said under the row; the table keeps to what fits a terminal
    let shown = 7;
    let widths: Vec<usize> = (0..shown)
        .map(|c| {
            rows.iter()
                .map(|r| width(&r[c]))
                .chain(std::iter::once(width(headings[c])))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n.saturating_sub(width(s))));
    let line_of = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, n)| pad(c, *n)).collect();
        padded.join("  ").trim_end().to_string()
    };
    match lang {
        Lang::Ja => writeln!(w, "提出状況（{}年度の設定）", board.fiscal_year)?,
        Lang::En => writeln!(
            w,
            "submissions (configuration of fiscal year {})",
            board.fiscal_year
        )?,
    }
    writeln!(w, "{}", line_of(headings[..shown].to_vec()))?;
    for (line, row) in lines.iter().zip(&rows) {
        writeln!(
            w,
            "{}",
            line_of(row[..shown].iter().map(String::as_str).collect())
        )?;
        for c in &line.changes {
            writeln!(w, "    {}", change_text(c, lang))?;
        }
        if let Some(m) = &line.markup {
            match lang {
                Lang::Ja => writeln!(w, "    指摘ファイル: {m}（部に送り返してください）")?,
                Lang::En => writeln!(
                    w,
                    "    marked-up file: {m} (send it back to the department)"
                )?,
            }
        }
        if let Some(h) = &line.history {
            match lang {
                Lang::Ja => writeln!(w, "    前の版: {h}")?,
                Lang::En => writeln!(w, "    previous version: {h}")?,
            }
        }
        if let Some(f) = &line.still_installed {
            match lang {
                Lang::Ja => writeln!(w, "    先に取り込んだ {f} がそのまま使われます")?,
                Lang::En => writeln!(w, "    {f}, taken in earlier, stays installed")?,
            }
        }
    }
    if !board.others.is_empty() {
        match lang {
            Lang::Ja => writeln!(w, "取り込まなかったファイル:")?,
            Lang::En => writeln!(w, "files not taken:")?,
        }
        for o in &board.others {
            writeln!(w, "  {}: {}", o.file, other_reason(&o.reason, lang))?;
        }
    }
    Ok(())
}

/// The last lines of `intake` / `status`: how many have not submitted, where the board is.
pub fn board_summary(
    w: &mut dyn Write,
    lang: Lang,
    board: &crate::intake::Board,
    xlsx: &str,
) -> io::Result<()> {
    use crate::intake::State;
    let count = |s: State| board.departments.iter().filter(|l| l.state == s).count();
    let (missing, refused) = (count(State::NotSubmitted), count(State::Refused));
    let done = count(State::Installed) + count(State::Unchanged);
    match lang {
        Lang::Ja => writeln!(
            w,
            "取り込み済み {done} 部、要修正 {refused} 部、未提出 {missing} 部。提出状況の表: {xlsx}"
        ),
        Lang::En => writeln!(
            w,
            "{done} installed, {refused} to be fixed, {missing} not submitted; the board: {xlsx}"
        ),
    }
}

/// The sheets of build/intake/status.xlsx: the board, the changed values, the files not taken.
pub fn board_sheets(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Ja => ["提出状況", "変更された値", "取り込まなかったファイル"],
        Lang::En => ["Submissions", "Changed values", "Files not taken"],
    }
}

/// The headings of the changed values sheet.
pub fn change_headings(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Ja => ["部", "シート!セル", "列", "名称", "前の値", "新しい値"],
        Lang::En => [
            "department",
            "sheet!cell",
            "column",
            "name",
            "old value",
            "new value",
        ],
    }
}

/// The headings of the files not taken sheet.
pub fn other_headings(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Ja => ["ファイル", "ファイルの更新日時", "理由"],
        Lang::En => ["file", "file modified", "reason"],
    }
}

/// A changed value's old or new text as the board shows it (「（行なし）」 for no row).
pub fn change_value(v: &Option<String>, lang: Lang) -> String {
    shown_value(v, lang)
}

/// `intake` was given nothing to read.
pub fn intake_nothing_given(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "取り込むフォルダかファイルを指定してください（例: hakusho intake inbox/）"
        ),
        Lang::En => writeln!(
            w,
            "give the folder or files to take in (e.g. hakusho intake inbox/)"
        ),
    }
}

/// The project could not be read (its problems printed above): nothing was taken in.
pub fn intake_refused(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::Ja => writeln!(
            w,
            "プロジェクトの設定を読めないため、何も取り込んでいません。上の問題を直してからもう一度実行してください"
        ),
        Lang::En => writeln!(
            w,
            "the project configuration cannot be read, so nothing was taken in; fix the problems above and run again"
        ),
    }
}

// ───── proof ─────

/// `hakusho proof` (and `build --proof`): what was compared, each proof written, where the
/// version shown was kept; or why no proof was made.
pub fn proof_report(console: &mut Console, report: &crate::proof::Report) -> io::Result<()> {
    use crate::proof::Failure;
    let lang = console.lang;
    diagnostics(console.err, lang, &report.diagnostics)?;
    if let Some(f) = &report.failure {
        let w = &mut *console.err;
        return match (f, lang) {
            (Failure::Sources | Failure::Documents, Lang::Ja) => {
                writeln!(w, "校正刷りは作りませんでした（上の問題を直してください）")
            }
            (Failure::Sources | Failure::Documents, Lang::En) => {
                writeln!(w, "no proof was made (fix the problems above)")
            }
            (Failure::NoBaseline, Lang::Ja) => writeln!(
                w,
                "比べる前の版がありません。修正の前に hakusho build を一度実行し、修正したあとで hakusho build --proof を実行してください（前回のビルドから変わった文書の校正刷りを作ります）"
            ),
            (Failure::NoBaseline, Lang::En) => writeln!(
                w,
                "no earlier version to compare with: run hakusho build before the corrections, then hakusho build --proof after them"
            ),
            (Failure::UnknownRound { name, kept }, Lang::Ja) => writeln!(
                w,
                "残してある版に「{name}」はありません。残してある版: {}。hakusho proof --since の後にこのどれかを書いてください",
                if kept.is_empty() { "なし".to_string() } else { kept.join("、") }
            ),
            (Failure::UnknownRound { name, kept }, Lang::En) => writeln!(
                w,
                "no kept version named \"{name}\"; kept: {}",
                if kept.is_empty() { "none".to_string() } else { kept.join(", ") }
            ),
            (Failure::UnknownDocument(d), _) => writeln!(w, "{}", d.render(lang)),
        };
    }
    let w = &mut *console.out;
    if let Some((round, built)) = &report.baseline {
        match (round, lang) {
            (None, Lang::Ja) => writeln!(w, "比べた版: 修正の前のビルド（{built} UTC）")?,
            (None, Lang::En) => writeln!(
                w,
                "compared with: the build before the last corrections ({built} UTC)"
            )?,
            (Some(r), Lang::Ja) => writeln!(w, "比べた版: {r}（{built} UTC）")?,
            (Some(r), Lang::En) => writeln!(w, "compared with: {r} ({built} UTC)")?,
        }
    }
    if report.documents.is_empty() {
        match lang {
            Lang::Ja => writeln!(
                w,
                "その版から変わった文書はありません。校正刷りは作りませんでした"
            )?,
            Lang::En => writeln!(
                w,
                "no document changed since that version; no proof was made"
            )?,
        }
    }
    for d in &report.documents {
        let mut pages: Vec<usize> = d.entries.iter().filter_map(|e| e.page).collect();
        pages.sort_unstable();
        pages.dedup();
        let pages: Vec<String> = pages.iter().map(|p| p.to_string()).collect();
        match lang {
            Lang::Ja => writeln!(
                w,
                "校正刷り {}（変更 {} 件、{} ページ）",
                d.path.display(),
                d.entries.len(),
                pages.join("・")
            )?,
            Lang::En => writeln!(
                w,
                "proof {} ({} changes, pages {})",
                d.path.display(),
                d.entries.len(),
                pages.join(", ")
            )?,
        }
    }
    if let Some(kept) = &report.kept_as {
        match lang {
            Lang::Ja => writeln!(
                w,
                "この版を「{kept}」として残しました。次の修正をこの版と比べるには hakusho proof --since {kept}"
            )?,
            Lang::En => writeln!(
                w,
                "this version was kept as \"{kept}\"; to compare later corrections with it: hakusho proof --since {kept}"
            )?,
        }
    }
    Ok(())
}

/// `hakusho proof --list`: the kept versions.
pub fn proof_rounds(w: &mut dyn Write, lang: Lang, rounds: &[String]) -> io::Result<()> {
    if rounds.is_empty() {
        return match lang {
            Lang::Ja => writeln!(
                w,
                "残してある版はありません（校正刷りを作るたびに、その版が残ります）"
            ),
            Lang::En => writeln!(
                w,
                "no kept versions (each proof keeps the version it shows)"
            ),
        };
    }
    match lang {
        Lang::Ja => writeln!(
            w,
            "残してある版（hakusho proof --since 名前 で比べられます）:"
        )?,
        Lang::En => writeln!(
            w,
            "kept versions (compare with hakusho proof --since NAME):"
        )?,
    }
    for r in rounds {
        writeln!(w, "  {r}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_with_only_warnings_says_so_once() {
        let counts = Counts {
            workbooks: 2,
            ..Counts::default()
        };
        let mut out = Vec::new();
        check_passed(&mut out, Lang::Ja, &counts, 0, 2).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("問題は見つかりませんでした"), "{text}");
        assert!(
            text.starts_with("エラーはありません。警告 2 件（ワークブック 2 件"),
            "{text}"
        );
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_context() {
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe)).context("diff");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
