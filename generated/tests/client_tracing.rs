//! The `zstack.call` span and poll events, captured with a small
//! `tracing-subscriber` layer; secrets must not appear in any field.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::builder;
use tracing::field::{Field, Visit};
use tracing::span::Attributes;
use tracing::{Event, Id, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use zstack_sdk::api::ReconnectBackupStorage;
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{Reply, TestServer};

#[derive(Clone, Debug)]
struct Record {
    name: String,
    level: Level,
    /// For events: the name of the span they happened in.
    parent: Option<String>,
    fields: Vec<(String, String)>,
}

impl Record {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Record>>>,
    events: Arc<Mutex<Vec<Record>>>,
}

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_string(), format!("{value:?}")));
    }
}

impl<S> Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut fields = Fields(Vec::new());
        attrs.record(&mut fields);
        let meta = attrs.metadata();
        let record = Record { name: meta.name().to_string(), level: *meta.level(), parent: None, fields: fields.0 };
        self.spans.lock().unwrap().push(record);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let parent = ctx.event_span(event).map(|span| span.name().to_string());
        let meta = event.metadata();
        let record = Record { name: meta.name().to_string(), level: *meta.level(), parent, fields: fields.0 };
        self.events.lock().unwrap().push(record);
    }
}

#[tokio::test]
async fn calls_are_spans_with_action_method_path_and_job_id_and_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));

    let server = TestServer::start().await;
    server.add_account("admin", "hunter2-password");
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::async_done(1, json!({"inventory": {}})));
    let client = builder(&server).build().unwrap();
    let session = client.login_by_account("admin", "hunter2-password").await.unwrap().id.expose().to_string();
    client.call(ReconnectBackupStorage::new("bs-1")).await.unwrap();
    client.logout().await.unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    let calls: Vec<&Record> = spans.iter().filter(|s| s.name == "zstack.call").collect();
    assert_eq!(calls.len(), 3, "{spans:#?}");
    assert!(calls.iter().all(|s| s.level == Level::INFO));
    let actions: Vec<_> = calls.iter().map(|s| s.field("action").unwrap()).collect();
    assert_eq!(actions, ["LogInByAccount", "ReconnectBackupStorage", "LogOut"]);

    let reconnect = calls[1];
    assert_eq!(reconnect.field("method"), Some("PUT"));
    assert_eq!(reconnect.field("path"), Some("/backup-storage/{uuid}/actions"));
    let requests = server.requests();
    let sent_job = requests.iter().find(|r| r.raw_path.starts_with("/v1/backup-storage")).unwrap().job_uuid().unwrap();
    assert_eq!(reconnect.field("job_id"), Some(sent_job));
    // LogOut's path holds the session id: the span has the template only.
    assert_eq!(calls[2].field("path"), Some("/accounts/sessions/{sessionUuid}"));

    let events = capture.events.lock().unwrap().clone();
    let poll_events: Vec<&Record> = events.iter().filter(|e| e.field("message") == Some("job poll")).collect();
    assert_eq!(poll_events.len(), 2, "{events:#?}");
    for e in &poll_events {
        assert_eq!(e.level, Level::DEBUG);
        assert_eq!(e.parent.as_deref(), Some("zstack.call"));
        assert_eq!(e.field("job_id"), Some(sent_job));
        assert!(e.field("status").is_some() && e.field("attempt").is_some());
    }

    let everything = format!("{spans:?} {events:?}");
    assert!(!everything.contains(&session), "session id leaked into tracing");
    assert!(!everything.contains("hunter2"), "password leaked into tracing");
    let digest = requests[0].json().unwrap()["logInByAccount"]["password"].as_str().unwrap().to_string();
    assert!(!everything.contains(&digest), "password digest leaked into tracing");
}

#[tokio::test]
async fn access_key_secrets_stay_out_of_tracing() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    let server = TestServer::start().await;
    server.add_access_key("AKX", "very-secret-key");
    server.route("PUT", "/v1/backup-storage/{uuid}/actions", Reply::ok(json!({"inventory": {}})));
    let client = builder(&server).access_key("AKX", Secret::new("very-secret-key")).build().unwrap();
    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    let signature = server.requests()[0].header("authorization").unwrap().to_string();
    let everything = format!("{:?} {:?}", capture.spans.lock().unwrap(), capture.events.lock().unwrap());
    assert!(everything.contains("zstack.call"));
    assert!(!everything.contains("very-secret-key"));
    assert!(!everything.contains(signature.trim_start_matches("ZStack AKX:")));
}
