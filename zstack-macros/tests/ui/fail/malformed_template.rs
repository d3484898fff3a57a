use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones/{uuid/hosts", response = serde_json::Value)]
struct Unclosed {
    uuid: String,
}

#[derive(Api)]
#[api(method = "GET", path = "/zones/{}/hosts", response = serde_json::Value)]
struct Empty {}

#[derive(Api)]
#[api(method = "GET", path = "/zones/uuid}", response = serde_json::Value)]
struct Unmatched {}

#[derive(Api)]
#[api(method = "GET", path = "zones", response = serde_json::Value)]
struct NoLeadingSlash {}

fn main() {}
