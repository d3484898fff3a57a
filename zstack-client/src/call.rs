//! [`Call`]: one API call with its per-call overrides, and [`JobHandle`]
//! for async jobs.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use super::config::{Client, extra_header};
use super::decode::{self, Excerpt};
use super::error::Error;
use super::retry::RetryPolicy;
use super::send::{self, CallOptions, Job};
use zstack_runtime::query::{Condition, IntoCondition, IntoSort, QueryRequest};
use zstack_runtime::reply::InventoriesReply;
use zstack_runtime::request::Holds;
use zstack_runtime::request::{ApiRequest, InvalidRequest};

/// One API call, ready to send: `client.call(req).await`, or with overrides,
/// `client.call(req).poll_timeout(d).job_id(id).send().await`.
///
/// Nothing happens until it is awaited. Invalid overrides are reported when
/// the call is sent, before any I/O.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<R: ApiRequest> {
    client: Client,
    request: R,
    opts: CallOptions,
}

impl<R: ApiRequest> fmt::Debug for Call<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The request itself is not shown: it may hold secrets in path params.
        f.debug_struct("Call")
            .field("action", &R::ACTION)
            .field("method", &R::METHOD)
            .field("path", &R::PATH)
            .field("job_id", &self.opts.job_id)
            .finish_non_exhaustive()
    }
}

impl<R: ApiRequest> Call<R> {
    /// A call of `request` on `client`. The call holds its own handle to the
    /// client (a cheap clone), so it, and the future it becomes, is `'static`
    /// and can be spawned.
    pub fn new(client: &Client, request: R) -> Self {
        Call { client: client.clone(), request, opts: CallOptions::default() }
    }

    /// The client the call goes to.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The request.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, to change it in place.
    pub fn request_mut(&mut self) -> &mut R {
        &mut self.request
    }

    /// The request, dropping the call.
    pub fn into_request(self) -> R {
        self.request
    }

    /// Transform the request with its own (consuming) builder methods:
    /// `call.map(|r| r.system_tags(["a"]))`.
    pub fn map(mut self, f: impl FnOnce(R) -> R) -> Self {
        self.request = f(self.request);
        self
    }

