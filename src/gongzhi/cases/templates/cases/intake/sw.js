// The service worker of 随手拍 (scope: the report page). It keeps the static files and a shell
// of the report page rendered for nobody, so the page opens with no signal; a report whose
// sending fails (no network, or the server erring) is kept in the outbox and sent later,
// with the idempotency key it was taken with. Served by cases.views.offline.worker.
/* eslint-env serviceworker */
const CONFIG = {{ config_json|safe }};
importScripts(...CONFIG.libraries);

const CACHE = "gongzhi-report-" + CONFIG.version;
const SHELL_MAX_AGE_MS = 10 * 60 * 1000;
const SYNC_TAG = "gongzhi-outbox";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(CONFIG.assets))
      .then(() => refreshShell(true))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("gongzhi-report-") && k !== CACHE).map((k) => caches.delete(k)))
      )
      .then(() => self.clients.claim())
  );
});

// The shell is fetched with the signed-in session; a redirect (to the login page) or an error
// is not kept. Fetched again at most every few minutes, when the page itself loads.
async function refreshShell(force) {
  const cache = await caches.open(CACHE);
  if (!force) {
    const kept = await cache.match(CONFIG.shellUrl);
    const age = kept ? Date.now() - Date.parse(kept.headers.get("Date") || 0) : Infinity;
    if (age < SHELL_MAX_AGE_MS) return;
  }
  try {
    const response = await fetch(CONFIG.shellUrl, { credentials: "same-origin", cache: "no-store" });
    if (response.ok && !response.redirected) await cache.put(CONFIG.shellUrl, response);
  } catch (e) {
    // offline: keep what we have
  }
}

// The report page: the network first (it is personal and fresh); with no network, or the
// server down, the shell.
async function reportPage(event) {
  try {
    const response = await fetch(event.request);
    if (response.status < 500) {
      event.waitUntil(refreshShell(false));
      return response;
    }
    return (await caches.match(CONFIG.shellUrl)) || response;
  } catch (e) {
    const shell = await caches.match(CONFIG.shellUrl);
    if (shell) return shell;
    throw e;
  }
}

// A report sent from the page while the phone believed it was online: if it does not get
// through, keep it and show the page again, where it is listed as waiting.
async function sendReport(event) {
  const copy = event.request.clone();
  try {
    const response = await fetch(event.request);
    if (response.status < 500) return response;
  } catch (e) {
    // no network: kept below
  }
  const form = await copy.formData();
  await self.gongzhiOutbox.keep({ url: CONFIG.reportUrl, entries: Array.from(form.entries()) });
  if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(() => {});
  return Response.redirect(CONFIG.reportUrl + "?kept=1", 303);
}

// Static files: hashed names from the cache first; unhashed ones (debug, tests) from the
// network first, so an edited file is not hidden behind its old copy.
async function staticFile(request) {
  const cache = await caches.open(CACHE);
  if (CONFIG.hashedStatic) {
    const kept = await cache.match(request);
    if (kept) return kept;
  }
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (e) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.reportUrl) {
    if (request.method === "GET") event.respondWith(reportPage(event));
    else if (request.method === "POST") event.respondWith(sendReport(event));
    return;
  }
  if (request.method === "GET" && url.pathname.startsWith(CONFIG.staticUrl)) {
    event.respondWith(staticFile(request));
  }
});

// Background Sync, where the browser has it: send what waits once the network is back.
self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(
      self.gongzhiOutbox.flush(CONFIG.sessionUrl).then((outcome) => {
        // Rejecting asks the browser to try again later.
        if (outcome === "offline" || outcome === "unavailable") throw new Error(outcome);
      })
    );
  }
});
