"""The verifier: checks a tiled log from its raw bytes, independently of the writer.

It reads the checkpoint, the entry bundles and every tile it can see, recomputes the tree with
`merkle.root_of` (not the writer's edge arithmetic), and names the first file that does not agree.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .audit import EntryError, SigningSummary, audit_entries
from .checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from .merkle import leaf_hash, root_of
from .note import NoteError, OpenedNote, Verifier, open_note
from .trustfile import Trust

TILE_WIDTH = 256
_TILE_FILE = re.compile(r"^tile/(entries|\d+)/((?:x\d{3}/)*\d{3})(?:\.p/(\d+))?$")


class VerificationError(Exception):
    """Names the file (or entry) that failed and why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


class Source:
    """Where the log's files come from: a directory or an http(s) URL prefix."""

    def __init__(self, location: str) -> None:
        self.location = location.rstrip("/")
        self.is_url = location.startswith(("http://", "https://"))

    def read(self, path: str) -> bytes | None:
        if self.is_url:
            return self._fetch(path)
        file = Path(self.location) / path
        return file.read_bytes() if file.is_file() else None

    def listing(self, prefix: str) -> list[str]:
        """Every file under `prefix` (directories only: a web server is not asked to list)."""
        if self.is_url:
            return []
        root = Path(self.location)
        return sorted(p.relative_to(root).as_posix() for p in (root / prefix).rglob("*") if p.is_file())

    def _fetch(self, path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(f"{self.location}/{path}", timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise VerificationError(path, f"HTTP {error.code}") from None
        except urllib.error.URLError as error:
            raise VerificationError(path, f"cannot fetch: {error.reason}") from None


@dataclass
class Report:
    origin: str
    size: int
    root: bytes
    files_checked: int = 0
    checkpoints_checked: int = 0
    witnesses: list[str] = field(default_factory=list)
    entries: list[bytes] = field(default_factory=list)
    note: str = ""  # the checkpoint as signed (and cosigned)
    signing: SigningSummary | None = None  # how the entries were signed; None: the entries were not read


def verify_trusted(source: Source, trust: Trust, previous: tuple[int, bytes] | None = None,
                   tree_only: bool = False) -> Report:
    """What `corridor verify` checks, under a trust file: checkpoint, witnesses, tiles and tree, then (unless
    `tree_only`) every entry a canonical statement signed with a key valid at its index."""
    report = verify_log(source, trust.log_key, trust.witness_keys, trust.quorum, previous)
    if not tree_only:
        try:
            report.signing = audit_entries(report.entries, trust.registrars, webauthn=trust.webauthn)
        except EntryError as error:
            raise VerificationError(f"entry {error.index}", f"{error.code}: {error.message}") from None
    return report


def verify_log(
    source: Source, log_key: Verifier, witness_keys: list[Verifier] = (), quorum: int = 0,
    previous: tuple[int, bytes] | None = None,
) -> Report:
    checkpoint, opened, note = read_signed_checkpoint(source, "checkpoint", log_key, witness_keys, quorum)
    entries = read_entries(source, checkpoint.size)
    hashes = [leaf_hash(entry) for entry in entries]
    levels = node_levels(hashes)
    report = Report(checkpoint.origin, checkpoint.size, checkpoint.root, entries=entries, note=note)
    report.witnesses = [s.name for s in opened.verified if s.name != log_key.name]
    if root_of(hashes) != checkpoint.root:
        raise VerificationError(_culprit(source, levels, checkpoint), "does not match the checkpoint's root hash")
    report.files_checked = check_tiles(source, levels, checkpoint.size, entries)
    report.checkpoints_checked = 1 + check_old_checkpoints(source, hashes, log_key)
    if previous is not None:
        check_previous(previous, hashes)
    return report


def open_checkpoint_file(
    source: Source, path: str, log_key: Verifier, witness_keys: list[Verifier] = (), quorum: int = 0,
) -> tuple[Checkpoint, OpenedNote]:
    checkpoint, opened, _ = read_signed_checkpoint(source, path, log_key, witness_keys, quorum)
    return checkpoint, opened


def read_signed_checkpoint(
    source: Source, path: str, log_key: Verifier, witness_keys: list[Verifier] = (), quorum: int = 0,
) -> tuple[Checkpoint, OpenedNote, str]:
    """The checkpoint at `path`, signed by the log key and cosigned by a quorum; and the note as written."""
    data = source.read(path)
    if data is None:
        raise VerificationError(path, "missing")
    try:
        note = data.decode("utf-8")
        opened = open_note(note, [log_key, *witness_keys])
        checkpoint = parse_checkpoint(opened.text)
    except (NoteError, CheckpointError, UnicodeDecodeError) as error:
        raise VerificationError(path, str(error)) from None
    if log_key.name not in {s.name for s in opened.verified}:
        raise VerificationError(path, f"not signed by the log key {log_key.name}")
    cosigners = {s.name for s in opened.verified} - {log_key.name}
    if len(cosigners) < quorum:
        raise VerificationError(path, f"cosigned by {len(cosigners)} trusted witnesses, the policy needs {quorum}")
    return checkpoint, opened, note


def read_entries(source: Source, size: int) -> list[bytes]:
    entries: list[bytes] = []
    for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        path = _path("entries", index, width)
        data = source.read(path)
        if data is None:
            raise VerificationError(path, "missing")
        entries += parse_bundle(path, data, width)
    return entries


def parse_bundle(path: str, data: bytes, width: int) -> list[bytes]:
    entries, offset = [], 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise VerificationError(path, "truncated entry length")
        length = int.from_bytes(data[offset : offset + 2], "big")
        entry = data[offset + 2 : offset + 2 + length]
        if len(entry) != length:
            raise VerificationError(path, "truncated entry")
        entries.append(entry)
        offset += 2 + length
    if len(entries) != width:
        raise VerificationError(path, f"holds {len(entries)} entries, expected {width}")
    return entries


def node_levels(hashes: list[bytes]) -> list[list[bytes]]:
    """levels[L]: hashes of the complete nodes at height 8L, as tiles of level L must hold them."""
    levels = [hashes]
    while len(levels[-1]) >= TILE_WIDTH:
        below = levels[-1]
        levels.append([root_of(below[i : i + TILE_WIDTH]) for i in range(0, len(below) - TILE_WIDTH + 1, TILE_WIDTH)])
    return levels


def check_tiles(source: Source, levels: list[list[bytes]], size: int, entries: list[bytes]) -> int:
    """Every tile the checkpoint needs must exist; every tile file present must agree with the tree."""
    needed = {_path(level, index, width) for level, index, width in _needed_tiles(levels)}
    present = {path for path in source.listing("tile") if not _ahead(path, levels)}
    for path in sorted(needed | present):
        match = _TILE_FILE.match(path)
        if match is None:
            continue
        data = source.read(path)
        if data is None:
            raise VerificationError(path, "missing")
        _check_tile_file(path, match, data, levels, entries)
    return len(needed | present)


def _ahead(path: str, levels: list[list[bytes]]) -> bool:
    """A tile written for entries beyond the checkpoint (published before its checkpoint): not yet
    covered by a signature, so not checked against it."""
    match = _TILE_FILE.match(path)
    if match is None:
        return False
    kind, index_text, width_text = match.groups()
    end = int(index_text.replace("x", "").replace("/", "")) * TILE_WIDTH + (int(width_text or TILE_WIDTH))
    nodes = len(levels[0]) if kind == "entries" else (len(levels[int(kind)]) if int(kind) < len(levels) else 0)
    return end > nodes


def _check_tile_file(path: str, match: re.Match, data: bytes, levels: list, entries: list[bytes]) -> None:
    kind, index_text, width_text = match.groups()
    index = int(index_text.replace("x", "").replace("/", ""))
    width = int(width_text) if width_text else TILE_WIDTH
    start = index * TILE_WIDTH
    if kind == "entries":
        if start + width > len(entries) or data != _bundle(entries[start : start + width]):
            raise VerificationError(path, "entry bundle does not match the log's entries")
        return
    level = int(kind)
    nodes = levels[level] if level < len(levels) else []
    if start + width > len(nodes) or data != b"".join(nodes[start : start + width]):
        raise VerificationError(path, f"level-{level} tile does not match the tree")


def _needed_tiles(levels: list[list[bytes]]):
    for level, nodes in enumerate(levels):
        for index in range((len(nodes) + TILE_WIDTH - 1) // TILE_WIDTH):
            yield level, index, min(TILE_WIDTH, len(nodes) - index * TILE_WIDTH)


def check_old_checkpoints(source: Source, hashes: list[bytes], log_key: Verifier) -> int:
    """Checkpoints kept beside the current one (checkpoint.<size>) must be prefixes of the same tree."""
    count = 0
    for path in source.listing("."):
        if re.fullmatch(r"checkpoint\.\d+", path):
            old, _ = open_checkpoint_file(source, path, log_key)
            if old.size > len(hashes) or root_of(hashes[: old.size]) != old.root:
                raise VerificationError(path, "inconsistent with the current tree: the log forked")
            count += 1
    return count


def check_previous(previous: tuple[int, bytes], hashes: list[bytes]) -> None:
    size, root = previous
    if size > len(hashes):
        raise VerificationError("checkpoint", f"the log shrank from {size} entries seen before to {len(hashes)}")
    if root_of(hashes[:size]) != root:
        raise VerificationError("checkpoint", f"the first {size} entries differ from what was seen before: a fork")


def _culprit(source: Source, levels: list[list[bytes]], checkpoint: Checkpoint) -> str:
    """Entries and checkpoint disagree: blame the bundle whose leaves differ from the level-0 tiles,
    if the tiles agree with the checkpoint; otherwise the checkpoint."""
    tile_hashes = []
    for _, index, width in _needed_tiles(levels[:1]):
        data = source.read(_path(0, index, width)) or b""
        tile_hashes += [data[i : i + 32] for i in range(0, len(data), 32)]
    if root_of(tile_hashes) != checkpoint.root:
        return "checkpoint"
    for _, index, width in _needed_tiles(levels[:1]):
        start = index * TILE_WIDTH
        if levels[0][start : start + width] != tile_hashes[start : start + width]:
            return _path("entries", index, width)
    return "checkpoint"


# The verifier spells tile paths and bundles itself rather than importing the writer's functions, so a
# bug there cannot make the writer and the verifier agree on something the spec does not say.
def _path(level: int | str, index: int, width: int) -> str:
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    name = "/".join([*("x" + g for g in groups[:-1]), groups[-1]])
    return f"tile/{level}/{name}" + ("" if width == TILE_WIDTH else f".p/{width}")


def _bundle(entries: list[bytes]) -> bytes:
    return b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)
