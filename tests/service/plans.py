"""A small plan body for API tests (road A only: border, customs, recv and escort must consent)."""

from __future__ import annotations


def plan_body(plan: str = "p1", **overrides) -> dict:
    return {
        "plan": plan, "linkage": "independent",
        "legs": [{
            "id": "leg-a", "route": "road-a",
            "lines": [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t",
                       "weight_kg": 20000}],
            "vehicles": [{"id": "truck-1", "plate": "AB 123", "type": "truck"}],
        }],
    } | overrides
