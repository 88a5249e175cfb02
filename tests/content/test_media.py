"""Media types come from the bytes; stored names carry the sniffed type's extension;
identical files stored at the same moment all succeed."""

from __future__ import annotations

import base64
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from salingjaga.content.media import sniff_mime, store_bytes, stored_filename
from tests.conftest import bearer
from tests.detection.helpers import encode, picture, video


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


def _dng() -> bytes:
    """A TIFF whose first IFD carries DNGVersion (1.4.0.0), as every DNG does."""
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[50706] = b"\x01\x04\x00\x00"
    ifd.tagtype[50706] = 1
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (9, 9, 9)).save(buf, "TIFF", tiffinfo=ifd)
    return buf.getvalue()


def _mov() -> bytes:
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mov") as container:
        stream = container.add_stream("mpeg4", rate=12)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


@pytest.mark.parametrize(("data", "mime"), [
    (encode(picture(1), "PNG"), "image/png"),
    (encode(picture(1), "JPEG"), "image/jpeg"),
    (encode(picture(1), "GIF"), "image/gif"),
    (encode(picture(1), "WEBP"), "image/webp"),
    (encode(picture(1, (160, 120)), "AVIF"), "image/avif"),
    (encode(picture(1, (160, 120)), "TIFF"), "image/tiff"),
    (_ftyp(b"heic", b"mif1", b"heic"), "image/heic"),  # an iPhone photo's header
    (_ftyp(b"mif1", b"mif1", b"heic"), "image/heic"),  # generic HEIF major brand, HEVC inside
    (_ftyp(b"mif1", b"mif1", b"miaf"), "image/heif"),
    (_ftyp(b"msf1", b"msf1", b"hevc"), "image/heic-sequence"),
    (_ftyp(b"avis", b"avis", b"msf1"), "image/avif"),
    (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "video/mp4"),
    (_ftyp(b"mp42", b"mp42", b"isom"), "video/mp4"),
    (_ftyp(b"qt  ", b"qt  "), "video/quicktime"),
    (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio/mp4"),
    (_ftyp(b"3gp5", b"3gp5", b"isom"), "video/3gpp"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
])
def test_sniffing_from_magic_bytes(data: bytes, mime: str) -> None:
    assert sniff_mime(data) == mime


def test_real_videos_and_raw_photos_are_told_apart() -> None:
    assert sniff_mime(video(1, frames=4)) == "video/mp4"
    assert sniff_mime(_mov()) == "video/quicktime"
    assert sniff_mime(_dng()) == "image/x-adobe-dng"
    big_endian_dng = (b"MM\x00*\x00\x00\x00\x08" + b"\x00\x01" + (50706).to_bytes(2, "big")
                      + b"\x00\x01\x00\x00\x00\x04\x01\x04\x00\x00" + b"\x00" * 4)
    assert sniff_mime(big_endian_dng) == "image/x-adobe-dng"


@pytest.mark.parametrize("data", [
    b"RIFF\x10\x00\x00\x00AVI LIST",  # not an image
    b"RIFF\x10\x00\x00\x00XXXXjunk",
    b"RIFF\x10\x00\x00\x00WEBPjunk",  # WEBP form without an image chunk
    b"<!doctype html><script>alert(1)</script>",
    b"\x00\x00\x00\x10ftypzzzz\x00\x00\x00\x00",  # an unknown brand
    b"",
])
def test_riff_and_unknown_bytes_are_not_webp(data: bytes) -> None:
    assert sniff_mime(data) != "image/webp"


def test_stored_name_takes_the_sniffed_extension() -> None:
    assert stored_filename("pesan.html", "image/gif") == "pesan.gif"
    assert stored_filename("../../a.php.jpg", "image/jpeg") == "a_php.jpg"
    assert stored_filename("IMG_0001.HEIC", "image/heic") == "IMG_0001.heic"
    assert stored_filename(".htaccess", "image/png") == "htaccess.png"
    assert stored_filename(None, "image/png") == ""


def test_identical_bytes_stored_by_many_threads_at_once(tmp_path: Path) -> None:
    data = encode(picture(3), "PNG")
    barrier = threading.Barrier(16)

    def store(_: int) -> tuple[str, str, str]:
        barrier.wait()
        return store_bytes(tmp_path, "media", data)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(store, range(16)))
    assert len(set(results)) == 1
    rel = results[0][2]
    assert (tmp_path / rel).read_bytes() == data
    assert [p.name for p in (tmp_path / rel).parent.iterdir()] == [Path(rel).name]  # no temp left


def _body(pid: str, data: bytes, filename: str = "x.jpg", kind: str = "image") -> dict:
    return {"platform_id": pid, "kind": kind, "caption": "foto",
            "account": {"platform_id": "acc-m", "handle": "media_tester"},
            "media": [{"kind": kind, "filename": filename, "data_base64": base64.b64encode(data).decode()}]}


def test_concurrent_identical_uploads_all_succeed(client, world, settings) -> None:
    # On SQLite the write lock lines the requests up; on PostgreSQL (--postgres) they store
    # the file at the same moment, which is where a shared temporary name answered 500.
    service = bearer(world.key("service"))
    client.post("/api/v1/accounts", headers=service, json={"platform_id": "acc-m", "handle": "media_tester"})
    # a few megabytes of noise: writing and syncing takes long enough for requests to overlap
    noise = np.random.default_rng(4).integers(0, 256, (1000, 1000, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "PNG")

    def post(i: int) -> int:
        body = _body(f"same-{i}", data)
        body.pop("account")
        body["account_id"] = "acc-m"
        return client.post("/api/v1/content", headers=service, json=body).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(post, range(24)))
    assert codes == [201] * 24
    files = [p for p in (settings.data_dir / "media").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == data


def test_html_polyglot_is_stored_under_the_sniffed_type(client, world) -> None:
    service = bearer(world.key("service"))
    polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<html><script>alert(document.cookie)</script>"
    r = client.post("/api/v1/content", headers=service, json=_body("poly", polyglot, "pesan.html"))
    assert r.status_code == 201, r.text
    [media] = r.json()["media"]
    assert media["mime"] == "image/gif" and media["filename"] == "pesan.gif"


@pytest.mark.parametrize(("data", "kind", "message"), [
    (b"RIFF\x10\x00\x00\x00AVI LIST\x00\x00\x00\x00", "image", "video/x-msvideo, which is not accepted"),
    (b"RIFF\x10\x00\x00\x00XXXXjunkjunk", "image", "not recognised"),
    (b"<!doctype html><p>hello</p>", "image", "not recognised"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "image", "application/pdf, which is not accepted"),
])
def test_unknown_or_unsupported_types_get_415(client, world, data: bytes, kind: str, message: str) -> None:
    service = bearer(world.key("service"))
    r = client.post("/api/v1/content", headers=service, json=_body("bad", data, "x.webp", kind))
    assert r.status_code == 415, r.text
    assert message in r.text and "accepted:" in r.text


def test_heic_photo_is_an_image_not_a_video(client, world) -> None:
    service = bearer(world.key("service"))
    heic = _ftyp(b"heic", b"mif1", b"heic") + b"\x00" * 64
    r = client.post("/api/v1/content", headers=service, json=_body("heic", heic, "IMG_0001.HEIC"))
    assert r.status_code == 201, r.text
    [media] = r.json()["media"]
    assert media["mime"] == "image/heic" and media["filename"] == "IMG_0001.heic"
    r = client.post("/api/v1/content", headers=service, json=_body("heic-v", heic, "clip.mp4", "video"))
    assert r.status_code == 415 and "does not match" in r.text
    r = client.post("/api/v1/content", headers=service, json=_body("dng", _dng(), "raw.dng"))
    assert r.status_code == 201 and r.json()["media"][0]["mime"] == "image/x-adobe-dng"


def test_notice_evidence_takes_the_sniffed_extension_too(client, world) -> None:
    from tests.moderation.helpers import make_content, notice_body

    flagger = world.key("partner_reporter", world.partner())
    item = make_content(client, world.key("service"))
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<html><script>alert(document.cookie)</script>"
    r = client.post(f"/api/v1/notices/{notice['id']}/evidence", headers=bearer(flagger),
                    files={"file": ("bukti.html", polyglot, "text/html")})
    assert r.status_code == 201, r.text
    assert r.json()["mime"] == "image/gif" and r.json()["filename"] == "bukti.gif"
