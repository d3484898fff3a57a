//! [`ClientBuilder`] and [`Client`]: base URL, timeouts, polling, TLS and
//! credentials.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::auth::{AccessKey, Auth, Session, StoredLogin, check_zone_id};
use super::call::Call;
use super::error::Error;
use super::retry::RetryPolicy;
use super::version::{MnVersion, VersionPolicy, VersionState};
use zstack_runtime::request::ApiRequest;
use zstack_runtime::secret::Secret;

/// The base URL of a stock management node.
pub const DEFAULT_BASE_URL: &str = "http://localhost:8080/zstack";
/// Default time to establish a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one HTTP exchange (one request or one job poll), from
/// sending to the end of the reply. Long operations are async (`202` and
/// polls), so a sync answer that takes longer than this is a stalled MN or
/// network; calls that need more set [`Call::timeout`] or [`Call::api_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default limit on the size of one reply body (64 MiB): a 10,000-row query
/// of VM instances is about 30 MB. A longer reply fails with
/// [`Error::ResponseTooLarge`] while it is read, before it is decoded.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;
/// Default number of idle connections kept per host.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 8;
/// Default time an idle connection is kept. Below the 20 s keep-alive of the
/// MN's Tomcat, so the client does not reuse a connection the MN is closing.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// Default time between job polls.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Default overall limit for an async call, as the official SDKs (3 hours).
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(3 * 60 * 60);
/// Default number of rows per page for [`Call::stream`].
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Headers the client sets itself; extra headers may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "date",
    "x-job-uuid",
    "x-json-schema",
    "x-api-timeout",
    "x-web-hook",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
];

/// How a job is polled after a `202` (protocol §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// Wait between polls (the first poll is immediate).
    pub interval: Duration,
    /// With `Some(cap)`, the wait doubles after each poll, up to `cap`.
    pub backoff_cap: Option<Duration>,
    /// Overall limit, measured as elapsed time since the request was sent.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy { interval: DEFAULT_POLL_INTERVAL, backoff_cap: None, timeout: DEFAULT_POLL_TIMEOUT }
    }
}

impl PollPolicy {
    /// The wait after one of `current` length.
    pub(crate) fn next_interval(&self, current: Duration) -> Duration {
        match self.backoff_cap {
            Some(cap) => current.saturating_mul(2).min(cap.max(self.interval)),
            None => self.interval,
        }
    }
}

/// Settings shared by every clone of a [`Client`].
pub(crate) struct Settings {
    /// `scheme://host[:port][/context]`, no trailing slash.
    pub(crate) base_url: String,
    pub(crate) poll: PollPolicy,
    pub(crate) webhook: Option<HeaderValue>,
    pub(crate) headers: HeaderMap,
    pub(crate) request_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) page_size: u32,
    /// Zone id written in the access-key `Date` header.
    pub(crate) date_zone: String,
    /// Seconds added to the local UTC clock for the access-key `Date` header.
    pub(crate) clock_offset_secs: i64,
    pub(crate) accept_invalid_certs: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    /// Log in again once when a call fails with `ID.1001`.
    pub(crate) renew_session: bool,
    pub(crate) version_policy: VersionPolicy,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) settings: Arc<Settings>,
    auth: RwLock<Arc<Auth>>,
    /// The account login to repeat when the session expires (only kept with
    /// [`ClientBuilder::renew_session`]).
    pub(crate) login: RwLock<Option<StoredLogin>>,
    /// Held while a session renewal runs: concurrent expiries wait for one login.
    pub(crate) renewing: tokio::sync::Mutex<()>,
    /// The MN's release, once known, for the version policy.
    pub(crate) version: VersionState,
}

impl Inner {
    fn new(http: reqwest::Client, settings: Arc<Settings>, auth: Auth, version: VersionState) -> Inner {
        Inner {
            http,
            settings,
            auth: RwLock::new(Arc::new(auth)),
            login: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
            version,
        }
    }
}

