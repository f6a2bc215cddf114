"""`corridor serve` stops everything it started on SIGTERM or SIGINT: no web server process, no worker left."""

from __future__ import annotations

import os
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
