//! The doc comment of a request type, synthesised from the spec for every
//! API, so a catalog API without a description still says what it returns,
//! whether it is a job, what it needs and how to call it:
//!
//! 1. the spec's description (escaped, it is free text);
//! 2. the route and envelope;
//! 3. what it returns: the reply type and where the data is in it;
//! 4. sync or async, and what that means for `send`, `submit` and timeouts;
//! 5. required and optional params (allowed values and server defaults are
//!    on each field);
//! 6. session, since-version and provenance;
//! 7. a usage line.

use zstack_spec::{Api, ResultShape};

use super::client::is_login;
use super::doc::{Doc, since};
use super::request::RequestStruct;
use super::setters::SetterTrait;

/// The synthesised doc of one API's request type.
pub struct ApiDoc<'a> {
    pub request: &'a RequestStruct<'a>,
}

impl ApiDoc<'_> {
    pub fn doc(&self) -> Doc {
        let a = self.request.api;
        let envelope = a.envelope.as_ref().map(|e| format!(", body envelope `{e:?}`")).unwrap_or_default();
        let route = format!("`{} {}`{envelope}.", a.method, a.path);
        let session = if a.session { "Needs a session." } else { "Needs no session." };
        let source = a.source.as_ref().map(|s| format!("Source: {s}."));
        let meta = [Some(session.to_string()), since(a.since.as_ref(), a.since_source), source];
        let meta: Vec<String> = meta.into_iter().flatten().collect();
        Doc::new()
            .para(a.description.clone())
            .para(route)
            .markdown(self.returns())
            .markdown(mode(a))
            .markdown(self.params())
            .para(meta.join(" "))
            .markdown(self.usage())
    }

    /// `**Returns** ...`: the reply type, linked, and where its data is.
    fn returns(&self) -> String {
        let r = self.request;
        // How a value of `ty` is held: its `Any…` enum when polymorphic.
        let value = |ty: &str| {
            let any = r.names.any(ty);
            let name = any.unwrap_or_else(|| r.names.type_ident(ty));
            let poly = any.map_or(
                "",
                |_| ", an enum of the concrete classes, resolved through the reply's `schema` map (protocol §7)",
            );
            (format!("[`{name}`](crate::types::{name})"), poly)
        };
        match &r.api.result {
            ResultShape::Empty => {
                "**Returns** nothing: [`Empty`](zstack_sdk::runtime::reply::Empty) (the MN answers `{}`).".into()
            }
            ResultShape::Inventory(ty) => {
                let (link, poly) = value(ty);
                format!(
                    "**Returns** [`InventoryReply`](zstack_sdk::runtime::reply::InventoryReply)`<`{link}`>`: \
                     the MN answers `{{\"inventory\": {{..}}}}`; read `reply.inventory`{poly}."
                )
            }
            ResultShape::Inventories { ty, .. } => {
                let (link, poly) = value(ty);
                let paging = if r.api.query {
                    " Add conditions, sorting and paging on the call (`filter`, `sort_by`, `limit`, \
                     `select_fields`), or read every page with `stream()`."
                } else {
                    ""
                };
                format!(
                    "**Returns** [`InventoriesReply`](zstack_sdk::runtime::reply::InventoriesReply)`<`{link}`>`: \
                     the MN answers `{{\"inventories\": [..]}}`; read `reply.inventories` (and `reply.total` \
                     when counting){poly}.{paging}"
                )
            }
            ResultShape::Fields(fields) => {
                let reply = r.names.reply(&r.api.name).unwrap_or_default();
                let names: Vec<String> = fields.iter().map(|f| format!("`{}`", f.name)).collect();
                let list = if names.is_empty() { String::new() } else { format!(" with {}", names.join(", ")) };
                format!("**Returns** [`{reply}`](crate::api::{reply}){list}.")
            }
        }
    }

    /// Required params (the arguments of `new`) and optional ones (setters).
    fn params(&self) -> Option<String> {
        let r = self.request;
        let fields = r.fields();
        let wire = |required: bool| -> Vec<String> {
            fields.iter().filter(|f| f.param.required == required).map(|f| format!("`{}`", f.param.name)).collect()
        };
        let (required, optional) = (wire(true), wire(false));
        let mut out = Vec::new();
        if !required.is_empty() {
            out.push(format!("**Required params** (the arguments of `new`): {}.", required.join(", ")));
        }
        if !optional.is_empty() {
            let setters = SetterTrait::name(r.names.request(&r.api.name));
            out.push(format!(
                "**Optional params**: {}; set them on the request or the call with [`{setters}`].",
                optional.join(", ")
            ));
        }
        if r.api.query {
            out.push(
                "**Query params**: conditions, paging, sorting and field selection through \
                 [`QueryRequest`](zstack_sdk::runtime::query::QueryRequest)."
                    .into(),
            );
        }
        (!out.is_empty()).then(|| out.join(" "))
    }

    /// One line of calling code.
    fn usage(&self) -> String {
        let r = self.request;
        let request = r.names.request(&r.api.name);
        let args: Vec<String> = r.fields().iter().filter(|f| f.param.required).map(|f| f.field.clone()).collect();
        let args = args.join(", ");
        if is_login(r.api) {
            return format!(
                "Usage: `client.login({request}::new({args})).await?` logs in and keeps the session for later calls."
            );
        }
        let method = r.names.method(&r.api.name);
        if r.api.query {
            format!(
                "Usage: `client.{method}({args}).limit(20).send().await?.inventories`, or `.stream()` for every row."
            )
        } else {
            format!("Usage: `client.{method}({args}).send().await?` (or `client.call({request}::new({args}))`).")
        }
    }
}

/// Sync or async, and what a caller sees.
fn mode(a: &Api) -> String {
    if a.is_async {
        "**Asynchronous**: the MN answers `202` with a job. `send()` (or `.await`) polls it until it ends, \
         within the client's poll timeout (per call: `poll_timeout`); `submit()` returns at once with a \
         `JobHandle` to wait on later."
            .into()
    } else {
        "**Synchronous**: the MN answers with the result.".into()
    }
}
