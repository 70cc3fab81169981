//! Embeds every `locales/*.json` catalog, so adding a language is adding one file. A catalog that
//! does not parse, or whose keys differ from English's, stops the build with what to fix.

use std::collections::BTreeMap;
use std::{env, fs, path::Path};

type Texts = BTreeMap<String, serde_json::Value>;

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("locales");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut tags: Vec<String> = fs::read_dir(&dir)
        .expect("locales/ is readable")
        .filter_map(|entry| entry.ok()?.path().file_name()?.to_str()?.strip_suffix(".json").map(str::to_string))
        .collect();
    tags.sort();
    // English first: it is the reference and the fallback.
    tags.sort_by_key(|tag| tag != "en");
    assert_eq!(tags.first().map(String::as_str), Some("en"), "locales/en.json, the reference catalog, is missing");

    let read = |tag: &str| -> Texts {
        let path = dir.join(format!("{tag}.json"));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("{}:{}:{}: {e}: a catalog is one JSON object of texts", path.display(), e.line(), e.column())
        })
    };
    let english = read("en");
    let mut problems = Vec::new();
    for tag in &tags {
        let texts = read(tag);
        for (key, value) in &texts {
            match english.get(key) {
                None => problems.push(format!("locales/{tag}.json: `{key}` is not a key of en.json: remove it")),
                Some(reference) if !same_shape(reference, value) => problems.push(format!(
                    "locales/{tag}.json: `{key}` must be {} like en.json's",
                    if reference.is_array() { "a list of texts" } else { "one text" }
                )),
                Some(_) => {}
            }
        }
        for key in english.keys().filter(|key| !texts.contains_key(*key)) {
            problems.push(format!("locales/{tag}.json: `{key}` is missing: translate en.json's"));
        }
    }
    assert!(problems.is_empty(), "the language catalogs need fixing:\n{}", problems.join("\n"));

    let entries: String = tags
        .iter()
        .map(|tag| {
            format!("    ({tag:?}, include_str!({:?})),\n", dir.join(format!("{tag}.json")).display().to_string())
        })
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("catalogs.rs");
    fs::write(out, format!("const CATALOGS: &[(&str, &str)] = &[\n{entries}];\n")).expect("OUT_DIR is writable");
}

fn same_shape(reference: &serde_json::Value, value: &serde_json::Value) -> bool {
    match (reference, value) {
        (serde_json::Value::String(_), serde_json::Value::String(_)) => true,
        (serde_json::Value::Array(_), serde_json::Value::Array(items)) => items.iter().all(|item| item.is_string()),
        _ => false,
    }
}
