//! Credentials: session login/logout (protocol §9) and access-key signing
//! (protocol §4.1).

use std::fmt;
use std::sync::{Arc, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::config::Client;
use super::decode::Excerpt;
use super::error::Error;
use zstack_runtime::SessionInventory;
use zstack_runtime::reply::{Empty, InventoryReply};
use zstack_runtime::request::{ApiRequest, InvalidRequest, Method};
use zstack_runtime::secret::{Password, Secret};

/// The credentials a request carries.
#[derive(Clone, Default)]
pub(crate) enum Auth {
    #[default]
    None,
    /// `Authorization: OAuth <session uuid>`.
    Session(Session),
    /// `Authorization: ZStack <id>:<signature>` plus `Date`.
    AccessKey(AccessKey),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Session(_) => f.write_str("Session(<redacted>)"),
            Auth::AccessKey(key) => write!(f, "AccessKey({:?}, <redacted>)", key.id),
        }
    }
}

/// A session id, with the `Authorization` value every call sends built once.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) id: Secret,
    /// `OAuth <id>`, marked sensitive; `None` if the id cannot be a header
    /// value (the call that would send it fails with a `Config` error).
    header: Option<reqwest::header::HeaderValue>,
}

impl Session {
    pub(crate) fn new(id: Secret) -> Session {
        let header = reqwest::header::HeaderValue::from_str(&format!("OAuth {}", id.expose())).ok().map(|mut value| {
            value.set_sensitive(true);
            value
        });
        Session { id, header }
    }

    /// The `Authorization` value (a shared buffer: cloning copies no bytes).
    pub(crate) fn header(&self) -> Option<reqwest::header::HeaderValue> {
        self.header.clone()
    }
}

#[derive(Clone)]
pub(crate) struct AccessKey {
    pub(crate) id: String,
    pub(crate) secret: Secret,
}

impl AccessKey {
    /// The MN splits `<id>:<signature>` at the one `:`, and both go in a header.
    pub(crate) fn check(&self) -> Result<(), String> {
        let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
        if self.id.is_empty() || self.id.contains(':') || !printable(&self.id) {
            return Err("the access key id must be non-empty printable ASCII without `:`".into());
        }
        if self.secret.expose().is_empty() {
            return Err("the access key secret must not be empty".into());
        }
        Ok(())
    }
}

/// A zone id such as `UTC`, `Etc/UTC` or `Asia/Shanghai`: the MN refuses
/// numeric offsets (`+0800`) in the `Date` header.
pub(crate) fn check_zone_id(zone: &str) -> Result<(), String> {
    let starts_with_letter = zone.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let allowed = zone.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if starts_with_letter && allowed {
        Ok(())
    } else {
        Err(format!("invalid Date zone id {zone:?}: use a zone id such as `UTC` or `Asia/Shanghai`, not an offset"))
    }
}

/// The `Authorization` and `Date` header values for one access-key request.
pub(crate) struct Signature {
    pub(crate) authorization: String,
    pub(crate) date: String,
}

/// Sign one request (protocol §4.1). `encoded_path` is the path relative to
/// `/v1` as sent (percent-encoded); the signature covers the raw values.
pub(crate) fn sign(
    key: &AccessKey,
    method: Method,
    encoded_path: &str,
    now: SystemTime,
    zone: &str,
    clock_offset_secs: i64,
) -> Signature {
    let date = http_date(now, clock_offset_secs, zone);
    let to_sign = format!("{}\n{}\n/v1{}", method.as_str(), date, percent_decode(encoded_path));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.secret.expose().as_bytes()).expect("HMAC takes keys of any length");
    mac.update(to_sign.as_bytes());
    let signature = base64(&mac.finalize().into_bytes());
    Signature { authorization: format!("ZStack {}:{signature}", key.id), date }
}

/// Undo percent-encoding (`%2F` → `/`); malformed escapes stay as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `EEE, dd MMM yyyy HH:mm:ss <zone>` for `now + offset`, English names, 24 h clock.
pub(crate) fn http_date(now: SystemTime, clock_offset_secs: i64, zone: &str) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let unix = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let secs = unix.saturating_add(clock_offset_secs);
    let (days, secs_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} {zone}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01, computed by
