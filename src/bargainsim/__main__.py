"""`python -m bargainsim`: the same as the `bargainsim` command."""

from __future__ import annotations

import sys

from bargainsim.cli import main

sys.exit(main())
