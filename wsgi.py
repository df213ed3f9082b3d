"""The WSGI entry point: `gunicorn wsgi:app` (settings in gunicorn.conf.py), `flask --app wsgi ...`.

A setting the app refuses (a weak SECRET_KEY, say) ends the process with one clear line rather
than a traceback.
"""

import sys

from config import ConfigurationError
from survey import create_app

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"Spiegel will not start: {error}")
