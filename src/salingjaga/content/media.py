"""Storing media bytes by content hash. Files live under ``<data_dir>/media``.

What a file is comes from its bytes, never from the name or type the client declared: the
client's name only lends its stem to the stored name, whose extension is the sniffed type's,
so a page uploaded as ``x.html`` that starts like a GIF is kept as ``x.gif``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import struct
import tempfile
from pathlib import Path
from typing import Any

from salingjaga.core.errors import Invalid

MAX_MEDIA_BYTES = 50 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# The extension each sniffed type is stored under.
EXTENSIONS: dict[str, str] = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
    "image/heic": "heic", "image/heic-sequence": "heics", "image/heif": "heif",
    "image/avif": "avif", "image/tiff": "tif", "image/x-adobe-dng": "dng",
    "video/mp4": "mp4", "video/quicktime": "mov", "video/3gpp": "3gp", "video/webm": "webm",
    "video/x-matroska": "mkv", "video/x-msvideo": "avi",
    "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/wav": "wav",
    "application/pdf": "pdf",
}
# Types a content item's media may carry (a PDF or an unknown container is refused with 415).
MEDIA_TYPES = frozenset(EXTENSIONS) - {"application/pdf", "video/x-msvideo", "video/x-matroska"}

# ISO base media file format (ftyp) brands, by what they make the file.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis"})
_HEIC_SEQUENCE_BRANDS = frozenset({b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8",
                         b"iso9", b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"M4V ", b"M4VH",
                         b"M4VP", b"f4v ", b"mmp4", b"MSNV", b"NDAS", b"XAVC"})
_MP4_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A "})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
DNG_VERSION_TAG = 50706  # the tag every DNG carries in IFD0 (DNG specification 1.0 to 1.7)
_MAX_IFD_ENTRIES = 4096


def _ftyp_type(data: bytes) -> str | None:
    """The type of an ISO BMFF file from its ftyp box: major brand, then compatible brands.

    Still images (HEIF family) are told apart from video by brand, so an iPhone photo is
    not taken for an MP4 because both start with ``ftyp``.
    """
    size = struct.unpack(">I", data[0:4])[0]
    if size < 16 or size % 4:
        size = min(len(data), 64)  # a damaged size: read the brands the header holds
    box = data[8 : min(size, len(data), 4096)]
    brands = [box[0:4]] + [box[i : i + 4] for i in range(8, len(box) - 3, 4)]
    ordered = (
        (_AVIF_BRANDS, "image/avif"), (_HEIC_BRANDS, "image/heic"),
        (_HEIC_SEQUENCE_BRANDS, "image/heic-sequence"), (_HEIF_BRANDS, "image/heif"),
        (_QUICKTIME_BRANDS, "video/quicktime"), (_MP4_AUDIO_BRANDS, "audio/mp4"),
        (_MP4_BRANDS, "video/mp4"),
    )
    major = brands[0]
    if major.startswith(b"3g"):
        return "video/3gpp"
    for family, mime in ordered:
        if major in family:
            if family is _HEIF_BRANDS:
                break  # a generic HEIF major brand: the compatible brands say which codec
            return mime
    for family, mime in ordered:
        if any(b in family for b in brands[1:]):
            return mime
    return "image/heif" if major in _HEIF_BRANDS else None


def _tiff_type(data: bytes) -> str:
    """A TIFF, or a DNG when its first IFD carries the DNGVersion tag."""
    order = "<" if data[:2] == b"II" else ">"
    try:
        (offset,) = struct.unpack(order + "I", data[4:8])
        (count,) = struct.unpack(order + "H", data[offset : offset + 2])
        for i in range(min(count, _MAX_IFD_ENTRIES)):
            start = offset + 2 + 12 * i
            (tag,) = struct.unpack(order + "H", data[start : start + 2])
            if tag == DNG_VERSION_TAG:
                return "image/x-adobe-dng"
    except struct.error:
        pass  # an IFD beyond the bytes: still a TIFF header, decoding will judge the rest
    return "image/tiff"


def sniff_mime(data: bytes) -> str | None:
    """The type the bytes actually are, from their magic number; None when unknown."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
            return "image/webp"
        if form == b"WAVE":
            return "audio/wav"
        if form == b"AVI ":
            return "video/x-msvideo"
        return None  # any other RIFF (or WEBP without an image chunk) is nothing we read
    if head[4:8] == b"ftyp" and len(data) >= 12:
        return _ftyp_type(data)
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _tiff_type(data)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in data[:64] else "video/x-matroska"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str | None) -> str:
    """A file name with any path part and unsafe characters removed."""
    if not name:
        return ""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).lstrip(".")
    return base[:120]