/// A ZStack API client. Cheap to clone: clones share the connection pool,
/// the settings and the credentials (a login through one clone is seen by
/// all). [`Client::with_session`] and [`Client::with_access_key`] derive a
/// client with its own credentials over the same pool.
///
/// `Debug` shows the settings and which kind of credentials is in use, never
/// the session id or the access-key secret.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl Client {
    /// A builder with the defaults (`http://localhost:8080/zstack`, no credentials).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client for `base_url` with every other setting at its default.
    pub fn new(base_url: impl Into<String>) -> Result<Client, Error> {
        ClientBuilder::new().base_url(base_url).build()
    }

    /// The normalized base URL (`scheme://host:port/context`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.settings.base_url
    }

    /// The default poll policy of this client.
    pub fn poll_policy(&self) -> PollPolicy {
        self.inner.settings.poll
    }

    /// Start a call of any API request: `client.call(req).await`.
    pub fn call<R: ApiRequest>(&self, request: R) -> Call<R> {
        Call::new(self, request)
    }

    /// A client over the same connection pool and settings that authenticates
    /// with an existing session id.
    pub fn with_session(&self, session: Secret) -> Client {
        self.derive(Auth::Session(Session::new(session)))
    }

    /// A client over the same connection pool and settings that signs every
    /// request with an access key (protocol §4.1). The `Date` zone and clock
    /// offset come from [`ClientBuilder::date_zone`] and
    /// [`ClientBuilder::clock_offset_secs`].
    pub fn with_access_key(&self, key_id: impl Into<String>, secret: Secret) -> Client {
        self.derive(Auth::AccessKey(AccessKey { id: key_id.into(), secret }))
    }

    /// The current session id, if this client holds one (e.g. to persist it).
    pub fn session(&self) -> Option<Secret> {
        match &*self.auth() {
            Auth::Session(s) => Some(s.id.clone()),
            _ => None,
        }
    }

    /// Replace the credentials of this client and all its clones with a session id.
    pub fn set_session(&self, session: Secret) {
        self.forget_stored_login();
        self.set_auth(Auth::Session(Session::new(session)));
    }

    /// Forget the credentials of this client and all its clones (no request is sent;
    /// see [`Client::logout`] to end a session on the MN).
    pub fn clear_credentials(&self) {
        self.forget_stored_login();
        self.set_auth(Auth::None);
    }

    fn derive(&self, auth: Auth) -> Client {
        // Same MN, same release: a known version carries over.
        let version = VersionState::configured(self.inner.version.get());
        Client { inner: Arc::new(Inner::new(self.inner.http.clone(), Arc::clone(&self.inner.settings), auth, version)) }
    }

    /// A snapshot of the credentials: a call polls with the ones it started with.
    pub(crate) fn auth(&self) -> Arc<Auth> {
        Arc::clone(&self.inner.auth.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    pub(crate) fn set_auth(&self, auth: Auth) {
        *self.inner.auth.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(auth);
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.settings();
        let header_names: Vec<&str> = s.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("Client")
            .field("base_url", &s.base_url)
            .field("credentials", &*self.auth())
            .field("poll", &s.poll)
            .field("request_timeout", &s.request_timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("webhook", &s.webhook.is_some())
            .field("extra_headers", &header_names)
            .field("date_zone", &s.date_zone)
            .field("clock_offset_secs", &s.clock_offset_secs)
            .field("danger_accept_invalid_certs", &s.accept_invalid_certs)
            .field("retry", &s.retry)
            .field("max_response_bytes", &s.max_response_bytes)
            .field("renew_session", &s.renew_session)
            .field("version_policy", &s.version_policy)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Every setter is infallible; problems are reported by
/// [`ClientBuilder::build`] as [`Error::Config`].
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    poll: PollPolicy,
    page_size: u32,
    webhook: Option<String>,
    headers: Vec<(String, String)>,
    user_agent: String,
    accept_invalid_certs: bool,
    roots_pem: Vec<Vec<u8>>,
    roots_der: Vec<Vec<u8>>,
    proxy_from_env: bool,
    auth: Auth,
    date_zone: String,
    clock_offset_secs: i64,
    retry: RetryPolicy,
    max_response_bytes: u64,
    renew_session: bool,
    pool_max_idle_per_host: usize,
    pool_idle_timeout: Duration,
    version_policy: VersionPolicy,
    mn_version: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.auth)
            .field("poll", &self.poll)
            .field("extra_headers", &header_names)
            .field("danger_accept_invalid_certs", &self.accept_invalid_certs)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the defaults (see the `DEFAULT_*` constants).
    pub fn new() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_string(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            poll: PollPolicy::default(),
            page_size: DEFAULT_PAGE_SIZE,
            webhook: None,
            headers: Vec::new(),
            user_agent: concat!("zstack-sdk-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            accept_invalid_certs: false,
            roots_pem: Vec::new(),
            roots_der: Vec::new(),
            proxy_from_env: true,
            auth: Auth::None,
            date_zone: "UTC".to_string(),
            clock_offset_secs: 0,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            renew_session: false,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            version_policy: VersionPolicy::default(),
            mn_version: None,
        }
    }

    /// `http(s)://host[:port][/context path]`; the context path may be empty
    /// (`http://mn:8080`). Requests go to base + `/v1` + API path.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one HTTP exchange (a request or one job poll), from
    /// sending to the end of the body (default 60 s). [`Call::timeout`] and
    /// [`Call::api_timeout`] replace it for one call; a job poll never runs
    /// past the call's poll timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Wait between job polls (default 1 s; the first poll is immediate).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll.interval = interval;
        self
    }

    /// Double the poll interval after each poll, up to `cap`.
    pub fn poll_backoff(mut self, cap: Duration) -> Self {
        self.poll.backoff_cap = Some(cap);
        self
    }

    /// Overall limit for an async call, measured since the request was sent
    /// (default 3 h). On expiry the call fails with [`Error::PollTimeout`].
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.poll.timeout = timeout;
        self
    }

    /// Rows per page for [`Call::stream`] (default 100).
    pub fn page_size(mut self, rows: u32) -> Self {
        self.page_size = rows;
        self
    }

    /// Send `X-Web-Hook: <url>` on async calls (protocol §11). The MN POSTs
    /// the job result there; polling still runs as usual.
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook = Some(url.into());
        self
    }

    /// An extra header on every request and poll. The protocol headers
    /// (`Authorization`, `Date`, `X-Job-UUID`, `X-JSON-Schema`, `Content-Type`,
    /// `X-API-Timeout`, `X-Web-Hook`) cannot be replaced.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `User-Agent` header (default `zstack-sdk-rust/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Ignore `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` from the environment.
    pub fn no_proxy(mut self) -> Self {
        self.proxy_from_env = false;
        self
    }

    /// Trust this CA (PEM, one or more certificates) in addition to the
    /// platform's roots, e.g. the CA that signed the MN's certificate.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots_pem.push(pem.into());
        self
    }

    /// Trust this CA (DER) in addition to the platform's roots.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots_der.push(der.into());
        self
    }

    /// **Dangerous**: accept any TLS certificate, including self-signed,
    /// expired and wrong-host ones. Anyone on the network path can then read
    /// and change the traffic, credentials included. Verification is on by
    /// default; prefer [`ClientBuilder::add_root_certificate_pem`].
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Authenticate with an existing session id (`Authorization: OAuth <id>`).
    pub fn session(mut self, session: Secret) -> Self {
        self.auth = Auth::Session(Session::new(session));
        self
    }

    /// Sign every request with an access key (protocol §4.1).
    pub fn access_key(mut self, key_id: impl Into<String>, secret: Secret) -> Self {
        self.auth = Auth::AccessKey(AccessKey { id: key_id.into(), secret });
        self
    }

    /// The zone id written at the end of the access-key `Date` header
    /// (default `UTC`), e.g. `Asia/Shanghai`. Numeric offsets are refused by
    /// the MN and rejected here.
    ///
    /// The MN compares the *wall-clock* time written in `Date` with its own
    /// local time, ignoring the zone, and allows ±15 minutes. The time written
    /// is this machine's UTC clock plus [`ClientBuilder::clock_offset_secs`],
    /// so for an MN running in UTC+8 use `date_zone("Asia/Shanghai")` and
    /// `clock_offset_secs(8 * 3600)`.
    pub fn date_zone(mut self, zone_id: impl Into<String>) -> Self {
        self.date_zone = zone_id.into();
        self
    }

    /// Seconds added to the UTC clock for the access-key `Date` header
    /// (default 0; may be negative). See [`ClientBuilder::date_zone`].
    pub fn clock_offset_secs(mut self, offset: i64) -> Self {
        self.clock_offset_secs = offset;
        self
    }

    /// How transient failures are retried (default: 3 retries, 200 ms
    /// doubling up to 5 s, with jitter); [`RetryPolicy::NONE`] turns retries
    /// off. See [`retry`](super::retry) for what is retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest reply body accepted, in bytes (default 64 MiB,
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]). Enforced while the body is read.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Opt in to session renewal (default off): after
    /// [`Client::login_by_account`], the client keeps the password's SHA-512
    /// digest, and when a call fails with `ID.1001` (session expired) it logs
    /// in again and replays the call once. Concurrent calls that hit the
    /// expiry share one login. The digest logs in like the password, so it
    /// is held in memory only with this option.
    pub fn renew_session(mut self, renew: bool) -> Self {
        self.renew_session = renew;
        self
    }

    /// The most idle connections kept open per host (default 8).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// How long an idle connection is kept (default 15 s, below the MN's
    /// 20 s keep-alive).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// What to do with a call the MN's release is too old for (default
    /// [`VersionPolicy::Off`]; see [`version`](super::version)).
    pub fn version_policy(mut self, policy: VersionPolicy) -> Self {
        self.version_policy = policy;
        self
    }

    /// The MN's release (`5.3.20`), instead of asking it with `GetVersion`;
    /// e.g. to pin the version in tests. Must start with a number.
    pub fn mn_version(mut self, version: impl Into<String>) -> Self {
        self.mn_version = Some(version.into());
        self
    }

    /// Validate everything and build the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalize_base_url(&self.base_url)?;
        if self.poll.interval.is_zero() {
            return Err(Error::Config("poll interval must be greater than zero".into()));
        }
        if self.page_size == 0 {
            return Err(Error::Config("page size must be at least 1".into()));
        }
        if self.request_timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be greater than zero".into()));
        }
        check_zone_id(&self.date_zone).map_err(Error::Config)?;
        if let Auth::AccessKey(key) = &self.auth {
            key.check().map_err(Error::Config)?;
        }
        if let Auth::Session(session) = &self.auth
            && session.header().is_none()
        {
            return Err(Error::Config("the session id contains characters not allowed in a header".into()));
        }
        let webhook = match &self.webhook {
            Some(url) => Some(webhook_value(url)?),
            None => None,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let (name, value) = extra_header(name, value)?;
            headers.append(name, value);
        }

        let mut roots = Vec::new();
        for pem in &self.roots_pem {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots.push(cert.map_err(|e| Error::Config(format!("invalid PEM root certificate: {e}")))?);
            }
            if roots.len() == before {
                return Err(Error::Config("PEM root certificate input holds no CERTIFICATE block".into()));
            }
        }
        roots.extend(self.roots_der.into_iter().map(CertificateDer::from));
        if self.accept_invalid_certs {
            tracing::warn!(base_url = %base_url, "TLS certificate verification is DISABLED (danger_accept_invalid_certs)");
        }
        let tls = tls_config(self.accept_invalid_certs, roots)?;

        let mn_version = match &self.mn_version {
            Some(text) => Some(
                MnVersion::parse(text)
                    .ok_or_else(|| Error::Config(format!("{text:?} is not a ZStack version such as 5.3.20")))?,
            ),
            None => None,
        };
        if self.max_response_bytes == 0 {
            return Err(Error::Config("the response size limit must be at least 1 byte".into()));
        }
        let mut http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            // A redirect is an error (`Error::Redirect`): following one could
            // carry credentials and bodies to another host or over plain HTTP.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .pool_idle_timeout(self.pool_idle_timeout)
            .user_agent(self.user_agent.as_str());
        if !self.proxy_from_env {
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;

        let settings = Settings {
            base_url,
            poll: self.poll,
            webhook,
            headers,
            request_timeout: self.request_timeout,
            connect_timeout: self.connect_timeout,
            page_size: self.page_size,
            date_zone: self.date_zone,
            clock_offset_secs: self.clock_offset_secs,
            accept_invalid_certs: self.accept_invalid_certs,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            renew_session: self.renew_session,
            version_policy: self.version_policy,
        };
        let version = VersionState::configured(mn_version);
        Ok(Client { inner: Arc::new(Inner::new(http, Arc::new(settings), self.auth, version)) })
    }
}

