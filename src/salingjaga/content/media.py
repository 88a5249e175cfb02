"""Storing media bytes by content hash. Files live under ``<data_dir>/media``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from salingjaga.errors import Invalid

MAX_MEDIA_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# Magic numbers of the types we accept; the declared type must agree with the bytes.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"RIFF", 0, "image/webp"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
    (b"ID3", 0, "audio/mpeg"),
    (b"%PDF", 0, "application/pdf"),
)


def sniff_mime(data: bytes) -> str | None:
    """The type the bytes actually are, from their magic number."""
    for magic, offset, mime in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return mime
    return None


def safe_filename(name: str | None) -> str:
    """A file name with any path part and unsafe characters removed."""
    if not name:
        return ""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).lstrip(".")
    return base[:120]


def stored_relpath(folder: str, sha256: str) -> str:
    """Where a file with this SHA-256 lives under the data directory: the one layout rule
    writers and readers of the content-addressed store share."""
    return f"{folder}/{sha256[:2]}/{sha256}"


def store_bytes(data_dir: Path, folder: str, data: bytes) -> tuple[str, str, str]:
    """Write bytes content-addressed; return (sha256, md5, relative path). Idempotent."""
    sha = hashlib.sha256(data).hexdigest()
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    rel = stored_relpath(folder, sha)
    path = data_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(path)
    return sha, md5, rel


def decode_media(item: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """Turn one MediaIn dict into the stored media record (bytes written if given)."""
    out: dict[str, Any] = {
        "kind": item["kind"],
        "url": item.get("url"),
        "filename": safe_filename(item.get("filename")),
        "mime": item.get("mime"),
    }
    b64 = item.get("data_base64")
    if b64:
        try:
            data = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid("media data_base64 is not valid base64") from exc
        if len(data) > MAX_MEDIA_BYTES:
            raise Invalid(f"media file larger than {MAX_MEDIA_BYTES} bytes", status=413,
                          code="payload_too_large")
        sniffed = sniff_mime(data)
        if sniffed is None:
            raise Invalid("media file type not recognised (allowed: png, jpeg, gif, webp, mp4, "
                          "webm, mp3)", status=415, code="unsupported_media_type")
        declared = item.get("mime")
        if declared and declared.split("/")[0] != sniffed.split("/")[0]:
            raise Invalid(f"media declared as {declared} but the bytes are {sniffed}",
                          status=415, code="unsupported_media_type")
        if not sniffed.startswith(item["kind"]) and not (
            item["kind"] == "video" and sniffed.startswith("video")
        ):
            raise Invalid(f"media kind {item['kind']} does not match file type {sniffed}",
                          status=415, code="unsupported_media_type")
        sha, md5, rel = store_bytes(data_dir, "media", data)
        out.update({"sha256": sha, "md5": md5, "path": rel, "size": len(data), "mime": sniffed})
    elif not item.get("url"):
        raise Invalid("each media entry needs a url or data_base64")
    return out
