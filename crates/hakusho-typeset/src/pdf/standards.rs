//! What a PDF declares about the standards it meets: the XMP metadata packet (PDF/UA-1 and
//! PDF/A-2 identification, the same title and producer as `/Info`) and the PDF/A output
//! intent with its embedded ICC profile. Kept in one place so that another output intent
//! (a print PDF's PDF/X) is added here, beside this one.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::page::{LaidOutDocument, Standards};

/// sRGB IEC61966-2.1 (ICC v2), from Debian's icc-profiles-free, zlib licence
/// (assets/icc/LICENSE). Every colour hakusho writes is DeviceRGB, which PDF/A-2 accepts only
/// under an RGB output intent (ISO 19005-2, 6.2.4.3).
const SRGB_PROFILE: &[u8] = include_bytes!("../../../../assets/icc/sRGB.icc");

/// The output condition the profile describes, as the ICC registry names it.
const SRGB_CONDITION: &str = "sRGB IEC61966-2.1";

/// The producer named in both `/Info` and the XMP (ISO 19005-2, 6.6.3: they must agree).
pub(super) const PRODUCER: &str = "hakusho";

/// Adds the catalog's `/OutputIntents` for PDF/A (ISO 19005-2, 6.2.3): one `GTS_PDFA1` intent
/// whose destination profile is the embedded sRGB profile. Does nothing when the document is
/// not PDF/A.
pub(super) fn add_output_intent(lo: &mut lopdf::Document, catalog: ObjectId, standards: Standards) {
    if standards.pdfa.is_none() {
        return;
    }
    let mut profile = Dictionary::new();
    profile.set("N", Object::Integer(3));
    // Compressed with the other streams (compress() runs after this).
    let profile = lo.add_object(Object::Stream(lopdf::Stream::new(
        profile,
        SRGB_PROFILE.to_vec(),
    )));
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set(
        "OutputConditionIdentifier",
        Object::String(SRGB_CONDITION.as_bytes().to_vec(), StringFormat::Literal),
    );
    intent.set(
        "Info",
        Object::String(SRGB_CONDITION.as_bytes().to_vec(), StringFormat::Literal),
    );
    intent.set("DestOutputProfile", Object::Reference(profile));
    if let Ok(cat) = lo.get_dictionary_mut(catalog) {
        cat.set(
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        );
    }
}

/// The XMP metadata packet: the same title and producer as `/Info`, the language, the PDF/UA-1
/// identification when the document is tagged and declares it, and the PDF/A-2 part and
/// conformance when it is PDF/A (with the extension schema PDF/A asks for any property outside
/// its predefined schemas: `pdfuaid`, ISO 19005-2, 6.6.2.3). No dates, so rebuilds are
/// byte-identical. Not compressed: metadata stays readable to tools that do not inflate streams.
pub(super) fn xmp(doc: &LaidOutDocument, lang: &str, tagged: bool) -> lopdf::Stream {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let ua = tagged && doc.standards.ua1;
    let mut ids = String::new();
    if ua {
        ids.push_str("   <pdfuaid:part>1</pdfuaid:part>\n");
    }
    if let Some(level) = doc.standards.pdfa {
        ids.push_str("   <pdfaid:part>2</pdfaid:part>\n");
        ids.push_str(&format!(
            "   <pdfaid:conformance>{}</pdfaid:conformance>\n",
            level.letter()
        ));
    }
    let extension = if ua && doc.standards.pdfa.is_some() {
        PDFUAID_EXTENSION_SCHEMA
    } else {
        ""
    };
    let namespaces = match (ua, doc.standards.pdfa.is_some()) {
        (true, true) => {
            "\n    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"\n    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\""
        }
        (true, false) => "\n    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"",
        (false, true) => "\n    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"",
        (false, false) => "",
    };
    let packet = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
{extension}\
  <rdf:Description rdf:about=\"\"\n\
    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"{namespaces}>\n\
   <dc:format>application/pdf</dc:format>\n\
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n\
   <pdf:Producer>{PRODUCER}</pdf:Producer>\n\
{ids}  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>",
        title = esc(&doc.title),
        lang = esc(lang),
    );
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    lopdf::Stream::new(dict, packet.into_bytes()).with_compression(false)
}

/// The PDF/A extension schema describing `pdfuaid:part` (the form ISO 14289-1's own
/// examples and the PDF Association use).
const PDFUAID_EXTENSION_SCHEMA: &str = "  <rdf:Description rdf:about=\"\"\n\
    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n\
    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n\
    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n\
   <pdfaExtension:schemas>\n\
    <rdf:Bag>\n\
     <rdf:li rdf:parseType=\"Resource\">\n\
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n\
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n\
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n\
      <pdfaSchema:property>\n\
       <rdf:Seq>\n\
        <rdf:li rdf:parseType=\"Resource\">\n\
         <pdfaProperty:name>part</pdfaProperty:name>\n\
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n\
         <pdfaProperty:category>internal</pdfaProperty:category>\n\
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n\
        </rdf:li>\n\
       </rdf:Seq>\n\
      </pdfaSchema:property>\n\
     </rdf:li>\n\
    </rdf:Bag>\n\
   </pdfaExtension:schemas>\n\
  </rdf:Description>\n";