/// `scheme://host[:port][/context]` with no trailing slash, query, fragment
/// or user info.
fn normalize_base_url(input: &str) -> Result<String, Error> {
    // Not echoed when it may hold user info (`user:password@`).
    let shown = if input.contains('@') { "<not shown>".to_string() } else { format!("{input:?}") };
    let bad = |why: &str| Error::Config(format!("invalid base URL {shown}: {why}"));
    let url = reqwest::Url::parse(input.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("a host is required"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials in the URL are not supported; use a session or an access key"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a query string or fragment is not allowed"));
    }
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/v1") {
        return Err(bad("leave out `/v1`: the client adds it"));
    }
    // `host_str` keeps IPv6 brackets; `port` is None for the scheme's default.
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{host}{port}{path}", url.scheme()))
}

fn webhook_value(url: &str) -> Result<HeaderValue, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Config(format!("invalid webhook URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!("invalid webhook URL {url:?}: the scheme must be http or https")));
    }
    HeaderValue::from_str(url).map_err(|e| Error::Config(format!("invalid webhook URL {url:?}: {e}")))
}

/// Validate one extra header; the protocol's own headers are refused.
pub(crate) fn extra_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
    if RESERVED_HEADERS.contains(&header_name.as_str()) {
        return Err(Error::Config(format!("header {name:?} is set by the client and cannot be overridden")));
    }
    // The value is not echoed: extra headers often carry tokens.
    let mut header_value =
        HeaderValue::from_str(value).map_err(|_| Error::Config(format!("invalid value for header {name:?}")))?;
    header_value.set_sensitive(true);
    Ok((header_name, header_value))
}

