// The built site in a real browser: Debian's chromium driven by
// playwright-core, with axe-core for accessibility.
//
// usage: node tests/browser/suite.mjs SITE_DIR [--self-test]
//
// For every customer, every locale and every page type (chooser, overview,
// service, incident, history 1 and 2, maintenance), served from 127.0.0.1
// under a sub-path (/status/<customer>/…):
//   1. axe-core: no WCAG 2.1 A/AA violation, in light and dark colour scheme;
//   2. no console error, no page error, no request to another origin;
//   3. with JavaScript disabled the visible text is the same;
//   4. the language switcher lands on the same page in each other locale,
//      with <html lang> set, and no 404;
//   5. at 375×800 and 1280×800 nothing scrolls sideways; tabbing shows a
//      focus indicator; status is written in text, not colour alone;
//   6. every link and asset resolves, under the sub-path and from file://;
//   7. a right-to-left page (ar, he, fa) has dir="rtl", keeps its content
//      on screen and is mirrored (the status banner's thick edge on the
//      right); Han text in a ja, ko or zh page is drawn with that
//      language's CJK face (the font chromium really used, by CDP).
// Screenshots of the overview and an incident page (light and dark, mobile
// and desktop) go to target/screenshots/: every locale of the first
// customer, each other customer in its default locale, and any locale the
// first customer lacks.
//
// With --self-test it breaks copies of pages (an image without alt, an
// external script; in a right-to-left page an off-screen offset and
// unmirrored borders; a Japanese page drawn with the Chinese face) and
// passes only if the suite catches every one.

import { chromium } from 'playwright-core';
import { PREFIX, FLAGS, serve } from './common.mjs';
import { readFileSync, existsSync, statSync, mkdirSync, readdirSync, cpSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, extname, resolve, dirname, relative, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const failures = [];
const counts = {};
const fail = (where, msg) => failures.push(`${where}: ${msg}`);
const count = (what, n = 1) => { counts[what] = (counts[what] || 0) + n; };

/// The pages to check: per customer and locale, one of each type.
function pagesOf(root) {
  const out = [];
  for (const c of readdirSync(root).sort()) {
    const dir = join(root, c);
    if (!existsSync(join(dir, 'api', 'v2', 'summary.json'))) continue;
    out.push({ customer: c, locale: null, type: 'chooser', path: `${c}/index.html` });
    const locales = readdirSync(dir).filter((l) => existsSync(join(dir, l, 'feed.atom'))).sort();
    const native = (readFileSync(join(dir, 'index.html'), 'utf8').match(/<html lang="([^"]+)"/) || [])[1];
    for (const l of locales) {
      const first = (sub) => {
        const d = join(dir, l, sub);
        return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.html')).sort()[0] : undefined;
      };
      const add = (type, rel) => out.push({ customer: c, locale: l, locales, native: l === native, type, path: `${c}/${l}/${rel}` });
      add('overview', 'index.html');
      add('service', `services/${first('services')}`);
      if (first('incidents')) add('incident', `incidents/${first('incidents')}`);
      add('history', 'history/index.html');
      if (existsSync(join(dir, l, 'history', '2.html'))) add('history-2', 'history/2.html');
      add('maintenance', 'maintenance.html');
      add('widget', 'widget.html');
    }
  }
  return out;
}

async function axeCheck(page, where) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  for (const v of result.violations) {
    const nodes = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
    fail(where, `axe ${v.id} (${v.impact}): ${v.help} — ${nodes}`);
  }
  count('axe runs');
}

/// Visible text, whitespace-normalized.
const visibleText = (page) => page.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').trim());

