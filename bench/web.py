"""Benchmark of the pages with a large log: the public page and a party's home, p50/p95 over repeated
requests, served by the web server of `corridor serve` (2 workers) on SQLite with N generated statements (the
realistic mix of bench/engine_fold.py, rebuilt into read models). Printed beside the same server's answer time for the
smallest page it has (the trust file), measured in the same run: the floor of Django + HTTP on this machine.

    .venv/bin/python bench/web.py                      # 100,000 plans ≈ 1M statements
    .venv/bin/python bench/web.py --plans 10000
"""

from __future__ import annotations

import argparse
import http.client
import re
import tempfile
import time
from pathlib import Path

from engine_fold import generate
from service import _LOAD_STATEMENTS, Service

REQUESTS = 200


def timed_get(port: int, path: str, cookie: str = "") -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed


def percentiles(port: int, path: str, cookie: str = "", n: int = REQUESTS) -> tuple[float, float]:
    timed_get(port, path, cookie)  # warm: the first answer may compute what later ones reuse
    times = sorted(timed_get(port, path, cookie) for _ in range(n))
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def session_cookie(service: Service, port: int, username: str, password: str) -> str:
    """Sign in through the login page, as a browser would; returns the cookie header."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    connection.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if session is None:
        raise RuntimeError("sign-in failed")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000, help="100,000 plans ≈ 1M statements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        service = Service("sqlite", workdir, seed=False)
        count = generate(args.plans, workdir / "statements.jsonl")
        service.python(_LOAD_STATEMENTS.replace("STATEMENTS", repr(str(workdir / "statements.jsonl"))))
        service.corridor("rebuild")
        service.corridor("createuser", "recv-officer", "--party", "recv-1", "--password", "bench-password-1")
        port = service.serve()
        try:
            floor = percentiles(port, "/log/trust.txt")
            public = percentiles(port, "/")
            cookie = session_cookie(service, port, "recv-officer", "bench-password-1")
            home = percentiles(port, "/home", cookie)
        finally:
            service.stop()
    print(f"log of {count:,} generated statements ({args.plans:,} plans), {REQUESTS} requests each, sequential:")
    for name, (p50, p95) in (("public page /", public), ("party home /home (recv-1)", home),
                             ("floor: /log/trust.txt", floor)):
        print(f"  {name:28} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  (p95 = {p95 / floor[1]:.1f} x floor)")


if __name__ == "__main__":
    main()
