use zstack_sdk::Api;

// `crate` names the runtime by path; anything else is refused where it is written.
#[derive(Api)]
#[api(method = "GET", path = "/zones", response = serde_json::Value, crate = "not a path")]
struct NotAPath {}

fn main() {}
