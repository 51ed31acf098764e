//! Stage timings of `hakusho build`, measured through the library's public API, one thread.
//!
//! ```text
//! cargo bench --bench build                       # the bundled sample (this repository)
//! cargo bench --bench build -- DIR [DIR...]       # other projects (e.g. from examples/gen_project)
//! cargo bench --bench build -- --runs 5 --json DIR
//! ```
//!
//! For each project, each stage is run `--runs` times (default 3) and the fastest run is
//! reported (the machine is shared; the minimum is the least disturbed):
//!
//! | stage | what |
//! |---|---|
//! | `workbooks` | `hakusho_sources::workbook::read_workbook` of every department workbook |
//! | `sources` | `hakusho_sources::load_project`: YAML + workbooks + validation (includes `workbooks`) |
//! | `fonts` | `Style::load` (reads and indexes the font files) + `Typesetter::new` (the PDF writer's width tables) |
//! | `render` | minijinja: every document's markup (`Renderer::render`) |
//! | `parse` | `hakusho_typeset::markup::parse` of every document |
//! | `layout` | `hakusho_typeset::layout::layout`: composition, tables, pagination, TOC passes |
//! | `pdf` | `Typesetter::write_pdf`: subsetting (subsetter), printpdf, lopdf patching, compression |
//!
//! plus the total, pages, PDF bytes, and the largest document's layout and PDF times (the critical
//! path of the parallel build). `bench/run.sh` runs this for every benchmarked project.
//! With `--json`, one JSON object per project on stdout.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hakusho::build::{declared_documents, expand, Job};
use hakusho::render::{context, Renderer};
use hakusho_diagnostics::Diagnostics;
use hakusho_sources::{workbook, Limits};
use hakusho_typeset::{Style, Typesetter};

struct Args {
    runs: usize,
    json: bool,
    projects: Vec<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        runs: 3,
        json: false,
        projects: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => a.runs = it.next().and_then(|n| n.parse().ok()).unwrap_or(3).max(1),
            "--json" => a.json = true,
            // `cargo bench` passes --bench; libtest-style filters are ignored.
            s if s.starts_with("--") => {}
            dir => a.projects.push(PathBuf::from(dir)),
        }
    }
    if a.projects.is_empty() {
        a.projects.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    }
    a
}

/// Fastest of `runs` runs of `f`, and its last result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let r = f();
        best = best.min(start.elapsed());
        out = Some(r);
    }
    (best, out.expect("runs >= 1"))
}

struct Doc {
    name: String,
    markup_bytes: usize,
    pages: usize,
    pdf_bytes: usize,
    render: Duration,
    parse: Duration,
    layout: Duration,
    /// Layout of the same markup without its `<toc/>`: one pass (a TOC makes layout run
    /// until page numbers settle, up to three passes).
    layout_one_pass: Duration,
    pdf: Duration,
    /// Serializing the same pages' content streams directly (no printpdf ops, no compression):
    /// a probe of what a PDF writer without printpdf's page translation would spend.
    content_direct: Duration,
    content_bytes: usize,
}

fn fail(what: &str, d: &Diagnostics) -> ! {
    eprintln!("{what}: {}", d.len());
    for x in d.iter().take(10) {
        eprintln!("  {}", x.render(hakusho_diagnostics::Lang::En));
    }
    std::process::exit(1);
}

