"""The eight orientations of an image (the dihedral group of the square), in the order
``pdqhash.compute_dihedral`` returns their hashes and with Meta's names for them.

A rotated or flipped copy hashes 100+ bits away from its original, so matching hashes the
query in all eight orientations. When the query's orientation ``k`` matches a bank entry,
the copy is the original turned by the inverse of ``k``: that is what an explanation names.
"""

from __future__ import annotations

ORIENTATIONS: tuple[str, ...] = (
    "original", "rotate-90", "rotate-180", "rotate-270",
    "flip-x", "flip-y", "flip-plus-1", "flip-minus-1",
)
# Rotations by 90 and 270 degrees undo each other; every flip undoes itself.
_INVERSE: tuple[int, ...] = (0, 3, 2, 1, 4, 5, 6, 7)
DESCRIPTIONS: dict[str, str] = {
    "original": "as posted",
    "rotate-90": "rotated 90° counter-clockwise",
    "rotate-180": "rotated 180°",
    "rotate-270": "rotated 90° clockwise",
    "flip-x": "flipped upside down (mirrored top to bottom)",
    "flip-y": "mirrored left to right",
    "flip-plus-1": "mirrored across its main diagonal",
    "flip-minus-1": "mirrored across its anti-diagonal",
}


def copy_orientation(matched_index: int) -> str:
    """How the copy is turned relative to the original, given which of the copy's eight
    dihedral hashes matched the original's hash."""
    return ORIENTATIONS[_INVERSE[matched_index]]
