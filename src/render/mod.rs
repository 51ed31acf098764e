//! The render stage: minijinja templates (templates/*.html) + the model → document markup.
//!
//! The environment:
//! - loads templates only from the project's `templates/` directory (a name that is absolute,
//!   contains `..`, a backslash or a hidden segment, or resolves outside `templates/` through a
//!   link, is refused); minijinja has no other file access and none is added;
//! - HTML auto-escaping for `.html` templates: any text from the sources is escaped unless a
//!   helper (`narrative`, `br`) produced safe markup from it;
//! - strict undefined behaviour: a misspelt variable or attribute is an error, never a blank;
//! - a formatter that prints only text and numbers: printing a map, a list, none or a
//!   boolean (which would print as `True`) is an error at the template's line ([`print_value`]), so a serialized structure never
//!   reaches a page (a model `Value` prints through `cell`, `num`, … instead);
//! - the helpers of [`filters`]; `narrative` and `narrative_inline` make list items of the lines
//!   that start with a marker the style sheet declares (`lists.markers` in
//!   `templates/style.yaml`, read here once: the typesetter hangs the same set).
//!
//! Errors become [`Diagnostic`]s naming the template file and line.

mod chart;
pub mod context;
pub mod filters;
pub mod narrative;
pub mod record;

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hakusho_diagnostics::{confined, Diagnostic, Location, Message};
use hakusho_typeset::ListMarkers;
use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value};

/// A template environment bound to one project's `templates/` directory. Build it once per
/// build and share it between threads (rendering only borrows it).
///
/// Each render works in its own copy of the environment, with no template loaded yet, so that
/// its loader is asked for every template that render uses and can note it
/// ([`Renderer::render_recording`]); the files themselves are read once per `Renderer`
/// (`TemplateSources`). Compiling a template again per document costs far less than a
/// millisecond.
pub struct Renderer {
    /// Filters, functions and settings; no loader, no template.
    env: Environment<'static>,
    sources: Arc<TemplateSources>,
    dir: PathBuf,
}

/// The template files read so far, by name: each read once per build however many documents
/// use it.
struct TemplateSources {
    dir: PathBuf,
    read: Mutex<HashMap<String, Arc<str>>>,
}

impl TemplateSources {
    fn load(&self, name: &str) -> Result<Option<String>, Error> {
        let cached = |s: &Self| {
            s.read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(name)
                .map(|t| t.to_string())
        };
        if let Some(text) = cached(self) {
            return Ok(Some(text));
        }
        let loaded = load_template(&self.dir, name)?;
        if let Some(text) = &loaded {
            self.read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(name.to_string(), Arc::from(text.as_str()));
        }
        Ok(loaded)
    }
}

