"""The passage engine: pure rules of a humanitarian passage. No Django, no database, no network."""

from .apply import apply, apply_raw, settle
from .clock import ball_holders, waiting_seconds
from .errors import CODES, RuleViolation
from .model import Checkpoint, Leg, ManifestLine, Party, PlanContent, Requirement, Route, Vehicle
from .state import PlanState, State, collector_paused, from_json, to_json
from .statements import Statement, parse_statement

__all__ = [
    "CODES",
    "Checkpoint",
    "Leg",
    "ManifestLine",
    "Party",
    "PlanContent",
    "PlanState",
    "Requirement",
    "Route",
    "RuleViolation",
    "State",
    "Statement",
    "Vehicle",
    "apply",
    "apply_raw",
    "ball_holders",
    "collector_paused",
    "from_json",
    "parse_statement",
    "settle",
    "to_json",
    "waiting_seconds",
]
