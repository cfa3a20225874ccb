import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatbook.config.settings")
application = get_wsgi_application()

# Import every view now, then take what start-up built out of the garbage collector's sight.
# Its full collections walked all of Django's and Beatbook's module objects, pausing a worker
# (every thread in it) for 100-270 ms about every ten seconds under B8's load.
get_resolver().url_patterns  # noqa: B018  (the attribute loads the URLconf and its views)
gc.freeze()
