"""WSGI entry point: what `webcare serve` runs under granian, and what any WSGI server can run."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the URL map, the templates' code) lives as long as the process: keep it out of
# the garbage collector's full collections. Without this a full collection every ~17 requests took ~80 ms and was the
# largest part of the inbox list's p95 at a million tickets (docs/benchmarks.md, "Inbox at scale").
gc.freeze()
