//! Notifications (DESIGN §7): a phase after the history merge. Per
//! customer, the events are derived from what its pages show now against
//! what was seen, rendered into one message per subscriber (in its
//! language, on its channel) and queued in the customer's outbox file in
//! one atomic write; then everything due is delivered, at least once, each
//! message under its stable id.

pub mod compose;
pub mod deliver;
pub mod events;
pub mod mail;
pub mod outbox;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::build::Inputs;
use crate::config::notify::{Channel, Delivery, EventKind, Given, NotifyConfig, Subscriber};
use crate::config::{Config, Customer};
use crate::error::{InputError, InputErrors};
use crate::history::StoreError;
use crate::history::deliveries::DeliveryProblem;
use crate::locale::Locale;
use crate::site::views::{Brand, LocaleViews};
use compose::{Draft, Line};
use events::Event;
use outbox::{Message, PartnerEvent};

#[derive(Debug, Clone, Default)]
pub struct NotifyOptions {
    pub config: PathBuf,
    /// Write each pending message into this folder instead of sending;
    /// the outbox is left as it was.
    pub dry_run: Option<PathBuf>,
    /// Queue, never send.
    pub offline: bool,
    /// Run by `build`: nothing to do unless `notifications.on_build`.
    pub from_build: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Messages queued by this run.
    pub queued: usize,
    /// Customers (and the partner) whose baseline this run set.
    pub baselines: usize,
    pub sent: usize,
    /// Failed this run, to be tried again: (who, why, next attempt).
    pub retrying: Vec<(String, String, DateTime<Utc>)>,
    /// Given up this run: (who, why).
    pub given_up: Vec<(String, String)>,
    /// Dropped: their subscriber is no longer configured.
    pub dropped: usize,
    /// Still pending, not yet due.
    pub waiting: usize,
    /// Files written by `--dry-run`.
    pub written: usize,
    /// Every message whose last attempt failed or that was given up, as
    /// this run left them (what the partner console lists).
    pub problems: Vec<DeliveryProblem>,
    /// Whether `problems` differ from what the last run left.
    pub problems_changed: bool,
    pub elapsed: Duration,
}

