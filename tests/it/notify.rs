//! Notifications at fleet scale, as the partner's helpdesk receives them:
//! one Microsoft incident that hits many customers is one message that
//! says it once and lists the customers, not one block per customer.

use crate::support;

use serde_json::{Value, json};
use support::SiteTest;

#[test]
fn one_incident_across_the_fleet_is_said_once_to_the_partner() {
    const N: usize = 60;
    let mut yaml = String::from(
        "site:\n  title: Status\n  partner: { name: Northwind }\n  base_url: https://status.example.net/\nnotifications:\n  from: \"Status <status@northwind.example>\"\n  unsubscribe: \"mailto:unsubscribe@northwind.example\"\n  partner:\n    - email: helpdesk@northwind.example\n    - { webhook: \"https://hooks.northwind.example/p\", secret_env: NOTIFY_SECRET }\n    - teams: \"https://example.webhook.office.com/webhookb2/x\"\ncustomers:\n",
    );
    for k in 0..N {
        yaml.push_str(&format!(
            "  - {{ slug: c{k:02}, name: Customer {k:02}, sources: [{{ file: {{ path: data-files/c{k:02}.json }} }}] }}\n"
        ));
    }
    let site = SiteTest::with_config(&yaml);
    let write = |incident: bool| {
        std::fs::create_dir_all(site.path("data-files")).unwrap();
        for k in 0..N {
            let incidents = if incident {
                json!([{"id": "EX1001", "title": "Mail delayed", "classification": "incident",
                    "status": "investigating", "services": ["exchange"], "started_at": "2026-11-30T09:00:00Z",
                    "updates": [{"at": "2026-11-30T09:05:00Z", "body": "We're investigating.", "format": "text"}]}])
            } else {
                json!([])
            };
            std::fs::write(
                site.path(&format!("data-files/c{k:02}.json")),
                json!({"taken_at": "2026-11-30T09:10:00Z",
                    "services": [{"id": "exchange", "name": "Exchange Online", "health": "operational"}],
                    "incidents": incidents})
                .to_string(),
            )
            .unwrap();
        }
    };
    let env = [
        ("NOTIFY_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("STATUSFLEET_NOW", "2026-11-30T09:10:00Z"),
    ];
    write(false);
    assert_eq!(site.run_env(&["notify", "--offline"], &env).code, 0);
    write(true);
    let review = site.path("review");
    let r = site.run_env(&["notify", "--dry-run", review.to_str().unwrap()], &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let partner = support::files_under(&review.join("_partner"));
    let of = |prefix: &str| -> Vec<String> {
        partner
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
            .collect()
    };
    let mails = of("email-");
    assert_eq!(mails.len(), 1, "one mail for the incident");
    let mail = &mails[0];
    assert!(mail.len() < 60_000, "{} bytes", mail.len());
    assert!(
        mail.contains("Subject: Mail delayed (New incident or advisory): 60 customers"),
        "{mail}"
    );
    let parts = support::mime_parts(mail);
    let text = &parts[0].1;
    assert!(
        text.contains("Customers (60): Customer 00, Customer 01"),
        "{text}"
    );
    assert!(text.contains("Customer 49, and 10 more"), "{text}");
    assert!(!text.contains("Customer 50,"), "{text}");
    // The incident is said once.
    assert_eq!(
        text.matches("== New incident or advisory: Mail delayed")
            .count(),
        1
    );
    let html = scraper::Html::parse_document(&parts[1].1);
    let items: Vec<String> = html
        .select(&scraper::Selector::parse("ul li").unwrap())
        .map(|li| li.text().collect())
        .collect();
    assert!(
        items.contains(&"Customer 00".to_owned()) && items.contains(&"and 10 more".to_owned()),
        "{items:?}"
    );
    assert!(parts[1].1.contains(
        r#"<a href="https://status.example.net/c00/en/incidents/EX1001.html">Customer 00</a>"#
    ));
    let cards = of("teams-");
    assert_eq!(cards.len(), 1);
    let card: Value = serde_json::from_str(&cards[0]).unwrap();
    let facts = &card["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "FactSet")
        .unwrap()["facts"];
    assert_eq!(facts[0]["title"], "Customers (60)");
    assert!(facts[0]["value"].as_str().unwrap().ends_with("and 40 more"));
    // The webhook keeps every customer's event, for tools that open a
    // ticket per customer.
    let hooks = of("webhook-");
    assert_eq!(hooks.len(), 1);
    let hook: Value = serde_json::from_str(&hooks[0]).unwrap();
    let slugs: Vec<&str> = hook["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["customer"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs.len(), N);
    assert_eq!(slugs[0], "c00");
}
