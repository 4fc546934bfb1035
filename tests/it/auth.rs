//! Signing in as partners do, against the mock's identity platform:
//! certificates (RS256 assertions the mock checks with the public key
//! alone), GDAP refresh tokens per customer tenant with rotation, the
//! device code flow, workload identity federation (a Kubernetes token
//! file, an environment variable, GitHub Actions), managed identities;
//! every AADSTS error partners meet named with its fix; and no secret,
//! token or assertion in any output.

use crate::support;

use std::time::Duration;

use support::SiteTest;
use support::mock::{Api, Fault, Identity, Mock, Tenant, recorded_tenant};

const SECRET: &str = "s3cr3t-V4lue-never-printed";
const CLIENT: &str = "00000000-aaaa-bbbb-cccc-000000000001";

fn certs(f: &str) -> std::path::PathBuf {
    support::repo().join("tests/fixtures/certs").join(f)
}

fn registered_certificate() -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(certs("app.cert.der")).unwrap(),
        std::fs::read(certs("app.pub.der")).unwrap(),
    )
}

/// A mock with `n` customer tenants holding the recorded Graph data.
fn mock(n: usize) -> Mock {
    let m = Mock::start(SECRET);
    let mut t = recorded_tenant();
    t.subscriptions.clear();
    for i in 0..n {
        m.tenant(&format!("tenant-{i}"), t.clone());
    }
    m.tenant("tenant-partner", Tenant::default());
    m
}

/// A site whose `n` customers read Graph with credentials `app`, which
/// `credentials` (YAML lines under `app:`) defines.
fn site(mock: &Mock, n: usize, credentials: &str) -> SiteTest {
    let base = mock.base();
    let mut customers = String::new();
    for i in 0..n {
        customers.push_str(&format!(
            "  - slug: c{i}\n    name: Customer {i}\n    tenant_id: tenant-{i}\n    locales: [en]\n    sources:\n      - graph: {{ credentials: app, messages: false }}\n"
        ));
    }
    SiteTest::with_config(&format!(
        "site:\n  title: Status\n  partner: {{ name: Northwind }}\nfetch:\n  timeout_seconds: 5\n  retries: 1\n  backoff_seconds: 0.05\nclouds:\n  global: {{ login: \"{base}\", graph: \"{base}\", arm: \"{base}\", partner_center: \"{base}\" }}\ncredentials:\n  app:\n    client_id: {CLIENT}\n{credentials}customers:\n{customers}"
    ))
}