impl Report {
    pub fn degraded(&self) -> bool {
        !self.retrying.is_empty() || !self.given_up.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Setup(String),
    /// No `notifications:` (or, from `build`, `on_build: false`).
    #[error("{}: no `notifications:` section: nothing to send (README, \"Notifications\")", .0.display())]
    Off(PathBuf),
}

/// A configured subscriber, resolved.
struct Sub {
    s: Subscriber,
    id: String,
    channel: Channel,
    given: Given,
    locale: Locale,
}

fn resolve_sub(s: Subscriber, scope: &str, default_locale: &Locale) -> Option<Sub> {
    let (channel, given) = s.endpoint().ok()?;
    let address = match &given {
        Given::Value(v) => format!("value:{v}"),
        Given::Env(e) => format!("env:{e}"),
    };
    Some(Sub {
        id: crate::ids::stable_uuid(&["subscriber", scope, channel.key(), &address]),
        locale: s.locale.clone().unwrap_or_else(|| default_locale.clone()),
        channel,
        given,
        s,
    })
}

/// The subscribers by customer slug, and the partner's.
type Subscribers = (BTreeMap<String, Vec<Sub>>, Vec<Sub>);

/// Every customer's subscribers (inline and from `subscribers_dir`), and
/// the partner's; every problem at once.
fn subscribers(
    config: &Config,
    n: &NotifyConfig,
    catalogs: &BTreeSet<String>,
) -> Result<Subscribers, InputErrors> {
    let dir = n.subscribers_dir(&config.root);
    let mut errors = Vec::new();
    let mut by_customer = BTreeMap::new();
    for c in &config.customers {
        let slug = c.slug.as_str();
        let mut list: Vec<Subscriber> = c.subscribers.clone();
        match crate::config::notify::load_subscribers_file(&dir, slug) {
            Ok(more) => list.extend(more),
            Err(e) => errors.extend(e),
        }
        let mut subs = Vec::new();
        for (k, s) in list.into_iter().enumerate() {
            if let Some(l) = &s.locale
                && !c.locales.contains(l)
            {
                let tags: Vec<&str> = c.locales.iter().map(|l| l.tag()).collect();
                errors.push(InputError::new(
                    &config.file,
                    None,
                    format!(
                        "customer `{slug}`: subscriber {}: locale `{}` is not one of the customer's ({}): its links would lead nowhere",
                        k + 1,
                        l.tag(),
                        tags.join(", ")
                    ),
                ));
            }
            subs.extend(resolve_sub(s, slug, &c.default_locale));
        }
        by_customer.insert(slug.to_owned(), subs);
    }
    let mut partner = Vec::new();
    for (k, s) in n.partner.iter().enumerate() {
        if let Some(l) = &s.locale
            && !catalogs.contains(l.tag())
        {
            errors.push(InputError::new(
                &config.file,
                None,
                format!(
                    "notifications.partner {}: no catalog for locale `{}`",
                    k + 1,
                    l.tag()
                ),
            ));
        }
        if let Some(list) = &s.customers {
            for slug in list {
                if !config.customers.iter().any(|c| c.slug.as_str() == slug) {
                    errors.push(InputError::new(
                        &config.file,
                        crate::error::locate_scalar(
                            &std::fs::read_to_string(&config.file).unwrap_or_default(),
                            1,
                            slug,
                        ),
                        format!("notifications.partner {}: no customer `{slug}`", k + 1),
                    ));
                }
            }
        }
        partner.extend(resolve_sub(
            s.clone(),
            "partner",
            &config.site.default_locale,
        ));
    }
    if errors.is_empty() {
        Ok((by_customer, partner))
    } else {
        Err(InputErrors(errors))
    }
}

/// The absolute URL of a customer's locale folder.
fn locale_base(config: &Config, customer: &Customer, locale: &Locale) -> String {
    let base = config.site.base_url.as_ref().map_or("", |u| u.as_str());
    format!("{base}{}/{}/", customer.folder, locale.tag())
}

fn views<'m, 'a>(
    inputs: &'a Inputs,
    model: &'m crate::site::CustomerModel<'a>,
    locale: &Locale,
) -> LocaleViews<'m, 'a>
where
    'a: 'm,
{
    LocaleViews {
        model,
        config: &inputs.config,
        cat: inputs.catalogs.get(locale),
        locale_names: Vec::new(),
        brand: Brand::default(),
    }
}

/// Groups of events by subject, in the order they first appear.
fn groups<'e>(events: &[&'e Event]) -> Vec<Vec<&'e Event>> {
    let mut out: Vec<Vec<&Event>> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for e in events {
        match at.get(e.subject.as_str()) {
            Some(&k) => out[k].push(e),
            None => {
                at.insert(&e.subject, out.len());
                out.push(vec![e]);
            }
        }
    }
    out
}

/// The newest line of each subject, in order: what a person reads.
fn shown(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut at: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for l in lines {
        let key = (l.subject_id.as_str(), l.customer.as_str());
        match at.get(&key).map(|&k| &mut out[k]) {
            Some(o) => {
                let heading = format!("{} · {}", o.heading, l.heading);
                *o = l.clone();
                o.heading = heading;
            }
            None => {
                at.insert(key, out.len());
                out.push(l.clone());
            }
        }
    }
    for o in &mut out {
        // "New update · New update · Resolved" says no more than its parts.
        let mut parts: Vec<&str> = Vec::new();
        for p in o.heading.split(" · ") {
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
        o.heading = parts.join(" · ");
    }
    out
}

struct Ctx<'a> {
    inputs: &'a Inputs,
    n: &'a NotifyConfig,
    from: Option<lettre::message::Mailbox>,
    now: DateTime<Utc>,
}

