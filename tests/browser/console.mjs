// The partner console in real Chromium: every page type in every console
// locale, with axe-core (WCAG 2.1 A/AA) in light and dark, the same text
// without JavaScript, nothing from another origin, no sideways scrolling
// at 375 and 1280 px, every link inside the console resolving; the
// overview and an incident page are screenshot (light and dark, mobile and
// desktop) into target/screenshots/console-*.png.
//
// usage: node tests/browser/console.mjs CONSOLE_DIR [--self-test]

import { readFileSync, readdirSync, existsSync, statSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { serve, PREFIX, FLAGS } from './common.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const failures = [];
const counts = {};
const fail = (where, msg) => failures.push(`${where}: ${msg}`);
const count = (what) => { counts[what] = (counts[what] || 0) + 1; };

/// One page of each type per locale.
function pagesOf(root) {
  const out = [];
  const locales = readdirSync(root).filter((l) => existsSync(join(root, l, 'sources.html'))).sort();
  for (const l of locales) {
    const first = (sub, skip = () => false) => {
      const d = join(root, l, sub);
      return readdirSync(d).filter((f) => f.endsWith('.html') && f !== 'index.html' && !skip(f)).sort()[0];
    };
    const add = (type, rel) => rel && out.push({ locale: l, type, path: `${l}/${rel}` });
    add('overview', 'index.html');
    add('incidents', 'incidents/index.html');
    add('incident', `incidents/${first('incidents')}`);
    add('services', 'services/index.html');
    add('service', `services/${first('services')}`);
    add('sources', 'sources.html');
    add('customers', 'az/index.html');
    add('initial', `az/${first('az')}`);
    add('customer', `customers/${first('customers')}`);
  }
  return out;
}

const visibleText = (page) => page.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').trim());

async function check(root, { shots } = {}) {
  failures.length = 0;
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const base = origin + PREFIX;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS, headless: true });
  const guard = async (ctx) => {
    await ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(origin + '/')) return route.continue();
      fail('network', `request to another origin: ${u}`);
      return route.abort();
    });
    return ctx;
  };
  try {
    const ctx = await guard(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
    const noJs = await guard(await browser.newContext({ javaScriptEnabled: false }));
    const pages = pagesOf(root);
    if (pages.length === 0) fail(root, 'no console pages');
    const seen = new Set();
    for (const p of pages) {
      const url = base + p.path;
      const page = await ctx.newPage();
      const resp = await page.goto(url);
      if (!resp || resp.status() !== 200) { fail(p.path, `HTTP ${resp && resp.status()}`); await page.close(); continue; }
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate(AXE);
        const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
        for (const v of r.violations) fail(`${p.path} [${scheme}]`, `axe ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        count('axe runs');
      }
      const lang = await page.evaluate(() => document.documentElement.lang);
      if (lang !== p.locale) fail(p.path, `<html lang="${lang}">`);
      const robots = await page.evaluate(() => (document.querySelector('meta[name=robots]') || {}).content);
      if (robots !== 'noindex, nofollow') fail(p.path, `robots ${robots}`);
      const withJs = await visibleText(page);
      const bare = await noJs.newPage();
      await bare.goto(url);
      if ((await visibleText(bare)) !== withJs) fail(p.path, 'the text differs without JavaScript');
      await bare.close();
      for (const w of [375, 1280]) {
        await page.setViewportSize({ width: w, height: 800 });
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (over > 0) fail(p.path, `scrolls sideways by ${over}px at ${w}`);
        count('layouts checked');
      }
      const refs = await page.evaluate(() => [...document.querySelectorAll('a[href], link[href]')].map((a) => a.href));
      for (const ref of refs) {
        const clean = ref.split('#')[0];
        if (!clean.startsWith(base) || seen.has(clean)) continue;
        seen.add(clean);
        let file = join(root, decodeURIComponent(clean.slice(base.length)));
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
        if (!file.startsWith(root + sep) || !existsSync(file)) fail(p.path, `broken link: ${ref}`);
        else count('links resolved');
      }
      if (shots && (p.type === 'overview' || p.type === 'incident')) {
        for (const scheme of ['light', 'dark']) {
          for (const [w, name] of [[375, 'mobile'], [1280, 'desktop']]) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize({ width: w, height: 800 });
            await page.screenshot({ path: join(shots, `console-${p.locale}-${p.type}-${scheme}-${name}.png`), fullPage: true });
            count('screenshots');
          }
        }
      }
      count('pages checked');
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return [...failures];
}

const args = process.argv.slice(2);
const root = resolve(args[0] || '');
if (!args[0] || !existsSync(root)) { console.error('usage: node tests/browser/console.mjs CONSOLE_DIR [--self-test]'); process.exit(2); }
if (args.includes('--self-test')) {
  // The checks catch what they claim to: a page with a broken link and an
  // unlabelled table header must fail.
  const { mkdtempSync, cpSync, writeFileSync } = await import('node:fs');
  const tmp = mkdtempSync('/tmp/console-self-test-');
  cpSync(root, tmp, { recursive: true });
  const p = join(tmp, 'en', 'sources.html');
  const html = readFileSync(p, 'utf8').replace('</main>', '<a href="nowhere.html">x</a><img src="static/none.png"></main>');
  writeFileSync(p, html);
  const got = await check(tmp);
  const want = ['broken link', 'axe image-alt'];
  const missed = want.filter((w) => !got.some((f) => f.includes(w)));
  if (missed.length) { console.error(`console self-test: not caught: ${missed.join(', ')}`); process.exit(1); }
  console.log(`console self-test: caught ${want.join(', ')}`);
} else {
  const shots = join(REPO, 'target', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const got = await check(root, { shots });
  for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${String(v).padStart(6)}  ${k}`);
  if (got.length) { console.error(`${got.length} failure(s):`); for (const f of got.slice(0, 100)) console.error(`  ${f}`); process.exit(1); }
  console.log('console browser checks: all passed');
}
