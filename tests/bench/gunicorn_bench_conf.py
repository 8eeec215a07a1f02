"""gunicorn settings for the benchmarks: the deployment's hooks (``web.gunicorn_conf``: the
master opens the archive once, a booted worker freezes what it holds), without its access log,
which would add the same formatting cost to every request, /healthz's included, and so make
every page's ratio to /healthz look better than the page itself got."""

from web.gunicorn_conf import on_starting, post_worker_init

__all__ = ["on_starting", "post_worker_init"]