/// Whether `name` is an acceptable template name: a relative path of plain segments.
pub fn is_safe_template_name(name: &str) -> bool {
    if name.is_empty() || name.contains('\\') || name.contains(':') || name.contains('\0') {
        return false;
    }
    if Path::new(name).is_absolute() || name.starts_with('/') {
        return false;
    }
    name.split('/')
        .all(|seg| !seg.is_empty() && !seg.starts_with('.'))
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn load_template(dir: &Path, name: &str) -> Result<Option<String>, Error> {
    if !is_safe_template_name(name) {
        return Err(helper_error(
            format!(
                "テンプレート名「{name}」は使えません。テンプレートは templates/ の中から、「..」を含まない相対的な名前で読み込みます"
            ),
            format!(
                "template name '{name}' is not allowed: templates are loaded only from \
                 templates/, by a relative name without '..'"
            ),
        ));
    }
    // the one confined, capped reader; its refusal (in both languages) is shown as it is
    match confined::read_text(dir, Path::new(name), TEMPLATE_MAX_BYTES) {
        Ok(s) => Ok(Some(s)),
        // nothing at all by that name: minijinja says "not found" at the include
        Err(_) if fs::symlink_metadata(dir.join(name)).is_err() => Ok(None),
        Err(e) => {
            Err(Error::new(ErrorKind::InvalidOperation, "could not read template").with_source(e))
        }
    }
}

/// The list markers the style sheet in `templates_dir` declares (`lists.markers`), or the
/// default set when it says none. A sheet that cannot be read gives the default here: the
/// typesetter, which loads the whole sheet, reports why.
pub fn list_markers(templates_dir: &Path) -> ListMarkers {
    confined::read_text(templates_dir, Path::new(STYLE_FILE), TEMPLATE_MAX_BYTES)
        .map(|text| ListMarkers::of_style_text(&text))
        .unwrap_or_default()
}

/// The style sheet's name inside `templates/`.
const STYLE_FILE: &str = "style.yaml";

/// Largest template file read (a template is a page of markup; far larger is a stray file).
pub const TEMPLATE_MAX_BYTES: u64 = 16 * 1024 * 1024;

impl Renderer {
    /// An environment loading templates from `templates_dir`.
    pub fn new(templates_dir: &Path) -> Renderer {
        let dir = templates_dir.to_path_buf();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // The default callback escapes .html/.htm/.xml; say it explicitly so it cannot drift.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".xml") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_debug(true);
        env.set_recursion_limit(200);
        env.set_formatter(print_value);

        env.add_filter("num", filters::num);
        env.add_filter("percent", filters::percent);
        env.add_filter("era", filters::era);
        let markers = std::sync::Arc::new(list_markers(&dir));
        let m = markers.clone();
        env.add_filter("narrative", move |v: Value, class: Option<String>| {
            filters::narrative(&v, class, &m)
        });
        env.add_filter("narrative_inline", move |v: Value| {
            filters::narrative_inline(&v, &markers)
        });
        env.add_filter("cell", filters::cell);
        env.add_filter("cell_lines", filters::cell_lines);
        env.add_filter("br", filters::br);
        env.add_filter("katakana", filters::katakana);
        env.add_filter("circled", filters::circled);
        env.add_test("blank", filters::is_blank);
        env.add_function("rows", context::rows);
        env.add_function("department", context::department);
        env.add_function("chart", chart::chart);
        let sources = Arc::new(TemplateSources {
            dir: dir.clone(),
            read: Mutex::new(HashMap::new()),
        });
        Renderer { env, sources, dir }
    }

    /// The directory templates are loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renders `template` (a name inside templates/) with `context`.
    pub fn render(&self, template: &str, context: Value) -> Result<String, Diagnostic> {
        self.render_recording(template, context, &record::Recorder::default())
    }

    /// Renders `template` with `context`, noting in `recorder` every template the render
    /// loads (the context's own objects note the model parts read: [`context::for_document`]).
    pub fn render_recording(
        &self,
        template: &str,
        context: Value,
        recorder: &record::Recorder,
    ) -> Result<String, Diagnostic> {
        let mut env = self.env.clone();
        let sources = Arc::clone(&self.sources);
        let recorder = recorder.clone();
        env.set_loader(move |name| {
            if is_safe_template_name(name) {
                recorder.note_template(name);
            }
            sources.load(name)
        });
        let tmpl = env
            .get_template(template)
            .map_err(|e| self.diagnostic(template, &e))?;
        tmpl.render(context)
            .map_err(|e| self.diagnostic(template, &e))
    }

    /// Turns a minijinja error into a diagnostic at `templates/<file>:<line>:<column>`.
    pub fn diagnostic(&self, requested: &str, err: &Error) -> Diagnostic {
        // The innermost error that knows its template and line is the one to show.
        let mut best: &Error = err;
        let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
        while let Some(e) = cur {
            if let Some(me) = e.downcast_ref::<Error>() {
                if me.line().is_some() {
                    best = me;
                }
            }
            cur = e.source();
        }
        let name = best.name().unwrap_or(requested);
        let display_path = Path::new("templates").join(name);
        if let Some(refused) = read_refusal(err) {
            return Diagnostic::error(
                Location::file(Path::new("templates").join(refused.0)),
                refused.1.diagnostic.ja.clone(),
                refused.1.diagnostic.en.clone(),
            );
        }
        let location = match best.line() {
            Some(line) => {
                let column = best
                    .range()
                    .and_then(|r| {
                        let src = best.template_source().map(str::to_string).or_else(|| {
                            confined::read_text(&self.dir, Path::new(name), TEMPLATE_MAX_BYTES).ok()
                        })?;
                        let before = src.get(..r.start)?;
                        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                        Some(before[line_start..].chars().count() as u32 + 1)
                    })
                    .unwrap_or(1);
                Location::text(display_path, line as u32, column)
            }
            None => Location::file(display_path),
        };
        let snippet = best
            .range()
            .and_then(|r| best.template_source().and_then(|s| s.get(r)))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.chars().count() <= 80);
        // The kind is said in words of our own; minijinja's detail (English) follows when it
        // says more than the kind.
        let detail = best.detail().map(str::to_string);
        let (ja_kind, en_kind) = kind_names(best.kind());
        let en_detail = detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        // minijinja's detail is English: the Japanese message says the kind, the place and the
        // template's words; our own helpers say more in Japanese
        let ja_detail = match helper_error_behind(err) {
            Some(h) => format!("。{}", h.ja),
            None => String::new(),
        };
        if let Some(what) = unprintable_behind(err) {
            let expr = snippet
                .as_deref()
                .map(|s| s.trim_start_matches("{{").trim_end_matches("}}").trim());
            return unprintable_message(what, expr).error_at(location);
        }
        let (ja, en) = match snippet {
            Some(s) => (
                format!("テンプレートの誤り（{ja_kind}）: 「{s}」{ja_detail}"),
                format!("template error ({en_kind}): `{s}`{en_detail}"),
            ),
            None => (
                format!("テンプレートの誤り（{ja_kind}）{ja_detail}"),
                format!("template error ({en_kind}){en_detail}"),
            ),
        };
        Diagnostic::error(location, ja, en)
    }
}