/// One message for `sub` carrying `events` (with their lines).
#[allow(clippy::too_many_arguments)]
fn message(
    ctx: &Ctx<'_>,
    sub: &Sub,
    cat: &crate::i18n::Catalog,
    customer: Option<(&Customer, String)>,
    events: &[&Event],
    lines: Vec<Line>,
    digest: bool,
    steps: compose::Steps,
) -> Result<Message, String> {
    let partner_name = &ctx.inputs.config.site.partner.name;
    let event_ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let id = crate::ids::stable_uuid(&["message", &sub.id, &event_ids.join(",")]).replace('-', "");
    let visible = shown(&lines);
    // The partner hears of a subject once, with the customers it hits.
    let visible = if customer.is_none() {
        compose::fold_customers(visible)
    } else {
        visible
    };
    let subject = match (&customer, digest, visible.first()) {
        (Some((c, _)), false, Some(l)) => cat.text_or_key(
            "notify.subject",
            None,
            &[
                (
                    "customer",
                    c.name.pick(cat.locale.tag(), c.default_locale.tag()).text,
                ),
                ("title", &l.title),
                ("status", &l.heading),
            ],
        ),
        (Some((c, _)), _, _) => cat.text_or_key(
            "notify.subject_digest",
            Some(visible.len() as u64),
            &[(
                "customer",
                c.name.pick(cat.locale.tag(), c.default_locale.tag()).text,
            )],
        ),
        (None, false, Some(l)) => {
            let customers: BTreeSet<&str> = lines.iter().map(|l| l.customer.as_str()).collect();
            cat.text_or_key(
                "notify.subject_partner",
                Some(customers.len() as u64),
                &[("title", &l.title), ("status", &l.heading)],
            )
        }
        (None, _, _) => cat.text_or_key(
            "notify.subject_partner_digest",
            Some(visible.len() as u64),
            &[],
        ),
    };
    let unsubscribe = ctx.n.unsubscribe.clone().unwrap_or_default();
    let footer = match &customer {
        Some((c, _)) => cat.text_or_key(
            "notify.footer",
            None,
            &[
                (
                    "customer",
                    c.name.pick(cat.locale.tag(), c.default_locale.tag()).text,
                ),
                ("partner", partner_name),
            ],
        ),
        None => cat.text_or_key("notify.footer_partner", None, &[("partner", partner_name)]),
    };
    let intro = match &customer {
        Some((c, _)) => cat.text_or_key(
            "notify.intro",
            None,
            &[
                (
                    "customer",
                    c.name.pick(cat.locale.tag(), c.default_locale.tag()).text,
                ),
                ("partner", partner_name),
            ],
        ),
        None => cat.text_or_key("notify.intro_partner", None, &[("partner", partner_name)]),
    };
    let with_customer = customer.is_none();
    let draft = Draft {
        cat,
        subject: subject.clone(),
        intro,
        lines: visible,
        steps,
        status_url: customer
            .as_ref()
            .map(|(_, base)| format!("{base}index.html")),
        footer,
    };
    let body = match sub.channel {
        Channel::Email => {
            let Given::Value(to) = &sub.given else {
                return Err("a mail address is given in the config".into());
            };
            let from = ctx.from.as_ref().ok_or("notifications.from is not set")?;
            let thread =
                (!digest && events.iter().all(|e| e.subject == events[0].subject)).then(|| {
                    crate::ids::stable_uuid(&[
                        "thread",
                        &sub.id,
                        &events[0].customer,
                        &events[0].subject,
                    ])
                    .replace('-', "")
                });
            let mut unsub = unsubscribe.clone();
            if unsub.is_empty() {
                unsub = format!("mailto:{}", from.email);
            }
            mail::format(mail::Mail {
                from,
                to,
                subject: &subject,
                id: &id,
                thread: thread.as_deref(),
                unsubscribe: &unsub,
                lang: cat.locale.tag(),
                date: ctx.now,
                text: compose::mail_text(&draft, with_customer),
                html: compose::mail_html(&draft, with_customer),
            })?
        }
        Channel::Webhook => {
            let all = Draft { lines, ..draft };
            compose::body(
                Channel::Webhook,
                &all,
                with_customer,
                &format!("msg_{id}"),
                events,
                ctx.now,
            )
            .expect("a webhook has a body")
        }
        c => compose::body(c, &draft, with_customer, &id, events, ctx.now)
            .expect("a chat message has a body"),
    };
    Ok(Message {
        id,
        subscriber: sub.id.clone(),
        channel: sub.channel.key().to_owned(),
        to: sub.s.describe(),
        customer: customer.map(|(c, _)| c.slug.to_string()),
        subject,
        events: event_ids.iter().map(|s| s.to_string()).collect(),
        queued_at: ctx.now,
        attempts: 0,
        next_attempt: None,
        last_error: None,
        body,
    })
}

