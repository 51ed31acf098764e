//! The `hakusho` command line.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hakusho_diagnostics::Lang;

#[derive(Parser)]
#[command(
    name = "hakusho",
    version,
    about = "自治体経営白書・各部の運営方針と目標・計画概要を Excel と YAML から組版します"
)]
struct Cli {
    /// Project directory (holds sources/, templates/, build/).
    #[arg(long, short = 'C', global = true, default_value = ".")]
    project: PathBuf,
    /// Language of messages: ja (default) or en.
    #[arg(long, global = true, default_value = "ja")]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check workbooks and YAML (all of sources/, or just the given files).
    Check {
        /// Files to check; without any, the whole project.
        files: Vec<PathBuf>,
    },
    /// Build every declared document into build/, or just the named ones.
    Build {
        /// Document names (as declared in sources/hakusho.yaml).
        names: Vec<String>,
        /// Typeset and write every document, changed or not.
        #[arg(long)]
        force: bool,
    },
    /// Build, then build again whenever sources/, templates/ or fonts/ change (Ctrl-C ends).
    Watch,
    /// Indicator values and paragraphs changed since the last build (--last: by the last build).
    Diff {
        /// What the last build changed, instead of what changed since.
        #[arg(long)]
        last: bool,
    },
    /// Write a department's workbook for next year's submission (prefilled), or every one.
    Workbook {
        /// Department id (or Japanese name); omit with --all.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        department: Option<String>,
        /// Every department that submits a workbook.
        #[arg(long)]
        all: bool,
        /// Output directory (default: build/workbooks in the project directory).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // `.xls` files are first read by a child copy of this program under memory/time limits.
    if let Some(code) = hakusho_sources::isolate::child_main_if_requested() {
        return code;
    }
    hakusho_sources::isolate::enable_current_exe();
    let cli = Cli::parse();
    // every command works on a project: a missing one is a usage error (2), said once here
    if !cli.project.is_dir() {
        let shown = cli.project.display();
        let exists = cli.project.exists();
        match (cli.lang, exists) {
            (Lang::Ja, false) => eprintln!(
                "hakusho: プロジェクトのフォルダ {shown} が見つかりません。-C でプロジェクトのフォルダ（sources/ のあるフォルダ）を指定してください"
            ),
            (Lang::Ja, true) => eprintln!(
                "hakusho: {shown} はフォルダではありません。-C でプロジェクトのフォルダ（sources/ のあるフォルダ）を指定してください"
            ),
            (Lang::En, false) => eprintln!(
                "hakusho: the project directory {shown} does not exist; give the project directory (the one holding sources/) with -C"
            ),
            (Lang::En, true) => eprintln!(
                "hakusho: {shown} is not a directory; give the project directory (the one holding sources/) with -C"
            ),
        }
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Check { files } => hakusho::check::run(&cli.project, files, cli.lang),
        Command::Build { names, force } => hakusho::build::run(
            &cli.project,
            &hakusho::build::Options {
                names: names.clone(),
                force: *force,
            },
            cli.lang,
        ),
        Command::Watch => hakusho::watch::run(&cli.project, cli.lang),
        Command::Diff { last } => hakusho::diff::run(&cli.project, *last, cli.lang),
        Command::Workbook {
            department,
            all,
            out,
        } => hakusho::workbook::run(
            &cli.project,
            &hakusho::workbook::Request {
                department: department.as_deref(),
                all: *all,
                out: out.as_deref(),
            },
            cli.lang,
        ),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            match cli.lang {
                Lang::Ja => eprintln!("hakusho: 実行できませんでした: {err:#}"),
                Lang::En => eprintln!("hakusho: could not run: {err:#}"),
            }
            ExitCode::from(2)
        }
    }
}
