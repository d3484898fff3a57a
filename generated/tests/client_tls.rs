//! TLS: certificates are verified by default; a private CA can be trusted
//! explicitly; `danger_accept_invalid_certs` is the only way around both.
#![cfg(feature = "client")]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use zstack_sdk::client::{Client, Error};

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/tls/server.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/server.key");

#[derive(zstack_sdk::Api)]
#[api(method = "GET", path = "/management-nodes/version", response = Value, session = false)]
struct GetVersion {}

/// An HTTPS server on loopback presenting the fixture certificate; every
/// request that completes a handshake gets `200 {"version":"5.0"}`.
fn https_server() -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs: Vec<CertificateDer> = CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let config = Arc::new(rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = BufReader::new(rustls::StreamOwned::new(conn, tcp));
            // A refused handshake ends here with an error; wait for the next client.
            let mut line = String::new();
            while tls.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let body = r#"{"version":"5.0"}"#;
            let reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = tls.get_mut().write_all(reply.as_bytes());
            let _ = tls.get_mut().flush();
        }
    });
    format!("https://127.0.0.1:{port}/zstack")
}

#[tokio::test]
async fn an_unknown_certificate_is_refused_by_default() {
    let client = Client::builder().base_url(https_server()).no_proxy().build().unwrap();
    let err = client.call(GetVersion {}).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(format!("{err:?}").to_lowercase().contains("certificate"), "{err:?}");
}

#[tokio::test]
async fn a_trusted_private_ca_verifies_the_server() {
    let client = Client::builder().base_url(https_server()).no_proxy().add_root_certificate_pem(CA).build().unwrap();
    let version = client.call(GetVersion {}).await.unwrap();
    assert_eq!(version["version"], "5.0");
}

#[tokio::test]
async fn danger_accept_invalid_certs_skips_verification() {
    let client =
        Client::builder().base_url(https_server()).no_proxy().danger_accept_invalid_certs(true).build().unwrap();
    let version = client.call(GetVersion {}).await.unwrap();
    assert_eq!(version["version"], "5.0");
}