/// What `{{ … }}` found that it refuses to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unprintable {
    Map,
    List,
    None,
    Bool,
}

impl std::fmt::Display for Unprintable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unprintable::Map => "cannot print a map",
            Unprintable::List => "cannot print a list",
            Unprintable::None => "cannot print none",
            Unprintable::Bool => "cannot print a boolean",
        })
    }
}

impl std::error::Error for Unprintable {}

/// The environment's formatter: text and numbers print (escaped as the template's
/// auto-escaping says); a map, a list or none is an error, because its serialized form
/// (`{"text": …, "kind": …}`) would otherwise be set on the page as if it were text. An
/// undefined name never gets here (strict undefined behaviour stops it first), except the
/// deliberate empty branch of `{{ x if c }}`, which prints nothing.
pub fn print_value(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    let refused = match value.kind() {
        ValueKind::Map => Some(Unprintable::Map),
        ValueKind::Seq | ValueKind::Iterable => Some(Unprintable::List),
        ValueKind::None => Some(Unprintable::None),
        ValueKind::Bool => Some(Unprintable::Bool),
        _ => None,
    };
    match refused {
        Some(what) => {
            Err(Error::new(ErrorKind::InvalidOperation, what.to_string()).with_source(what))
        }
        None => minijinja::escape_formatter(out, state, value),
    }
}

/// A template helper's error (`num`, `era`, `rows()`, …) with its Japanese and English text:
/// the [`Message`] is carried as the source of the minijinja error, so the Japanese message is
/// Japanese (minijinja's own detail, English, goes to the English message only).
pub fn helper_error(ja: impl Into<String>, en: impl Into<String>) -> Error {
    let m = Message::new(ja, en);
    Error::new(ErrorKind::InvalidOperation, m.en.clone()).with_source(m)
}

/// What our own filters and functions said went wrong, behind a minijinja error.
fn helper_error_behind(err: &Error) -> Option<&Message> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<Message>() {
            return Some(h);
        }
        cur = e.source();
    }
    None
}

fn unprintable_behind(err: &Error) -> Option<Unprintable> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(u) = e.downcast_ref::<Unprintable>() {
            return Some(*u);
        }
        cur = e.source();
    }
    None
}

