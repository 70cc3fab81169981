//! Which organisation a command works on.

use anyhow::{Result, bail};
use quotient_store::Db;
use quotient_store::access::Viewer;
use quotient_store::kpi::Directory;
use quotient_store::orgs::{self, Organisation};

/// The organisation named by `--org`, or the only one in the database.
pub fn resolve(db: &mut Db, slug: Option<&str>) -> Result<Organisation> {
    if let Some(slug) = slug {
        return Ok(orgs::require(db, slug)?);
    }
    let all = orgs::list(db)?;
    match all.as_slice() {
        [only] => Ok(only.clone()),
        [] => bail!("the database holds no organisation yet: run `quotient demo` or `quotient import DIR` first"),
        many => bail!(
            "the database holds {} organisations: choose one with --org ({})",
            many.len(),
            many.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The organisation to import into: `--org` (created if new), else the only one, else `default`.
pub fn resolve_or_create(db: &mut Db, slug: Option<&str>) -> Result<Organisation> {
    match slug {
        Some(slug) => Ok(orgs::find_or_create(db, slug, slug)?),
        None => match orgs::list(db)?.as_slice() {
            [] => Ok(orgs::find_or_create(db, "default", "Default organisation")?),
            _ => resolve(db, None),
        },
    }
}

/// The organisation of [`resolve`] and its operator: the scope the command line acts in, over
/// every row of the organisation.
pub fn operator(db: &mut Db, slug: Option<&str>) -> Result<(Organisation, Viewer)> {
    let org = resolve(db, slug)?;
    let directory = Directory::load(db, org.id)?;
    let scope = Viewer::operator(org.id, &directory);
    Ok((org, scope))
}
