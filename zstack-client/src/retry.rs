//! Which failures are retried, and how long to wait between attempts.
//!
//! A failure is retried only when doing the request again cannot do the work
//! twice:
//!
//! | request | retried on |
//! |---|---|
//! | any, when nothing was sent (connection refused, connect timeout, TLS failure) | always |
//! | `GET` (queries and other reads), job polls | connection errors, timeouts, `502`, `504`, a `503` whose body is not an `ErrorCode` |
//! | an async API with `POST`/`PUT`/`DELETE` | the same, resent with the **same** `X-Job-UUID`: if the first attempt reached the MN it answers `400` "Duplicate job uuid" and the client polls that job instead of starting a second one |
//! | a sync API with `POST`/`PUT`/`DELETE` | only when nothing was sent: the MN keeps no job for it, so a resend could run it twice |
//!
//! An API failure (`503` with an `ErrorCode`), any `4xx`, a redirect and a
//! reply over the size limit are never retried. Waits grow exponentially
//! from [`RetryPolicy::initial_backoff`] up to [`RetryPolicy::max_backoff`],
//! with random jitter so that many clients do not retry in step, and never
//! run past the call's deadline (its poll timeout, counted from when the
//! call started). [`RetryPolicy::NONE`] turns retries off.

use std::time::Duration;

use backon::BackoffBuilder as _;

/// How transient failures are retried; see the [module docs](self) for
/// which failures qualify. Set per client with
/// [`ClientBuilder::retry`](super::ClientBuilder::retry) and per call with
/// [`Call::retry`](super::Call::retry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts after the first one (0: never retry).
    pub max_retries: u32,
    /// The wait before the first retry; it doubles with each further one.
    pub initial_backoff: Duration,
    /// The longest single wait.
    pub max_backoff: Duration,
}

/// Default number of retries of a transient failure.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default wait before the first retry.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
/// Default longest wait between retries.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned as it happens.
    pub const NONE: RetryPolicy =
        RetryPolicy { max_retries: 0, initial_backoff: DEFAULT_INITIAL_BACKOFF, max_backoff: DEFAULT_MAX_BACKOFF };

    /// `max_retries` retries with the default waits.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy { max_retries, ..RetryPolicy::default() }
    }

    /// Change the first wait and the longest wait.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The waits before each retry, in order; ends after `max_retries`.
    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff.max(self.initial_backoff))
            .with_factor(2.0)
            .with_max_times(usize::try_from(self.max_retries).unwrap_or(usize::MAX))
            .with_jitter()
            .build()
            // backon's jitter adds up to one more delay; keep the cap a cap.
            .map({
                let cap = self.max_backoff.max(self.initial_backoff);
                move |d| d.min(cap)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_stop() {
        let policy = RetryPolicy::new(6).backoff(Duration::from_millis(100), Duration::from_millis(400));
        let delays: Vec<Duration> = policy.delays().collect();
        assert_eq!(delays.len(), 6);
        assert!(
            delays.iter().all(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_millis(400)),
            "{delays:?}"
        );
        assert_eq!(delays[5], Duration::from_millis(400), "{delays:?}");
        assert_eq!(RetryPolicy::NONE.delays().count(), 0);
    }
}
