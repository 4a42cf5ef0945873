"""``python -m ltsim``."""

from ltsim.cli import main

main()