async function checkPage(ctx, noJs, base, p, shots) {
  const url = base + p.path;
  const where = `${p.path}`;
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const resp = await page.goto(url);
  if (!resp || resp.status() !== 200) { fail(where, `HTTP ${resp && resp.status()}`); await page.close(); return; }
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await axeCheck(page, `${where} [${scheme}]`);
  }
  // 3. The same text without JavaScript.
  const withJs = await visibleText(page);
  const bare = await noJs.newPage();
  await bare.goto(url);
  const withoutJs = await visibleText(bare);
  await bare.close();
  if (withJs !== withoutJs) fail(where, 'the visible text differs with JavaScript disabled');
  else count('pages compared with JavaScript off');
  if (!withJs) fail(where, 'no visible text');

  // 5. Layout, focus, status in words.
  for (const [w, h] of [[375, 800], [1280, 800]]) {
    await page.setViewportSize({ width: w, height: h });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (over > 0) fail(where, `scrolls sideways by ${over}px at ${w}×${h}`);
    count('layouts checked');
  }
  // (Twice: past the skip link; the widget's only link may be its first.)
  await page.keyboard.press('Tab');
  if (p.type !== 'widget') await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing focused';
    const s = getComputedStyle(el);
    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    return outlined || (s.boxShadow && s.boxShadow !== 'none') ? '' : `no focus indicator on <${el.tagName.toLowerCase()}>`;
  });
  if (focus) fail(where, focus); else count('focus indicators seen');
  const colourOnly = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('.badge, .overall, .banner')) {
      if (!el.textContent.trim()) bad.push(el.className);
    }
    for (const el of document.querySelectorAll('.bars')) {
      if (!(el.getAttribute('aria-label') || '').trim()) bad.push('uptime bars without a label');
    }
    for (const el of document.querySelectorAll('.day')) {
      if (!(el.getAttribute('title') || '').trim()) { bad.push('a day without a title'); break; }
    }
    return bad;
  });
  for (const b of colourOnly) fail(where, `status shown by colour alone: ${b}`);

  // 8. Uptime days with incidents are links that keyboard and touch reach
  // on a phone: each at least 8 px wide at 375 px, and tabbing lands on it.
  const dayLinks = await page.$$('a.day');
  if (dayLinks.length) {
    await page.setViewportSize({ width: 375, height: 800 });
    const narrow = await page.$$eval('a.day', (as) => as.filter((a) => a.getBoundingClientRect().width < 8).length);
    if (narrow) fail(where, `${narrow} uptime day link(s) narrower than 8 px at 375 px`);
    const first = await page.$eval('a.day', (a) => a.getAttribute('href'));
    let reached = false;
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    for (let k = 0; k < 400 && !reached; k++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((href) => {
        const el = document.activeElement;
        return !!el && el.classList.contains('day') && el.getAttribute('href') === href;
      }, first);
    }
    if (!reached) fail(where, 'no uptime day link is reached with Tab');
    else count('uptime day links reached by keyboard at 375 px');
    const target = await page.$eval('a.day', (a) => { const r = a.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
    const hit = await page.evaluate(({ x, y }) => { const el = document.elementFromPoint(x, y); return !!el && el.classList.contains('day'); }, target);
    if (!hit) fail(where, 'an uptime day link is covered where a finger would touch it');
  }

  // 9. Printed, an incident page is a report: no navigation chrome.
  if (p.type === 'incident') {
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => ['nav.langs', 'nav.sections', 'footer.site', '.skip', '.subscribe']
      .filter((sel) => [...document.querySelectorAll(sel)].some((el) => getComputedStyle(el).display !== 'none')));
    if (shown.length) fail(where, `printed with navigation chrome: ${shown.join(', ')}`);
    const timeline = await page.evaluate(() => { const t = document.querySelector('ol.timeline'); return !t || getComputedStyle(t).display !== 'none'; });
    if (!timeline) fail(where, 'printed without its timeline');
    if (shots && p.customer === shots.first && p.locale === shots.firstLocale) {
      await page.pdf({ path: join(shots.dir, `${p.customer}-${p.locale}-incident-print.pdf`), format: 'A4' });
      count('print PDFs');
    }
    await page.emulateMedia({ media: 'screen' });
    count('print layouts checked');
  }

  // 4. The language switcher (the widget, for an iframe, has none).
  if (p.locale && p.type !== 'widget') {
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== p.locale) fail(where, `<html lang="${lang}">, expected ${p.locale}`);
    const links = await page.$$eval('nav.langs a', (as) => as.map((a) => ({ href: a.href, tag: a.getAttribute('hreflang') })));
    const others = p.locales.filter((l) => l !== p.locale);
    for (const other of others) {
      const link = links.find((l) => l.tag === other);
      if (!link) { fail(where, `no switcher link to ${other}`); continue; }
      const want = base + p.path.replace(`/${p.locale}/`, `/${other}/`);
      if (link.href !== want) fail(where, `switcher to ${other} goes to ${link.href}, expected ${want}`);
      // Followed over HTTP from the same context (cheaper than a
      // navigation there and back; the page itself is checked in its turn).
      const r = await page.context().request.get(link.href);
      const got = ((await r.text()).match(/<html[^>]*\slang="([^"]+)"/) || [])[1];
      if (r.status() !== 200) fail(where, `switching to ${other}: HTTP ${r.status()}`);
      else if (got !== other) fail(where, `switching to ${other} lands on lang="${got}"`);
      else count('language switches');
    }
  }
  // Screenshots: every locale of the first customer, and each other
  // customer in its own default locale (its native-language content).
  const shoot = shots && (p.type === 'overview' || p.type === 'incident')
    && (p.customer === shots.first || p.native || !shots.firstLocales.has(p.locale));
  if (shoot) {
    for (const scheme of ['light', 'dark']) {
      for (const [w, name] of [[375, 'mobile'], [1280, 'desktop']]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width: w, height: 800 });
        await page.goto(url);
        const file = join(shots.dir, `${p.customer}-${p.locale}-${p.type}-${scheme}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        count('screenshots');
      }
    }
  }
  // 7. Direction and script.
  if (p.locale) await checkScript(page, p, where);
  for (const e of errors) fail(where, `console: ${e}`);
  await page.close();
}

const CJK_FACES = { ja: 'Noto Sans CJK JP', ko: 'Noto Sans CJK KR', zh: 'Noto Sans CJK SC' };

async function checkScript(page, p, where) {
  const language = p.locale.split('-')[0];
  const rtl = ['ar', 'he', 'fa'].includes(language);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(page.url());
  const got = await page.evaluate(() => {
    const main = document.querySelector('main').getBoundingClientRect();
    const banner = document.querySelector('.banner');
    const s = banner && getComputedStyle(banner);
    return {
      dir: document.documentElement.dir,
      left: main.left, right: main.right, width: window.innerWidth,
      borders: s ? { left: parseFloat(s.borderLeftWidth), right: parseFloat(s.borderRightWidth) } : null,
    };
  });
  const wantDir = rtl ? 'rtl' : 'ltr';
  if (got.dir !== wantDir) fail(where, `<html dir="${got.dir}">, expected ${wantDir}`);
  if (got.left < -1 || got.right > got.width + 1) fail(where, `the content is off screen (main spans ${Math.round(got.left)}…${Math.round(got.right)} of ${got.width}px)`);
  if (rtl && got.borders) {
    const { left, right } = got.borders;
    if (!(right > left)) fail(where, `not mirrored: the banner's thick edge is on the left (${left}px left, ${right}px right)`);
    else count('right-to-left pages mirrored');
  }
  const face = CJK_FACES[language];
  if (face) {
    const cdp = await page.context().newCDPSession(page);
    try {
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument');
      const selector = p.type === 'widget' ? '.overall a' : 'nav.sections a';
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      if (!nodeId) { fail(where, 'no section navigation to read the font of'); return; }
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const cjk = fonts.filter((f) => /CJK/.test(f.familyName));
      const wrong = cjk.filter((f) => f.familyName !== face);
      if (!cjk.some((f) => f.familyName === face) || wrong.length) {
        fail(where, `${p.locale} text drawn with ${fonts.map((f) => f.familyName).join(', ')}, expected ${face}`);
      } else count('CJK faces checked');
    } finally {
      await cdp.detach();
    }
  }
}

