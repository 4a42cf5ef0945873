"""Run ltsim from a checkout without installing: ``python cli.py run scenarios/asker/base.yaml``."""

from ltsim.cli import main

if __name__ == "__main__":
    main()
