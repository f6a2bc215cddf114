"""A public table's definition: its columns with their HXL hashtags, and the columns that name a row."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, HXL hashtag)
    key: tuple[str, ...] = ()  # the columns that name a row (unique within the table)

    @property
    def fields(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def hxl_tags(self) -> list[str]:
        return [tag for _, tag in self.columns]
