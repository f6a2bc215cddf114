// Behaviour every page shares, kept in a file: the Content-Security-Policy forbids inline scripts and
// inline event handlers (no onchange="…" in the templates).
(function () {
  "use strict";
  // A <select data-autosubmit> submits its form when its value changes (the language switch). On a page with a
  // form in progress (form[data-keep-on-language], naming the action its view takes for it), the language goes
  // with that form instead: the page comes back in the new language with everything typed, and any file chosen,
  // still in the form; nothing is stored in the browser (web/language_switch.py).
  document.querySelectorAll("select[data-autosubmit]").forEach(select => {
    select.addEventListener("change", () => {
      const keep = select.name === "language" && document.querySelector("form[data-keep-on-language]");
      if (!keep) { select.form.submit(); return; }
      for (const [name, value] of [["language", select.value], ["action", keep.dataset.keepOnLanguage]]) {
        const input = document.createElement("input");
        Object.assign(input, {type: "hidden", name, value});
        keep.append(input);
      }
      keep.submit();  // no submit event: no validation of a form half filled, no passkey signing
    });
  });
})();

// Signing out forgets what the offline checkpoint app kept on this device for the user (its data.json and its
// page, signed in as them; static/checkpoint-app/sw.js), so whoever picks the device up next sees none of it,
// online or offline. The queue of statements signed offline stays: nothing signed is ever lost silently.
(function () {
  "use strict";
  async function forget(app) {
    for (const name of await caches.keys()) {
      if (name === "corridor-checkpoint-data") { await caches.delete(name); }
      else if (name.startsWith("corridor-checkpoint-shell-")) {
        await (await caches.open(name)).delete(app, {ignoreSearch: true});
      }
    }
  }
  document.querySelectorAll("form[data-forget-app]").forEach(form => {
    form.addEventListener("submit", event => {
      if (!("caches" in window) || form.dataset.forgotten) { return; }
      event.preventDefault();
      form.dataset.forgotten = "1";
      forget(form.dataset.forgetApp).catch(() => {}).finally(() => form.submit());  // submit() fires no event
    });
  });
})();

