"""C2SP tlog-checkpoint: the signed note body naming a log's origin, size and root hash."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from .merkle import HASH_SIZE


class CheckpointError(ValueError):
    """A checkpoint body that does not follow c2sp.org/tlog-checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint has an origin, a size and a root hash, each on its own line")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError(f"malformed origin or size: {origin!r}, {size_text!r}")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError(f"root hash is not base64: {root_text!r}") from None
    if len(root) != HASH_SIZE:
        raise CheckpointError("root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise CheckpointError("empty extension line")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))
