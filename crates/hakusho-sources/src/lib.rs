//! hakusho-sources: reads `sources/` (the project configuration, the plan, the departments'
//! YAML and indicator workbooks) into one validated model, [`Project`], reporting every
//! problem as a [`hakusho_diagnostics::Diagnostic`] with its location.
//!
//! - [`load_project`]: the whole project, all problems at once.
//! - [`check_files`]: single files, as a department checks its workbook before sending it.
//! - [`Value`]: one cell as typed; [`era_to_western`] / [`western_to_era`].

pub mod config;
pub mod era;
pub mod guard;
// the only unsafe code of the workspace: setrlimit and sysconf for the `.xls` probe child
#[allow(unsafe_code)]
pub mod isolate;
mod load;
pub mod model;
pub mod numfmt;
pub mod text;
mod validate;
pub mod value;
pub mod workbook;
pub mod yaml;

pub use config::{Config, RefersTo, TableConfig};
pub use era::{era_label, era_to_western, parse_year, western_to_era};
pub use guard::Limits;
pub use load::{
    check_files, check_files_with_counts, check_files_with_rows, load_project, Counts, CONFIG_PATH,
    WORKBOOK_HISTORY_DIR,
};
pub use model::{Department, Input, InputKind, Policy, Project, Row, Table};
pub use validate::{is_ascii_id, is_safe_file_name};
pub use value::{Value, ValueKind};
