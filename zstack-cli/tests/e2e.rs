//! `zstack` end to end: the binary, run as a process, against the SDK's
//! loopback MN double started by each test.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use zstack_test_server::{Reply, TestServer, error_code, query_reply};

struct Cli {
    server: TestServer,
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Cli {
    async fn start() -> Cli {
        let server = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        Cli { server, dir }
    }

    /// With a session in the default context.
    async fn logged_in() -> (Cli, String) {
        let cli = Cli::start().await;
        let session = cli.server.new_session();
        let config = format!(
            "current = \"lab\"\n[contexts.lab]\nurl = \"{}\"\naccount = \"admin\"\nsession = \"{session}\"\n",
            cli.server.base_url()
        );
        std::fs::write(cli.config(), config).unwrap();
        (cli, session)
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None).await
    }

    async fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_zstack"));
        command.args(args).env("ZSTACK_CONFIG", self.config()).env("HOME", self.dir.path());
        for var in ["ZSTACK_CONTEXT", "ZSTACK_URL", "ZSTACK_OUTPUT", "ZSTACK_ACCESS_KEY_ID", "ZSTACK_ACCESS_KEY_SECRET"]
        {
            command.env_remove(var);
        }
        if !std::path::Path::new(&self.config()).exists() {
            command.env("ZSTACK_URL", self.server.base_url());
        }
        command.envs(env.iter().copied());
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let stdin = stdin.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            let mut pipe = child.stdin.take().unwrap();
            if let Some(text) = stdin {
                pipe.write_all(text.as_bytes()).unwrap();
            }
            drop(pipe);
            let out = child.wait_with_output().unwrap();
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .await
        .unwrap()
    }

    fn api_requests(&self) -> Vec<zstack_test_server::RecordedRequest> {
        self.server.requests().into_iter().filter(|r| !r.path.starts_with("/v1/api-jobs")).collect()
    }
}

