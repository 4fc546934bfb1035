//! Partner Center `GET /v1/customers` (upstream-apis.md §3): the partner's
//! customers, paged by `links.next` with the headers it names.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(default)]
    pub items: Vec<Customer>,
    #[serde(default)]
    pub links: Option<Links>,
}

#[derive(Debug, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub next: Option<LinkObj>,
}

#[derive(Debug, Deserialize)]
pub struct LinkObj {
    pub uri: String,
    #[serde(default)]
    pub headers: Vec<Header>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub company_profile: Option<CompanyProfile>,
    /// Present on get-by-id and in some list answers; its address gives
    /// the customer's country.
    #[serde(default)]
    pub billing_profile: Option<BillingProfile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingProfile {
    #[serde(default)]
    pub default_address: Option<Address>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
}

pub use crate::config::Discovered;

pub fn discovered(c: &Customer) -> Option<Discovered> {
    let p = c.company_profile.as_ref();
    // The customer's id is its tenant id (the "Microsoft ID"); the
    // profile's copy is the fallback (the docs' example has `<guid>` there).
    let usable = |t: &String| !t.trim().is_empty() && !t.contains(['<', '>', ' ']);
    let tenant_id =
        c.id.clone()
            .filter(usable)
            .or_else(|| p.and_then(|p| p.tenant_id.clone()).filter(usable))?;
    let domain = p.and_then(|p| p.domain.clone());
    let name = p
        .and_then(|p| p.company_name.clone())
        .filter(|n| !n.trim().is_empty())
        .or_else(|| domain.clone())
        .unwrap_or_else(|| tenant_id.clone());
    let country = c
        .billing_profile
        .as_ref()
        .and_then(|b| b.default_address.as_ref())
        .and_then(|a| a.country.clone())
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    Some(Discovered {
        tenant_id,
        name,
        domain,
        country,
    })
}

/// A stable slug for a discovered customer: the first label of its
/// `onmicrosoft.com` domain (never its display name), else its tenant id.
pub fn slug_for(d: &Discovered) -> String {
    crate::ids::customer_slug(d.domain.as_deref(), &d.tenant_id)
}

/// The next page's URL: `links.next.uri` resolved against the base, with
/// `/v1` added when the link leaves it out.
pub fn next_url(base: &str, uri: &str) -> String {
    if uri.starts_with("https://") || uri.starts_with("http://") {
        return uri.to_owned();
    }
    let path = uri.trim_start_matches('/');
    if path.starts_with("v1/") {
        format!("{base}/{path}")
    } else {
        format!("{base}/v1/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_with_and_without_v1() {
        let b = "https://api.partnercenter.microsoft.com";
        assert_eq!(
            next_url(b, "/v1/customers?size=1&seekOperation=Next"),
            "https://api.partnercenter.microsoft.com/v1/customers?size=1&seekOperation=Next"
        );
        assert_eq!(
            next_url(b, "/customers?size=1"),
            "https://api.partnercenter.microsoft.com/v1/customers?size=1"
        );
    }

    #[test]
    fn slugs_come_from_the_domain_not_the_name() {
        let d = Discovered {
            tenant_id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
            name: "한빛 물산".into(),
            domain: Some("Hanbit-Trading.onmicrosoft.com".into()),
            country: None,
        };
        assert_eq!(slug_for(&d), "hanbit-trading");
        let d = Discovered { domain: None, ..d };
        assert_eq!(slug_for(&d), "aaaaaaaa000040008000000000000001");
    }
}

#[cfg(test)]
mod fixture_tests {
    use super::*;

    #[test]
    fn customer_pages_parse() {
        let read = |f: &str| -> Collection {
            let path = format!(
                "{}/tests/fixtures/upstream/partner_center/{f}",
                env!("CARGO_MANIFEST_DIR")
            );
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let p1 = read("customers_page1.json");
        let next = p1.links.as_ref().and_then(|l| l.next.as_ref()).unwrap();
        assert_eq!(next.headers[0].key, "MS-ContinuationToken");
        let p2 = read("customers_page2.json");
        assert!(p2.links.as_ref().and_then(|l| l.next.as_ref()).is_none());
        let found: Vec<Discovered> = p1
            .items
            .iter()
            .chain(&p2.items)
            .filter_map(discovered)
            .collect();
        let names: Vec<_> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Contoso Ltd", "한빛 물산", "Fromagerie Dupré"]);
        let slugs: Vec<_> = found.iter().map(slug_for).collect();
        assert_eq!(slugs, ["contoso", "hanbitmulsan", "fromageriedupre"]);
    }
}
