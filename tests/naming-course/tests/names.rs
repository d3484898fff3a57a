//! The obstacle course compiles, and every escaped name keeps its wire name.

use naming_course::api::{Probe, ProbeReply, ProbeReply2, Type, Widget};
use naming_course::prelude::*;
use naming_course::types::{Mode, Option_, ProbeSelf, Protocol, Self_, WidgetMode};
use zstack_sdk::ApiRequest;

#[test]
fn keyword_params_keep_their_wire_names() {
    let req = Type::new("s1")
        .type_("t")
        .async_(true)
        .self_2("S")
        ._3par(3)
        .foo_bar("camel")
        .foo_bar_2("snake")
        .new_2("n")
        .path_2("p")
        .params_2("q");
    let wire = req.to_wire().expect("valid request");
    assert_eq!(wire.path, "/types/s1/actions");
    let body = wire.body.expect("PUT has a body");
    assert_eq!(
        body,
        serde_json::json!({"type": {
            "type": "t", "async": true, "Self": "S", "3par": 3, "fooBar": "camel", "foo_bar": "snake",
            "new": "n", "path": "p", "params": "q"
        }})
    );
}

#[test]
fn colliding_reply_names_are_suffixed() {
    let reply: ProbeReply2 = serde_json::from_str(r#"{"type":"x","ipInLong":1.0,"ip_in_long":2}"#).unwrap();
    assert_eq!(reply.type_.as_deref(), Some("x"));
    assert_eq!((reply.ip_in_long, reply.ip_in_long_2), (Some(1), Some(2)));
    let wire = Probe::new().in_(["a", "b"]).to_wire().unwrap();
    assert_eq!(wire.query, vec![("in".to_string(), "a".to_string()), ("in".to_string(), "b".to_string())]);
    assert_eq!(ProbeReply::PATH, "/probe-reply");
    assert_eq!(Widget::ENVELOPE, Some("params"));
}

#[test]
fn keyword_types_and_variants_round_trip() {
    let s: Self_ = serde_json::from_str(r#"{"ref":"r","crate":{"ref":"inner"},"children":[{}]}"#).unwrap();
    assert_eq!(s.ref_.as_deref(), Some("r"));
    assert_eq!(s.crate_.as_ref().and_then(|c| c.ref_.as_deref()), Some("inner"));
    assert_eq!(s.children.len(), 1);
    for (value, variant) in [
        ("tcp", Protocol::Tcp),
        ("TCP", Protocol::Tcp2),
        ("TCP_UDP", Protocol::TcpUdp),
        ("Unknown", Protocol::Unknown_),
        ("3par", Protocol::_3par),
        ("in", Protocol::In),
        ("Self", Protocol::Self_),
    ] {
        assert_eq!(Protocol::from(value), variant);
        assert_eq!(variant.as_str(), value);
    }
    assert_eq!(Protocol::from("udp"), Protocol::Unknown("udp".into()));
    let o: Option_ = serde_json::from_str(r#"{"value":{"a":[1.0,2]}}"#).unwrap();
    assert_eq!(o.value["a"], vec![1, 2]);
}

#[test]
fn same_param_name_with_different_value_sets_gets_two_enums() {
    // `Probe.mode` keeps the bare name, `Widget.mode` is qualified by its API.
    let wire = Probe::new().mode("off").self_(ProbeSelf::Me).to_wire().unwrap();
    assert_eq!(wire.query, vec![("mode".to_string(), "off".to_string()), ("self".to_string(), "me".to_string())]);
    assert_eq!(Mode::from("Unknown"), Mode::Unknown_);
    assert_eq!(Mode::from("3par"), Mode::_3par);
    assert_eq!(Mode::VALUES, ["on", "off", "Unknown", "3par"]);
    let body = Widget::new().mode(WidgetMode::Slow).to_wire().unwrap().body.unwrap();
    assert_eq!(body, serde_json::json!({"params": {"mode": "slow"}}));
    // A value of the other set is unknown here, and refused before sending.
    assert_eq!(WidgetMode::from("off"), WidgetMode::Unknown("off".into()));
    let err = Widget::new().mode("off").to_wire().unwrap_err();
    assert_eq!(err.field, "mode");
}
