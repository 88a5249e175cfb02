"""Text burned into images and video frames, read with Tesseract (tesserocr).

Election hoaxes travel as screenshots, posters and captions drawn onto video; a matcher
that reads only the typed caption sees nothing. Tesseract's Indonesian and English LSTM
models come from Debian's ``tesseract-ocr-ind``/``tesseract-ocr-eng`` packages; tesserocr
keeps one engine per thread loaded in-process (no process per image, no model reload).

When the engine or its language data is missing, ``OcrUnavailable`` says so in words; the
detector turns that into an "OCR unavailable" signal instead of a failed scan.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

LANGUAGES = ("ind", "eng")
# Where Debian and other distributions put the traineddata files.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
# Phone screenshots are ~1080 px wide; text on them stays legible to the LSTM at 1000 px,
# and Tesseract's time grows with the pixel count.
MAX_SIDE = 1280
MIN_SIDE = 360  # smaller images are enlarged: the LSTM wants ~20 px capital letters
MIN_CONFIDENCE = 30  # words below this are mostly noise read from textures


class OcrUnavailable(RuntimeError):
    """Tesseract (tesserocr) or its Indonesian/English language data is not installed."""


def tessdata_dir() -> Path:
    """The directory holding ``ind`` and ``eng`` traineddata (``SALINGJAGA_TESSDATA``
    overrides the usual places); OcrUnavailable when none has both."""
    configured = os.environ.get("SALINGJAGA_TESSDATA")
    candidates = [configured] if configured else list(TESSDATA_DIRS)
    for candidate in candidates:
        path = Path(candidate)
        if all((path / f"{lang}.traineddata").is_file() for lang in LANGUAGES):
            return path
    where = configured or ", ".join(TESSDATA_DIRS)
    raise OcrUnavailable(f"Tesseract language data for {'+'.join(LANGUAGES)} not found in {where} "
                         "(install tesseract-ocr-ind and tesseract-ocr-eng)")


@cache
def _module() -> Any:
    try:
        import tesserocr
    except ImportError as exc:  # the wheel is missing or its native library cannot load
        raise OcrUnavailable(f"tesserocr cannot be loaded: {exc}") from exc
    return tesserocr


class OcrEngine:
    """One Tesseract engine per thread, created on first use (an engine is not
    thread-safe, and loading the models costs ~0.2 s)."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES) -> None:
        self.languages = languages
        self._local = threading.local()

    def _api(self) -> Any:
        api = getattr(self._local, "api", None)
        if api is None:
            module = _module()
            path = str(tessdata_dir()) + os.sep
            try:
                api = module.PyTessBaseAPI(path=path, lang="+".join(self.languages),
                                           psm=module.PSM.AUTO, oem=module.OEM.LSTM_ONLY)
            except RuntimeError as exc:
                raise OcrUnavailable(f"Tesseract could not start: {exc}") from exc
            self._local.api = api
        return api

    def read(self, image: Image.Image) -> str:
        """The text in ``image``, line by line, without words Tesseract doubts."""
        api = self._api()
        api.SetImage(prepare(image))
        api.Recognize()
        lines: list[str] = []
        level = _module().RIL.WORD
        iterator = api.GetIterator()
        words: list[str] = []
        last_line: tuple[int, int, int, int] | None = None
        for word in _iterate(iterator, level):
            try:
                text = (word.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # tesserocr's way of saying the element holds no text
                continue
            if not any(c.isalnum() for c in text) or word.Confidence(level) < MIN_CONFIDENCE:
                continue
            line = word.BoundingBox(_module().RIL.TEXTLINE)
            if line != last_line and words:
                lines.append(" ".join(words))
                words = []
            last_line = line
            words.append(text)
        if words:
            lines.append(" ".join(words))
        return "\n".join(lines)


def _iterate(iterator: Any, level: Any) -> Any:
    if iterator is None:
        return
    while True:
        yield iterator
        if not iterator.Next(level):
            return


def prepare(image: Image.Image) -> Image.Image:
    """Grey, upright (EXIF), scaled to where Tesseract reads well and fast."""
    image = ImageOps.exif_transpose(image)
    grey = image.convert("L")
    longest, shortest = max(grey.size), min(grey.size)
    scale = 1.0
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
    elif shortest < MIN_SIDE:
        scale = min(MIN_SIDE / max(shortest, 1), MAX_SIDE / max(longest, 1))
    if scale != 1.0:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.BILINEAR)
    return grey


@cache
def default_engine() -> OcrEngine:
    """The process's engine (each thread gets its own Tesseract inside it)."""
    return OcrEngine()


def unavailable_reason() -> str | None:
    """Why OCR cannot run here, or None when it can."""
    try:
        _module()
        tessdata_dir()
    except OcrUnavailable as exc:
        return str(exc)
    return None


@cache
def engine_name() -> str:
    """The engine and models in use, stored beside cached text (a change re-reads files)."""
    try:
        version = str(_module().tesseract_version()).split()[1]
    except (OcrUnavailable, IndexError):
        version = "unavailable"
    return f"tesseract {version} {'+'.join(LANGUAGES)}"
