use super::deliver::{next_attempt, parse_retry_after, signature, webhook_key};
use chrono::TimeZone as _;

#[test]
fn signature_matches_the_standard_webhooks_example() {
    // The example of the Standard Webhooks specification
    // (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
    let key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = r#"{"test": 2432232314}"#;
    assert_eq!(
        signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn retry_after_is_honoured_and_backoff_grows() {
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    assert_eq!(parse_retry_after("120", now).unwrap().as_secs(), 120);
    assert_eq!(
        parse_retry_after("Tue, 01 Dec 2026 10:05:00 GMT", now)
            .unwrap()
            .as_secs(),
        300
    );
    assert_eq!(
        next_attempt(now, 1, None),
        now + chrono::Duration::minutes(1)
    );
    assert_eq!(
        next_attempt(now, 3, None),
        now + chrono::Duration::minutes(4)
    );
    assert_eq!(
        next_attempt(now, 1, Some(std::time::Duration::from_secs(900))),
        now + chrono::Duration::minutes(15)
    );
    assert_eq!(
        next_attempt(now, 40, None),
        now + chrono::Duration::hours(6)
    );
}

#[test]
fn chat_text_is_escaped() {
    assert_eq!(
        super::compose::slack_text("<!channel> & <https://x|y>"),
        "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    );
    assert_eq!(
        super::compose::card_text("[a](javascript:x) *b*"),
        "\\[a\\]\\(javascript:x\\) \\*b\\*"
    );
}

#[test]
fn slack_text_is_cut_between_escapes_and_links_never_inside() {
    use super::compose::truncate_mrkdwn;
    assert_eq!(truncate_mrkdwn("a &amp; b", 100), "a &amp; b");
    // "x &am" would be left by a plain cut at 5.
    assert_eq!(truncate_mrkdwn("x &amp; yyyyy", 6), "x …");
    assert_eq!(
        truncate_mrkdwn("see <https://s.example/a|page> now", 12),
        "see …"
    );
    assert_eq!(truncate_mrkdwn("abcdef", 4), "abc…");
}

#[test]
fn a_subject_across_customers_is_folded_for_the_partner_but_sources_are_not() {
    use super::compose::{Line, fold_customers};
    let line = |customer: &str, ty: &str, id: &str| Line {
        customer: customer.to_lowercase(),
        customer_name: customer.into(),
        subject_type: ty.into(),
        subject_id: id.into(),
        heading: "New incident or advisory".into(),
        title: format!("title of {id}"),
        status: "Investigating".into(),
        status_key: None,
        classification: None,
        impact: None,
        services: Vec::new(),
        when: String::new(),
        latest_at: None,
        latest: None,
        url: format!("https://s.example/{customer}/{id}"),
        steps: Vec::new(),
        customers: Vec::new(),
    };
    let folded = fold_customers(vec![
        line("A", "incident", "EX1"),
        line("B", "incident", "EX1"),
        line("A", "source", "Graph"),
        line("B", "source", "Graph"),
        line("C", "incident", "EX1"),
        line("C", "maintenance", "MC1"),
    ]);
    let shape: Vec<(&str, usize)> = folded
        .iter()
        .map(|l| (l.subject_id.as_str(), l.customers.len()))
        .collect();
    assert_eq!(shape, [("EX1", 3), ("Graph", 0), ("Graph", 0), ("MC1", 0)]);
    assert_eq!(
        folded[0].customers[2],
        ("C".to_owned(), "https://s.example/C/EX1".to_owned())
    );
}