/// 400-year eras (146,097 days each).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days since 0000-03-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Standard Base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `PUT /accounts/login` (LogInByAccount): a hand-written request type, as
/// the login is driven by the client rather than called directly.
#[derive(Clone, Debug, zstack_macros::Api)]
#[api(
    crate = "::zstack_runtime",
    method = "PUT",
    path = "/accounts/login",
    envelope = "logInByAccount",
    response = InventoryReply<SessionInventory>,
    session = false,
    action = "LogInByAccount"
)]
pub(crate) struct AccountLogin {
    #[api(rename = "accountName", non_empty)]
    pub(crate) account_name: String,
    /// Always the SHA-512 hex digest; `Debug` redacts it.
    pub(crate) password: Password,
}

/// `DELETE /accounts/sessions/{sessionUuid}` (LogOut), without `Authorization`.
/// No `Debug`: the path holds the session id.
#[derive(Clone, zstack_macros::Api)]
#[api(
    crate = "::zstack_runtime",
    method = "DELETE",
    path = "/accounts/sessions/{sessionUuid}",
    session = false,
    action = "LogOut"
)]
pub(crate) struct SessionLogout {
    #[api(rename = "sessionUuid")]
    pub(crate) session_uuid: String,
}

/// An account login kept for session renewal ([`ClientBuilder::renew_session`](super::ClientBuilder::renew_session)).
#[derive(Clone)]
pub(crate) struct StoredLogin {
    account_name: String,
    /// The digest only; `Debug` of [`Password`] redacts it.
    password: Password,
}

/// A session obtained by a login. `Debug` redacts the session id.
#[derive(Clone)]
pub struct LoginSession {
    /// The session id (`inventory.uuid`), now used by the client.
    pub id: Secret,
    /// The rest of the reply, with `uuid` moved to `id`.
    pub inventory: SessionInventory,
}

impl fmt::Debug for LoginSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginSession").field("id", &self.id).field("inventory", &self.inventory).finish()
    }
}

impl Client {
    /// Log in with an account name and its **plain** password (protocol §9).
    ///
    /// Sends `PUT /accounts/login` with the lowercase hex SHA-512 digest of the
    /// password and no `Authorization`. On success the session id is stored in
    /// this client (and its clones) and every later call carries
    /// `Authorization: OAuth <session id>`. Wrong credentials give
    /// [`Error::Api`] with `ID.1000`.
    pub async fn login_by_account(&self, account_name: &str, password: &str) -> Result<LoginSession, Error> {
        self.login_with(account_name, Password::plain(password)).await
    }

    /// Like [`Client::login_by_account`], with a pre-hashed password: exactly
    /// 128 hex characters (the SHA-512 digest), sent lowercased.
    pub async fn login_by_account_digest(&self, account_name: &str, digest: &str) -> Result<LoginSession, Error> {
        let password =
            Password::digest(digest).map_err(|e| InvalidRequest::new("LogInByAccount", "password", e.reason()))?;
        self.login_with(account_name, password).await
    }

