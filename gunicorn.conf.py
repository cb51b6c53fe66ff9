"""Gunicorn's serving model, read by every way the site is served: `manage.py serve`
(`make run`), the Dockerfile's command and docker-compose's web service (gunicorn reads
./gunicorn.conf.py from its working directory), and bench/load.py.

The defaults were chosen from measurements, not guessed: bench/RESULTS.md ("Serving model")
has the figures of each configuration tried with 50 simulated users. WEB_CONCURRENCY
(processes) and WEB_THREADS (threads per process) override them; a WEB_THREADS of 1 gives
gunicorn's plain sync workers.
"""

import os

# Processes: one per core is enough when each has threads; the page views spend a good part
# of each request waiting on PostgreSQL, and threads fill that wait (see bench/RESULTS.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A request still running after this is killed with its worker (and logged), so one stuck
# request never holds a worker for good.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
