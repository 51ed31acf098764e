//! The commands: each a few lines over the library (the build driver, the snapshot, the
//! workbook writer) that print what it reports through [`crate::messages`]. Nothing in the
//! library imports these.

pub mod build;
pub mod check;
pub mod diff;
pub mod guide;
pub mod progress;
pub mod watch;
pub mod workbook;
