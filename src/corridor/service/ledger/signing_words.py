"""How an entry was signed, in words: one of the four signing kinds (`ledger.keys.signing_kind`) and, for a
passkey, the member who signed. English here (gettext_noop); each reader translates with its own `gettext`:
the pages, the emails, and the briefings (corridor/briefing/words.py, which an outside auditor runs too, so
this module imports nothing but Django's translation markers)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

HOW = {"party": gettext_noop("party's own key"), "custodial": gettext_noop("server (custodial)"),
       "registrar": gettext_noop("registrar")}
PASSKEY_OF = gettext_noop("passkey of %(member)s")


def how_signed(kind: str, member: str | None, translate: Callable[[str], str] = str) -> str:
    """"passkey of border/m3", "party's own key", "server (custodial)", "registrar" ("—" before a rebuild
    filled the column in)."""
    if kind == "passkey":
        return translate(PASSKEY_OF) % {"member": member or "?"}
    return translate(HOW[kind]) if kind in HOW else "—"
