use zstack_sdk::Api;

#[derive(Api)]
#[api(methd = "GET", path = "/zones", response = serde_json::Value)]
struct Typo {}

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value, timeout = 5)]
struct Unknown {}

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value, rename = "x")]
struct FieldKeyOnStruct {}

fn main() {}
