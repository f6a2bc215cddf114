"""`corridor serve` stops everything it started on SIGTERM or SIGINT: no web server process, no worker left; and
the server it runs hands the application no body cut short of its Content-Length as if it were whole, and a
request without a Host header is answered; it speaks HTTP/1.1 only."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def data_env(tmp_path):
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "corridor.cli", "migrate"], env=env, check=True, capture_output=True,
                   timeout=300)
    return env


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_the_web_server_and_the_worker(data_env, signum):
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "corridor.cli", "serve", "--listen", f"127.0.0.1:{port}",
                              "--workers", "1"], env=data_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not accepts(port):
            assert serve.poll() is None and time.monotonic() < deadline, "corridor serve did not start listening"
            time.sleep(0.2)
        # the worker, the server's main process and its worker (it listens before the worker starts: wait)
        while len(started := descendants(serve.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(started) >= 3, started
        serve.send_signal(signum)
        assert serve.wait(60) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in started if alive(pid)] == []
        assert not accepts(port)
    finally:  # whatever the outcome, leave no process behind
        for pid in started | (descendants(serve.pid) if serve.poll() is None else set()):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        serve.kill()
        serve.wait()


def _http(port: int, request: bytes, half_close: bool = False) -> bytes:
    """One raw request on its own connection (`half_close`: the client's sending side ends after `request`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(request)
        if half_close:
            client.shutdown(socket.SHUT_WR)
        answer = b""
        while data := client.recv(65536):
            answer += data
    return answer


@pytest.fixture
def served_demo(data_env):
    """`corridor serve` (one worker, no `corridor worker`) on the demo's data: its port and org-a's API token."""
    demo = subprocess.run([sys.executable, "-m", "corridor.cli", "demo"], env=data_env, check=True,
                          capture_output=True, text=True, timeout=300).stdout
    token = re.search(r"^\s*org-a\s.*token (\S+)$", demo, re.MULTILINE).group(1)
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "corridor.cli", "serve", "--listen", f"127.0.0.1:{port}",
                              "--workers", "1", "--no-worker"], env=data_env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not accepts(port):
            assert serve.poll() is None and time.monotonic() < deadline, "corridor serve did not start listening"
            time.sleep(0.2)
        yield port, token
    finally:
        serve.terminate()
        serve.wait(60)


def test_a_body_cut_short_of_its_length_is_refused_and_nothing_is_recorded(served_demo):
    """The client declares more than it sends, then ends its side: the server hands the application a short
    body, which it must refuse (service/request_body.py), not record as the whole request."""
    port, token = served_demo
    note = json.dumps({"sha256": "ab" * 32, "title": "cut short"}).encode()
    answer = _http(port, b"POST /api/v1/plans/two-roads/note HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n%s" % (token.encode(), len(note) + 40, note), half_close=True)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "request.malformed"
    listed = _http(port, b"GET /api/v1/plans/two-roads/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Authorization: Bearer %s\r\nConnection: close\r\n\r\n" % token.encode())
    assert listed.startswith(b"HTTP/1.1 200 ") and b"ab" * 32 not in listed


def test_a_form_cut_short_of_its_length_is_refused(served_demo):
    port, _ = served_demo
    csrf = b"k" * 32  # a well-formed CSRF secret, so the check reaches the form's token (and reads the body)
    form = b"csrfmiddlewaretoken=%s&username=org-a&password=pass" % csrf
    answer = _http(port, b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=%s\r\n" % csrf +
                   b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                   b"Connection: close\r\n\r\n%s" % (len(form) + 20, form), half_close=True)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_a_request_without_a_host_header_is_answered_for_the_servers_own_name(served_demo):
    """HTTP/1.0 lets a client send no Host (load balancers' health checks do): Django answers it for the
    address it listens on, as under gunicorn, rather than refusing an empty Host 400 (service/wsgi.py)."""
    port, _ = served_demo
    assert _http(port, b"GET /log/checkpoint HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200 ")
    assert _http(port, b"OPTIONS / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200 ")
    assert _http(port, b"GET / HTTP/1.0\r\nHost: evil.example\r\n\r\n").startswith(b"HTTP/1.0 400 ")


def test_cleartext_http2_is_not_spoken(served_demo):
    """HTTP/1.1 only (commands/service.py, `web_server`): a client opening with HTTP/2's preface gets no HTTP/2
    connection, so none of its 16 MiB compressed header lists either."""
    port, _ = served_demo
    settings = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # an empty SETTINGS frame
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + settings)
        first = client.recv(65536)  # an HTTP/2 server answers its own SETTINGS frame and waits
    assert first == b"" or first.startswith(b"HTTP/1.1 4"), first[:40]
    assert _http(port, b"GET /log/checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").startswith(
        b"HTTP/1.1 200 ")


@pytest.mark.parametrize("listen", ["8000", "localhost", "127.0.0.1:http", ":8000"])
def test_a_listen_address_without_host_and_port_is_refused_with_what_to_give(listen):
    from corridor.commands.service import web_server

    with pytest.raises(SystemExit, match="give HOST:PORT"):
        web_server(listen, 2, 8)


def test_an_ipv6_listen_address_is_given_to_the_server_without_its_brackets():
    from corridor.commands.service import web_server

    command = web_server("[::1]:8000", 2, 8)
    assert command[command.index("--host") + 1] == "::1" and command[command.index("--port") + 1] == "8000"
