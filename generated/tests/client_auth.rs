//! Credentials end to end: login (hashed password), session header, logout,
//! `ID.1001`, access-key signing, and secrets kept out of Debug/Display.
#![cfg(all(feature = "client", feature = "test-server"))]

#[path = "client_support.rs"]
mod support;

use serde_json::json;
use sha2::{Digest, Sha512};
use support::{builder, polls, session_client};
use zstack_sdk::api::ReconnectBackupStorage;
use zstack_sdk::client::Error;
use zstack_sdk::runtime::secret::Secret;
use zstack_sdk::test_server::{Reply, TestServer, sign};

const RECONNECT: &str = "/v1/backup-storage/{uuid}/actions";

fn sha512_hex(s: &str) -> String {
    Sha512::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn login_sends_the_sha512_digest_and_later_calls_carry_the_session() {
    let server = TestServer::start().await;
    let account_uuid = server.add_account("admin", "pa ss+wörd");
    server.route("PUT", RECONNECT, Reply::ok(json!({"inventory": {}})));
    let client = builder(&server).build().unwrap();

    let session = client.login_by_account("admin", "pa ss+wörd").await.unwrap();
    assert_eq!(session.inventory.account_uuid.as_deref(), Some(account_uuid.as_str()));
    assert_eq!(session.inventory.uuid, None, "the id lives only in the Secret");
    assert!(session.inventory.expired_date.is_some());
    let id = session.id.expose().to_string();
    assert_eq!(client.session().unwrap().expose(), id);

    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    let requests = server.requests();
    let login = &requests[0];
    assert_eq!((login.method.as_str(), login.raw_path.as_str()), ("PUT", "/v1/accounts/login"));
    assert_eq!(login.header("authorization"), None);
    let digest = sha512_hex("pa ss+wörd");
    assert_eq!(digest.len(), 128);
    assert_eq!(login.json().unwrap(), json!({"logInByAccount": {"accountName": "admin", "password": digest}}));
    assert!(!login.body.as_deref().unwrap().contains("wörd"));
    assert_eq!(requests[1].header("authorization"), Some(format!("OAuth {id}").as_str()));

    // Neither the session id nor the password shows up anywhere printable.
    for shown in [format!("{client:?}"), format!("{session:?}"), format!("{:#?}", client)] {
        assert!(!shown.contains(&id), "{shown}");
        assert!(!shown.contains("wörd"));
    }
}

#[tokio::test]
async fn digest_login_is_validated_and_lowercased() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    let client = builder(&server).build().unwrap();
    let upper = sha512_hex("password").to_ascii_uppercase();
    client.login_by_account_digest("admin", &upper).await.unwrap();
    assert_eq!(server.requests()[0].json().unwrap()["logInByAccount"]["password"], sha512_hex("password"));

    server.clear_requests();
    let err = client.login_by_account_digest("admin", "password").await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(e) if e.field == "password"), "{err:?}");
    assert!(!err.to_string().contains("\"password\""), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn wrong_password_is_id_1000() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    let client = builder(&server).build().unwrap();
    let err = client.login_by_account("admin", "nope").await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert!(err.has_code("ID.1000"));
    assert!(client.session().is_none());
}

