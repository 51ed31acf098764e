//! Progress while documents are typeset: a bar on a terminal (stderr is a TTY), one plain line
//! per finished document elsewhere (CI, logs, tests).

use std::io::IsTerminal;

use crate::messages;
use hakusho_diagnostics::Lang;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    lang: Lang,
}

impl Progress {
    /// Progress over `total` documents to typeset (nothing is shown when `total` is 0).
    pub fn new(total: usize, lang: Lang) -> Progress {
        let bar = (total > 0 && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(messages::progress_template(lang)) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            total,
            done: std::sync::atomic::AtomicUsize::new(0),
            lang,
        }
    }

    /// A document was typeset (successfully or not).
    pub fn finished(&self, name: &str) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(name.to_string());
                bar.inc(1);
            }
            None => {
                // progress is a courtesy: a closed stderr must not stop the build
                let _ =
                    messages::progress_line(&mut std::io::stderr(), self.lang, n, self.total, name);
            }
        }
    }

    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
