"""The pictures people see of a content item are made when it is scanned: a video's
keyframes (with the second each appears at) and an image's thumbnail, as small JPEGs kept
by the file's hash. A file that cannot be decoded leaves no picture and fails nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from PIL import Image

from salingjaga.demo.media import scenes_mp4
from salingjaga.detection.previews import EDGE, FOLDER, preview_file, preview_frames
from tests.conftest import bearer
from tests.detection.helpers import encode, picture
from tests.detection.test_hostile_media import _mangled_codec_mp4


def _post(client, db, key: str, pid: str, kind: str, data: bytes) -> dict:
    """Post an item through the API (scanned at once) and return it as stored."""
    from salingjaga.content.models import ContentItem

    r = client.post("/api/v1/content", headers=bearer(key), json={
        "platform_id": pid, "kind": kind, "caption": "Lihat ini",
        "account": {"platform_id": "acc-previews", "handle": "previews"},
        "media": [{"kind": kind, "filename": f"f.{'mp4' if kind == 'video' else 'png'}",
                   "data_base64": base64.b64encode(data).decode()}]})
    assert r.status_code == 201, r.text
    with db.session() as session:
        return {"media": list(session.get(ContentItem, r.json()["id"]).media)}


def test_scanning_makes_the_keyframes_and_the_thumbnail(client, db, world, settings) -> None:
    key = world.key("service")
    video = _post(client, db, key, "vid-p1", "video", scenes_mp4(seconds=3))  # a keyframe each second
    image = _post(client, db, key, "img-p1", "image", encode(picture(7, (800, 600))))
    data_dir = Path(settings.data_dir)
    folder = data_dir / FOLDER / video["media"][0]["sha256"][:2] / video["media"][0]["sha256"]
    seconds = json.loads((folder / "frames.json").read_text())  # made by the scan, before any page
    assert seconds == [0.0, 1.0, 2.0]
    for n in range(len(seconds)):
        with Image.open(folder / f"{n}.jpg") as jpeg:
            assert jpeg.format == "JPEG" and max(jpeg.size) <= EDGE
    assert preview_frames(data_dir, image["media"][0]) == [None]
    with Image.open(preview_file(data_dir, image["media"][0], 0)) as thumb:
        assert thumb.size == (EDGE, 240)
    assert preview_file(data_dir, image["media"][0], 1) is None


def test_an_undecodable_video_has_no_pictures(client, db, world, settings) -> None:
    item = _post(client, db, world.key("service"), "vid-p2", "video", _mangled_codec_mp4())
    assert preview_frames(Path(settings.data_dir), item["media"][0]) == []
    # an entry that names no stored file (a URL only, or a path outside the store) has none
    assert preview_frames(Path(settings.data_dir), {"kind": "video", "url": "https://x.example/v.mp4"}) == []
    outside = {**item["media"][0], "path": "../../etc/passwd"}
    assert preview_frames(Path(settings.data_dir), outside) == []
