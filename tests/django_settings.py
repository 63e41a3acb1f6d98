"""Settings for the test suite: the real settings, in a throwaway CREDSTACK_HOME."""

import os
import tempfile

os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-test-"))
os.environ["CREDSTACK_ENV"] = "test"
os.environ["CREDSTACK_EMAIL_BACKEND"] = "locmem"
os.environ.pop("REDIS_URL", None)

from credstack.settings import *  # noqa: F403

# Argon2 is the production hasher (tested); the suite uses a fast one to stay quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
