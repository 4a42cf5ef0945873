"""ltsim — long-term investment and capacity planning for Norwegian municipalities."""

__version__ = "0.1.0"
