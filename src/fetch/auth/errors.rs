//! Sign-in errors named with what to do: the AADSTS codes partners meet
//! (consent, GDAP, refresh tokens, Conditional Access, app state,
//! credentials, federation) mapped to a sentence that says the fix. The
//! codes and their meanings are Microsoft's (Entra's error reference); the
//! sentences are for the partner's operator, never for customer pages.

/// What the message may name.
pub struct Context<'a> {
    /// The credential set (`credentials.<name>`).
    pub credentials: &'a str,
    pub client_id: &'a str,
    pub tenant: &'a str,
    /// The login host (`https://login.microsoftonline.com`).
    pub login: &'a str,
}

/// The AADSTS number at the start of an `error_description`
/// (`AADSTS65001: …`), or the first of `error_codes`.
pub fn code_of(description: &str, codes: &[u64]) -> Option<u64> {
    let from_text = description
        .trim_start()
        .strip_prefix("AADSTS")
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        });
    from_text.or_else(|| codes.first().copied())
}

/// What to do about AADSTS `code`, when it is one partners meet.
pub fn action(code: u64, c: &Context<'_>) -> Option<String> {
    let consent = format!(
        "{}/{}/adminconsent?client_id={}",
        c.login, c.tenant, c.client_id
    );
    let login_again = format!(
        "run `statusfleet login --credentials {}` again",
        c.credentials
    );
    Some(match code {
        65001 | 90094 | 90093 => format!(
            "admin consent is missing for app {} in tenant {}: an administrator of that tenant grants it at {consent} (or the partner grants it through Partner Center's application consent API)",
            c.client_id, c.tenant
        ),
        90099 => format!(
            "app {} is not authorized in customer tenant {} for delegated administration (GDAP): pre-consent it with Partner Center's application consent API (POST /v1/customers/{}/applicationconsents) or have the customer's administrator consent at {consent}",
            c.client_id, c.tenant, c.tenant
        ),
        700016 => format!(
            "app {} is not in tenant {}: it was never consented there ({consent}), or the tenant id or the cloud (`cloud: china` for 21Vianet) is wrong",
            c.client_id, c.tenant
        ),
        90002 | 90038 => format!(
            "tenant {} was not found at {}: check the customer's tenant_id and its cloud (21Vianet tenants need `cloud: china`)",
            c.tenant, c.login
        ),
        50020 | 50177 | 16000 => format!(
            "the signed-in partner user has no access to tenant {}: add the user to a security group that holds a GDAP role in this customer's relationship (Service Support Administrator reads service health; Azure also needs Reader on the subscriptions)",
            c.tenant
        ),
        700082 | 70008 | 50173 | 70043 | 70000 | 700084 => format!(
            "the refresh token of credentials `{}` has expired or was revoked: {login_again}",
            c.credentials
        ),
        50076 | 50079 | 50078 | 50074 => format!(
            "multifactor authentication is required for the partner user: {login_again} and complete MFA"
        ),
        53003 | 53000 | 53001 | 530032 | 530035 => format!(
            "a Conditional Access policy of tenant {} blocks this sign-in: ask its administrator to allow the statusfleet app (for example by excluding its service principal, or the partner's sign-ins under GDAP)",
            c.tenant
        ),
        530034 => format!(
            "the partner user was blocked from tenant {} because of account risk in the partner's own tenant: resolve the risk in the partner tenant, then {login_again}",
            c.tenant
        ),
        7000112 | 70001 => format!(
            "app {} is disabled in tenant {}: an administrator re-enables its enterprise application (service principal)",
            c.client_id, c.tenant
        ),
        7000215 => format!(
            "the client secret of credentials `{}` is wrong (use the secret's value, not its id)",
            c.credentials
        ),
        7000222 => format!(
            "the client secret of credentials `{}` has expired: create a new one, or sign in with a certificate or a federated credential instead",
            c.credentials
        ),
        700027 => format!(
            "the certificate of credentials `{}` is not registered on app {}: upload its public part to the app registration (a minute after a rotation this is normal; the next run retries)",
            c.credentials, c.client_id
        ),
        700024 => {
            "the client assertion is outside its valid time: check this machine's clock".to_owned()
        }
        70021 | 700211 | 700213 | 7002138 | 7002137 => format!(
            "no federated credential of app {} matches the presented token: check the federated credential's issuer, subject (case-sensitive) and audience against the token (a new federated credential takes a few minutes to apply)",
            c.client_id
        ),
        700025 => format!(
            "app {} is a public client: remove the client secret or certificate from credentials `{}`",
            c.client_id, c.credentials
        ),
        7000218 => format!(
            "app {} is a confidential client: credentials `{}` needs a client secret or a certificate",
            c.client_id, c.credentials
        ),
        500011 => format!(
            "the API's service principal is missing in tenant {} (or it is in another cloud): check the customer's cloud",
            c.tenant
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_description_or_the_list() {
        assert_eq!(
            code_of("AADSTS65001: The user or administrator…", &[]),
            Some(65001)
        );
        assert_eq!(code_of("something else", &[700082]), Some(700082));
        assert_eq!(code_of("", &[]), None);
    }
}
