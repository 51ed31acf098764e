//! Every bundled PDF (the sample and examples/kawabe) declares PDF/A-2 (sources/hakusho.yaml:
//! `pdf: { standards: [ua-1, a-2a] }`) and meets the PDF/A-2 rules hakusho-pdfcheck checks
//! (`pdfa::check`, clause by clause); each check reports a file broken on purpose.

mod common;

use std::fs;
use std::path::Path;

use common::{hakusho, kawabe_copy, project_copy};
use hakusho_pdfcheck::pdfa;
use lopdf::{Document, Object, ObjectId};

fn built(project: &Path) -> Vec<(String, Vec<u8>)> {
    let out = hakusho(project, &["build"]);
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut docs: Vec<(String, Vec<u8>)> = fs::read_dir(project.join("build"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    docs.sort();
    docs
}

#[test]
fn every_bundled_pdf_meets_pdf_a_2_at_its_declared_level() {
    let sample = project_copy();
    let kawabe = kawabe_copy();
    let mut levels = Vec::new();
    for (project, want_count) in [(sample.path(), 12), (kawabe.path(), 1)] {
        let docs = built(project);
        assert!(docs.len() >= want_count, "{}", docs.len());
        for (name, bytes) in docs {
            let r = pdfa::check(&bytes).unwrap();
            assert_eq!(r.part.as_deref(), Some("2"), "{name}");
            assert!(
                r.violations.is_empty(),
                "{name} (PDF/A-2{:?}):\n{}",
                r.conformance,
                r.violations
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            levels.push((name, r.conformance.unwrap_or_default()));
        }
    }
    // The sample declares a-2a everywhere; kawabe's booklets a-2u.
    assert!(levels
        .iter()
        .any(|(n, l)| n == "hakusho-2021.pdf" && l == "A"));
    assert!(levels
        .iter()
        .any(|(n, l)| n.starts_with("booklet-") && l == "U"));
}

/// The sample's white paper, built by the CLI (PDF/A-2a), as lopdf reads it.
fn white_paper() -> (Vec<u8>, Document) {
    let sample = project_copy();
    let bytes = built(sample.path())
        .into_iter()
        .find(|(n, _)| n == "hakusho-2021.pdf")
        .expect("the white paper")
        .1;
    let doc = Document::load_mem(&bytes).unwrap();
    (bytes, doc)
}

fn saved(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn catalog_id(doc: &Document) -> ObjectId {
    doc.trailer.get(b"Root").unwrap().as_reference().unwrap()
}

/// The first Type0 font of the first page and its descendant CIDFont dictionary (printpdf
/// writes it inline).
fn first_font(doc: &Document) -> ObjectId {
    let page = *doc.get_pages().values().next().unwrap();
    let fonts = doc.get_page_fonts(page).unwrap();
    let (name, _) = fonts.iter().next().unwrap();
    let resources = doc
        .get_dictionary(page)
        .unwrap()
        .get_deref(b"Resources", doc)
        .unwrap()
        .as_dict()
        .unwrap();
    resources
        .get_deref(b"Font", doc)
        .unwrap()
        .as_dict()
        .unwrap()
        .get(name)
        .unwrap()
        .as_reference()
        .unwrap()
}

fn descriptor_of(doc: &Document, font: ObjectId) -> ObjectId {
    let d = doc.get_dictionary(font).unwrap();
    let kids = d.get(b"DescendantFonts").unwrap().as_array().unwrap();
    let cid = match &kids[0] {
        Object::Dictionary(c) => c.clone(),
        Object::Reference(r) => doc.get_dictionary(*r).unwrap().clone(),
        o => panic!("{o:?}"),
    };
    cid.get(b"FontDescriptor").unwrap().as_reference().unwrap()
}

/// Asserts that `bytes` breaks `clause` (and the message names what was found).
fn assert_breaks(what: &str, bytes: &[u8], clause: &str, found: &str) {
    let r = pdfa::check(bytes).unwrap_or_else(|e| {
        let _ = fs::write("/tmp/pdfa-broken.pdf", bytes);
        panic!("{what}: {e:?}")
    });
    assert!(
        r.violations
            .iter()
            .any(|v| v.clause == clause && v.found.contains(found)),
        "{what}: expected {clause} ({found}), got {:?}",
        r.violations
    );
}

#[test]
fn the_checks_report_a_file_that_breaks_them() {
    let (bytes, doc) = white_paper();
    assert!(pdfa::check(&bytes).unwrap().violations.is_empty());
    // The file as lopdf saves it again is still clean: what follows is each break alone.
    assert!(
        pdfa::check(&saved(doc.clone()))
            .unwrap()
            .violations
            .is_empty(),
        "{:?}",
        pdfa::check(&saved(doc.clone())).unwrap().violations
    );

    // 6.2.3 / 6.2.4.3: no output intent, and so its RGB colour is uncalibrated.
    let mut d = doc.clone();
    let root = catalog_id(&d);
    d.get_dictionary_mut(root).unwrap().remove(b"OutputIntents");
    let b = saved(d);
    assert_breaks("no output intent", &b, "6.2.3", "no /OutputIntents");
    assert_breaks("no output intent", &b, "6.2.4.3", "DeviceRGB");

    // 6.1.3: no /ID; an /Encrypt entry.
    let mut d = doc.clone();
    d.trailer.remove(b"ID");
    assert_breaks("no /ID", &saved(d), "6.1.3", "/ID");
    let mut d = doc.clone();
    d.trailer.set("Encrypt", Object::Integer(0));
    // lopdf refuses to read what it cannot decrypt: a check that fails is a failure too.
    let b = saved(d);
    assert!(pdfa::check(&b).map_or(true, |r| r
        .violations
        .iter()
        .any(|v| v.clause == "6.1.3" && v.found.contains("/Encrypt"))));
    let mut b = bytes.clone();
    b.extend_from_slice(b"junk");
    assert_breaks("data after %%EOF", &b, "6.1.3", "%%EOF");

    // 6.3.2: a link annotation that would not print.
    let mut d = doc.clone();
    let annot = d
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .is_ok_and(|d| d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Link"))
        })
        .map(|(id, _)| *id)
        .expect("the white paper's contents link to its pages");
    d.get_dictionary_mut(annot).unwrap().remove(b"F");
    assert_breaks("no /F", &saved(d), "6.3.2", "no /F");

    // 6.6.3: /Info says another title than the XMP.
    let mut d = doc.clone();
    let info = d.trailer.get(b"Info").unwrap().as_reference().unwrap();
    d.get_dictionary_mut(info)
        .unwrap()
        .set("Title", Object::string_literal("another title"));
    assert_breaks("title differs", &saved(d), "6.6.3", "another title");

    // 6.6.4 and 6.6.2.3.1: the XMP without its PDF/A identification or extension schema.
    let metadata = doc
        .get_dictionary(catalog_id(&doc))
        .unwrap()
        .get(b"Metadata")
        .unwrap()
        .as_reference()
        .unwrap();
    let xmp = String::from_utf8(
        doc.get_object(metadata)
            .unwrap()
            .as_stream()
            .unwrap()
            .content
            .clone(),
    )
    .unwrap();
    for (what, from, to, clause, found) in [
        (
            "no pdfaid",
            "<pdfaid:part>2</pdfaid:part>",
            "",
            "6.6.4",
            "pdfaid:part",
        ),
        (
            "no extension schema",
            "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>",
            "",
            "6.6.2.3.1",
            "extension schema",
        ),
    ] {
        assert!(xmp.contains(from), "{from}");
        let mut d = doc.clone();
        d.get_object_mut(metadata)
            .unwrap()
            .as_stream_mut()
            .unwrap()
            .set_plain_content(xmp.replace(from, to).into_bytes());
        assert_breaks(what, &saved(d), clause, found);
    }

    // 6.2.11.4.1, 6.2.11.5, 6.2.11.7: a font not embedded; widths unlike the program's; no
    // ToUnicode (level a).
    let font = first_font(&doc);
    let descriptor = descriptor_of(&doc, font);
    let mut d = doc.clone();
    d.get_dictionary_mut(descriptor)
        .unwrap()
        .remove(b"FontFile2");
    assert_breaks("not embedded", &saved(d), "6.2.11.4.1", "not embedded");
    let mut d = doc.clone();
    if let Ok(Object::Array(kids)) = d
        .get_dictionary_mut(font)
        .unwrap()
        .get_mut(b"DescendantFonts")
    {
        if let Object::Dictionary(cid) = &mut kids[0] {
            cid.set(
                "W",
                Object::Array(vec![
                    Object::Integer(1),
                    Object::Array(vec![Object::Integer(123)]),
                ]),
            );
        }
    }
    assert_breaks(
        "widths",
        &saved(d),
        "6.2.11.5",
        "differ from the font program",
    );
    let mut d = doc.clone();
    d.get_dictionary_mut(font).unwrap().remove(b"ToUnicode");
    let b = saved(d);
    assert_breaks("no ToUnicode", &b, "6.2.11.7", "no /ToUnicode");
    assert_breaks("no ToUnicode", &b, "6.2.11.7", "no Unicode value");

    // 6.5.1: JavaScript run on opening.
    let mut d = doc.clone();
    let mut js = lopdf::Dictionary::new();
    js.set("S", Object::Name(b"JavaScript".to_vec()));
    js.set("JS", Object::string_literal("app.alert(1)"));
    let root = catalog_id(&d);
    d.get_dictionary_mut(root)
        .unwrap()
        .set("OpenAction", Object::Dictionary(js));
    assert_breaks("JavaScript", &saved(d), "6.5.1", "JavaScript");

    // 6.7 (level a): the structure tree gone.
    let mut d = doc.clone();
    let root = catalog_id(&d);
    d.get_dictionary_mut(root)
        .unwrap()
        .remove(b"StructTreeRoot");
    assert_breaks("untagged a", &saved(d), "6.7.3.3", "structure tree");
}

/// `standards: [a-2b]` alone: an untagged PDF/A-2b (no structure tree, no PDF/UA claim) that
/// meets level b; `[]`: no claim at all.
#[test]
fn a_document_can_choose_its_standards() {
    let sample = project_copy();
    let yaml = sample.path().join("sources/hakusho.yaml");
    let text = fs::read_to_string(&yaml).unwrap();
    let first = "pdf: { standards: [ua-1, a-2a] }";
    assert!(text.contains(first));
    // The white paper is declared first.
    let text = text.replacen(first, "pdf: { standards: [a-2b] }", 1);
    let text = text.replacen(first, "pdf: { standards: [] }", 1);
    fs::write(&yaml, text).unwrap();
    let docs = built(sample.path());
    let get = |prefix: &str| {
        docs.iter()
            .find(|(n, _)| n.starts_with(prefix))
            .unwrap()
            .1
            .clone()
    };
    let white = get("hakusho-2021");
    let r = pdfa::check(&white).unwrap();
    assert_eq!(r.conformance.as_deref(), Some("B"));
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    let report = hakusho_pdfcheck::inspect(&white).unwrap();
    assert!(report.tagging.root.is_none() && !report.tagging.marked);
    assert!(!report.tagging.metadata.unwrap().contains("pdfuaid"));

    let booklet = get("booklet-");
    let r = pdfa::check(&booklet).unwrap();
    assert!(r.part.is_none(), "{:?}", r.part);
    let report = hakusho_pdfcheck::inspect(&booklet).unwrap();
    assert!(report.tagging.root.is_none());
}

/// Two PDF/A levels, or a-2a without the tags, are refused with the line to fix.
#[test]
fn conflicting_standards_are_refused() {
    for (standards, want) in [
        ("[ua-1, a-2a, a-2b]", "PDF/A の水準が 2 個"),
        ("[a-2a]", "a-2a には構造タグが必要です"),
        ("[ua-2]", "ua-2 は使えません"),
    ] {
        let sample = project_copy();
        let yaml = sample.path().join("sources/hakusho.yaml");
        let text = fs::read_to_string(&yaml).unwrap().replacen(
            "pdf: { standards: [ua-1, a-2a] }",
            &format!("pdf: {{ standards: {standards} }}"),
            1,
        );
        fs::write(&yaml, text).unwrap();
        let out = hakusho(sample.path(), &["build"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(want) && err.contains("sources/hakusho.yaml:"),
            "{standards}: {err}"
        );
    }
}
