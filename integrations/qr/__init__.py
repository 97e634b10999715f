"""Signed codes for tickets and links, and QR rendering of them.

A code is `<prefix><BASE32>`: a two-character prefix per purpose, then unpadded uppercase base32 of the
16 bytes of a UUID followed by a 16-byte (128-bit) HMAC-SHA256 tag over (purpose, id, version). Uppercase
base32 keeps the QR in alphanumeric mode (54 characters: version 3, 29×29 modules, at ECC M) and survives
scanners that type what they read. Nothing secret is stored: the key and the version verify a code; raising
the version (a cancelled or re-sent ticket) makes every earlier code fail `check`. Codes are signed with one key
and checked against several (the keys of a rotation, newest first), so codes already handed out keep working.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import re
import uuid
from collections.abc import Sequence

import qrcode
import qrcode.constants
import qrcode.image.svg

PREFIXES = {"ticket": "T1", "manage": "M1", "agenda": "A1", "door": "D1"}
_TAG_BYTES = 16
_CODE_CHARS = 52  # base32 of 32 bytes, without padding
MAX_QR_VERSION = 6  # 41×41 modules, the limit in CHK-5: quick to read for phone cameras at the door


def _tag(key: bytes, purpose: str, ident: uuid.UUID, version: int) -> bytes:
    message = b"|".join((purpose.encode(), ident.bytes, str(version).encode()))
    return hmac.new(key, message, hashlib.sha256).digest()[:_TAG_BYTES]


def sign(key: bytes, purpose: str, ident: uuid.UUID, version: int) -> str:
    """The code for `ident` at `version`, for one purpose."""
    raw = ident.bytes + _tag(key, purpose, ident, version)
    return PREFIXES[purpose] + base64.b32encode(raw).decode("ascii").rstrip("=")


# Base32 digits as Python's base-32 integer digits: one C-level int() decodes a code (base64.b32decode is
# pure Python, and decoding was a tenth of a door scan's CPU time).
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_AS_INT_DIGITS = str.maketrans(_BASE32, "0123456789abcdefghijklmnopqrstuv")
_BODY = re.compile(f"[{_BASE32}]{{{_CODE_CHARS}}}")
_SPARE_BITS = _CODE_CHARS * 5 - 8 * (16 + _TAG_BYTES)


def _split(purpose: str, code: str) -> tuple[uuid.UUID, bytes] | None:
    text = code.strip().upper()
    prefix = PREFIXES[purpose]
    if not text.startswith(prefix) or _BODY.fullmatch(text, len(prefix)) is None:
        return None
    value = int(text[len(prefix) :].translate(_AS_INT_DIGITS), 32)
    if value & ((1 << _SPARE_BITS) - 1):
        return None  # the last character has spare bits: accept only the one spelling we issue (they are zero)
    raw = (value >> _SPARE_BITS).to_bytes(16 + _TAG_BYTES, "big")
    return uuid.UUID(bytes=raw[:16]), raw[16:]


def parse(key: bytes, purpose: str, code: str) -> uuid.UUID | None:
    """The id a code names, or None for anything that is not a well-formed code of this purpose.

    The tag is not checked here (it depends on the stored version): call `check` with the version.
    `key` is accepted for symmetry with `check` and future key rotation.
    """
    del key
    found = _split(purpose, code)
    return found[0] if found else None


def check(keys: Sequence[bytes], purpose: str, ident: uuid.UUID, version: int, code: str) -> bool:
    """True when `code` is the valid code of `ident` at `version` under one of `keys`; constant time in the tag."""
    found = _split(purpose, code)
    return found is not None and found[0] == ident and tag_matches(keys, purpose, ident, version, found[1])


def read(purpose: str, code: str) -> tuple[uuid.UUID, bytes] | None:
    """(id, tag) of a well-formed code of this purpose, or None; check the tag with `tag_matches`. For callers
    that try several versions of one code (decoding it once)."""
    return _split(purpose, code)


def tag_matches(keys: Sequence[bytes], purpose: str, ident: uuid.UUID, version: int, tag: bytes) -> bool:
    """True when `tag` is the tag of `ident` at `version` under one of `keys`; constant time per key."""
    return any(hmac.compare_digest(tag, _tag(key, purpose, ident, version)) for key in keys)


@functools.lru_cache(maxsize=1024)
def _layout(payload: str) -> tuple[int, int]:
    """The version and mask pattern qrcode would choose. Trying the eight masks is three quarters of the
    work, and a ticket's PNG and SVG are made one after the other: both then pay for it once."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    version: int = code.best_fit()
    if version > MAX_QR_VERSION:
        raise ValueError(f"payload of {len(payload)} characters needs QR version {version} (> {MAX_QR_VERSION})")
    mask: int = code.best_mask_pattern()
    return version, mask


def _qr(payload: str, box_size: int) -> qrcode.QRCode:
    version, mask = _layout(payload)
    code: qrcode.QRCode = qrcode.QRCode(
        version=version,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=4,
        mask_pattern=mask,
    )
    code.add_data(payload)
    code.make(fit=False)
    return code


def qr_version(payload: str) -> int:
    """The QR version (size) `payload` renders at; ValueError above MAX_QR_VERSION."""
    return _layout(payload)[0]


def render_png(payload: str, *, box_size: int = 10) -> bytes:
    """A black-on-white PNG with the 4-module quiet zone, `box_size` pixels a module; ValueError above
    MAX_QR_VERSION."""
    image = _qr(payload, box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_svg(payload: str) -> str:
    """A scalable SVG (viewBox, one path, white background); ValueError above MAX_QR_VERSION."""
    # The path factory, not the per-module rect one: rects leave hairline seams that decoders trip on.
    # SvgPathFillImage is SvgPathImage with a white background rect, so dark mode cannot eat the quiet zone.
    image = _qr(payload, 10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg: str = image.to_string(encoding="unicode")
    return svg


def modules(payload: str) -> list[list[bool]]:
    """The symbol as rows of dark (True) and light modules, the 4-module quiet zone included: the same symbol
    (version, mask) as `render_png` and `render_svg`, for drawing it into other documents (the badges PDF);
    ValueError above MAX_QR_VERSION."""
    matrix: list[list[bool]] = _qr(payload, 1).get_matrix()
    return matrix
