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
