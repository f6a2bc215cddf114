// The checkpoint app's recording form: the arrival or the inspection of a leg the device keeps (data.json's
// "legs"), also without a network. Nothing is assumed for the officer: counts start empty ("All as declared"
// fills them only when pressed), no decision and no seal answer are chosen. What is missing is said before
// anything is signed; what will be signed is shown (words and the canonical JSON) before the passkey asks.
// Every value reaches the page as text (textContent, attributes), never as markup.
import {buildStatement, canonical, items, keep, sendAll, sign} from "./queue.js";

const root = document.getElementById("cp-record");
const form = document.getElementById("rec-form");
const $ = id => document.getElementById(id);
// what an officer records on a device that may be offline (engine OFFLINE_TYPES): the arrival, and the
// inspection, whose decision releases, holds or turns back the vehicle
const KINDS = {arrive: "leg.arrive", inspect: "leg.inspect"};
const DECISIONS = ["cleared", "cleared_with_offload", "held", "turned_back"];
const WHOLE = /^\d{1,15}$/;
const DECIMAL = /^\d{1,12}([.,]\d{1,8})?$/;
const SEAL_SEPARATORS = /[\s,;]+/;
let data = null;
let started = false;
let pending = null;  // the statement shown for signing, with its description and passkey

const word = name => root.dataset[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] || name;
const fill = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");

function option(value, text) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

// `single`: the only choice is taken (a checkpoint, a party); the vehicle is always the officer's to choose
// (or the permit's, once verified), never assumed
function replaceOptions(select, options, single = true) {
  const chosen = select.value;
  select.replaceChildren(option("", "—"), ...options);
  if (options.some(o => o.value === chosen)) { select.value = chosen; }
  if (single && !select.value && options.length === 1) { select.value = options[0].value; }
}

function legs() { return (data && data.legs) || []; }
function chosenLeg() {
  const [plan, leg] = ($("rec-leg").value || "\n").split("\n");
  return legs().find(l => l.plan === plan && l.leg === leg) || null;
}

/** The lines the leg carries now (data.json's per-leg "lines", by the plan's own line ids, which an
 *  inspection's findings name; the permits' line summaries are numbered, not named, so never used here). */
function linesOf(leg) {
  return (leg.lines || []).filter(line => String(line.quantity) !== "0");
}

function setData(value) {
  if (!value || !Array.isArray(value.legs)) { return; }
  data = value;
  const before = $("rec-leg").value;
  replaceOptions($("rec-leg"), legs().map(leg => option(`${leg.plan}\n${leg.leg}`,
    `${leg.plan} · ${leg.leg} — ${leg.vehicles.map(v => v.plate || v.vehicle).join(", ")} (${leg.route_name || leg.route})`)), false);
  const parties = new Map((data.parties || []).map(p => [p.id, p.name]));
  const signing = [...new Set((data.passkeys || []).map(p => p.party))];
  replaceOptions($("rec-party"), signing.map(id => option(id, parties.get(id) || id)));
  if ($("rec-leg").value !== before || !before) { legChanged(); }  // fresh data keeps what is being typed
  render();
  if (!started) { started = true; send(); }  // the app starts: what waits is sent
}

function legChanged() {
  const leg = chosenLeg();
  const names = new Map(((data && data.checkpoints) || []).map(c => [c.id, c.name]));
  const here = leg ? leg.checkpoints.filter(id => names.has(id)) : [];
  replaceOptions($("rec-checkpoint"), here.map(id => option(id, names.get(id))));
  const outside = document.getElementById("cp-checkpoint");  // the app's own "your checkpoint" choice
  if (outside && here.includes(outside.value)) { $("rec-checkpoint").value = outside.value; }
  $("rec-leg-facts").textContent = leg ? leg.vehicles.map(v => [v.vehicle, v.type, v.plate].filter(Boolean)
    .join(" · ")).join("; ") : "";
  buildInspection(leg);
}

