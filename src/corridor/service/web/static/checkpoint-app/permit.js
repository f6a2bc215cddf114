// Offline verification of a passage permit in the browser, as `corridor permit verify` does it
// (permits/verify.py): the same checks, in the same order, answering the same codes (permits/errors.py):
//   CP1: text → base45 (RFC 9285) → zlib inflate → COSE_Sign1 (tag 18) → key id among the trusted permit
//   keys → EdDSA in the protected header → Ed25519 signature over the Sig_structure → the payload read as a
//   permit → not on the revocation list (SHA-256 of the signed bytes) → for this checkpoint → inside its
//   window, give or take the plan's tolerance, by the device's clock.
// Libraries (vendored from npm, static/vendor): @digitalbazaar/base45, pako (inflate), cbor-web (node-cbor for the browser), and
// the browser's WebCrypto for Ed25519 (Chromium 113+, Firefox 129+, Safari 17+) and SHA-256.
import {decode as base45decode} from "../vendor/base45/index.js";

export const PREFIX = "CP1:";
const COSE_SIGN1 = 18, CWT = 61, ALG = 1, KID = 4, EDDSA = -8;
// permits/document.py WIRE_NAMES (the wire's short names → the fields' names)
const FIELDS = {v: "v", id: "id", iss: "issuer", pl: "plan", ver: "version", leg: "leg", rt: "route",
  cps: "checkpoints", veh: "vehicle", plt: "plate", vt: "vehicle_type", nbf: "start", exp: "end",
  tol: "tolerance", ln: "lines", con: "consents", lsz: "log_size", lrt: "log_root", iat: "issued", n: "nonce"};
const REQUIRED = ["id", "iss", "pl", "ver", "leg", "rt", "cps", "veh", "plt", "nbf", "exp", "lsz", "lrt", "iat", "n"];

export class Rejected extends Error {
  constructor(code, detail) { super(code + (detail ? ": " + detail : "")); this.code = code; this.detail = detail || ""; }
}

// maps as Map (COSE's labels are integers); byte strings come back as cbor-web's Buffer (a Uint8Array)
const decodeCbor = bytes => window.cbor.decodeFirstSync(bytes, {preferMap: true});

export function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

export function base64(bytes) {
  let text = "";
  for (const b of bytes) { text += String.fromCharCode(b); }
  return window.btoa(text);
}

function fromBase64(text) {
  return Uint8Array.from(window.atob(text), c => c.charCodeAt(0));
}

function isBytes(value) { return value instanceof Uint8Array; }
function isMap(value) { return value instanceof Map; }

// QR text → the signed COSE bytes
export function signedBytes(text) {
  const trimmed = String(text).trim();
  if (!trimmed.startsWith(PREFIX)) { throw new Rejected("permit.unreadable", `QR text does not begin with ${PREFIX}`); }
  let packed;
  try { packed = base45decode(trimmed.slice(PREFIX.length)); } catch (error) {
    throw new Rejected("permit.unreadable", "not base45: " + error.message);
  }
  try { return window.pako.inflate(packed); } catch (error) {
    throw new Rejected("permit.unreadable", "not zlib-deflated: " + error);
  }
}

function unwrap(item) {
  const isTag = value => value !== null && typeof value === "object" && "tag" in value && "value" in value;
  if (isTag(item) && item.tag === CWT) { item = item.value; }
  if (isTag(item)) {
    if (item.tag !== COSE_SIGN1) { throw new Rejected("permit.unreadable", `CBOR tag ${item.tag} is not COSE_Sign1`); }
    item = item.value;
  }
  return item;
}

// the signed bytes → {protectedBytes, protected (Map), unprotected (Map), payload, signature}
export function decodeSign1(signed) {
  let item;
  try { item = unwrap(decodeCbor(signed)); } catch (error) {
    if (error instanceof Rejected) { throw error; }
    throw new Rejected("permit.unreadable", "not CBOR: " + error.message);
  }
  if (!Array.isArray(item) || item.length !== 4) {
    throw new Rejected("permit.unreadable", "a COSE_Sign1 is an array of four items");
  }
  const [protectedBytes, unprotected, payload, signature] = item;
  if (!isBytes(protectedBytes) || !isMap(unprotected) || !isBytes(payload) || !isBytes(signature)) {
    throw new Rejected("permit.unreadable", "a COSE_Sign1 holds a protected bstr, a header map, a payload bstr and a signature bstr");
  }
  let header = new Map();
  if (protectedBytes.length) {
    try { header = decodeCbor(protectedBytes); } catch (error) {
      throw new Rejected("permit.unreadable", "the protected header is not CBOR");
    }
    if (!isMap(header)) { throw new Rejected("permit.unreadable", "the protected header is not a map"); }
  }
  return {protectedBytes, protected: header, unprotected, payload, signature};
}

// RFC 9052 §4.4: ["Signature1", protected (as received; an empty map as the empty bstr), b"", payload],
// encoded from the very byte strings received. They are cbor-web's Buffers, which it encodes as plain byte
// strings (a bare Uint8Array it would tag as a typed array, RFC 8746): so the empty ones are cut from them.
export function toBeSigned(message) {
  const empty = message.payload.subarray(0, 0);
  const protectedBytes = message.protected.size ? message.protectedBytes : empty;
  return window.cbor.encode(["Signature1", protectedBytes, empty, message.payload]);
}