/// rustls with the *ring* provider: the platform verifier (plus any extra
/// roots), or — only on explicit request — no verification at all.
fn tls_config(accept_invalid_certs: bool, roots: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup failed: {e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = if accept_invalid_certs {
        Arc::new(AcceptAnyCertificate { provider })
    } else if roots.is_empty() {
        Arc::new(
            rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| Error::Config(format!("TLS verifier setup failed: {e}")))?,
        )
    } else {
        Arc::new(
            rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
                .map_err(|e| Error::Config(format!("TLS verifier setup failed: {e}")))?,
        )
    };
    let mut config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts every server certificate, but still checks that the handshake was
/// signed by the key in the certificate that was presented.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// Lets the generated per-group API traits (`BackupStorageApi`, ...) reach
/// the client from their default methods.
impl AsRef<Client> for Client {
    fn as_ref(&self) -> &Client {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized() {
        let ok = |input: &str| normalize_base_url(input).unwrap();
        assert_eq!(ok("http://localhost:8080/zstack"), "http://localhost:8080/zstack");
        assert_eq!(ok("http://localhost:8080/zstack/"), "http://localhost:8080/zstack");
        assert_eq!(ok("https://mn.example:8443"), "https://mn.example:8443");
        assert_eq!(ok("https://mn.example:443/"), "https://mn.example");
        assert_eq!(ok("http://[::1]:8080/a/b"), "http://[::1]:8080/a/b");
        for bad in
            ["ftp://x/zstack", "localhost:8080", "http://u:p@x/zstack", "http://x/zstack?a=1", "http://x/zstack/v1", ""]
        {
            let err = normalize_base_url(bad).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
            assert!(!err.to_string().contains(":p@"), "{err}");
        }
    }

    #[test]
    fn builder_validates() {
        assert!(Client::builder().build().is_ok());
        assert_eq!(Client::builder().build().unwrap().base_url(), DEFAULT_BASE_URL);
        let err = Client::builder().poll_interval(Duration::ZERO).build().unwrap_err();
        assert!(err.to_string().contains("poll interval"), "{err}");
        let err = Client::builder().header("X-Job-UUID", "x").build().unwrap_err();
        assert!(err.to_string().contains("cannot be overridden"), "{err}");
        let err = Client::builder().header("X-Token", "bad\nvalue").build().unwrap_err();
        assert!(!err.to_string().contains("bad"), "{err}");
        let err = Client::builder().webhook("not a url").build().unwrap_err();
        assert!(err.to_string().contains("webhook"), "{err}");
        let err = Client::builder().date_zone("+0800").build().unwrap_err();
        assert!(err.to_string().contains("zone"), "{err}");
        let err = Client::builder().add_root_certificate_pem("nope").build().unwrap_err();
        assert!(err.to_string().contains("PEM"), "{err}");
        assert!(Client::builder().danger_accept_invalid_certs(true).build().is_ok());
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = PollPolicy {
            interval: Duration::from_millis(100),
            backoff_cap: Some(Duration::from_millis(350)),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(p.next_interval(Duration::from_millis(100)), Duration::from_millis(200));
        assert_eq!(p.next_interval(Duration::from_millis(200)), Duration::from_millis(350));
        let fixed = PollPolicy { backoff_cap: None, ..p };
        assert_eq!(fixed.next_interval(Duration::from_millis(100)), Duration::from_millis(100));
    }
}