function buildInspection(leg) {
  const lines = $("rec-lines");
  const seals = $("rec-seals");
  lines.replaceChildren();
  seals.querySelectorAll("fieldset.seal").forEach(node => node.remove());
  // seals applied: one field per vehicle of the leg (SealApplied.vehicle), the leg's own only without vehicles
  $("rec-applied-vehicles").replaceChildren(...(leg ? leg.vehicles : []).map(vehicle => {
    const row = $("rec-applied-template").content.firstElementChild.cloneNode(true);
    const id = `rec-applied-${vehicle.vehicle}`;
    row.dataset.vehicle = vehicle.vehicle;
    row.querySelector(".plate").textContent = [vehicle.vehicle, vehicle.plate].filter(Boolean).join(" · ");
    row.querySelector(".applied-label").setAttribute("for", id);
    const input = row.querySelector("input.applied-box");
    input.id = id;
    input.name = `applied-${vehicle.vehicle}`;
    return row;
  }));
  $("rec-applied-leg").hidden = Boolean(leg && leg.vehicles.length);
  if (!leg) { seals.hidden = true; return; }
  for (const line of linesOf(leg)) {
    const row = $("rec-line-template").content.firstElementChild.cloneNode(true);
    const id = `rec-found-${line.line}`;
    row.dataset.line = line.line;
    row.dataset.carried = String(line.quantity);
    row.querySelector(".item").textContent = line.item;
    row.querySelector(".vehicle").textContent = line.vehicle || "";
    row.querySelector(".qty").textContent = `${line.quantity} ${line.unit}`;
    row.querySelector(".unit").textContent = line.unit;
    row.querySelector(".found-label").setAttribute("for", id);
    const input = row.querySelector("input.found");
    input.id = id;
    input.name = `found-${line.line}`;
    row.querySelector(".offload-box").value = line.line;
    lines.append(row);
  }
  for (const seal of leg.seals || []) {
    const box = $("rec-seal-template").content.firstElementChild.cloneNode(true);
    box.dataset.seal = seal;
    box.querySelector(".plate").textContent = seal;
    box.querySelectorAll("input[type=radio]").forEach(input => { input.name = `seal-${seal}`; });
    seals.append(box);
  }
  seals.hidden = !(leg.seals || []).length;
}

function actionChanged() {
  $("rec-inspection").hidden = form.elements.action.value !== "inspect";
}

/** What the officer found, as the log writes a quantity: a whole number, else the shortest decimal string. */
function quantity(text) {
  const typed = text.replace(/\s/g, "");
  if (WHOLE.test(typed)) { return Number(typed); }
  if (!DECIMAL.test(typed)) { return null; }
  const [whole, fraction = ""] = typed.replace(",", ".").split(".");
  const kept = fraction.replace(/0+$/, "");
  return kept ? `${BigInt(whole)}.${kept}` : Number(whole);
}

/** The statement's kind, party, plan and payload from the form, or the list of what is missing. */
function readForm() {
  const problems = [];
  const leg = chosenLeg();
  const action = form.elements.action.value;
  const checkpoint = $("rec-checkpoint").value;
  const party = $("rec-party").value;
  if (!leg) { problems.push(word("none")); }
  if (!checkpoint && leg) { problems.push(word("choose-checkpoint")); }
  if (!party) { problems.push(word(((data && data.passkeys) || []).length ? "choose-party" : "no-passkey")); }
  if (!KINDS[action]) { problems.push(word("choose-action")); }
  if (problems.length || !leg) { return {problems}; }
  let payload = {leg: leg.leg, checkpoint};
  if (action === "inspect") { payload = inspection(leg, checkpoint, problems); }
  return {problems, kind: KINDS[action], party, plan: leg.plan, payload, leg, action, checkpoint};
}

