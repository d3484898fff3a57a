//! The per-user config file: named contexts (MN URL, account, TLS settings,
//! default output, the session id of the last login) and which one is current.
//!
//! It never holds a password. The file is created with mode `0600` (and its
//! directory `0700`) and replaced atomically, so a session id is never
//! readable by other users, not even for a moment.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exit::Failure;

/// The whole file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The context used when `--context` and `ZSTACK_CONTEXT` are unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
}

/// One MN and how to reach it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// `http(s)://host:8080/zstack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The account name to log in as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The session id of the last `zstack login` (never the password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// An access key id, instead of a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The access key's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<String>,
    /// A PEM file of CA certificates to trust for HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS certificate. Off unless set explicitly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// The default `-o` of this context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The MN's release, for refusing APIs it does not have (else asked once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mn_version: Option<String>,
}

/// Where the config lives: `$ZSTACK_CONFIG`, else
/// `$XDG_CONFIG_HOME/zstack/config.toml`, else `~/.config/zstack/config.toml`.
pub fn path() -> Result<PathBuf, Failure> {
    if let Some(path) = std::env::var_os("ZSTACK_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|p| !p.is_empty()) {
            Some(home) => PathBuf::from(home).join(".config"),
            None => return Err(Failure::Config("no home directory: set ZSTACK_CONFIG".into())),
        },
    };
    Ok(base.join("zstack").join("config.toml"))
}

impl Config {
    /// The file at `path`, or an empty config when there is none.
    pub fn load(path: &Path) -> Result<Config, Failure> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Failure::Config(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Failure::Config(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Write the file: a fresh `0600` file next to it, renamed over it.
    pub fn save(&self, path: &Path) -> Result<(), Failure> {
        let fail = |e: std::io::Error| Failure::Config(format!("cannot write {}: {e}", path.display()));
        let text = toml::to_string(self).map_err(|e| Failure::Config(format!("cannot encode the config: {e}")))?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(fail)?;
        let tmp = dir.join(format!(".{}.tmp{}", file_name(path), std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut file = private_file(&tmp).map_err(fail)?;
        file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(fail)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(fail)
    }

    /// The context `name`, or the current one.
    pub fn context(&self, name: Option<&str>) -> Result<(String, Context), Failure> {
        let name = match name.or(self.current.as_deref()) {
            Some(name) => name.to_string(),
            None => return Ok(("default".into(), self.contexts.get("default").cloned().unwrap_or_default())),
        };
        match self.contexts.get(&name) {
            Some(context) => Ok((name, context.clone())),
            None if self.contexts.is_empty() || name == "default" => Ok((name, Context::default())),
            None => {
                let known: Vec<&str> = self.contexts.keys().map(String::as_str).collect();
                Err(Failure::Usage(format!("no context named `{name}`; contexts: {}", known.join(", "))))
            }
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "config".into())
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let mut config = Config { current: Some("lab".into()), ..Config::default() };
        config.contexts.insert("lab".into(), Context { url: Some("https://mn".into()), ..Context::default() });
        config.save(&path).unwrap();
        config.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let back = Config::load(&path).unwrap();
        assert_eq!(back.context(None).unwrap().1.url.as_deref(), Some("https://mn"));
        assert!(back.context(Some("nope")).is_err());
        assert!(Config::load(&dir.path().join("missing.toml")).unwrap().contexts.is_empty());
        std::fs::write(&path, "password = \"x\"").unwrap();
        assert!(Config::load(&path).is_err(), "unknown keys, such as a password, are refused");
    }
}
