//! The declarative forms of the CRM records: one per resource, its fields, what each holds and
//! whose row it is. The pages draw them, the API describes them, and the store reads and writes
//! records through them.

use quotient_core::access::Resource;
use quotient_core::model::{ActivityOutcome, ActivityType, BuyingRole, EstimateStatus, LeadSource, LeadStatus};

/// What a form field holds and how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Free text of at most `max` characters.
    Text {
        max: usize,
    },
    Int {
        min: i64,
        max: i64,
    },
    Money,
    Date,
    /// `YYYY-MM-DDTHH:MM` in UTC, as a `datetime-local` input sends it.
    Time,
    /// One key of an enumeration.
    Choice(Enumeration),
    /// The id of another record, which must be within the viewer's reach.
    Reference(Target),
}

/// The enumerations a choice field offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enumeration {
    ActivityType,
    ActivityOutcome,
    BuyingRole,
    LeadSource,
    LeadStatus,
    EstimateStatus,
}

impl Enumeration {
    pub fn keys(self) -> Vec<&'static str> {
        fn all<T: Copy>(values: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
            values.iter().map(|v| key(*v)).collect()
        }
        match self {
            Enumeration::ActivityType => all(ActivityType::ALL, ActivityType::key),
            Enumeration::ActivityOutcome => all(ActivityOutcome::ALL, ActivityOutcome::key),
            Enumeration::BuyingRole => all(BuyingRole::ALL, BuyingRole::key),
            Enumeration::LeadSource => all(LeadSource::ALL, LeadSource::key),
            Enumeration::LeadStatus => all(LeadStatus::ALL, LeadStatus::key),
            Enumeration::EstimateStatus => all(EstimateStatus::ALL, EstimateStatus::key),
        }
    }
}

/// What a reference field points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Rep,
    Account,
    Contact,
    Opportunity,
    ProductLine,
    Territory,
}

#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub column: &'static str,
    pub input: Input,
    pub required: bool,
}

/// One resource as the create and edit forms write it.
#[derive(Debug)]
pub struct Form {
    pub resource: Resource,
    pub table: &'static str,
    pub fields: &'static [Field],
    /// The reference field naming the rep whose row it is; left empty, it is the viewer's own. `None`
    /// when the row belongs to whoever owns a referenced record (a contact is its account's).
    pub owner: Option<&'static str>,
}

const fn field(key: &'static str, column: &'static str, input: Input, required: bool) -> Field {
    Field { key, column, input, required }
}

/// The longest free texts, in characters: room for any real name, address or note, while no form
/// or API call can fill the disk, the pages or an export with one field.
pub mod text_limits {
    pub const NAME: usize = 200;
    /// RFC 5321's limit of a forward path.
    pub const EMAIL: usize = 254;
    pub const PHONE: usize = 50;
    pub const ADDRESS: usize = 1_000;
}

/// A name, a title, a company, a city: one line.
pub const NAME: Input = Input::Text { max: text_limits::NAME };
const EMAIL: Input = Input::Text { max: text_limits::EMAIL };
const PHONE: Input = Input::Text { max: text_limits::PHONE };
const ADDRESS: Input = Input::Text { max: text_limits::ADDRESS };
const REP: Input = Input::Reference(Target::Rep);
const ACCOUNT: Input = Input::Reference(Target::Account);
const OPPORTUNITY: Input = Input::Reference(Target::Opportunity);
const PRODUCT_LINE: Input = Input::Reference(Target::ProductLine);

pub static FORMS: [Form; 6] = [
    Form {
        resource: Resource::Accounts,
        table: "accounts",
        fields: &[
            field("name", "name", NAME, true),
            field("industry", "industry", NAME, false),
            field("owner", "owner_id", REP, false),
            field("territory", "territory_id", Input::Reference(Target::Territory), false),
            field("employees", "employees", Input::Int { min: 0, max: 10_000_000 }, false),
            field("annual_revenue", "annual_revenue_cents", Input::Money, false),
            field("city", "city", NAME, false),
            field("country", "country", NAME, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Contacts,
        table: "contacts",
        fields: &[
            field("account", "account_id", ACCOUNT, true),
            field("first_name", "first_name", NAME, false),
            field("last_name", "last_name", NAME, true),
            field("title", "title", NAME, false),
            field("buying_role", "buying_role", Input::Choice(Enumeration::BuyingRole), false),
            field("authority_level", "authority_level", Input::Int { min: 1, max: 5 }, false),
            field("email", "email", EMAIL, false),
            field("phone", "phone", PHONE, false),
            field("address", "address", ADDRESS, false),
        ],
        owner: None,
    },
    Form {
        resource: Resource::Leads,
        table: "leads",
        fields: &[
            field("company", "company", NAME, true),
            field("contact_name", "contact_name", NAME, false),
            field("email", "email", EMAIL, false),
            field("source", "source", Input::Choice(Enumeration::LeadSource), true),
            field("status", "status", Input::Choice(Enumeration::LeadStatus), true),
            field("owner", "owner_id", REP, false),
            field("created_at", "created_at", Input::Time, true),
            field("first_touch_at", "first_touch_at", Input::Time, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Opportunities,
        table: "opportunities",
        fields: &[
            field("name", "name", NAME, true),
            field("account", "account_id", ACCOUNT, false),
            field("owner", "owner_id", REP, true),
            field("product_line", "product_line_id", PRODUCT_LINE, false),
            field("amount", "amount_cents", Input::Money, true),
            field("margin", "margin_cents", Input::Money, false),
            field("created_at", "created_at", Input::Time, true),
            field("expected_close_on", "expected_close_on", Input::Date, false),
        ],
        owner: Some("owner"),
    },
    Form {
        resource: Resource::Activities,
        table: "activities",
        fields: &[
            field("type", "type", Input::Choice(Enumeration::ActivityType), true),
            field("outcome", "outcome", Input::Choice(Enumeration::ActivityOutcome), false),
            field("occurred_at", "occurred_at", Input::Time, true),
            field("rep", "rep_id", REP, true),
            field("account", "account_id", ACCOUNT, false),
            field("contact", "contact_id", Input::Reference(Target::Contact), false),
            field("opportunity", "opportunity_id", OPPORTUNITY, false),
        ],
        owner: Some("rep"),
    },
    Form {
        resource: Resource::Estimates,
        table: "estimates",
        fields: &[
            field("issued_on", "issued_on", Input::Date, true),
            field("product_line", "product_line_id", PRODUCT_LINE, true),
            field("amount", "amount_cents", Input::Money, false),
            field("status", "status", Input::Choice(Enumeration::EstimateStatus), false),
            field("rep", "rep_id", REP, true),
            field("opportunity", "opportunity_id", OPPORTUNITY, false),
        ],
        owner: Some("rep"),
    },
];

/// The form of a resource path (`accounts`, …).
pub fn form(table: &str) -> Option<&'static Form> {
    FORMS.iter().find(|f| f.table == table)
}
