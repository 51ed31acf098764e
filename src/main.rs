//! The `hakusho` command line.

#![forbid(unsafe_code)]

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hakusho::messages::{self, Console};
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
        /// Also write build/proof/<name>.pdf for each document the last corrections changed.
        #[arg(long)]
        proof: bool,
        /// Also write build/print/<name>.pdf: the print file for the print shop (PDF/X-1a,
        /// bleed and crop marks, `print:` in sources/hakusho.yaml).
        #[arg(long)]
        print: bool,
    },
    /// Proofs of the last corrections: build/proof/<name>.pdf with every change highlighted.
    Proof {
        /// Document names (all that changed when none).
        names: Vec<String>,
        /// Compare with a kept version (see --list) instead of the build before the corrections.
        #[arg(long)]
        since: Option<String>,
        /// List the kept versions.
        #[arg(long)]
        list: bool,
    },
    /// Build, then build again whenever sources/, templates/ or fonts/ change (Ctrl-C ends).
    Watch,
    /// Indicator values and paragraphs changed since the last build (--last: by the last build).
    Diff {
        /// What the last build changed, instead of what changed since.
        #[arg(long)]
        last: bool,
    },
    /// Print how a department fills in its workbook (Japanese Markdown, from the configuration).
    Guide {
        /// Department id (or Japanese name).
        department: String,
    },
    /// Take in the departments' workbooks (folders or files, any names): identify, check,
    /// install into sources/workbooks/ keeping the previous version; then the status board.
    Intake {
        /// Folders (their files are read, not their subfolders) or files.
        inputs: Vec<PathBuf>,
    },
    /// The submission status board of the last intake (build/intake/status.xlsx too).
    Status,
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
    let mut stdout = io::stdout();
    let mut stderr = io::stderr();
    let mut console = Console {
        lang: cli.lang,
        out: &mut stdout,
        err: &mut stderr,
    };
    let result = run(&cli, &mut console);
    finish(result, &mut console)
}

fn run(cli: &Cli, console: &mut Console) -> anyhow::Result<ExitCode> {
    // every command works on a project: a missing one is a usage error (2), said once here
    if !cli.project.is_dir() {
        let shown = cli.project.display().to_string();
        messages::project_directory_missing(console.err, cli.lang, &shown, cli.project.exists())?;
        return Ok(ExitCode::from(2));
    }
    let project = &cli.project;
    match &cli.command {
        Command::Check { files } => hakusho::cmd::check::run(project, files, console),
        Command::Build {
            names,
            force,
            proof,
            print,
        } => hakusho::cmd::build::run(
            project,
            &hakusho::build::Options {
                names: names.clone(),
                force: *force,
                proof: *proof,
                print: *print,
            },
            console,
        ),
        Command::Proof { names, since, list } => hakusho::cmd::proof::run(
            project,
            &hakusho::proof::Options {
                since: since.clone(),
                names: names.clone(),
            },
            *list,
            console,
        ),
        Command::Watch => hakusho::cmd::watch::run(project, console),
        Command::Diff { last } => hakusho::cmd::diff::run(project, *last, console),
        Command::Intake { inputs } => hakusho::cmd::intake::run(project, inputs, console),
        Command::Status => hakusho::cmd::status::run(project, console),
        Command::Guide { department } => hakusho::cmd::guide::run(project, department, console),
        Command::Workbook {
            department,
            all,
            out,
        } => hakusho::cmd::workbook::run(
            project,
            &hakusho::cmd::workbook::Request {
                department: department.as_deref(),
                all: *all,
                out: out.as_deref(),
            },
            console,
        ),
    }
}

/// The exit status of a command. A closed pipe (`hakusho diff | head -1`) is success: the reader
/// has what it wanted (as with ripgrep). Anything else that stopped the command is status 2.
fn finish(result: anyhow::Result<ExitCode>, console: &mut Console) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) if messages::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // nothing more can be said if stderr itself is gone
            let _ = messages::could_not_run(console.err, console.lang, &err);
            ExitCode::from(2)
        }
    }
}
