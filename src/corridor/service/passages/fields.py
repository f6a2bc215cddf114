"""A quantity column: the engine's quantities (engine/quantity.py) are ints or decimal strings, so the read
models keep them as their exact text ("20", "2.5") and give them back as the engine has them (20, "2.5"):
no float anywhere, and whole quantities read back as the integers they always were (the API and the
exports answer 20, not "20")."""

from __future__ import annotations

from django.db import models


def quantity_value(text: str | int | None) -> int | str | None:
    if text is None or isinstance(text, int):
        return text
    return int(text) if text.isdigit() else text


class QuantityField(models.CharField):
    description = "A quantity: a whole number or a decimal string, kept as its exact text"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 32:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return quantity_value(value)

    def to_python(self, value):
        return quantity_value(value if value is None or isinstance(value, int) else str(value))

    def get_prep_value(self, value):
        return None if value is None else str(value)
