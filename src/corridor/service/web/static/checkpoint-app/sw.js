// The offline checkpoint app's service worker (served from /checkpoint-app/sw.js by web/checkpoint_app.py,
// which puts SHELL, DATA_URL and VERSION in front of this file). Scope: the app's own path.
// - install: keep the shell (the page, its scripts, styles, icons and vendored libraries) in a cache named
//   after VERSION, and data.json in a cache of its own that outlives versions;
// - the page and data.json: network first, what was kept when the network fails (a response from the cache
//   says so in X-Corridor-Cached, for the page to tell the officer); an answer saying the user is signed out
//   (a redirect to the sign-in page) or not an inspector (401, 403) forgets both (so does signing out:
//   web/corridor.js), never showing one user's plates and goods to the next on a shared device;
// - the shell's static files: what was kept, else the network;
// - anything else (and every POST) goes to the network untouched: nothing sent is ever kept here.
"use strict";
const SHELL_CACHE = "corridor-checkpoint-shell-" + VERSION;
const DATA_CACHE = "corridor-checkpoint-data";
const SCOPE = new URL("./", self.location).pathname;

self.addEventListener("install", event => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL_CACHE);
    await shell.addAll(SHELL.map(url => new Request(url, {credentials: "same-origin", cache: "reload"})));
    try {  // data.json is the page's to fetch too: a failure here does not stop the install
      const response = await fetch(DATA_URL, {credentials: "same-origin", cache: "no-store"});
      if (response.ok) { await (await caches.open(DATA_CACHE)).put(DATA_URL, response); }
    } catch (error) { /* offline or signed out: the page fetches it when it can */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", event => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("corridor-checkpoint-shell-") && name !== SHELL_CACHE) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) { await cache.put(key, response.clone()); }
    else if (response.redirected || response.type === "opaqueredirect" || [401, 403].includes(response.status)) {
      await forget();  // signed out, or signed in as someone the app is not for: nothing of the last user stays
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key, {ignoreSearch: true});
    if (!kept) { throw error; }
    const headers = new Headers(kept.headers);
    headers.set("X-Corridor-Cached", "1");
    return new Response(await kept.blob(), {status: kept.status, statusText: kept.statusText, headers});
  }
}

async function forget() {
  await caches.delete(DATA_CACHE);
  await (await caches.open(SHELL_CACHE)).delete(SCOPE, {ignoreSearch: true});
}

async function cacheFirst(request) {
  const kept = await caches.match(request, {ignoreSearch: true, cacheName: SHELL_CACHE});
  return kept || fetch(request);
}

self.addEventListener("fetch", event => {
  const request = event.request;
  if (request.method !== "GET") { return; }  // POSTs (recording, signing) are never answered from here
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === DATA_URL) {
    event.respondWith(networkFirst(request, DATA_CACHE, DATA_URL));
  } else if (url.pathname === SCOPE && request.mode === "navigate") {
    event.respondWith(networkFirst(request, SHELL_CACHE, SCOPE));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
