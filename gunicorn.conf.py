"""gunicorn's settings for production. gunicorn reads this file from the folder it starts in; elsewhere pass it
with `-c /path/to/gunicorn.conf.py`. Each setting can still be overridden on the command line.

Slow clients: a sync worker serves one connection at a time, so two connections that trickle their headers byte by
byte stall two sync workers (slowloris). gevent workers serve each connection in a greenlet instead: a slow client
waits on its socket without holding the worker, up to `worker_connections` connections per worker. Put the TLS
proxy in front too (it reads whole requests before passing them on, and closes connections that stall).

Rate limits: several workers that count in their own memory would each allow the whole limit, so a worker refuses
to start in production when there are several of them and LMS_RATELIMIT_STORAGE_URI is memory:// (see
`lms.core.config.shared_limits_problem`).
"""

import os

# The modules of the app are imported in the workers, after gevent has patched the standard library.
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
worker_connections = 1000
# No control socket in the home folder: nothing here manages gunicorn through one.
control_socket_disable = True

# A worker silent for this long is restarted; a request never legitimately takes this long here.
timeout = 30
graceful_timeout = 20
# An idle kept-alive connection is closed after a few seconds.
keepalive = 5

# The request line (method, path and query), the number of headers and the size of each: enough for the
# platform's own links and cookies, refused with 400 beyond.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190


def post_worker_init(worker):
    """Refuse (production) or warn (development) when several workers would count rate limits apart."""
    from lms.core.config import ConfigError, shared_limits_problem

    config = worker.wsgi.config
    problem = shared_limits_problem(config, worker.cfg.workers)
    if problem and config["ENV"] == "production":
        raise ConfigError(problem)
    if problem:
        worker.log.warning(problem)
