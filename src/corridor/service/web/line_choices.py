"""The choices the amend form's tables offer: a line's category (the humanitarian sectors, as the manifest
template suggests them: food, wash, health, shelter, education…) and a vehicle's type. The log keeps the code;
the page shows the words. A plan written with another value (a manifest's own category, "20 t truck") keeps it:
the form offers it too, as written, so amending never changes what nobody touched."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

CATEGORIES = {
    "food": pgettext_lazy("category", "Food"),
    "nutrition": pgettext_lazy("category", "Nutrition"),
    "health": pgettext_lazy("category", "Health"),
    "wash": pgettext_lazy("category", "Water, sanitation and hygiene"),
    "shelter": pgettext_lazy("category", "Shelter"),
    "nfi": pgettext_lazy("category", "Household items (non-food)"),
    "education": pgettext_lazy("category", "Education"),
    "protection": pgettext_lazy("category", "Protection"),
    "logistics": pgettext_lazy("category", "Logistics"),
    "telecoms": pgettext_lazy("category", "Telecommunications"),
}
VEHICLE_TYPES = {
    "truck": pgettext_lazy("vehicle", "truck"),
    "tanker": pgettext_lazy("vehicle", "tanker"),
    "refrigerated_truck": pgettext_lazy("vehicle", "refrigerated truck"),
    "van": pgettext_lazy("vehicle", "van"),
    "pickup": pgettext_lazy("vehicle", "pickup"),
    "bus": pgettext_lazy("vehicle", "bus"),
    "ambulance": pgettext_lazy("vehicle", "ambulance"),
    "car": pgettext_lazy("vehicle", "car"),
}


def options(choices: dict, chosen: str, kept: str = "", blank: str | None = None) -> list[tuple[str, str, bool]]:
    """(value, words, selected) for a <select>: the choices, the value the plan already has (`kept`, shown as
    written) when it is not one of them, and a `blank` first option when given."""
    rows = [("", blank, chosen == "")] if blank is not None else []
    rows += [(code, str(words), code == chosen) for code, words in choices.items()]
    if kept and kept not in choices:
        rows.append((kept, kept, kept == chosen))
    return rows


def allowed(choices: dict, value: str, kept: str = "", blank: bool = False) -> bool:
    """Whether a posted value is one the select offered (a forged one is not)."""
    return value in choices or (bool(kept) and value == kept) or (blank and value == "")
