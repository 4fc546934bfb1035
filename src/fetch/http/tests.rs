use super::*;

#[test]
fn retry_after_in_every_form() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
    assert_eq!(parse_retry_after("10", now), Some(Duration::from_secs(10)));
    assert_eq!(
        parse_retry_after("2.128", now),
        Some(Duration::from_secs_f64(2.128))
    );
    let date = chrono::DateTime::from_timestamp(1_784_000_030, 0)
        .unwrap()
        .to_rfc2822();
    assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(30)));
    let past = chrono::DateTime::from_timestamp(1_783_000_000, 0)
        .unwrap()
        .to_rfc2822();
    assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("-1", now), None);
    assert_eq!(parse_retry_after("soon", now), None);
}

#[test]
fn error_envelopes_are_shortened_to_code_and_message() {
    let graph =
        br#"{"error":{"code":"TooManyRequests","message":"Slow down","innerError":{"date":"x"}}}"#;
    assert_eq!(error_detail(graph), ": TooManyRequests: Slow down");
    let arm = br#"{"code":"SubscriptionNotFound","message":"gone","details":"x"}"#;
    assert_eq!(error_detail(arm), ": SubscriptionNotFound: gone");
    let pc = br#"{"statusCode":429,"message":"Rate limit is exceeded."}"#;
    assert_eq!(error_detail(pc), ": Rate limit is exceeded.");
    assert_eq!(error_detail(b"<html>oops"), "");
}
