//! What to do next: the admin portals of the customer's cloud, service
//! requests, self-support, contacts.

use super::IncidentModel;
use super::*;
use crate::config::Cloud;
use crate::model::Platform;

impl<'m, 'a> LocaleViews<'m, 'a> {
    /// The admin portal where the customer's admin sees this platform's
    /// health, in the customer's cloud (`clouds:` in the config).
    pub(super) fn portal(&self, platform: Platform) -> Option<LinkView> {
        let cloud = self.model.customer.cloud;
        let endpoints = self.config.clouds.endpoints(cloud);
        let china = cloud == Cloud::China;
        let (key, href) = match (platform, china) {
            (Platform::Microsoft365, false) => {
                ("portal.microsoft365", endpoints.m365_service_health)
            }
            (Platform::Microsoft365, true) => {
                ("portal.microsoft365_china", endpoints.m365_service_health)
            }
            (Platform::Azure, false) => ("portal.azure", endpoints.azure_service_health),
            (Platform::Azure, true) => ("portal.azure_china", endpoints.azure_service_health),
            (Platform::Other, _) => return None,
        };
        Some(LinkView {
            href,
            label: self.cat.t(key),
        })
    }

    pub(super) fn platforms_of(&self, refs: &[crate::model::ServiceRef]) -> Vec<Platform> {
        let mut p: Vec<Platform> = refs
            .iter()
            .filter_map(|r| self.model.services.iter().find(|s| s.service.id == r.0))
            .map(|s| s.service.platform)
            .collect();
        p.sort();
        p.dedup();
        p
    }

    /// Where to submit a service request: the configured link, else the
    /// partner's support page, else the partner's site.
    pub(super) fn request_link(&self, base: &str) -> Option<LinkView> {
        let support = &self.model.customer.support;
        let href = support
            .service_request_url
            .clone()
            .or_else(|| {
                self.model
                    .pages
                    .contains_key("support")
                    .then(|| format!("{base}support.html"))
            })
            .or_else(|| self.config.site.partner.url.clone())?;
        Some(LinkView {
            href,
            label: self.cat.t("next.submit_request"),
        })
    }

    pub(super) fn support_steps(&self, base: &str) -> Vec<Step> {
        let support = &self.model.customer.support;
        let mut steps = Vec::new();
        let self_support = support.self_support_url.clone().or_else(|| {
            self.model
                .pages
                .contains_key("support")
                .then(|| format!("{base}support.html"))
        });
        if let Some(href) = self_support {
            steps.push(Step::new(
                self.cat.t("next.self_support"),
                vec![LinkView {
                    href,
                    label: self.cat.t("next.self_support_link"),
                }],
            ));
        }
        let mut contact = Vec::new();
        if let Some(email) = &support.email {
            contact.push(LinkView {
                href: format!("mailto:{email}"),
                label: self.cat.text_or_key(
                    "next.email",
                    None,
                    &[("email", &self.isolated_ltr(email))],
                ),
            });
        }
        if let Some(phone) = &support.phone {
            let tel: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            contact.push(LinkView {
                href: format!("tel:{tel}"),
                label: self.cat.text_or_key(
                    "next.phone",
                    None,
                    &[("phone", &self.isolated_ltr(phone))],
                ),
            });
        }
        if !contact.is_empty() {
            steps.push(Step::new(self.cat.t("next.customer_support"), contact));
        }
        steps
    }

    /// A phone number or address inside right-to-left text, isolated as
    /// left-to-right (U+2066 … U+2069) so that `+1 555 0100` keeps its order.
    pub(super) fn isolated_ltr(&self, s: &str) -> String {
        if self.cat.dir() == "rtl" {
            format!("\u{2066}{s}\u{2069}")
        } else {
            s.to_owned()
        }
    }

    pub(super) fn persists_step(&self, base: &str) -> Step {
        let text = if self.model.customer.cloud == Cloud::China {
            self.cat.text_or_key(
                "next.persists_china",
                None,
                &[("partner", &self.config.site.partner.name)],
            )
        } else {
            self.cat.t("next.persists")
        };
        Step::new(text, self.request_link(base).into_iter().collect())
    }

