"""Loaded with `-p` before Django is set up: test defaults for settings read from the environment.

Tests talk plain HTTP to the test client, so HTTPS-only cookies and redirects are off.
"""

import os

os.environ.setdefault("HTTPS", "0")
# One key for the test process and every server it starts, as production replicas share theirs.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
