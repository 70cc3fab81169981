//! The routes of the router, read from its source, and the route that serves a path.

use std::collections::{BTreeSet, HashMap};

/// `(METHOD, path)` of every `.route(…)` call, with the API's prefix for the API's modules. A file
/// with routes that is not listed here fails.
pub fn of_the_router() -> BTreeSet<(String, String)> {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let prefixes: HashMap<&str, &str> = [
        ("app.rs", ""),
        ("api/mod.rs", "/api/v1"),
        ("api/planning.rs", "/api/v1"),
        ("api/settings.rs", "/api/v1"),
        ("api/feedback.rs", "/api/v1"),
        ("api/incentives.rs", "/api/v1"),
        ("api/forecast.rs", "/api/v1"),
    ]
    .into();
    let mut routes = BTreeSet::new();
    let mut folders = vec![source.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let code = std::fs::read_to_string(&path).unwrap_or_default();
            if !code.contains(".route(") {
                continue;
            }
            let name = path.strip_prefix(&source).expect("under src").to_string_lossy().replace('\\', "/");
            let prefix = prefixes.get(name.as_str()).unwrap_or_else(|| {
                panic!("{name} declares routes: add its prefix to routes::of_the_router and its routes to TABLE")
            });
            for (at, call) in code.match_indices(".route(") {
                // rustfmt puts a long call's path on the next line.
                let rest = code[at + call.len()..].trim_start();
                let rest = rest.strip_prefix('"').unwrap_or_else(|| panic!("{name}: a route's path is a literal"));
                let close = rest.find('"').expect("the path's closing quote");
                let route = format!("{prefix}{}", &rest[..close]);
                for method in methods_of(&rest[close + 1..]) {
                    routes.insert((method, route.clone()));
                }
            }
        }
    }
    routes
}

/// The HTTP methods of a `.route` call's method router (`get(a).post(b)`), read up to the call's
/// closing parenthesis.
fn methods_of(after_path: &str) -> Vec<String> {
    let mut methods = vec![];
    let mut depth = 0;
    let mut word = String::new();
    for c in after_path.chars() {
        match c {
            '(' if depth == 0 => {
                if ["get", "post", "put", "patch", "delete"].contains(&word.as_str()) {
                    methods.push(word.to_uppercase());
                }
                depth += 1;
            }
            '(' => depth += 1,
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            _ => word.clear(),
        }
        if c == '(' || c == ')' {
            word.clear();
        }
    }
    methods
}

/// The route a path is served by: of the routes whose segments match, the one with the most
/// literal segments (as the router prefers them).
pub fn serving<'r>(path: &str, routes: &'r BTreeSet<(String, String)>) -> Option<&'r str> {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .map(|(_, route)| route.as_str())
        .filter(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            pattern.len() == segments.len() && pattern.iter().zip(&segments).all(|(p, s)| p.starts_with('{') || p == s)
        })
        .max_by_key(|route| route.split('/').filter(|p| !p.starts_with('{')).count())
}
