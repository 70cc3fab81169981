//! The languages of the interface are the languages of the product: one catalog file per language in
//! `crates/core/locales/`, chosen by the user's setting, else the browser's `Accept-Language`
//! ([`Locale::negotiate`]). A page is rendered in a `Locale`, which writes its messages, numbers,
//! money and dates.

pub use quotient_core::Lang as Locale;

#[cfg(test)]
mod tests {
    use super::Locale;
    use std::path::Path;

    /// Every key the web's code passes literally to `t` or `tf` is in English's catalog (a missing
    /// one would show as the bare key on the page).
    #[test]
    fn every_literal_key_of_the_pages_is_in_the_english_catalog() {
        let mut missing = Vec::new();
        let mut seen = 0;
        let mut folders = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())).flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "rs") {
                    continue;
                }
                let code = std::fs::read_to_string(&path).unwrap_or_default();
                for call in [".t(\"", ".tf(\""] {
                    for (at, _) in code.match_indices(call) {
                        let rest = &code[at + call.len()..];
                        let key = &rest[..rest.find('"').unwrap_or(0)];
                        seen += 1;
                        if Locale::ENGLISH.message(key).is_none() {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 200, "only {seen} keys found: the scan is broken");
        assert!(missing.is_empty(), "keys missing from crates/core/locales/en.json:\n{}", missing.join("\n"));
    }
}