impl Run {
    fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn vms() -> Vec<Value> {
    vec![
        json!({"uuid": "a1", "name": "web-1", "state": "Running", "memorySize": 2147483648_i64, "type": "UserVm"}),
        json!({"uuid": "b2", "name": "web-2", "state": "Running", "memorySize": 4294967296_i64, "type": "UserVm"}),
        json!({"uuid": "c3", "name": "db", "state": "Running", "memorySize": 8589934592_i64, "type": "UserVm"}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_call_sends_the_typed_bytes_and_prints_the_reply() {
    let (cli, session) = Cli::logged_in().await;
    cli.server.route(
        "PUT",
        "/v1/accounts/permissions/actions",
        Reply::ok(json!({"inventory": {"CreateZone": true}, "schema": {}})),
    );
    let run =
        cli.run(&["accounts", "check-api-permission", "--api-names", "a,b", "--api-names", "c", "-o", "json"]).await;
    assert_eq!(run.ok().json(), json!({"inventory": {"CreateZone": true}}), "schema is not printed");
    let sent = cli.api_requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].json().unwrap(), json!({"checkApiPermission": {"apiNames": ["a", "b", "c"]}}));
    assert_eq!(sent[0].header("authorization"), Some(format!("OAuth {session}").as_str()));
    assert_eq!(sent[0].header("x-json-schema"), Some("true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_wait_or_hand_back_the_job() {
    let (cli, _) = Cli::logged_in().await;
    let zone = json!({"inventory": {"uuid": "z1", "name": "zone-1", "state": "Enabled", "type": "zstack"}});
    cli.server.route("POST", "/v1/zones", Reply::async_done(1, zone.clone()));
    let run = cli.run(&["zones", "create", "--name", "zone-1", "--is-default", "-o", "json"]).await;
    assert_eq!(run.ok().json(), zone);
    assert_eq!(cli.api_requests()[0].json().unwrap(), json!({"params": {"name": "zone-1", "isDefault": true}}));

    cli.server.clear_requests();
    let run = cli.run(&["zones", "create", "--name", "zone-2", "--no-wait"]).await;
    let job = run.ok().stdout.trim().to_string();
    assert_eq!(job.len(), 32, "{}", run.stdout);
    assert!(run.stderr.contains("zstack jobs wait"), "{}", run.stderr);
    assert_eq!(cli.server.requests().len(), 1, "nothing was polled");
    let run = cli.run(&["jobs", "wait", &job, "-o", "json"]).await;
    assert_eq!(run.ok().json(), zone);
    let run = cli.run(&["jobs", "wait", "not-a-job"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_take_conditions_sorting_fields_and_pages() {
    let (cli, _) = Cli::logged_in().await;
    cli.server.route("GET", "/v1/vm-instances", Reply::func(|req| query_reply(vms(), req)));
    let run = cli
        .run(&[
            "vm-instances",
            "query",
            "--where",
            "state=Running",
            "--where",
            "memorySize>1G",
            "--sort",
            "-createDate",
            "--fields",
            "uuid,name",
            "--limit",
            "2",
            "-o",
            "uuid",
        ])
        .await;
    assert_eq!(run.ok().stdout, "a1\nb2\n");
    let sent = cli.api_requests().pop().unwrap();
    assert_eq!(sent.query_values("q"), ["state=Running", "memorySize>1073741824"]);
    assert_eq!(sent.query_first("sort"), Some("-createDate"));
    assert_eq!(sent.query_first("fields"), Some("uuid,name"));
    assert_eq!(sent.query_first("limit"), Some("2"));

    // --all fetches page after page (here two rows per page).
    cli.server.clear_requests();
    let run = cli.run(&["vm-instances", "query", "--all", "--limit", "2", "-o", "json"]).await;
    let rows = run.ok().json()["inventories"].as_array().unwrap().len();
    assert_eq!(rows, 3);
    let starts: Vec<String> =
        cli.api_requests().iter().map(|r| r.query_first("start").unwrap_or("-").to_string()).collect();
    assert_eq!(starts, ["0", "2"]);

    let run = cli.run(&["vm-instances", "query", "--count", "-o", "table"]).await;
    assert_eq!(run.ok().stdout, "3\n");
    let run = cli.run(&["vm-instances", "get", "b2", "-o", "json"]).await;
    assert_eq!(run.ok().json()["inventory"]["name"], "web-2");
    let run = cli.run(&["vm-instances", "get", "zz"]).await;
    assert_eq!(run.code, 1);

    // Mistakes are refused before anything is sent.
    cli.server.clear_requests();
    for (bad, why) in
        [("staet=Running", "has no field `staet`"), ("memorySize>lots", "integer"), ("name=a=b", "operator")]
    {
        let run = cli.run(&["vm-instances", "query", "--where", bad]).await;
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{bad}: {}", run.stderr);
    }
    assert!(cli.server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_format() {
    let (cli, _) = Cli::logged_in().await;
    cli.server.route("GET", "/v1/vm-instances", Reply::func(|req| query_reply(vms(), req)));
    let table = cli.run(&["vm-instances", "query"]).await;
    let forced = cli.run_with(&["vm-instances", "query"], &[("ZSTACK_OUTPUT", "table")], None).await;
    let columns = cli.run(&["vm-instances", "query", "-o", "table", "--columns", "name,memorySize"]).await;
    let yaml = cli.run(&["vm-instances", "query", "-o", "yaml", "--limit", "1"]).await;
    let uuid = cli.run(&["vm-instances", "query", "-o", "uuid"]).await;
    // Not a terminal: JSON unless told otherwise.
    assert_eq!(table.ok().json()["inventories"].as_array().unwrap().len(), 3);
    insta::assert_snapshot!("table", forced.ok().stdout);
    insta::assert_snapshot!("table_columns", columns.ok().stdout);
    insta::assert_snapshot!("yaml", yaml.ok().stdout);
    insta::assert_snapshot!("json", table.stdout);
    assert_eq!(uuid.ok().stdout, "a1\nb2\nc3\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_their_class_and_chain() {
    let (cli, session) = Cli::logged_in().await;
    let error = error_code("SYS.1006", "an internal error happened", Some("disk full on ps-1"));
    cli.server.route("POST", "/v1/zones", Reply::error_value(error));
    let run = cli.run(&["zones", "create", "--name", "z"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("SYS.1006") && run.stderr.contains("disk full on ps-1"), "{}", run.stderr);

    // A usage error: a required flag missing, a value outside its set.
    let run = cli.run(&["zones", "create"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = cli.run(&["accounts", "create", "--name", "x", "--password", "p", "--type", "Root"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    // The session expires: exit 4 and a hint to log in again.
    cli.server.route("GET", "/v1/zones", Reply::func(|req| query_reply(vec![], req)));
    cli.server.expire_session(&session);
    let run = cli.run(&["zones", "query"]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("zstack login"), "{}", run.stderr);
    assert!(!run.stderr.contains(&session));

    // No MN at all: a transport error.
    let run = cli.run_with(&["zones", "query"], &[("ZSTACK_URL", "http://127.0.0.1:9/zstack")], None).await;
    assert_eq!(run.code, 6, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_curl_with_secrets_redacted_and_sends_nothing() {
    let (cli, session) = Cli::logged_in().await;
    let run = cli.run(&["accounts", "create", "--name", "ops", "--password", "hunter2", "--dry-run"]).await;
    let text = &run.ok().stdout;
    assert!(text.starts_with("curl -X POST '"), "{text}");
    assert!(text.contains("/v1/accounts'"), "{text}");
    assert!(text.contains("-H 'authorization: <redacted>'"), "{text}");
    assert!(text.contains("\"name\":\"ops\""), "{text}");
    assert!(text.contains("\"password\":\"<redacted>\""), "{text}");
    assert!(!text.contains("hunter2") && !text.contains(&session), "{text}");
    assert!(cli.server.requests().is_empty());
    // A map param in a query string, and a credential in the path.
    let run = cli.run(&["accounts", "log-out", "s3ssion", "--client-info", "browser=firefox", "--dry-run"]).await;
    let text = &run.ok().stdout;
    assert!(text.contains("/v1/accounts/sessions/<redacted>?clientInfo.browser=firefox'"), "{text}");
    assert!(!text.contains("s3ssion"), "{text}");
    let run = cli.run(&["vm-instances", "query", "--where", "name~=web%", "--dry-run"]).await;
    assert!(run.ok().stdout.contains("/v1/vm-instances?q=name~%3Dweb%25'"), "{}", run.stdout);
    assert!(cli.server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_only_the_session_in_a_private_file() {
    let cli = Cli::start().await;
    cli.server.add_account("admin", "p4ssw0rd");
    let run = cli.run_with(&["login", "--account", "admin", "--password-stdin"], &[], Some("p4ssw0rd\n")).await;
    assert!(run.ok().stderr.contains("Logged in"), "{}", run.stderr);
    let text = std::fs::read_to_string(cli.config()).unwrap();
    assert!(!text.contains("p4ssw0rd"), "{text}");
    let digest = zstack_runtime::secret::Password::plain("p4ssw0rd");
    assert!(!text.contains(digest.as_digest()), "{text}");
    assert!(text.contains("session = "), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(cli.config()).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let login = cli.server.requests().pop().unwrap();
    assert_eq!(login.json().unwrap()["logInByAccount"]["password"], digest.as_digest());

    // The stored session works, and logout forgets it.
    cli.server.route("GET", "/v1/zones", Reply::func(|req| query_reply(vec![json!({"uuid": "z"})], req)));
    cli.run(&["zones", "query", "-o", "uuid"]).await.ok();
    cli.run(&["logout"]).await.ok();
    assert!(!std::fs::read_to_string(cli.config()).unwrap().contains("session"));
    let run = cli.run(&["zones", "query"]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);

    let run = cli.run_with(&["login", "--password-stdin"], &[], Some("wrong\n")).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_and_access_keys() {
    let (cli, _) = Cli::logged_in().await;
    cli.run(&["context", "set", "other", "--url", "http://127.0.0.1:9/zstack", "--default-output", "yaml"]).await.ok();
    let list = cli.run(&["context", "list"]).await;
    assert!(list.ok().stdout.contains("* lab") && list.stdout.contains("  other"), "{}", list.stdout);
    let show = cli.run(&["context", "show"]).await;
    assert!(show.ok().stdout.contains("session = \"<set>\""), "{}", show.stdout);

    // An access key from the environment signs the request instead of the session.
    cli.server.add_access_key("key1", "s3cret");
    cli.server.route("GET", "/v1/zones", Reply::func(|req| query_reply(vec![json!({"uuid": "z"})], req)));
    let env = [("ZSTACK_ACCESS_KEY_ID", "key1"), ("ZSTACK_ACCESS_KEY_SECRET", "s3cret")];
    let run = cli.run_with(&["zones", "query", "-o", "uuid"], &env, None).await;
    assert_eq!(run.ok().stdout, "z\n");
    let sent = cli.api_requests().pop().unwrap();
    assert!(sent.header("authorization").unwrap().starts_with("ZStack key1:"));

    cli.run(&["context", "use", "other"]).await.ok();
    let run = cli.run(&["zones", "query"]).await;
    assert_eq!(run.code, 4, "the other context has no session: {}", run.stderr);
    let run = cli.run(&["context", "use", "missing"]).await;
    assert_eq!(run.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_help_and_the_api_list() {
    let cli = Cli::start().await;
    for shell in ["bash", "zsh", "fish"] {
        let run = cli.run(&["completions", shell]).await;
        assert!(run.ok().stdout.contains("ZSTACK_COMPLETE"), "{shell}: {}", run.stdout);
    }
    // The shell asks the binary; it answers from the table.
    let complete = |words: &'static [&'static str]| {
        let mut args = vec!["--", "zstack"];
        args.extend_from_slice(words);
        args
    };
    let run = cli.run_with(&complete(&["vm-instances", "cre"]), &[("ZSTACK_COMPLETE", "fish")], None).await;
    assert!(run.ok().stdout.lines().any(|l| l.starts_with("create")), "{}", run.stdout);
    let run =
        cli.run_with(&complete(&["accounts", "create", "--type", ""]), &[("ZSTACK_COMPLETE", "fish")], None).await;
    assert!(run.ok().stdout.contains("SystemAdmin"), "{}", run.stdout);

    let run = cli.run(&["--help"]).await;
    assert!(run.ok().stdout.contains("vm-instances") && run.stdout.contains("Exit codes"), "{}", run.stdout);
    let run = cli.run(&["vm-instances", "create", "--help"]).await;
    assert!(run.ok().stdout.contains("Route:   POST /vm-instances"), "{}", run.stdout);
    assert!(run.stdout.contains("Mode:    async"), "{}", run.stdout);

    let run = cli.run(&["api", "list", "--group", "zones", "-o", "json"]).await;
    let apis = run.ok().json();
    assert!(apis.as_array().unwrap().iter().any(|a| a["api"] == "CreateZone" && a["command"] == "create"));
    let run = cli.run(&["api", "describe", "CreateZone"]).await;
    assert!(run.ok().stdout.contains("route:    POST /zones") && run.stdout.contains("--name"), "{}", run.stdout);
    let run = cli.run(&["api", "describe", "CreateZon"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("CreateZone"), "{}", run.stderr);
}

/// `--help` of a sample of commands across the table (the unit tests build
/// every command; this runs the binary).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_works_for_a_sample_of_commands() {
    let cli = Cli::start().await;
    let list = cli.run(&["api", "list", "-o", "json"]).await;
    let apis = list.ok().json();
    let apis = apis.as_array().unwrap();
    assert!(apis.len() >= 1900, "{}", apis.len());
    for api in apis.iter().step_by(97) {
        let (group, command) = (api["group"].as_str().unwrap(), api["command"].as_str().unwrap());
        let run = cli.run(&[group, command, "--help"]).await;
        assert!(run.ok().stdout.contains(api["path"].as_str().unwrap()), "{group} {command}: {}", run.stdout);
    }
}
