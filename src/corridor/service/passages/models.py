"""Read models of passages: projections of the log, rewritten per plan by `projection.py` only."""

from __future__ import annotations

from django.db import models

from ...engine.model import LABEL_MAX_LENGTH
from ...privacy import CREW_DOCUMENT_MAX_LENGTH, CREW_NAME_MAX_LENGTH
from ..parties.models import Party, Route
from .fields import QuantityField


class Plan(models.Model):
    derived_from_log = True

    id = models.CharField(max_length=128, primary_key=True)
    requester = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="plans")
    linkage = models.CharField(max_length=20)
    status = models.CharField(max_length=20, db_index=True)
    version = models.CharField(max_length=64)
    tolerance_seconds = models.IntegerField()
    submitted_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    cleared_at = models.DateTimeField(null=True)
    amendments = models.IntegerField(default=0)
    # the current slot's window once revealed on the log (public then); its commitment meanwhile
    slot_start = models.DateTimeField(null=True)
    slot_end = models.DateTimeField(null=True)
    slot_commitment = models.CharField(max_length=64, default="")
    # what the requester revealed on the log (plan.reveal): {"window": {...}, "plates": [...]}, with salts
    revealed = models.JSONField(default=dict)
    weight_kg = models.BigIntegerField(default=0)
    vehicles = models.IntegerField(default=0)
    updated_at = models.DateTimeField()
    # digests of the plan's rows by part, so a change rewrites only the parts it changed
    legs_digest = models.CharField(max_length=32, default="")
    positions_digest = models.CharField(max_length=32, default="")
    clocks_digest = models.CharField(max_length=32, default="")

    class Meta:
        db_table = "plan"
        # the API lists plans newest first, filtered by status or requester: a page is read off these in order
        indexes = [models.Index(fields=["-submitted_at", "id"], name="plan_newest"),
                   models.Index(fields=["status", "-submitted_at", "id"], name="plan_status_newest"),
                   models.Index(fields=["requester", "-submitted_at", "id"], name="plan_requester_newest"),
                   models.Index(fields=["linkage", "-submitted_at", "id"], name="plan_linkage_newest")]


class Leg(models.Model):
    derived_from_log = True

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="legs")
    leg_id = models.CharField(max_length=128)
    # the route's own index is leg_route_newest (route first), which also serves lookups by route
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="legs", db_index=False)
    direction = models.CharField(max_length=10)
    phase = models.CharField(max_length=20)
    checkpoint = models.CharField(max_length=128, null=True)
    arrived_at = models.DateTimeField(null=True)
    released_at = models.DateTimeField(null=True)
    departed_at = models.DateTimeField(null=True)
    delivered_at = models.DateTimeField(null=True)
    weight_kg = models.BigIntegerField(default=0)
    seals = models.JSONField(default=list)
    crew_commitments = models.JSONField(default=list)
    # the plan's submitted_at (which never changes), kept on each leg so that the legs of one phase or route are
    # read newest first off an index, however few match: walking the plans for them grew with the log
    submitted_at = models.DateTimeField()

    class Meta:
        db_table = "leg"
        constraints = [models.UniqueConstraint(fields=["plan", "leg_id"], name="leg_id_unique_in_plan")]
        indexes = [models.Index(fields=["phase", "-submitted_at", "plan", "leg_id"], name="leg_phase_newest"),
                   models.Index(fields=["route", "-submitted_at", "plan", "leg_id"], name="leg_route_newest")]


class ManifestLine(models.Model):
    derived_from_log = True

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="lines")
    line_id = models.CharField(max_length=128)
    item = models.CharField(max_length=4000)
    category = models.CharField(max_length=4000)
    # quantities are ints or decimal strings (engine/quantity.py), kept as their exact text (fields.py)
    quantity = QuantityField()
    unit = models.CharField(max_length=LABEL_MAX_LENGTH)
    weight_kg = models.BigIntegerField()
    carried = QuantityField()
    refused_by = models.JSONField(default=list)
    good = QuantityField(null=True)
    damaged = QuantityField(null=True)
    lost = QuantityField(null=True)

    class Meta:
        db_table = "manifest_line"


class Vehicle(models.Model):
    derived_from_log = True

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="vehicles")
    vehicle_id = models.CharField(max_length=128)
    plate = models.CharField(max_length=LABEL_MAX_LENGTH)  # once revealed on the log; "" before
    commitment = models.CharField(max_length=64, default="")
    type = models.CharField(max_length=LABEL_MAX_LENGTH)

    class Meta:
        db_table = "vehicle"


class Position(models.Model):
    """A required party's stance on the plan's current version."""

    derived_from_log = True

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="positions")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="positions")
    capacities = models.JSONField(default=list)
    stance = models.CharField(max_length=20)
    at = models.DateTimeField(null=True)
    reason = models.CharField(max_length=40, null=True)
    text = models.TextField(blank=True)

    class Meta:
        db_table = "position"


class Inspection(models.Model):
    derived_from_log = True

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="inspections")
    at = models.DateTimeField()
    party = models.CharField(max_length=128)
    checkpoint = models.CharField(max_length=128)
    decision = models.CharField(max_length=30)
    report = models.JSONField()

    class Meta:
        db_table = "inspection"


