"""The API write path's CPU in one process, without an HTTP server or a load generator: the WSGI handler called
directly, one request at a time (each note its own transaction), CPU time of the thread per request, beside
the do-nothing request (GET /log/trust.txt) and Ed25519 verifications measured in the same run.

    .venv/bin/python bench/write_path.py [--requests 1000] [--data DIR]     # SQLite in DIR (a fresh one)
    .venv/bin/python bench/write_path.py --other-parties 2000   # a registry of 2,000 more parties (and keys)
    .venv/bin/python bench/write_path.py --submit    # each write a new plan (POST /api/v1/plans): its plan, leg,
                                                     # line, vehicle, position and clock rows written, not a note

To compare two versions of the code, run it with PYTHONPATH=<other checkout>/src, alternating.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger import ed25519_verifications_per_second  # bench/ledger.py: the same primitive, measured alike

PLAN = {"plan": "bench-plan", "legs": [{"id": "leg-a", "route": "road-a", "lines": [
    {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000}],
    "vehicles": [{"id": "t1", "plate": "AB 1", "type": "truck"}]}]}
PARTIES = ("org-a", "border", "customs", "recv", "escort")


def prepare(data: Path) -> dict[str, str]:
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'corridor.sqlite3'}",
           "CORRIDOR_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    os.environ.update(env)
    tokens_file = data / "bench-tokens.json"
    if not tokens_file.exists():
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "corridor.cli", "migrate"], env=env, check=True, capture_output=True)
        demo = subprocess.run([sys.executable, "-m", "corridor.cli", "demo", "--empty"], env=env, check=True,
                              capture_output=True, text=True)
        tokens = dict(re.findall(r"^\s+(\S+)\s+party \S+\s+password \S+\s+token (\S+)$",
                                 demo.stdout + demo.stderr, re.MULTILINE))
        tokens_file.write_text(json.dumps(tokens))
    return json.loads(tokens_file.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--data", type=Path, help="data directory (kept; default: a fresh temporary one)")
    parser.add_argument("--other-parties", type=int, default=0,
                        help="register this many more parties, each with a custodial key, before measuring: a "
                             "write's cost must not grow with the registry")
    parser.add_argument("--submit", action="store_true", help="each write submits a new plan (rows of every "
                        "read model written) rather than a note on one plan (its plan row only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.data or Path(tmp), args.requests, args.other_parties, args.submit)


def register_parties(count: int) -> None:
    from corridor.service.parties.models import Party
    from corridor.service.parties.operations import do_register_party

    for n in range(Party.objects.filter(pk__startswith="bench-party-").count(), count):
        do_register_party(f"bench-party-{n}", f"Bench party {n}", "humanitarian")


def run(data: Path, requests: int, other_parties: int = 0, submit: bool = False) -> None:
    tokens = prepare(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor.service.settings"
    from corridor.service.wsgi import application

    register_parties(other_parties)

    def call(method: str, path: str, token: str, body: bytes) -> tuple[str, bytes]:
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(body),
                   "wsgi.url_scheme": "http", "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
                   "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
        if token:
            environ["HTTP_AUTHORIZATION"] = "Bearer " + token
        status: list[str] = []
        out = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        return status[0], out

    status, out = call("POST", "/api/v1/plans", tokens["org-a"], json.dumps(PLAN).encode())
    if not status.startswith("201") and b"plan.exists" not in out:
        raise RuntimeError(f"could not submit the benchmark plan: {status} {out[:300]!r}")
    stamp = time.time_ns()

    def write(n: int) -> None:
        if submit:
            body = json.dumps({**PLAN, "plan": f"bench-{stamp}-{n}"}).encode()
            status, out = call("POST", "/api/v1/plans", tokens["org-a"], body)
        else:
            body = json.dumps({"sha256": f"{stamp:032x}{n:032x}", "title": "bench"}).encode()
            status, out = call("POST", "/api/v1/plans/bench-plan/note", tokens[PARTIES[n % len(PARTIES)]], body)
        if not status.startswith("201"):
            raise RuntimeError(f"{status} {out[:300]!r}")

    def floor(n: int) -> None:
        if not call("GET", "/log/trust.txt", "", b"")[0].startswith("200"):
            raise RuntimeError("the trust file did not answer")

    for n in range(50):  # warm up: imports, caches, the fold
        write(n)
        floor(n)
    ed25519 = ed25519_verifications_per_second()
    if other_parties:
        print(f"the registry: {other_parties:,} more parties, each with a custodial key")
    written = "POST /api/v1/plans, a new plan" if submit else "POST /api/v1/plans/bench-plan/note"
    for name, step in ((f"write ({written})", write), ("floor (GET /log/trust.txt)", floor)):
        started = time.process_time()
        for n in range(requests):
            step(1000 + n)
        per_request = (time.process_time() - started) / requests
        print(f"{name}: {per_request * 1000:.3f} ms CPU a request in-process = "
              f"{per_request * ed25519:.1f} Ed25519 verifications ({ed25519:,.0f}/s on one core, this run)")


if __name__ == "__main__":
    main()
