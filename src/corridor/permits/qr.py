"""A permit as QR text and image, the way the EU Digital COVID Certificate does it: the signed COSE bytes,
zlib-deflated, base45-encoded (RFC 9285, whose alphabet is QR's alphanumeric mode) behind a version prefix.

Libraries: `base45`, `zlib`, `segno` (drawing the code) and `zxing-cpp` (reading a photo or a scan).
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import base45
import segno

PREFIX = "CP1:"  # Corridor Permit, version 1 (the DCC's is "HC1:")
ERROR_CORRECTION = "q"  # quartile: survives a crease or a smudge on a printed permit (DCC's advice too)


class QrTextError(ValueError):
    """QR text that is not a permit's: wrong prefix, bad base45 or bad deflate."""


def to_text(signed: bytes, prefix: str = PREFIX) -> str:
    return prefix + base45.b45encode(zlib.compress(signed, 9)).decode("ascii")


def from_text(text: str, prefix: str = PREFIX) -> bytes:
    """The signed bytes back from QR text: always deflated (the DCC vectors hold undeflated data invalid)."""
    text = text.strip()
    if not text.startswith(prefix):
        raise QrTextError(f"QR text does not begin with {prefix!r}")
    try:
        packed = base45.b45decode(text[len(prefix):])
    except ValueError as error:
        raise QrTextError(f"not base45: {error}") from None
    try:
        return zlib.decompress(packed)
    except zlib.error as error:
        raise QrTextError(f"not zlib-deflated: {error}") from None


def svg(text: str, scale: int = 4) -> str:
    """The QR code as a standalone SVG document (for the printable permit: no script, no style attribute)."""
    out = io.BytesIO()
    segno.make(text, error=ERROR_CORRECTION, boost_error=False).save(out, kind="svg", scale=scale,
                                                                     xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")


def png(text: str, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(text, error=ERROR_CORRECTION, boost_error=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def read_image(path: str | Path) -> str:
    """The text of the (first) QR code in an image file; QrTextError if there is none."""
    import zxingcpp
    from PIL import Image

    try:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except (OSError, ValueError) as error:  # PIL's UnidentifiedImageError is an OSError
        raise QrTextError(f"{path} is not an image that can be read: {error}") from None
    if not found:
        raise QrTextError(f"no QR code found in {path}")
    return found[0].text