    pub(super) fn incident_next_steps(&self, m: &IncidentModel, base: &str) -> Vec<Step> {
        let mut steps = Vec::new();
        if m.is_active() {
            steps.push(Step::new(self.cat.t("next.active_known"), vec![]));
            steps.push(Step::new(self.cat.t("next.regular_updates"), vec![]));
            for p in self.platforms_of(&m.incident.services) {
                if let Some(link) = self.portal(p) {
                    steps.push(Step::inline(
                        self.cat,
                        "next.follow_in_portal",
                        "portal",
                        link,
                    ));
                }
            }
        } else {
            steps.push(self.persists_step(base));
        }
        steps.extend(self.support_steps(base));
        steps
    }

    /// The first step when nothing is active: just after a resolution,
    /// what to do if the problem persists; else how to report a problem
    /// that is not listed.
    fn quiet_step(&self, base: &str, recently_resolved: bool) -> Step {
        if recently_resolved {
            self.persists_step(base)
        } else {
            Step::new(
                self.cat.t("next.not_listed"),
                self.request_link(base).into_iter().collect(),
            )
        }
    }

    /// Whether one of `incidents` was resolved within
    /// `site.next_steps_after_resolved_hours` of the data's time.
    pub(super) fn recently_resolved<'i>(
        &self,
        incidents: impl Iterator<Item = &'i IncidentModel>,
    ) -> bool {
        let window =
            chrono::Duration::hours(i64::from(self.config.site.next_steps_after_resolved_hours));
        let now = self.model.now;
        incidents
            .filter(|m| !m.is_active())
            .filter_map(|m| m.incident.ended_at)
            .any(|end| end <= now && now - end <= window)
    }

    /// A service page's steps, by its state: while an incident touches it,
    /// as an incident page says them (known, updates, its admin portal);
    /// just after one ended, what to do if the problem persists; else
    /// how to report a problem that is not listed.
    pub(super) fn service_next_steps(
        &self,
        s: &crate::site::ServiceModel,
        active: bool,
        recently_resolved: bool,
        base: &str,
    ) -> Vec<Step> {
        let mut steps = Vec::new();
        let portal = self.portal(s.service.platform);
        if active {
            steps.push(Step::new(self.cat.t("next.active_known"), vec![]));
            steps.push(Step::new(self.cat.t("next.regular_updates"), vec![]));
            if let Some(link) = portal.clone() {
                steps.push(Step::inline(
                    self.cat,
                    "next.follow_in_portal",
                    "portal",
                    link,
                ));
            }
        } else {
            steps.push(self.quiet_step(base, recently_resolved));
        }
        steps.extend(self.support_steps(base));
        if !active && let Some(link) = portal {
            steps.push(Step::inline(
                self.cat,
                "service.admin_portal",
                "portal",
                link,
            ));
        }
        steps
    }

    pub(super) fn overview_next_steps(
        &self,
        base: &str,
        any_active: bool,
        recently_resolved: bool,
    ) -> Vec<Step> {
        let mut steps = Vec::new();
        if any_active {
            steps.push(Step::new(self.cat.t("next.active_known"), vec![]));
            steps.push(Step::new(self.cat.t("next.regular_updates"), vec![]));
            steps.push(self.persists_step(base));
        } else {
            steps.push(self.quiet_step(base, recently_resolved));
        }
        steps.extend(self.support_steps(base));
        let mut platforms: Vec<Platform> = self
            .model
            .services
            .iter()
            .map(|s| s.service.platform)
            .collect();
        platforms.sort();
        platforms.dedup();
        let portals: Vec<LinkView> = platforms
            .into_iter()
            .filter_map(|p| self.portal(p))
            .collect();
        if !portals.is_empty() {
            steps.push(Step::new(self.cat.t("next.portals"), portals));
        }
        steps
    }
}
