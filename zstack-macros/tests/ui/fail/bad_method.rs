use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "PATCH", path = "/zones", response = serde_json::Value)]
struct Patch {}

#[derive(Api)]
#[api(method = "get", path = "/zones", response = serde_json::Value)]
struct Lowercase {}

fn main() {}
