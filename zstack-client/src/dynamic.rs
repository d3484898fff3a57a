//! [`DynamicCall`]: a call of an API known only at run time
//! ([`DynamicRequest`]), with the reply as plain JSON. It takes the same path as
//! a typed [`Call`](super::Call): validation, headers, credentials, retries,
//! status handling, job polling and session renewal.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::config::Client;
use super::error::Error;
use super::outgoing::Dynamic;
use super::send::{self, CallOptions, Job, RequestPreview};
use zstack_runtime::dynamic::DynamicRequest;

impl Client {
    /// A call of a request built at run time. Its reply is the MN's JSON
    /// object, as sent (with its `schema` map, if any).
    pub fn call_dynamic(&self, request: DynamicRequest) -> DynamicCall {
        DynamicCall { client: self.clone(), request, opts: CallOptions::default() }
    }
}

/// A call of a [`DynamicRequest`]: `client.call_dynamic(request).send().await`.
#[must_use = "a call does nothing until it is sent"]
pub struct DynamicCall {
    client: Client,
    request: DynamicRequest,
    opts: CallOptions,
}

impl fmt::Debug for DynamicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicCall").field("request", &self.request).finish_non_exhaustive()
    }
}

impl DynamicCall {
    /// The request.
    pub fn request(&self) -> &DynamicRequest {
        &self.request
    }

    /// Overall limit for this call's job, counted from when the request is sent.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.opts.poll_timeout = Some(timeout);
        self
    }

    /// Wait between job polls for this call.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.opts.set_poll_interval(interval);
        self
    }

    /// What the first attempt would send, with credentials redacted; nothing
    /// is sent. Fails as [`DynamicCall::send`] would before any I/O.
    pub fn preview(&self) -> Result<RequestPreview, Error> {
        let prepared = send::prepare(&self.client, &Dynamic(&self.request), &self.opts)?;
        send::preview(&self.client, &prepared, &self.opts)
    }

    /// Send, poll the job if the MN answers `202`, and return the result.
    pub async fn send(self) -> Result<Value, Error> {
        send::execute(&self.client, &Dynamic(&self.request), &self.opts).await
    }

    /// Send without waiting for a job: a `200` gives
    /// [`DynamicSubmitted::Done`], a `202` gives [`DynamicSubmitted::Pending`].
    pub async fn submit(self) -> Result<DynamicSubmitted, Error> {
        let action = self.request.route().action;
        Ok(match send::submit(&self.client, &Dynamic(&self.request), &self.opts).await? {
            send::Submission::Done(reply) => DynamicSubmitted::Done(reply),
            send::Submission::Pending(job) => {
                DynamicSubmitted::Pending(DynamicJob { client: self.client, job, action })
            }
        })
    }
}

/// What [`DynamicCall::submit`] got back.
#[derive(Debug)]
pub enum DynamicSubmitted {
    /// The MN answered at once (`200`).
    Done(Value),
    /// The MN accepted a job (`202`).
    Pending(DynamicJob),
}

/// An accepted async job whose result is read as plain JSON. Polls go to
/// `<base>/v1/api-jobs/<job id>` with the credentials of the call that
/// started it.
pub struct DynamicJob {
    client: Client,
    job: Box<Job>,
    action: &'static str,
}

impl fmt::Debug for DynamicJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicJob").field("action", &self.action).field("job_id", &self.job.job_id).finish()
    }
}

impl DynamicJob {
    /// Follow a job known only by its id with the client's credentials, poll
    /// policy and retries, as [`JobHandle::attach`](super::JobHandle::attach).
    pub fn attach(client: &Client, job_id: impl Into<String>) -> Result<Self, Error> {
        let job = Job::attach(client, job_id.into())?;
        Ok(DynamicJob { client: client.clone(), job: Box::new(job), action: "api-jobs" })
    }

    /// The job id (the `X-Job-UUID` the request was sent with).
    pub fn job_id(&self) -> &str {
        &self.job.job_id
    }

    /// Time since the request that started the job was sent (or since `attach`).
    pub fn elapsed(&self) -> Duration {
        self.job.started.elapsed()
    }

    /// Change the overall limit (still counted from the original request).
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.job.policy.timeout = timeout;
        self
    }

    /// Poll until the job ends or the poll timeout passes; the result as JSON.
    pub async fn wait(self) -> Result<Value, Error> {
        send::wait_decoded(&self.client, &self.job, self.action, false).await
    }
}
