"""``salingjaga vpdq ...``: hash videos with vPDQ, keep vPDQ bank files, match against them.

A video argument may be the video itself or its vPDQ hash (a ThreatExchange signal
string or a vPDQ hasher file), so hashes received from elsewhere can be matched and banked
without the video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

HASH_SUFFIXES = (".json", ".txt", ".vpdq")


def _features(path: Path) -> Any:
    from salingjaga.clikit import fail
    from salingjaga.detection.media.pdq import MediaError
    from salingjaga.detection.media.vpdq import hash_video, parse_any

    try:
        if path.suffix.lower() in HASH_SUFFIXES:
            return parse_any(path.read_text("utf-8"))
        return hash_video(path.read_bytes())
    except (MediaError, ValueError, UnicodeDecodeError) as exc:
        fail(f"{path}: {exc}")


def _bank(path: Path) -> Any:
    from salingjaga.clikit import fail
    from salingjaga.detection.media.vpdq_bank import VpdqBank

    bank = VpdqBank()
    if path.exists():
        try:
            bank.import_jsonl(path.read_text("utf-8"))
        except ValueError as exc:
            fail(f"{path}: {exc}")
    return bank


def register(app: typer.Typer) -> None:
    """Add the vpdq commands."""
    vpdq_app = typer.Typer(help="vPDQ video hashes and banks (ThreatExchange formats).", no_args_is_help=True)
    app.add_typer(vpdq_app, name="vpdq")

    @vpdq_app.command("hash")
    def hash_cmd(
        video: Path = typer.Argument(..., exists=True, dir_okay=False),
        fmt: str = typer.Option("signal", "--format", help="signal (ThreatExchange JSON) or hasher (CSV lines)"),
    ) -> None:
        """Print a video's vPDQ hash."""
        from salingjaga.clikit import fail
        from salingjaga.detection.media.vpdq import to_hasher_file, to_signal

        if fmt not in ("signal", "hasher"):
            fail("--format is signal or hasher")
        features = _features(video)
        typer.echo(to_signal(features) if fmt == "signal" else to_hasher_file(features).rstrip("\n"))

    @vpdq_app.command("bank-add")
    def bank_add_cmd(
        bank_file: Path = typer.Argument(..., dir_okay=False, help="JSONL vPDQ bank (created if missing)"),
        video: Path = typer.Argument(..., exists=True, dir_okay=False),
        video_id: str = typer.Option(..., "--id"),
        label: str = typer.Option("", "--label"),
    ) -> None:
        """Bank a video (or its hash) under an id, replacing one with the same id."""
        bank = _bank(bank_file)
        bank.add(video_id, _features(video), label)
        tmp = bank_file.with_name(bank_file.name + ".tmp")
        tmp.write_text(bank.export_jsonl(), "utf-8")
        tmp.replace(bank_file)
        typer.echo(f"{bank_file}: {len(bank)} videos")

    @vpdq_app.command("match")
    def match_cmd(
        video: Path = typer.Argument(..., exists=True, dir_okay=False),
        bank_file: Path = typer.Option(..., "--bank", exists=True, dir_okay=False),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Banked videos sharing frames with a video, with vPDQ's two percentages; exit 0
        when one matches, 3 when none does."""
        from salingjaga.clikit import emit

        hits = _bank(bank_file).match(_features(video))
        rows = [{"id": v.video_id, "label": v.label, "query_percent": round(m.query_percent, 1),
                 "compared_percent": round(m.compared_percent, 1), "match": m.is_match()}
                for v, m in hits]
        human = "\n".join(f"{'MATCH' if r['match'] else 'near '} {r['id']} query {r['query_percent']}% "
                          f"banked {r['compared_percent']}% {r['label']}" for r in rows) or "no shared frames"
        emit({"matches": rows}, as_json, human)
        if not any(r["match"] for r in rows):
            raise typer.Exit(3)
