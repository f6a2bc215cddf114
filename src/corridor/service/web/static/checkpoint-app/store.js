// What the offline checkpoint app keeps on the device besides the service worker's caches: the officer's
// chosen checkpoint and when data.json last came from the network (localStorage). data.json itself is
// kept by the service worker (network first, its last copy when the network fails).
const CHECKPOINT = "corridor.checkpoint-app.checkpoint";
const FETCHED = "corridor.checkpoint-app.fetched";

function read(key) {
  try { return window.localStorage.getItem(key); } catch (error) { return null; }
}

function write(key, value) {
  try { window.localStorage.setItem(key, value); } catch (error) { /* private mode: not remembered */ }
}

export function chosenCheckpoint() { return read(CHECKPOINT) || ""; }
export function chooseCheckpoint(id) { write(CHECKPOINT, id); }

// {data, fetched (ms since the epoch, of the last copy from the network), cached (true: from the device)}
// or null when the device holds no copy and the network fails
export async function loadData(url) {
  let response;
  try {
    response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
  } catch (error) {
    return null;
  }
  if (!response.ok || response.redirected) { return null; }
  let data;
  try { data = await response.json(); } catch (error) { return null; }
  const cached = response.headers.get("X-Corridor-Cached") === "1";
  if (!cached) { write(FETCHED, String(Date.now())); }
  return {data, cached, fetched: Number(read(FETCHED)) || null};
}
