"""The strict pydantic base shared by scenario and experiment schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Strict types, unknown keys rejected, no NaN or infinity, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