    /// Wait between job polls for this call.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.opts.set_poll_interval(interval);
        self
    }

    /// Double the poll interval after each poll, up to `cap`, for this call.
    pub fn poll_backoff(mut self, cap: Duration) -> Self {
        self.opts.poll_backoff_cap = Some(cap);
        self
    }

    /// Overall limit for this call's job, counted from when the request is sent.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.opts.poll_timeout = Some(timeout);
        self
    }

    /// An extra header for this call and its job polls. Protocol headers
    /// cannot be replaced.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match extra_header(name, value) {
            Ok((name, value)) => {
                self.opts.headers.append(name, value);
            }
            Err(e) => self.opts.fail(e),
        }
        self
    }

    /// Use this `X-Job-UUID` (32 lowercase hex) instead of a fresh one, e.g.
    /// to resend a request whose reply was lost: the MN answers `400`
    /// "Duplicate job uuid" if it already has the job, which can then be
    /// polled with [`JobHandle::attach`].
    pub fn job_id(mut self, job_id: impl Into<String>) -> Self {
        let job_id = job_id.into();
        if let Err(reason) = send::check_job_id(&job_id) {
            self.opts.fail(InvalidRequest::new(R::ACTION, "X-Job-UUID", reason).into());
        }
        self.opts.job_id = Some(job_id);
        self
    }

    /// `X-API-Timeout`: the MN-side timeout of the operation (sent in whole
    /// seconds, rounded up). Unless [`Call::timeout`] is set, the HTTP timeout
    /// of this call becomes the API timeout plus 30 s, shorter or longer than
    /// the client's.
    pub fn api_timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.opts.fail(Error::Config("the API timeout must be greater than zero".into()));
        }
        self.opts.api_timeout = Some(timeout);
        self
    }

    /// The HTTP timeout of each exchange of this call (the request, each
    /// retry, each job poll), shorter or longer than the client's
    /// [`request_timeout`](super::ClientBuilder::request_timeout). A job poll
    /// is still cut at the poll deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.opts.fail(Error::Config("the timeout must be greater than zero".into()));
        }
        self.opts.timeout = Some(timeout);
        self
    }

    /// How transient failures of this call are retried
    /// ([`RetryPolicy::NONE`]: not at all).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.opts.retry = Some(policy);
        self
    }

    pub(crate) fn with_excerpt(mut self, excerpt: Excerpt) -> Self {
        self.opts.excerpt = Some(excerpt);
        self
    }

    /// Send, poll the job if the MN answers `202`, and decode the result.
    pub async fn send(self) -> Result<R::Response, Error> {
        self.send_as().await
    }

    /// Like [`Call::send`], decoding the final body as `T`.
    pub(crate) async fn send_as<T: DeserializeOwned>(self) -> Result<T, Error> {
        send::execute(&self.client, &self.request, &self.opts).await
    }

    /// Like [`Call::send_as`], never renewing the session (for the login that renews it).
    pub(crate) async fn send_once_as<T: DeserializeOwned>(self) -> Result<T, Error> {
        send::execute_once(&self.client, &self.request, &self.opts).await
    }

    /// Send without waiting for a job: a `200` gives [`Submitted::Done`], a
    /// `202` gives [`Submitted::Pending`] with a [`JobHandle`] to poll later.
    pub async fn submit(self) -> Result<Submitted<R>, Error> {
        Ok(match send::submit(&self.client, &self.request, &self.opts).await? {
            send::Submission::Done(response) => Submitted::Done(response),
            send::Submission::Pending(job) => {
                Submitted::Pending(JobHandle { client: self.client, job, _response: PhantomData })
            }
        })
    }
}

