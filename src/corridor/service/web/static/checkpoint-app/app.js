// The offline checkpoint app (templates/checkpoint_app/app.html): registers the service worker, loads the
// data kept for offline use, and verifies permits scanned with the camera, taken from an image or typed.
// Words come from the page (a JSON data block in the user's language); text from permits reaches the page
// as text only (textContent), never as markup.
import {chooseCheckpoint, chosenCheckpoint, loadData} from "./store.js";
import {ed25519Available, verifyPermit} from "./permit.js";

const root = document.getElementById("cp-app");
const words = JSON.parse(document.getElementById("cp-strings").textContent);
const $ = id => document.getElementById(id);
const state = {data: null, scanning: null};

function say(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) { node.textContent = text; }
  if (className) { node.className = className; }
  return node;
}

function checkpointOf(id) {
  return ((state.data && state.data.checkpoints) || []).find(c => c.id === id);
}

// a time in the checkpoint's zone (the device's when the checkpoint names none), e.g. "30/11/2026, 14:00 (Asia/Baku)"
function when(seconds, zone) {
  const options = {dateStyle: "medium", timeStyle: "short"};
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, zone ? {...options, timeZone: zone} : options)
      .format(new Date(seconds * 1000)) + (zone ? ` (${zone})` : "");
  } catch (error) {
    return new Date(seconds * 1000).toISOString();
  }
}

function showStatus(loaded) {
  const refreshed = $("cp-refreshed"), network = $("cp-network");
  if (!loaded) {
    refreshed.textContent = words.never;
  } else {
    const fetched = loaded.fetched ? new Date(loaded.fetched).toLocaleString(document.documentElement.lang || undefined) : "—";
    refreshed.textContent = say(words.refreshed, {time: fetched, generated: loaded.data.generated});
  }
  const offline = !navigator.onLine || (loaded && loaded.cached);
  network.hidden = !offline;
  network.textContent = offline ? words.offline : "";
  $("cp-refresh").disabled = !navigator.onLine;
}

function fillCheckpoints() {
  const select = $("cp-checkpoint");
  const chosen = select.value || chosenCheckpoint();
  select.replaceChildren(element("option", "—"));
  select.firstChild.value = "";
  for (const checkpoint of (state.data && state.data.checkpoints) || []) {
    const option = element("option", checkpoint.name);
    option.value = checkpoint.id;
    select.append(option);
  }
  if (checkpointOf(chosen)) { select.value = chosen; } else if (select.options.length === 2) { select.selectedIndex = 1; }
}

function showLegs() {
  const list = $("cp-legs"), chosen = $("cp-checkpoint").value, checkpoint = checkpointOf(chosen);
  const legs = ((state.data && state.data.legs) || []).filter(leg => !chosen || leg.checkpoints.includes(chosen));
  list.replaceChildren();
  if (!legs.length) { list.append(element("li", words.no_legs, "muted")); return; }
  for (const leg of legs) {
    const item = element("li");
    item.append(element("strong", `${words.plan} ${leg.plan} · ${words.leg} ${leg.leg} — ${leg.route_name}`));
    item.append(element("span", ` ${when(leg.start, checkpoint && checkpoint.tz)} – ${when(leg.end, checkpoint && checkpoint.tz)}`));
    const vehicles = element("ul");
    for (const vehicle of leg.vehicles) {
      vehicles.append(element("li", `${vehicle.plate} · ${vehicle.type || vehicle.vehicle} · ${words.permit} ${vehicle.permit}`));
    }
    item.append(vehicles);
    list.append(item);
  }
}

async function refresh() {
  const loaded = await loadData(root.dataset.dataUrl);
  if (loaded) { state.data = loaded.data; }
  root.dataset.source = loaded ? (loaded.cached ? "device" : "network") : "none";
  root.dataset.loads = String(Number(root.dataset.loads || 0) + 1);  // how many times the data was read
  showStatus(loaded || (state.data ? {data: state.data, cached: true, fetched: null} : null));
  fillCheckpoints();
  showLegs();
  return loaded;
}

function fact(list, label, value) {
  if (value === undefined || value === null || value === "") { return; }
  list.append(element("dt", label), element("dd", String(value)));
}

