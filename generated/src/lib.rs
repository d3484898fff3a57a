//! Typed Rust client for the ZStack cloud REST API: every API action of
//! ZStack 5.3.20 (1,975 catalog actions plus the documented seed endpoints) as
//! a typed request, every inventory as a typed struct, and an async client
//! that handles sessions, access keys, async jobs, paging and retries.
//!
//! # Quick start
//!
//! Add the crate with the API groups you call (each group is a cargo
//! feature, see [Features](#features)):
//!
//! ```toml
//! [dependencies]
//! zstack-sdk = { version = "0.1", features = ["vm-instances"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! Then, with `use zstack_sdk::prelude::*`, every API is a method of the
//! [`Client`] that returns a [`Call`]; optional params are set on the call,
//! and `send().await` (or just `.await`) runs it. This example runs as a test
//! against the crate's loopback management-node double
//! ([`test_server`], feature `test-server`); against a real MN only the base
//! URL differs (`http://<mn-host>:8080/zstack`):
//!
//! ```
//! use zstack_sdk::prelude::*;
//! use zstack_sdk::types::VmInstanceInventory as Vm;
//! # use serde_json::json;
//! # use zstack_sdk::test_server::{Reply, TestServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), zstack_sdk::Error> {
//! # let mn = TestServer::start().await;
//! # mn.add_account("admin", "password");
//! # let vm = json!({"uuid": "0a1b2c3d4e5f40718293a4b5c6d7e8f9", "name": "web-1", "state": "Running", "memorySize": 2.147483648E9});
//! # mn.route("POST", "/v1/vm-instances", Reply::async_done(1, json!({"inventory": vm.clone()})));
//! # mn.query_route("/v1/vm-instances", vec![vm]);
//! # let base_url = mn.base_url();
//! let client = Client::builder().base_url(&base_url).build()?;
//! client.login_by_account("admin", "password").await?; // sends the SHA-512 digest
//!
//! // An async API: the MN answers 202 with a job, `send` polls it to the end.
//! let created = client
//!     .create_vm_instance("web-1")
//!     .image_uuid("9f6d3a2e0b1c4d5e8f7a6b5c4d3e2f10")
//!     .l3_network_uuids(["5e4d3c2b1a0948f7e6d5c4b3a2918070"])
//!     .instance_offering_uuid("1c2d3e4f5a6b47c8d9e0f1a2b3c4d5e6")
//!     .send()
//!     .await?;
//! // VM inventories are polymorphic (user VMs, appliance VMs, ...): `base()` has the shared fields.
//! assert_eq!(created.inventory.base().name.as_deref(), Some("web-1"));
//!
//! // A query with typed conditions, read page by page as a stream.
//! let mut running = client.query_vm_instance().filter(Vm::STATE.eq("Running")).sort_by(Vm::NAME).stream();
//! while let Some(vm) = running.next().await {
//!     println!("{}", vm?.base().name.as_deref().unwrap_or_default());
//! }
//! client.logout().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Logging in
//!
//! A [`Client`] holds one set of credentials, shared by its clones:
//!
//! * **Account login**: [`Client::login_by_account`] sends the password's
//!   SHA-512 digest and keeps the session for later calls. Any other login API
//!   (`LogInByUser`, LDAP, IAM2, ...) goes through [`Client::login`], which
//!   keeps its session the same way; those request types have no client method
//!   of their own. [`ClientBuilder::renew_session`] logs in again once when an
//!   account session expires.
//! * **Access keys**: [`ClientBuilder::access_key`] signs every request
//!   (`Authorization: ZStack <id>:<signature>`); no session at all.
//! * **An existing session id**: [`ClientBuilder::session`].
//!
//! Secrets ([`Secret`], [`Password`]) never show in `Debug`, `Display`, logs or
//! error messages, and the client never follows a redirect, so credentials
//! never leave for another host.
//!
//! # Calls and async jobs
//!
//! Every call goes through [`Call`]: `.send().await` (or `.await`) sends the
//! request, and when the MN answers `202` polls the job until it ends or the
//! poll timeout passes ([`Error::PollTimeout`] carries the job id). Per call,
//! `poll_interval`, `poll_timeout`, `timeout`, `api_timeout`, `retry` and
//! `header` override the client's settings. `submit()` returns a
//! [`Submitted`](client::Submitted) at once, whose
//! [`JobHandle`](client::JobHandle) can be waited on later or re-attached from
//! its id. A `Call` owns a handle to the client, so calls and their futures
//! are `'static + Send` and can be spawned. Without the client,
//! [`ApiRequest::to_wire`] gives the exact method, path, query and body.
//!
//! # Queries and streams
//!
//! Query APIs take typed conditions built from the inventory's field constants
//! (`Vm::STATE.eq("Running")`, `Vm::MEMORY_SIZE.gt(1 << 30)`, `Vm::NAME.like("web-%")`)
//! or untyped [`Condition`]s for joined fields; `sort_by(Vm::CREATE_DATE.desc())`
//! (or `Vm::NAME` for the MN's default direction), `group_by`, `limit`,
//! `start`, `select_fields`, `count()` and `get(uuid)`. `stream()` returns a
//! [`QueryStream`](client::QueryStream) that fetches every page: it is `Unpin`
//! and `Send`; read it with its own `next()` (no extra crate) or with
//! `futures::StreamExt` / `tokio_stream::StreamExt`. Rows of polymorphic types
//! (backup storage, primary storage, ...) decode into `Any…` enums of the
//! concrete classes, resolved through the reply's `schema` map.
//!
//! # Errors
//!
//! Every call fails with one [`Error`]. Its `Display` is one line (HTTP
//! status, the MN's top-level error code and description); the MN's cause
//! chain is its [`source`](std::error::Error::source) chain:
//! [`Error::Api`] → [`ErrorCode`] → its `cause` → ..., so error reporters such
//! as `anyhow`'s `{:#}` print all of it. [`Error::has_code`] searches the
//! chain, [`Error::is_session_expired`] spots `ID.1001`, and transport failures
//! keep the underlying I/O or TLS error as their source.
//!
//! ```
//! # use zstack_sdk::prelude::*;
//! fn report(err: &zstack_sdk::Error) {
//!     let mut cause: Option<&dyn std::error::Error> = Some(err);
//!     while let Some(e) = cause {
//!         eprintln!("  {e}");
//!         cause = e.source();
//!     }
//! }
//! ```
//!
//! # Results as JSON
//!
//! With the `serialize` feature (default), every inventory and reply
//! implements `serde::Serialize` and writes the MN's own JSON back: wire
//! names, absent values left out, timestamps as the MN writes them, integers
//! exact, polymorphic values as their concrete class (an unknown class as the
//! members it was sent with): `serde_json::to_string(&reply.inventory)`.
//!
//! # Features
//!
//! | feature | enables |
//! |---|---|
//! | `client` (default) | the async HTTP client ([`client`], the `zstack-client` crate): reqwest + rustls with *ring*, tokio |
//! | `serialize` (default) | `Serialize` on every inventory and reply, written back as the MN's JSON (types that requests send serialize without it; it costs about 10 % of a full check) |
//! | `accounts`, `backup-storage` (default) | those API groups |
//! | `<group>` (e.g. `vm-instances`, `images`, `l3-networks`) | the group's request types in [`api`], its client trait, and exactly the [`types`] they need |
//! | `full` | every API group (about 150) |
//! | `test-server` | [`test_server`], a loopback ZStack double for tests of your own code |
//!
//! Each group's module in [`api`] lists its APIs and names its feature; on
//! docs.rs every gated item carries its feature. Without `client` the crate is
//! the typed request and reply model only (no HTTP stack).
//!
//! # Versions
//!
//! Every API and param carries the ZStack release that introduced it
//! (`ApiRequest::SINCE`, shown in each request's docs). With
//! [`ClientBuilder::version_policy`], the client asks the MN its release once
//! and warns about, or refuses before sending, calls the MN is too old for
//! ([`Error::UnsupportedByMn`]).
//!
//! # Layout
//!
//! The crate re-exports three hand-written crates: [`runtime`]
//! (`zstack-runtime`: the request trait, wire encoding, reply decoding,
//! queries, timestamps, secrets), [`client`] (`zstack-client`) and
//! [`test_server`] (`zstack-test-server`). [`api`] and [`types`] are generated
//! from the spec by the repository's `cargo xtask codegen`.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the derive's `::zstack_sdk::...` paths resolve inside this crate too.
extern crate self as zstack_sdk;

