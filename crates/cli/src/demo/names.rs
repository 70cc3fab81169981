//! Names for the demo organisation.

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
