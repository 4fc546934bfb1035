//! What a notification says of an incident or a maintenance window: the
//! page's own views, with every link absolute (a message is read away from
//! the site).

use super::*;

impl<'m, 'a> LocaleViews<'m, 'a> {
    /// The incident `id` as its page shows it, with its next steps, links
    /// under `base` (the absolute URL of this locale's folder, ending in
    /// `/`).
    pub fn incident_notice(&self, id: &str, base: &str) -> Option<IncidentDetail> {
        let m = self.model.incident(id)?;
        let mut summary = self.summary(m);
        summary.href = format!("{base}{}", summary.href);
        for s in &mut summary.services {
            s.href = s.href.take().map(|h| format!("{base}{h}"));
        }
        Some(self.incident_detail_at(m, summary, base))
    }

    /// The maintenance window `id` as the maintenance page shows it.
    pub fn maintenance_notice(&self, id: &str) -> Option<MaintView> {
        let m = self
            .model
            .maintenance
            .iter()
            .find(|m| m.maintenance.id == id)?;
        Some(self.maint(m))
    }

    /// The overview's next steps (nothing listed: "submit a request"),
    /// links under `base`.
    pub fn general_next_steps(&self, base: &str) -> Vec<Step> {
        let any_active = self.model.incidents.iter().any(|m| m.is_active());
        let recently = self.recently_resolved(self.model.incidents.iter());
        self.overview_next_steps(base, any_active, recently)
    }
}
