"""The public log over HTTP: checkpoint (and the one signed at each earlier size), tiles and entry bundles
(C2SP tlog-tiles paths), proof blobs (C2SP tlog-proof) for any entry, and the trust file a verifier needs.
No sign-in: the log is public."""

from __future__ import annotations

import threading
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, JsonResponse

from ...ledger.checkpoint import Checkpoint, parse_checkpoint
from ...ledger.evidence import Evidence
from ...ledger.merkle import ProofError, verify_inclusion
from ...ledger.reader import TileHashes
from ...ledger.tilecheck import BAD
from ...ledger.verify import Source, VerificationError
from ..config import CONFIG
from .integrator import tile_checker
from .keys import trust_text
from .models import LogEntry, SignedCheckpoint

TEXT = "text/plain; charset=utf-8"
CHECKPOINTS_PAGE = 100


def checkpoint(request) -> HttpResponse:
    path = CONFIG.tiles_dir / "checkpoint"
    if not path.is_file():
        raise Http404("the log has no checkpoint yet")
    response = HttpResponse(path.read_bytes(), content_type=TEXT)
    response["Cache-Control"] = "no-cache"
    return response


def checkpoint_at(request, size: int) -> HttpResponse:
    """The checkpoint the log signed at an earlier published size (the store keeps every one), for an audit at
    that size (`corridor audit --at SIZE`); the current one with its witnesses' cosignatures."""
    current = _checkpoint_note()
    if int(current.split("\n")[1]) == size:
        return HttpResponse(current, content_type=TEXT)
    row = SignedCheckpoint.objects.filter(size=size).first()
    if row is None or size > int(current.split("\n")[1]):
        raise Http404(f"the log published no checkpoint at size {size}")
    response = HttpResponse(row.note, content_type=TEXT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # a signed size never changes
    return response


def checkpoints(request) -> JsonResponse:
    """The sizes the log signed a checkpoint at (each served at /log/checkpoint.N), newest first, at most
    CHECKPOINTS_PAGE per request (the store keeps every one); `?before=N` for the page below N."""
    published = int(_checkpoint_note().split("\n")[1])
    before = request.GET.get("before", "")
    if before and not before.isdigit():
        return JsonResponse({"code": "checkpoints.before", "message": "before= must be a size (digits)"}, status=400)
    below = min(int(before), published + 1) if before else published + 1
    sizes = list(SignedCheckpoint.objects.filter(size__lt=below).order_by("-size")
                 .values_list("size", flat=True)[:CHECKPOINTS_PAGE + 1])
    more = len(sizes) > CHECKPOINTS_PAGE
    sizes = sizes[:CHECKPOINTS_PAGE]
    return JsonResponse({"published": published, "sizes": sizes, "next_before": sizes[-1] if more else None})


def trust(request) -> HttpResponse:
    return HttpResponse(trust_text(), content_type=TEXT)


def tile(request, tile_path: str) -> FileResponse:
    root = CONFIG.tiles_dir.resolve()
    file = (root / "tile" / tile_path).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise Http404("no such tile")
    if tile_checker().check(str(file.relative_to(root))) == BAD:  # a corrupted file is rewritten first
        raise Http404("no such tile")
    response = FileResponse(file.open("rb"), content_type="application/octet-stream")
    # full tiles never change; partial ones ('.p/') are replaced as the log grows
    response["Cache-Control"] = "max-age=60" if ".p/" in tile_path else "public, max-age=31536000, immutable"
    return response


def proof(request, index: int) -> HttpResponse:
    note = _checkpoint_note()
    checkpoint = parse_checkpoint(note.split("\n\n")[0] + "\n")  # the body, before the signatures
    if not 0 <= index < checkpoint.size:
        raise Http404(f"entry {index} is not yet in the published log (size {checkpoint.size})")
    blob = Evidence(index, checked_inclusion(checkpoint, index), note).encode()
    response = HttpResponse(blob, content_type=TEXT)
    response["Content-Disposition"] = f'attachment; filename="entry-{index}.tlog-proof"'
    return response


def entry(request, index: int) -> HttpResponse:
    row = LogEntry.objects.filter(idx=index).first()
    if row is None:
        raise Http404(f"no entry {index}")
    return HttpResponse(bytes(row.data), content_type="application/json")


def checked_inclusion(checkpoint: Checkpoint, index: int) -> list[bytes]:
    """The proof from the kept reader's tiles as they are on disk, checked by verifying it against the
    checkpoint's root from the tile's own leaf hash (~24 hashes, no database query). One that does not verify
    means a damaged tile: the reader is dropped and the proof rebuilt from tiles each checked (and repaired)
    against the database."""
    reader = proof_reader(checkpoint.origin, checkpoint.size)
    try:
        hashes = reader.inclusion(index, checkpoint.size)
        verify_inclusion(index, checkpoint.size, reader.node(0, index), hashes, checkpoint.root)
        return hashes
    except (ProofError, VerificationError):
        with _readers_lock:
            _readers.pop((CONFIG.tiles_dir, checkpoint.origin), None)
        return TileHashes(CheckedTiles(str(CONFIG.tiles_dir)), checkpoint.size).inclusion(index)


_readers: dict[tuple[Path, str], TileHashes] = {}
_readers_lock = threading.Lock()


def proof_reader(origin: str, size: int) -> TileHashes:
    """One tile reader per process and log (tiles directory and origin), kept warm: its cached tiles stay valid
    as the log grows (a tile of a given width never changes), so it is advanced to each larger published size,
    and serves a proof at a smaller size (a request that read the checkpoint just before) as well. A fresh one
    per request re-read and re-hashed every tile of the proof: 4-6 ms at 1M."""
    key = (CONFIG.tiles_dir, origin)
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = _readers[key] = TileHashes(Source(str(key[0])), size)
        elif reader.size < size:
            reader.advance(size)
        return reader


class CheckedTiles(Source):
    """The tiles directory, each tile checked (and repaired) against the database before a proof is built from
    it: for a proof from the kept reader that did not verify."""

    def read(self, path: str) -> bytes | None:
        if path.startswith("tile/"):
            tile_checker().check(path)
        return super().read(path)


def _checkpoint_note() -> str:
    path = CONFIG.tiles_dir / "checkpoint"
    if not path.is_file():
        raise Http404("the log has no checkpoint yet")
    return path.read_text()