/// The messages for one subscriber of one run: one per incident or
/// window (immediate), folded into one digest past `digest_after`, or one
/// digest.
fn messages_for(
    ctx: &Ctx<'_>,
    sub: &Sub,
    events: &[&Event],
    line_of: &dyn Fn(&Event) -> Option<Line>,
    cat: &crate::i18n::Catalog,
    customer: Option<(&Customer, String)>,
    general_steps: &dyn Fn() -> compose::Steps,
) -> Vec<Result<Message, String>> {
    let with_lines: Vec<(&Event, Line)> = events
        .iter()
        .filter_map(|e| Some((*e, line_of(e)?)))
        .collect();
    if with_lines.is_empty() {
        return Vec::new();
    }
    let evs: Vec<&Event> = with_lines.iter().map(|(e, _)| *e).collect();
    let gs = groups(&evs);
    let digest = sub.s.delivery == Delivery::Digest || gs.len() > ctx.n.digest_after;
    let line_at: std::collections::HashMap<&str, &Line> =
        with_lines.iter().map(|(e, l)| (e.id.as_str(), l)).collect();
    let lines_of = |g: &[&Event]| -> Vec<Line> {
        g.iter()
            .filter_map(|e| line_at.get(e.id.as_str()).map(|l| (*l).clone()))
            .collect()
    };
    // A partner's webhook carries every customer's event: a subject that
    // hits more customers than one body should hold goes in several.
    let chunk = if customer.is_none() && sub.channel == Channel::Webhook {
        compose::WEBHOOK_EVENTS
    } else {
        usize::MAX
    };
    // A digest is one message (one per chunk); else one per subject.
    let parts: Vec<&[&Event]> = if digest {
        evs.chunks(chunk).collect()
    } else {
        gs.iter().flat_map(|g| g.chunks(chunk)).collect()
    };
    parts
        .into_iter()
        .map(|part| {
            let steps = if digest { general_steps() } else { Vec::new() };
            message(
                ctx,
                sub,
                cat,
                customer.clone(),
                part,
                lines_of(part),
                digest,
                steps,
            )
        })
        .collect()
}

/// What one customer's queueing gave.
struct CustomerRun {
    queued: usize,
    baseline: bool,
    /// Pending after queueing: how many, and (for `--dry-run` only) the
    /// messages; otherwise they stay in their files, not in memory.
    pending_count: usize,
    pending: Vec<Message>,
    partner_events: Vec<PartnerEvent>,
    problems: Vec<String>,
}

fn queue_customer(
    ctx: &Ctx<'_>,
    customer: &Customer,
    subs: &[Sub],
    partner_locales: &BTreeSet<Locale>,
    persist: bool,
) -> Result<CustomerRun, NotifyError> {
    let inputs = ctx.inputs;
    let config = &inputs.config;
    let data = config.data_dir();
    let slug = customer.slug.as_str();
    let mut ob = outbox::load(&data, slug)?;
    let snapshot = crate::snapshot::load_customer(config, customer)
        .map_err(|e| NotifyError::Input(InputErrors(vec![e])))?;
    let model = crate::site::build(config, customer, snapshot, &inputs.content);
    let lead = chrono::Duration::hours(i64::from(ctx.n.maintenance_lead_hours));
    let (events, seen) = events::derive(ob.seen.as_ref(), &model, lead);
    let mut run = CustomerRun {
        queued: 0,
        baseline: ob.seen.is_none(),
        pending_count: 0,
        pending: Vec::new(),
        partner_events: Vec::new(),
        problems: Vec::new(),
    };
    if run.baseline {
        ob.subscribers = subs.iter().map(|s| s.id.clone()).collect();
    } else {
        for sub in subs {
            if ob.subscribers.insert(sub.id.clone()) {
                // New: its baseline is now; it hears of what comes next.
                continue;
            }
            let mine: Vec<&Event> = events
                .iter()
                .filter(|e| e.kind().is_some_and(|k| sub.s.wants(k, false)))
                .filter(|e| events::touches(e, sub.s.services.as_deref()))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let v = views(inputs, &model, &sub.locale);
            let base = locale_base(config, customer, &sub.locale);
            let line_of = |e: &Event| compose::line(&v, &base, e);
            let general = || compose::steps_of(v.general_next_steps(&base));
            for m in messages_for(
                ctx,
                sub,
                &mine,
                &line_of,
                v.cat,
                Some((customer, base.clone())),
                &general,
            ) {
                match m {
                    Ok(m) => {
                        if ob.queue(m) {
                            run.queued += 1;
                        }
                    }
                    Err(e) => run
                        .problems
                        .push(format!("{slug}: {}: {e}", sub.s.describe())),
                }
            }
        }
        ob.subscribers.retain(|id| subs.iter().any(|s| &s.id == id));
    }
    if !run.baseline && !partner_locales.is_empty() {
        for e in &events {
            let mut lines = BTreeMap::new();
            for l in partner_locales {
                // The partner reads the customer's pages in the customer's
                // default language when its own is not the customer's.
                let page_locale = if customer.locales.contains(l) {
                    l
                } else {
                    &customer.default_locale
                };
                let v = views(inputs, &model, l);
                let base = locale_base(config, customer, page_locale);
                if let Some(line) = compose::line(&v, &base, e) {
                    lines.insert(l.tag().to_owned(), line);
                }
            }
            ob.partner_events.push(PartnerEvent {
                event: e.clone(),
                lines,
            });
        }
    }
    ob.seen = Some(seen);
    ob.prune(ctx.now);
    if persist {
        outbox::save(&data, slug, &ob)?;
    }
    run.pending_count = ob.pending.len();
    if !persist {
        run.pending = ob.pending;
    }
    run.partner_events = ob.partner_events;
    Ok(run)
}