/// Every same-site link and asset of every page resolves, over HTTP under
/// the prefix, and from file://.
async function checkLinks(ctx, base, root, pages, scheme) {
  const page = await ctx.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure() && r.failure().errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.url()} (HTTP ${r.status()})`); });
  const seen = new Set();
  for (const p of pages) {
    if (scheme === 'file' && p.type === 'chooser') {
      // Its meta refresh leaves at once from disk; read its links from the file.
      const html = readFileSync(join(root, p.path), 'utf8');
      for (const [, href] of html.matchAll(/href="([^"]+)"/g)) {
        const file = resolve(dirname(join(root, p.path)), href.split('#')[0]);
        if (!existsSync(file)) fail(`${p.path} (file)`, `broken link: ${href}`);
        else count('links resolved (file)');
      }
      continue;
    }
    const url = scheme === 'http' ? base + p.path : pathToFileURL(join(root, p.path)).href;
    failed.length = 0;
    await page.goto(url, { waitUntil: 'load' });
    const refs = await page.evaluate(() => [
      ...[...document.querySelectorAll('a[href], link[href]')].map((a) => a.href),
      ...[...document.querySelectorAll('img[src]')].map((i) => i.src),
    ]);
    const css = await page.evaluate(() => [...document.styleSheets].some((s) => s.href && s.href.endsWith('static/style.css')));
    if (!css) fail(`${p.path} (${scheme})`, 'the stylesheet did not load');
    for (const f of failed) fail(`${p.path} (${scheme})`, `request failed: ${f}`);
    for (const ref of refs) {
      const clean = ref.split('#')[0].split('?')[0];
      if (!clean.startsWith(scheme === 'http' ? base : 'file:')) continue;
      if (seen.has(clean)) continue;
      seen.add(clean);
      let file;
      if (scheme === 'http') file = join(root, decodeURIComponent(clean.slice(base.length)));
      else file = fileURLToPath(clean);
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!file.startsWith(root + sep) || !existsSync(file)) fail(`${p.path} (${scheme})`, `broken link: ${ref}`);
      else count(`links resolved (${scheme})`);
    }
  }
  await page.close();
}

async function run(root, { shots, only } = {}) {
  failures.length = 0;
  for (const k of Object.keys(counts)) delete counts[k];
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const base = origin + PREFIX;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS, headless: true });
  const guard = async (ctx) => {
    // 2. Nothing leaves the site.
    await ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(origin + '/') || u.startsWith('file:') || u.startsWith('data:')) return route.continue();
      fail('network', `request to another origin: ${u}`);
      return route.abort();
    });
    // The chooser sends browsers on at once (meta refresh); to check the
    // chooser itself, it is served here without the refresh.
    await ctx.route(/\/status\/[a-z0-9-]+\/index\.html$/, async (route) => {
      const resp = await route.fetch();
      const body = (await resp.text()).replace(/<meta http-equiv="refresh"[^>]*>/, '');
      return route.fulfill({ response: resp, body });
    });
    return ctx;
  };
  try {
    const ctx = await guard(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
    const noJs = await guard(await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } }));
    let pages = pagesOf(root);
    if (only) pages = pages.filter((p) => only.includes(p.path));
    const types = new Set(pages.map((p) => p.type));
    for (const t of ['chooser', 'overview', 'service', 'incident', 'history', 'history-2', 'maintenance', 'widget']) {
      if (t === 'history-2' && args.includes('--one-history-page')) continue;
      if (!only && !types.has(t)) fail('site', `no page of type ${t} to check`);
    }
    if (shots) {
      shots.first = pages[0].customer;
      shots.firstLocales = new Set(pages.filter((p) => p.customer === shots.first).map((p) => p.locale));
      shots.firstLocale = shots.firstLocales.has('en') ? 'en' : [...shots.firstLocales][0];
    }
    // Two pages at a time: the machine has two cores.
    let next = 0;
    const worker = async () => {
      while (next < pages.length) {
        const p = pages[next++];
        await checkPage(ctx, noJs, base, p, shots);
        count('pages checked');
      }
    };
    await Promise.all([worker(), worker()]);
    await checkLinks(ctx, base, root, pages, 'http');
    const fileCtx = await guard(await browser.newContext());
    await checkLinks(fileCtx, base, root, pages, 'file');
  } finally {
    await browser.close();
    server.close();
  }
  return [...failures];
}

function report() {
  for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${String(v).padStart(6)}  ${k}`);
}

