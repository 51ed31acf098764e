//! Progress while documents are typeset: a bar on a terminal (stderr is a TTY), one plain line
//! per finished document elsewhere (CI, logs, tests).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::build::Observer;
use crate::messages;
use hakusho_diagnostics::Lang;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows the typesetting of a build: implements the driver's [`Observer`].
pub struct Progress {
    lang: Lang,
    bar: Mutex<Option<ProgressBar>>,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    pub fn new(lang: Lang) -> Progress {
        Progress {
            lang,
            bar: Mutex::new(None),
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for Progress {
    /// Nothing is shown when `total` is 0.
    fn typesetting(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
        self.done.store(0, Ordering::SeqCst);
        if total == 0 || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(messages::progress_template(self.lang)) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *self.bar() = Some(bar);
    }

    fn typeset(&self, name: &str) {
        let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        match &*self.bar() {
            Some(bar) => {
                bar.set_message(name.to_string());
                bar.inc(1);
            }
            None => {
                // progress is a courtesy: a closed stderr must not stop the build
                let total = self.total.load(Ordering::SeqCst);
                let _ = messages::progress_line(&mut std::io::stderr(), self.lang, n, total, name);
            }
        }
    }

    fn typeset_all(&self) {
        if let Some(bar) = self.bar().take() {
            bar.finish_and_clear();
        }
    }
}
