//! Quotient's persistence: the schema and its migrations on SQLite and PostgreSQL, the organisation
//! data, and the CSV bundle import and export. Nothing here knows about HTTP.

pub mod access;
pub mod audit;
pub mod backup;
pub mod bundle;
pub mod crm;
pub mod db;
mod derived;
mod error;
pub mod forecast;
pub mod ids;
pub mod imports;
pub mod incentives;
pub mod kpi;
mod migrate;
pub mod ops;
pub mod orgs;
pub mod planning;
pub mod records;
#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Db, Dialect, Value};
pub use error::{Code, Refusal, Result, StoreError};

/// Opens the database at `url` and applies any pending migrations.
pub fn open(url: &str) -> Result<Db> {
    let mut db = Db::open(url)?;
    migrate::apply(&mut db)?;
    Ok(db)
}