    /// Log in with any login API whose reply is a session (`LogInByAccount`,
    /// `LogInByUser`, `LogInByLdap`, `LoginIAM2VirtualID`, ...), and keep the
    /// session: every later call of this client (and its clones) carries it.
    /// This is the one way to log in; the generated login request types have
    /// no client method of their own, because sending one without keeping its
    /// session would do nothing useful.
    ///
    /// ```no_run
    /// # async fn demo(client: zstack_client::Client) -> Result<(), zstack_client::Error> {
    /// # #[derive(Clone, Debug, zstack_macros::Api)]
    /// # #[api(crate = "::zstack_runtime", method = "PUT", path = "/accounts/users/login", envelope = "logInByUser",
    /// #       response = zstack_runtime::reply::InventoryReply<zstack_runtime::SessionInventory>, session = false)]
    /// # struct LogInByUser { #[api(rename = "userName")] user_name: String, password: zstack_runtime::secret::Password }
    /// # impl LogInByUser { fn new(user: &str, password: zstack_runtime::secret::Password) -> Self { Self { user_name: user.into(), password } } }
    /// use zstack_runtime::secret::Password;
    /// let session = client.login(LogInByUser::new("alice", Password::plain("secret"))).await?;
    /// println!("session expires {:?}", session.inventory.expired_date);
    /// # Ok(()) }
    /// ```
    ///
    /// Session renewal ([`ClientBuilder::renew_session`](super::ClientBuilder::renew_session))
    /// replays only account logins ([`Client::login_by_account`]).
    pub async fn login<R>(&self, request: R) -> Result<LoginSession, Error>
    where
        R: ApiRequest<Response = InventoryReply<SessionInventory>>,
    {
        let reply: InventoryReply<SessionInventory> =
            self.call(request).with_excerpt(Excerpt::Redact).send_once_as().await?;
        let session = self.keep_session(reply.inventory)?;
        // A renewal must not log in as someone else.
        self.forget_stored_login();
        Ok(session)
    }

    async fn login_with(&self, account_name: &str, password: Password) -> Result<LoginSession, Error> {
        let request = AccountLogin { account_name: account_name.to_string(), password };
        let session = self.login(request.clone()).await?;
        if self.settings().renew_session {
            let login = StoredLogin { account_name: account_name.to_string(), password: request.password };
            *self.inner.login.write().unwrap_or_else(PoisonError::into_inner) = Some(login);
        }
        Ok(session)
    }

    /// Use the session a login returned for every later call.
    fn keep_session(&self, mut inventory: SessionInventory) -> Result<LoginSession, Error> {
        let Some(id) = inventory.uuid.take().filter(|id| !id.expose().is_empty()) else {
            return Err(Error::Decode {
                path: "inventory.uuid".into(),
                message: "the login reply holds no session id".into(),
                body_excerpt: "<redacted>".into(),
            });
        };
        self.set_auth(Auth::Session(Session::new(id.clone())));
        Ok(LoginSession { id, inventory })
    }

