//! Japanese typesetting for hakusho: a strict HTML-subset markup in, PDF bytes out.
//!
//! Stages: [`markup`] parses the document, [`layout`] composes lines ([`compose`], JLREQ rules)
//! and paginates into [`page::Page`]s, [`pdf`] writes them. [`font::FontSet`] is loaded once per
//! build and shared by every document.
//!
//! ```no_run
//! use std::{path::Path, sync::Arc};
//! use hakusho_typeset::{Style, Typesetter};
//! let (style, fonts) = Style::load(Path::new("templates/style.yaml"), Path::new(".")).unwrap();
//! let ts = Typesetter::new(style, Arc::new(fonts)).unwrap();
//! let out = ts.typeset("<doc title=\"t\"><p>本文</p></doc>", "t.html").unwrap();
//! std::fs::write("t.pdf", &out.pdf).unwrap();
//! ```

#![forbid(unsafe_code)]

pub mod compose;
pub mod font;
pub mod html;
pub mod layout;
pub mod markers;
pub mod marks;
pub mod markup;
pub mod page;
pub mod pdf;
pub mod profile;
pub mod style;
pub mod webfont;

use std::sync::Arc;

use hakusho_diagnostics::{Diagnostics, Location};

pub use font::FontSet;
pub use markers::ListMarkers;
pub use page::{LaidOutDocument, PdfALevel, Standards};
pub use profile::Profile;
pub use style::Style;

/// A built document.
#[derive(Debug)]
pub struct Output {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Problems that did not stop the build.
    pub warnings: Diagnostics,
}

/// Typesets documents with one style and one set of fonts. Cheap to share across threads
/// (`&self` methods only); fonts are parsed for the PDF writer once, here.
#[derive(Debug)]
pub struct Typesetter {
    style: Style,
    fonts: Arc<FontSet>,
    pdf_fonts: Arc<pdf::PdfFonts>,
    /// For the print typesetter of a screen one ([`Typesetter::for_print`]): whether its
    /// style composes like the screen's ([`Style::composes_like`]), decided once for the pair;
    /// then a document is composed once for both files.
    composes_like_screen: bool,
}

impl Typesetter {
    pub fn new(style: Style, fonts: Arc<FontSet>) -> Result<Typesetter, Diagnostics> {
        let pdf_fonts = pdf::PdfFonts::new(&fonts).map_err(|e| {
            let mut d = Diagnostics::new();
            d.error(
                Location::None,
                "templates/style.yaml の fonts: のフォントを PDF 用に読み込めません（フォントファイルが壊れているか、対応していない形式です）。TrueType (.ttf) または OpenType (.otf) の単色のアウトラインフォントを指定してください".to_string(),
                format!("cannot prepare fonts for PDF output: {e}"),
            );
            d
        })?;
        Ok(Typesetter {
            style,
            fonts,
            pdf_fonts: Arc::new(pdf_fonts),
            composes_like_screen: false,
        })
    }

    /// The typesetter of a print build when the style sheet's `print:` section changes the
    /// style (facing pages, say): the same fonts, already prepared, with the print style.
    /// `None` when a print build uses the screen style as it is.
    pub fn for_print(&self) -> Option<Typesetter> {
        self.style.has_print_variant().then(|| {
            let style = self.style.for_profile(profile::Profile::Print);
            Typesetter {
                composes_like_screen: style.composes_like(&self.style),
                style,
                fonts: self.fonts.clone(),
                pdf_fonts: self.pdf_fonts.clone(),
            }
        })
    }

    /// Whether this print typesetter ([`Typesetter::for_print`]) composes documents like the
    /// screen typesetter it was made from: then [`Typesetter::layout_with_print`] composes
    /// each document once for both files.
    pub fn composes_like_screen(&self) -> bool {
        self.composes_like_screen
    }

