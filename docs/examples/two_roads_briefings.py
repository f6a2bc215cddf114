"""Regenerate the two-roads example's briefings (`make examples`): the worked example played through the
service's API, one client per party, at the scenario's times, into a fresh data directory; its log published
with a checkpoint cosigned by a witness (run in this process); then the briefing of 11–19 September 2023 in
English and Arabic, as HTML and PDF, a PNG of the first page of each PDF, and the log itself (tiles and trust
file) so that anyone can audit the briefings offline:

    corridor audit docs/examples/two-roads-log/tiles --trust docs/examples/two-roads-log/trust.txt \\
        --briefing docs/examples/briefing-2023-09-11-2023-09-19-en.html

Keys are new on every run, so every run gives a new log, new roots and new files.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corridor.ledger.cosigning import Cosigning, WitnessEndpoint

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "examples"
LOG = OUT / "two-roads-log"
PERIOD = ("2023-09-11", "2023-09-19")
BASE = "http://127.0.0.1:8000"
BEFORE = 1694390400  # 2023-09-11T00:00:00Z: the parties are registered before the example starts


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="corridor-two-roads-"))
    os.environ.update(CORRIDOR_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="corridor.service.settings",
                      CORRIDOR_ALLOWED_HOSTS="testserver", CORRIDOR_PUBLIC_URL=BASE)
    sys.path.insert(0, str(ROOT))  # the API driver the tests use
    from corridor.commands.service import django_setup

    django_setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    play(data)
    write_briefings()
    keep_log(data)
    shutil.rmtree(data)
    return 0


def play(data: Path) -> None:
    from corridor.ledger.note import Cosigner
    from corridor.ledger.witness import Witness
    from corridor.service import clock
    from corridor.service.config import CONFIG
    from corridor.service.demo import TWO_ROADS, seed
    from corridor.service.guard import guarded
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.ledger.keys import log_signer
    from tests.service.api_driver import drive
    from tests.service.conftest import PartyClient

    with clock.frozen_at(BEFORE), guarded():
        accounts = seed(TWO_ROADS)
    drive(TWO_ROADS, {party: PartyClient(party, token) for _, party, _, token in accounts})
    witness = Witness(data / "witness.db", Cosigner.generate("witness.example/w1"),
                      {CONFIG.log_origin: [log_signer().verifier]})
    integrate_now(cosigning=InProcessCosigning(witness))
    (data / "witness.vkey").write_text(witness.cosigner.verifier.encode())


class InProcessCosigning(Cosigning):
    """Asks a witness running in this process (the same protocol, without HTTP)."""

    def __init__(self, witness) -> None:
        super().__init__([WitnessEndpoint("in-process:", witness.cosigner.verifier)], quorum=1)
        self.witness = witness

    def _post(self, endpoint, note, size, proof_for):
        old = endpoint.known_size if endpoint.known_size <= size else 0
        proof = proof_for(old, size) if 0 < old < size else []
        body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
        reply = self.witness.add_checkpoint(body.encode())
        return reply.status, reply.body


def write_briefings() -> None:
    from corridor.briefing.render import document
    from corridor.figures.briefing import Period
    from corridor.service.web.briefings import briefing_of

    briefing = briefing_of(Period.parse(*PERIOD))
    for lang in ("en", "ar"):
        for fmt in ("html", "pdf"):
            path = OUT / f"briefing-{PERIOD[0]}-{PERIOD[1]}-{lang}.{fmt}"
            path.write_bytes(document(briefing, lang, BASE, fmt))
            print(f"wrote {path.relative_to(ROOT)}")
        png = OUT / f"briefing-{PERIOD[0]}-{PERIOD[1]}-{lang}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", f"{png}.pdf", str(png)],
                       check=True)


def keep_log(data: Path) -> None:
    from corridor.service.ledger.trust import trust_text_of

    if LOG.exists():
        shutil.rmtree(LOG)
    shutil.copytree(data / "log" / "tiles", LOG / "tiles")
    witness = (data / "witness.vkey").read_text().strip()
    (LOG / "trust.txt").write_text(trust_text_of(data) + f"witness {witness}\n")
    print(f"wrote {LOG.relative_to(ROOT)} (tiles and trust.txt)")


if __name__ == "__main__":
    sys.exit(main())
