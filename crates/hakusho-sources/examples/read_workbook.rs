//! Checks workbooks with a project's table configuration and prints the problems; with
//! `--all-sheets`, reads every sheet of each file (a robustness probe).
//!
//! ```text
//! cargo run -p hakusho-sources --example read_workbook -- PROJECT_DIR FILE...
//! cargo run -p hakusho-sources --example read_workbook -- --all-sheets FILE...
//! ```

use std::path::PathBuf;

use hakusho_diagnostics::Lang;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--all-sheets") {
        for f in &args[1..] {
            let r = hakusho_sources::workbook::read_all_sheets(
                std::path::Path::new(f),
                &hakusho_sources::Limits::default(),
            );
            match r {
                Ok(sheets) => println!("{f}: ok {sheets:?}"),
                Err(m) => println!("{f}: refused: {}", m.ja),
            }
        }
        return;
    }
    let mut args = args.into_iter();
    let root = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let files: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let (diags, counts) = hakusho_sources::check_files_with_counts(&root, &files);
    for d in diags.iter() {
        println!("{}", d.render(Lang::Ja));
    }
    println!("{counts:?}");
}