async function selfTest(root) {
  const tmp = mkdtempSync(join(tmpdir(), 'statusfleet-broken-'));
  try {
    const copy = join(tmp, 'site');
    cpSync(root, copy, { recursive: true });
    const target = pagesOf(copy).find((p) => p.type === 'overview');
    const file = join(copy, target.path);
    const html = readFileSync(file, 'utf8')
      .replace('<main id="main"', '<img src="../static/style.css" width="10" height="10"><main id="main"')
      .replace('</body>', '<script src="https://cdn.example.net/tracker.js"></script></body>');
    writeFileSync(file, html);
    // A right-to-left page with an off-screen offset and left-hand borders,
    // and a Japanese page drawn with the Chinese face: a stylesheet of the
    // site's own origin, so the page's CSP lets it in.
    const all = pagesOf(copy);
    const rtlPage = all.find((p) => p.type === 'overview' && p.locale && p.locale.startsWith('ar'));
    const jaPage = all.find((p) => p.type === 'overview' && p.locale === 'ja-JP');
    if (!rtlPage || !jaPage) { console.error('suite self-test: needs an ar and a ja-JP overview'); process.exit(1); }
    for (const q of [rtlPage, jaPage]) {
      const f = join(copy, q.path);
      writeFileSync(join(dirname(f), 'broken.css'),
        '.skip { position: absolute !important; left: -9999px !important; right: auto !important; width: auto !important;'
        + ' height: auto !important; padding: .5rem 1rem !important; clip-path: none !important; }\n'
        + '.banner { border-left-width: 6px; border-right-width: 1px; }\n'
        + ':lang(ja) { font-family: "Noto Sans CJK SC", sans-serif; }\n');
      writeFileSync(f, readFileSync(f, 'utf8').replace('</head>', '<link rel="stylesheet" href="broken.css"></head>'));
    }
    const found = await run(copy, { only: [target.path, rtlPage.path, jaPage.path] });
    const missing = [];
    if (!found.some((f) => f.startsWith(rtlPage.path) && f.includes('sideways'))) missing.push('an off-screen offset in a right-to-left page');
    if (!found.some((f) => f.startsWith(rtlPage.path) && f.includes('not mirrored'))) missing.push('unmirrored borders');
    if (!found.some((f) => f.startsWith(jaPage.path) && f.includes('expected Noto Sans CJK JP'))) missing.push('Japanese in the Chinese face');
    if (!found.some((f) => f.includes('image-alt'))) missing.push('an image without alt');
    // Blocked by the page's CSP before any request is made, or requested:
    // either way the suite must report it.
    if (!found.some((f) => f.includes('https://cdn.example.net/tracker.js'))) missing.push('an external script');
    for (const f of found.slice(0, 12)) console.log(`  caught: ${f.slice(0, 150)}`);
    if (missing.length) {
      console.error(`suite self-test: the suite missed ${missing.join(' and ')}`);
      process.exit(1);
    }
    console.log('suite self-test: the broken page fails the suite, as it must');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) || '');
if (!existsSync(join(root))) { console.error('usage: node tests/browser/suite.mjs SITE_DIR [--self-test] [--one-history-page] [--screenshots=DIR]'); process.exit(2); }
if (args.includes('--self-test')) {
  await selfTest(root);
} else {
  const shotsArg = args.find((a) => a.startsWith('--screenshots='));
  const shots = { dir: shotsArg ? resolve(shotsArg.slice(14)) : join(REPO, 'target', 'screenshots') };
  rmSync(shots.dir, { recursive: true, force: true });
  mkdirSync(shots.dir, { recursive: true });
  const start = Date.now();
  const found = await run(root, { shots });
  report();
  if (found.length) {
    console.error(`\n${found.length} failure(s):`);
    for (const f of found.slice(0, 150)) console.error(`  ${f}`);
    process.exit(1);
  }
  console.log(`browser suite: all checks passed in ${((Date.now() - start) / 1000).toFixed(0)} s; screenshots in ${relative(process.cwd(), shots.dir) || shots.dir}`);
}