def stored_filename(name: str | None, mime: str) -> str:
    """The client's name made safe, its extension replaced by the sniffed type's ("" when
    the client gave no name).

    Whatever serves or downloads the file later goes by the extension: it must say what
    the bytes are, never what the client called them (``x.html`` holding a GIF is
    ``x.gif``; ``a.php.jpg`` is ``a_php.jpg``).
    """
    base = safe_filename(name)
    if not base:
        return ""
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.replace(".", "_").strip("_-") or "media"
    ext = EXTENSIONS.get(mime, "bin")
    return f"{stem[:100]}.{ext}"


def stored_relpath(folder: str, sha256: str) -> str:
    """Where a file with this SHA-256 lives under the data directory: the one layout rule
    writers and readers of the content-addressed store share."""
    return f"{folder}/{sha256[:2]}/{sha256}"


def verified_stored_file(data_dir: Path, folder: str, sha256: str) -> Path | None:
    """The stored file with this SHA-256 in ``folder`` of the content-addressed store, or
    None. Only a well-formed digest is used, the resolved path must stay inside the folder,
    and the bytes must still hash to the digest, so a moved, swapped or tampered file is
    never served."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        return None
    store = (Path(data_dir) / folder).resolve()
    target = (Path(data_dir) / stored_relpath(folder, sha256)).resolve()
    if store not in target.parents or not target.is_file():
        return None
    digest = hashlib.sha256()
    with target.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return target if digest.hexdigest() == sha256 else None


def store_bytes(data_dir: Path, folder: str, data: bytes) -> tuple[str, str, str]:
    """Write bytes content-addressed; return (sha256, md5, relative path). Idempotent.

    Each writer uses its own temporary file in the target folder and renames it into
    place: several threads or processes storing the same bytes at once each finish with
    the complete file there, and a reader never sees a half-written one.
    """
    sha = hashlib.sha256(data).hexdigest()
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    rel = stored_relpath(folder, sha)
    path = data_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{sha[:16]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
    return sha, md5, rel


def _kind_matches(kind: str, mime: str) -> bool:
    return mime.split("/", 1)[0] == kind


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
            raise Invalid("media data_base64 is not valid base64", reason="content.media_not_base64") from exc
        if len(data) > MAX_MEDIA_BYTES:
            raise Invalid(f"media file larger than {MAX_MEDIA_BYTES} bytes", status=413,
                          code="payload_too_large", reason="content.media_too_large",
                          params={"limit": MAX_MEDIA_BYTES})
        sniffed = sniff_mime(data)
        if sniffed is None or sniffed not in MEDIA_TYPES:
            what = "not recognised" if sniffed is None else f"{sniffed}, which is not accepted"
            raise Invalid(f"media file type {what} (accepted: JPEG, PNG, GIF, WebP, HEIC/HEIF, "
                          "AVIF, TIFF, DNG images; MP4, MOV, 3GP, WebM videos; MP3, M4A, WAV audio)",
                          status=415, code="unsupported_media_type", reason="content.media_type")
        declared = item.get("mime")
        if declared and declared.split("/")[0] != sniffed.split("/")[0]:
            raise Invalid(f"media declared as {declared} but the bytes are {sniffed}",
                          status=415, code="unsupported_media_type", reason="content.media_type_mismatch",
                          params={"declared": declared, "found": sniffed})
        if not _kind_matches(item["kind"], sniffed):
            raise Invalid(f"media kind {item['kind']} does not match file type {sniffed}",
                          status=415, code="unsupported_media_type", reason="content.media_kind_mismatch",
                          params={"found": sniffed})
        sha, md5, rel = store_bytes(data_dir, "media", data)
        out.update({"sha256": sha, "md5": md5, "path": rel, "size": len(data), "mime": sniffed,
                    "filename": stored_filename(item.get("filename"), sniffed)})
    elif not item.get("url"):
        raise Invalid("each media entry needs a url or data_base64", reason="content.media_missing")
    return out
