"""Pictures and videos with words drawn on them, made by the tests themselves."""

from __future__ import annotations

import io
import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def text_picture(text: str, size: tuple[int, int] = (720, 1280), ink: tuple[int, int, int] = (255, 255, 255),
                 paper: tuple[int, int, int] = (170, 20, 20), font_size: int = 44) -> Image.Image:
    """A phone-shaped poster carrying ``text``."""
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, font_size)
    chars = max(8, int((size[0] - 100) / (font_size * 0.68)))
    for i, line in enumerate(textwrap.wrap(text, chars)):
        draw.text((50, 200 + i * int(font_size * 1.3)), line, font=font, fill=ink)
    return image


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    """JPEG bytes of an image."""
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def captioned_video(captions: list[str | None], seconds_each: int = 2, fps: int = 4,
                    size: tuple[int, int] = (360, 640)) -> bytes:
    """An MP4 (a keyframe every second) showing each caption (None: no text) for
    ``seconds_each`` seconds over a slowly moving background."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        try:
            stream = container.add_stream("libx264", rate=fps)
        except Exception:
            stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.gop_size = fps
        frame_no = 0
        for caption in captions:
            for _ in range(seconds_each * fps):
                shade = 40 + (frame_no * 3) % 60  # the background drifts; the caption stays
                picture = (text_picture(caption, size, paper=(shade, shade, 90), font_size=30)
                           if caption else Image.new("RGB", size, (shade, shade, 90)))
                frame = av.VideoFrame.from_ndarray(np.asarray(picture), format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
                frame_no += 1
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()
