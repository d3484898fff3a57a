//! Who the CLI talks to and as whom: the context (from `--context`,
//! `ZSTACK_CONTEXT` or the config's current one), `--mn-url`, access keys from
//! the environment, and the `login`, `logout` and `context` commands.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::ArgMatches;
use zstack_client::{Client, VersionPolicy};
use zstack_runtime::secret::Secret;

use crate::config::{self, Config, Context};
use crate::exit::Failure;
use crate::output::Format;
use crate::print_out;

/// The resolved settings of one invocation.
pub struct Env {
    pub path: PathBuf,
    pub config: Config,
    pub name: String,
    pub context: Context,
    pub url: Option<String>,
}

impl Env {
    /// The config and context for these (leaf) matches.
    pub fn load(matches: &ArgMatches) -> Result<Env, Failure> {
        let path = config::path()?;
        let config = Config::load(&path)?;
        let (name, context) = config.context(matches.get_one::<String>("context").map(String::as_str))?;
        let url = matches.get_one::<String>("mn-url").cloned().or_else(|| context.url.clone());
        Ok(Env { path, config, name, context, url })
    }

    /// `-o`, else the context's default, else a table on a terminal and JSON otherwise.
    pub fn format(&self, matches: &ArgMatches) -> Format {
        let named = matches.get_one::<String>("output").cloned().or_else(|| self.context.output.clone());
        named.as_deref().and_then(Format::parse).unwrap_or(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        })
    }

    /// A client for the context's MN with its TLS settings (no credentials).
    pub fn client_builder(&self) -> Result<zstack_client::ClientBuilder, Failure> {
        let url = self.url.as_deref().ok_or_else(|| {
            Failure::Usage(format!(
                "no MN URL for context `{}`: pass --mn-url, set ZSTACK_URL, or `zstack context set {} --url ...`",
                self.name, self.name
            ))
        })?;
        let mut builder = Client::builder().base_url(url).renew_session(false);
        if let Some(ca) = &self.context.ca_file {
            let pem = std::fs::read(ca).map_err(|e| Failure::Config(format!("cannot read {}: {e}", ca.display())))?;
            builder = builder.add_root_certificate_pem(pem);
        }
        if self.context.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(version) = &self.context.mn_version {
            builder = builder.mn_version(version.clone()).version_policy(VersionPolicy::Refuse);
        }
        Ok(builder)
    }

    /// The client with credentials: an access key from `ZSTACK_ACCESS_KEY_ID`
    /// and `ZSTACK_ACCESS_KEY_SECRET` or the context, else the context's
    /// session. `None` credentials when there are none.
    pub fn client(&self) -> Result<(Client, bool), Failure> {
        let mut builder = self.client_builder()?;
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let key = match (env("ZSTACK_ACCESS_KEY_ID"), env("ZSTACK_ACCESS_KEY_SECRET")) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (Some(_), None) | (None, Some(_)) => {
                return Err(Failure::Usage("set both ZSTACK_ACCESS_KEY_ID and ZSTACK_ACCESS_KEY_SECRET".into()));
            }
            (None, None) => self.context.access_key_id.clone().zip(self.context.access_key_secret.clone()),
        };
        let has_credentials = if let Some((id, secret)) = key {
            builder = builder.access_key(id, Secret::new(secret));
            true
        } else if let Some(session) = &self.context.session {
            builder = builder.session(Secret::new(session.clone()));
            true
        } else {
            false
        };
        let client = builder.build()?;
        Ok((client, has_credentials))
    }
}

/// `zstack login`: prompt for the password (or read it from stdin), log in
/// with its SHA-512 digest, keep only the session id.
pub async fn login(matches: &ArgMatches) -> Result<(), Failure> {
    let mut env = Env::load(matches)?;
    let account = matches
        .get_one::<String>("account")
        .cloned()
        .or_else(|| env.context.account.clone())
        .unwrap_or_else(|| "admin".to_string());
    let client = env.client_builder()?.build()?;
    let url = env.url.clone().unwrap_or_default();
    let password = if matches.get_flag("password-stdin") {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| Failure::Other(format!("cannot read stdin: {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        rpassword::prompt_password(format!("Password for {account} at {url}: ")).map_err(|e| {
            Failure::Usage(format!("cannot prompt for the password ({e}); pipe it in with --password-stdin"))
        })?
    };
    let session = client.login_by_account(&account, &password).await?;
    drop(password);
    let mut context = env.context.clone();
    context.url = Some(url.clone());
    context.account = Some(account.clone());
    context.session = Some(session.id.expose().to_string());
    env.config.contexts.insert(env.name.clone(), context);
    env.config.current.get_or_insert_with(|| env.name.clone());
    env.config.save(&env.path)?;
    eprintln!("Logged in to {url} as {account} (context `{}`)", env.name);
    Ok(())
}

