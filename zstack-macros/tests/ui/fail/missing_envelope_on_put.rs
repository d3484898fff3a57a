use zstack_sdk::Api;

#[derive(Api)]
#[api(method = "PUT", path = "/backup-storage/{uuid}/actions", response = serde_json::Value, async)]
struct ReconnectBackupStorage {
    uuid: String,
}

fn main() {}
