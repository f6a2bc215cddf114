"""A real PostgreSQL primary and its hot standby for `make test-replica`, then a command run against them.

    python -m tests.service.standby COMMAND...

initdb's a throwaway primary (port 5434) and clones it with `pg_basebackup -R` into a streaming hot standby
(port 5433), both under /tmp/replica/test (CORRIDOR_REPLICA_DIR), with Debian's /usr/lib/postgresql/*/bin: the
machine's own cluster is never touched. COMMAND runs with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the standby; both clusters are stopped and deleted afterwards, whatever happened.
initdb and postgres refuse to run as root: as root they run as the `postgres` user (runuser).

Without PostgreSQL's server binaries it prints why and exits 0, or 1 with CORRIDOR_REQUIRE_REPLICA=1 (set by
.ci/run): CI never passes by skipping.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PRIMARY_PORT, STANDBY_PORT = 5434, 5433
DATABASE = "replica"
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "postgres", "psql")
PRIMARY_SETTINGS = f"""
listen_addresses = '127.0.0.1'
port = {PRIMARY_PORT}
wal_level = replica
max_wal_senders = 4
shared_buffers = 32MB
max_connections = 40
"""
THROWAWAY_SETTINGS = """
fsync = off                  # a throwaway cluster for tests: speed over durability
full_page_writes = off
"""
STANDBY_SETTINGS = f"""
port = {STANDBY_PORT}
hot_standby = on
hot_standby_feedback = on    # long reads on the standby are not cancelled by the primary's cleanup
"""


class Unavailable(Exception):
    """PostgreSQL's server binaries (or a user to run them as) are not on this machine."""


def server_binaries() -> Path:
    found = [Path(d) for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
             if all((Path(d) / tool).exists() for tool in TOOLS)]
    if not found:
        raise Unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
                          "(Debian: apt-get install postgresql)")
    return found[0]


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root without a 'postgres' user to run the clusters as") from None
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], **kwargs) -> None:
    subprocess.run(_as_postgres(command), check=True, stdout=subprocess.DEVNULL, **kwargs)


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _sql(binaries: Path, port: int, sql: str, database: str = "postgres") -> str:
    done = subprocess.run([str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                           "-d", database, "-Atc", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


class Clusters:
    """The primary and its standby under `root`; `start()` then `stop()` (which also deletes them)."""

    def __init__(self, binaries: Path, root: Path, durable: bool = False) -> None:
        self.binaries, self.root, self.durable = binaries, root, durable
        self.primary, self.standby = root / "primary", root / "standby"

    def url(self, port: int) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"

    def start(self) -> None:
        self.stop()  # what an interrupted run left behind
        for port in (PRIMARY_PORT, STANDBY_PORT):
            if not _port_free(port):
                raise RuntimeError(f"port {port} is taken by another server: the replica test needs it")
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _run([str(self.binaries / "initdb"), "-D", str(self.primary), "-U", "postgres", "-A", "trust",
              "--no-sync", "--no-instructions"])  # its pg_hba.conf lets 127.0.0.1 replicate (trust)
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write(PRIMARY_SETTINGS + ("" if self.durable else THROWAWAY_SETTINGS)
                       + f"unix_socket_directories = '{self.root}'\n")
        self._pg_ctl(self.primary, "start")
        _sql(self.binaries, PRIMARY_PORT, f"CREATE DATABASE {DATABASE}")
        _run([str(self.binaries / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
              "-D", str(self.standby), "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        with (self.standby / "postgresql.conf").open("a") as conf:
            conf.write(STANDBY_SETTINGS)
        self._pg_ctl(self.standby, "start")
        self._wait_streaming()

    def _pg_ctl(self, data: Path, action: str) -> None:
        _run([str(self.binaries / "pg_ctl"), "-D", str(data), "-l", str(data.parent / f"{data.name}.log"),
              "-w", "-t", "60", action])

    def _wait_streaming(self) -> None:
        for _ in range(300):
            try:
                streaming = _sql(self.binaries, PRIMARY_PORT, "SELECT count(*) FROM pg_stat_replication "
                                                              "WHERE state = 'streaming'")
                standby = _sql(self.binaries, STANDBY_PORT, "SELECT pg_is_in_recovery()")
            except subprocess.CalledProcessError:
                streaming, standby = "0", ""
            if streaming == "1" and standby == "t":
                return
            time.sleep(0.1)
        raise RuntimeError(f"the standby did not start streaming: see {self.root}/standby.log")

    def stop(self) -> None:
        for data in (self.standby, self.primary):
            if (data / "postmaster.pid").exists():
                subprocess.run(_as_postgres([str(self.binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                             "-w", "stop"]), stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def main(command: list[str]) -> int:
    required = os.environ.get("CORRIDOR_REQUIRE_REPLICA") == "1"
    try:
        clusters = Clusters(server_binaries(), Path(os.environ.get("CORRIDOR_REPLICA_DIR", "/tmp/replica/test")))
        _as_postgres([])
    except Unavailable as why:
        print(f"test-replica {'FAILED' if required else 'SKIPPED'}: {why}", file=sys.stderr)
        return 1 if required else 0
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a CI timeout still stops and removes the clusters
    try:
        clusters.start()
        print(f"hot standby streaming from the primary in {time.monotonic() - started:.1f} s: primary "
              f"{clusters.url(PRIMARY_PORT)}, standby {clusters.url(STANDBY_PORT)}", file=sys.stderr)
        env = {**os.environ, "DATABASE_URL": clusters.url(PRIMARY_PORT),
               "DATABASE_REPLICA_URL": clusters.url(STANDBY_PORT), "CORRIDOR_EXPECT_DATABASE": "postgresql"}
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        clusters.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