class Clock(models.Model):
    """Who a plan waits on: closed intervals summed in `waited_seconds`, the open one since `waiting_since`."""

    derived_from_log = True

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="clocks")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="clocks")
    waited_seconds = models.BigIntegerField()
    waiting_since = models.DateTimeField(null=True)

    class Meta:
        db_table = "clock"
        # the waiting list's order (exports/tables.waiting_query; PostgreSQL's index keeps no time last, as the
        # list does, and SQLite reads its part with no time by equality): any page of it, by cursor, read
        # off the index from its place on. It serves every query by waiting_since alone too. The same order
        # after a party (GET /api/v1/waiting?party=, a party's home): past its waits now, into the clocks it is
        # no longer waited on for (its whole history), a page still starts at its place
        indexes = [models.Index(fields=["party", "waiting_since", "plan"], name="clock_party_waiting_order"),
                   models.Index(fields=["waiting_since", "plan", "party"], name="clock_waiting_order")]


class Attestation(models.Model):
    """A passage a data source attests (an import): the source's word, not any party's consent."""

    derived_from_log = True

    passage = models.CharField(max_length=128, primary_key=True)
    source = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="attestations")
    dataset = models.CharField(max_length=LABEL_MAX_LENGTH)
    reference = models.CharField(max_length=LABEL_MAX_LENGTH)
    crossing = models.CharField(max_length=LABEL_MAX_LENGTH)
    carrier = models.CharField(max_length=400)
    origin = models.CharField(max_length=LABEL_MAX_LENGTH)
    departed = models.DateField(null=True, db_index=True)
    cleared = models.DateField(null=True)
    received = models.DateField(null=True, db_index=True)
    # the lines' weights summed; null when a line's weight is unknown (the source gave none)
    weight_kg = models.BigIntegerField(null=True)
    attested_at = models.DateTimeField()

    class Meta:
        db_table = "attestation"
        constraints = [models.UniqueConstraint(fields=["dataset", "reference"], name="one_attestation_per_record")]
        # GET /api/v1/attestations' order (dataset, passage), whole or by crossing: a page by cursor inside an
        # import of many records is read off one of these from its place, never by sorting the dataset's records
        indexes = [models.Index(fields=["dataset", "passage"], name="attestation_order"),
                   models.Index(fields=["crossing", "dataset", "passage"], name="attestation_crossing_order")]


class AttestedLine(models.Model):
    derived_from_log = True

    attestation = models.ForeignKey(Attestation, on_delete=models.CASCADE, related_name="lines")
    item = models.CharField(max_length=4000)
    category = models.CharField(max_length=4000)
    quantity = models.BigIntegerField()
    unit = models.CharField(max_length=LABEL_MAX_LENGTH)
    weight_kg = models.BigIntegerField(null=True)  # null: the source gave no weight (never 0 for unknown)
    destination = models.CharField(max_length=LABEL_MAX_LENGTH, db_index=True)
    published = models.JSONField(default=dict)  # the source's row: {column header: cell text}

    class Meta:
        db_table = "attested_line"


class CrewMember(models.Model):
    """Private: a crew member in clear, with the salt that opens the commitment on the log. Never public."""

    derived_from_log = False

    # by plan and leg id, not a key to the leg row: leg rows are rewritten as the plan changes
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="crew")
    leg_id = models.CharField(max_length=128)
    commitment = models.CharField(max_length=64)
    name = models.CharField(max_length=CREW_NAME_MAX_LENGTH)
    document = models.CharField(max_length=CREW_DOCUMENT_MAX_LENGTH)
    salt = models.CharField(max_length=64)

    class Meta:
        db_table = "crew_member"


class SlotWindow(models.Model):
    """Private: a proposed slot's window in clear, with the salt that opens its commitment on the log.
    Kept by plan id (not a key to the plan row), so it outlives read-model rebuilds."""

    derived_from_log = False

    plan_id = models.CharField(max_length=128, db_index=True)
    slot_id = models.CharField(max_length=128)
    start = models.CharField(max_length=40)  # RFC 3339 UTC, exactly as committed
    end = models.CharField(max_length=40)
    salt = models.CharField(max_length=64)
    commitment = models.CharField(max_length=64)

    class Meta:
        db_table = "slot_window"
        constraints = [models.UniqueConstraint(fields=["plan_id", "commitment"], name="slot_window_once")]


class VehiclePlate(models.Model):
    """Private: a vehicle's plate in clear, with the salt that opens its commitment on the log."""

    derived_from_log = False

    plan_id = models.CharField(max_length=128, db_index=True)
    leg_id = models.CharField(max_length=128)
    vehicle_id = models.CharField(max_length=128)
    plate = models.CharField(max_length=LABEL_MAX_LENGTH)
    salt = models.CharField(max_length=64)
    commitment = models.CharField(max_length=64)

    class Meta:
        db_table = "vehicle_plate"
        constraints = [models.UniqueConstraint(fields=["plan_id", "commitment"], name="vehicle_plate_once")]
