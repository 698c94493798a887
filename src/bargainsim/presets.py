"""Business-model presets for companies: legacy studio, streamer, tech platform.

Money is in $M at the scale of the whole industry (a company with market share s
bears s times these amounts); see docs/model.md for the reasoning behind each value.
"""

from __future__ import annotations

from typing import Any

BUSINESS_FIELDS: tuple[str, ...] = (
    "market_share",
    "revenue_at_risk",
    "backlog_weeks",
    "ramp_weeks",
    "substitution",
    "issue_costs",
    "investor_pressure",
    "loss_tolerance",
    "expected_remaining_weeks",
    "duration_dependence",
    "exit_threshold",
)

_COMMON: dict[str, Any] = {
    "market_share": 1.0,
    "revenue_at_risk": 0.0,
    "backlog_weeks": 0.0,
    "ramp_weeks": 4.0,
    "substitution": 0.0,
    "issue_costs": {},
    "investor_pressure": 0.0,
    "loss_tolerance": 1e9,
    "expected_remaining_weeks": 6.0,
    "duration_dependence": 0.0,
    "exit_threshold": 0.0,
    "discount": 1.0,
}

PRESETS: dict[str, dict[str, Any]] = {
    "custom": dict(_COMMON),
    # Legacy studios live on a steady flow of new TV and film: a short backlog once the
    # fall schedule needs scripts, little foreign substitute, listed shares (Wall Street),
    # cheap to open viewership data (they do not sell subscriptions by it).
    "legacy_studio": {
        **_COMMON,
        "revenue_at_risk": 160.0,
        "backlog_weeks": 8.0,
        "ramp_weeks": 6.0,
        "substitution": 0.10,
        "issue_costs": {
            "wage": 560.0,
            "residuals": 300.0,
            "staffing": 350.0,
            "ai": 120.0,
            "data": 60.0,
        },
        "investor_pressure": 1.0,
        "loss_tolerance": 600.0,
        "expected_remaining_weeks": 6.0,
        "duration_dependence": 0.5,
        "exit_threshold": 0.0,
        "discount": 0.995,
    },
    # Streamers have a global slate stockpiled and foreign content to fill gaps, but
    # viewership-based residuals and data transparency go to the heart of their model.
    "streamer": {
        **_COMMON,
        "revenue_at_risk": 130.0,
        "backlog_weeks": 14.0,
        "ramp_weeks": 8.0,
        "substitution": 0.35,
        "issue_costs": {
            "wage": 450.0,
            "residuals": 700.0,
            "staffing": 350.0,
            "ai": 150.0,
            "data": 650.0,
        },
        "investor_pressure": 0.6,
        "loss_tolerance": 800.0,
        "expected_remaining_weeks": 6.0,
        "duration_dependence": 0.5,
        "exit_threshold": 0.0,
        "discount": 0.997,
    },
    # Tech platforms treat content as a small part of a large business: deep pockets,
    # little investor pressure from it, but AI and data rules touch their core business.
    "tech": {
        **_COMMON,
        "revenue_at_risk": 100.0,
        "backlog_weeks": 12.0,
        "ramp_weeks": 8.0,
        "substitution": 0.30,
        "issue_costs": {
            "wage": 380.0,
            "residuals": 450.0,
            "staffing": 300.0,
            "ai": 500.0,
            "data": 450.0,
        },
        "investor_pressure": 0.2,
        "loss_tolerance": 1500.0,
        "expected_remaining_weeks": 6.0,
        "duration_dependence": 0.5,
        "exit_threshold": 0.0,
        "discount": 0.998,
    },
}
