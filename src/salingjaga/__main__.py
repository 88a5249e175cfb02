"""``python -m salingjaga`` runs the command line."""

from salingjaga.cli import main

main()
