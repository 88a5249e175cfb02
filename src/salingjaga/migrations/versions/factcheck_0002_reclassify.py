"""factcheck: re-read stored ratings that the old vocabulary took as true or other

Revision ID: factcheck_0002
Revises: factcheck_0001

The old vocabulary matched "benar" inside "Tidak Benar" and "true" inside "Not true",
storing false verdicts as ``true``, and gave every rating it did not know (Tempo's
"Keliru", "Falso", "錯誤") ``other``. Rows with either verdict are read again with the
current vocabulary; only those whose verdict changes are written, with ``updated_at``
moved so the claim matcher reloads them. A ``true`` whose words are now not recognised
becomes ``unrated`` too: uncertain is never true, and unrated only means a person looks.
Downgrade leaves the corrected verdicts in place: the wrong ones are not worth restoring.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import salingjaga.core.db

revision = "factcheck_0002"
down_revision = "factcheck_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from salingjaga.factcheck.ratings import verdict_for
    from salingjaga.core.timeutil import utcnow

    bind = op.get_bind()
    table = sa.table("factchecks", sa.column("id", sa.String), sa.column("verdict", sa.String),
                     sa.column("rating", sa.String),
                     sa.column("updated_at", salingjaga.core.db.UTCDateTime()))
    rows = bind.execute(sa.select(table.c.id, table.c.verdict, table.c.rating)
                        .where(table.c.verdict.in_(["true", "other"]))).all()
    changes = [(fid, new) for fid, old, rating in rows if (new := verdict_for(rating or "")) != old]
    now = utcnow()
    for fid, new in changes:
        bind.execute(table.update().where(table.c.id == fid).values(verdict=new, updated_at=now))


def downgrade() -> None:
    pass
