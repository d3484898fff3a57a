//! Query APIs end to end: condition encoding, sorting, field selection,
//! get-by-uuid, counting, paginated streams and pre-send rejection.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use futures_util::StreamExt as _;
use serde_json::{Value, json};
use support::session_client;
use zstack_sdk::api::QueryBackupStorage;
use zstack_sdk::client::Error;
use zstack_sdk::runtime::query::{Condition, QueryRequest, Sort};
use zstack_sdk::test_server::{Reply, query_reply};
use zstack_sdk::types::{AnyBackupStorageInventory, BackupStorageInventory as Bs};

const PATH: &str = "/v1/backup-storage";

fn inventories(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"uuid": format!("bs-{i}"), "name": format!("store {i}"), "totalCapacity": 1.0e3})).collect()
}

#[tokio::test]
async fn every_operator_is_encoded_on_the_wire() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(1));
    let request = QueryBackupStorage::new()
        .filter(Condition::eq("name", "web 1"))
        .filter(Condition::not_eq("state", "Enabled"))
        .filter(Condition::gt("totalCapacity", 2))
        .filter(Condition::ge("totalCapacity", 2))
        .filter(Condition::lt("availableCapacity", 1024i64))
        .filter(Condition::le("availableCapacity", 1024i64))
        .filter(Condition::is_in("uuid", ["a", "b"]))
        .filter(Condition::not_in("uuid", ["c", "d"]))
        .filter(Condition::like("name", "web%"))
        .filter(Condition::not_like("name", "db_"))
        .filter(Condition::is_null("description"))
        .filter(Condition::not_null("url"));
    let reply = client.call(request).await.unwrap();
    assert_eq!(reply.inventories.len(), 1);

    let req = &server.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!((req.body.as_deref(), req.header("content-type")), (None, None));
    let want_raw = [
        "q=name%3Dweb%201",
        "q=state%21%3DEnabled",
        "q=totalCapacity%3E2",
        "q=totalCapacity%3E%3D2",
        "q=availableCapacity%3C1024",
        "q=availableCapacity%3C%3D1024",
        "q=uuid%3F%3Da%2Cb",
        "q=uuid%21%3F%3Dc%2Cd",
        "q=name~%3Dweb%25",
        "q=name%21~%3Ddb_",
        "q=description%20is%20null",
        "q=url%20not%20null",
    ]
    .join("&");
    assert_eq!(req.raw_query.as_deref(), Some(want_raw.as_str()));
    assert_eq!(
        req.query_values("q"),
        [
            "name=web 1",
            "state!=Enabled",
            "totalCapacity>2",
            "totalCapacity>=2",
            "availableCapacity<1024",
            "availableCapacity<=1024",
            "uuid?=a,b",
            "uuid!?=c,d",
            "name~=web%",
            "name!~=db_",
            "description is null",
            "url not null",
        ]
    );
}

#[tokio::test]
async fn sort_fields_and_paging_params() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(3));
    let asc = QueryBackupStorage::new()
        .sort_by(Bs::CREATE_DATE.asc())
        .select_fields([Bs::UUID, Bs::NAME])
        .limit(2)
        .start(1)
        .reply_with_count();
    let reply = client.call(asc).await.unwrap();
    assert_eq!(reply.total, Some(3));
    assert_eq!(reply.inventories.len(), 2);
    assert_eq!(reply.inventories[0].base().uuid.as_deref(), Some("bs-1"));
    client.call(QueryBackupStorage::new().sort_by(Bs::NAME.desc())).await.unwrap();
    // No direction: the MN's default; an untyped sort and `groupBy` for fields without a constant.
    client.call(QueryBackupStorage::new().sort_by(Bs::NAME)).await.unwrap();
    client.call(QueryBackupStorage::new().sort_by(Sort::desc("attachedZones.name")).group_by("type")).await.unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].raw_query.as_deref(),
        Some("limit=2&start=1&replyWithCount=true&sort=%2BcreateDate&fields=uuid%2Cname")
    );
    assert_eq!(requests[0].query_values("fields"), ["uuid,name"], "one comma-joined param");
    assert_eq!(requests[1].raw_query.as_deref(), Some("sort=-name"));
    assert_eq!(requests[2].raw_query.as_deref(), Some("sort=name"));
    assert_eq!(requests[3].raw_query.as_deref(), Some("sort=-attachedZones.name&groupBy=type"));
}

#[tokio::test]
async fn get_by_uuid_uses_the_collection_path() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(10));
    let found = client.call(QueryBackupStorage::new()).get("bs-7").await.unwrap().unwrap();
    assert_eq!(found.base().name.as_deref(), Some("store 7"));
    assert_eq!(found.base().total_capacity, Some(1000), "1.0e3 decodes as an integer");
    let missing = client.call(QueryBackupStorage::new()).get("nope").await.unwrap();
    assert!(missing.is_none());

    let requests = server.requests();
    assert_eq!(requests[0].raw_path, "/v1/backup-storage");
    assert_eq!(requests[0].raw_query.as_deref(), Some("q=uuid%3Dbs-7"));
    assert_eq!(requests[1].raw_query.as_deref(), Some("q=uuid%3Dnope"));
}

#[tokio::test]
async fn count_asks_for_the_total_only() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(42));
    let n = client.call(QueryBackupStorage::new().filter(Condition::like("name", "store%"))).count().await.unwrap();
    assert_eq!(n, 42);
    assert_eq!(server.requests()[0].raw_query.as_deref(), Some("q=name~%3Dstore%25&count=true"));
}

