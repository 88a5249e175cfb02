"""Each page string lives in the catalogue of the domain whose pages use it: the shell's
catalogues (``web/locale``) hold only what the shell's own pages and code use, or what
pages of several domains share. ``web.i18n`` merges every domain's catalogues, so the move
changes no translation; it keeps a domain's words with the domain."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "salingjaga"


def template_users() -> dict[str, set[str]]:
    """message -> the domains whose templates pass it to _()."""
    users: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.glob("*/templates/*/**/*.html"):
        domain = path.relative_to(PACKAGE).parts[0]
        with open(path, "rb") as fh:
            for _line, _func, msg, _comments in babel_extract(
                    fh, ["_", "gettext"], [], {"extensions": "jinja2.ext.i18n",
                                              "trim_blocks": "true", "lstrip_blocks": "true"}):
                users[msg if isinstance(msg, str) else msg[0]].add(domain)
    return users


def test_a_string_of_one_domains_pages_is_in_that_domains_catalogue() -> None:
    users = template_users()
    python = "\n".join(p.read_text("utf-8") for p in PACKAGE.rglob("*.py"))
    misplaced = []
    for po in sorted((PACKAGE / "web" / "locale" / "id" / "LC_MESSAGES").glob("*.po")):
        with open(po, encoding="utf-8") as fh:
            for message in read_po(fh):
                if not message.id or not isinstance(message.id, str):
                    continue
                domains = users.get(message.id, set())
                quoted = f'"{message.id}"' in python or repr(message.id) in python
                if len(domains) == 1 and "web" not in domains and not quoted:
                    misplaced.append(f"{po.name}: {message.id!r} belongs to {next(iter(domains))}")
    assert misplaced == [], "\n".join(misplaced[:40])


def test_the_domains_catalogues_are_read() -> None:
    from salingjaga.web.i18n import translations

    catalog = translations("id")
    # one string from each catalogue the move filled
    for message, expected in [("Claim next", "Klaim berikutnya"), ("Bulk upload", "Unggah massal")]:
        assert catalog.gettext(message) == expected
