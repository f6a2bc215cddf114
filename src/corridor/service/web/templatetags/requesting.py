"""`{% load requesting %}`: whether the signed-in user requests passage (the navigation's link to the form)."""

from django import template

from ..request_views import may_request_passage

register = template.Library()


@register.filter
def requests_passage(user) -> bool:
    """`{% if user|requests_passage %}`: the user signs for a humanitarian organisation."""
    return may_request_passage(user)
