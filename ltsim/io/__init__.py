"""Readers for what comes in from disk: scenario YAML and CSV tables."""
