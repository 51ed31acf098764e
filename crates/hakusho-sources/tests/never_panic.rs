//! Whatever a cell or a format code holds, reading it never panics.

use hakusho_sources::numfmt::format_number;
use hakusho_sources::{parse_year, Value};
use proptest::prelude::*;

proptest! {
    #[test]
    fn typed_text_never_panics_and_is_kept(s in "\\PC{0,40}") {
        let v = Value::from_text(&s);
        prop_assert_eq!(&v.text, &s);
        let _ = parse_year(&v.text);
    }

    #[test]
    fn number_like_text_never_panics(s in "[-△０-９0-9,，.%％()（） 件人ha年平成令和元]{0,20}") {
        let v = Value::from_text(&s);
        prop_assert_eq!(&v.text, &s);
    }

    #[test]
    fn any_format_code_never_panics(x in proptest::num::f64::ANY, code in "[0#?.,%;\"@\\[\\]$EeymdhsgA/ _*\\\\人件-]{0,24}") {
        let _ = format_number(x, &code);
    }
}

#[test]
fn format_corner_cases() {
    assert_eq!(format_number(f64::NAN, "0.0").text, "#NUM!");
    assert_eq!(format_number(0.0, "").text, "0");
    assert_eq!(format_number(5.0, ";;;").text, "");
}
