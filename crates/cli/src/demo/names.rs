//! Names for the demo organisation, and the people's names handed out so that no two are the same.

/// Hands out person names, each different from every other it has given: the n-th name is the
/// n-th of a seeded permutation of every first × last name, then (once those run out) the same
/// again with a middle name, then with a number. Distinct indices give distinct names by
/// construction, so two people of the demo never share a name however many there are.
pub struct Names {
    given: usize,
    /// Multiplier and offset of the permutation `k ↦ (step · k + offset) mod (first × last)`.
    step: usize,
    offset: usize,
}

impl Names {
    pub fn new(seed: u64) -> Names {
        let combinations = FIRST_NAMES.len() * LAST_NAMES.len();
        // A step coprime with the number of combinations makes the map a permutation.
        let coprime: Vec<usize> = (2..combinations).filter(|n| gcd(*n, combinations) == 1).collect();
        let step = coprime[(seed % coprime.len() as u64) as usize];
        let offset = (seed.rotate_left(29) % combinations as u64) as usize;
        Names { given: 0, step, offset }
    }

    /// The next name, as (first name, last name).
    pub fn next(&mut self) -> (String, String) {
        let combinations = FIRST_NAMES.len() * LAST_NAMES.len();
        let (round, k) = (self.given / combinations, self.given % combinations);
        self.given += 1;
        let pair = (self.step * k + self.offset) % combinations;
        let (first, last) = (FIRST_NAMES[pair % FIRST_NAMES.len()], LAST_NAMES[pair / FIRST_NAMES.len()]);
        let first = match round {
            0 => first.to_string(),
            r if r <= FIRST_NAMES.len() => format!("{first} {}", FIRST_NAMES[r - 1]),
            r => format!("{first} {}", r - FIRST_NAMES.len()),
        };
        (first, last.to_string())
    }

    /// The next name as one string.
    pub fn full(&mut self) -> String {
        let (first, last) = self.next();
        format!("{first} {last}")
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

pub const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Lars", "Maya",
    "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Will", "Xenia", "Yusuf", "Zoe", "Amir",
    "Bianca", "Carlos", "Dana", "Emil", "Fiona", "Gustav", "Hana", "Ivan", "Julia", "Karim", "Lena", "Marco", "Nina",
];

pub const LAST_NAMES: &[&str] = &[
    "Adler",
    "Baker",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ulrich",
    "Vargas",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Novak",
    "Silva",
    "Brennan",
    "Okafor",
];

pub const COMPANY_PREFIXES: &[&str] = &[
    "Alpine",
    "Blue",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Northern",
    "Orion",
    "Pioneer",
    "Quarry",
    "River",
    "Summit",
    "Timber",
    "Union",
    "Valley",
    "Western",
    "Zenith",
];

pub const COMPANY_SUFFIXES: &[&str] = &[
    "Logistics",
    "Foods",
    "Clinics",
    "Manufacturing",
    "Bank",
    "Insurance",
    "Retail",
    "Energy",
    "Labs",
    "Hotels",
    "Builders",
    "Media",
    "Pharma",
    "Motors",
    "Farms",
    "Schools",
];

pub const INDUSTRIES: &[&str] = &[
    "manufacturing",
    "healthcare",
    "finance",
    "retail",
    "logistics",
    "energy",
    "education",
    "hospitality",
    "public sector",
];

pub const CITIES: &[(&str, &str)] = &[
    ("Chicago", "United States"),
    ("Denver", "United States"),
    ("Boston", "United States"),
    ("Atlanta", "United States"),
    ("Seattle", "United States"),
    ("Toronto", "Canada"),
    ("Munich", "Germany"),
    ("Madrid", "Spain"),
    ("Lyon", "France"),
    ("Milan", "Italy"),
];

pub const REGIONS: &[&str] = &["North", "South", "East", "West"];

pub const PRODUCT_LINES: &[&str] = &["Storage", "Networking", "Servers", "Software", "Services"];

pub const TITLES_TOP: &[&str] = &["CEO", "COO", "Managing Director", "VP Operations"];
pub const TITLES_FINANCE: &[&str] = &["CFO", "Head of Finance", "Controller"];
pub const TITLES_OTHER: &[&str] = &["IT Manager", "Procurement Lead", "Office Manager", "Engineer", "Assistant"];

pub const LOST_REASONS: &[&str] = &["price", "no decision", "competitor", "timing", "no budget", "poor fit"];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Every first × last name once, then with middle names, then numbered: 1,200 × 42 names and
    /// more, none twice, for any seed.
    #[test]
    fn no_two_names_are_the_same() {
        let combinations = FIRST_NAMES.len() * LAST_NAMES.len();
        assert_eq!(combinations, 1_200);
        for seed in [0, 1, 42, u64::MAX] {
            let mut names = Names::new(seed);
            let mut seen = HashSet::new();
            for n in 0..combinations * (FIRST_NAMES.len() + 2) {
                let name = names.full();
                assert!(seen.insert(name.clone()), "seed {seed}: name {n} '{name}' was given before");
            }
        }
        let lists = [FIRST_NAMES, LAST_NAMES];
        for list in lists {
            assert_eq!(list.iter().collect::<HashSet<_>>().len(), list.len(), "a list repeats a name");
        }
        assert!(!FIRST_NAMES.iter().any(|n| n.contains(' ')), "a first name of two words could pass for a middle name");
    }

    #[test]
    fn the_same_seed_gives_the_same_names() {
        let (mut a, mut b, mut c) = (Names::new(7), Names::new(7), Names::new(8));
        let first: Vec<String> = (0..50).map(|_| a.full()).collect();
        assert_eq!(first, (0..50).map(|_| b.full()).collect::<Vec<_>>());
        assert_ne!(first, (0..50).map(|_| c.full()).collect::<Vec<_>>());
    }
}
