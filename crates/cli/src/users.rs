//! `quotient user add|passwd|disable|list`: the people who sign in.

use crate::org;
use anyhow::{Context, Result, bail};
use quotient_core::input::{self, MIN_PASSWORD_CHARS};
use quotient_core::model::UserRole;
use quotient_store::StoreError;
use quotient_store::access::{self, NewUser};

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from QUOTIENT_PASSWORD or asked for on the terminal.
    Add {
        email: String,
        /// The name shown in the application.
        #[arg(long)]
        name: String,
        /// admin, executive, manager or rep.
        #[arg(long)]
        role: UserRole,
        /// The user's own row in reps.csv (needed for managers and reps): its id.
        #[arg(long)]
        rep: Option<String>,
    },
    /// Set a user's password (ends their sessions and revokes their API tokens).
    Passwd { email: String },
    /// Disable a user: no more sign-ins; sessions and API tokens stop working.
    Disable { email: String },
    /// List the organisation's users.
    List,
}

/// The new password's hash; a password too short is refused as the store refuses bad input.
fn password_hash() -> Result<String> {
    let password = match std::env::var("QUOTIENT_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprint!("password (at least {MIN_PASSWORD_CHARS} characters): ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    input::password("password", &password).map_err(|refusal| StoreError::Refused(vec![refusal]))?;
    quotient_web::password::hash(&password).map_err(anyhow::Error::msg)
}

pub fn run(database_url: &str, org: Option<&str>, command: &UserCommand) -> Result<()> {
    let mut db = quotient_store::open(database_url).with_context(|| format!("opening {database_url}"))?;
    let organisation = org::resolve(&mut db, org)?;
    match command {
        UserCommand::Add { email, name, role, rep } => {
            let hash = password_hash()?;
            let new = NewUser { email, name, role: *role, rep: rep.as_deref(), password_hash: &hash };
            access::add_user(&mut db, organisation.id, &new)?;
            println!("added {role} {email} to '{}'", organisation.slug);
        }
        UserCommand::Passwd { email } => {
            let hash = password_hash()?;
            access::set_password(&mut db, organisation.id, email, &hash)?;
            println!("set the password of {email}; their sessions have ended and their API tokens are revoked");
        }
        UserCommand::Disable { email } => {
            access::disable_user(&mut db, organisation.id, email)?;
            println!("disabled {email}");
        }
        UserCommand::List => {
            let users = access::list_users(&mut db, organisation.id)?;
            if users.is_empty() {
                bail!(
                    "'{}' has no users yet: add one with `quotient user add EMAIL --name NAME --role admin`",
                    organisation.slug
                );
            }
            for user in users {
                println!(
                    "{:<40} {:<10} {}{}",
                    user.email,
                    user.role,
                    user.name,
                    if user.disabled { " (disabled)" } else { "" }
                );
            }
        }
    }
    Ok(())
}
