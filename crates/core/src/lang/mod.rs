//! The languages Quotient speaks. Each is one catalog file, `locales/<tag>.json`, holding every text
//! of the product in that language: the interface's messages, the diagnoses' causes and
//! prescriptions, the standards' wording, and how the language writes numbers, money and dates (the
//! `_format.*` keys). English (`en.json`) is the reference and the fallback; the build checks that
//! every catalog has exactly its keys. Adding a language is adding one file.

mod format;

use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// One language's texts: a message, or a list (a diagnosis's causes, its prescriptions).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Text {
    One(Message),
    Many(Vec<String>),
}

/// A message, with its `{name}` placeholders found once, when the catalog is read: filling one in
/// (thousands of times a report) copies the pieces around them.
#[derive(Debug, Deserialize)]
#[serde(from = "String")]
struct Message {
    text: String,
    /// The byte ranges of the placeholders' names in `text` (each between its braces), in order:
    /// every `{` followed by a name without `{` and a `}`.
    placeholders: Vec<(usize, usize)>,
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        let mut placeholders = Vec::new();
        let mut from = 0;
        while let Some(open) = text[from..].find('{').map(|at| from + at) {
            let name = open + 1;
            match text[name..].find(['{', '}']).map(|at| name + at) {
                Some(close) if close > name && text.as_bytes()[close] == b'}' => {
                    placeholders.push((name, close));
                    from = close + 1;
                }
                _ => from = name,
            }
        }
        Message { text, placeholders }
    }
}

impl Message {
    /// The message with each placeholder that has an argument replaced by its value; one without
    /// stays as written.
    fn fill(&self, args: &[(&str, &str)]) -> String {
        let template = self.text.as_str();
        let mut text = String::with_capacity(template.len() + args.iter().map(|(_, v)| v.len()).sum::<usize>());
        // Up to `copied`, the template is in `text`.
        let mut copied = 0;
        for &(start, end) in &self.placeholders {
            if let Some((_, value)) = args.iter().find(|(name, _)| *name == &template[start..end]) {
                text.push_str(&template[copied..start - 1]);
                text.push_str(value);
                copied = end + 1;
            }
        }
        text.push_str(&template[copied..]);
        text
    }
}

#[derive(Debug)]
struct Catalog {
    tag: &'static str,
    /// Looked up thousands of times a report (a standard's wording, a diagnosis), with a fast
    /// hasher: the keys are the product's own.
    texts: hashbrown::HashMap<String, Text>,
}

/// Every catalog, English first (the build script orders them so).
fn catalogs() -> &'static [Catalog] {
    static ALL: OnceLock<Vec<Catalog>> = OnceLock::new();
    ALL.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|(tag, json)| Catalog {
                tag,
                // The build script has parsed and checked every catalog already.
                texts: serde_json::from_str::<std::collections::HashMap<String, Text>>(json)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            })
            .collect()
    })
}

/// A supported language: one of the catalogs. English is the default and the fallback.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Lang(u8);

impl Lang {
    pub const ENGLISH: Lang = Lang(0);

    /// Every supported language, English first.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..catalogs().len()).map(|index| Lang(index as u8))
    }

    /// The language's place among [`Lang::all`].
    pub(crate) fn index(self) -> usize {
        usize::from(self.0)
    }

    fn catalog(self) -> &'static Catalog {
        &catalogs()[usize::from(self.0)]
    }

    /// The language's tag: `en`, `de`, `es` …
    pub fn tag(self) -> &'static str {
        self.catalog().tag
    }

    /// The language's own name for itself ("Deutsch").
    pub fn name(self) -> &'static str {
        self.t("_meta.name")
    }

    /// The language of a tag such as `de`, `de-AT` or `es_ES`; `None` for one Quotient does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        Lang::all().find(|lang| lang.tag() == primary)
    }

    /// The best match of an `Accept-Language` header (quality values respected), else English.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let mut offers: Vec<(f32, &str)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality =
                    pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0));
        offers.into_iter().find_map(|(_, tag)| Lang::from_tag(tag)).unwrap_or_default()
    }

    fn text(self, key: &str) -> Option<&'static Text> {
        self.catalog().texts.get(key).or_else(|| Lang::ENGLISH.catalog().texts.get(key))
    }

    /// Whether this language's own catalog words `key` (without falling back on English).
    pub fn has(self, key: &str) -> bool {
        self.catalog().texts.contains_key(key)
    }

    /// Every key of this language's own catalog.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        self.catalog().texts.keys().map(String::as_str)
    }

    /// The message of `key`, or `None` when no catalog has it.
    pub fn message(self, key: &str) -> Option<&'static str> {
        match self.text(key)? {
            Text::One(message) => Some(&message.text),
            Text::Many(_) => None,
        }
    }

    /// The message of `key`; the key itself when no catalog has it, so a gap shows rather than hides.
    pub fn t(self, key: &str) -> &'static str {
        self.message(key).unwrap_or_else(|| {
            // Leaking is bounded: keys are literals of the code, a finite set.
            Box::leak(key.to_string().into_boxed_str())
        })
    }

    /// The message of `key` with `{name}` placeholders filled.
    /// One pass over the message: a filled-in value is never searched for placeholders itself,
    /// and a placeholder without an argument stays as written.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        match self.text(key) {
            Some(Text::One(message)) => message.fill(args),
            // A gap shows as the key, filled in as a message would be.
            _ => Message::from(key.to_string()).fill(args),
        }
    }

    /// The list of `key` (e.g. a diagnosis's causes); empty when no catalog has it.
    pub fn list(self, key: &str) -> &'static [String] {
        match self.text(key) {
            Some(Text::Many(items)) => items,
            _ => &[],
        }
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.tag())
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(tag: &str) -> Result<Lang, String> {
        Lang::from_tag(tag).ok_or_else(|| {
            let known: Vec<&str> = Lang::all().map(Lang::tag).collect();
            format!("'{tag}' is not a supported language: use one of {}", known.join(", "))
        })
    }
}

#[cfg(test)]
mod tests;
