"""The base of the API's response models and the types they share.

Routes build their answers as plain dicts (cheap, and shared with pages and exports); the
route's ``response_model`` checks each answer against its model and is what the OpenAPI
document shows. ``extra="forbid"`` makes a key the model does not name an error in the tests
instead of a field silently dropped from the answer, and documents the objects as closed.
A key that only some answers carry is a field with a default, and its route sets
``response_model_exclude_unset=True`` so the key stays absent where it was absent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


def _iso(value: datetime) -> str:
    return value.isoformat()


# A point in time, written as ``datetime.isoformat`` writes it ("+00:00", not "Z"): the form
# the API has always answered with.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

# A JSON number that stays an integer when it is one (a ``float`` field would answer 3.0).
Number = int | float

# A text in several languages, by language code ("id", "en").
I18n = dict[str, str]

# A JSON object whose keys are data (codes, names), not fields.
Counts = dict[str, int]
JsonObject = dict[str, Any]


class ApiModel(BaseModel):
    """A closed response object."""

    model_config = ConfigDict(extra="forbid")


_DOCUMENTED: list[type[BaseModel]] = []


def documented(*models: type[BaseModel]) -> None:
    """Put ``models`` in the OpenAPI document's components: for request bodies a route
    describes by hand (``openapi_extra``), which FastAPI cannot see."""
    _DOCUMENTED.extend(m for m in models if m not in _DOCUMENTED)


def documented_models() -> list[type[BaseModel]]:
    """The models passed to ``documented``."""
    return list(_DOCUMENTED)
