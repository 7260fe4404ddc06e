"""``python -m chunklint ARGS`` runs ``zlint ARGS``."""

from ._cli import main

main()
