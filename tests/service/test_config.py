"""Configuration from environment variables, with secrets generated once into the data directory."""

from __future__ import annotations

import multiprocessing
import secrets
import stat
import time
from concurrent.futures import ProcessPoolExecutor

from cryptography.fernet import Fernet

from corridor.service.config import load


def test_defaults_on_a_fresh_machine(tmp_path):
    config = load({"CORRIDOR_DATA_DIR": str(tmp_path / "data")})
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'corridor.sqlite3'}"
    assert config.allowed_hosts == ("127.0.0.1", "localhost") and not config.debug
    assert config.tiles_dir == tmp_path / "data" / "log" / "tiles"
    for name in ("secret_key", "custody.key"):
        mode = (tmp_path / "data" / name).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600, name
    Fernet(config.key_encryption_key)  # a valid key


def test_generated_secrets_are_kept_across_starts(tmp_path):
    first = load({"CORRIDOR_DATA_DIR": str(tmp_path)})
    again = load({"CORRIDOR_DATA_DIR": str(tmp_path)})
    assert (first.secret_key, first.key_encryption_key) == (again.secret_key, again.key_encryption_key)


def test_everything_comes_from_the_environment(tmp_path):
    key = Fernet.generate_key().decode()
    config = load({
        "CORRIDOR_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://corridor@db:5432/corridor",
        "CORRIDOR_LOG_ORIGIN": "corridor.example.org/log", "CORRIDOR_ALLOWED_HOSTS": "corridor.example.org,",
        "DJANGO_SECRET_KEY": "s" * 50, "CORRIDOR_KEY_ENCRYPTION_KEY": key, "CORRIDOR_DEBUG": "1",
        "CORRIDOR_MAX_UPLOAD_BYTES": "1000", "CORRIDOR_EMAIL_PORT": "2525",
    })
    assert config.database_url.startswith("postgresql://") and config.log_origin == "corridor.example.org/log"
    assert config.allowed_hosts == ("corridor.example.org",) and config.debug
    assert (config.secret_key, config.key_encryption_key) == ("s" * 50, key.encode())
    assert (config.max_upload_bytes, config.email_port) == (1000, 2525)
    assert not (tmp_path / "secret_key").exists()


def test_each_data_dir_names_its_own_log(tmp_path):
    first = load({"CORRIDOR_DATA_DIR": str(tmp_path / "a")})
    assert first.log_origin.startswith("corridor.local/")
    assert load({"CORRIDOR_DATA_DIR": str(tmp_path / "a")}).log_origin == first.log_origin
    assert load({"CORRIDOR_DATA_DIR": str(tmp_path / "b")}).log_origin != first.log_origin


def test_a_data_dir_with_a_log_key_keeps_the_name_its_checkpoints_carry(tmp_path):
    from corridor.ledger.note import Signer

    tmp_path.joinpath("log.key").write_text(Signer.generate("corridor.example/log").encode())
    assert load({"CORRIDOR_DATA_DIR": str(tmp_path)}).log_origin == "corridor.example/log"


def test_the_embedded_database_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    """It holds clear crew, plates and windows, password hashes and sessions (a session key read from a
    0644 file signed a local user in as another party)."""
    import os
    import sqlite3

    old_umask = os.umask(0o022)
    try:
        config = load({"CORRIDOR_DATA_DIR": str(tmp_path)})
        path = config.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE t (x)")
            connection.execute("INSERT INTO t VALUES (1)")
            modes = {name: stat.S_IMODE(os.stat(tmp_path / name).st_mode)
                     for name in os.listdir(tmp_path) if name.startswith("corridor.sqlite3")}
        assert set(modes) >= {"corridor.sqlite3", "corridor.sqlite3-wal", "corridor.sqlite3-shm"}
        assert set(modes.values()) == {0o600}, modes
        os.chmod(path, 0o644)  # made by an earlier version
        load({"CORRIDOR_DATA_DIR": str(tmp_path)})
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        os.umask(old_umask)


def _generate_in_child(path, start):
    from corridor.service.config import _generated

    def slowly_made() -> str:  # every worker is past the "is it there?" check before any has written
        time.sleep(0.2)
        return secrets.token_hex(32)

    start.wait()
    return _generated(path, slowly_made)


def test_workers_starting_together_keep_one_secret_and_none_fails(tmp_path):
    """A first start's workers create the data directory's secrets side by side: the one that loses must
    read the winner's whole secret (it failed with FileExistsError, and could read a half-written file)."""
    path = tmp_path / "secret_key"
    for _ in range(3):
        path.unlink(missing_ok=True)
        with multiprocessing.Manager() as manager, ProcessPoolExecutor(8) as pool:
            start = manager.Event()
            futures = [pool.submit(_generate_in_child, path, start) for _ in range(8)]
            start.set()
            secrets_read = {future.result() for future in futures}
        assert len(secrets_read) == 1 and len(secrets_read.pop()) == 64
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary file left
