"""Media the detection tests generate themselves: images, videos, C2PA-signed files."""

from __future__ import annotations

import datetime
import functools
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

# Third-party reference files (PDQ, C2PA) beside the repository: ../shared/conformance,
# described in its README.
CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


def picture(seed: int = 0, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A deterministic image of gradients and shapes (distinct per seed)."""
    rng = np.random.default_rng(seed)
    w, h = size
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    base = np.stack([255 * x * np.ones_like(y), 255 * y * np.ones_like(x),
                     255 * (1 - x) * y], axis=2).astype(np.uint8)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        x0, y0 = int(rng.integers(0, w - 60)), int(rng.integers(0, h - 60))
        x1, y1 = x0 + int(rng.integers(30, 200)), y0 + int(rng.integers(30, 150))
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.integers(0, 2):
            draw.ellipse((x0, y0, x1, y1), fill=color)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=color)
    return img


def encode(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    """Image bytes in a format."""
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def video(seed: int = 0, frames: int = 24, size: tuple[int, int] = (160, 120)) -> bytes:
    """A small MP4 (H.264 if available, else MPEG-4) whose frames are ``picture(seed)``."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        try:
            stream = container.add_stream("libx264", rate=12)
        except Exception:
            stream = container.add_stream("mpeg4", rate=12)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.gop_size = 6
        base = np.asarray(picture(seed, size))
        _write(container, stream, (np.roll(base, i, axis=1) for i in range(frames)))
    return buf.getvalue()


def _write(container: Any, stream: Any, frames: Iterable[np.ndarray]) -> None:
    """Encode RGB frames into the stream and flush it."""
    import av

    for arr in frames:
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _name(cn: str) -> object:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SalingJaga Test")])


_KU = dict(content_commitment=False, key_encipherment=False, data_encipherment=False,
           key_agreement=False, encipher_only=False, decipher_only=False)


@functools.cache
def _ca(root: str) -> tuple[object, object]:
    """A root CA (key, certificate) generated once per test run, never stored."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(root)).issuer_name(_name(root))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **_KU),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def ca_pem(root: str = "Test Root") -> bytes:
    """The PEM certificate of a test root CA: what an operator puts in the trust list."""
    from cryptography.hazmat.primitives import serialization

    return _ca(root)[1].public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]


def test_signer(root: str = "Test Root") -> object:
    """A c2pa Signer over a leaf ES256 certificate issued by the test root ``root``."""
    import c2pa
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    ca_key, ca = _ca(root)
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name("Test Signer")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **_KU),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca_pem(root)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, pem, None))


def c2pa_signed_jpeg(img: Image.Image, source_type: str | None, *, ingredient: bytes | None = None,
                     root: str = "Test Root") -> bytes:
    """JPEG bytes carrying a manifest signed under the test root ``root``; ``source_type``
    on its created/opened action."""
    import c2pa

    action: dict[str, object] = {"action": "c2pa.opened" if ingredient else "c2pa.created"}
    if source_type:
        action["digitalSourceType"] = f"http://cv.iptc.org/newscodes/digitalsourcetype/{source_type}"
    manifest = {"claim_generator_info": [{"name": "salingjaga-test-generator", "version": "1"}],
                "title": "test.jpg", "format": "image/jpeg",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}]}
    if ingredient is not None:
        action["parameters"] = {"ingredientIds": ["parent-1"]}
    builder = c2pa.Builder(json.dumps(manifest))
    if ingredient is not None:
        builder.add_ingredient(json.dumps({"title": "parent.jpg", "relationship": "parentOf",
                                           "label": "parent-1"}),
                               "image/jpeg", io.BytesIO(ingredient))
    dst = io.BytesIO()
    builder.sign(test_signer(root), "image/jpeg", io.BytesIO(encode(img, "JPEG", quality=90)), dst)
    return dst.getvalue()


def scene_video(seed: int = 0, seconds: int = 12, size: tuple[int, int] = (320, 240), fps: int = 10,
                scene_seconds: int = 2, codec: str = "libx264", preset: str = "ultrafast") -> bytes:
    """An MP4 of ``seconds`` seconds whose scene (``picture``) changes every ``scene_seconds``,
    panning slowly within a scene, so sampled frames differ along the video. ``preset`` is
    x264's (``ultrafast`` encodes fastest; ``veryfast`` and slower use B-frames, as most
    published video does)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": preset}
        scenes = [np.asarray(picture(seed * 1000 + k, size)) for k in range(-(-seconds // scene_seconds))]
        span = fps * scene_seconds
        _write(container, stream, (np.roll(scenes[i // span], i % span, axis=1) for i in range(seconds * fps)))
    return buf.getvalue()


def transcode(data: bytes, *, size: tuple[int, int] | None = None, start: float = 0.0,
              end: float | None = None, codec: str = "mpeg4", bitrate: int = 400_000) -> bytes:
    """A re-encoded copy of a video (another codec and bit rate), optionally resized and
    trimmed to ``start .. end`` seconds, decoded and encoded with PyAV (libav)."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(data)) as src, av.open(out, mode="w", format="mp4") as dst:
        vin = src.streams.video[0]
        rate = vin.average_rate or 10
        stream = dst.add_stream(codec, rate=rate)
        width, height = size or (vin.codec_context.width, vin.codec_context.height)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = bitrate
        kept = (f for f in src.decode(vin)
                if start <= float(f.time or 0.0) and (end is None or float(f.time or 0.0) < end))
        _write(dst, stream, (np.asarray(f.to_image().resize((width, height))) for f in kept))
    return out.getvalue()