impl<R> IntoFuture for Call<R>
where
    R: ApiRequest + Send + Sync + 'static,
    R::Response: Send + 'static,
{
    type Output = Result<R::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'static>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Query helpers (protocol §8).
impl<R> Call<R>
where
    R: QueryRequest,
    R::Inventory: DeserializeOwned,
{
    /// Rows per page for [`Call::stream`] (default: the client's, 100).
    pub fn page_size(mut self, rows: u32) -> Self {
        if rows == 0 {
            self.opts.fail(Error::Config("page size must be at least 1".into()));
        }
        self.opts.page_size = Some(rows);
        self
    }

    /// Add a condition (joined with AND): [`QueryRequest::filter`].
    pub fn filter(self, condition: impl IntoCondition<R::Target>) -> Self {
        self.map(|r| r.filter(condition))
    }

    /// Rows to return: [`QueryRequest::limit`] (replaced per page by [`Call::stream`]).
    pub fn limit(self, limit: u32) -> Self {
        self.map(|r| r.limit(limit))
    }

    /// First row: [`QueryRequest::start`].
    pub fn start(self, start: u32) -> Self {
        self.map(|r| r.start(start))
    }

    /// Add `total` to the page: [`QueryRequest::reply_with_count`].
    pub fn reply_with_count(self) -> Self {
        self.map(QueryRequest::reply_with_count)
    }

    /// The sort order: [`QueryRequest::sort_by`] (`Inventory::FIELD.desc()`,
    /// `Inventory::FIELD.asc()`, `Inventory::FIELD`, or an untyped `Sort`).
    pub fn sort_by(self, sort: impl IntoSort<R::Target>) -> Self {
        self.map(|r| r.sort_by(sort))
    }

    /// `groupBy=field`: [`QueryRequest::group_by`].
    pub fn group_by(self, field: impl Into<String>) -> Self {
        self.map(|r| r.group_by(field))
    }

    /// Only these fields of each row: [`QueryRequest::select_fields`].
    pub fn select_fields(self, fields: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.map(|r| r.select_fields(fields))
    }

    /// A named server-side filter: [`QueryRequest::filter_name`].
    pub fn filter_name(self, name: impl Into<String>) -> Self {
        self.map(|r| r.filter_name(name))
    }

    /// The resource with this uuid, or `None`: the collection path with
    /// `q=uuid=<uuid>` (added to the request's other conditions).
    pub async fn get(mut self, uuid: impl Into<String>) -> Result<Option<R::Inventory>, Error> {
        self.request.params_mut().conditions.push(Condition::eq("uuid", uuid.into()));
        let reply: InventoriesReply<R::Inventory> = self.send_as().await?;
        Ok(reply.inventories.into_iter().next())
    }

    /// The number of matches (`count=true`).
    pub async fn count(mut self) -> Result<i64, Error> {
        self.request.params_mut().count = true;
        let reply: InventoriesReply<R::Inventory> = self.send_as().await?;
        reply.total.ok_or_else(|| Error::Decode {
            path: "total".into(),
            message: "a count reply must carry `total`".into(),
            body_excerpt: String::new(),
        })
    }

    /// Every match, fetched page by page with `limit`/`start` until a short
    /// page. The request's `start` is the first offset; its `limit` is
    /// replaced by the page size (use `StreamExt::take` to cap the total).
    /// An error ends the stream after it is yielded. Pages are separate
    /// requests, so sort by a stable field when the data can change meanwhile.
    ///
    /// The stream is `Unpin` and `Send`; read it with
    /// [`futures::StreamExt::next`](https://docs.rs/futures/latest/futures/stream/trait.StreamExt.html)
    /// (or `futures-util`'s, or `tokio-stream`'s), or with [`QueryStream::next`]
    /// without any extra crate.
    pub fn stream(mut self) -> QueryStream<R::Inventory>
    where
        R: Send + Sync + 'static,
        R::Inventory: Send + 'static,
    {
        let page = self.opts.page_size.unwrap_or(self.client.settings().page_size).max(1);
        let params = self.request.params_mut();
        params.count = false;
        let next = params.start.unwrap_or(0);
        let state = Pages { call: self, page, next: Some(next), buffer: VecDeque::new() };
        let pages = futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                let start = state.next?;
                let params = state.call.request.params_mut();
                params.limit = Some(state.page);
                params.start = Some(start);
                let reply: Result<InventoriesReply<R::Inventory>, Error> =
                    send::execute(&state.call.client, &state.call.request, &state.call.opts).await;
                match reply {
                    Ok(reply) => {
                        let rows = reply.inventories.len();
                        let full = u32::try_from(rows).is_ok_and(|n| n >= state.page);
                        state.next = if full { start.checked_add(state.page) } else { None };
                        state.buffer.extend(reply.inventories);
                    }
                    Err(e) => {
                        state.next = None;
                        return Some((Err(e), state));
                    }
                }
            }
        });
        QueryStream { inner: Box::pin(pages) }
    }
}

impl<R: ApiRequest> Holds<R> for Call<R> {
    fn held_mut(&mut self) -> &mut R {
        &mut self.request
    }
}

struct Pages<R: QueryRequest> {
    call: Call<R>,
    page: u32,
    /// The next `start`, or `None` once the last page was read.
    next: Option<u32>,
    buffer: VecDeque<R::Inventory>,
}

/// Every row of a query, page by page: what [`Call::stream`] returns. It is a
/// [`Stream`] that is `Unpin` and `Send`, so it can be polled from any
/// executor, moved into a spawned task, and read with any `StreamExt`.
#[must_use = "a stream does nothing until polled"]
pub struct QueryStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

impl<T> QueryStream<T> {
    /// The next row, `None` after the last (or after an error was yielded).
    /// The same as `StreamExt::next`, without importing a trait.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// Every remaining row, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        while let Some(row) = self.next().await {
            rows.push(row?);
        }
        Ok(rows)
    }
}

