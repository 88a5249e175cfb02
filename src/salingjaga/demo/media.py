"""Pictures for the demo world's posts, drawn here rather than shipped as files: a poster
for the image post and a short video whose scene changes each second (so it has several
keyframes for the case page to show). Shapes and colours only, no text, so what detection
reads from them is the same on every machine."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw

SIZE = (320, 180)
COLOURS = ((190, 30, 45), (30, 90, 170), (20, 130, 80), (200, 140, 20))


def _scene(k: int) -> Image.Image:
    image = Image.new("RGB", SIZE, COLOURS[k % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((20 + 30 * k, 30, 120 + 30 * k, 150), fill=(245, 245, 245))
    draw.ellipse((190, 40 + 10 * k, 290, 140 + 10 * k), fill=(25, 25, 25))
    return image


def poster_png() -> bytes:
    """A poster-like picture (PNG)."""
    buf = io.BytesIO()
    _scene(1).save(buf, "PNG")
    return buf.getvalue()


def scenes_mp4(seconds: int = 4, fps: int = 2) -> bytes:
    """An MP4 of ``seconds`` seconds, one scene and one keyframe per second."""
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.gop_size = fps
        for n in range(seconds * fps):
            frame = av.VideoFrame.from_ndarray(np.asarray(_scene(n // fps)), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def media_for(platform_id: str) -> list[dict[str, str]]:
    """The media entries (``MediaIn`` shape) of a demo post, none for most."""
    if platform_id == "vid-5001":
        data, kind, name = scenes_mp4(), "video", "wa-coblos.mp4"
    elif platform_id == "img-6001":
        data, kind, name = poster_png(), "image", "surat-suara.png"
    else:
        return []
    return [{"kind": kind, "filename": name, "data_base64": base64.b64encode(data).decode("ascii")}]