    /// Whether a call that failed with `ID.1001` may log in again and replay.
    pub(crate) fn renewal_possible(&self) -> bool {
        self.settings().renew_session && self.inner.login.read().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    /// Forget the login kept for renewal (the credentials were replaced or ended).
    pub(crate) fn forget_stored_login(&self) {
        *self.inner.login.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Log in again after `expired` (the credentials a failed call used) was
    /// refused with `ID.1001`. Single flight: concurrent callers queue on one
    /// lock, and whoever finds the credentials already replaced returns at
    /// once, so any number of expired calls cause one login.
    pub(crate) async fn relogin_after_expiry(&self, expired: &Arc<Auth>) -> Result<(), Error> {
        let _one_login = self.inner.renewing.lock().await;
        if !Arc::ptr_eq(&self.auth(), expired) {
            return Ok(());
        }
        let stored = self.inner.login.read().unwrap_or_else(PoisonError::into_inner).clone();
        let Some(StoredLogin { account_name, password }) = stored else {
            return Err(Error::Config("the session expired and no login is kept to renew it".into()));
        };
        tracing::info!(account = account_name.as_str(), "session expired (ID.1001): logging in again");
        self.login_with(&account_name, password).await.map(|_| ())
    }

    /// End the current session on the MN (`DELETE /accounts/sessions/{id}`,
    /// no `Authorization`) and forget it. Without a session this does nothing.
    ///
    /// The session is forgotten once the MN answered (success or API error);
    /// after a transport error it is kept so that the logout can be retried.
    pub async fn logout(&self) -> Result<(), Error> {
        let Some(session) = self.session() else {
            return Ok(());
        };
        let request = SessionLogout { session_uuid: session.expose().to_string() };
        let result: Result<Empty, Error> = self.call(request).send_as().await;
        match result {
            Ok(_) => {
                self.forget_session(&session);
                Ok(())
            }
            Err(e @ (Error::Api { .. } | Error::SessionExpired { .. } | Error::Http { .. })) => {
                self.forget_session(&session);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Clear the credentials, unless another login replaced them meanwhile.
    fn forget_session(&self, session: &Secret) {
        if self.session().as_ref() == Some(session) {
            self.set_auth(Auth::None);
            self.forget_stored_login();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Seconds since the epoch as a [`SystemTime`].
    fn at(unix: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix)
    }

    #[test]
    fn dates_are_english_24h_with_zone_id() {
        // 2025-01-14T09:30:00Z was a Tuesday.
        assert_eq!(http_date(at(1_736_847_000), 0, "UTC"), "Tue, 14 Jan 2025 09:30:00 UTC");
        assert_eq!(http_date(at(1_736_847_000), 8 * 3600, "Asia/Shanghai"), "Tue, 14 Jan 2025 17:30:00 Asia/Shanghai");
        assert_eq!(http_date(at(0), 0, "UTC"), "Thu, 01 Jan 1970 00:00:00 UTC");
        assert_eq!(http_date(at(0), -1, "UTC"), "Wed, 31 Dec 1969 23:59:59 UTC");
        // A leap day, and the last second of a non-leap century year.
        assert_eq!(http_date(at(951_782_400), 0, "UTC"), "Tue, 29 Feb 2000 00:00:00 UTC");
        assert_eq!(http_date(at(4_133_980_799), 0, "UTC"), "Fri, 31 Dec 2100 23:59:59 UTC");
        assert_eq!(http_date(at(4_107_542_399), 0, "UTC"), "Sun, 28 Feb 2100 23:59:59 UTC");
        assert_eq!(http_date(at(4_107_542_400), 0, "UTC"), "Mon, 01 Mar 2100 00:00:00 UTC");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn hmac_sha1_matches_rfc2202() {
        // RFC 2202 test case 2.
        let mut mac = Hmac::<Sha1>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(base64(&mac.finalize().into_bytes()), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }

    #[test]
    fn signature_covers_method_date_and_raw_path() {
        let key = AccessKey { id: "AK1".into(), secret: Secret::new("s3cret") };
        let sig =
            sign(&key, Method::Put, "/backup-storage/a%20b/actions", at(1_736_847_000), "Asia/Shanghai", 8 * 3600);
        assert_eq!(sig.date, "Tue, 14 Jan 2025 17:30:00 Asia/Shanghai");
        let mut mac = Hmac::<Sha1>::new_from_slice(b"s3cret").unwrap();
        mac.update(b"PUT\nTue, 14 Jan 2025 17:30:00 Asia/Shanghai\n/v1/backup-storage/a b/actions");
        assert_eq!(sig.authorization, format!("ZStack AK1:{}", base64(&mac.finalize().into_bytes())));
        assert_eq!(sig.authorization.matches(':').count(), 1);
    }

    #[test]
    fn percent_decoding_round_trips() {
        let raw = "a b+c/é%";
        assert_eq!(percent_decode(&zstack_runtime::plumbing::encoding::percent_encode(raw)), raw);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn zone_ids_and_keys_are_checked() {
        for ok in ["UTC", "Etc/UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT+8"] {
            assert!(check_zone_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "+0800", "UTC+08:00", "Asia Shanghai"] {
            assert!(check_zone_id(bad).is_err(), "{bad}");
        }
        let key = |id: &str, secret: &str| AccessKey { id: id.into(), secret: Secret::new(secret) };
        assert!(key("AK1", "x").check().is_ok());
        assert!(key("A:K", "x").check().is_err());
        assert!(key("AK1", "").check().is_err());
        assert_eq!(format!("{:?}", Auth::AccessKey(key("AK1", "topsecret"))), "AccessKey(\"AK1\", <redacted>)");
        assert_eq!(format!("{:?}", Auth::Session(Session::new(Secret::new("sess")))), "Session(<redacted>)");
    }
}
