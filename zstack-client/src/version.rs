//! Version-aware calls: the MN's release, and what to do with a call the MN
//! is too old for ([`VersionPolicy`]).
//!
//! Every generated request type knows the ZStack release that introduced its
//! API ([`ApiRequest::SINCE`](zstack_runtime::request::ApiRequest::SINCE)) and, for each param newer than the API, the
//! param's ([`ApiRequest::versioned_params`](zstack_runtime::request::ApiRequest::versioned_params)). Before a call is sent the
//! client compares them with the MN's release, which it learns once per
//! client with the `GetVersion` API, or which is configured
//! ([`ClientBuilder::mn_version`](super::ClientBuilder::mn_version)).
//!
//! Since-versions come from ZStack's own API docs, from the release history
//! (the first release *branch* that has the entry, so an entry added in
//! 4.1.2 may read 4.1.8, the newest 4.1 branch in the history) and from the
//! published doc pages (`docs/spec.md`, `since_source`). They are close but
//! not exact, which is why the default policy is [`VersionPolicy::Off`].

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use super::config::Client;
use super::decode::Excerpt;
use super::error::Error;
use super::outgoing::Outgoing;

/// What to do before sending a call whose API, or a param that is set, is
/// newer than the MN's release.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionPolicy {
    /// Send every call as it is; the MN's release is never asked (the default).
    #[default]
    Off,
    /// Send it, and log a `warn` once per (API, param) and client.
    Warn,
    /// Refuse it with [`Error::UnsupportedByMn`] before anything is sent.
    Refuse,
}

/// A ZStack release as the MN reports it: `5.3.20`, `4.8.0.1`,
/// `5.3.28-SNAPSHOT` (the numbers before the first other character).
/// Versions compare numerically, missing parts as zero (`5.3` = `5.3.0`).
#[derive(Clone, Debug, Eq)]
pub struct MnVersion {
    parts: Vec<u32>,
    text: String,
}

impl MnVersion {
    /// Read a version; `None` when it does not start with a number.
    pub fn parse(text: &str) -> Option<MnVersion> {
        let trimmed = text.trim();
        let end = trimmed.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(trimmed.len());
        let numbers = trimmed[..end].trim_end_matches('.');
        if numbers.is_empty() {
            return None;
        }
        let parts = numbers.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u32>>>()?;
        Some(MnVersion { parts, text: trimmed.chars().take(64).collect() })
    }

    /// The text the version was read from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn part(&self, i: usize) -> u32 {
        self.parts.get(i).copied().unwrap_or(0)
    }
}

impl PartialEq for MnVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl PartialOrd for MnVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MnVersion {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let len = self.parts.len().max(other.parts.len());
        (0..len).map(|i| self.part(i).cmp(&other.part(i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    }
}

impl fmt::Display for MnVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `PUT /management-nodes/actions` (GetVersion), hand-written so that the
/// check works whatever API groups are enabled.
#[derive(Clone, Debug, zstack_macros::Api)]
#[api(
    crate = "::zstack_runtime",
    method = "PUT",
    path = "/management-nodes/actions",
    envelope = "getVersion",
    response = VersionReply,
    session = false,
    action = "GetVersion"
)]
pub(crate) struct GetMnVersion {}

#[derive(serde::Deserialize)]
pub(crate) struct VersionReply {
    #[serde(default)]
    version: Option<String>,
}

/// Per-client state: the MN's release once known, and what was warned about.
#[derive(Default)]
pub(crate) struct VersionState {
    known: tokio::sync::OnceCell<MnVersion>,
    warned: Mutex<HashSet<(&'static str, &'static str)>>,
}

impl VersionState {
    pub(crate) fn configured(version: Option<MnVersion>) -> VersionState {
        VersionState { known: tokio::sync::OnceCell::new_with(version), warned: Mutex::default() }
    }

    pub(crate) fn get(&self) -> Option<MnVersion> {
        self.known.get().cloned()
    }
}

impl Client {
    /// The MN's release: configured, or asked once with `GetVersion` (a
    /// failed lookup is not cached, so a later call asks again).
    pub async fn mn_version(&self) -> Result<MnVersion, Error> {
        let state = &self.inner.version;
        let version = state
            .known
            .get_or_try_init(|| async {
                let reply: VersionReply = self.call(GetMnVersion {}).with_excerpt(Excerpt::Show).send_once_as().await?;
                let text = reply.version.unwrap_or_default();
                MnVersion::parse(&text).ok_or_else(|| {
                    Error::Protocol(format!(
                        "GetVersion answered {:?}, which is not a version",
                        text.chars().take(64).collect::<String>()
                    ))
                })
            })
            .await?;
        Ok(version.clone())
    }

    /// Apply the version policy to one request before it is sent.
    pub(crate) async fn check_version<O: Outgoing + ?Sized>(&self, request: &O) -> Result<(), Error> {
        let policy = self.settings().version_policy;
        if policy == VersionPolicy::Off {
            return Ok(());
        }
        let mut newer: Vec<(&'static str, &'static str)> = Vec::new();
        let route = request.route();
        if let Some(since) = route.since {
            newer.push(("", since));
        }
        request.versioned_params(&mut |param, since| newer.push((param, since)));
        if newer.is_empty() {
            return Ok(());
        }
        let mn = match self.mn_version().await {
            Ok(mn) => mn,
            Err(e) if policy == VersionPolicy::Warn => {
                self.warn_once(route.action, "<version lookup>", || {
                    tracing::warn!(api = route.action, error = %e, "cannot learn the MN's version; calls are not checked");
                });
                return Ok(());
            }
            Err(e) => return Err(Error::VersionUnknown(Box::new(e))),
        };
        for (param, since) in newer {
            let Some(required) = MnVersion::parse(since) else { continue };
            if required <= mn {
                continue;
            }
            match policy {
                VersionPolicy::Refuse => {
                    return Err(Error::UnsupportedByMn {
                        api: route.action,
                        param: (!param.is_empty()).then_some(param),
                        since,
                        mn_version: mn.to_string(),
                    });
                }
                _ => self.warn_once(route.action, param, || {
                    let what = if param.is_empty() { "the API" } else { param };
                    tracing::warn!(api = route.action, param = what, since, mn_version = %mn, "the MN is older than this API or param");
                }),
            }
        }
        Ok(())
    }

    fn warn_once(&self, api: &'static str, param: &'static str, warn: impl FnOnce()) {
        let first = self.inner.version.warned.lock().unwrap_or_else(PoisonError::into_inner).insert((api, param));
        if first {
            warn();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_leniently_and_compare_numerically() {
        let v = |s: &str| MnVersion::parse(s).unwrap();
        assert_eq!(v("5.3.20").parts, [5, 3, 20]);
        assert_eq!(v("4.8.0.1").parts, [4, 8, 0, 1]);
        assert_eq!(v("5.3.28-SNAPSHOT").parts, [5, 3, 28]);
        assert_eq!(v("5.3.28-SNAPSHOT").as_str(), "5.3.28-SNAPSHOT");
        assert_eq!(v(" 4.10 ").parts, [4, 10]);
        for bad in ["", "garbage", "v5.3", "-1", ".", "99999999999.1"] {
            assert!(MnVersion::parse(bad).is_none(), "{bad:?}");
        }
        assert!(v("5.3.20") > v("5.2.0"));
        assert!(v("4.10.0") > v("4.9.99"));
        assert_eq!(v("5.3"), v("5.3.0"));
        assert!(v("4.8.0.1") > v("4.8.0"));
        assert!(v("5.3.28-SNAPSHOT") > v("5.3.20"));
    }
}
