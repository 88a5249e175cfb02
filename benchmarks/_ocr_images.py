"""Phone-sized images of post text, the way hoaxes travel: a caption drawn on a poster, a
screenshot, a meme. Several fonts found on the machine, text and background colours (flat,
gradient, photo-like noise), JPEG quality 60-90, a slight rotation and sensor noise.

The renderer is seeded and knows nothing about the posts it draws, so held-back posts get
the same treatment as the development ones.
"""

from __future__ import annotations

import glob
import io
import textwrap
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZES = ((720, 1280), (1080, 1920), (1080, 1350), (1080, 1080), (828, 1792))
# (text, background) pairs: dark on light, light on dark, and the loud poster colours.
PALETTES = (
    ((20, 20, 20), (250, 250, 245)), ((255, 255, 255), (25, 25, 35)), ((255, 230, 0), (180, 0, 0)),
    ((10, 10, 80), (255, 214, 90)), ((255, 255, 255), (0, 90, 170)), ((30, 30, 30), (200, 230, 255)),
    ((255, 255, 255), (20, 120, 60)), ((0, 0, 0), (255, 255, 255)),
)
MAX_WORDS = 70  # a post longer than this is cut: a poster carries its first lines


@cache
def fonts() -> tuple[str, ...]:
    """TrueType fonts installed on the machine (DejaVu at least, which CI installs)."""
    found = sorted(glob.glob("/usr/share/fonts/**/*.ttf", recursive=True))
    wanted = [f for f in found if not any(s in f for s in ("ExtraLight", "MathTeX", "Symbol", "Emoji"))]
    if not wanted:
        raise RuntimeError("no TrueType font found under /usr/share/fonts (install fonts-dejavu-core)")
    return tuple(wanted)


def clip(text: str, words: int = MAX_WORDS) -> str:
    """The part of a post an image carries: its first ``words`` words."""
    return " ".join(text.split()[:words])


def _background(size: tuple[int, int], colour: tuple[int, int, int], rng: np.random.Generator) -> Image.Image:
    w, h = size
    kind = int(rng.integers(0, 3))
    base = np.empty((h, w, 3), dtype=np.float32)
    base[:] = colour
    if kind == 1:  # vertical gradient towards a darker or lighter shade
        shade = rng.uniform(-60, 60)
        base += np.linspace(0, shade, h, dtype=np.float32)[:, None, None]
    elif kind == 2:  # blotchy photo-like texture, blurred
        small = rng.normal(0, 25, (h // 40 + 1, w // 40 + 1, 3)).astype(np.float32)
        blotch = np.asarray(Image.fromarray(np.clip(small + 128, 0, 255).astype(np.uint8)).resize(
            (w, h), Image.Resampling.BICUBIC), dtype=np.float32) - 128
        base += blotch
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def render(text: str, rng: np.random.Generator) -> bytes:
    """One JPEG of ``text`` (clipped) with random font, size, colours, rotation and noise."""
    w, h = SIZES[int(rng.integers(0, len(SIZES)))]
    ink, paper = PALETTES[int(rng.integers(0, len(PALETTES)))]
    image = _background((w, h), paper, rng)
    draw = ImageDraw.Draw(image)
    font_path = fonts()[int(rng.integers(0, len(fonts())))]
    body = clip(text)
    margin = int(w * rng.uniform(0.06, 0.1))
    # the largest font size (within a phone's range) at which the wrapped text fits
    for size in range(int(w * rng.uniform(0.05, 0.075)), 14, -2):
        font = ImageFont.truetype(font_path, size)
        chars = max(8, int((w - 2 * margin) / (font.getlength("abcdefghij") / 10)))
        lines = textwrap.wrap(body, chars) or [""]
        line_h = int(size * 1.3)
        if line_h * len(lines) <= h - 2 * margin:
            break
    top = int(rng.uniform(margin, max(margin + 1, h - margin - line_h * len(lines))))
    for i, line in enumerate(lines):
        draw.text((margin, top + i * line_h), line, font=font, fill=ink)
    angle = float(rng.uniform(-3.0, 3.0))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=paper)
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.9))))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, rng.uniform(2, 10), (h, w, 3))
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=int(rng.integers(60, 91)))
    return out.getvalue()