/// `zstack logout`: end the session on the MN and forget it.
pub async fn logout(matches: &ArgMatches) -> Result<(), Failure> {
    let mut env = Env::load(matches)?;
    let Some(session) = env.context.session.take() else {
        eprintln!("Not logged in (context `{}`)", env.name);
        return Ok(());
    };
    let client = env.client_builder()?.session(Secret::new(session)).build()?;
    let result = client.logout().await;
    // Forget the session whatever the MN says: it may already have expired.
    env.config.contexts.insert(env.name.clone(), env.context.clone());
    env.config.save(&env.path)?;
    match result {
        Ok(()) => {}
        Err(e) if e.is_session_expired() => {}
        Err(e) => return Err(e.into()),
    }
    eprintln!("Logged out (context `{}`)", env.name);
    Ok(())
}

/// `zstack context list|show|use|set|delete`.
pub fn context(matches: &ArgMatches) -> Result<(), Failure> {
    let Some((command, m)) = matches.subcommand() else { return Err(Failure::Usage("no context command".into())) };
    let mut env = Env::load(m)?;
    match command {
        "list" => {
            let mut out = String::new();
            for (name, context) in &env.config.contexts {
                let mark = if env.config.current.as_deref() == Some(name) { "*" } else { " " };
                out.push_str(&format!("{mark} {name}\t{}\n", context.url.as_deref().unwrap_or("")));
            }
            print_out(&out);
        }
        "show" => {
            let mut shown = env.context.clone();
            shown.url = env.url.clone();
            for secret in [&mut shown.session, &mut shown.access_key_secret] {
                if secret.is_some() {
                    *secret = Some("<set>".into());
                }
            }
            let text = toml::to_string(&shown).map_err(|e| Failure::Other(e.to_string()))?;
            print_out(&format!("# context `{}` ({})\n{text}", env.name, env.path.display()));
        }
        "use" => {
            let name = required(m, "name")?;
            if !env.config.contexts.contains_key(&name) {
                return Err(Failure::Usage(format!("no context named `{name}`")));
            }
            env.config.current = Some(name);
            env.config.save(&env.path)?;
        }
        "set" => {
            let name = required(m, "name")?;
            let context = env.config.contexts.entry(name.clone()).or_default();
            if let Some(url) = m.get_one::<String>("set-url") {
                context.url = Some(url.clone());
            }
            if let Some(account) = m.get_one::<String>("account") {
                context.account = Some(account.clone());
            }
            if let Some(ca) = m.get_one::<String>("ca-file") {
                context.ca_file = Some(PathBuf::from(ca));
            }
            if let Some(insecure) = m.get_one::<bool>("insecure") {
                context.insecure = *insecure;
            }
            if let Some(output) = m.get_one::<String>("set-output") {
                context.output = Some(output.clone());
            }
            if let Some(version) = m.get_one::<String>("mn-version") {
                context.mn_version = Some(version.clone());
            }
            env.config.current.get_or_insert(name);
            env.config.save(&env.path)?;
        }
        "delete" => {
            let name = required(m, "name")?;
            if env.config.contexts.remove(&name).is_none() {
                return Err(Failure::Usage(format!("no context named `{name}`")));
            }
            if env.config.current.as_deref() == Some(name.as_str()) {
                env.config.current = None;
            }
            env.config.save(&env.path)?;
        }
        other => return Err(Failure::Usage(format!("unknown context command `{other}`"))),
    }
    Ok(())
}

fn required(matches: &ArgMatches, id: &str) -> Result<String, Failure> {
    matches.get_one::<String>(id).cloned().ok_or_else(|| Failure::Usage(format!("missing <{id}>")))
}
