"""``salingjaga simulate SCENARIO.toml``: run a scenario, write the report, print the answer."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from salingjaga.clikit import console, emit, fail, open_db


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command."""

    @app.command()
    def simulate(
        scenario_file: str = typer.Argument(..., help="a scenario file (TOML), or the name of a shipped one "
                                                     "(pemilu-2024-week, pilkada-2024-voting-day)"),
        out: Path = typer.Option(Path("var/simulation"), "--out", help="folder for the report and run databases"),
        database_url: str | None = typer.Option(
            None, "--database-url", help="a SCRATCH database for the runs (emptied before each); "
                                         "default: a SQLite file per run in --out"),
        staffing: bool = typer.Option(True, "--staffing/--no-staffing", help="search for the fewest moderators"),
        seed: int | None = typer.Option(None, "--seed", help="overrides the scenario's seed"),
        jobs: int = typer.Option(1, "--jobs", min=1, max=16,
                                 help="runs side by side in processes (SQLite files only)"),
        as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    ) -> None:
        """Simulate an election week on the real queue in virtual time: the claim order
        beside FIFO with the same staff and arrivals, and the staffing answer."""
        from dataclasses import replace

        from salingjaga.core.settings import Settings
        from salingjaga.simulate.report import write_report
        from salingjaga.simulate.runner import Target
        from salingjaga.simulate.runner import simulate as run_simulation
        from salingjaga.simulate.scenario import ScenarioError, find_scenario, load_scenario

        try:
            scenario = load_scenario(find_scenario(scenario_file))
        except ScenarioError as exc:
            fail(str(exc))
            return
        if seed is not None:
            scenario = replace(scenario, seed=seed)
        open_db(Settings(database_url="sqlite://")).dispose()  # models imported, domains wired
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console, transient=as_json) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(name: str, share: float) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=1.0)
                bar.update(tasks[name], completed=share)

            report = run_simulation(scenario, Target(out, database_url), staffing=staffing, workers=jobs,
                                    progress=progress)
        json_path, html_path = write_report(report, out)
        policy, fifo = report["policy"]["by_source"], report["fifo"]["by_source"]
        trusted, base = policy.get("trusted_flagger", {}), fifo.get("trusted_flagger", {})
        lines = [f"report: {html_path} and {json_path} ({report['wall_seconds']} s)",
                 f"trusted flaggers: median {trusted.get('p50_hours')} h, p95 {trusted.get('p95_hours')} h "
                 f"(FIFO: median {base.get('p50_hours')} h, p95 {base.get('p95_hours')} h)"]
        if "staffing" in report:
            lines.append(f"staffing: {report['staffing']['answer']}")
        emit(report, as_json, "\n".join(lines))
