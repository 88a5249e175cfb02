"""Accounts and content items as the platform sends them, plus their moderation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

ACCOUNT_KINDS = ("personal", "business", "government", "politician", "political_party")
GPPPA_KINDS = frozenset({"government", "politician", "political_party"})
CONTENT_KINDS = ("video", "image", "text", "live")


class Account(Base):
    """A platform account. GPPPA accounts are those of kind government, politician or
    political_party; ``kind_source`` says whether the platform or a reviewer set it."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform_id: Mapped[str] = mapped_column(String(200), unique=True)
    handle: Mapped[str] = mapped_column(String(200), index=True)
    display_name: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(30), default="personal", index=True)
    kind_source: Mapped[str] = mapped_column(String(30), default="platform")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    bio: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str | None] = mapped_column(String(16))
    followers: Mapped[int] = mapped_column(BigInteger, default=0)
    platform_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # moderation state
    strikes: Mapped[int] = mapped_column(Integer, default=0)
    restricted_features: Mapped[list[str]] = mapped_column(JSONType, default=list)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def gpppa(self) -> bool:
        """Government, politician or political party account."""
        return self.kind in GPPPA_KINDS


class ContentItem(Base):
    """A video, image, text post or LIVE, with what detection reads and its visible state."""

    __tablename__ = "content_items"
    __table_args__ = (
        Index("ix_content_account_posted", "account_id", "posted_at"),
        Index("ix_content_posted", "posted_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform_id: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    caption: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[str] = mapped_column(Text, default="")
    on_screen_text: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    language: Mapped[str | None] = mapped_column(String(10))
    region_code: Mapped[str | None] = mapped_column(String(16), index=True)
    election: Mapped[str | None] = mapped_column(String(60))
    creator_ai_label: Mapped[bool] = mapped_column(Boolean, default=False)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    shares: Mapped[int] = mapped_column(BigInteger, default=0)
    # moderation state, changed only through content.service
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | removed
    fyp_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    age_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def text_for_detection(self) -> str:
        """Every piece of text a detector reads, in one string."""
        tags = " ".join("#" + t.lstrip("#") for t in (self.hashtags or []))
        parts = [self.caption, self.on_screen_text, self.transcript, tags]
        return "\n".join(p for p in parts if p)
