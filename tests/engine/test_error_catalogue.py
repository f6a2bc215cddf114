"""Every stable error code is provoked by at least one test (each `refused(...)` asserts its code)."""

import re
from pathlib import Path

from corridor.engine import CODES

HERE = Path(__file__).parent
PROVOKING = re.compile(r"refused(?:_raw)?\(\s*\"([a-z_.]+)\"")


def test_every_error_code_is_provoked_by_a_test():
    provoked = set()
    for path in HERE.glob("test_*.py"):
        provoked |= set(PROVOKING.findall(path.read_text()))
    assert sorted(set(CODES) - provoked) == []
    assert sorted(provoked - set(CODES)) == []


def test_every_code_has_a_plain_description():
    assert all(code.count(".") == 1 and len(text) > 20 for code, text in CODES.items())
