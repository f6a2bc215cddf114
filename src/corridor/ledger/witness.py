"""The witness side of c2sp.org/tlog-witness: check a checkpoint against the last one seen, cosign it.

The witness keeps, per log origin, the latest checkpoint it cosigned (SQLite). Checking the old size and
recording the new checkpoint happen in one IMMEDIATE transaction, so two concurrent requests cannot roll
the witness back. Each party can run its own witness: a split view then needs every quorum member to
collude.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .checkpoint import CheckpointError, parse_checkpoint
from .merkle import ProofError, verify_consistency
from .note import Cosigner, NoteError, Verifier, open_note, split_note

MAX_PROOF_LINES = 63
MAX_BODY = 1 << 16


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    def __init__(self, database: Path, cosigner: Cosigner, logs: dict[str, list[Verifier]]) -> None:
        self.cosigner, self.logs = cosigner, logs
        self.db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER, root BLOB, note TEXT)"
        )
        self.lock = threading.Lock()

    def add_checkpoint(self, body: bytes) -> Reply:
        try:
            old_size, proof, note = parse_request(body)
            _, signatures = split_note(note)
            checkpoint_text = note[: note.rfind("\n\n") + 1]
            checkpoint = parse_checkpoint(checkpoint_text)
        except (ValueError, NoteError, CheckpointError, UnicodeDecodeError) as error:
            return Reply(400, f"malformed request: {error}\n")
        keys = self.logs.get(checkpoint.origin)
        if keys is None:
            return Reply(404, f"unknown log {checkpoint.origin}\n")
        try:
            open_note(note, keys)
        except NoteError:
            return Reply(403, "no valid signature by a key this witness trusts for the log\n")
        if old_size > checkpoint.size:
            return Reply(400, "old size is larger than the checkpoint size\n")
        with self.lock:
            return self._check_and_cosign(old_size, proof, checkpoint, note, checkpoint_text)

    def _check_and_cosign(self, old_size, proof, checkpoint, note, text) -> Reply:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            reply = self._decide(old_size, proof, checkpoint, note, text)
        finally:
            self.db.execute("COMMIT")
        return reply

    def _decide(self, old_size, proof, checkpoint, note, text) -> Reply:
        row = self.db.execute("SELECT size, root FROM latest WHERE origin = ?", (checkpoint.origin,)).fetchone()
        known_size, known_root = (0, None) if row is None else (row[0], bytes(row[1]))
        if old_size != known_size:
            return Reply(409, f"{known_size}\n", "text/x.tlog.size")
        if old_size == checkpoint.size and known_root is not None and known_root != checkpoint.root:
            return Reply(409, f"{known_size}\n", "text/x.tlog.size")
        if old_size == 0 and proof:
            return Reply(422, "the proof must be empty from size 0\n")
        if old_size > 0:
            try:
                verify_consistency(old_size, checkpoint.size, known_root, checkpoint.root, proof)
            except ProofError as error:
                return Reply(422, f"consistency proof does not verify: {error}\n")
        self.db.execute(
            "INSERT INTO latest (origin, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE "
            "SET size = excluded.size, root = excluded.root, note = excluded.note",
            (checkpoint.origin, checkpoint.size, checkpoint.root, note),
        )
        return Reply(200, self.cosigner.cosign(text, int(time.time())))


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """'old N' line, up to 63 base64 proof lines, a blank line, then the signed checkpoint."""
    if len(body) > MAX_BODY:
        raise ValueError("request too large")
    text = body.decode("utf-8")
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise ValueError("no blank line between the proof and the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old ") or not lines[0][4:].isdigit() or lines[0][4:] != str(int(lines[0][4:])):
        raise ValueError("the first line is 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise ValueError("more than 63 proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except (binascii.Error, ValueError):
        raise ValueError("a proof line is not base64") from None
    return int(lines[0][4:]), proof, note


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server for POST /add-checkpoint; call serve_forever() on the result."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/add-checkpoint":
                return self._reply(Reply(404, "not found\n"))
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._reply(Reply(400, "request too large\n"))
            self._reply(witness.add_checkpoint(self.rfile.read(length)))

        def _reply(self, reply: Reply) -> None:
            data = reply.body.encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # requests are not logged to stderr
            pass

    return ThreadingHTTPServer((host, port), Handler)