#[tokio::test]
async fn logout_deletes_the_session_without_authorization_and_forgets_it() {
    let server = TestServer::start().await;
    server.add_account("admin", "password");
    let client = builder(&server).build().unwrap();
    let id = client.login_by_account("admin", "password").await.unwrap().id.expose().to_string();
    assert!(server.session_valid(&id));

    client.logout().await.unwrap();
    assert!(client.session().is_none());
    assert!(!server.session_valid(&id));
    let logout = server.requests().pop().unwrap();
    assert_eq!(logout.method, "DELETE");
    assert_eq!(logout.raw_path, format!("/v1/accounts/sessions/{id}"));
    assert_eq!((logout.header("authorization"), logout.body.as_deref()), (None, None));

    // Logged out: session APIs are refused before sending; a second logout is a no-op.
    let before = server.requests().len();
    client.logout().await.unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn expired_session_is_session_expired_sync_and_via_poll() {
    let (server, client, session) = session_client().await;
    server.route("PUT", "/v1/things/{uuid}", Reply::ok(json!({})));
    server.route("PUT", RECONNECT, Reply::async_done(0, json!({"inventory": {}})));
    server.expire_session(&session);

    #[derive(Clone, Debug, zstack_sdk::Api)]
    #[api(method = "PUT", path = "/things/{uuid}", envelope = "updateThing")]
    struct UpdateThing {
        uuid: String,
    }
    let err = client.call(UpdateThing { uuid: "t".into() }).await.unwrap_err();
    assert!(err.is_session_expired(), "{err:?}");
    assert!(err.has_code("ID.1001"));
    assert!(!err.to_string().contains(&session), "{err}");

    // An async action is accepted first; ID.1001 arrives from the poll.
    assert_eq!(err.job_id(), None);
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { job_id: Some(_), .. }), "{err:?}");
    let polls = polls(&server.requests()).into_iter().map(|r| r.path.clone()).collect::<Vec<_>>();
    assert_eq!(polls, [format!("/v1/api-jobs/{}", err.job_id().unwrap())]);
}

#[tokio::test]
async fn session_expiry_nested_in_a_cause_is_detected() {
    let (server, client, _) = session_client().await;
    let error = json!({"code": "SYS.1000", "description": "internal", "causes": [
        {"code": "SYS.1006"},
        {"code": "SYS.1000", "cause": {"code": "ID.1001", "details": "session expired"}}
    ]});
    server.route("PUT", RECONNECT, Reply::async_failed(0, error));
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(err.is_session_expired(), "{err:?}");
    assert!(err.has_code("SYS.1006"));
}

#[tokio::test]
async fn access_key_requests_are_signed_and_verified_by_the_double() {
    let server = TestServer::start().await;
    server.add_access_key("AKID1", "sec/ret+key");
    server.route("PUT", RECONNECT, Reply::async_done(1, json!({"inventory": {"name": "signed"}})));
    let client = builder(&server).access_key("AKID1", Secret::new("sec/ret+key")).build().unwrap();

    // A placeholder value that needs encoding: the signature covers the raw value.
    let reply = client.call(ReconnectBackupStorage::new("bs 1+é")).await.unwrap();
    assert_eq!(reply.inventory.base().name.as_deref(), Some("signed"));

    let requests = server.requests();
    let call = &requests[0];
    assert_eq!(call.raw_path, "/v1/backup-storage/bs%201%2B%C3%A9/actions");
    let date = call.header("date").unwrap();
    assert!(date.ends_with(" UTC"), "{date}");
    let expected = sign("sec/ret+key", &format!("PUT\n{date}\n/v1/backup-storage/bs 1+é/actions"));
    assert_eq!(call.header("authorization").unwrap(), format!("ZStack AKID1:{expected}"));

    // Polls are signed afresh: GET, their own Date, the job path.
    let poll_list = polls(&requests);
    assert_eq!(poll_list.len(), 2);
    for poll in poll_list {
        let date = poll.header("date").unwrap();
        let expected = sign("sec/ret+key", &format!("GET\n{date}\n{}", poll.path));
        assert_eq!(poll.header("authorization").unwrap(), format!("ZStack AKID1:{expected}"));
    }

    let shown = format!("{client:?}");
    assert!(shown.contains("AKID1") && !shown.contains("sec/ret+key"), "{shown}");
}

#[tokio::test]
async fn access_key_date_format_zone_and_clock_offset() {
    let server = TestServer::start().await;
    server.add_access_key("AK", "s");
    server.route("PUT", RECONNECT, Reply::ok(json!({"inventory": {}})));
    let date_re = regex_lite::Regex::new(
        r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} Asia/Shanghai$",
    )
    .unwrap();
    let client = builder(&server)
        .access_key("AK", Secret::new("s"))
        .date_zone("Asia/Shanghai")
        .clock_offset_secs(8 * 3600)
        .build()
        .unwrap();
    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    let date = server.requests()[0].header("date").unwrap().to_string();
    assert!(date_re.is_match(&date), "{date}");

    // With the skew check on, the double compares the written wall clock with
    // its own UTC clock: 8 h ahead is refused, an offset of 0 is accepted.
    server.check_skew(true);
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(&err, Error::Http { status: 403, body_excerpt } if body_excerpt.contains("Skewed")), "{err}");
    let utc_client = builder(&server).access_key("AK", Secret::new("s")).build().unwrap();
    utc_client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
}

