//! Reading the parameters the pages and the API share: a list's query and paging, a period, the
//! evaluation day.

use crate::error::Error;
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::period::PeriodKind;
use quotient_core::refusal::{Code, Refusal};
use quotient_store::StoreError;
use quotient_store::crm::browse::ListQuery;

/// The last page a list goes to: further, an offset only makes a slow or overflowing query.
pub const MAX_PAGE: i64 = 1_000_000;
/// The most rows a page of the API holds.
pub const MAX_API_PAGE_SIZE: i64 = 1000;

/// The query of a list, for the pages and the API alike.
#[derive(serde::Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: i64,
    /// Only the API lets the client choose it.
    pub page_size: Option<i64>,
    #[serde(default)]
    pub deleted: bool,
}

impl ListParams {
    pub fn query(&self, page_size: i64) -> ListQuery {
        ListQuery {
            search: self.q.clone(),
            sort: self.sort.clone(),
            descending: self.dir == "desc",
            page: self.page,
            page_size,
            deleted: self.deleted,
        }
    }

    /// The page a list page shows: within 0 and [`MAX_PAGE`] (a page past the end is empty).
    pub fn within_pages(self) -> ListParams {
        ListParams { page: self.page.clamp(0, MAX_PAGE), ..self }
    }

    /// The page and page size an API client asks for (100 rows by default), or why they are refused.
    pub fn api_paging(&self) -> Result<(i64, i64), Error> {
        let page_size = self.page_size.unwrap_or(100);
        let out_of_range =
            |field, min, max| Refusal::new(field, Code::NumberOutOfRange).count("min", min).count("max", max);
        let mut refused = vec![];
        if !(0..=MAX_PAGE).contains(&self.page) {
            refused.push(out_of_range("page", 0, MAX_PAGE));
        }
        if !(1..=MAX_API_PAGE_SIZE).contains(&page_size) {
            refused.push(out_of_range("page_size", 1, MAX_API_PAGE_SIZE));
        }
        if refused.is_empty() { Ok((self.page, page_size)) } else { Err(Error::Store(StoreError::Refused(refused))) }
    }

    /// The query string of this view without the page (and, for links that set it, the sort).
    pub fn base(&self) -> String {
        format!("q={}&deleted={}", encode(&self.q), self.deleted)
    }
}

pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The `period` query parameter, else the current period of `default`: the week for a rep's
/// scorecard (the method moves reps to weekly goals), the month for the team's dashboard, the
/// quarter for the leaderboard and the API.
pub fn period_param(text: Option<&str>, default: PeriodKind) -> Result<Period, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => text.parse().map_err(|e: quotient_core::period::PeriodParseError| {
            Error::Store(StoreError::Refused(vec![e.refusal("period")]))
        }),
        None => Ok(Period::containing(default, today())),
    }
}

/// The evaluation day of a period: today while it runs, its last day once it is over.
pub fn as_of(period: Period) -> NaiveDate {
    let last = period.end() - chrono::Duration::days(1);
    today().clamp(period.start(), last.max(period.start()))
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
