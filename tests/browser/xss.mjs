// The XSS detector: opens every page of a site built with the payload
// corpus (tests/it/xss.rs leaves it in target/tmp/xss-site/public) in headless
// Chromium and fails on any sign of a payload at work:
//
//   - a call to alert/confirm/prompt/print or top.__xss (the corpus's sinks),
//     a dialog, a popup or a navigation away from the page;
//   - a Content-Security-Policy violation (the page policy forbids all
//     script, so a violation means sanitized markup still tried to run or
//     load something);
//   - a request to anywhere but the test server;
//   - in the live DOM, after the parser has done its worst: a <script>,
//     <iframe>, <object>, <embed>, <base> or <form>, an on* attribute, or a
//     link whose protocol is not http(s), mailto or tel.
//
// Every page is opened twice: with the page's CSP, and with the CSP
// bypassed, so that the sanitizer alone is shown to stop every payload.
// Before the pages are read, every element with a handler attribute is
// focused, hovered and clicked and every <details> opened, so handlers that
// need a user would fire too.
//
// usage: node tests/browser/xss.mjs SITE_DIR [--self-test]
// With --self-test it plants raw payloads in a copy of one page and passes
// only if the detector catches them in both modes.

import { chromium } from 'playwright-core';
import { readFileSync, readdirSync, statSync, existsSync, mkdtempSync, cpSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve, relative, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PREFIX, FLAGS, serve } from './common.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const DETECTOR = `(() => {
  const hits = [];
  Object.defineProperty(window, '__hits', { value: hits });
  const hit = (how, what) => hits.push(how + ':' + String(what).slice(0, 120));
  for (const f of ['alert', 'confirm', 'prompt', 'print']) {
    Object.defineProperty(window, f, { value: (x) => hit(f, x), writable: false });
  }
  Object.defineProperty(window, '__xss', { value: (x) => hit('__xss', x), writable: false });
  document.addEventListener('securitypolicyviolation',
    (e) => hit('csp', e.violatedDirective + ' ' + e.blockedURI), true);
})();`;

/// Runs in the page: gives handlers a user (focus and hover every element,
/// open every <details>), lets queued events run, then reads the detector
/// and lists what the live DOM holds that it must not. One function, so the
/// page's CSP (no eval) does not get in the way.
async function probe() {
  // Only attributes can hold a handler (no script runs to attach one), so
  // the elements that have an on* attribute are the ones given a user.
  for (const d of document.querySelectorAll('details')) d.open = true;
  for (const el of document.querySelectorAll('*')) {
    if (!el.getAttributeNames().some((a) => a.toLowerCase().startsWith('on'))) continue;
    el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    if (el.focus) el.focus();
  }
  await new Promise((r) => setTimeout(r, 0));
  const bad = [];
  const forbidden = 'script, iframe, object, embed, base, form, frame, frameset, applet, portal, noscript, template, math, input, textarea, button, select';
  for (const el of document.querySelectorAll(forbidden)) bad.push(`<${el.localName}>`);
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) {
      if (a.toLowerCase().startsWith('on')) bad.push(`<${el.localName} ${a}>`);
      if (['style', 'srcdoc', 'formaction', 'srcset', 'ping'].includes(a.toLowerCase())) bad.push(`<${el.localName} ${a}>`);
    }
  }
  // HTML and SVG links alike (SVG's <a> has no .protocol).
  for (const a of document.querySelectorAll('a[href], area[href], [*|href]:not(link)')) {
    const href = a.getAttribute('href') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    let protocol;
    try { protocol = new URL(href, location.href).protocol; } catch { protocol = 'unparsable'; }
    if (!['http:', 'https:', 'mailto:', 'tel:', 'file:'].includes(protocol)) bad.push(`link ${protocol}`);
  }
  for (const el of document.querySelectorAll('[data], [action], [poster], [background], [src]:not(img)')) {
    bad.push(`<${el.localName}> with a source`);
  }
  for (const el of document.querySelectorAll('img')) {
    if (new URL(el.src).origin !== location.origin) bad.push(`<img> from ${el.src.slice(0, 80)}`);
  }
  return { hits: [...window.__hits], bad };
}

function htmlFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.html')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

async function detect(root, { only } = {}) {
  const failures = [];
  const counts = { pages: 0, visits: 0 };
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS, headless: true });
  try {
    const files = only ? [only] : htmlFiles(root);
    counts.pages = files.length;
    for (const bypassCSP of [false, true]) {
      const mode = bypassCSP ? 'csp bypassed' : 'with csp';
      const ctx = await browser.newContext({ bypassCSP });
      await ctx.addInitScript(DETECTOR);
      // Watched, not intercepted (interception costs a round trip per
      // request): nothing may be asked of another origin.
      ctx.on('request', (r) => {
        const u = r.url();
        if (!u.startsWith(origin + '/')) failures.push(`${mode}: request to ${u.slice(0, 120)}`);
      });
      let next = 0;
      const worker = async () => {
        const page = await ctx.newPage();
        page.on('dialog', (d) => { failures.push(`${mode}: dialog ${d.message()}`); d.dismiss().catch(() => {}); });
        page.on('popup', (p) => failures.push(`${mode}: popup ${p.url()}`));
        while (next < files.length) {
          const f = files[next++];
          const url = origin + PREFIX + f.split('/').map(encodeURIComponent).join('/');
          const t0 = Date.now();
          await page.goto(url, { waitUntil: 'load' });
          const chooser = /^[^/]+\/index\.html$/.test(f);
          if (chooser) {
            await page.waitForURL((u) => u.href !== url, { waitUntil: 'load', timeout: 5000 }).catch(() => {});
          }
          // A page that navigates itself away loses its context: that is a
          // finding, not a crash.
          const gone = (e) => { failures.push(`${mode}: ${f}: page navigated (${String(e.message).slice(0, 60)})`); return { hits: [], bad: [] }; };
          const { hits, bad } = await page.evaluate(probe).catch(gone);
          // The language chooser (a customer's index.html) moves on to its
          // default locale by itself; nothing else may navigate.
          const where = page.url();
          const home = origin + PREFIX + f.split('/')[0] + '/';
          if (where !== url && !(chooser && where.startsWith(home))) {
            failures.push(`${mode}: ${f}: navigated to ${where.slice(0, 120)}`);
          }
          for (const h of hits) failures.push(`${mode}: ${f}: ${h}`);
          for (const b of bad) failures.push(`${mode}: ${f}: ${b}`);
          counts.visits++;
          (counts.ms ||= []).push(Date.now() - t0);
        }
        await page.close();
      };
      await Promise.all([worker(), worker()]);
      await ctx.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return { failures, counts };
}

async function selfTest(root) {
  const tmp = mkdtempSync(join(tmpdir(), 'statusfleet-xss-'));
  try {
    const copy = join(tmp, 'site');
    cpSync(root, copy, { recursive: true });
    const target = htmlFiles(copy).find((f) => f.endsWith('/en/index.html'));
    const payloads = JSON.parse(readFileSync(join(REPO, 'tests/xss/payloads.json'), 'utf8'));
    // Raw, unsanitized: what a page would hold if escaping failed.
    const raw = [0, 15, 19, 23, 41].map((i) => payloads[i]).join('\n') + '<img src="https://xss.invalid/planted.png">';
    const file = join(copy, target);
    writeFileSync(file, readFileSync(file, 'utf8').replace('</main>', `${raw}</main>`));
    const { failures } = await detect(copy, { only: target });
    const want = [
      ['with csp', 'csp:'],
      ['csp bypassed', 'alert:0'],
      ['csp bypassed', 'alert:15'],
      ['csp bypassed', '<script>'],
      ['csp bypassed', 'onerror'],
      ['with csp', 'link javascript:'],
      ['with csp', 'csp:img-src https://xss.invalid/planted.png'],
      ['csp bypassed', 'request to https://xss.invalid/planted.png'],
    ];
    const missing = want.filter(([m, w]) => !failures.some((f) => f.startsWith(m) && f.includes(w)));
    for (const f of failures.slice(0, 8)) console.log(`  caught: ${f.slice(0, 150)}`);
    if (missing.length) {
      console.error(`xss self-test: the detector missed ${missing.map((m) => m.join(' ')).join('; ')}`);
      process.exit(1);
    }
    console.log(`xss self-test: all ${want.length} planted signs caught (${failures.length} reports)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) || '');
if (!existsSync(root) || !existsSync(join(root, 'xss-data'))) {
  console.error('usage: node tests/browser/xss.mjs SITE_DIR [--self-test]  (SITE_DIR: the site tests/it/xss.rs built, target/tmp/xss-site/public)');
  process.exit(2);
}
const started = Date.now();
if (args.includes('--self-test')) {
  await selfTest(root);
} else {
  const { failures, counts } = await detect(root);
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (failures.length) {
    for (const f of failures.slice(0, 40)) console.error(`  ${f}`);
    console.error(`xss detector: ${failures.length} failures on ${counts.pages} pages`);
    process.exit(1);
  }
  console.log(`xss detector: ${counts.pages} pages × 2 modes (${counts.visits} visits, median ${counts.ms.sort((a, b) => a - b)[counts.ms.length >> 1]} ms), zero executions, violations, foreign requests or dangerous DOM, in ${secs} s`);
}
