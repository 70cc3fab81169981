//! The bundle format of `data/BUNDLE.md` as data: every file, its columns, what each column holds and
//! where it is stored. Import and export are both driven by this table.

use quotient_core::model::{
    ActivityOutcome, ActivityType, BuyingRole, EstimateStatus, LeadSource, LeadStatus, OpportunityStatus, QuotaMetric,
    SalesRole,
};

/// What a column holds, and so how it is parsed, stored and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// The row's own id in the source system (stored as `external_id`).
    Id,
    /// The id of a row of another (or the same) file.
    Ref(Entity),
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    Timestamp,
    /// A decimal amount ≥ 0 with up to 2 places, stored in cents.
    Money,
    /// A whole number in a range.
    Int { min: i64, max: i64 },
    /// One of a fixed set of keys.
    Enum(&'static [&'static str]),
    /// One of the organisation's configured pipeline stages.
    Stage,
    /// One of the organisation's configured gateway types.
    GatewayType,
    /// A quota period: `YYYY-Www` (activity goals), `YYYY-MM`, `YYYY-Qn` or `YYYY`.
    Period,
    /// A quota target: money for revenue and margin, a whole count for the other metrics.
    QuotaTarget,
}

impl Kind {
    /// Whether the column holds text as it was typed (names, ids, keys), rather than a number, date
    /// or time the export writes in a canonical form of its own.
    pub fn is_text(self) -> bool {
        !matches!(self, Kind::Date | Kind::Timestamp | Kind::Money | Kind::Int { .. } | Kind::QuotaTarget)
    }
}

/// The files whose ids other files refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Territory,
    ProductLine,
    Rep,
    Account,
    Contact,
    Lead,
    Opportunity,
}

impl Entity {
    pub const ALL: [Entity; 7] = [
        Entity::Territory,
        Entity::ProductLine,
        Entity::Rep,
        Entity::Account,
        Entity::Contact,
        Entity::Lead,
        Entity::Opportunity,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Entity::Territory => "territories",
            Entity::ProductLine => "product_lines",
            Entity::Rep => "reps",
            Entity::Account => "accounts",
            Entity::Contact => "contacts",
            Entity::Lead => "leads",
            Entity::Opportunity => "opportunities",
        }
    }

    /// How a message names one of these: "unknown account 'A17'".
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Territory => "territory",
            Entity::ProductLine => "product line",
            Entity::Rep => "rep",
            Entity::Account => "account",
            Entity::Contact => "contact",
            Entity::Lead => "lead",
            Entity::Opportunity => "opportunity",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One column of a bundle file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
    /// The database column; `external_id` for the id column.
    pub db: &'static str,
    /// The value an empty cell of an optional column stands for, when the database needs one.
    pub default: Option<&'static str>,
}

/// How the rows of a file are identified across imports.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// By the id column; other files may refer to it when `entity` is set.
    Id { entity: Option<Entity> },
    /// By the values of these columns together (files without an id column).
    Natural(&'static [&'static str]),
}

/// One file of the bundle.
#[derive(Debug)]
pub struct FileSpec {
    pub file: &'static str,
    pub table: &'static str,
    pub key: Key,
    pub columns: &'static [Column],
    /// Columns the database derives from others (not in the file).
    pub derived: &'static [&'static str],
}

impl FileSpec {
    pub fn entity(&self) -> Option<Entity> {
        match self.key {
            Key::Id { entity } => entity,
            Key::Natural(_) => None,
        }
    }

    /// The database columns a staged row carries, in order: org, id, external id, the file's
    /// columns (the id column excepted), then derived ones.
    pub fn db_columns(&self) -> Vec<&'static str> {
        let mut columns = vec!["org_id", "id", "external_id"];
        columns.extend(self.columns.iter().filter(|c| c.kind != Kind::Id).map(|c| c.db));
        columns.extend(self.derived.iter().copied());
        columns
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The index of the file's id column, if it has one.
    pub fn id_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.kind == Kind::Id)
    }
}

const fn req(name: &'static str, kind: Kind, db: &'static str) -> Column {
    Column { name, required: true, kind, db, default: None }
}

const fn opt(name: &'static str, kind: Kind, db: &'static str) -> Column {
    Column { name, required: false, kind, db, default: None }
}

