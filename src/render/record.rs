//! What one render reads, noted while it renders: the model parts its templates touch and the
//! template files it loads. The build names a rebuilt document's changed inputs from this and
//! `hakusho diff` groups changes by the documents that show them.
//!
//! A model part (`white_paper`, `plan`, `department:<id>`, `table:<table>:<group>`, as in
//! [`hakusho_sources::Input::parts`]) counts as read when a template reads inside it — an
//! attribute, an item, its length, its truth, an iteration — not when a name is merely passed
//! on: a part named in a comment, in a branch not taken or in a macro never called is not read.
//! The context of [`super::context::for_document`] wraps each part in a [`Tracked`] object that
//! notes the first read into the render's [`Recorder`]; `rows(t, g)` notes `table:<t>:<g>`.
//! Templates are noted by the loader, which the renderer gives each render afresh.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{DynObject, Enumerator, Object, ObjectRepr};
use minijinja::Value;

/// What a render read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedDeps {
    /// Model parts (`plan`, `department:kikaku`, `table:indicators:1-1`); a part pattern with a
    /// `*` segment (`table:indicators:*`) when a template read a whole table's rows.
    pub parts: BTreeSet<String>,
    /// Project-relative files: the templates loaded (`templates/macros.html`), and a
    /// department's workbook read through its table sections.
    pub files: BTreeSet<String>,
}

/// One thing a template can depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dep {
    Part(String),
    File(String),
}

/// Where one render notes what it reads; cloned into the context's objects and the loader.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<RecordedDeps>>);

impl Recorder {
    pub fn note(&self, dep: &Dep) {
        self.note_all(std::slice::from_ref(dep));
    }

    pub fn note_all(&self, deps: &[Dep]) {
        if deps.is_empty() {
            return;
        }
        // a panic elsewhere cannot leave the set half-written: keep what it holds
        let mut r = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for d in deps {
            match d {
                Dep::Part(p) => r.parts.insert(p.clone()),
                Dep::File(f) => r.files.insert(f.clone()),
            };
        }
    }

    /// A template loaded by name (inside templates/).
    pub fn note_template(&self, name: &str) {
        self.note(&Dep::File(format!("templates/{name}")));
    }

    /// What was noted so far.
    pub fn recorded(&self) -> RecordedDeps {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A map or list of the context that notes when a template reads it; otherwise it behaves as
/// the value it wraps (same kind, keys, items, truth).
pub struct Tracked {
    inner: DynObject,
    recorder: Recorder,
    /// Noted at the first read.
    on_read: Vec<Dep>,
    /// Keys whose reading is no read of the part (a department's `id` and `name` come from
    /// hakusho.yaml, which every document depends on).
    free_keys: &'static [&'static str],
    /// Noted, besides `on_read`, when one of these keys is read (a table's `rows`).
    on_key: Vec<(&'static str, Vec<Dep>)>,
    read: AtomicBool,
}

impl Tracked {
    /// `value` wrapped, or `value` itself when it is no map or list (none: nothing to read).
    pub fn wrap(
        value: &Value,
        recorder: &Recorder,
        on_read: Vec<Dep>,
        free_keys: &'static [&'static str],
        on_key: Vec<(&'static str, Vec<Dep>)>,
    ) -> Value {
        match value.as_object() {
            Some(inner) => Value::from_object(Tracked {
                inner: inner.clone(),
                recorder: recorder.clone(),
                on_read,
                free_keys,
                on_key,
                read: AtomicBool::new(false),
            }),
            None => value.clone(),
        }
    }

    /// A part read as a whole (`wp`, `plan`): any read notes `part`.
    pub fn part(value: &Value, recorder: &Recorder, part: &str) -> Value {
        Tracked::wrap(
            value,
            recorder,
            vec![Dep::Part(part.to_string())],
            &[],
            Vec::new(),
        )
    }

    /// Notes `dep` for the render this object belongs to (`rows()` notes the group it gives).
    pub fn note(&self, dep: &Dep) {
        self.recorder.note(dep);
    }

    /// The value at `key` without noting a read (for helpers that note more precisely).
    pub fn get_unnoted(&self, key: &str) -> Option<Value> {
        self.inner.get_value(&Value::from(key))
    }

    fn mark(&self) {
        if !self.read.swap(true, Ordering::Relaxed) {
            self.recorder.note_all(&self.on_read);
        }
    }
}

impl std::fmt::Debug for Tracked {
    /// As the wrapped value (minijinja shows it so in its debug output).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.inner, f)
    }
}

impl Object for Tracked {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        self.inner.repr()
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(k) = key.as_str() {
            if self.free_keys.contains(&k) {
                return self.inner.get_value(key);
            }
            if let Some((_, deps)) = self.on_key.iter().find(|(name, _)| *name == k) {
                self.recorder.note_all(deps);
            }
        }
        self.mark();
        self.inner.get_value(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.mark();
        self.inner.enumerate()
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.mark();
        self.inner.enumerator_len()
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.mark();
        self.inner.is_true()
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.mark();
        self.inner.render(f)
    }
}

/// Whether `value` is a [`Tracked`] object, and which.
pub fn tracked(value: &Value) -> Option<&Tracked> {
    value.downcast_object_ref::<Tracked>()
}
