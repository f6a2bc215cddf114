"""Human-readable scenarios: parties, routes and timed statements in YAML, folded through the engine."""

from .loader import Scenario, ScenarioError, load_scenario
from .runner import Run, run_scenario

__all__ = ["Run", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]