/// An optional column whose empty cells mean `default`.
const fn opt_or(name: &'static str, kind: Kind, db: &'static str, default: &'static str) -> Column {
    Column { name, required: false, kind, db, default: Some(default) }
}

const fn id(name: &'static str) -> Column {
    req(name, Kind::Id, "external_id")
}

const MONEY: Kind = Kind::Money;
const TEXT: Kind = Kind::Text;

/// Every file, in the order the importer reads them: a file comes after those it refers to, except
/// for references resolved by a pre-scan of ids (self references, and opportunities → leads).
pub static FILES: [FileSpec; 12] = [
    FileSpec {
        file: "territories.csv",
        table: "territories",
        key: Key::Id { entity: Some(Entity::Territory) },
        columns: &[
            id("territory_id"),
            req("name", TEXT, "name"),
            opt("region", TEXT, "region"),
            opt("parent_id", Kind::Ref(Entity::Territory), "parent_id"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "product_lines.csv",
        table: "product_lines",
        key: Key::Id { entity: Some(Entity::ProductLine) },
        columns: &[id("product_line_id"), req("name", TEXT, "name")],
        derived: &[],
    },
    FileSpec {
        file: "reps.csv",
        table: "reps",
        key: Key::Id { entity: Some(Entity::Rep) },
        columns: &[
            id("rep_id"),
            req("name", TEXT, "name"),
            req("email", TEXT, "email"),
            opt("manager_id", Kind::Ref(Entity::Rep), "manager_id"),
            opt("territory_id", Kind::Ref(Entity::Territory), "territory_id"),
            // A rep unless said otherwise, as in the database.
            opt_or("role", Kind::Enum(SalesRole::KEYS), "role", "rep"),
            opt("hired_on", Kind::Date, "hired_on"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "accounts.csv",
        table: "accounts",
        key: Key::Id { entity: Some(Entity::Account) },
        columns: &[
            id("account_id"),
            req("name", TEXT, "name"),
            opt("industry", TEXT, "industry"),
            opt("territory_id", Kind::Ref(Entity::Territory), "territory_id"),
            opt("owner_id", Kind::Ref(Entity::Rep), "owner_id"),
            opt("employees", Kind::Int { min: 0, max: i64::MAX }, "employees"),
            opt("annual_revenue", MONEY, "annual_revenue_cents"),
            opt("city", TEXT, "city"),
            opt("country", TEXT, "country"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "contacts.csv",
        table: "contacts",
        key: Key::Id { entity: Some(Entity::Contact) },
        columns: &[
            id("contact_id"),
            req("account_id", Kind::Ref(Entity::Account), "account_id"),
            opt("first_name", TEXT, "first_name"),
            req("last_name", TEXT, "last_name"),
            opt("title", TEXT, "title"),
            opt("buying_role", Kind::Enum(BuyingRole::KEYS), "buying_role"),
            opt("authority_level", Kind::Int { min: 1, max: 5 }, "authority_level"),
            opt("email", TEXT, "email"),
            opt("phone", TEXT, "phone"),
            opt("address", TEXT, "address"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "opportunities.csv",
        table: "opportunities",
        key: Key::Id { entity: Some(Entity::Opportunity) },
        columns: &[
            id("opportunity_id"),
            opt("account_id", Kind::Ref(Entity::Account), "account_id"),
            req("owner_id", Kind::Ref(Entity::Rep), "owner_id"),
            opt("product_line_id", Kind::Ref(Entity::ProductLine), "product_line_id"),
            opt("name", TEXT, "name"),
            req("amount", MONEY, "amount_cents"),
            opt("margin", MONEY, "margin_cents"),
            req("created_at", Kind::Timestamp, "created_at"),
            opt("expected_close_on", Kind::Date, "expected_close_on"),
            opt("first_appointment_at", Kind::Timestamp, "first_appointment_at"),
            opt("gateway_type", Kind::GatewayType, "gateway_type"),
            opt("gateway_at", Kind::Timestamp, "gateway_at"),
            opt("proposal_at", Kind::Timestamp, "proposal_at"),
            opt("closed_at", Kind::Timestamp, "closed_at"),
            req("status", Kind::Enum(OpportunityStatus::KEYS), "status"),
            opt("stage", Kind::Stage, "stage"),
            opt("lost_reason", TEXT, "lost_reason"),
            opt("lead_id", Kind::Ref(Entity::Lead), "lead_id"),
            // The amount as the source recorded it, when that was in another currency than the
            // organisation's (a CRM import converts `amount`).
            opt("original_amount", MONEY, "original_amount_cents"),
            opt("original_currency", TEXT, "original_currency"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "leads.csv",
        table: "leads",
        key: Key::Id { entity: Some(Entity::Lead) },
        columns: &[
            id("lead_id"),
            req("created_at", Kind::Timestamp, "created_at"),
            req("source", Kind::Enum(LeadSource::KEYS), "source"),
            opt("owner_id", Kind::Ref(Entity::Rep), "owner_id"),
            opt("company", TEXT, "company"),
            opt("contact_name", TEXT, "contact_name"),
            opt("email", TEXT, "email"),
            opt("status", Kind::Enum(LeadStatus::KEYS), "status"),
            opt("first_touch_at", Kind::Timestamp, "first_touch_at"),
            opt("opportunity_id", Kind::Ref(Entity::Opportunity), "opportunity_id"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "stage_changes.csv",
        table: "stage_changes",
        key: Key::Natural(&["opportunity_id", "stage", "changed_at"]),
        columns: &[
            req("opportunity_id", Kind::Ref(Entity::Opportunity), "opportunity_id"),
            req("stage", Kind::Stage, "stage"),
            req("changed_at", Kind::Timestamp, "changed_at"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "activities.csv",
        table: "activities",
        key: Key::Id { entity: None },
        columns: &[
            id("activity_id"),
            req("rep_id", Kind::Ref(Entity::Rep), "rep_id"),
            req("type", Kind::Enum(ActivityType::KEYS), "type"),
            req("occurred_at", Kind::Timestamp, "occurred_at"),
            opt("account_id", Kind::Ref(Entity::Account), "account_id"),
            opt("contact_id", Kind::Ref(Entity::Contact), "contact_id"),
            opt("opportunity_id", Kind::Ref(Entity::Opportunity), "opportunity_id"),
            opt("outcome", Kind::Enum(ActivityOutcome::KEYS), "outcome"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "estimates.csv",
        table: "estimates",
        key: Key::Id { entity: None },
        columns: &[
            id("estimate_id"),
            opt("opportunity_id", Kind::Ref(Entity::Opportunity), "opportunity_id"),
            req("rep_id", Kind::Ref(Entity::Rep), "rep_id"),
            req("product_line_id", Kind::Ref(Entity::ProductLine), "product_line_id"),
            opt("amount", MONEY, "amount_cents"),
            req("issued_on", Kind::Date, "issued_on"),
            opt("status", Kind::Enum(EstimateStatus::KEYS), "status"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "feedback.csv",
        table: "feedback",
        key: Key::Natural(&["account_id", "rep_id", "received_on"]),
        columns: &[
            req("account_id", Kind::Ref(Entity::Account), "account_id"),
            opt("rep_id", Kind::Ref(Entity::Rep), "rep_id"),
            req("received_on", Kind::Date, "received_on"),
            req("score", Kind::Int { min: 0, max: 10 }, "score"),
        ],
        derived: &[],
    },
    FileSpec {
        file: "quotas.csv",
        table: "quotas",
        key: Key::Natural(&["rep_id", "period", "metric", "product_line_id"]),
        columns: &[
            req("rep_id", Kind::Ref(Entity::Rep), "rep_id"),
            req("period", Kind::Period, "period"),
            req("metric", Kind::Enum(QuotaMetric::KEYS), "metric"),
            opt("product_line_id", Kind::Ref(Entity::ProductLine), "product_line_id"),
            req("target", Kind::QuotaTarget, "target"),
        ],
        derived: &["period_start", "period_end"],
    },
];

/// The spec of a file, by name.
pub fn file(name: &str) -> Option<&'static FileSpec> {
    FILES.iter().find(|spec| spec.file == name)
}

/// The only file a bundle must have.
pub const REQUIRED_FILE: &str = "reps.csv";
