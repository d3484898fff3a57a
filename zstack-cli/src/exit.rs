//! Errors and exit codes. Every failure is one line on stderr (`error: ...`),
//! then its causes (an MN error's `ErrorCode` chain), then a hint when there
//! is one; the exit code tells scripts the class.
//!
//! | code | class |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else (config file, decoding, protocol, I/O) |
//! | 2 | usage: bad flags or values, refused before anything is sent |
//! | 3 | the MN answered with an error |
//! | 4 | no session, or the session expired: log in again |
//! | 5 | timeout: the job or the request took too long |
//! | 6 | transport: the MN could not be reached, or a proxy failed |

use std::error::Error as _;
use std::fmt::Write as _;

use zstack_client::Error;

pub const OK: i32 = 0;
pub const OTHER: i32 = 1;
pub const USAGE: i32 = 2;
pub const API: i32 = 3;
pub const SESSION: i32 = 4;
pub const TIMEOUT: i32 = 5;
pub const TRANSPORT: i32 = 6;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Bad command-line input.
    Usage(String),
    /// No credentials for a call that needs them.
    NoSession(String),
    /// The config file cannot be read or written.
    Config(String),
    /// Anything else local.
    Other(String),
    /// The client's error.
    Client(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Client(error)
    }
}

impl Failure {
    pub fn code(&self) -> i32 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::NoSession(_) => SESSION,
            Failure::Config(_) | Failure::Other(_) => OTHER,
            Failure::Client(e) => client_code(e),
        }
    }

    /// What stderr shows.
    pub fn report(&self) -> String {
        let mut out = String::new();
        match self {
            Failure::Usage(m) | Failure::NoSession(m) | Failure::Config(m) | Failure::Other(m) => {
                let _ = writeln!(out, "error: {m}");
            }
            Failure::Client(e) => {
                let _ = writeln!(out, "error: {e}");
                let mut source = e.source();
                let mut last = e.to_string();
                while let Some(cause) = source {
                    let text = cause.to_string();
                    // A cause that only repeats its parent adds nothing.
                    if text != last && !last.ends_with(&text) {
                        let _ = writeln!(out, "  caused by: {text}");
                    }
                    last = text;
                    source = cause.source();
                }
            }
        }
        if let Some(hint) = self.hint() {
            let _ = writeln!(out, "hint: {hint}");
        }
        // Messages quote the MN's text: keep the lines, drop anything that
        // could drive the terminal (escape sequences, carriage returns).
        out.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
    }

    fn hint(&self) -> Option<&'static str> {
        match self.code() {
            SESSION => Some("log in with `zstack login` (or set ZSTACK_ACCESS_KEY_ID and ZSTACK_ACCESS_KEY_SECRET)"),
            TRANSPORT => Some("check the MN's URL (`zstack context show`) and that it is reachable"),
            _ => None,
        }
    }
}

fn client_code(error: &Error) -> i32 {
    match error {
        e if e.is_session_expired() => SESSION,
        e if e.is_timeout() => TIMEOUT,
        Error::Api { .. } | Error::UnsupportedByMn { .. } | Error::JobExpired { .. } => API,
        Error::InvalidRequest(_) => USAGE,
        Error::PollTimeout { .. } => TIMEOUT,
        Error::Transport(_) | Error::Http { .. } | Error::Redirect { .. } => TRANSPORT,
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_keep_lines_and_drop_escape_sequences() {
        let failure = Failure::Other("the MN said \u{1b}]0;pwned\u{7}\rok".into());
        assert_eq!(failure.report(), "error: the MN said  ]0;pwned  ok\n");
        assert_eq!(failure.code(), OTHER);
    }
}
