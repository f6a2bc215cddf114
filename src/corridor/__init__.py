"""Corridor: humanitarian passages through contested crossings, every step signed and logged."""
