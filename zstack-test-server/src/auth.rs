//! Accounts, sessions and access keys (protocol §4, §4.1, §9).

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::log::RecordedRequest;
use super::reply::{Answer, Reply, error_code};

/// How far the `Date` of a signed request may be from the server clock.
const MAX_SKEW_SECS: i64 = 15 * 60;
/// The MN's default idle session timeout, used for `expiredDate`.
const SESSION_TIMEOUT_SECS: i64 = 7200;

struct Account {
    uuid: String,
    /// Lowercase hex SHA-512 of the plain password, compared verbatim at login.
    digest: String,
}

#[derive(Default)]
pub(crate) struct Auth {
    accounts: HashMap<String, Account>,
    /// Session id → account uuid.
    sessions: HashMap<String, String>,
    /// Access key id → secret.
    access_keys: HashMap<String, String>,
    pub(crate) check_skew: bool,
}

/// The outcome of checking a request's credentials.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    Authorized,
    /// A protocol error answered before the API runs (plain text).
    Rejected(Answer),
    /// `OAuth <id>` with an unknown or expired session: the API fails with `ID.1001`.
    BadSession,
}

/// A fresh 32-char lowercase hex id (the form of ZStack uuids).
pub(crate) fn new_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut hasher = Sha256::new();
    hasher.update(n.to_le_bytes());
    hasher.update(nanos.to_le_bytes());
    hasher.update(RandomState::new().hash_one(n).to_le_bytes());
    hex(&hasher.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-512 of `plain`: what the MN stores for a password.
pub(crate) fn password_digest(plain: &str) -> String {
    hex(&Sha512::digest(plain.as_bytes()))
}

/// `Base64(HMAC-SHA1(secret, string_to_sign))`, standard alphabet with padding.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn session_error() -> Value {
    json!({ "error": error_code("ID.1001", "invalid session", Some("the session is invalid or expired")) })
}

/// The `503` body of an API called with an unknown or expired session.
pub(crate) fn bad_session_answer() -> Answer {
    Answer::json(503, &session_error())
}

/// The ErrorCode of an API called with an unknown or expired session.
pub(crate) fn bad_session_error() -> Value {
    session_error()["error"].clone()
}

impl Auth {
    pub(crate) fn add_account(&mut self, name: &str, password_digest: String) -> String {
        let uuid = new_uuid();
        self.accounts.insert(name.to_string(), Account { uuid: uuid.clone(), digest: password_digest });
        uuid
    }

    pub(crate) fn add_access_key(&mut self, id: &str, secret: &str) {
        self.access_keys.insert(id.to_string(), secret.to_string());
    }

    pub(crate) fn new_session(&mut self, account_uuid: &str) -> String {
        let id = new_uuid();
        self.sessions.insert(id.clone(), account_uuid.to_string());
        id
    }

    pub(crate) fn expire_session(&mut self, id: &str) {
        self.sessions.remove(id);
    }

