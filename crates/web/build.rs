//! Embeds every `src/i18n/*.json` catalog: adding a language is adding one file.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("src/i18n");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut tags: Vec<String> = fs::read_dir(dir)
        .expect("src/i18n is readable")
        .filter_map(|entry| entry.ok()?.path().file_name()?.to_str().map(str::to_string))
        .filter_map(|name| name.strip_suffix(".json").map(str::to_string))
        .collect();
    tags.sort();
    // English first: it is the fallback for keys and languages.
    tags.sort_by_key(|tag| tag != "en");
    let entries: String = tags
        .iter()
        .map(|tag| {
            let path = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
                .join(dir)
                .join(format!("{tag}.json"));
            format!("    ({tag:?}, include_str!({:?})),\n", path.display().to_string())
        })
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("catalogs.rs");
    fs::write(out, format!("pub(crate) const CATALOGS: &[(&str, &str)] = &[\n{entries}];\n"))
        .expect("OUT_DIR is writable");
}
