//! A minimal HTTP/1.1 client over a socket, and a `quotient serve` child process to talk to.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

pub struct Answer {
    /// 0 when the server closed the connection without an answer.
    pub status: u16,
    pub body: String,
}

/// Sends one request with an API token and waits at most `timeout` for the whole answer.
pub fn send(addr: SocketAddr, token: &str, method: &str, path: &str, body: &str, timeout: Duration) -> Answer {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut raw = Vec::new();
    let sent = TcpStream::connect_timeout(&addr, timeout).and_then(|mut stream| {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.write_all(request.as_bytes())?;
        stream.read_to_end(&mut raw)
    });
    if let Err(error) = sent {
        assert!(
            !matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
            "{method} {path} hung for more than {timeout:?}"
        );
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or(("", ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Answer { status, body: body.to_string() }
}

/// `quotient serve` on a free loopback port; killed when dropped.
pub struct Served {
    pub addr: SocketAddr,
    child: Child,
    /// Kept open: the server may print more.
    _output: BufReader<ChildStdout>,
}

impl Served {
    pub fn start(database_url: &str) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quotient"))
            .args(["--database-url", database_url, "serve", "--listen", "127.0.0.1:0", "--connections", "2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting quotient serve: {e}"));
        let stdout = child.stdout.take().expect("the server's output");
        let mut output = BufReader::new(stdout);
        let mut banner = String::new();
        output.read_line(&mut banner).expect("the server's banner");
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in the banner: {banner:?}"));
        Served { addr, child, _output: output }
    }

    /// Whether the server is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new rep user for `rep` (an id of reps.csv) in the database's only organisation, and an API
/// token of theirs.
pub fn rep_token(database_url: &str, rep: &str) -> String {
    use quotient_store::access::{self, NewUser};
    let mut db = quotient_store::open(database_url).unwrap_or_else(|e| panic!("opening {database_url}: {e}"));
    let org = quotient_store::orgs::list(&mut db).expect("organisations").first().expect("an organisation").id;
    let hash = quotient_web::password::hash("correct horse battery").expect("hash");
    let email = format!("{}@faults.test", rep.to_lowercase());
    let new = NewUser {
        email: &email,
        name: rep,
        role: quotient_core::model::UserRole::Rep,
        rep: Some(rep),
        password_hash: &hash,
    };
    let user = access::add_user(&mut db, org, &new).expect("a user");
    let token = quotient_web::auth::secret::random_token();
    access::create_token(&mut db, org, user, "faults", &quotient_web::auth::secret::token_hash(&token))
        .expect("a token");
    token
}