// Passkeys (WebAuthn, the browser's own navigator.credentials): registering one from the account page, and
// signing on this device. A form marked data-sign is first sent with "X-Corridor-Sign: prepare": the server
// answers with the exact statement and its description, shown before the passkey signs its digest; or with
// {"custodial": true}, and the form is then submitted as it always was (the server signs for the party).
(function () {
  "use strict";
  const KNOWN = "corridor.passkeys";  // credential ids registered from this browser: which passkey is here
  const known = () => { try { return JSON.parse(localStorage.getItem(KNOWN) || "[]"); } catch (e) { return []; } };
  const fromB64url = text => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")
    + "=".repeat((4 - text.length % 4) % 4)), c => c.charCodeAt(0));
  const toB64url = buffer => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const csrf = form => form.querySelector("input[name=csrfmiddlewaretoken]").value;

  async function post(url, body, headers) {
    const response = await fetch(url, {method: "POST", body, headers, credentials: "same-origin"});
    const answer = await response.json().catch(() => ({code: "http." + response.status, message: response.statusText}));
    // the message is already in the reader's language (web/refusals.py); the code stays on the error for tests
    if (!response.ok) { throw Object.assign(new Error(answer.message || answer.code), {code: answer.code}); }
    return answer;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  // Registration: the server's options, the device creates the key pair, the public half goes back.
  document.querySelectorAll("form[data-register-passkey]").forEach(form => form.addEventListener("submit", async event => {
    event.preventDefault();
    const error = document.querySelector(".passkey-error");
    try {
      const options = await post(form.action, new FormData(form), {"X-CSRFToken": csrf(form)});
      options.challenge = fromB64url(options.challenge);
      options.user.id = fromB64url(options.user.id);
      (options.excludeCredentials || []).forEach(c => { c.id = fromB64url(c.id); });
      const created = await navigator.credentials.create({publicKey: options});
      const credential = {
        id: created.id, rawId: toB64url(created.rawId), type: created.type,
        response: {clientDataJSON: toB64url(created.response.clientDataJSON),
                   attestationObject: toB64url(created.response.attestationObject),
                   transports: created.response.getTransports ? created.response.getTransports() : []},
        clientExtensionResults: created.getClientExtensionResults(),
      };
      const done = await post(form.dataset.done, JSON.stringify({credential, device: form.elements.device.value}),
                              {"Content-Type": "application/json", "X-CSRFToken": csrf(form)});
      localStorage.setItem(KNOWN, JSON.stringify([...known(), done.credential]));
      location.reload();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  }));

  // Signing: delegated, so forms htmx swaps in (the go board) are covered too.
  document.addEventListener("submit", async event => {
    const form = event.target.closest("form[data-sign]");
    if (!form || form.dataset.custodial) { return; }
    const only = form.dataset.sign;
    if (only && (!event.submitter || event.submitter.value !== only)) { return; }
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    let answer;
    try {
      answer = await post(form.getAttribute("action") || location.href, data, {
        "X-CSRFToken": csrf(form), "X-Corridor-Sign": "prepare", "X-Corridor-Credentials": known().join(","),
      });
    } catch (failure) {
      showRefusal(failure.message);
      return;
    }
    if (answer.custodial) {
      form.dataset.custodial = "1";
      form.requestSubmit(event.submitter || undefined);
      return;
    }
    openSignDialog(form, answer);
  });

  function showRefusal(text) {
    const dialog = element("dialog", undefined, "sign-dialog");
    const close = element("button", document.body.dataset.labelClose || "OK");
    dialog.append(element("p", text, "error"), close);
    close.addEventListener("click", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  function openSignDialog(form, answer) {
    const labels = answer.labels;
    const dialog = element("dialog", undefined, "sign-dialog");
    dialog.setAttribute("aria-labelledby", "sign-title");
    const title = element("h2", labels.title);
    title.id = "sign-title";
    const details = element("details");
    details.append(element("summary", labels.show), element("pre", answer.statement, "statement"));
    const status = element("p", "", "sign-status");
    status.setAttribute("role", "alert");
    const sign = element("button", labels.sign, "primary");
    const cancel = element("button", labels.cancel);
    sign.type = cancel.type = "button";
    const buttons = element("div", undefined, "actions");
    buttons.append(sign, cancel);
    dialog.append(title, element("p", answer.summary, "sign-summary"), details, status, buttons);
    cancel.addEventListener("click", () => dialog.remove());
    sign.addEventListener("click", async () => {
      sign.disabled = true;
      status.textContent = labels.signing;
      // The passkey signs the challenge, so check here that it is the digest of the statement shown
      // (SHA-256 of the log's domain prefix and the canonical statement): what is signed is what was read.
      const shown = new TextEncoder().encode("corridor/statement/v1\n" + answer.statement);
      if (toB64url(await crypto.subtle.digest("SHA-256", shown)) !== answer.challenge) {
        status.textContent = labels.mismatch;
        status.className = "sign-status error";
        return;
      }
      let assertion;
      try {
        assertion = await navigator.credentials.get({publicKey: {
          challenge: fromB64url(answer.challenge), rpId: answer.rpId, userVerification: "required", timeout: 120000,
          allowCredentials: answer.credentials.map(id => ({type: "public-key", id: fromB64url(id)})),
        }});
      } catch (failure) {  // nothing was signed or sent: the same statement may be signed again
        status.textContent = failure.name === "NotAllowedError" ? labels.not_allowed : failure.message;
        status.className = "sign-status error";
        sign.disabled = false;
        return;
      }
      try {
        const response = assertion.response;
        const done = await post(answer.complete, JSON.stringify({
          authenticatorData: toB64url(response.authenticatorData), clientDataJSON: toB64url(response.clientDataJSON),
          signature: toB64url(response.signature),
        }), {"Content-Type": "application/json", "X-CSRFToken": csrf(form)});
        location.assign(done.redirect);
      } catch (failure) {
        status.textContent = failure.message;  // the statement was not recorded; acting again prepares a new one
        status.className = "sign-status error";
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  }
})();

// The delivery receipt (plan page): Enter in a count moves to the next count instead of submitting the form, whose
// first button is a vehicle's "All received as declared" (it would fill the counts not yet typed).
(function () {
  "use strict";
  document.addEventListener("keydown", event => {
    if (event.key !== "Enter" || !event.target.matches("form.receipt input[inputmode]")) { return; }
    event.preventDefault();
    const counts = [...event.target.form.querySelectorAll("input[inputmode]")];
    const next = counts[counts.indexOf(event.target) + 1];
    if (next) { next.focus(); next.select(); } else { event.target.blur(); }
  });
})();