fn bench_project(root: &Path, runs: usize) -> String {
    let (t_sources, (model, diags)) = best(runs, || hakusho_sources::load_project(root));
    let Some(model) = model else {
        fail("sources", &diags)
    };

    let limits = Limits::default();
    let (t_workbooks, _) = best(runs, || {
        let mut d = Diagnostics::new();
        for dept in &model.config.departments {
            let display = PathBuf::from(format!("sources/workbooks/{}.xlsx", dept.id));
            let real = root.join(&display);
            if real.is_file() {
                workbook::read_workbook(
                    &real,
                    &display,
                    Some(&dept.id),
                    &model.config.tables,
                    &limits,
                    &mut d,
                );
            }
        }
        d
    });

    let style_path = root.join("templates").join("style.yaml");
    let (t_fonts, (typesetter, fonts)) = best(runs, || {
        let (style, fonts) = Style::load(&style_path, root).unwrap_or_else(|d| fail("style", &d));
        let fonts = Arc::new(fonts);
        let t = Typesetter::new(style, Arc::clone(&fonts)).unwrap_or_else(|d| fail("fonts", &d));
        (t, fonts)
    });

    let (declared, departments) = declared_documents(&model);
    let jobs: Vec<Job> = expand(declared, &departments).unwrap_or_else(|d| fail("documents", &d));
    let renderer = Renderer::new(&root.join("templates"));
    let base = context::base(&model);

    let mut docs = Vec::new();
    for job in &jobs {
        let info = context::DocumentInfo {
            name: &job.name,
            title: &job.title,
            template: &job.template,
            department: job.department.as_deref(),
        };
        let (render, markup) = best(runs, || {
            renderer
                .render(
                    &job.template,
                    context::for_document(&base, &info, &Default::default()),
                )
                .unwrap_or_else(|d| {
                    eprintln!("{}: {}", job.name, d.render(hakusho_diagnostics::Lang::En));
                    std::process::exit(1)
                })
        });
        let source = format!("build/{}.markup.html", job.name);
        let (parse, doc) = best(runs, || {
            hakusho_typeset::markup::parse(&markup, &source).unwrap_or_else(|d| fail(&job.name, &d))
        });
        let (layout, laid) = best(runs, || {
            let mut d = Diagnostics::new();
            hakusho_typeset::layout::layout(&doc, typesetter.style(), &fonts, &source, &mut d)
        });
        let layout_one_pass = if markup.contains("<toc/>") {
            let doc = hakusho_typeset::markup::parse(&markup.replace("<toc/>", ""), &source)
                .unwrap_or_else(|d| fail(&job.name, &d));
            best(runs, || {
                let mut d = Diagnostics::new();
                hakusho_typeset::layout::layout(&doc, typesetter.style(), &fonts, &source, &mut d)
            })
            .0
        } else {
            layout
        };
        let (pdf, bytes) = best(runs, || typesetter.write_pdf(&laid).expect("PDF written"));
        let (content_direct, content) = best(runs, || content_streams(&laid));
        docs.push(Doc {
            name: job.name.clone(),
            markup_bytes: markup.len(),
            pages: laid.pages.len(),
            pdf_bytes: bytes.len(),
            render,
            parse,
            layout,
            layout_one_pass,
            pdf,
            content_direct,
            content_bytes: content,
        });
    }

    let sum = |f: fn(&Doc) -> Duration| docs.iter().map(f).sum::<Duration>();
    let (render, parse, layout, pdf) = (
        sum(|d| d.render),
        sum(|d| d.parse),
        sum(|d| d.layout),
        sum(|d| d.pdf),
    );
    let total = t_sources + t_fonts + render + parse + layout + pdf;
    let largest = docs
        .iter()
        .max_by_key(|d| d.pages)
        .expect("at least one document");
    let s = |d: Duration| d.as_secs_f64();
    format!(
        concat!(
            "{{\"project\":{:?},\"documents\":{},\"pages\":{},\"pdf_bytes\":{},\"markup_bytes\":{},",
            "\"stages\":{{\"workbooks\":{:.4},\"sources\":{:.4},\"fonts\":{:.4},\"render\":{:.4},",
            "\"parse\":{:.4},\"layout\":{:.4},\"pdf\":{:.4},\"total\":{:.4}}},",
            "\"largest\":{{\"name\":{:?},\"pages\":{},\"pdf_bytes\":{},\"render\":{:.4},\"parse\":{:.4},",
            "\"layout\":{:.4},\"layout_without_toc\":{:.4},\"pdf\":{:.4},",
            "\"content_direct\":{:.4},\"content_bytes\":{}}}}}"
        ),
        root.display().to_string(),
        docs.len(),
        docs.iter().map(|d| d.pages).sum::<usize>(),
        docs.iter().map(|d| d.pdf_bytes).sum::<usize>(),
        docs.iter().map(|d| d.markup_bytes).sum::<usize>(),
        s(t_workbooks),
        s(t_sources),
        s(t_fonts),
        s(render),
        s(parse),
        s(layout),
        s(pdf),
        s(total),
        largest.name,
        largest.pages,
        largest.pdf_bytes,
        s(largest.render),
        s(largest.parse),
        s(largest.layout),
        s(largest.layout_one_pass),
        s(largest.pdf),
        s(largest.content_direct),
        largest.content_bytes,
    )
}