function inspection(leg, checkpoint, problems) {
  const findings = [];
  let uncounted = false, malformed = false, unmarkedExcess = false;
  for (const row of $("rec-lines").querySelectorAll(".line")) {
    const text = row.querySelector("input.found").value.trim();
    if (!text) { uncounted = true; continue; }
    const found = quantity(text);
    if (found === null) { malformed = true; continue; }
    const codes = [...row.querySelectorAll(".code-box:checked")].map(box => box.value);
    // more than the leg carries is said with "excess", or the rules refuse the signed inspection
    if (Number(found) > Number(row.dataset.carried) && !codes.includes("excess")) { unmarkedExcess = true; }
    findings.push({line: row.dataset.line, found, codes});
  }
  if (uncounted) { problems.push(word("count")); }
  if (malformed) { problems.push(word("whole")); }
  if (unmarkedExcess) { problems.push(word("excess")); }
  const seals = [];
  let unanswered = false;
  for (const box of $("rec-seals").querySelectorAll("fieldset.seal")) {
    const answer = box.querySelector("input:checked");
    if (!answer) { unanswered = true; } else if (answer.value !== "unchecked") {
      seals.push({seal: box.dataset.seal, intact: answer.value === "intact"});
    }
  }
  if (unanswered) { problems.push(word("seals")); }
  const decision = form.elements.decision.value;
  if (!DECISIONS.includes(decision)) { problems.push(word("decision")); }
  const offload = [...$("rec-lines").querySelectorAll(".offload-box:checked")].map(box => box.value);
  if (DECISIONS.includes(decision) && (decision === "cleared_with_offload") !== (offload.length > 0)) {
    problems.push(word("offload"));
  }
  const text = $("rec-text").value.trim();
  if ((decision === "held" || decision === "turned_back") && !text) { problems.push(word("remarks")); }
  const undeclared = undeclaredGoods(problems);
  const applied = appliedSeals(leg, problems);
  // the engine's payload, its optional parts left out when empty (as the contract with the server says)
  const optional = {undeclared, seals, offload, text, applied};
  return {leg: leg.leg, checkpoint, findings, decision,
          ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value.length))};
}

/** Goods found that no line declares (the engine's UndeclaredItem): item, whole quantity and unit, each row
 *  all or nothing, as on the tablet screen. */
function undeclaredGoods(problems) {
  const goods = [];
  let incomplete = false;
  for (const row of $("rec-undeclared").querySelectorAll(".undeclared-row")) {
    const [item, count, unit] = ["item", "quantity", "unit"].map(part =>
      row.querySelector(`.undeclared-${part}`).value.trim());
    if (!item && !count && !unit) { continue; }
    if (!item || !WHOLE.test(count) || !unit) { incomplete = true; continue; }
    goods.push({item, quantity: Number(count), unit});
  }
  if (incomplete) {
    problems.push(word("undeclared"));
    $("rec-undeclared").open = true;
  }
  return goods;
}

const sealNumbers = text => [...new Set((text || "").split(SEAL_SEPARATORS).filter(Boolean))];

/** Seals put on after the inspection (the engine's SealApplied): the leg's own field, then each vehicle's.
 *  A number the leg already carries, or given twice, the engine refuses: said here, before signing. */
function appliedSeals(leg, problems) {
  const applied = $("rec-applied-leg").hidden ? [] : sealNumbers($("rec-applied").value).map(seal => ({seal}));
  for (const row of $("rec-applied-vehicles").querySelectorAll(".applied-vehicle")) {
    applied.push(...sealNumbers(row.querySelector("input.applied-box").value)
      .map(seal => ({seal, vehicle: row.dataset.vehicle})));
  }
  const numbers = applied.map(a => a.seal);
  if (numbers.some(seal => seal.length > 64)) { problems.push(word("seal-long")); }
  const twice = [...new Set(numbers.filter((seal, n) => numbers.indexOf(seal) !== n
    || (leg.seals || []).includes(seal)))];
  if (twice.length) { problems.push(fill(word("seal-twice"), {seals: twice.join(", ")})); }
  return applied;
}