#[cfg(feature = "client")]
#[doc(inline)]
pub use zstack_client as client;
#[doc(inline)]
pub use zstack_runtime as runtime;
#[cfg(feature = "test-server")]
#[doc(inline)]
pub use zstack_test_server as test_server;

// Generated by `cargo xtask codegen`, laid out by its own printer, not rustfmt.
#[rustfmt::skip]
mod r#gen;

#[cfg(feature = "client")]
pub use client::{Call, Client, ClientBuilder, Error};

pub use r#gen::{api, types};
pub use runtime::query::{Condition, Field, QueryRequest, Sort, SortDirection};
pub use runtime::request::{ApiRequest, InvalidRequest, Method, WireRequest};
pub use runtime::secret::{Password, Secret};
pub use runtime::timestamp::Timestamp;
pub use runtime::{ErrorCode, SessionInventory};
pub use zstack_macros::Api;

/// Everything a caller needs in scope: `use zstack_sdk::prelude::*;`.
///
/// The client, its call and error types, the query vocabulary, and the
/// generated traits that carry methods: each API group's client methods
/// (`client.create_vm_instance(..)` comes from `VmInstancesApi`) and each
/// API's optional-param setters (`.image_uuid(..)` comes from
/// `CreateVmInstanceSetters`), for the groups whose features are enabled.
pub mod prelude {
    #[cfg(feature = "client")]
    #[doc(no_inline)]
    pub use crate::client::{Call, Client, ClientBuilder, Error, JobHandle, QueryStream, Submitted};
    // Empty when no API group's feature is enabled.
    #[allow(unused_imports)]
    #[doc(no_inline)]
    pub use crate::r#gen::prelude::*;
    #[doc(no_inline)]
    pub use crate::runtime::query::{Condition, QueryRequest, Sort, SortDirection};
    #[doc(no_inline)]
    pub use crate::runtime::request::ApiRequest;
    #[doc(no_inline)]
    pub use crate::runtime::secret::{Password, Secret};
}
