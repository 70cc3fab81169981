//! The rollup cells: each dated cell exists at five grains, the day, the ISO week, the month, the
//! quarter and the year, so a long period reads the fewest cells of those grains whose signed sum
//! covers it (a month less its first days, a year less its last month: every field is an integer
//! sum). At the week, month, quarter and year a rep also has a cell of every product line together,
//! at a grain of its own ([`Grain::EveryLine`]), so that a read across lines reads one cell where
//! it would read one per line, and its range of the index holds those cells only. (Not at the day:
//! a day is read only at a period's edges, and its cells are most of the table and of a write's.) A
//! write moves the cells it changes ([`delta`]); a rebuild recomputes them all from the base rows
//! ([`rebuild`]); the scorecards sum them over periods ([`reads`]).

mod delta;
mod reads;
mod rebuild;

pub use delta::{apply, with_delta, with_delta_creating, with_stage_delta};
pub(crate) use reads::{
    line_demos, lines_sold, open_before, open_pipeline, organisation_months, per_cell, per_cell_of, sum_by_named_line,
};
pub use reads::{standing, sum, sum_of};
pub use rebuild::{rebuild, rebuild_reporting};

use super::facts::{Cell, CellKind, STATE_DAY};
use crate::db::{Db, Dialect};
use crate::error::Result;
use chrono::{Datelike, NaiveDate};
use quotient_core::kpi::Tally;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    State,
    /// The month of the whole organisation, filed under rep [`ORGANISATION`]: what is learnt from
    /// years of history (the seasonality) reads 36 of these instead of every rep's months.
    OrganisationMonth,
    /// Open opportunities by the day of their last activity ([`CellKind::OpenByLastActivity`]).
    OpenByLastActivity,
    /// Open opportunities by their expected close day ([`CellKind::OpenByExpectedClose`]).
    OpenByExpectedClose,
    /// The demos held on opportunities of each product line ([`CellKind::LineDemo`]), by day,
    /// week, month, quarter and year.
    LineDemos(Calendar),
    /// A rep's cells of every product line together (filed under [`EVERY_LINE`]), by week, month,
    /// quarter and year ([`Grain::every_line`]).
    EveryLine(Span),
}

/// The lengths of the every-line cells: not the day (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Span {
    Week,
    Month,
    Quarter,
    Year,
}

/// The calendar grains a period is read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Calendar {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// The rep id the organisation's own cells are filed under (no rep has it).
pub(super) const ORGANISATION: i64 = 0;

/// The product line id of a rep's cells that sum every line (0, what belongs to no line, among
/// them): the cells of the [`Grain::EveryLine`] grains.
pub(crate) const EVERY_LINE: i64 = -1;

