"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py "lti_tool:create_app()"`.

Workers are stateless: OIDC state, nonces, launches and access tokens live in the shared database, so a
launch may start on one worker (or host) and finish on another.
"""

import ctypes
import ctypes.util
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# No query strings in the access log: launch and hand-off URLs carry one-time tokens.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
errorlog = "-"

# glibc gives each thread that allocates its own malloc arena (up to eight per core), so a gthread worker keeps
# several MiB of half-empty heaps. Python threads allocate under the GIL anyway, so one arena costs little; a
# worker after 100 launches went 106.7 → 95.2 MiB on SQLite, 114.7 → 103.3 MiB on PostgreSQL. Set here, in the
# master before it forks, so every worker inherits it; MALLOC_ARENA_MAX overrides it.
M_ARENA_MAX = -8
libc_name = ctypes.util.find_library("c")
if libc_name and hasattr(libc := ctypes.CDLL(libc_name), "mallopt"):
    libc.mallopt(M_ARENA_MAX, int(os.environ.get("MALLOC_ARENA_MAX", 1)))
