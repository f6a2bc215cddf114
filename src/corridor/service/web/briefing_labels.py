"""The labels of a briefing (column headers, totals, chart series), translated in the active language. Here,
beside the pages' other strings, so that `makemessages` in this folder finds them; used by corridor.briefing
(which renders briefings without the rest of the service: this module imports nothing of it)."""

from __future__ import annotations


def labels() -> dict:
    from django.utils.translation import gettext as _

    time, plan, party = ("time", _("Time (UTC)")), ("plan", _("Plan")), ("party", _("Party"))
    tonnes = ("kg", _("Tonnes"))
    return {
        "totals": {
            "totals/requested": _("Passages requested"), "totals/requested.legs": _("Legs requested"),
            "totals/requested.vehicles": _("Vehicles requested"), "totals/requested.kg": _("Tonnes requested"),
            "totals/consent": _("Consents"), "totals/refuse": _("Refusals"), "totals/withdraw": _("Withdrawals"),
            "totals/cancel": _("Plans cancelled"), "totals/depart": _("Departures"), "totals/deliver": _("Deliveries"),
            "totals/delivered.kg": _("Tonnes delivered"),
        },
        "series": {"requested": _("Requested"), "delivered": _("Delivered"), "waited": _("Hours waited on")},
        "columns": {
            "requested": [time, plan, ("party", _("Requested by")), ("linkage", _("Linkage")),
                          ("routes", _("Routes")), ("vehicles", _("Vehicles")), tonnes],
            "consents": [time, plan, party, ("capacity", _("Capacity")), ("conditions", _("Conditions"))],
            "refusals": [time, plan, party, ("reason", _("Reason")), ("text", _("In their words"))],
            "refusal_reasons": [("reason", _("Reason")), ("count", _("Refusals"))],
            "withdrawals": [time, plan, party, ("reason", _("Reason")), ("text", _("In their words"))],
            "deliveries": [time, plan, ("leg", _("Leg")), ("route", _("Route")), ("party", _("Received by")), tonnes],
            "tonnes_by_category": [("category", _("Category")), ("requested", _("Tonnes requested")),
                                   ("delivered", _("Tonnes delivered"))],
            "tonnes_by_route": [("route", _("Route")), ("requested", _("Tonnes requested")),
                                ("delivered", _("Tonnes delivered"))],
            "waiting": [party, ("seconds", _("Waited on in the period")), ("plans", _("Passages")),
                        ("waiting_at_end", _("Still waited on at the end"))],
            "stages": [("stage", _("Stage")), ("legs", _("Legs")), ("median", _("Median")),
                       ("p90", _("90th percentile"))],
            "dataset_groups": [("commodity", _("Commodity")), ("crossing", _("Crossing")), ("passages", _("Passages")),
                               ("kg", _("Tonnes (records with a weight)")), ("weighed", _("Passages with a weight"))],
        },
    }