function describe(read) {
  const parties = new Map(((data && data.parties) || []).map(p => [p.id, p.name]));
  const checkpoints = new Map(((data && data.checkpoints) || []).map(c => [c.id, c.name]));
  const values = {party: parties.get(read.party) || read.party, plan: read.plan, leg: read.leg.leg,
                  vehicle: read.leg.vehicles.map(v => v.plate || v.vehicle).join(", "),
                  checkpoint: checkpoints.get(read.checkpoint) || read.checkpoint};
  if (read.action === "inspect") {
    const units = new Map(linesOf(read.leg).map(line => [line.line, [line.item, line.unit]]));
    values.decision = word(`decision-${read.payload.decision}`);
    values.found = read.payload.findings.map(f => `${units.get(f.line)[0]} ${f.found} ${units.get(f.line)[1]}` +
      (f.codes.length ? ` (${f.codes.map(code => word(`code-${code}`)).join(", ")})` : "")).join(", ");
  }
  const said = [fill(word(`desc-${read.action}`), values)];
  const {undeclared = [], applied = []} = read.action === "inspect" ? read.payload : {};
  if (undeclared.length) {
    said.push(fill(word("desc-undeclared"), {items: undeclared.map(u => `${u.item} ${u.quantity} ${u.unit}`)
      .join(", ")}));
  }
  if (applied.length) {
    const plates = new Map(read.leg.vehicles.map(v => [v.vehicle, v.plate || v.vehicle]));
    said.push(fill(word("desc-applied"), {seals: applied.map(a => a.vehicle ? `${a.seal} (${plates.get(a.vehicle)})`
      : a.seal).join(", ")}));
  }
  return said.join(" ");
}

