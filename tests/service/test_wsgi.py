"""The WSGI entry point a server process loads (`corridor serve`)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_what_a_server_process_loads_is_kept_out_of_the_cyclic_collectors_passes(tmp_path):
    """A full collection walked every object Django and the views had loaded, stopping all of a process's
    threads for 70-120 ms several times a minute under load: loading the application freezes them."""
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
    env.pop("DATABASE_URL", None)
    code = "import gc, corridor.service.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    frozen, tracked = map(int, subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                                              text=True, timeout=120).stdout.split())
    assert frozen > 50_000 and tracked < frozen / 10