#[tokio::test]
async fn stream_pages_with_limit_and_start_until_a_short_page() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(250));
    let all: Vec<_> = client.call(QueryBackupStorage::new()).page_size(100).stream().collect().await;
    let uuids: Vec<String> = all.into_iter().map(|r| r.unwrap().base().uuid.clone().unwrap()).collect();
    assert_eq!(uuids.len(), 250);
    assert_eq!(uuids[0], "bs-0");
    assert_eq!(uuids[249], "bs-249");

    let requests = server.requests();
    let starts: Vec<&str> = requests.iter().map(|r| r.query_first("start").unwrap()).collect();
    assert_eq!(starts, ["0", "100", "200"]);
    assert!(requests.iter().all(|r| r.query_first("limit") == Some("100")));
    let job_ids: std::collections::HashSet<_> = requests.iter().map(|r| r.job_uuid().unwrap()).collect();
    assert_eq!(job_ids.len(), 3, "each page is its own request");
}

#[tokio::test]
async fn stream_default_page_size_exact_multiple_and_start_offset() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(200));
    let n = client.call(QueryBackupStorage::new()).stream().count().await;
    assert_eq!(n, 200);
    let starts: Vec<String> = server.requests().iter().map(|r| r.query_first("start").unwrap().to_string()).collect();
    assert_eq!(starts, ["0", "100", "200"], "default page size 100; the empty third page ends it");

    server.clear_requests();
    let rest: Vec<_> = client.call(QueryBackupStorage::new().start(190).limit(5)).page_size(7).stream().collect().await;
    assert_eq!(rest.len(), 10);
    assert_eq!(rest[0].as_ref().unwrap().base().uuid.as_deref(), Some("bs-190"));
    let limits: Vec<String> = server.requests().iter().map(|r| r.query_first("limit").unwrap().to_string()).collect();
    assert_eq!(limits, ["7", "7"]);
}

#[tokio::test]
async fn stream_yields_an_error_and_stops() {
    let (server, client, _) = session_client().await;
    let all = inventories(300);
    server.route(
        "GET",
        PATH,
        Reply::func(move |req| {
            if req.query_first("start") == Some("100") {
                Reply::error("SYS.1000", "internal error")
            } else {
                query_reply(all.clone(), req)
            }
        }),
    );
    let items: Vec<_> = client.call(QueryBackupStorage::new()).stream().collect().await;
    assert_eq!(items.len(), 101);
    assert!(items[..100].iter().all(Result::is_ok));
    let err = items[100].as_ref().unwrap_err();
    assert!(err.has_code("SYS.1000"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn misparsable_conditions_never_reach_the_server() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(1));
    let bad = [
        Condition::eq("name", "a=b"),
        Condition::eq("name", "a<b"),
        Condition::like("name", "x>y%"),
        Condition::is_in("uuid", ["a,b"]),
        Condition::eq("name!", "x"),
    ];
    for condition in bad {
        let err = client.call(QueryBackupStorage::new().filter(condition.clone())).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "q"), "{condition:?}: {err:?}");
    }
    let err = client.call(QueryBackupStorage::new()).get("x=y").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let mut stream = Box::pin(client.call(QueryBackupStorage::new().filter(Condition::eq("a", "<"))).stream());
    assert!(matches!(stream.next().await, Some(Err(Error::InvalidRequest(_)))));
    assert!(stream.next().await.is_none());
    let err = client.call(QueryBackupStorage::new().select_fields(["uuid,name"])).count().await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "fields"), "{err:?}");
    assert!(server.requests().is_empty(), "request log: {:?}", server.requests());
}

#[tokio::test]
async fn schema_picks_the_subclass_of_each_row() {
    let (server, client, _) = session_client().await;
    let body = json!({
        "inventories": [
            {"uuid": "c1", "name": "ceph", "fsid": "f-1", "mons": [{"hostname": "mon1"}]},
            {"uuid": "p1", "name": "plain"}
        ],
        "schema": {
            "inventories[0]": "org.zstack.storage.ceph.backup.CephBackupStorageInventory",
            "inventories[1]": "org.zstack.header.storage.backup.BackupStorageInventory"
        }
    });
    server.route("GET", PATH, Reply::ok(body));
    let rows: Vec<_> = client.call(QueryBackupStorage::new()).stream().collect().await;
    match rows[0].as_ref().unwrap() {
        AnyBackupStorageInventory::CephBackupStorageInventory(ceph) => {
            assert_eq!(ceph.fsid.as_deref(), Some("f-1"));
            assert_eq!(ceph.mons[0].hostname.as_deref(), Some("mon1"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(rows[1].as_ref().unwrap(), AnyBackupStorageInventory::BackupStorageInventory(_)));
}

#[tokio::test]
async fn query_setters_are_available_on_the_call() {
    let (server, client, _) = session_client().await;
    server.query_route(PATH, inventories(5));
    let reply = client
        .call(QueryBackupStorage::new())
        .filter(Condition::not_null("url"))
        .limit(2)
        .start(3)
        .reply_with_count()
        .sort_by(Bs::NAME.asc())
        .group_by(Bs::TYPE)
        .select_fields(["uuid"])
        .filter_name("mine")
        .send()
        .await
        .unwrap();
    assert_eq!((reply.inventories.len(), reply.total), (2, Some(5)));
    assert_eq!(
        server.requests()[0].raw_query.as_deref(),
        Some(
            "q=url%20not%20null&limit=2&start=3&replyWithCount=true&sort=%2Bname&fields=uuid&filterName=mine&groupBy=type"
        )
    );
}
