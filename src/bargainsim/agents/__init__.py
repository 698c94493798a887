"""The bargaining parties: the union, companies and the employers' coalition."""

from __future__ import annotations

from bargainsim.agents.base import Party
from bargainsim.agents.coalition import Coalition
from bargainsim.agents.company import Company
from bargainsim.agents.union import Union

__all__ = ["Coalition", "Company", "Party", "Union"]
