// Shared by the browser suite and the XSS detector: Chromium's flags and a
// static server for a built site under a sub-path, on 127.0.0.1 only.

import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, sep } from 'node:path';

export const PREFIX = '/status/';
export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.atom': 'application/atom+xml',
  '.ics': 'text/calendar', '.xml': 'application/xml', '.txt': 'text/plain' };

/// A static server for `root` under PREFIX, on 127.0.0.1, with a bounded
/// number of requests.
export function serve(root) {
  let served = 0;
  const server = createServer((req, res) => {
    if (++served > 200000) { res.writeHead(503); res.end(); return; }
    const url = new URL(req.url, 'http://127.0.0.1');
    let path = decodeURIComponent(url.pathname);
    if (!path.startsWith(PREFIX)) { res.writeHead(404); res.end('outside the prefix'); return; }
    let file = join(root, '.' + path.slice(PREFIX.length - 1));
    if (file !== root && !file.startsWith(root + sep)) { res.writeHead(403); res.end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}