/// The message for a refused print of `expr` (the template's words, when known).
fn unprintable_message(what: Unprintable, expr: Option<&str>) -> Message {
    let (ja_subject, en_subject) = match expr {
        Some(e) => (format!("「{{{{ {e} }}}}」の値"), format!("`{{{{ {e} }}}}`")),
        None => (
            "印刷しようとした値".to_string(),
            "the printed value".to_string(),
        ),
    };
    match what {
        Unprintable::Map => Message::new(
            format!(
                "テンプレートの誤り: {ja_subject}は項目の組（text、number など）で、\
                 そのままでは印刷できません。項目を一つ選ぶか（例: 「.text」）、\
                 フィルタ「cell」「num」などで文字にしてください"
            ),
            format!(
                "template error: {en_subject} is a map (text, number, …) and cannot be printed \
                 as it is; print one of its fields (e.g. `.text`) or pass it through a filter \
                 such as `cell` or `num`"
            ),
        ),
        Unprintable::List => Message::new(
            format!(
                "テンプレートの誤り: {ja_subject}は一覧で、そのままでは印刷できません。\
                 「{{% for %}}」で一つずつ印刷するか、フィルタ「join」でつないでください"
            ),
            format!(
                "template error: {en_subject} is a list and cannot be printed as it is; print \
                 its items in a `{{% for %}}` loop or join them with the `join` filter"
            ),
        ),
        Unprintable::None => Message::new(
            format!(
                "テンプレートの誤り: {ja_subject}は空（none）で、印刷できません。\
                 「{{% if … is not blank %}}」で囲むか、フィルタ「cell」で空欄として印刷してください"
            ),
            format!(
                "template error: {en_subject} is none and cannot be printed; wrap it in \
                 `{{% if … is not blank %}}` or print it through the `cell` filter, which prints \
                 nothing for it"
            ),
        ),
        Unprintable::Bool => Message::new(
            format!(
                "テンプレートの誤り: {ja_subject}は真偽値（true・false）で、印刷すると英語の\
                 「True」「False」になります。「{{% if %}}」で印刷する文字を選んでください"
            ),
            format!(
                "template error: {en_subject} is a boolean and would print as `True`/`False`; \
                 choose the words to print with `{{% if %}}`"
            ),
        ),
    }
}

/// The confined reader's refusal behind a loader error (its location is the template's name).
fn read_refusal(err: &Error) -> Option<(PathBuf, &confined::ReadError)> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<confined::ReadError>() {
            return Some((r.diagnostic.location.path()?.to_path_buf(), r));
        }
        cur = e.source();
    }
    None
}

fn kind_names(kind: ErrorKind) -> (&'static str, &'static str) {
    match kind {
        ErrorKind::UndefinedError => (
            "未定義の名前・項目です。綴りを確認してください",
            "undefined value; check the spelling",
        ),
        ErrorKind::SyntaxError => ("構文の誤り", "syntax error"),
        ErrorKind::TemplateNotFound => ("テンプレートが見つかりません", "template not found"),
        ErrorKind::UnknownFilter => ("未知のフィルタ", "unknown filter"),
        ErrorKind::UnknownFunction => ("未知の関数", "unknown function"),
        ErrorKind::UnknownTest => ("未知のテスト", "unknown test"),
        ErrorKind::UnknownMethod => ("未知のメソッド", "unknown method"),
        ErrorKind::MissingArgument => ("引数が足りません", "missing argument"),
        ErrorKind::TooManyArguments => ("引数が多すぎます", "too many arguments"),
        ErrorKind::CannotUnpack => ("値を分解できません", "cannot unpack"),
        ErrorKind::BadEscape => ("文字列のエスケープの誤り", "bad string escape"),
        ErrorKind::BadInclude => ("読み込みの誤り", "bad include"),
        _ => ("処理できない操作", "invalid operation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_are_confined() {
        assert!(is_safe_template_name("white_paper.html"));
        assert!(is_safe_template_name("parts/policy.html"));
        assert!(!is_safe_template_name("/etc/passwd"));
        assert!(!is_safe_template_name("../Cargo.toml"));
        assert!(!is_safe_template_name("parts/../../x"));
        assert!(!is_safe_template_name(".hidden"));
        assert!(!is_safe_template_name("a\\b"));
        assert!(!is_safe_template_name("C:/x"));
        assert!(!is_safe_template_name(""));
        assert!(!is_safe_template_name("a//b"));
    }
}
