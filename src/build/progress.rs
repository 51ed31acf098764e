//! Progress while documents are typeset: a bar on a terminal (stderr is a TTY), one plain line
//! per finished document elsewhere (CI, logs, tests).

use std::io::IsTerminal;

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
            let template = match lang {
                Lang::Ja => "{spinner} 組版中 [{bar:30}] {pos}/{len} {wide_msg}",
                Lang::En => "{spinner} typesetting [{bar:30}] {pos}/{len} {wide_msg}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
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
            None => match self.lang {
                Lang::Ja => eprintln!("組版 {n}/{}: {name}", self.total),
                Lang::En => eprintln!("typeset {n}/{}: {name}", self.total),
            },
        }
    }

    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
