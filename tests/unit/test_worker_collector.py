"""The web workers' entry point (`hearth.asgi`, what `hearth serve` runs) sets the garbage
collector for a server's allocations: young objects collected less often, and what building
the app made frozen out of full collections. Checked in a process of its own, as a worker is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_worker_collects_less_often_and_freezes_what_startup_built(tmp_path: Path) -> None:
    probe = (
        "import gc, hearth.asgi; "
        "print(gc.get_threshold() == hearth.asgi.GC_THRESHOLDS, gc.get_freeze_count() > 10000)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["True", "True"]