    pub(crate) fn session_valid(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// Checks `Authorization` (and `Date` for access keys) like the MN.
    pub(crate) fn check(&self, req: &RecordedRequest) -> Verdict {
        let bad = |text: &str| Verdict::Rejected(Answer::text(400, text));
        let Some(header) = req.header("authorization") else {
            return bad("missing header 'Authorization'");
        };
        match header.split_once(' ') {
            Some(("OAuth", id)) => {
                if self.session_valid(id.trim()) {
                    Verdict::Authorized
                } else {
                    Verdict::BadSession
                }
            }
            Some(("ZStack", credential)) => self.check_access_key(req, credential),
            _ => bad("the 'Authorization' header must be 'OAuth <session uuid>' or 'ZStack <key id>:<signature>'"),
        }
    }

    fn check_access_key(&self, req: &RecordedRequest, credential: &str) -> Verdict {
        let bad = |status: u16, text: &str| Verdict::Rejected(Answer::text(status, text));
        let mut parts = credential.split(':');
        let (Some(key_id), Some(signature), None) = (parts.next(), parts.next(), parts.next()) else {
            return bad(400, "invalid 'Authorization' header: expected 'ZStack <key id>:<signature>'");
        };
        let Some(date) = req.header("date") else {
            return bad(400, "missing header 'Date'");
        };
        let Some(written) = parse_date(date) else {
            return bad(400, "'Date' format error");
        };
        if self.check_skew && (written - now_secs()).abs() > MAX_SKEW_SECS {
            return bad(403, "requestTimeTooSkewed");
        }
        let Some(secret) = self.access_keys.get(key_id.trim()) else {
            return bad(400, &format!("access key [{}] not found", key_id.trim()));
        };
        let expected = sign(secret, &format!("{}\n{}\n{}", req.method, date, req.path));
        if signature.trim() != expected {
            return bad(400, "the access key signature does not match");
        }
        Verdict::Authorized
    }

    /// LogInByAccount: `{"logInByAccount": {"accountName", "password"}}`.
    pub(crate) fn login(&mut self, body: Option<&Value>) -> Reply {
        let params = body.and_then(|b| b.get("logInByAccount"));
        let field = |name: &str| params.and_then(|p| p.get(name)).and_then(Value::as_str);
        let (Some(name), Some(password)) = (field("accountName"), field("password")) else {
            let error = error_code("SYS.1007", "invalid argument", Some("accountName and password are mandatory"));
            return Reply::error_value(error);
        };
        let account_uuid = match self.accounts.get(name) {
            Some(account) if account.digest == password => account.uuid.clone(),
            _ => {
                let error = error_code("ID.1000", "authentication failed", Some("wrong account name or password"));
                return Reply::error_value(error);
            }
        };
        let session = self.new_session(&account_uuid);
        let now = now_secs();
        let inventory = json!({
            "uuid": session,
            "accountUuid": account_uuid,
            "userUuid": account_uuid,
            "userType": "AccountVO",
            "createDate": format_timestamp(now),
            "expiredDate": format_timestamp(now + SESSION_TIMEOUT_SECS),
        });
        Reply::ok(json!({ "inventory": inventory }))
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Index 0 is 1970-01-01, a Thursday.
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `EEE, dd MMM yyyy HH:mm:ss <zone id or name>` into the seconds
/// since the epoch of the written wall-clock time (the zone is not applied,
/// as the MN's default skew check ignores it). A numeric offset such as
/// `+0800` is rejected, as is a weekday that does not fit the date.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let (weekday, rest) = text.split_once(", ")?;
    let mut parts = rest.splitn(5, ' ');
    let (day, month, year, time, zone) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let day = digits(day, 2)?;
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let year = i64::from(digits(year, 4)?);
    let mut clock = time.split(':');
    let (h, m, s) = (digits(clock.next()?, 2)?, digits(clock.next()?, 2)?, digits(clock.next()?, 2)?);
    if clock.next().is_some() || h > 23 || m > 59 || s > 59 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let zone_ok = zone.starts_with(|c: char| c.is_ascii_alphabetic())
        && zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-: ".contains(c));
    if !zone_ok {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if WEEKDAYS[days.rem_euclid(7) as usize] != weekday {
        return None;
    }
    Some(days * 86_400 + i64::from(h * 3600 + m * 60 + s))
}

/// Formats epoch seconds the way the MN writes timestamps: `Apr 11, 2018 2:50:54 PM` (UTC).
pub(crate) fn format_timestamp(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    let (h, m, s) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{} {day}, {year} {h12}:{m:02}:{s:02} {half}", MONTHS[month as usize - 1])
}

/// Formats epoch seconds as a `Date` header value in the zone `UTC`.
pub fn format_date_header(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} UTC",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[month as usize - 1],
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// A `Date` header value for the current time, in the zone `UTC`.
pub fn date_header_now() -> String {
    format_date_header(now_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("Tue, 14 Jan 2025 09:30:00 Asia/Shanghai"), Some(1_736_847_000));
        assert_eq!(parse_date("Thu, 01 Jan 1970 00:00:00 UTC"), Some(0));
        assert_eq!(parse_date("Thu, 29 Feb 2024 23:59:59 Etc/UTC"), Some(1_709_251_199));
        assert_eq!(format_date_header(1_736_847_000), "Tue, 14 Jan 2025 09:30:00 UTC");
        for secs in [0, 951_782_400, 1_736_847_000, 4_102_444_800] {
            assert_eq!(parse_date(&format_date_header(secs)), Some(secs));
        }
    }

    #[test]
    fn rejects_bad_dates() {
        for bad in [
            "Tue, 14 Jan 2025 09:30:00 +0800",
            "Tue, 14 Jan 2025 09:30:00",
            "Wed, 14 Jan 2025 09:30:00 UTC",
            "Tue, 4 Jan 2025 09:30:00 UTC",
            "Tue, 14 jan 2025 09:30:00 UTC",
            "Tue, 14 Jan 2025 24:00:00 UTC",
            "Thu, 29 Feb 2025 00:00:00 UTC",
            "Tue, 14 Jan 2025 09:30 UTC",
            "2025-01-14T09:30:00Z",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(1_523_458_254), "Apr 11, 2018 2:50:54 PM");
        assert_eq!(format_timestamp(0), "Jan 1, 1970 12:00:00 AM");
    }

    #[test]
    fn ids_and_digests() {
        let (a, b) = (new_uuid(), new_uuid());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&password_digest("password")[..16], "b109f3bbbc244eb8");
    }
}
