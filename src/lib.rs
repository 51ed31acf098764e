//! hakusho: builds a Japanese city's yearly white paper, department booklets and plan
//! summaries from department workbooks and YAML narrative.
//!
//! The stages live in their own crates ([`hakusho_sources`], [`hakusho_typeset`]); this crate
//! joins them: [`check`] validates sources, [`build`] renders templates and writes PDFs.

#![forbid(unsafe_code)]

pub mod build;
pub mod characters;
pub mod check;
pub mod diff;
pub mod messages;
pub mod render;
pub mod watch;
pub mod workbook;