impl Grain {
    pub(super) fn key(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
            Grain::State => "state",
            Grain::OrganisationMonth => "org_month",
            Grain::OpenByLastActivity => "open_activity",
            Grain::OpenByExpectedClose => "open_close",
            Grain::LineDemos(Calendar::Day) => "demo_day",
            Grain::LineDemos(Calendar::Week) => "demo_week",
            Grain::LineDemos(Calendar::Month) => "demo_month",
            Grain::LineDemos(Calendar::Quarter) => "demo_quarter",
            Grain::LineDemos(Calendar::Year) => "demo_year",
            Grain::EveryLine(Span::Week) => "all_week",
            Grain::EveryLine(Span::Month) => "all_month",
            Grain::EveryLine(Span::Quarter) => "all_quarter",
            Grain::EveryLine(Span::Year) => "all_year",
        }
    }

    /// The line demos' grain of the same length as this calendar grain (itself otherwise).
    pub(super) fn of_line_demos(self) -> Grain {
        match self {
            Grain::Day => Grain::LineDemos(Calendar::Day),
            Grain::Week => Grain::LineDemos(Calendar::Week),
            Grain::Month => Grain::LineDemos(Calendar::Month),
            Grain::Quarter => Grain::LineDemos(Calendar::Quarter),
            Grain::Year => Grain::LineDemos(Calendar::Year),
            other => other,
        }
    }

    /// The calendar grain of the same length as a line demos' or every-line grain (itself
    /// otherwise).
    fn calendar(self) -> Grain {
        match self {
            Grain::LineDemos(calendar) => match calendar {
                Calendar::Day => Grain::Day,
                Calendar::Week => Grain::Week,
                Calendar::Month => Grain::Month,
                Calendar::Quarter => Grain::Quarter,
                Calendar::Year => Grain::Year,
            },
            Grain::EveryLine(span) => match span {
                Span::Week => Grain::Week,
                Span::Month => Grain::Month,
                Span::Quarter => Grain::Quarter,
                Span::Year => Grain::Year,
            },
            other => other,
        }
    }

    pub(super) fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self.calendar() {
            Grain::Day
            | Grain::OpenByLastActivity
            | Grain::OpenByExpectedClose
            | Grain::LineDemos(_)
            | Grain::EveryLine(_) => day,
            Grain::Week => day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Grain::Month | Grain::OrganisationMonth => day.with_day(1).unwrap_or(day),
            Grain::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day),
            Grain::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
            Grain::State => STATE_DAY,
        }
    }

    /// The start of the cell after the one `day` is in (for the day, week, month, quarter and year).
    pub(super) fn next(self, day: NaiveDate) -> NaiveDate {
        match self.calendar() {
            Grain::Day
            | Grain::OpenByLastActivity
            | Grain::OpenByExpectedClose
            | Grain::LineDemos(_)
            | Grain::EveryLine(_) => day + chrono::Duration::days(1),
            Grain::Week => self.bucket(day) + chrono::Duration::days(7),
            Grain::Quarter => next_month(next_month(next_month(self.bucket(day)))),
            Grain::Year => NaiveDate::from_ymd_opt(day.year() + 1, 1, 1).unwrap_or(day),
            Grain::Month | Grain::OrganisationMonth | Grain::State => next_month(self.bucket(day)),
        }
    }

    /// The grain of the cells of every product line together of the same length as this grain, if
    /// it has one: the week, the month, the quarter and the year.
    pub(super) fn every_line(self) -> Option<Grain> {
        match self {
            Grain::Week => Some(Grain::EveryLine(Span::Week)),
            Grain::Month => Some(Grain::EveryLine(Span::Month)),
            Grain::Quarter => Some(Grain::EveryLine(Span::Quarter)),
            Grain::Year => Some(Grain::EveryLine(Span::Year)),
            _ => None,
        }
    }

    /// The grains a cell is kept at.
    fn of(cell: &Cell) -> &'static [Grain] {
        match cell.kind {
            CellKind::Dated => {
                &[Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year, Grain::OrganisationMonth]
            }
            CellKind::Standing => &[Grain::State],
            CellKind::OpenByLastActivity => &[Grain::OpenByLastActivity],
            CellKind::OpenByExpectedClose => &[Grain::OpenByExpectedClose],
            CellKind::LineDemo => &[
                Grain::LineDemos(Calendar::Day),
                Grain::LineDemos(Calendar::Week),
                Grain::LineDemos(Calendar::Month),
                Grain::LineDemos(Calendar::Quarter),
                Grain::LineDemos(Calendar::Year),
            ],
        }
    }
}

/// The keys of the stored cells `cell` adds to: one per grain, and its rep's every-line cell at
/// the grains that keep one.
pub(super) fn keys(cell: &Cell) -> impl Iterator<Item = Key> + '_ {
    Grain::of(cell).iter().flat_map(|&grain| {
        let rep = if grain == Grain::OrganisationMonth { ORGANISATION } else { cell.rep_id };
        let day = grain.bucket(cell.day);
        let every_line = grain.every_line().map(|every_line| (every_line, day, rep, EVERY_LINE));
        std::iter::once((grain, day, rep, cell.product_line_id)).chain(every_line)
    })
}

pub(super) type Key = (Grain, NaiveDate, i64, i64);

/// The cells of a rebuild, summed: hashed with foldhash, since SipHash took a tenth of a rebuild.
pub(super) type Cells = hashbrown::HashMap<Key, Tally>;

/// Makes the writes wait until the caller's transaction ends (on PostgreSQL; SQLite's one writer
/// waits anyway), while reads go on: a write's cells are neither loaded again by a rebuild (a
/// duplicate key) nor counted twice by a change read before and after.
pub(super) fn hold_writes(db: &mut Db) -> Result<()> {
    match db.dialect() {
        Dialect::Postgres => db.execute("LOCK TABLE rollup_cells IN SHARE ROW EXCLUSIVE MODE", &[]).map(|_| ()),
        Dialect::Sqlite => Ok(()),
    }
}

fn next_month(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day)
}