/// The partner's messages from every customer's partner events (and the
/// discovery's state): one per incident across the fleet, or a digest.
fn queue_partner(
    ctx: &Ctx<'_>,
    subs: &[Sub],
    mut pevents: Vec<PartnerEvent>,
    persist: bool,
) -> Result<(usize, bool, Vec<Message>, Vec<String>), NotifyError> {
    let config = &ctx.inputs.config;
    let data = config.data_dir();
    let mut ob = outbox::load(&data, outbox::PARTNER)?;
    pevents.retain(|p| !ob.taken.contains(&p.event.id));
    ob.taken.extend(pevents.iter().map(|p| p.event.id.clone()));
    let baseline = ob.seen.is_none();
    let mut queued = 0;
    let mut problems = Vec::new();
    // Discovery: failing, recovered.
    let failing = ctx.inputs.discovery_problem.clone();
    let mut discovery = Vec::new();
    match (&failing, ob.discovery_failing) {
        (Some(problem), None) => {
            ob.discovery_failing = Some(ctx.now);
            discovery.push((EventKind::DiscoveryFailing, problem.clone(), ctx.now));
        }
        (None, Some(since)) => {
            ob.discovery_failing = None;
            discovery.push((EventKind::DiscoveryRecovered, String::new(), since));
        }
        _ => {}
    }
    for (kind, text, since) in discovery {
        let event = Event {
            id: crate::ids::stable_uuid(&["event", "_partner", kind.key(), &since.to_rfc3339()]),
            kind: kind.key().to_owned(),
            customer: String::new(),
            subject: "discovery".to_owned(),
            at: ctx.now,
            severity: None,
            services: Vec::new(),
            status: None,
        };
        let mut lines = BTreeMap::new();
        for sub in subs {
            let cat = ctx.inputs.catalogs.get(&sub.locale);
            lines.insert(
                sub.locale.tag().to_owned(),
                Line {
                    customer: String::new(),
                    customer_name: String::new(),
                    subject_type: "discovery".into(),
                    subject_id: "discovery".into(),
                    heading: cat.t(&format!("notify.event.{}", kind.key())),
                    title: "Partner Center".into(),
                    status: text.clone(),
                    status_key: None,
                    classification: None,
                    impact: None,
                    services: Vec::new(),
                    when: String::new(),
                    latest_at: None,
                    latest: None,
                    url: String::new(),
                    steps: Vec::new(),
                    customers: Vec::new(),
                },
            );
        }
        pevents.push(PartnerEvent { event, lines });
    }
    if baseline {
        ob.subscribers = subs.iter().map(|s| s.id.clone()).collect();
    } else {
        for sub in subs {
            if ob.subscribers.insert(sub.id.clone()) {
                continue;
            }
            let mine: Vec<&PartnerEvent> = pevents
                .iter()
                .filter(|p| p.event.kind().is_some_and(|k| sub.s.wants(k, true)))
                .filter(|p| events::touches(&p.event, sub.s.services.as_deref()))
                .filter(|p| {
                    p.event.customer.is_empty()
                        || sub
                            .s
                            .customers
                            .as_ref()
                            .is_none_or(|c| c.contains(&p.event.customer))
                })
                .filter(|p| match (sub.s.min_severity, p.event.severity) {
                    (Some(min), Some(sev)) => severity_rank(sev) >= min.rank(),
                    _ => true,
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let evs: Vec<&Event> = mine.iter().map(|p| &p.event).collect();
            let tag = sub.locale.tag();
            let by_id: std::collections::HashMap<&str, &PartnerEvent> =
                mine.iter().map(|p| (p.event.id.as_str(), *p)).collect();
            let line_of = |e: &Event| {
                by_id
                    .get(e.id.as_str())
                    .and_then(|p| p.lines.get(tag).cloned())
            };
            let cat = ctx.inputs.catalogs.get(&sub.locale);
            // Grouped by subject across customers: one message for a
            // Microsoft incident hitting the whole fleet.
            for m in messages_for(ctx, sub, &evs, &line_of, cat, None, &Vec::new) {
                match m {
                    Ok(m) => {
                        if ob.queue(m) {
                            queued += 1;
                        }
                    }
                    Err(e) => problems.push(format!("partner: {}: {e}", sub.s.describe())),
                }
            }
        }
        ob.subscribers.retain(|id| subs.iter().any(|s| &s.id == id));
    }
    ob.seen = Some(events::Seen::default());
    ob.prune(ctx.now);
    if persist {
        outbox::save(&data, outbox::PARTNER, &ob)?;
    }
    Ok((queued, baseline, ob.pending, problems))
}

/// An impact's rank against [`crate::config::notify::Severity`]:
/// maintenance and unknown rank below every severity.
fn severity_rank(h: crate::model::Health) -> u8 {
    use crate::model::Health;
    match h {
        Health::Degraded => 1,
        Health::PartialOutage => 2,
        Health::MajorOutage => 3,
        Health::Operational | Health::Maintenance | Health::Unknown => 0,
    }
}

/// `statusfleet notify`, and the notification phase of `build`.
pub fn run(opts: &NotifyOptions) -> Result<Report, NotifyError> {
    let start = Instant::now();
    let inputs = crate::build::load_inputs(&opts.config)?;
    run_with(&inputs, opts, start)
}

pub fn run_with(
    inputs: &Inputs,
    opts: &NotifyOptions,
    start: Instant,
) -> Result<Report, NotifyError> {
    let config = &inputs.config;
    let n = match &config.notifications {
        Some(n) if n.on_build || !opts.from_build => n,
        _ => return Err(NotifyError::Off(config.file.clone())),
    };
    let tags: BTreeSet<String> = inputs.catalogs.tags();
    let (by_customer, partner) = subscribers(config, n, &tags)?;
    let from = n.from.as_deref().and_then(|f| f.parse().ok());
    let ctx = Ctx {
        inputs,
        n,
        from,
        now: crate::fetch::clock(),
    };
    let persist = opts.dry_run.is_none();
    let partner_locales: BTreeSet<Locale> = partner.iter().map(|s| s.locale.clone()).collect();
    let runs: Vec<Result<CustomerRun, NotifyError>> = config
        .customers
        .par_iter()
        .map(|c| {
            let subs = by_customer.get(c.slug.as_str()).map_or(&[][..], |v| &v[..]);
            queue_customer(&ctx, c, subs, &partner_locales, persist)
        })
        .collect();
    let mut report = Report::default();
    let mut errors = Vec::new();
    let mut pending: Vec<Message> = Vec::new();
    let mut waiting = 0;
    let mut pevents = Vec::new();
    let mut with_partner_events = Vec::new();
    let mut problems = Vec::new();
    for (c, r) in config.customers.iter().zip(runs) {
        match r {
            Ok(run) => {
                report.queued += run.queued;
                report.baselines += usize::from(run.baseline);
                waiting += run.pending_count;
                pending.extend(run.pending);
                if !run.partner_events.is_empty() {
                    with_partner_events.push(c.slug.as_str());
                }
                pevents.extend(run.partner_events);
                problems.extend(run.problems);
            }
            Err(NotifyError::Input(e)) => errors.extend(e.0),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(NotifyError::Input(InputErrors(errors)));
    }
    if let Some(p) = problems.first() {
        return Err(NotifyError::Setup(format!(
            "{} could not be made: {p}",
            crate::text::counted(problems.len(), "message", "messages")
        )));
    }
    let (queued, baseline, partner_pending, problems) =
        queue_partner(&ctx, &partner, pevents, persist)?;
    if let Some(p) = problems.first() {
        return Err(NotifyError::Setup(format!(
            "{} could not be made: {p}",
            crate::text::counted(problems.len(), "message", "messages")
        )));
    }
    report.queued += queued;
    report.baselines += usize::from(baseline);
    waiting += partner_pending.len();
    pending.extend(partner_pending);
    // The partner's events are in its outbox now: the customers' copies
    // go, then the partner's note of what it took from them.
    if persist {
        let data = config.data_dir();
        with_partner_events
            .par_iter()
            .try_for_each(|slug| -> Result<(), StoreError> {
                let mut ob = outbox::load(&data, slug)?;
                ob.partner_events.clear();
                outbox::save(&data, slug, &ob)
            })?;
        let mut ob = outbox::load(&data, outbox::PARTNER)?;
        if !ob.taken.is_empty() {
            ob.taken.clear();
            outbox::save(&data, outbox::PARTNER, &ob)?;
        }
    }
    if let Some(dir) = &opts.dry_run {
        report.written = write_dry_run(dir, &pending)?;
    } else if !opts.offline {
        let subs: BTreeMap<&str, &Sub> = by_customer
            .values()
            .flatten()
            .chain(partner.iter())
            .map(|s| (s.id.as_str(), s))
            .collect();
        deliver_all(&ctx, &subs, &mut report)?;
    } else {
        report.waiting = waiting;
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

/// `--dry-run DIR`: each pending message as `<customer>/<id>.eml` (mail)
/// or `.json` (the body POSTed), the partner's under `_partner/`.
fn write_dry_run(dir: &Path, pending: &[Message]) -> Result<usize, NotifyError> {
    let io = |path: &Path, e: std::io::Error| {
        NotifyError::Setup(format!("writing {}: {e}", path.display()))
    };
    for m in pending {
        let folder = dir.join(m.customer.as_deref().unwrap_or(outbox::PARTNER));
        std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
        let ext = if m.channel == "email" { "eml" } else { "json" };
        let path = folder.join(format!("{}-{}.{ext}", m.channel, m.id));
        std::fs::write(&path, &m.body).map_err(|e| io(&path, e))?;
    }
    Ok(pending.len())
}

/// The secrets a delivery needs, read when it is made (env or file).
fn read_given(env: Option<&str>, file: Option<&Path>, root: &Path) -> Result<String, String> {
    if let Some(v) = env {
        return std::env::var(v).map_err(|_| format!("environment variable {v} is not set"));
    }
    if let Some(f) = file {
        let p = root.join(f);
        return std::fs::read_to_string(&p)
            .map(|s| s.trim().to_owned())
            .map_err(|e| format!("{}: {e}", p.display()));
    }
    Err("no secret is configured".to_owned())
}

/// What a run delivers with: the SMTP pool (or why there is none), the
/// HTTP client and its runtime.
struct Transports {
    smtp: Option<Result<lettre::SmtpTransport, String>>,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

/// Sends every due message of every outbox file, recording each result
/// in its file at once (a crash re-sends at most the message in flight).
fn deliver_all(
    ctx: &Ctx<'_>,
    subs: &BTreeMap<&str, &Sub>,
    report: &mut Report,
) -> Result<(), NotifyError> {
    let config = &ctx.inputs.config;
    let n = ctx.n;
    let timeout = Duration::from_secs(n.timeout_seconds);
    let smtp = n.smtp.as_ref().map(|s| {
        let password = match (&s.password_env, &s.password_file) {
            (None, None) => None,
            (env, file) => Some(read_given(env.as_deref(), file.as_deref(), &config.root)?),
        };
        let ca = match &s.ca_file {
            Some(f) => Some(
                std::fs::read(config.root.join(f))
                    .map_err(|e| format!("notifications.smtp.ca_file {}: {e}", f.display()))?,
            ),
            None => None,
        };
        deliver::smtp(s, password, ca, timeout, n.concurrency)
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| NotifyError::Setup(format!("starting the HTTP runtime: {e}")))?;
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("statusfleet/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| NotifyError::Setup(format!("HTTP client: {e}")))?;
    let t = Transports { smtp, http, rt };
    let data = config.data_dir();
    let names = outbox::names(&data);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n.concurrency)
        .build()
        .map_err(|e| NotifyError::Setup(e.to_string()))?;
    let results: Vec<Result<Report, NotifyError>> = pool.install(|| {
        names
            .par_iter()
            .map(|name| deliver_file(ctx, &t, subs, &data, name))
            .collect()
    });
    for r in results {
        let r = r?;
        report.sent += r.sent;
        report.dropped += r.dropped;
        report.waiting += r.waiting;
        report.retrying.extend(r.retrying);
        report.given_up.extend(r.given_up);
        report.problems.extend(r.problems);
    }
    report.problems.sort_by(|a, b| {
        (&a.customer, a.queued_at, &a.to, &a.subject).cmp(&(
            &b.customer,
            b.queued_at,
            &b.to,
            &b.subject,
        ))
    });
    report.problems_changed = crate::history::deliveries::save(&data, &report.problems)?;
    Ok(())
}

fn deliver_file(
    ctx: &Ctx<'_>,
    t: &Transports,
    subs: &BTreeMap<&str, &Sub>,
    data: &Path,
    name: &str,
) -> Result<Report, NotifyError> {
    let Transports { smtp, http, rt } = t;
    let mut report = Report::default();
    let mut ob = outbox::load(data, name)?;
    let give_up = chrono::Duration::hours(i64::from(ctx.n.give_up_after_hours));
    let due: Vec<String> = ob
        .pending
        .iter()
        .filter(|m| m.next_attempt.is_none_or(|t| t <= ctx.now))
        .map(|m| m.id.clone())
        .collect();
    report.waiting = ob.pending.len() - due.len();
    let root = &ctx.inputs.config.root;
    for id in due {
        let Some(pos) = ob.pending.iter().position(|m| m.id == id) else {
            continue;
        };
        let m = ob.pending[pos].clone();
        let Some(sub) = subs.get(m.subscriber.as_str()) else {
            ob.pending.remove(pos);
            report.dropped += 1;
            outbox::save(data, name, &ob)?;
            continue;
        };
        let result = match sub.channel {
            Channel::Email => match (smtp, &ctx.from, &sub.given) {
                (None, _, _) => Err(deliver::Failure::new("notifications.smtp is not set")),
                (Some(Err(e)), _, _) => Err(deliver::Failure::new(e.clone())),
                (Some(Ok(tr)), Some(from), Given::Value(to)) => {
                    deliver::send_mail(tr, from, to, &m.body)
                }
                _ => Err(deliver::Failure::new("notifications.from is not set")),
            },
            channel => {
                let url = match &sub.given {
                    Given::Value(u) => Ok(u.clone()),
                    Given::Env(e) => {
                        std::env::var(e).map_err(|_| format!("environment variable {e} is not set"))
                    }
                };
                let key = if channel == Channel::Webhook {
                    read_given(
                        sub.s.secret_env.as_deref(),
                        sub.s.secret_file.as_deref(),
                        root,
                    )
                    .and_then(|s| deliver::webhook_key(&s))
                    .map(Some)
                } else {
                    Ok(None)
                };
                match (url, key) {
                    (Ok(url), Ok(key)) => {
                        let webhook_id = format!("msg_{}", m.id);
                        rt.block_on(deliver::post(
                            http,
                            &url,
                            &m.body,
                            &webhook_id,
                            key.as_deref(),
                            // The attempt's own time (receivers reject
                            // old timestamps), not the run's clock.
                            Utc::now(),
                        ))
                    }
                    (Err(e), _) | (_, Err(e)) => Err(deliver::Failure::new(e)),
                }
            }
        };
        let who = match &m.customer {
            Some(c) => format!("{c}: {}", m.to),
            None => format!("partner: {}", m.to),
        };
        match result {
            Ok(()) => {
                ob.pending.remove(pos);
                ob.sent.insert(m.id.clone(), ctx.now);
                report.sent += 1;
            }
            Err(f) => {
                let entry = &mut ob.pending[pos];
                entry.attempts += 1;
                entry.last_error = Some(f.error.clone());
                if f.permanent || ctx.now - entry.queued_at >= give_up {
                    let dead = ob.pending.remove(pos);
                    let why = if f.permanent {
                        "refused for good: not retried"
                    } else {
                        "given up after notifications.give_up_after_hours"
                    };
                    report.given_up.push((who, format!("{} ({why})", f.error)));
                    ob.failed.push(dead);
                } else {
                    let next = deliver::next_attempt(ctx.now, entry.attempts, f.retry_after);
                    entry.next_attempt = Some(next);
                    report.retrying.push((who, f.error, next));
                }
            }
        }
        outbox::save(data, name, &ob)?;
    }
    let problem = |m: &Message, next_attempt| DeliveryProblem {
        customer: m.customer.clone(),
        channel: m.channel.clone(),
        to: m.to.clone(),
        subject: m.subject.clone(),
        attempts: m.attempts,
        error: m.last_error.clone().unwrap_or_default(),
        queued_at: m.queued_at,
        next_attempt,
    };
    report.problems = ob
        .pending
        .iter()
        .filter(|m| m.last_error.is_some())
        .map(|m| problem(m, m.next_attempt))
        .chain(ob.failed.iter().map(|m| problem(m, None)))
        .collect();
    Ok(report)
}

#[cfg(test)]
mod tests;