#[tokio::test]
async fn wrong_secret_is_rejected_by_the_double() {
    let server = TestServer::start().await;
    server.add_access_key("AK", "right");
    server.route("PUT", RECONNECT, Reply::ok(json!({})));
    let client = builder(&server).access_key("AK", Secret::new("wrong")).build().unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    assert!(matches!(&err, Error::Http { status: 400, body_excerpt } if body_excerpt.contains("signature")), "{err}");
    assert!(!err.to_string().contains("wrong"));
}

#[tokio::test]
async fn derived_clients_have_their_own_credentials() {
    let (server, client, session) = session_client().await;
    server.add_access_key("AK", "s");
    server.route("PUT", RECONNECT, Reply::ok(json!({"inventory": {}})));
    let other_session = server.new_session();
    let other = client.with_session(Secret::new(other_session.clone()));
    let keyed = client.with_access_key("AK", Secret::new("s"));
    client.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    other.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    keyed.call(ReconnectBackupStorage::new("bs")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].header("authorization"), Some(format!("OAuth {session}").as_str()));
    assert_eq!(requests[1].header("authorization"), Some(format!("OAuth {other_session}").as_str()));
    assert!(requests[2].header("authorization").unwrap().starts_with("ZStack AK:"));
    assert_eq!(client.session().unwrap().expose(), session, "the original is unchanged");

    // `set_session` on one clone is seen by the others.
    let clone = client.clone();
    clone.set_session(Secret::new(other_session.clone()));
    assert_eq!(client.session().unwrap().expose(), other_session);
    client.clear_credentials();
    assert!(clone.session().is_none());
}

/// Generated APIs that carry credentials: session ids in paths and in login
/// replies, and credential-named fields in any reply, never reach Debug
/// output or error excerpts.
#[tokio::test]
async fn generated_session_apis_keep_session_ids_and_credentials_out_of_sight() {
    use zstack_sdk::api::{LogInByUser, LogOut};
    use zstack_sdk::runtime::secret::Password;
    const ID: &str = "5e551011d0000000000000000000c0de";

    let logout = LogOut::new(ID);
    assert!(!format!("{logout:?}").contains(ID));
    let wire = zstack_sdk::ApiRequest::to_wire(&logout).unwrap();
    assert_eq!(wire.path, format!("/accounts/sessions/{ID}"));

    let server = TestServer::start().await;
    let client = builder(&server).build().unwrap();
    let login = json!({"inventory": {"uuid": ID, "userUuid": "u"}});
    server.route("PUT", "/v1/accounts/users/login", Reply::ok(login)).needs_session(false);
    let reply = client.call(LogInByUser::new("alice", Password::plain("pw"))).await.unwrap();
    assert_eq!(reply.inventory.uuid.as_ref().map(Secret::expose), Some(ID));
    assert!(!format!("{reply:?}").contains(ID));

    // A reply that does not decode: the excerpt would quote the session id.
    let broken = json!({"inventory": {"uuid": ID, "createDate": 5}});
    server.route("PUT", "/v1/accounts/users/login", Reply::ok(broken)).needs_session(false);
    let err = client.call(LogInByUser::new("alice", Password::plain("pw"))).await.unwrap_err();
    assert!(matches!(&err, Error::Decode { path, .. } if path == "inventory.createDate"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(ID), "{err:?}");

    // Elsewhere excerpts are kept, minus the values of credential-named keys.
    let body = json!({"inventory": {"name": "ceph-1", "sshPassword": "hunter2", "totalCapacity": "lots"}});
    server.route("PUT", RECONNECT, Reply::ok(body));
    let client = builder(&server).session(Secret::new(server.new_session())).build().unwrap();
    let err = client.call(ReconnectBackupStorage::new("bs")).await.unwrap_err();
    let Error::Decode { body_excerpt, .. } = &err else { panic!("{err:?}") };
    assert!(body_excerpt.contains("ceph-1") && !body_excerpt.contains("hunter2"), "{body_excerpt}");
}
