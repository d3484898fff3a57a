use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
enum Request {
    A,
}

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
struct Tuple(String);

#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value)]
struct Generic<T> {
    value: T,
}

fn main() {}