/// Uncompressed content streams of every page, written straight from the laid-out pages: text as
/// `Tf`/`Tm`/`TJ` with 4-hex-digit glyph ids and kerning offsets (what pdf.rs asks printpdf to
/// write), rules and fills. Returns the total bytes (kept so the work is not optimized away).
fn content_streams(doc: &hakusho_typeset::LaidOutDocument) -> usize {
    use hakusho_typeset::page::Item;
    use std::io::Write;
    let mut total = 0;
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    for page in &doc.pages {
        out.clear();
        let h = page.height;
        for it in &page.items {
            match it {
                Item::Rect {
                    x,
                    y,
                    width,
                    height,
                    ..
                } => {
                    let _ = writeln!(
                        out,
                        "{x:.2} {:.2} {width:.2} {height:.2} re f",
                        h - y - height
                    );
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    ..
                } => {
                    let _ = writeln!(
                        out,
                        "{width:.2} w {x1:.2} {:.2} m {x2:.2} {:.2} l S",
                        h - y1,
                        h - y2
                    );
                }
                _ => {}
            }
        }
        out.extend_from_slice(b"BT\n");
        for it in &page.items {
            let Item::Text(run) = it else { continue };
            if run.glyphs().is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "/F{} {:.2} Tf 1 0 0 1 {:.2} {:.2} Tm [",
                run.font.0,
                run.size,
                run.x + run.glyphs()[0].x,
                h - run.y
            );
            for (k, g) in run.glyphs().iter().enumerate() {
                let _ = write!(out, "<{:04X}>", g.glyph_id);
                if let Some(next) = run.glyphs().get(k + 1) {
                    // Offset against a nominal advance of one em (the probe has no /W widths).
                    let d = ((g.x + run.size - next.x) * 1000.0 / run.size).round() as i32;
                    if d != 0 {
                        let _ = write!(out, "{d}");
                    }
                }
            }
            out.extend_from_slice(b"] TJ\n");
        }
        out.extend_from_slice(b"ET\n");
        total += out.len();
    }
    total
}

fn main() {
    let a = args();
    for root in &a.projects {
        let json = bench_project(root, a.runs);
        if a.json {
            println!("{json}");
        } else {
            print_table(&json);
        }
    }
}

/// Human-readable summary of the JSON line (kept dependency-free: a tiny field extractor).
fn print_table(json: &str) {
    let field = |key: &str| -> String {
        let pat = format!("\"{key}\":");
        json.find(&pat)
            .map(|i| {
                let rest = &json[i + pat.len()..];
                let end = rest.find([',', '}']).unwrap_or(rest.len());
                rest[..end].trim_matches('"').to_string()
            })
            .unwrap_or_default()
    };
    println!("project {}", field("project"));
    println!(
        "  {} documents, {} pages, {} PDF bytes",
        field("documents"),
        field("pages"),
        field("pdf_bytes")
    );
    let stages_at = json.find("\"stages\"").unwrap_or(0);
    let stages = &json[stages_at..];
    for key in [
        "workbooks",
        "sources",
        "fonts",
        "render",
        "parse",
        "layout",
        "pdf",
        "total",
    ] {
        let pat = format!("\"{key}\":");
        if let Some(i) = stages.find(&pat) {
            let rest = &stages[i + pat.len()..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            println!("  {key:<10} {:>8} s", &rest[..end]);
        }
    }
    let largest_at = json.find("\"largest\"").unwrap_or(0);
    println!("  largest document: {}", &json[largest_at..json.len() - 1]);
}
