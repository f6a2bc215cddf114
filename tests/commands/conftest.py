"""The service's fixtures, for the tests of the service commands."""

from tests.service.conftest import fresh_fold, parties, public, tiles  # noqa: F401
