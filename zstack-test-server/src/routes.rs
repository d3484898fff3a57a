//! The route table and how a request finds its route.
//!
//! Routes match the decoded path segment by segment; `{name}` matches any
//! non-empty segment. Later registrations win over earlier ones. Among routes
//! for the same method and path, the MN picks the action whose envelope key is
//! a top-level key of the body (shared PUT routes).

use serde_json::{Map, Value};

use super::reply::{Answer, Reply};

/// What a route runs.
#[derive(Clone, Debug)]
pub(crate) enum Handler {
    /// A scripted reply.
    Scripted(Reply),
    /// `PUT /v1/accounts/login` (LogInByAccount).
    Login,
    /// `DELETE /v1/accounts/sessions/{sessionUuid}` (LogOut).
    Logout,
    /// `GET /v1/accounts/sessions/{sessionUuid}/valid` (ValidateSession).
    ValidateSession,
    /// `PUT /v1/management-nodes/actions` with `getVersion` (GetVersion).
    Version,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) id: u64,
    method: String,
    segments: Vec<Segment>,
    pub(crate) envelope: Option<String>,
    pub(crate) needs_session: bool,
    pub(crate) handler: Handler,
}

/// The route a request was matched to.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) needs_session: bool,
    pub(crate) handler: Handler,
    /// Placeholder values taken from the decoded path.
    pub(crate) params: Vec<(String, String)>,
}

impl Matched {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
    next_id: u64,
}

/// Parses a route pattern such as `/v1/backup-storage/{uuid}/actions`.
fn parse_pattern(pattern: &str) -> Vec<Segment> {
    assert!(
        pattern.starts_with("/v1/"),
        "test server route patterns start with `/v1/` (got `{pattern}`); the context path is not part of them"
    );
    pattern
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name.to_string()),
            None => Segment::Literal(seg.to_string()),
        })
        .collect()
}

impl Route {
    /// The placeholder values when `path` matches this route's pattern.
    fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(lit) if lit == part => {}
                Segment::Param(name) if !part.is_empty() => params.push((name.clone(), part.to_string())),
                _ => return None,
            }
        }
        Some(params)
    }
}

impl RouteTable {
    pub(crate) fn add(&mut self, method: &str, pattern: &str, envelope: Option<String>, handler: Handler) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.routes.push(Route {
            id,
            method: method.to_ascii_uppercase(),
            segments: parse_pattern(pattern),
            envelope,
            needs_session: true,
            handler,
        });
        id
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut Route> {
        self.routes.iter_mut().find(|r| r.id == id)
    }

    pub(crate) fn remove(&mut self, id: u64) {
        self.routes.retain(|r| r.id != id);
    }

    /// Finds the route for a request, or the protocol error the MN would answer.
    pub(crate) fn lookup(&self, method: &str, path: &str, body: Option<&str>) -> Result<Matched, Answer> {
        let mut path_known = false;
        let mut candidates = Vec::new();
        for route in self.routes.iter().rev() {
            if let Some(params) = route.match_path(path) {
                path_known = true;
                if route.method == method {
                    candidates.push((route, params));
                }
            }
        }
        if candidates.is_empty() {
            return Err(if path_known {
                Answer::text(405, format!("the method {method} is not allowed on {path}"))
            } else {
                Answer::text(404, format!("no api mapping to {path}"))
            });
        }
        let chosen = if method == "POST" || method == "PUT" {
            let envelope = parse_envelope(body)?;
            let by_key = candidates
                .iter()
                .position(|(r, _)| r.envelope.as_ref().is_some_and(|key| envelope.contains_key(key.as_str())));
            let fallback = || candidates.iter().position(|(r, _)| r.envelope.is_none());
            by_key
                .or_else(fallback)
                .ok_or_else(|| Answer::text(400, "the body doesn't contain action mapping to the URL"))?
        } else {
            0
        };
        let (route, params) = candidates.swap_remove(chosen);
        Ok(Matched { needs_session: route.needs_session, handler: route.handler.clone(), params })
    }
}

/// The top-level object of a POST/PUT body. The MN parses every such body,
/// and anything that is not a JSON object fails inside it (`500`).
fn parse_envelope(body: Option<&str>) -> Result<Map<String, Value>, Answer> {
    let text = body.unwrap_or("");
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Answer::text(500, "the request body is not a JSON object")),
        Err(e) => Err(Answer::text(500, format!("the request body is not valid JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(n: i64) -> Handler {
        Handler::Scripted(Reply::ok(serde_json::json!(n)))
    }

    fn which(m: &Matched) -> i64 {
        match &m.handler {
            Handler::Scripted(Reply::Json(_, v)) => v.as_i64().unwrap(),
            _ => -1,
        }
    }

    #[test]
    fn matches_placeholders_and_trailing_slashes() {
        let mut t = RouteTable::default();
        t.add("get", "/v1/zones/{uuid}", None, scripted(1));
        t.add("PUT", "/v1/cas/login/", None, scripted(2));
        let m = t.lookup("GET", "/v1/zones/abc", None).unwrap();
        assert_eq!((which(&m), m.param("uuid")), (1, Some("abc")));
        assert_eq!(t.lookup("GET", "/v1/zones/", None).unwrap_err().status, 404);
        assert_eq!(t.lookup("GET", "/v1/zones/a/b", None).unwrap_err().status, 404);
        assert_eq!(t.lookup("DELETE", "/v1/zones/a", None).unwrap_err().status, 405);
        assert_eq!(which(&t.lookup("PUT", "/v1/cas/login/", Some("{}")).unwrap()), 2);
        assert_eq!(t.lookup("PUT", "/v1/cas/login", Some("{}")).unwrap_err().status, 404);
    }

    #[test]
    fn picks_by_envelope_then_latest() {
        let mut t = RouteTable::default();
        t.add("PUT", "/v1/vms/{uuid}/actions", Some("startVmInstance".into()), scripted(1));
        t.add("PUT", "/v1/vms/{vmUuid}/actions", Some("stopVmInstance".into()), scripted(2));
        let body = |k: &str| format!("{{\"{k}\":{{}}}}");
        assert_eq!(which(&t.lookup("PUT", "/v1/vms/x/actions", Some(&body("startVmInstance"))).unwrap()), 1);
        assert_eq!(which(&t.lookup("PUT", "/v1/vms/x/actions", Some(&body("stopVmInstance"))).unwrap()), 2);
        let miss = t.lookup("PUT", "/v1/vms/x/actions", Some(&body("rebootVmInstance"))).unwrap_err();
        assert_eq!(miss, Answer::text(400, "the body doesn't contain action mapping to the URL"));
        assert_eq!(t.lookup("PUT", "/v1/vms/x/actions", Some("{")).unwrap_err().status, 500);
        t.add("PUT", "/v1/vms/{uuid}/actions", None, scripted(3));
        assert_eq!(which(&t.lookup("PUT", "/v1/vms/x/actions", Some(&body("rebootVmInstance"))).unwrap()), 3);
        t.add("PUT", "/v1/vms/{uuid}/actions", Some("startVmInstance".into()), scripted(4));
        assert_eq!(which(&t.lookup("PUT", "/v1/vms/x/actions", Some(&body("startVmInstance"))).unwrap()), 4);
    }
}
