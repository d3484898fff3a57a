//! Naming conventions of the spec.

/// The PUT envelope key for an action: the name with its first character
/// lowercased (`LogInByAccount` → `logInByAccount`).
///
/// This is ZStack's rule (Java `uncapitalize`), checked against every PUT in
/// the catalog. It is *not* heck's lower-camel case, which re-splits words and
/// rewrites acronyms: `UpdateIAM2VirtualIDAttributes` would become
/// `updateIam2VirtualIdAttributes`.
pub fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `ReconnectBackupStorage`: an ASCII capital, then ASCII letters and digits.
pub(crate) fn is_upper_camel(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// `backup-storage`: lowercase ASCII words of letters and digits joined by
/// single dashes, starting with a letter.
pub(crate) fn is_kebab(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use heck::ToLowerCamelCase;

    #[test]
    fn lower_camel_lowercases_the_first_char() {
        assert_eq!(lower_camel("ReconnectBackupStorage"), "reconnectBackupStorage");
        assert_eq!(lower_camel("LogInByAccount"), "logInByAccount");
        assert_eq!(lower_camel(""), "");
        assert_eq!(lower_camel("X"), "x");
    }

    #[test]
    fn heck_differs_on_acronyms() {
        // Why lower_camel is not heck: ZStack keeps acronyms as written.
        let name = "UpdateIAM2VirtualIDAttributes";
        assert_eq!(lower_camel(name), "updateIAM2VirtualIDAttributes");
        assert_eq!(name.to_lower_camel_case(), "updateIam2VirtualIdAttributes");
        assert_eq!("LogInByAccount".to_lower_camel_case(), lower_camel("LogInByAccount"));
    }

    #[test]
    fn name_shapes() {
        assert!(is_upper_camel("BackupStorageInventory"));
        assert!(is_upper_camel("APIPermissionStruct"));
        assert!(!is_upper_camel("backupStorage"));
        assert!(!is_upper_camel("Backup_Storage"));
        assert!(!is_upper_camel(""));
        assert!(is_kebab("backup-storage"));
        assert!(is_kebab("v2"));
        assert!(!is_kebab("Backup"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("a-"));
        assert!(!is_kebab("2a"));
    }
}
