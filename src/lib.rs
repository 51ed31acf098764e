//! hakusho: builds a Japanese city's yearly white paper, department booklets and plan
//! summaries from department workbooks and YAML narrative.
//!
//! The stages live in their own crates ([`hakusho_sources`], [`hakusho_typeset`]); this crate
//! joins them. [`build::driver`] builds a project in named steps and returns a typed report;
//! [`snapshot`] records what the documents show for `hakusho diff` ([`diff`]); [`proof`] makes
//! the proofs that show each correction on its page; [`workbook`]
//! writes the submission workbooks. The commands ([`cmd`]) are thin over these and print
//! through [`messages`], the one place that holds the command line's Japanese and English.

#![forbid(unsafe_code)]

pub mod board;
pub mod build;
pub mod characters;
pub mod cmd;
pub mod diff;
pub mod files;
pub mod guide;
pub mod intake;
pub mod markup;
pub mod messages;
pub mod proof;
pub mod render;
pub mod snapshot;
pub mod workbook;
