"""The settings the benchmark measures under: the project's own, as a server runs them.

``manage.py benchmark --settings benchmarks.settings`` (``make benchmark``); the command refuses
other settings rather than rewriting a setting while it measures.
"""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

# As on a server: no query log (on SQLite, logging a query runs one more query to quote its
# parameters) and templates compiled without debugging information.
DEBUG = False

# The project's URLs and, beside them, the stock admin the award admin is measured against.
ROOT_URLCONF = "benchmarks.baseline"

# The page cases are requested through Django's test client, which calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