function show(answer) {
  const result = $("cp-result"), facts = $("cp-facts");
  const valid = answer.code === "valid";
  result.hidden = false;
  result.dataset.code = answer.code;
  result.className = "cp-result " + (valid ? "cp-valid" : "cp-rejected");
  $("cp-verdict").textContent = valid ? words.valid : words.rejected;
  $("cp-reason").textContent = valid ? "" : (words[answer.code] || answer.code);
  $("cp-code").textContent = valid ? "" : answer.code;
  facts.replaceChildren();
  const permit = answer.permit;
  if (permit && (valid || answer.code !== "permit.unreadable")) {
    const checkpoint = checkpointOf($("cp-checkpoint").value);
    const zone = checkpoint && checkpoint.tz;
    const leg = ((state.data && state.data.legs) || []).find(l => l.plan === permit.plan && l.leg === permit.leg);
    fact(facts, words.plate, permit.plate);
    fact(facts, words.vehicle_type, permit.vehicle_type);
    fact(facts, words.plan, permit.plan);
    fact(facts, words.leg, permit.leg);
    fact(facts, words.route, leg ? leg.route_name : permit.route);
    fact(facts, words.window, `${when(permit.start, zone)} – ${when(permit.end, zone)}` +
      (permit.tolerance ? ` (${say(words.tolerance, {minutes: Math.round(permit.tolerance / 60)})})` : ""));
    fact(facts, words.permit, permit.id);
    if (valid && permit.lines.length) {  // what to compare with the truck: only for a permit to honour
      const goods = element("ul", undefined, "cp-goods");
      for (const line of permit.lines) { goods.append(element("li", `${line.item}: ${line.quantity} ${line.unit}`)); }
      const cell = element("dd");
      cell.append(goods);
      facts.append(element("dt", words.goods), cell);
    }
  }
  result.focus();
}

function notice(text) {
  const line = $("cp-notice");
  line.textContent = text;
  line.hidden = !text;
}

async function verify(text) {
  notice("");
  if (!$("cp-checkpoint").value) {  // never "valid" for no checkpoint in particular
    notice(words.choose_checkpoint);
    $("cp-checkpoint").focus();
    return;
  }
  if (!ed25519Available()) { show({code: "permit.unreadable"}); $("cp-reason").textContent = words.no_crypto; return; }
  const data = state.data || {trust: [], revoked: []};
  show(await verifyPermit(text, data, $("cp-checkpoint").value, Math.floor(Date.now() / 1000)));
}

function decodeCanvas(canvas) {
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
  return found ? found.data : null;
}

async function fromFile(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = $("cp-canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext("2d", {willReadFrequently: true}).drawImage(bitmap, 0, 0);
  return decodeCanvas(canvas);
}

function stopCamera() {
  if (state.scanning) { state.scanning.getTracks().forEach(track => track.stop()); notice(""); }
  state.scanning = null;
  $("cp-video").hidden = true;
  $("cp-stop").hidden = true;
  $("cp-scan").hidden = false;
}

async function startCamera() {
  const video = $("cp-video");
  try {
    state.scanning = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
  } catch (error) {
    notice(words.no_camera);
    return;
  }
  notice(words.scanning);
  video.srcObject = state.scanning;
  video.hidden = false;
  $("cp-stop").hidden = false;
  $("cp-scan").hidden = true;
  await video.play();
  const canvas = $("cp-canvas");
  const frame = () => {
    if (!state.scanning) { return; }
    if (video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d", {willReadFrequently: true}).drawImage(video, 0, 0);
      const text = decodeCanvas(canvas);
      if (text) { stopCamera(); $("cp-text").value = text; verify(text); return; }  // verify() clears the notice
    }
    window.requestAnimationFrame(frame);
  };
  window.requestAnimationFrame(frame);
}

$("cp-checkpoint").addEventListener("change", event => { chooseCheckpoint(event.target.value); showLegs(); });
$("cp-refresh").addEventListener("click", async () => {
  const loaded = await refresh();
  notice(loaded && !loaded.cached ? "" : words.refresh_failed);
  root.dataset.refreshed = root.dataset.loads;
});
$("cp-scan").addEventListener("click", () => startCamera());
$("cp-stop").addEventListener("click", () => stopCamera());
$("cp-file").addEventListener("change", async event => {
  const file = event.target.files && event.target.files[0];
  if (!file) { return; }
  let text = null;
  try { text = await fromFile(file); } catch (error) { text = null; }
  event.target.value = "";
  if (!text) { show({code: "permit.unreadable"}); $("cp-reason").textContent = words.no_code; return; }
  $("cp-text").value = text;
  await verify(text);
});
$("cp-text-form").addEventListener("submit", event => {
  event.preventDefault();
  verify($("cp-text").value);
});
window.addEventListener("online", () => refresh());
window.addEventListener("offline", () => showStatus(state.data ? {data: state.data, cached: true, fetched: null} : null));

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.swUrl, {scope: root.dataset.scope}).catch(() => {});
}
refresh().then(() => { root.dataset.ready = "1"; });