export function ed25519Available() {
  return Boolean(window.crypto && window.crypto.subtle && window.isSecureContext);
}

async function verifyEd25519(publicRaw, signature, data) {
  const key = await window.crypto.subtle.importKey("raw", publicRaw, {name: "Ed25519"}, false, ["verify"]);
  return window.crypto.subtle.verify({name: "Ed25519"}, key, signature, data);
}

const isText = value => typeof value === "string";
const isInt = value => Number.isInteger(value);

// the payload's CBOR map → the permit's fields by name; Rejected (unreadable) for anything but a version-1 permit
export function decodePermit(payload) {
  let map;
  try { map = decodeCbor(payload); } catch (error) { throw new Rejected("permit.unreadable", "the payload is not CBOR"); }
  if (!isMap(map)) { throw new Rejected("permit.unreadable", "a permit is a map"); }
  const permit = {v: 1, vehicle_type: "", tolerance: 0, lines: [], consents: []};
  for (const [key, value] of map) {
    if (!(key in FIELDS)) { throw new Rejected("permit.unreadable", `not a permit: unknown field ${key}`); }
    permit[FIELDS[key]] = value;
  }
  const missing = REQUIRED.filter(key => !map.has(key));
  if (missing.length) { throw new Rejected("permit.unreadable", "not a permit: missing " + missing.join(", ")); }
  const lineOk = line => Array.isArray(line) && line.length === 3 && isText(line[0]) && isInt(line[1]) && isText(line[2]);
  const ok = permit.v === 1 && ["id", "issuer", "plan", "version", "leg", "route", "vehicle", "plate", "vehicle_type"]
    .every(name => isText(permit[name]))
    && ["start", "end", "tolerance", "log_size", "issued"].every(name => isInt(permit[name]))
    && Array.isArray(permit.checkpoints) && permit.checkpoints.every(isText)
    && Array.isArray(permit.lines) && permit.lines.every(lineOk)
    && Array.isArray(permit.consents) && permit.consents.every(isInt)
    && isBytes(permit.log_root) && permit.log_root.length === 32 && isBytes(permit.nonce) && permit.nonce.length === 16;
  if (!ok) { throw new Rejected("permit.unreadable", "not a version-1 permit"); }
  permit.lines = permit.lines.map(([item, quantity, unit]) => ({item, quantity, unit}));
  return permit;
}

async function sha256hex(bytes) {
  return hex(new Uint8Array(await window.crypto.subtle.digest("SHA-256", bytes)));
}

// A readable permit signed by a trusted key: {permit, digest, key} — or Rejected, whatever the time or place.
export async function verifySignature(text, trust) {
  const signed = signedBytes(text);
  const message = decodeSign1(signed);
  const kid = message.protected.get(KID) ?? message.unprotected.get(KID);
  const key = isBytes(kid) ? trust.find(k => k.kid === base64(kid)) : undefined;
  if (!key) { throw new Rejected("permit.key_unknown", `key id ${isBytes(kid) ? hex(kid) : String(kid)} is not trusted`); }
  if (message.protected.get(ALG) !== EDDSA) { throw new Rejected("permit.forged", "a permit's algorithm is EdDSA, in its protected header"); }
  let good = false;
  try { good = await verifyEd25519(fromBase64(key.public), message.signature, toBeSigned(message)); } catch (error) {
    good = false;
  }
  if (!good) { throw new Rejected("permit.forged", "the signature does not verify"); }
  return {permit: decodePermit(message.payload), digest: await sha256hex(signed), key};
}

// The answer for the officer: {code: "valid", permit, digest} or {code: "permit.…", detail, permit?}.
// `data` is data.json as kept (trust, revoked); `now` seconds since the epoch (the device's clock).
export async function verifyPermit(text, data, checkpoint, now) {
  let verified;
  try {
    verified = await verifySignature(text, data.trust || []);
    const permit = verified.permit;
    if ((data.revoked || []).includes(verified.digest)) {
      throw new Rejected("permit.revoked", `permit ${permit.id} of plan ${permit.plan} is revoked`);
    }
    if (checkpoint && !permit.checkpoints.includes(checkpoint)) {
      throw new Rejected("permit.wrong_checkpoint", `route ${permit.route} passes ${permit.checkpoints.join(", ")}, not ${checkpoint}`);
    }
    if (now < permit.start - permit.tolerance) { throw new Rejected("permit.not_yet_valid", "its passage window has not opened"); }
    if (now > permit.end + permit.tolerance) { throw new Rejected("permit.expired", "its passage window has closed"); }
    return {code: "valid", permit, digest: verified.digest};
  } catch (error) {
    if (!(error instanceof Rejected)) { return {code: "permit.unreadable", detail: String(error)}; }
    return {code: error.code, detail: error.detail, permit: verified && verified.permit, digest: verified && verified.digest};
  }
}
