use std::path::PathBuf;

use super::http::safe_path;
use super::pages::{error_page, with_reload};

#[test]
fn paths_never_leave_the_output() {
    assert_eq!(safe_path("/a/b.html"), Some(PathBuf::from("a/b.html")));
    assert_eq!(safe_path("/"), Some(PathBuf::new()));
    assert_eq!(safe_path("/%E4%B8%AD.html"), Some(PathBuf::from("中.html")));
    for bad in [
        "/../etc/passwd",
        "/a/%2e%2e/%2e%2e/x",
        "/a/./b",
        "/a%00b",
        "/a\\..\\b",
        "/%zz",
        "relative",
        "/%ff",
    ] {
        assert_eq!(safe_path(bad), None, "{bad}");
    }
}

#[test]
fn only_the_served_page_gets_the_script_and_a_policy_that_allows_it() {
    let built = format!(
        "<head><meta http-equiv=\"Content-Security-Policy\" content=\"{}\"></head><body></body>",
        crate::render::CONTENT_SECURITY_POLICY
    );
    let served = with_reload(&built, 7);
    assert!(
        served.contains("script-src 'self'; connect-src 'self'\">"),
        "{served}"
    );
    assert!(served.contains(
        "<script src=\"/__statusfleet/reload.js\" data-generation=\"7\" defer></script>\n</head>"
    ));
    assert!(!built.contains("<script"));
}

#[test]
fn error_lines_are_escaped() {
    let page = error_page(&["a.yaml:1:2: <script>x</script> & co".to_owned()], 3);
    assert!(page.contains("&lt;script&gt;x&lt;/script&gt; &amp; co"));
    assert_eq!(page.matches("<script").count(), 1, "only the reload script");
}
