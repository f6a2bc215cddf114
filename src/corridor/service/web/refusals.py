"""A refusal as the person who met it reads it: a sentence in their language saying what went wrong and,
where it helps, what to do. The code stays the contract (the API answers it, the log's readers key on it);
the pages show `explain(error)` instead of "[code] message". An English page adds the refusal's own
message, which names the very line or time at fault; other languages get the sentence alone (the engine's
messages are English, and half a sentence in English is no translation). A code this module does not know
yet reads as a general refusal, never as a raw code."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..ledger.record import Refused

ENGINE = {
    "statement.malformed": _("The statement is missing a field or has a field of the wrong kind."),
    "statement.unknown_type": _("This kind of statement is not one the rules know."),
    "value.float": _("Give numbers without a fraction or exponent (or as text, such as 2.5)."),
    "time.invalid": _("A date or time is not valid: give it as YYYY-MM-DD HH:MM."),
    "time.backwards": _("This is dated earlier than the log allows."),
    "seq.duplicate": _("Your party already made a statement with this sequence number: act again."),
    "seq.gap": _("An earlier statement of your party is missing from the log: act again."),
    "party.unknown": _("No such party is registered."),
    "party.observer": _("Observers see everything and act on nothing."),
    "party.not_required": _("Your party is not asked to take part in this plan."),
    "party.wrong_capacity": _("Your party takes part in this plan, but not in the role this action needs."),
    "party.role": _("Your kind of party cannot take this action."),
    "party.kind_change": _("A registered party keeps its kind: register a new party instead."),
    "party.not_requester": _("Only the organisation that requested the passage can do this."),
    "plan.unknown": _("There is no such plan."),
    "plan.exists": _("A plan with this id already exists: choose another id."),
    "plan.invalid": _("The plan is inconsistent (no legs, the same id twice, or a tolerance out of range)."),
    "plan.expired": _("The plan has expired."),
    "plan.closed": _("The plan is closed (completed, cancelled, expired or aborted): nothing more can happen to it."),
    "route.unknown": _("There is no such route."),
    "route.invalid": _("The route is inconsistent (no checkpoint, a checkpoint twice, or an unknown party)."),
    "route.in_use": _("A passage on this route is not over: define a new route instead."),
    "attestation.exists": _("This passage was already attested."),
    "attestation.invalid": _("An attested passage must list its goods."),
    "leg.unknown": _("Choose a leg of this plan."),
    "line.unknown": _("The leg has no such manifest line."),
    "checkpoint.unknown": _("The route has no such checkpoint."),
    "quantity.invalid": _("Give quantities and weights as numbers of at least zero, in the unit stated."),
    "version.stale": _("The plan was amended since you opened this page: read the new version and act again."),
    "state.wrong": _("This is not possible at the plan's or the leg's present stage."),
    "barrier.not_ready": _("Linked legs go together: every leg must be cleared at its gate first."),
    "consent.already_given": _("Your party already consents to this version of the plan."),
    "consent.not_given": _("Your party has given no consent to withdraw."),
    "reason.unknown": _("Choose a reason from the list."),
    "request.unknown": _("There is no open question with this id."),
    "slot.unknown": _("There is no such proposed slot."),
    "slot.invalid": _("The slot's end must come after its start."),
    "crew.not_committed": _("Crew are recorded privately: their names never go on the public log."),
    "crew.vehicle_unknown": _("Seat each crew member in one of this leg's vehicles."),
    "plate.not_committed": _("Plates are recorded privately: they never go on the public log in clear."),
    "window.not_committed": _("The slot's window is recorded privately: it never goes on the public log in clear."),
    "reveal.early": _("Windows and plates can be revealed only once the plan is closed."),
    "reveal.mismatch": _("The revealed value does not match what the log committed to."),
    "reveal.done": _("This was already revealed."),
    "reveal.empty": _("Choose a window or a plate to reveal."),
    "slot.already_answered": _("Your party already answered this slot proposal."),
    "inspection.invalid": _("The inspection record is inconsistent: check the quantities found, the codes and "
                            "the lines offloaded."),
    "delivery.mismatch": _("The receipt must account for exactly what the vehicle carried."),
    "incident.unknown": _("There is no such incident."),
    "incident.exists": _("An incident with this id already exists: choose another id."),
    "incident.category": _("Choose a category from the list."),
    "incident.own_claim": _("A party cannot dispute its own claim."),
    "place.invalid": _("Give the place's latitude and longitude together (or neither), as a point on Earth."),
    "note.invalid": _("A document is identified by its SHA-256 fingerprint (64 hexadecimal digits)."),
    "permit.not_cleared": _("A permit is issued only for a leg cleared for passage, its slot confirmed."),
    "permit.stale_version": _("The permit names an earlier version of the plan."),
    "permit.exists": _("A permit with this id was already issued for this plan."),
    "permit.duplicate": _("This vehicle already holds a valid permit; it must be revoked first."),
    "permit.unknown": _("This plan has no such permit."),
    "permit.revoked": _("This permit is already revoked."),
    "vehicle.unknown_on_leg": _("This leg has no such vehicle."),
    "offline.kind": _("Only arrivals and inspections can be recorded offline."),
    "offline.duplicate": _("This statement signed offline is already on the log."),
    "offline.future": _("This was signed at a time later than the log's clock: check the device's date and time, "
                        "then record it again."),
    "offline.mismatch": _("The statement names another plan than the one it is recorded for."),
}

SERVICE = {
    "action.unknown": _("There is no such action."),
    "auth.ambiguous": _("Sign in one way only."),
    "auth.forbidden": _("You may not do this for this party."),
    "auth.invalid": _("Your sign-in is not valid any more: sign in again."),
    "auth.required": _("Sign in first."),
    "briefing.preparing": _("The briefing is being prepared from the log: ask again in a minute."),
    "crew.invalid": _("Give each crew member's name and document."),
    "csrf.failed": _("Your session has ended or the page is too old: sign in again; nothing was recorded."),
    "deadline.closed": _("The plan is closed: nobody is awaited any more, so it takes no response deadline."),
    "deadline.invalid": _("Choose a response deadline from the list."),
    "document.damaged": _("The file is cut short or damaged: save or scan it again and upload it again."),
    "document.empty": _("The file is empty."),
    "document.kind": _("Choose what the document is from the list."),
    "document.missing": _("Choose the file to upload (PDF, PNG or JPEG)."),
    "document.not_found": _("There is no such document among those of your party's plans."),
    "document.title": _("The title is too long: at most 200 characters."),
    "document.too_large": _("The file is too large."),
    "document.type": _("Upload the document as a PDF, PNG or JPEG file."),
    "custody.needs_passkey": _("End custodial signing with your own passkey (bind one first)."),
    "entry.malformed": _("The signed statement could not be read."),
    "entry.not_canonical": _("The signed statement is not written in its canonical form."),
    "entry.too_large": _("This is too large for one log entry: split it (fewer lines or a shorter text)."),
    "export.busy": _("The export is being prepared: ask again in a minute."),
    "query.invalid": _("A value in the address is not valid: check the page, its size, the cursor and the filters."),
    "query.too_deep": _("A page number may skip at most 10,000 rows: read on from the last page's cursor."),
    "export.size_unpublished": _("The log published no checkpoint at that size."),
    "export.unknown": _("There is no such export."),
    "export.unpublished": _("The log has no published checkpoint yet."),
    "import.columns": _("A column the file needs is missing."),
    "import.empty": _("The file is empty."),
    "import.encoding": _("The file's text could not be read: save it as UTF-8."),
    "import.type": _("This kind of file cannot be read here."),
    "import.unreadable": _("The file could not be read."),
    "incident.not_found": _("There is no such incident."),
    "inspection.incomplete": _("The inspection form leaves something unanswered: see the fields marked."),
    "receipt.incomplete": _("The delivery receipt leaves a count empty: see the lines marked. Nothing was recorded."),
    "json.malformed": _("The request could not be read."),
    "key.duplicate": _("This key is already registered."),
    "key.mismatch": _("The key does not match the one registered."),
    "key.not_custodial": _("The server holds no key of this party any more: sign with a passkey."),
    "key.party": _("This key belongs to another party."),
    "key.revoked": _("This key was revoked: it signs nothing any more."),
    "key.unauthorised": _("This key may not sign for this party."),
    "key.unknown": _("There is no such key or passkey in this party."),
    "key.use_passkey": _("You have a passkey bound to this party: sign with it."),
    "manifest.cell_too_long": _("A cell of the manifest is too long."),
    "manifest.columns": _("The manifest lacks a column it needs (Item, Quantity, Unit, Weight (kg), Category)."),
    "manifest.empty": _("The manifest is empty."),
    "manifest.encoding": _("The manifest's text could not be read: save it as UTF-8."),
    "manifest.rows": _("Some rows of the manifest have problems: see each row."),
    "manifest.too_large": _("The manifest file is too large."),
    "manifest.too_long": _("The manifest has too many rows."),
    "manifest.type": _("Upload the manifest as CSV or XLSX."),
    "manifest.unreadable": _("The manifest could not be read."),
    "method.not_allowed": _("This action cannot be taken this way."),
    "offline.conflict": _("Another statement was already recorded under this offline id: nothing was recorded."),
    "offline.malformed": _("What the device sent could not be read: nothing was recorded."),
    "offline.passkey": _("The passkey that signed this is not yours, or is not bound to this party."),
    "party.exists": _("A party with this id already exists."),
    "party.not_found": _("There is no such party among yours."),
    "party.not_member": _("You do not act for this party."),
    "passkey.algorithm": _("This passkey uses a signature algorithm that is not accepted."),
    "passkey.challenge": _("The signing request did not match: act again."),
    "passkey.client_data": _("The passkey's answer could not be read: act again."),
    "passkey.counter": _("This passkey's counter went backwards: it may have been copied. Tell your administrator."),
    "passkey.device": _("This passkey is not the one bound to you."),
    "passkey.flags": _("The passkey did not check that it was you (fingerprint, face or PIN)."),
    "passkey.origin": _("The passkey was used on another address than this service's."),
    "passkey.registration": _("Registering the passkey took too long or was not started: try again."),
    "path.unknown": _("There is no such page."),
    "plan.id_missing": _("Give the plan an id."),
    "plan.not_found": _("There is no such plan among those your party takes part in."),
    "request.malformed": _("The request could not be read."),
    "server.error": _("The service failed; the failure is logged. Try again."),
    "opening.invalid": _("Give the plates (leg, vehicle, plate, salt) and the window (start, end, salt) "
                         "exactly as you committed them."),
    "opening.mismatch": _("A plate or window with its salt does not match what the log committed to: "
                          "nothing was kept."),
    "sign.expired": _("This signing request is more than 5 minutes old: act again."),
    "sign.malformed": _("The signature could not be read: act again."),
    "sign.unknown": _("This signing request was already used or never existed: act again."),
    "signature.invalid": _("The signature does not verify."),
    "time.future": _("This is dated in the future."),
    "upload.too_large": _("The file is too large."),
    "value.nul": _("Text may not contain a NUL character."),
    "value.too_large": _("A number is too large."),
}

# statements signed offline that the log recorded, but the rules gave no effect (engine/rules/offline.py, LATE)
LATE = {
    "late.too_old": _("Recorded on the log, but with no effect: it was signed more than 72 hours before it reached "
                      "the log."),
    "late.plan_closed": _("Recorded on the log, but with no effect: the plan was closed (completed, cancelled, "
                          "expired or aborted) before it reached the log."),
    "late.state_changed": _("Recorded on the log, but with no effect: the leg or the plan had moved on before it "
                            "reached the log (for example, the vehicle was already released)."),
    "late.refused": _("Recorded on the log, but with no effect: the rules refuse it as the log stood when it "
                      "arrived."),
}
MESSAGES = ENGINE | SERVICE | LATE
GENERAL = _("This was refused and nothing was recorded.")


def explain(error: Refused) -> str:
    """What the person reads: the sentence for the code in their language (plus, in English, the refusal's
    own more precise message)."""
    sentence = str(MESSAGES.get(error.code, GENERAL))
    if (get_language() or "en").startswith("en") and error.message and error.message != sentence:
        return f"{sentence} ({error.message})"
    return sentence


def show(request, error: Refused) -> None:
    """`refusals.show(request, error)` in a view's `except Refused`: the sentence as the page's error message
    (in place of `messages.error(request, f"[{error.code}] {error.message}")`)."""
    from django.contrib import messages

    messages.error(request, explain(error))
