//! `DynamicCall`: an API known only at run time goes through the same send
//! path as a typed call, with the same bytes on the wire.
#![cfg(all(feature = "client", feature = "test-server", feature = "vm-instances"))]

#[path = "client_support.rs"]
mod support;

use serde_json::json;
use support::{api_requests, polls, session_client};
use zstack_sdk::ApiRequest as _;
use zstack_sdk::api::{CreateVmInstance, CreateVmInstanceSetters as _, QueryVmInstance};
use zstack_sdk::client::{DynamicJob, DynamicSubmitted, Error};
use zstack_sdk::runtime::dynamic::DynamicRequest;
use zstack_sdk::runtime::query::{Condition, QueryParams};
use zstack_sdk::test_server::{Reply, error_code};

#[tokio::test]
async fn a_dynamic_request_sends_the_bytes_of_the_typed_one() {
    let (server, client, _) = session_client().await;
    server.route("POST", "/v1/vm-instances", Reply::async_done(1, json!({"inventory": {"uuid": "vm1"}})));
    let typed = CreateVmInstance::new("web").cpu_num(2).l3_network_uuids(["l3a", "l3b"]);
    client.call(typed).await.unwrap();
    let dynamic = DynamicRequest::new(CreateVmInstance::ROUTE)
        .param("name", json!("web"))
        .param("cpuNum", json!(2))
        .param("l3NetworkUuids", json!(["l3a", "l3b"]));
    let reply = client.call_dynamic(dynamic).send().await.unwrap();
    assert_eq!(reply["inventory"]["uuid"], "vm1");

    let requests = server.requests();
    let calls = api_requests(&requests);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].body, calls[1].body);
    assert_eq!(
        (calls[0].method.as_str(), calls[0].raw_path.as_str()),
        (calls[1].method.as_str(), calls[1].raw_path.as_str())
    );
    assert_eq!(polls(&requests).len(), 4, "both jobs were polled to the end");
}

#[tokio::test]
async fn queries_jobs_errors_and_previews() {
    let (server, client, session) = session_client().await;
    server.query_route("/v1/vm-instances", vec![json!({"uuid": "a", "state": "Running"})]);
    let mut params = QueryParams::default();
    params.conditions.push(Condition::eq("state", "Running"));
    params.limit = Some(5);
    let request = DynamicRequest::new(QueryVmInstance::ROUTE).query_params(params);
    let page = client.call_dynamic(request.clone()).send().await.unwrap();
    assert_eq!(page["inventories"][0]["uuid"], "a");
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.query_values("q"), ["state=Running"]);
    assert_eq!(sent.query_first("limit"), Some("5"));

    // A preview shows the request and sends nothing.
    server.clear_requests();
    let preview = client.call_dynamic(request).preview().unwrap();
    assert!(preview.url.ends_with("/v1/vm-instances?q=state%3DRunning&limit=5"), "{}", preview.url);
    assert!(preview.headers.contains(&("authorization".into(), "<redacted>".into())), "{:?}", preview.headers);
    assert!(!format!("{preview:?}").contains(&session));
    assert!(server.requests().is_empty());

    // submit() hands back the job; attaching later reads its result.
    server.route("POST", "/v1/vm-instances", Reply::async_done(2, json!({"inventory": {"uuid": "vm2"}})));
    let request = DynamicRequest::new(CreateVmInstance::ROUTE).param("name", json!("db"));
    let DynamicSubmitted::Pending(job) = client.call_dynamic(request).submit().await.unwrap() else {
        panic!("expected a job")
    };
    let attached = DynamicJob::attach(&client, job.job_id()).unwrap();
    assert_eq!(attached.wait().await.unwrap()["inventory"]["uuid"], "vm2");

    // The MN's errors are the typed client's errors.
    server.route("POST", "/v1/vm-instances", Reply::error_value(error_code("SYS.1001", "boom", None)));
    let request = DynamicRequest::new(CreateVmInstance::ROUTE).param("name", json!("x"));
    let err = client.call_dynamic(request).send().await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }) && err.has_code("SYS.1001"), "{err:?}");
    // Bad params fail before any I/O.
    server.clear_requests();
    let err = client.call_dynamic(DynamicRequest::new(CreateVmInstance::ROUTE).param("x", json!({"a": [1]}))).preview();
    assert!(err.is_ok(), "objects are fine in a body");
    let err = client.call_dynamic(DynamicRequest::new(zstack_sdk::api::DestroyVmInstance::ROUTE)).send().await;
    assert!(matches!(err, Err(Error::InvalidRequest(ref e)) if e.field == "uuid"), "{err:?}");
    assert!(server.requests().is_empty());
}