impl<T> Stream for QueryStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for QueryStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryStream").finish_non_exhaustive()
    }
}

/// What [`Call::submit`] got back.
pub enum Submitted<R: ApiRequest> {
    /// The MN answered at once (`200`).
    Done(R::Response),
    /// The MN accepted a job (`202`).
    Pending(JobHandle<R>),
}

impl<R: ApiRequest> Submitted<R> {
    /// The result, polling the job first if there is one.
    pub async fn wait(self) -> Result<R::Response, Error> {
        match self {
            Submitted::Done(response) => Ok(response),
            Submitted::Pending(job) => job.wait().await,
        }
    }

    /// The job id, when a job was accepted.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Submitted::Done(_) => None,
            Submitted::Pending(job) => Some(job.job_id()),
        }
    }
}

impl<R: ApiRequest> fmt::Debug for Submitted<R>
where
    R::Response: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Submitted::Done(response) => f.debug_tuple("Done").field(response).finish(),
            Submitted::Pending(job) => f.debug_tuple("Pending").field(job).finish(),
        }
    }
}

/// An accepted async job. Polls go to `<base>/v1/api-jobs/<job id>` with the
/// credentials of the call that started it.
pub struct JobHandle<R: ApiRequest> {
    client: Client,
    // Boxed: keeps `Submitted` small.
    job: Box<Job>,
    _response: PhantomData<fn() -> R>,
}

impl<R: ApiRequest> fmt::Debug for JobHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle")
            .field("action", &R::ACTION)
            .field("job_id", &self.job.job_id)
            .field("elapsed", &self.job.started.elapsed())
            .field("poll", &self.job.policy)
            .finish()
    }
}

impl<R: ApiRequest> Clone for JobHandle<R> {
    fn clone(&self) -> Self {
        JobHandle { client: self.client.clone(), job: self.job.clone(), _response: PhantomData }
    }
}

impl<R: ApiRequest> JobHandle<R> {
    /// Follow a job known only by its id (e.g. after a lost reply, a
    /// "Duplicate job uuid" answer or a [`Error::PollTimeout`]), with the
    /// client's current credentials, poll policy and retries; the poll
    /// timeout counts from now. The id must have the form the client sends
    /// (32 lowercase hex digits), else [`Error::InvalidRequest`].
    pub fn attach(client: &Client, job_id: impl Into<String>) -> Result<Self, Error> {
        let job = Job::attach(client, job_id.into())?;
        Ok(JobHandle { client: client.clone(), job: Box::new(job), _response: PhantomData })
    }

    /// The job id (the `X-Job-UUID` the request was sent with).
    pub fn job_id(&self) -> &str {
        &self.job.job_id
    }

    /// Time since the request that started the job was sent (or since `attach`).
    pub fn elapsed(&self) -> Duration {
        self.job.started.elapsed()
    }

    /// Change the wait between polls.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.job.policy.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Change the overall limit (still counted from the original request).
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.job.policy.timeout = timeout;
        self
    }

    /// Poll once: `Ok(None)` while the job runs, the result once it is done.
    pub async fn poll_once(&self) -> Result<Option<R::Response>, Error> {
        let span = self.span();
        async {
            match send::poll_once(&self.client, &self.job, 1).await.map_err(|f| f.error)? {
                Some(body) => decode::decode(&body, R::POLYMORPHIC, self.job.excerpt).map(Some),
                None => Ok(None),
            }
        }
        .instrument(span)
        .await
    }

    /// Poll until the job ends or the poll timeout passes. The first poll is
    /// immediate.
    pub async fn wait(self) -> Result<R::Response, Error> {
        send::wait_decoded(&self.client, &self.job, R::ACTION, R::POLYMORPHIC).await
    }

    fn span(&self) -> tracing::Span {
        tracing::info_span!("zstack.job", action = R::ACTION, job_id = self.job.job_id.as_str())
    }
}
