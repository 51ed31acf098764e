//! Japanese typesetting for hakusho: a strict HTML-subset markup in, PDF bytes out.
//!
//! Stages: [`markup`] parses the document, [`layout`] composes lines ([`compose`], JLREQ rules)
//! and paginates into [`page::Page`]s, [`pdf`] writes them. [`font::FontSet`] is loaded once per
//! build and shared by every document.

pub mod compose;
pub mod font;
pub mod page;
