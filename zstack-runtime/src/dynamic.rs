//! Requests whose route is data rather than a Rust type: an API known only at
//! run time, such as a command-line client reading the API list from a table.
//!
//! A [`DynamicRequest`] goes onto the wire through the same helpers as a
//! derived request (placeholders through [`path_segment`](crate::request::path_segment), query pairs and body
//! members through the same encoders), so the bytes are the same for the same
//! params.

use serde_json::{Map, Value};

use crate::plumbing::wire::{QueryPairs, body_field, envelope, query_field};
use crate::query::QueryParams;
use crate::request::{InvalidRequest, Route, WireRequest, fill_template};

/// One request of an API known at run time: its [`Route`] and its params as
/// JSON values.
///
/// Params whose name is a placeholder of the path fill the path; the others go
/// into the query string (GET/DELETE) or the body envelope (POST/PUT), in the
/// order they were set. `Debug` shows no values (they can be credentials).
#[derive(Clone)]
pub struct DynamicRequest {
    route: Route,
    params: Vec<(String, Value)>,
    query: Option<QueryParams>,
}

impl std::fmt::Debug for DynamicRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("DynamicRequest").field("route", &self.route).field("params", &names).finish_non_exhaustive()
    }
}

impl DynamicRequest {
    /// A request of `route` with no params yet.
    pub fn new(route: Route) -> Self {
        DynamicRequest { route, params: Vec::new(), query: None }
    }

    /// The route.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// Set the param `name` (its wire name) to `value`, replacing an earlier
    /// value. `null` leaves it out, as an absent optional param.
    pub fn param(mut self, name: impl Into<String>, value: Value) -> Self {
        let name = name.into();
        self.params.retain(|(n, _)| *n != name);
        self.params.push((name, value));
        self
    }

    /// The value set for `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Conditions, paging and sorting of a Query API.
    pub fn query_params(mut self, params: QueryParams) -> Self {
        self.query = Some(params);
        self
    }

    /// The query params set with [`DynamicRequest::query_params`], to change them.
    pub fn query_params_mut(&mut self) -> Option<&mut QueryParams> {
        self.query.as_mut()
    }

    /// The wire form: path filled, params placed, envelope wrapped.
    pub fn to_wire(&self) -> Result<WireRequest, InvalidRequest> {
        let route = &self.route;
        let api = route.action;
        let mut used = Vec::new();
        let path = fill_template(api, route.path, |name| {
            used.push(name.to_string());
            match self.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(v.to_string()),
                Some(Value::Null) | None => Err(InvalidRequest::new(api, name, "is required (a path parameter)")),
                Some(_) => Err(InvalidRequest::new(api, name, "is a path parameter and must be a single value")),
            }
        })?;
        let rest = self.params.iter().filter(|(name, _)| !used.contains(name));
        let mut wire = WireRequest::new(route.method, route.path, path);
        wire.sensitive = route.sensitive;
        if route.method.has_body() {
            if self.query.is_some() {
                return Err(InvalidRequest::new(api, "q", "query params go with GET only"));
            }
            let mut members = Map::new();
            for (name, value) in rest {
                body_field(api, name, value, &mut members)?;
            }
            wire.body = Some(envelope(route.envelope.unwrap_or("params"), members));
        } else {
            for (name, value) in rest {
                query_field(api, name, value, &mut wire.query)?;
            }
            if let Some(query) = &self.query {
                query.push_pairs(api, &mut wire.query)?;
            }
        }
        Ok(wire)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::query::{Condition, Sort};
    use crate::request::Method;

    #[test]
    fn params_go_to_the_path_the_query_or_the_envelope() {
        let route = Route::new("UpdateVm", Method::Put, "/vm-instances/{uuid}/actions").envelope(Some("updateVm"));
        let wire = DynamicRequest::new(route)
            .param("uuid", json!("a/b"))
            .param("name", json!("web"))
            .param("cpuNum", json!(2))
            .param("description", Value::Null)
            .to_wire()
            .unwrap();
        assert_eq!(wire.path, "/vm-instances/a%2Fb/actions");
        assert_eq!(wire.body, Some(json!({"updateVm": {"name": "web", "cpuNum": 2}})));
        assert!(wire.query.is_empty());

        let route = Route::new("QueryVm", Method::Get, "/vm-instances");
        let mut params = QueryParams::default();
        params.conditions.push(Condition::eq("state", "Running"));
        params.sort = Some(Sort::desc("createDate"));
        let wire =
            DynamicRequest::new(route).param("systemTags", json!(["a", "b"])).query_params(params).to_wire().unwrap();
        let pairs: Vec<(&str, &str)> = wire.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("systemTags", "a"), ("systemTags", "b"), ("q", "state=Running"), ("sort", "-createDate")]);
        assert_eq!(wire.body, None);
    }

    #[test]
    fn bad_params_are_refused_before_any_io() {
        let route = Route::new("DeleteVm", Method::Delete, "/vm-instances/{uuid}");
        let err = DynamicRequest::new(route).to_wire().unwrap_err();
        assert_eq!((err.api, err.field.as_str()), ("DeleteVm", "uuid"));
        let err = DynamicRequest::new(route).param("uuid", json!("..")).to_wire().unwrap_err();
        assert!(err.reason.contains("dots"), "{err}");
        // An object in a query string is a map (`key.k=v`), as a typed map param is.
        let wire = DynamicRequest::new(route).param("uuid", json!("u")).param("m", json!({"a": 1, "b": ["x", "y"]}));
        let pairs = wire.to_wire().unwrap().query;
        assert_eq!(pairs, [("m.a".into(), "1".into()), ("m.b".into(), "x".into()), ("m.b".into(), "y".into())]);
        let err =
            DynamicRequest::new(route).param("uuid", json!("u")).param("m", json!({"a.b": 1})).to_wire().unwrap_err();
        assert_eq!(err.field, "m");
        let nested = json!({"a": {"b": 1}});
        let err = DynamicRequest::new(route).param("uuid", json!("u")).param("x", nested).to_wire().unwrap_err();
        assert_eq!(err.field, "x");
    }

    #[test]
    fn debug_shows_no_values() {
        let route = Route::new("LogIn", Method::Put, "/accounts/login");
        let request = DynamicRequest::new(route).param("password", json!("hunter2"));
        let shown = format!("{request:?}");
        assert!(shown.contains("password") && !shown.contains("hunter2"), "{shown}");
    }
}
