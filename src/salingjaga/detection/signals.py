"""The signal types, in one place.

Their values are stored in the ``signal`` table and named in ``routing.toml``, so they never
change; a new detector adds a member here and declares it (``detection/detectors``).
"""

from __future__ import annotations

from enum import StrEnum


class SignalType(StrEnum):
    """Every kind of signal a detector may produce."""

    # text
    CLASSIFIER = "classifier"
    CLAIM_MATCH = "claim_match"
    SCAM_PATTERN = "scam_pattern"
    FUNDRAISING = "fundraising"
    # text read from images and video frames
    ON_SCREEN_TEXT = "on_screen_text"
    OCR_UNAVAILABLE = "ocr_unavailable"
    # media: hash banks
    MD5_MATCH = "md5_match"
    MEDIA_HASH_MATCH = "media_hash_match"
    MEDIA_ERROR = "media_error"
    # media: synthetic and credentials
    CREATOR_AI_LABEL = "creator_ai_label"
    C2PA_AI = "c2pa_ai"
    C2PA_AI_UNVERIFIED = "c2pa_ai_unverified"
    UNLABELLED_AI_PUBLIC_FIGURE = "unlabelled_ai_public_figure"
    # behaviour
    NEAR_DUPLICATE = "near_duplicate"
    COORDINATED_BURST = "coordinated_burst"


ALL_SIGNAL_TYPES: frozenset[str] = frozenset(t.value for t in SignalType)
