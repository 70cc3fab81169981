//! Whether a connection can still be used.

use super::{Conn, Db};

impl Db {
    /// Whether the connection is gone for good (PostgreSQL: the server closed it or went away), so
    /// that a pool drops it and opens another instead of handing it out again. An SQLite
    /// connection does not break this way.
    pub fn is_broken(&self) -> bool {
        let broken = match &self.conn {
            Conn::Sqlite(_) => false,
            Conn::Postgres(client) => client.is_closed(),
        };
        broken || self.companion.as_ref().is_some_and(|companion| companion.is_broken())
    }
}
