"""The public log over HTTP: checkpoint (and the one signed at each earlier size), tiles and entry bundles
(C2SP tlog-tiles paths), proof blobs (C2SP tlog-proof) for any entry, and the trust file a verifier needs.
No sign-in: the log is public."""

from __future__ import annotations

import threading
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, JsonResponse

from ...ledger.checkpoint import Checkpoint
from ...ledger.evidence import Evidence
from ...ledger.merkle import ProofError, verify_inclusion
from ...ledger.reader import TileHashes
from ...ledger.tilecheck import BAD
from ...ledger.verify import Source, VerificationError
from ..config import CONFIG
from .integrator import tile_checker
from .keys import trust_text
from .models import LogEntry, SignedCheckpoint
from .published import Published, published_checkpoint

TEXT = "text/plain; charset=utf-8"
CHECKPOINTS_PAGE = 100


def checkpoint(request) -> HttpResponse:
    response = current_checkpoint()
    if response is None:
        raise Http404("the log has no checkpoint yet")
    return response


def current_checkpoint() -> HttpResponse | None:
    """The checkpoint as served, or None before the first (the view answers 404). Also served by the lean path
    (ledger/lean_reads.py), which is why it takes no request."""
    published = published_checkpoint()
    if published is None:
        return None
    response = HttpResponse(published.raw, content_type=TEXT)
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
    if "\x00" in tile_path:  # no file's path holds one (the operating system refuses it)
        raise Http404("no such tile")
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
    response = kept_proof(index)
    if response is not None:
        return response
    published = _published()
    checkpoint = published.checkpoint
    if not 0 <= index < checkpoint.size:
        raise Http404(f"entry {index} is not yet in the published log (size {checkpoint.size})")
    return _proof_response(index, checked_tiles_inclusion(checkpoint, index), published.note)


def kept_proof(index: int) -> HttpResponse | None:
    """The common case: the entry is in the published log and the kept reader's proof verifies against the
    checkpoint's root. None for anything else (no checkpoint, an index beyond it, a damaged tile), which the
    view answers from the database. No request, no database: the lean path (ledger/lean_reads.py) serves it too."""
    published = published_checkpoint()
    if published is None:
        return None
    checkpoint = published.checkpoint
    if not 0 <= index < checkpoint.size:
        return None
    hashes = kept_inclusion(checkpoint, index)
    return None if hashes is None else _proof_response(index, hashes, published.note)


def _proof_response(index: int, hashes: list[bytes], note: str) -> HttpResponse:
    response = HttpResponse(Evidence(index, hashes, note).encode(), content_type=TEXT)
    response["Content-Disposition"] = f'attachment; filename="entry-{index}.tlog-proof"'
    return response


def entry(request, index: int) -> HttpResponse:
    row = LogEntry.objects.filter(idx=index).first()
    if row is None:
        raise Http404(f"no entry {index}")
    return HttpResponse(bytes(row.data), content_type="application/json")


def kept_inclusion(checkpoint: Checkpoint, index: int) -> list[bytes] | None:
    """The proof from the kept reader's tiles as they are on disk, checked by verifying it against the
    checkpoint's root from the tile's own leaf hash (~24 hashes, no database query). One that does not verify
    means a damaged tile: the reader is dropped and None returned (the caller rebuilds the proof from tiles
    each checked, and repaired, against the database)."""
    reader = proof_reader(checkpoint.origin, checkpoint.size)
    try:
        hashes = reader.inclusion(index, checkpoint.size)
        verify_inclusion(index, checkpoint.size, reader.node(0, index), hashes, checkpoint.root)
        return hashes
    except (ProofError, VerificationError):
        with _readers_lock:
            _readers.pop((CONFIG.tiles_dir, checkpoint.origin), None)
        return None


def checked_tiles_inclusion(checkpoint: Checkpoint, index: int) -> list[bytes]:
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


def _published() -> Published:
    published = published_checkpoint()
    if published is None:
        raise Http404("the log has no checkpoint yet")
    return published


def _checkpoint_note() -> str:
    return _published().note
