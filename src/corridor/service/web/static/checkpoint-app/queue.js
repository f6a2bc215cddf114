// Statements signed on this device while the checkpoint may be offline, and their way to the log.
//
// The device builds the statement itself (the contract in docs: "Recorded offline"): its kind, party, plan,
// the engine's payload, the device's clock as "time", a random offline id and the passkey that signs it —
// no sequence number, which only the log can give. The passkey signs SHA-256("corridor/statement/v1\n" +
// RFC 8785 canonical JSON of it), as it does online (ledger/envelope.py statement_digest); WebAuthn needs no
// network for that. Each signed statement is kept in IndexedDB with its state and, once sent, the log's
// answer; nothing is ever removed, so the officer can see every outcome. Sending happens when the browser
// says it is online again, when the app starts and when the officer asks; a network failure or a server
// error leaves the item queued for the next try, a refusal is kept with the server's words.
import canonicalize from "../vendor/canonicalize.js";
import {openDB} from "../vendor/idb.js";

export const DOMAIN = "corridor/statement/v1\n";
export const SUBMIT = "/checkpoint-app/submit";
const DATABASE = "corridor-checkpoint-queue";
const STORE = "statements";
// queued: signed, not yet on the log; sent: on its way (found so after a restart: sent again, the offline id
// makes that harmless); applied / not_applied: on the log, with or without effect (the rules' answer);
// recorded: on the log, the answer saying no more; refused: not on the log, with the reason.
export const STATES = ["queued", "sent", "recorded", "applied", "not_applied", "refused"];
const PENDING = new Set(["queued", "sent"]);

export const toB64url = buffer => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
export const fromB64url = text => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")
  + "=".repeat((4 - text.length % 4) % 4)), c => c.charCodeAt(0));

/** The device's clock as the log writes times: "YYYY-MM-DDTHH:MM:SSZ". */
export function deviceTime(now = new Date()) {
  return now.toISOString().slice(0, 19) + "Z";
}

/** 16 random bytes in lowercase hex: the statement's offline id, which makes sending it twice harmless. */
export function offlineId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, "0")).join("");
}

/** The inner statement, exactly as it will be signed and as the log will hold it. */
export function buildStatement({kind, party, plan, payload, key, time = deviceTime(), id = offlineId()}) {
  if (!/^passkey:[0-9a-f]{32}$/.test(key || "")) { throw new Error("a statement signed offline names its passkey"); }
  return {type: kind, party, plan, time, payload, offline: {id}, key};
}

/** RFC 8785 canonical JSON (the vendored `canonicalize`): the same bytes as the server's canonical_json. */
export function canonical(statement) {
  return canonicalize(statement);
}

/** What the passkey signs as its WebAuthn challenge: SHA-256 of the domain and the canonical statement. */
export async function challenge(statement) {
  const message = new TextEncoder().encode(DOMAIN + canonical(statement));
  return new Uint8Array(await crypto.subtle.digest("SHA-256", message));
}

/** The passkey's assertion over the statement's digest, as the three base64url values the server reads.
 *  Throws the browser's error (NotAllowedError: cancelled, timed out or no such passkey here). */
export async function sign(statement, {credential, rpId}) {
  const assertion = await navigator.credentials.get({publicKey: {
    challenge: await challenge(statement), rpId, userVerification: "required", timeout: 120000,
    allowCredentials: [{type: "public-key", id: fromB64url(credential)}],
  }});
  const response = assertion.response;
  return {authenticatorData: toB64url(response.authenticatorData),
          clientDataJSON: toB64url(response.clientDataJSON), signature: toB64url(response.signature)};
}

let database;
function db() {
  database ??= openDB(DATABASE, 1, {upgrade(store) {
    store.createObjectStore(STORE, {keyPath: "id"}).createIndex("user", "user");
  }});
  return database;
}

/** Keep a signed statement (queued) for `user`; the item as stored. */
export async function keep(user, statement, assertion, description) {
  const item = {id: statement.offline.id, user, statement, assertion, description, state: "queued",
                signed: statement.time, kept: Date.now(), attempts: 0, answer: null, note: ""};
  await (await db()).add(STORE, item);
  changed();
  return item;
}

/** The user's items in the order they were signed here (sent in that order: an arrival before its
 *  inspection), by the order kept rather than by the device's clock, which may be wrong. */
export async function items(user) {
  const all = await (await db()).getAllFromIndex(STORE, "user", user);
  return all.sort((a, b) => a.kept - b.kept);
}

async function update(item, changes) {
  Object.assign(item, changes);
  await (await db()).put(STORE, item);
  changed();
}

function changed() {
  document.dispatchEvent(new CustomEvent("checkpoint-app:queue"));
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find(part => part.startsWith("csrftoken="));
  if (cookie) { return decodeURIComponent(cookie.slice("csrftoken=".length)); }
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

let sending = null;

/** Send every queued item of `user` in the order signed (one pass at a time; a call during a pass waits for
 *  it). An item left queued (no network, a server error, signed out) stops the pass: what was signed after it
 *  waits with the same note, since an inspection sent before its arrival would be on the log without effect.
 *  `notes` are the words for what is left queued: {offline, retry, signin}. Resolves to the number still queued. */
export function sendAll(user, notes = {}) {
  sending ??= (async () => {
    try {
      let stuck = null;
      for (const item of await items(user)) {
        if (!PENDING.has(item.state)) { continue; }
        if (stuck) {
          await update(item, {state: "queued", note: stuck.note});
        } else {
          await sendOne(item, notes);
          if (PENDING.has(item.state)) { stuck = item; }
        }
      }
      return (await items(user)).filter(item => PENDING.has(item.state)).length;
    } finally {
      sending = null;
    }
  })();
  return sending;
}

async function sendOne(item, notes) {
  if (!navigator.onLine) {
    await update(item, {state: "queued", note: notes.offline || ""});
    return;
  }
  await update(item, {state: "sent", attempts: item.attempts + 1, tried: deviceTime()});
  let response;
  try {
    response = await fetch(SUBMIT, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
      body: JSON.stringify({statement: item.statement, assertion: item.assertion}),
    });
  } catch (failure) {  // no network after all: kept for the next try
    await update(item, {state: "queued", note: notes.offline || String(failure)});
    return;
  }
  const answer = await response.json().catch(() => null);
  await update(item, outcome(response, answer, notes));
}

/** The item's new state from the server's answer. Only a refusal of the statement itself (JSON with a code)
 *  ends an item as refused; signed out (401 auth.required), a stale form token (403 csrf.failed), a server
 *  error, a sign-in page or anything unreadable keeps it queued. */
export function outcome(response, answer, notes = {}) {
  const status = response.status;
  const code = answer && answer.code;
  if (answer && (status === 200 || status === 201) && ["recorded", "duplicate"].includes(answer.status)) {
    const state = answer.applied === true ? "applied" : answer.applied === false ? "not_applied" : "recorded";
    return {state, answer, note: ""};
  }
  if (response.type === "opaqueredirect" || status === 401 || code === "csrf.failed" || (status === 403 && !code)) {
    return {state: "queued", note: notes.signin || ""};
  }
  if (code && status >= 400 && status < 500 && ![408, 429].includes(status)) {
    return {state: "refused", answer, note: ""};
  }
  return {state: "queued", note: notes.retry || `HTTP ${status}`};
}
