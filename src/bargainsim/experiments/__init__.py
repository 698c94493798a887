"""Experiments over many runs: comparing modes over seeds (sweeps come later)."""

from __future__ import annotations
