// hocso service worker: keeps this build's assets and the offline page; pages come from the
// network, and without one from a kept course (caches 'hocso-course-*', filled by app.js).
'use strict';
// The server writes the hashed asset addresses here (a JSON array).
const ASSETS = "__ASSETS__";
const LIST = Array.isArray(ASSETS) ? ASSETS : [];
const VERSION = '1'; // change to refresh the shell cache without an asset change
let h = 0;
for (const ch of VERSION + LIST.join()) h = (h * 31 + ch.charCodeAt(0)) | 0;
const SHELL = 'hocso-shell-' + (h >>> 0).toString(36);
const ANY = { ignoreVary: true }; // pages vary on Cookie, which requests here never show

self.addEventListener('install', e => e.waitUntil((async () => {
  const c = await caches.open(SHELL);
  await c.addAll(LIST);
  await c.add('/offline').catch(() => {}); // best effort: a fallback below covers its absence
  await self.skipWaiting();
})()));

self.addEventListener('activate', e => e.waitUntil((async () => {
  for (const k of await caches.keys()) {
    if (k.startsWith('hocso-shell-') && k !== SHELL) await caches.delete(k);
  }
  await self.registration.navigationPreload?.enable().catch(() => {});
  await self.clients.claim();
})()));

self.addEventListener('fetch', e => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  const p = url.pathname;
  if (p.startsWith('/api/') || p === '/learn/events' || p === '/sw.js') return;
  if (p.startsWith('/assets/')) return e.respondWith(asset(req, p));
  if (req.mode === 'navigate' || (req.headers.get('Accept') || '').includes('text/html')) e.respondWith(page(e));
});

// "site.1a2b3c4d5e.css" -> "site.css"
const stem = u => u.replace(/\.[0-9a-f]{6,}(\.\w+)$/, '$1');

// Assets: cache first. A page kept from an older build names older hashes: when those are
// neither cached nor served, answer with this build's file of the same name.
async function asset(req, p) {
  const hit = await caches.match(req, ANY);
  if (hit) return hit;
  let res;
  try {
    res = await fetch(req);
    if (res.ok) return res;
  } catch {}
  const same = LIST.find(u => stem(u) === stem(p));
  return (same && (await caches.match(same, ANY))) || res || Response.error();
}

// Pages: network first. Offline: a kept copy (also without its query, e.g. "?done=1"), else
// the offline page. Nothing is stored here, except refreshing a page a kept course holds.
async function page(e) {
  const req = e.request;
  try {
    const res = (await e.preloadResponse) || (await fetch(req));
    if (res.ok && !res.redirected) {
      try { e.waitUntil(refresh(req.url, res.clone())); } catch {}
    }
    return res;
  } catch {
    return (await caches.match(req, ANY)) ||
      (await caches.match(req.url, { ignoreVary: true, ignoreSearch: true })) ||
      (await caches.match('/offline', ANY)) ||
      new Response('<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
        '<title>Học số</title><p>Không có mạng. / No connection.</p><p><a href="/">Học số</a></p>',
        { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  }
}

async function refresh(url, res) {
  for (const k of await caches.keys()) {
    if (!k.startsWith('hocso-course-')) continue;
    const c = await caches.open(k);
    if (await c.match(url, ANY)) await c.put(url, res.clone());
  }
}
