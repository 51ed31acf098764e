//! Renders the test fixture (policy 第4-1 of the 2021 white paper) to PDF:
//! `cargo run -p hakusho-typeset --example demo -- out.pdf [markup.html]`
//! Prints the time spent in layout and in PDF writing.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use hakusho_diagnostics::Lang;
use hakusho_typeset::{Style, Typesetter};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map(String::as_str).unwrap_or("demo.pdf");
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.join("../..");
    let input: std::path::PathBuf = args
        .get(2)
        .filter(|a| !a.starts_with("--"))
        .map(Into::into)
        .unwrap_or_else(|| crate_dir.join("tests/fixtures/policy_4-1.html"));
    let t0 = Instant::now();
    let (style, fonts) = match Style::load(&root.join("templates/style.yaml"), &root) {
        Ok(x) => x,
        Err(d) => {
            d.iter().for_each(|d| eprintln!("{}", d.render(Lang::En)));
            std::process::exit(1);
        }
    };
    let ts = Typesetter::new(style, Arc::new(fonts)).expect("fonts");
    let t_load = t0.elapsed();
    let markup = match args.get(2).map(String::as_str) {
        // A white-paper-sized document: chapters of policies built from the fixture's policy.
        Some("--synthetic") => synthetic(
            &std::fs::read_to_string(crate_dir.join("tests/fixtures/policy_4-1.html")).unwrap(),
            args.get(3).and_then(|n| n.parse().ok()).unwrap_or(110),
        ),
        _ => std::fs::read_to_string(&input).expect("read markup"),
    };
    let name = input.display().to_string();
    let t1 = Instant::now();
    let (laid, warnings) = match ts.layout(&markup, &name) {
        Ok(x) => x,
        Err(d) => {
            d.iter().for_each(|d| eprintln!("{}", d.render(Lang::En)));
            std::process::exit(1);
        }
    };
    let t_layout = t1.elapsed();
    let t2 = Instant::now();
    let pdf = ts.write_pdf(&laid).unwrap();
    let t_pdf = t2.elapsed();
    warnings
        .iter()
        .for_each(|d| eprintln!("{}", d.render(Lang::En)));
    std::fs::write(out, &pdf).expect("write pdf");
    println!(
        "{out}: {} pages, {} bytes; fonts {:.0} ms, layout {:.0} ms, pdf {:.0} ms",
        laid.pages.len(),
        pdf.len(),
        t_load.as_secs_f64() * 1000.0,
        t_layout.as_secs_f64() * 1000.0,
        t_pdf.as_secs_f64() * 1000.0
    );
}

/// Repeats the fixture's policy (from its <h2> to the end of its section) `policies` times in
/// chapters of 11, after the fixture's cover and TOC.
fn synthetic(fixture: &str, policies: usize) -> String {
    let head_end = fixture.find("<section>\n<h1").expect("fixture layout");
    let pol_start = fixture.find("<h2>").expect("policy");
    let pol_end = fixture.find("<h2>主な取り組み").expect("policy end");
    let policy = &fixture[pol_start..pol_end];
    let mut s = fixture[..head_end].to_string();
    for i in 0..policies {
        if i % 11 == 0 {
            if i > 0 {
                s.push_str("</section>\n");
            }
            s.push_str(&format!(
                "<section>\n<h1>第{}章 施策の達成状況（第{}部）</h1>\n<p>本章では、各施策の目標指標の達成状況と取り組み状況を示します。</p>\n",
                i / 11 + 1,
                i / 11 + 1
            ));
        }
        s.push_str(&policy.replace("第4-1", &format!("第{}-{}", i / 11 + 1, i % 11 + 1)));
    }
    s.push_str("</section>\n</doc>\n");
    s
}