function showProblems(problems) {
  const box = $("rec-problems");
  $("rec-problem-list").replaceChildren(...problems.map(text => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  box.hidden = !problems.length;
  if (problems.length) { box.focus(); }
}

form.addEventListener("submit", event => {
  event.preventDefault();
  const read = readForm();
  const passkey = read.party && ((data && data.passkeys) || []).find(p => p.party === read.party);
  if (read.party && !passkey) { read.problems.push(word("no-passkey")); }
  showProblems(read.problems);
  if (read.problems.length) { return; }
  const statement = buildStatement({kind: read.kind, party: read.party, plan: read.plan, payload: read.payload,
                                    key: passkey.key});
  pending = {statement, passkey, description: describe(read)};
  $("rec-summary").textContent = pending.description;
  $("rec-statement").textContent = canonical(statement);
  $("rec-sign-status").textContent = "";
  $("rec-sign").disabled = false;
  $("rec-confirm").showModal();
  $("rec-sign").focus();
});

$("rec-cancel").addEventListener("click", () => {
  pending = null;
  $("rec-confirm").close();
});

$("rec-sign").addEventListener("click", async () => {
  if (!pending) { return; }
  const {statement, passkey, description} = pending;
  $("rec-sign").disabled = true;
  let assertion;
  try {
    assertion = await sign(statement, {credential: passkey.credential, rpId: data.rpId});
  } catch (failure) {  // nothing signed, nothing kept: the same statement may be signed again
    $("rec-sign-status").textContent = failure.name === "NotAllowedError" ? word("not-signed") : String(failure);
    $("rec-sign").disabled = false;
    return;
  }
  try {
    await keep(data.user, statement, assertion, description);
  } catch (failure) {  // signed but not kept (storage full or blocked): said, never silent
    $("rec-sign-status").textContent = `${word("not-kept")} (${failure.name || failure})`;
    return;
  }
  pending = null;
  $("rec-confirm").close();
  resetForm();
  $("rec-queue-status").textContent = word("kept");
  send();
});

function resetForm() {
  const leg = $("rec-leg").value, checkpoint = $("rec-checkpoint").value, party = $("rec-party").value;
  form.reset();
  $("rec-leg").value = leg;
  legChanged();
  $("rec-checkpoint").value = checkpoint;
  $("rec-party").value = party;
  actionChanged();
}

$("rec-fill").addEventListener("click", () => {
  for (const row of $("rec-lines").querySelectorAll(".line")) {
    const input = row.querySelector("input.found");
    if (!input.value.trim()) { input.value = row.dataset.carried; }
  }
});

function zoneOf(checkpoint) {
  const known = ((data && data.checkpoints) || []).find(c => c.id === checkpoint);
  return known && known.tz;
}

/** A log time ("…Z") as a <time> in the checkpoint's zone (the device's when it names none). */
function moment(iso, zone, className) {
  const node = document.createElement("time");
  node.dateTime = iso;
  node.className = className;
  const options = {dateStyle: "medium", timeStyle: "short"};
  try {
    node.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      zone ? {...options, timeZone: zone} : options).format(new Date(iso)) + (zone ? ` (${zone})` : "");
  } catch (error) {
    node.textContent = iso;
  }
  return node;
}

async function render() {
  if (!data) { return; }
  const list = await items(data.user);
  $("rec-queue").replaceChildren(...list.map(item => {
    const node = document.createElement("li");
    node.dataset.state = item.state;
    node.dataset.id = item.id;
    node.className = `rec-item rec-${item.state}`;
    const head = document.createElement("p");
    const state = document.createElement("strong");
    state.className = "rec-state";
    state.textContent = word(`state-${item.state}`);
    head.append(state, " — ", item.description);
    const times = document.createElement("p");
    times.className = "muted rec-times";
    const answer = item.answer || {};
    const zone = zoneOf(item.statement.payload.checkpoint);
    times.append(`${word("signed")} `, moment(item.signed, zone, "rec-signed"));
    if (answer.received) { times.append(` · ${word("received")} `, moment(answer.received, zone, "rec-received")); }
    node.append(head, times);
    const message = answer.message || item.note;
    if (message) {
      const said = document.createElement("p");
      said.className = "rec-message";
      said.textContent = answer.code ? `${message} (${answer.code})` : message;
      node.append(said);
    }
    return node;
  }));
  const waiting = list.filter(item => item.state === "queued" || item.state === "sent").length;
  $("rec-queue-status").textContent = waiting ? fill(word("waiting"), {count: waiting}) : list.length ? word("all-sent") : "";
}

// Sent when the browser says it is online again, when the app starts, on "Send now"; and, while online with
// items still waiting (the service answered with an error, or the connection dropped mid-way), again after a
// pause that doubles up to five minutes.
let retry = null, pause = 30000;
function send() {
  if (!data) { return Promise.resolve(0); }
  clearTimeout(retry);
  retry = null;
  return sendAll(data.user, {offline: word("note-offline"), retry: word("note-retry"), signin: word("note-signin")})
    .then(waiting => {  // (two calls during one pass share it: the first to get here sets the next try)
      if (!waiting) { pause = 30000; } else if (navigator.onLine && retry === null) {
        retry = setTimeout(send, pause);
        pause = Math.min(pause * 2, 300000);
      }
      return render();
    });
}

$("rec-leg").addEventListener("change", legChanged);
form.addEventListener("change", event => { if (event.target.name === "action") { actionChanged(); } });
$("rec-send").addEventListener("click", send);
window.addEventListener("online", send);
document.addEventListener("checkpoint-app:queue", render);
document.addEventListener("checkpoint-app:data", event => setData(event.detail));
document.addEventListener("checkpoint-app:permit", event => {
  const permit = event.detail || {};
  if (permit.verdict !== "valid" || !data) { return; }
  const leg = legs().find(l => l.plan === permit.plan && l.leg === permit.leg)
    || legs().find(l => l.vehicles.some(v => v.permit === permit.permit));
  if (!leg) { return; }
  $("rec-leg").value = `${leg.plan}\n${leg.leg}`;
  legChanged();
  root.scrollIntoView({block: "start"});
});

// The data this device keeps (the service worker answers from its cache when offline).
const dataUrl = (document.getElementById("cp-app") || {dataset: {}}).dataset.dataUrl || "/checkpoint-app/data.json";
fetch(dataUrl, {credentials: "same-origin"}).then(r => r.ok ? r.json() : null).then(setData).catch(() => {});
actionChanged();