    /// The fonts of the style, main and fallback.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    pub fn style(&self) -> &Style {
        &self.style
    }

    /// Parses and lays out without writing PDF (for checks and tests).
    pub fn layout(
        &self,
        markup: &str,
        source_name: &str,
    ) -> Result<(LaidOutDocument, Diagnostics), Diagnostics> {
        self.layout_bounded(markup, source_name, usize::MAX)
    }

    /// [`Typesetter::layout`], refusing a document of more than `max_pages` pages.
    pub fn layout_bounded(
        &self,
        markup: &str,
        source_name: &str,
        max_pages: usize,
    ) -> Result<(LaidOutDocument, Diagnostics), Diagnostics> {
        let doc = markup::parse(markup, source_name)?;
        let mut diags = Diagnostics::new();
        let laid = layout::layout_bounded(
            &doc,
            &self.style,
            &self.fonts,
            source_name,
            &mut diags,
            max_pages,
        );
        if diags.has_errors() {
            diags.sort();
            return Err(diags);
        }
        Ok((laid, diags))
    }

    /// The screen layout of `markup` (this typesetter's) and its print layout (`print`'s,
    /// which must be [`Typesetter::for_print`] of this one), as [`Typesetter::layout_bounded`]
    /// of each makes them; the markup is parsed once. When the print style composes like the
    /// screen's (facing pages, padding, running heads differ, nothing else), the document is
    /// composed once and that composition paginated with each style. The warnings are the
    /// screen layout's (the print layout's would repeat them); errors of either are returned.
    pub fn layout_with_print(
        &self,
        print: &Typesetter,
        markup: &str,
        source_name: &str,
        max_pages: usize,
    ) -> Result<(LaidOutDocument, LaidOutDocument, Diagnostics), Diagnostics> {
        let share = print.composes_like_screen && Arc::ptr_eq(&self.fonts, &print.fonts);
        self.layout_with_print_as(print, markup, source_name, max_pages, share)
    }

    /// [`Typesetter::layout_with_print`], the composition shared or not as `share_composition`
    /// says. Only for tests, which compare both ways: sharing a composition the print style
    /// does not compose alike gives wrong pages.
    #[doc(hidden)]
    pub fn layout_with_print_as(
        &self,
        print: &Typesetter,
        markup: &str,
        source_name: &str,
        max_pages: usize,
        share_composition: bool,
    ) -> Result<(LaidOutDocument, LaidOutDocument, Diagnostics), Diagnostics> {
        let doc = markup::parse(markup, source_name)?;
        let (mut diags, mut print_diags) = (Diagnostics::new(), Diagnostics::new());
        let (laid, print_laid) = layout::layout_screen_and_print(
            &doc,
            (&self.style, &print.style),
            share_composition,
            &self.fonts,
            source_name,
            (&mut diags, &mut print_diags),
            max_pages,
        );
        if diags.has_errors() {
            diags.sort();
            return Err(diags);
        }
        if print_diags.has_errors() {
            print_diags.sort();
            return Err(print_diags);
        }
        Ok((laid, print_laid, diags))
    }

    /// Markup in, PDF out. Errors (bad markup, characters no font has) stop the build and are
    /// all returned.
    pub fn typeset(&self, markup: &str, source_name: &str) -> Result<Output, Diagnostics> {
        self.typeset_bounded(markup, source_name, usize::MAX)
    }

    /// [`Typesetter::typeset`], refusing a document of more than `max_pages` pages (the
    /// `max_pages` limit of hakusho.yaml) before its pages and PDF are made.
    pub fn typeset_bounded(
        &self,
        markup: &str,
        source_name: &str,
        max_pages: usize,
    ) -> Result<Output, Diagnostics> {
        self.typeset_as(markup, source_name, max_pages, Standards::default())
    }

    /// [`Typesetter::typeset_bounded`], the PDF declaring (and meeting) `standards`.
    pub fn typeset_as(
        &self,
        markup: &str,
        source_name: &str,
        max_pages: usize,
        standards: Standards,
    ) -> Result<Output, Diagnostics> {
        let (mut laid, warnings) = self.layout_bounded(markup, source_name, max_pages)?;
        laid.standards = standards;
        Ok(Output {
            pdf: self.write_pdf(&laid)?,
            pages: laid.pages.len(),
            warnings,
        })
    }

    /// Fails only when a font cannot be subset (a font file the subsetter does not accept).
    pub fn write_pdf(&self, laid: &LaidOutDocument) -> Result<Vec<u8>, Diagnostics> {
        self.write_pdf_at(laid, 6)
    }

    /// [`Typesetter::write_pdf`] with the fastest compression: for proofs, which are read
    /// once (a few percent larger, written in about half the time).
    pub fn write_draft_pdf(&self, laid: &LaidOutDocument) -> Result<Vec<u8>, Diagnostics> {
        self.write_pdf_at(laid, 1)
    }

    /// The print file of a laid-out document (PDF/X-1a:2003 with bleed `bleed_mm` and, with
    /// `marks`, crop marks; `date` in seconds since 1970, the date it carries), in the inks of
    /// the style's palette and its spot colour.
    pub fn write_print_pdf(
        &self,
        laid: &LaidOutDocument,
        bleed_mm: f32,
        marks: bool,
        date: i64,
    ) -> Result<Vec<u8>, Diagnostics> {
        let setup = self.print_setup(bleed_mm, marks, date);
        pdf::write_print(laid, &self.pdf_fonts, &setup).map_err(font_embedding_error)
    }

    /// The screen file of `screen` (laid out with the screen style) and this typesetter's
    /// print file of `print` (laid out with this, the print style; the same layout when the
    /// style has no `print:` section), the bytes [`Typesetter::write_pdf`] and
    /// [`Typesetter::write_print_pdf`] write alone; fonts are subset and deflated once when both
    /// layouts use the same glyphs.
    pub fn write_pdf_and_print_of(
        &self,
        screen: &LaidOutDocument,
        print: &LaidOutDocument,
        bleed_mm: f32,
        marks: bool,
        date: i64,
    ) -> Result<(Vec<u8>, Vec<u8>), Diagnostics> {
        let setup = self.print_setup(bleed_mm, marks, date);
        pdf::write_screen_and_print_of(screen, print, &self.pdf_fonts, &setup)
            .map_err(font_embedding_error)
    }

    fn print_setup(&self, bleed_mm: f32, marks: bool, date: i64) -> pdf::print::PrintSetup {
        pdf::print::PrintSetup {
            bleed: bleed_mm * style::MM,
            marks,
            spot: self.style.file.spot.as_ref().map(|s| pdf::print::SpotInk {
                name: s.name.clone(),
                cmyk: s.cmyk.map(|v| v / 100.0),
            }),
            date,
        }
    }

    fn write_pdf_at(&self, laid: &LaidOutDocument, level: u32) -> Result<Vec<u8>, Diagnostics> {
        pdf::write_compressed(laid, &self.pdf_fonts, level).map_err(font_embedding_error)
    }
}

fn font_embedding_error(e: pdf::PdfFontError) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let pdf::PdfFontError::Content(e) = &e {
        d.error(
            Location::None,
            format!("入稿用 PDF のページを書き出せません。描画命令 {} を書く処理がありません（hakusho の内部エラーです。このメッセージを添えて開発者に連絡してください）", e.0),
            format!("cannot write a page of the print file (an internal error of hakusho; please report it with this message: {e})"),
        );
        return d;
    }
    d.error(
        Location::None,
        "templates/style.yaml の fonts: のフォントを PDF に埋め込めません（フォントファイルが壊れているか、対応していない形式です）。TrueType (.ttf) または OpenType (.otf) の単色のアウトラインフォントを指定してください".to_string(),
        format!("cannot embed a font in the PDF: {e}"),
    );
    d
}
