"""Shared test settings: hypothesis examples are derandomised so CI runs are repeatable.

Set HYPOTHESIS_PROFILE=explore to draw fresh random examples locally.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