fn run(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> support::Run {
    let r = site.run_env(args, env);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn fetched(site: &SiteTest, i: usize) -> bool {
    let h = crate::support::history(site, &format!("c{i}"));
    h["sources"]["graph"]["last_success"].is_string() && h["sources"]["graph"]["error"].is_null()
}

/// No secret, refresh token, assertion or access token in any output,
/// log, history or page (the token file itself aside).
fn assert_nothing_secret(site: &SiteTest, runs: &[&support::Run], secrets: &[&str]) {
    for r in runs {
        for s in secrets {
            assert!(
                !r.stdout.contains(s) && !r.stderr.contains(s),
                "{s} printed:\n{}\n{}",
                r.stdout,
                r.stderr
            );
        }
        assert!(
            !r.stdout.contains("tok-") && !r.stderr.contains("tok-"),
            "access token printed"
        );
    }
    for (name, bytes) in site.files("") {
        if name.starts_with("secrets/") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            assert!(!text.contains(s), "{s} in {name}");
        }
        assert!(!text.contains("tok-"), "access token in {name}");
    }
}

#[test]
fn certificate_assertions_sign_in_pem_and_pkcs12() {
    for (file, password) in [("app.pem", None), ("app.pfx", Some("test-password"))] {
        let mock = mock(2);
        mock.identity(Identity {
            certificate: Some(registered_certificate()),
            ..Default::default()
        });
        let mut creds = format!("    client_certificate_file: {}\n", certs(file).display());
        let mut env = vec![];
        if let Some(p) = password {
            creds.push_str("    client_certificate_password_env: CERT_PASSWORD\n");
            env.push(("CERT_PASSWORD", p));
        }
        let site = site(&mock, 2, &creds);
        let r = run(&site, &["fetch"], &env);
        assert_eq!(r.code, 0, "{file}: {}\n{}", r.stdout, r.stderr);
        assert!(fetched(&site, 0) && fetched(&site, 1), "{file}");
        // Each token request carried a fresh assertion for its own tenant.
        let posts: Vec<_> = mock
            .log()
            .into_iter()
            .filter(|l| l.method == "POST" && l.path.ends_with("/oauth2/v2.0/token"))
            .collect();
        assert_eq!(posts.len(), 2, "{file}: one token per tenant");
        assert!(!r.stdout.contains("BEGIN"), "{file}");
    }
}

/// The mock's token endpoint is strict as Entra is: it checks the
/// signature with the public key alone, and refuses an expired, replayed
/// or wrong-audience assertion and an unknown certificate.
#[test]
fn the_mock_refuses_bad_assertions() {
    use statusfleet::fetch::auth::assertion::Certificate;
    let mock = mock(1);
    mock.identity(Identity {
        certificate: Some(registered_certificate()),
        ..Default::default()
    });
    let good = Certificate::load(&certs("app.pem"), None).unwrap();
    let other = Certificate::load(&certs("unregistered.pem"), None).unwrap();
    let url = format!("{}/tenant-0/oauth2/v2.0/token", mock.base());
    let now = chrono::Utc::now().timestamp();
    let post = |assertion: &str| -> (u16, String) {
        let body = format!(
            "client_id={CLIENT}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
        );
        raw_post(&mock, "/tenant-0/oauth2/v2.0/token", &body)
    };
    let fresh = good.assertion(CLIENT, &url, now).unwrap();
    assert_eq!(post(&fresh).0, 200, "a good assertion");
    let replay = post(&fresh);
    assert!(
        replay.0 == 401 && replay.1.contains("AADSTS50013"),
        "replayed jti: {replay:?}"
    );
    let expired = good.assertion(CLIENT, &url, now - 3600).unwrap();
    let r = post(&expired);
    assert!(r.0 == 401 && r.1.contains("AADSTS700024"), "expired: {r:?}");
    let elsewhere = good
        .assertion(
            CLIENT,
            &format!("{}/tenant-1/oauth2/v2.0/token", mock.base()),
            now,
        )
        .unwrap();
    let r = post(&elsewhere);
    assert!(
        r.0 == 401 && r.1.contains("audience"),
        "wrong audience: {r:?}"
    );
    let unknown = other.assertion(CLIENT, &url, now).unwrap();
    let r = post(&unknown);
    assert!(
        r.0 == 401 && r.1.contains("AADSTS700027"),
        "unknown certificate: {r:?}"
    );
    // A tampered payload fails the signature check.
    let mut parts: Vec<String> = good
        .assertion(CLIENT, &url, now)
        .unwrap()
        .split('.')
        .map(str::to_owned)
        .collect();
    let flip = if &parts[1][2..3] == "A" { "B" } else { "A" };
    parts[1].replace_range(2..3, flip);
    let r = post(&parts.join("."));
    assert_eq!(r.0, 401, "tampered: {r:?}");
}

/// A raw HTTP POST to the mock (form body), for testing the mock itself.
fn raw_post(mock: &Mock, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(mock.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        mock.addr,
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, out)
}

/// GDAP: the partner user's refresh token is redeemed at each customer's
/// tenant; rotated mid-fleet (the old one revoked), the new one is used
/// from then on and written back once.
#[test]
fn refresh_token_redeemed_per_customer_and_rotated_mid_fleet() {
    let mock = mock(6);
    mock.identity(Identity {
        refresh_tokens: vec!["rt-original".into()],
        rotate_at: Some(3),
        ..Default::default()
    });
    let site = site(
        &mock,
        6,
        "    client_secret_env: APP_SECRET\n    refresh_token_file: secrets/partner.token\n",
    )
    .edit("statusfleet.yaml", |y| {
        y.replace("fetch:\n", "fetch:\n  concurrency: 1\n")
    });
    std::fs::create_dir_all(site.path("secrets")).unwrap();
    std::fs::write(site.path("secrets/partner.token"), "rt-original\n").unwrap();
    let r = run(&site, &["fetch"], &[("APP_SECRET", SECRET)]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for i in 0..6 {
        assert!(fetched(&site, i), "c{i} fetched");
    }
    let log = mock.log();
    let grants: Vec<&str> = log
        .iter()
        .filter(|l| l.path.ends_with("/oauth2/v2.0/token"))
        .map(|l| l.path.as_str())
        .collect();
    assert_eq!(
        grants.len(),
        6,
        "one redemption per customer tenant: {grants:?}"
    );
    for i in 0..6 {
        assert!(grants.contains(&format!("/tenant-{i}/oauth2/v2.0/token").as_str()));
    }
    assert_eq!(
        std::fs::read_to_string(site.path("secrets/partner.token")).unwrap(),
        "rt-rotated-3\n"
    );
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(site.path("secrets/partner.token"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "owner only");
    assert_nothing_secret(&site, &[&r], &[SECRET, "rt-original", "rt-rotated"]);
}

/// Entra answers every redemption with a new refresh token (the old ones
/// stay valid): the file is written once a run, with the first new one.
#[test]
fn refresh_token_written_once_a_run_when_every_answer_rotates() {
    let mock = mock(4);
    let site = site(
        &mock,
        4,
        "    client_secret_env: APP_SECRET\n    refresh_token_file: secrets/partner.token\n",
    )
    .edit("statusfleet.yaml", |y| {
        y.replace("fetch:\n", "fetch:\n  concurrency: 1\n")
    });
    std::fs::create_dir_all(site.path("secrets")).unwrap();
    std::fs::write(site.path("secrets/partner.token"), "rt-original\n").unwrap();
    // Every redemption rotates and nothing is revoked, as with Entra.
    mock.identity(Identity {
        refresh_tokens: vec!["rt-original".into()],
        rotate_every: true,
        ..Default::default()
    });
    let r = run(&site, &["fetch"], &[("APP_SECRET", SECRET)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(mock.redemptions(), 4);
    assert_eq!(
        std::fs::read_to_string(site.path("secrets/partner.token")).unwrap(),
        "rt-rotated-1\n",
        "the first new token of the run, written once"
    );
    // From an environment variable it cannot be written: said once.
    let mock2 = self::mock(2);
    mock2.identity(Identity {
        refresh_tokens: vec!["rt-original".into()],
        rotate_every: true,
        ..Default::default()
    });
    let env_site = self::site(
        &mock2,
        2,
        "    client_secret_env: APP_SECRET\n    refresh_token_env: PARTNER_RT\n",
    );
    let r = run(
        &env_site,
        &["fetch"],
        &[("APP_SECRET", SECRET), ("PARTNER_RT", "rt-original")],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.stdout
            .matches("cannot be saved to the environment variable PARTNER_RT")
            .count(),
        1,
        "{}",
        r.stdout
    );
}

/// kill -9 while the rotated token is being written leaves a readable
/// token file: the old token or the new one, whole.
#[test]
fn killed_during_the_token_write_leaves_a_readable_file() {
    let mock = mock(8);
    let site = site(
        &mock,
        8,
        "    client_secret_env: APP_SECRET\n    refresh_token_file: secrets/partner.token\n",
    );
    std::fs::create_dir_all(site.path("secrets")).unwrap();
    let reset = || {
        std::fs::write(site.path("secrets/partner.token"), "rt-original\n").unwrap();
        mock.identity(Identity {
            refresh_tokens: vec!["rt-original".into()],
            rotate_at: Some(1),
            ..Default::default()
        });
    };
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_statusfleet"))
            .arg("fetch")
            .current_dir(site.dir.path())
            .env("APP_SECRET", SECRET)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Two whole runs first (the second with the history the first left,
    // as every round has it): how long a fetch takes on this machine, now.
    // The mock revokes the old token as it rotates, so the customers that
    // redeemed it at the same moment fail; the run still saves the new
    // one, which is what is tested here.
    let mut full = Duration::ZERO;
    for _ in 0..2 {
        reset();
        let start = std::time::Instant::now();
        let _ = spawn().wait();
        full = start.elapsed();
        assert_eq!(
            std::fs::read_to_string(site.path("secrets/partner.token")).unwrap(),
            "rt-rotated-1\n",
            "a whole run saves the rotated token"
        );
    }
    // Kills spread over the whole run and a little past it.
    let rounds = 16;
    let mut seen_new = 0;
    for round in 0..rounds {
        reset();
        let mut child = spawn();
        std::thread::sleep(full.mul_f64(1.2 * (round as f64 + 0.5) / rounds as f64));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(site.path("secrets/partner.token")).unwrap();
        assert!(
            text == "rt-original\n" || text == "rt-rotated-1\n",
            "round {round}: {text:?}"
        );
        seen_new += usize::from(text == "rt-rotated-1\n");
    }
    eprintln!(
        "token write: {rounds} kills over {full:?} runs: {} before the write, {seen_new} after",
        rounds - seen_new
    );
    assert!(seen_new > 0, "some round got as far as the write");
}

/// `statusfleet login`: the device code flow, pending then slow_down then
/// signed in; the refresh token lands in the file, owner-only.
#[test]
fn login_runs_the_device_code_flow() {
    let mock = mock(1);
    let site = site(&mock, 1, "    refresh_token_file: secrets/partner.token\n");
    let start = std::time::Instant::now();
    let r = run(
        &site,
        &[
            "login",
            "--credentials",
            "app",
            "--tenant",
            "tenant-partner",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "To sign in, open https://microsoft.com/devicelogin and enter the code ABCD-EFGH"
        ),
        "{}",
        r.stdout
    );
    // 1 s, 1 s, then 6 s after slow_down.
    assert!(
        start.elapsed() >= Duration::from_secs(7),
        "{:?}",
        start.elapsed()
    );
    let token = std::fs::read_to_string(site.path("secrets/partner.token")).unwrap();
    assert_eq!(token, "rt-from-device-login\n");
    assert!(!r.stdout.contains("rt-from-device-login"));
    let polls = mock
        .log()
        .iter()
        .filter(|l| l.path == "/tenant-partner/oauth2/v2.0/token")
        .count();
    assert_eq!(polls, 3);
    // The new token then serves the fleet.
    let r = run(&site, &["fetch"], &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(fetched(&site, 0));
}

/// Workload identity federation: a Kubernetes token file (re-read at each
/// token request), an environment variable, and GitHub Actions' OIDC token.
#[test]
fn federated_tokens_sign_in_without_a_secret() {
    let mock = mock(2);
    mock.identity(Identity {
        federated: vec![
            "k8s-token-1".into(),
            "env-token".into(),
            "gh-oidc-api://AzureADTokenExchange".into(),
        ],
        github_request_token: Some("gh-request-token".into()),
        ..Default::default()
    });
    let file_site = site(&mock, 2, "    client_assertion_file: secrets/token\n");
    std::fs::create_dir_all(file_site.path("secrets")).unwrap();
    std::fs::write(file_site.path("secrets/token"), "k8s-token-1\n").unwrap();
    let r1 = run(&file_site, &["fetch"], &[]);
    assert_eq!(r1.code, 0, "{}", r1.stdout);
    // Kubernetes rotated the token: the next request reads the new one.
    mock.identity(Identity {
        federated: vec!["k8s-token-2".into()],
        ..Default::default()
    });
    std::fs::write(file_site.path("secrets/token"), "k8s-token-2\n").unwrap();
    let r2 = run(&file_site, &["fetch"], &[]);
    assert_eq!(r2.code, 0, "{}", r2.stdout);
    assert_nothing_secret(&file_site, &[&r1, &r2], &["k8s-token-1", "k8s-token-2"]);

    mock.identity(Identity {
        federated: vec![
            "env-token".into(),
            "gh-oidc-api://AzureADTokenExchange".into(),
        ],
        github_request_token: Some("gh-request-token".into()),
        ..Default::default()
    });
    let env_site = site(&mock, 2, "    client_assertion_env: FEDERATED_TOKEN\n");
    let r = run(&env_site, &["fetch"], &[("FEDERATED_TOKEN", "env-token")]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let gh_site = site(&mock, 2, "    github_actions: {}\n");
    let url = format!("{}/github-oidc/token?api-version=2.0", mock.base());
    let env = [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", url.as_str()),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
    ];
    let r = run(&gh_site, &["fetch"], &env);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(mock.log().iter().any(|l| l.path == "/github-oidc/token"));
    assert_nothing_secret(&gh_site, &[&r], &["gh-request-token", "gh-oidc-"]);
    // Outside GitHub Actions, the message says why.
    let r = run(&gh_site, &["fetch"], &[]);
    assert_eq!(r.code, 4);
    assert!(
        r.stdout.contains("environment variable ACTIONS_ID_TOKEN_REQUEST_URL is not set: this is not a GitHub Actions job, or the job lacks `permissions: id-token: write`"),
        "{}",
        r.stdout
    );
}

/// A managed identity: its own tokens (no app), and standing as the
/// federated credential of a multi-tenant app.
#[test]
fn managed_identity_alone_and_as_a_federated_credential() {
    let mock = mock(2);
    mock.identity(Identity {
        managed_identity_tenant: Some("tenant-0".into()),
        federated: vec!["mi-federated-token".into()],
        ..Default::default()
    });
    let endpoint = format!("{}/metadata/identity/oauth2/token", mock.base());
    // Alone: the identity itself, in its own tenant.
    let alone = site(&mock, 1, "").edit("statusfleet.yaml", |y| {
        y.replace(
            &format!("    client_id: {CLIENT}\n"),
            &format!("    managed_identity: {{ endpoint: \"{endpoint}\" }}\n"),
        )
    });
    let r = run(&alone, &["fetch"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(fetched(&alone, 0));
    let imds: Vec<_> = mock
        .log()
        .into_iter()
        .filter(|l| l.path == "/metadata/identity/oauth2/token")
        .collect();
    assert!(!imds.is_empty());
    assert!(imds.iter().all(|l| {
        l.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("metadata") && v == "true")
    }));
    // As the app's federated credential, in every customer's tenant.
    let fic = site(
        &mock,
        2,
        &format!("    managed_identity: {{ endpoint: \"{endpoint}\" }}\n"),
    );
    let r = run(&fic, &["fetch"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(fetched(&fic, 0) && fetched(&fic, 1));
    assert_nothing_secret(&fic, &[&r], &["mi-federated-token"]);
}

/// Every AADSTS error partners meet says what to do (exact text).
#[test]
fn sign_in_errors_are_named_with_their_fix() {
    let cases: &[(u64, &str, &str, &str)] = &[
        (
            65001,
            "invalid_grant",
            "The user or administrator has not consented to use the application.",
            "admin consent is missing for app 00000000-aaaa-bbbb-cccc-000000000001 in tenant tenant-0: an administrator of that tenant grants it at BASE/tenant-0/adminconsent?client_id=00000000-aaaa-bbbb-cccc-000000000001 (or the partner grants it through Partner Center's application consent API) (invalid_grant: AADSTS65001: The user or administrator has not consented to use the application.)",
        ),
        (
            90099,
            "invalid_grant",
            "The application has not been authorized in the tenant.",
            "app 00000000-aaaa-bbbb-cccc-000000000001 is not authorized in customer tenant tenant-0 for delegated administration (GDAP): pre-consent it with Partner Center's application consent API (POST /v1/customers/tenant-0/applicationconsents) or have the customer's administrator consent at BASE/tenant-0/adminconsent?client_id=00000000-aaaa-bbbb-cccc-000000000001",
        ),
        (
            700016,
            "unauthorized_client",
            "Application with identifier was not found in the directory.",
            "app 00000000-aaaa-bbbb-cccc-000000000001 is not in tenant tenant-0: it was never consented there (BASE/tenant-0/adminconsent?client_id=00000000-aaaa-bbbb-cccc-000000000001), or the tenant id or the cloud (`cloud: china` for 21Vianet) is wrong",
        ),
        (
            90002,
            "invalid_request",
            "Tenant not found.",
            "tenant tenant-0 was not found at BASE: check the customer's tenant_id and its cloud (21Vianet tenants need `cloud: china`)",
        ),
        (
            50020,
            "invalid_grant",
            "User account does not exist in tenant.",
            "the signed-in partner user has no access to tenant tenant-0: add the user to a security group that holds a GDAP role in this customer's relationship (Service Support Administrator reads service health; Azure also needs Reader on the subscriptions)",
        ),
        (
            700082,
            "invalid_grant",
            "The refresh token has expired due to inactivity.",
            "the refresh token of credentials `app` has expired or was revoked: run `statusfleet login --credentials app` again",
        ),
        (
            50076,
            "invalid_grant",
            "Due to a configuration change made by your administrator, you must use multi-factor authentication.",
            "multifactor authentication is required for the partner user: run `statusfleet login --credentials app` again and complete MFA",
        ),
        (
            53003,
            "access_denied",
            "Access has been blocked by Conditional Access policies.",
            "a Conditional Access policy of tenant tenant-0 blocks this sign-in: ask its administrator to allow the statusfleet app (for example by excluding its service principal, or the partner's sign-ins under GDAP)",
        ),
        (
            7000112,
            "unauthorized_client",
            "Application is disabled.",
            "app 00000000-aaaa-bbbb-cccc-000000000001 is disabled in tenant tenant-0: an administrator re-enables its enterprise application (service principal)",
        ),
        (
            7000215,
            "invalid_client",
            "Invalid client secret provided.",
            "the client secret of credentials `app` is wrong (use the secret's value, not its id)",
        ),
        (
            7000222,
            "invalid_client",
            "The provided client secret keys are expired.",
            "the client secret of credentials `app` has expired: create a new one, or sign in with a certificate or a federated credential instead",
        ),
        (
            700027,
            "invalid_client",
            "Client assertion contains an invalid signature.",
            "the certificate of credentials `app` is not registered on app 00000000-aaaa-bbbb-cccc-000000000001: upload its public part to the app registration (a minute after a rotation this is normal; the next run retries)",
        ),
        (
            700024,
            "invalid_client",
            "Client assertion is not within its valid time range.",
            "the client assertion is outside its valid time: check this machine's clock",
        ),
        (
            70021,
            "invalid_client",
            "No matching federated identity record found for presented assertion.",
            "no federated credential of app 00000000-aaaa-bbbb-cccc-000000000001 matches the presented token: check the federated credential's issuer, subject (case-sensitive) and audience against the token (a new federated credential takes a few minutes to apply)",
        ),
    ];
    let mock = mock(1);
    let base = mock.base();
    let site = site(&mock, 1, "    client_secret_env: APP_SECRET\n");
    for (code, error, text, want) in cases {
        mock.clear_faults();
        mock.fault(
            "tenant-0",
            Api::Token,
            Fault::Aadsts(*code, error, text),
            10,
        );
        let r = run(&site, &["fetch"], &[("APP_SECRET", SECRET)]);
        assert_eq!(r.code, 4, "{code}: {}", r.stdout);
        let want = want.replace("BASE", &base);
        let line = r
            .stdout
            .lines()
            .find(|l| l.contains("c0: Microsoft 365:"))
            .unwrap_or("");
        assert!(
            line.contains(&want),
            "AADSTS{code}:\n got: {line}\nwant: {want}"
        );
        // Never on the customer's pages.
        let built = run(&site, &["build", "--offline"], &[]);
        let page = site.read("public/c0/en/index.html");
        assert!(
            !page.contains(&format!("AADSTS{code}")),
            "{code} on a customer page"
        );
        assert!(
            !page.contains("adminconsent"),
            "{code}: consent URL on a customer page"
        );
        assert_eq!(built.code, 4);
    }
}

/// `check --online`: one call per source, a table, nothing written.
#[test]
fn check_online_prints_what_works_and_writes_nothing() {
    let mock = mock(2);
    mock.fault(
        "tenant-1",
        Api::Token,
        Fault::Aadsts(65001, "invalid_grant", "No consent."),
        10,
    );
    let site = site(&mock, 2, "    client_secret_env: APP_SECRET\n");
    let r = run(&site, &["check", "--online"], &[("APP_SECRET", SECRET)]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("c0 ") || l.starts_with("c1 "))
        .collect();
    assert_eq!(rows.len(), 2, "{}", r.stdout);
    assert!(
        rows[0].contains("Microsoft 365") && rows[0].contains("ok: "),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("FAILED: ") && rows[1].contains("admin consent is missing"),
        "{}",
        rows[1]
    );
    assert!(
        r.stdout
            .contains("1 of 2 sources work; nothing was written"),
        "{}",
        r.stdout
    );
    assert!(!site.path("data").exists(), "nothing written");
    assert!(!site.path("public").exists(), "nothing written");
}
