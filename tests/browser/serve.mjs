// `statusfleet serve` in Chromium: an open page reloads by itself when a
// content file changes, shows the error when the config breaks, and comes
// back when it is fixed; the preview's script runs without a policy
// violation or console error.
//
// usage: node tests/browser/serve.mjs path/to/statusfleet
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { FLAGS } from './common.mjs';

const bin = process.argv[2] && resolve(process.argv[2]);
if (!bin) { console.error('usage: node tests/browser/serve.mjs path/to/statusfleet'); process.exit(2); }

const site = mkdtempSync(join(tmpdir(), 'statusfleet-serve-test-'));
execFileSync(bin, ['init', site], { stdio: 'ignore' });
const preview = spawn(bin, ['serve', '--port', '0'], { cwd: site, stdio: ['ignore', 'pipe', 'inherit'] });
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };
let browser;

try {
  const url = await new Promise((ok, no) => {
    const timer = setTimeout(() => no(new Error('the preview did not start within 30 s')), 30000);
    createInterface({ input: preview.stdout }).on('line', (line) => {
      const m = line.match(/serving the preview at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    preview.on('exit', (code) => no(new Error(`the preview exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const page = await browser.newPage();
  const problems = [];
  // HTTP errors are judged by their response below, not their console line.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  let broken = false;
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    const expected = r.status() < 400 || path === '/favicon.ico'
      || (broken && r.status() === 500 && r.request().resourceType() === 'document');
    if (!expected) problems.push(`HTTP ${r.status()} for ${path}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  let loads = 0;
  page.on('load', () => { loads += 1; });

  await page.goto(`${url}example/en/support.html`);
  if (await page.locator('h1').textContent() !== 'Support') fail('the support page did not load');
  const waitFor = async (what, test, ms = 8000) => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      try { if (await test()) return Date.now() - start; } catch { /* the page is reloading */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    fail(`${what}: not within ${ms / 1000} s`);
    return null;
  };

  // 1. Edit a content file: the open page reloads by itself.
  const support = join(site, 'content/pages/support.md');
  writeFileSync(support, readFileSync(support, 'utf8').replace('## Contact the service desk', '## Call us day and night'));
  const edited = await waitFor('the edited page', async () =>
    (await page.locator('h2').allTextContents()).includes('Call us day and night'));
  // The new document's text can be read before its `load` event fires
  // (its stylesheet still loading): wait for it before counting loads.
  await page.waitForLoadState('load');
  for (const until = Date.now() + 3000; loads < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
  if (edited !== null) console.log(`ok   the open page showed the edit after ${edited} ms (loads: ${loads})`);
  if (loads < 2) fail('the page changed without a reload?');

  // 2. Break the config: the open page shows the error.
  const config = join(site, 'statusfleet.yaml');
  const good = readFileSync(config, 'utf8');
  broken = true;
  writeFileSync(config, good.replace('  title: Service status', '  title: [Service status'));
  const broke = await waitFor('the error page', async () =>
    (await page.locator('h1').textContent()) === 'The build failed'
    && (await page.locator('#errors').textContent()).includes('statusfleet.yaml:'));
  if (broke !== null) console.log(`ok   the open page showed the build error after ${broke} ms: ${(await page.locator('#errors li').first().textContent()).slice(0, 100)}…`);

  // 3. Fix it: the page recovers, with the edit.
  writeFileSync(config, good);
  const fixed = await waitFor('the recovered page', async () =>
    (await page.locator('h1').textContent()) === 'Support'
    && (await page.locator('h2').allTextContents()).includes('Call us day and night'));
  if (fixed !== null) console.log(`ok   the open page recovered after ${fixed} ms`);

  // The preview's own script ran under its policy, without errors.
  if (problems.length) fail(`console or page errors: ${problems.join('; ')}`);
  else console.log('ok   no console error, no policy violation');
} catch (e) {
  fail(String(e));
} finally {
  if (browser) await browser.close();
  preview.kill();
  rmSync(site, { recursive: true, force: true });
}
if (failures.length) { console.log(`${failures.length} failure(s)`); process.exit(1); }
console.log('serve: all checks passed');
