"""The service's configuration: every setting from an environment variable, read once, typed.

Secrets that are not given are generated once into the data directory (mode 0600) and reused, so a fresh
machine runs with no configuration at all. docs/operations.md lists every variable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    log_origin: str
    allowed_hosts: tuple[str, ...]
    secret_key: str
    key_encryption_key: bytes
    debug: bool
    max_upload_bytes: int
    email_host: str
    email_port: int
    email_from: str
    public_url: str
    witnesses: tuple[tuple[str, str], ...] = ()  # (URL, verifier key) of each witness asked to cosign
    witness_quorum: int = 0
    checkpoint_interval: float = 0.25  # seconds at least between two checkpoints (corridor worker)
    witness_interval: float = 1.0  # seconds at least between two rounds of requests to the witnesses
    https: bool = False  # served over TLS (behind a proxy that sets X-Forwarded-Proto): Secure cookies, HSTS
    webauthn_origin: str = "http://localhost:8000"  # where officers' browsers open the pages (passkeys)
    webauthn_rp_id: str = "localhost"  # the passkeys' relying party: the origin's host or a parent domain of it
    database_replica_url: str = ""  # a PostgreSQL streaming replica for read-model reads (service/replica.py)
    replica_max_lag: float = 10.0  # seconds the replica may trail the primary before reads fall back to it

    @property
    def tiles_dir(self) -> Path:
        return self.data_dir / "log" / "tiles"

    @property
    def figures_dir(self) -> Path:
        """The public figures at published checkpoint sizes (exports/published.py)."""
        return self.data_dir / "figures"


def load(environ: dict[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("CORRIDOR_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return Config(
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{_owner_only_database(data_dir / 'corridor.sqlite3')}",
        log_origin=env.get("CORRIDOR_LOG_ORIGIN") or _generated(data_dir / "log_origin", lambda: _origin(data_dir)),
        allowed_hosts=tuple(filter(None, env.get("CORRIDOR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(","))),
        secret_key=env.get("DJANGO_SECRET_KEY") or _generated(data_dir / "secret_key", _token),
        key_encryption_key=(env.get("CORRIDOR_KEY_ENCRYPTION_KEY") or _generated(data_dir / "custody.key",
                                                                                  _fernet_key)).encode(),
        debug=env.get("CORRIDOR_DEBUG", "0") == "1",
        max_upload_bytes=int(env.get("CORRIDOR_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        email_host=env.get("CORRIDOR_EMAIL_HOST", "localhost"),
        email_port=int(env.get("CORRIDOR_EMAIL_PORT", "25")),
        email_from=env.get("CORRIDOR_EMAIL_FROM", "corridor@localhost"),
        public_url=env.get("CORRIDOR_PUBLIC_URL", "http://127.0.0.1:8000"),
        witnesses=_witnesses(env.get("CORRIDOR_WITNESSES", "")),
        witness_quorum=int(env.get("CORRIDOR_WITNESS_QUORUM", "0")),
        checkpoint_interval=_seconds(env, "CORRIDOR_CHECKPOINT_INTERVAL", "0.25"),
        witness_interval=_seconds(env, "CORRIDOR_WITNESS_INTERVAL", "1"),
        https=env.get("CORRIDOR_HTTPS", "0") == "1",
        **_webauthn(env),
        **_replica(env),
    )


def _replica(env) -> dict:
    """A read replica is a PostgreSQL hot standby of a PostgreSQL primary: refused at start-up otherwise
    (SQLite has no streaming replication, and a replica of another kind would not hold the primary's rows)."""
    url = env.get("DATABASE_REPLICA_URL", "").strip()
    max_lag = float(env.get("CORRIDOR_REPLICA_MAX_LAG", "10"))
    if not url:
        return {"replica_max_lag": max_lag}
    primary = env.get("DATABASE_URL") or "sqlite:"
    if not all(_is_postgresql(value) for value in (url, primary)):
        raise ValueError("DATABASE_REPLICA_URL: a read replica needs PostgreSQL for both DATABASE_URL and "
                         f"DATABASE_REPLICA_URL (a streaming replica of the primary); got {_scheme(primary)!r} "
                         f"and {_scheme(url)!r}")
    if max_lag <= 0:
        raise ValueError(f"CORRIDOR_REPLICA_MAX_LAG: {max_lag} is not a positive number of seconds")
    return {"database_replica_url": url, "replica_max_lag": max_lag}


def _seconds(env, name: str, default: str) -> float:
    value = float(env.get(name, default))
    if not value > 0:
        raise ValueError(f"{name}: {value} is not a positive number of seconds")
    return value


def _scheme(url: str) -> str:
    return urlsplit(url).scheme or url.partition(":")[0]


def _is_postgresql(url: str) -> bool:
    try:
        return dj_database_url.parse(url)["ENGINE"] == "django.db.backends.postgresql"
    except ValueError:  # a scheme dj-database-url does not know
        return False


def _webauthn(env) -> dict[str, str]:
    """Passkeys are bound to one origin (scheme, host, port) and a relying-party id (a host name, never an IP
    address: browsers refuse those, so the demo is opened at http://localhost:8000 for passkeys)."""
    origin = env.get("CORRIDOR_WEBAUTHN_ORIGIN", "http://localhost:8000").rstrip("/")
    host = urlsplit(origin).hostname
    if not origin.startswith(("http://", "https://")) or not host:
        raise ValueError(f"CORRIDOR_WEBAUTHN_ORIGIN: {origin!r} is not an origin such as https://corridor.example.org")
    return {"webauthn_origin": origin, "webauthn_rp_id": env.get("CORRIDOR_WEBAUTHN_RP_ID", host)}


def _witnesses(text: str) -> tuple[tuple[str, str], ...]:
    """"URL KEY; URL KEY": each witness's add-checkpoint base URL and its verifier key."""
    pairs = []
    for item in filter(str.strip, text.split(";")):
        url, _, key = item.strip().partition(" ")
        if not url.startswith(("http://", "https://")) or not key.strip():
            raise ValueError(f"CORRIDOR_WITNESSES: {item.strip()!r} is not 'URL VERIFIER-KEY'")
        pairs.append((url, key.strip()))
    return tuple(pairs)


def _token() -> str:
    return secrets.token_urlsafe(48)


def _origin(data_dir: Path) -> str:
    """A name no other install shares (verifiers keep what they saw per log): the name of the log key
    already in the data directory, if any (its checkpoints carry that name), else a new one."""
    key = data_dir / "log.key"
    if key.exists():
        return key.read_text().strip().split("+", 4)[2]  # PRIVATE+KEY+name+hash+key
    return f"corridor.local/{secrets.token_hex(8)}"


def _fernet_key() -> str:
    return Fernet.generate_key().decode()


def _owner_only_database(path: Path) -> Path:
    """The embedded database holds clear crew, plates and windows, password hashes and sessions: readable by
    its owner only, whatever the umask. SQLite creates its -wal and -shm files with the database's mode, so
    creating the file 0600 before SQLite does (and tightening one made by an earlier version) covers them."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(descriptor)
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            part.chmod(0o600)
    return path


def _generated(path: Path, make) -> str:
    """Read a secret kept in the data directory, creating it (readable by the owner only) the first time.

    The workers of a first start create it side by side: each writes a whole file of its own, then links
    it into place, which only the first does (link never replaces). So no process reads a half-written
    secret, none fails because another won, and all keep the same one."""
    if not path.exists():
        descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(make())
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(written, path)
                _sync_directory(path.parent)  # a key lost in a crash would orphan what it encrypted
        finally:
            os.unlink(written)
    return path.read_text().strip()


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


CONFIG = load()
