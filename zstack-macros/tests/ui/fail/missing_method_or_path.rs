use zstack_sdk::Api;

#[derive(Api)]
#[api(path = "/zones", response = serde_json::Value)]
struct NoMethod {}

#[derive(Api)]
#[api(method = "GET", response = serde_json::Value)]
struct NoPath {}

#[derive(Api)]
struct NoAttribute {}

fn main() {}
