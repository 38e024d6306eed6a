// hocso: conveniences for pages that work without scripts; missing APIs are skipped.
{
const d = document, $ = (s, r = d) => r.querySelector(s), nav = navigator, vi = d.documentElement.lang != 'en';
const T = vi ? ['Dung lượng khoảng', 'Đang tải', 'Đã tải xong.', 'Chưa tải được.', 'Đã xóa.', 'Đã chép địa chỉ']
  : ['About', 'Downloading', 'Done.', 'Could not download.', 'Removed.', 'Link copied'];
const token = $('meta[name=csrf-token]')?.content, hdr = token ? {'X-CSRF-Token': token} : {};
const AT = 'hocso-synced-at', LS = (() => { try { return localStorage; } catch {} })() || {};

// GET, or POST with a body; no answer in 25 s is a network error
const req = (url, body, headers) => fetch(url, {method: body ? 'POST' : 'GET', body, headers,
  credentials: 'same-origin', signal: AbortSignal.timeout?.(25e3)});

// one request on IndexedDB hocso/events
const canQueue = !!(window.indexedDB && crypto.randomUUID);
const idb = (mode, fn) => new Promise((ok, no) => {
  const o = indexedDB.open('hocso', 1);
  o.onupgradeneeded = () => o.result.createObjectStore('events', {keyPath: 'client_event_id'});
  o.onerror = () => no(o.error);
  o.onsuccess = () => {
    const db = o.result, t = db.transaction('events', mode), r = fn(t.objectStore('events'));
    t.oncomplete = () => ok(r?.result);
    t.onabort = () => no(t.error);
    db.close(); // after the transaction
  };
});

// #sync-status: "N waiting", and "sent at HH:MM" for a day
const status = async () => {
  const el = $('#sync-status'), at = new Date(LS[AT] || 0), p = [];
  if (!el) return;
  const n = canQueue && await idb('readonly', s => s.count()).catch(() => 0);
  if (n) p.push(n + ' ' + el.dataset.waiting);
  if (Date.now() - at < 864e5) p.push(el.dataset.sent + ' ' + at.toTimeString().slice(0, 5));
  el.textContent = p.join(' · ');
  el.hidden = !p.length;
};

// send the queue, 500 a request; a 200 settles each event sent
let syncing;
let tries = 0;
const sync = async () => {
  if (syncing || !token || !canQueue || !nav.onLine) return status();
  syncing = 1;
  try {
    for (let b = []; b.length % 500 == 0;) {
      b = await idb('readonly', s => s.getAll(null, 500));
      if (!b.length) break;
      const r = await req('/learn/events', JSON.stringify(b), {...hdr, 'Content-Type': 'application/json'});
      if (r.status != 200) {
        if (r.status >= 500 && tries++ < 20) setTimeout(sync, 3e3); // the server is busy or restarting
        break;
      }
      await idb('readwrite', s => b.forEach(e => s.delete(e.client_event_id)));
      LS[AT] = new Date().toISOString();
    }
  } catch {
    // the network is not really back yet (mobile data, a waking radio): try again shortly
    if (tries++ < 20) setTimeout(sync, 3e3);
  }
  syncing = 0;
  return status();
};

// lesson: post "learned" by fetch; offline, queue it and go on
const f = $('form.learned');
if (f) {
  const sec = Object.assign(d.createElement('input'), {type: 'hidden', name: 'seconds'});
  const ev = Object.assign(d.createElement('input'), {type: 'hidden', name: 'event_id'});
  f.append(sec, ev);
  f.addEventListener('submit', async e => {
    sec.value = Math.min(86400, Math.round(performance.now() / 1e3));
    if (!canQueue) return; // the browser posts it
    e.preventDefault();
    const {course, lesson} = f.dataset, id = crypto.randomUUID();
    // one id for the post and the queue: a post that reached the server but lost its answer
    // is then a duplicate when the queue is sent, never a second event
    ev.value = id;
    let r;
    if (nav.onLine) r = await req(f.action, new URLSearchParams(new FormData(f))).catch(() => 0);
    // followed the 303: go there; an error page: post the usual way
    if (r) return r.redirected ? location.assign(r.url) : f.submit();
    try {
      await idb('readwrite', s => s.put({course, lesson, client_event_id: id,
        status: 'completed', time_spent_seconds: +sec.value, occurred_at: new Date().toISOString()}));
    } catch { return f.submit(); }
    await status();
    const a = d.querySelector('nav.pager a[rel=next]');
    location.assign(a ? a.href : '/courses/' + course);
  });
}

// course: keep its pages in cache hocso-course-SLUG for sw.js
const k = $('.offline-keep');
if (k && nav.serviceWorker && window.caches) (async () => {
  const slug = k.dataset.course, name = 'hocso-course-' + slug, q = s => $(s, k);
  const say = q('.keep-status'), add = q('.keep'), del = q('.unkeep');
  const show = async () => { del.hidden = !(add.hidden = await caches.has(name)); }; // kept = cache exists
  const load = async () => {
    const j = await (await req(`/courses/${slug}/offline`)).json(), b = j.bytes, M = 1 << 20;
    q('.keep-size').textContent = T[0] + ' ' + (b < M ? Math.ceil(b / 1024) + ' KB' : (b / M).toFixed(1) + ' MB');
    return j.urls;
  };
  await show();
  k.hidden = false;
  load().catch(() => 0);
  add.onclick = async () => {
    add.disabled = true;
    try {
      const urls = await load(), c = await caches.open(name);
      for (const [i, u] of urls.entries()) {
        say.textContent = `${T[1]} ${i + 1}/${urls.length}…`;
        const r = await req(u);
        if (!r.ok || r.redirected) throw 0;
        await c.put(u, r);
      }
      say.textContent = T[2];
    } catch {
      await caches.delete(name); // a download cut short is not kept
      say.textContent = T[3];
    }
    add.disabled = false;
    show();
  };
  del.onclick = async () => { await caches.delete(name); say.textContent = T[4]; show(); };
})().catch(() => {});

// certificate: share, else copy the address
const sh = $('button.share');
if (sh && (nav.share || nav.clipboard)) {
  sh.hidden = false;
  sh.onclick = async () => {
    const {url, title} = sh.dataset, was = sh.textContent;
    try {
      if (nav.share) return await nav.share({title, url});
      await nav.clipboard.writeText(url);
      sh.textContent = T[5];
      setTimeout(() => { sh.textContent = was; }, 2500);
    } catch {}
  };
}

// quiz attempt: save 800 ms after a change, one at a time (in order)
const qf = $('form.attempt[data-save]');
if (qf) {
  const st = $('.save-status', qf) || {dataset: {}};
  let timer, busy, again;
  const save = async () => {
    if (busy) return (again = 1);
    busy = 1;
    again = 0;
    const r = await req(qf.dataset.save, new URLSearchParams(new FormData(qf)), hdr).catch(() => 0);
    busy = 0;
    if (again) save();
    else if (r.ok) st.textContent = st.dataset.saved;
    // refused (a side matched twice, the time over…): the server's words, in the page's language
    else if (r.status == 409 || r.status == 422) { st.textContent = await r.text(); st.classList.add('error'); }
  };
  const changed = () => { clearTimeout(timer); timer = setTimeout(save, 800); st.textContent = ''; st.classList.remove('error'); };
  for (const t of ['input', 'change']) qf.addEventListener(t, changed);
  qf.addEventListener('submit', () => clearTimeout(timer));
}

// countdown M:SS to data-deadline; stays at 0:00
d.querySelectorAll('.countdown[data-deadline]').forEach(el => {
  const end = Date.parse(el.dataset.deadline), tick = () => {
    const s = Math.max(0, Math.ceil((end - Date.now()) / 1e3));
    el.textContent = ((s / 60) | 0) + ':' + String(s % 60).padStart(2, '0');
    if (!s) clearInterval(iv);
  };
  const iv = end && setInterval(tick, 1e3);
  if (end) tick();
});

// the language link of an error page (no form there): back to this very address, not home
d.querySelectorAll('a[data-lang-switch]').forEach(a => {
  const u = new URL(a.href);
  u.searchParams.set('next', location.pathname + location.search);
  a.href = u;
});

// print buttons (login cards): the browser's own print, with the print styles
d.querySelectorAll('[data-print]').forEach(b => b.addEventListener('click', () => print()));

sync();
addEventListener('online', sync);
addEventListener('pageshow', e => e.persisted && sync()); // back from the back-forward cache
if (nav.serviceWorker) addEventListener('load', () => nav.serviceWorker.register('/sw.js').catch(() => {}));
}
