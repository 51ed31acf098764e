//! Printing diagnostics for the clerk: one line each (`location: message`), sorted by location,
//! then a count. `hakusho check` and `hakusho build` print problems the same way through here.

use hakusho_diagnostics::{Diagnostics, Lang, Severity};

/// Prints every diagnostic to stderr (sorted by location) and a one-line summary when there is
/// anything to say. Returns whether any of them is an error.
pub fn print_diagnostics(diags: &Diagnostics, lang: Lang) -> bool {
    let mut sorted = diags.clone();
    sorted.sort();
    for d in sorted.iter() {
        eprintln!("{}", d.render(lang));
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        eprintln!("{}", summary(errors, warnings, lang));
    }
    errors > 0
}

/// "エラー 2 件、警告 1 件" / "2 errors, 1 warning".
pub fn summary(errors: usize, warnings: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("エラー {errors} 件、警告 {warnings} 件"),
        Lang::En => format!(
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ),
    }
}
