"""gunicorn hooks for ``load_test.py --faults``: each worker says which request it is handling.

While a worker handles a request, the file ``$HP_FAULTS_BUSY_DIR/<pid>``
holds ``METHOD PATH``; it goes when the request ends. The load test reads
it to ``kill -9`` a worker in the middle of a section save, not between
requests. Nothing else changes in how gunicorn serves.
"""

from __future__ import annotations

import os
from pathlib import Path

BUSY_DIR = Path(os.environ["HP_FAULTS_BUSY_DIR"])


def pre_request(worker, req) -> None:
    (BUSY_DIR / str(os.getpid())).write_text(f"{req.method} {req.path}")


def post_request(worker, req, environ, resp) -> None:
    (BUSY_DIR / str(os.getpid())).unlink(missing_ok=True)
