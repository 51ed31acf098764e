//! The list markers that hang (`lists.markers` in the style sheet): a line of text that starts
//! with one is a list item, and its wrapped lines start under the item's text, not under the
//! marker. The render stage (which makes items of a department's typed lines) and the layout
//! (which hangs them) read the same declared set.

use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer};

/// A set of marker characters, declared as single characters or ranges (`①-⑳`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMarkers(Vec<RangeInclusive<char>>);

impl Default for ListMarkers {
    /// The set used when the style sheet does not declare one: circled numbers ①–㊿ and the
    /// bullets a Japanese report types.
    fn default() -> Self {
        let mut ranges = vec!['①'..='⑳', '㉑'..='㉟', '㊱'..='㊿'];
        ranges.extend("・◎○●◆◇■□☆★".chars().map(|c| c..=c));
        ListMarkers(ranges)
    }
}

impl ListMarkers {
    /// Whether `c` is a declared marker.
    pub fn contains(&self, c: char) -> bool {
        self.0.iter().any(|r| r.contains(&c))
    }

    /// The marker `text` starts with, if any.
    pub fn starts(&self, text: &str) -> Option<char> {
        text.chars().next().filter(|&c| self.contains(c))
    }

    /// Parses one declared entry: one character, or two joined by `-` (a range).
    pub fn parse_entry(entry: &str) -> Result<RangeInclusive<char>, String> {
        let chars: Vec<char> = entry.trim().chars().collect();
        match chars[..] {
            [c] if !c.is_whitespace() => Ok(c..=c),
            [a, '-', b] if a <= b && !a.is_whitespace() => Ok(a..=b),
            _ => Err(format!(
                "list marker '{entry}' is neither one character nor a range such as ①-⑳"
            )),
        }
    }

    /// The markers a style sheet's text declares under `lists.markers`, without loading the
    /// style (the render stage needs only these). The default set when the sheet does not
    /// say or cannot be read: the typesetter, which loads the whole sheet, reports its errors.
    pub fn of_style_text(text: &str) -> ListMarkers {
        #[derive(Deserialize)]
        struct Lists {
            #[serde(default)]
            markers: Option<ListMarkers>,
        }
        #[derive(Deserialize)]
        struct Sheet {
            lists: Option<Lists>,
        }
        serde_yaml::from_str::<Sheet>(text)
            .ok()
            .and_then(|s| s.lists)
            .and_then(|l| l.markers)
            .unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for ListMarkers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = Vec::<String>::deserialize(d)?;
        entries
            .iter()
            .map(|e| ListMarkers::parse_entry(e))
            .collect::<Result<Vec<_>, _>>()
            .map(ListMarkers)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_entries_and_ranges() {
        let m: ListMarkers = serde_yaml::from_str("[①-⑳, ▶, ・]").unwrap();
        assert!(m.contains('①') && m.contains('⑩') && m.contains('⑳'));
        assert!(m.contains('▶') && m.contains('・'));
        assert!(!m.contains('●') && !m.contains('㉑'));
        assert_eq!(m.starts("▶施策"), Some('▶'));
        assert_eq!(m.starts("施策▶"), None);
        assert!(serde_yaml::from_str::<ListMarkers>("[ab]").is_err());
        assert!(serde_yaml::from_str::<ListMarkers>("[⑳-①]").is_err());
    }

    #[test]
    fn the_default_is_the_set_hakusho_always_hung() {
        let m = ListMarkers::default();
        for c in "①⑳㉑㊿・◎○●◆◇■□☆★".chars() {
            assert!(m.contains(c), "{c}");
        }
        assert!(!m.contains('▶') && !m.contains('※'));
    }

    #[test]
    fn the_render_stage_reads_the_declared_set_or_the_default() {
        let declared = "page: {}\nlists:\n  bullet: x\n  markers: [▶]\n";
        assert!(ListMarkers::of_style_text(declared).contains('▶'));
        let silent = "lists:\n  bullet: x\n";
        assert_eq!(ListMarkers::of_style_text(silent), ListMarkers::default());
        assert_eq!(ListMarkers::of_style_text(":::"), ListMarkers::default());
    }
}
