"""Gunicorn's serving model, read by every way the site is served: `manage.py serve`
(`make run`), the Dockerfile's command and docker-compose's web service (gunicorn reads
./gunicorn.conf.py from its working directory), and bench/load.py.

The defaults were chosen from measurements, not guessed: bench/RESULTS.md ("Serving model")
has the figures of each configuration tried with 50 simulated users on 2 cores. In short:
with sync workers every request queues behind the heaviest page (the trivial /healthz/ had
the same p95 as the slowest page); threads let the short requests through while a page
waits on PostgreSQL, at the same or better throughput; more processes than cores only added
contention. WEB_CONCURRENCY (processes) and WEB_THREADS (threads per process) override the
defaults; a WEB_THREADS of 1 gives gunicorn's plain sync workers.
"""

import os

# One process per core (2 on the machine measured): set WEB_CONCURRENCY to the cores.
# Each thread keeps its own database connection (CONN_MAX_AGE), so keep
# WEB_CONCURRENCY x WEB_THREADS, plus the worker's concurrency, under PostgreSQL's
# max_connections (100 by default).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
worker_class = "gthread" if threads > 1 else "sync"
# An idle keep-alive connection is closed after this many seconds. gunicorn's 2 s let a
# client's next request meet a connection being closed under load ("connection reset by
# peer" in the load test); 5 s is still short enough behind a proxy that reuses connections.
keepalive = 5
# A request still running after this is killed with its worker (and logged), so one stuck
# request never holds a worker for good.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
