"""Test settings: the production settings with a handful of speed and isolation overrides."""

from beatbook.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_COOKIES = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "beatbook_session"
CSRF_COOKIE_NAME = "beatbook_csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# A file, not shared-cache memory: the browser tests' threaded live server then gets the same
# WAL and busy-timeout behaviour as a real deployment instead of "table is locked" errors.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-beatbook.sqlite3")}  # noqa: F405
BEATBOOK_CUSTODY_CHECKPOINT_KEY = "test-only-checkpoint-key"
# Tests change requests and list them again at once; the cache's own tests switch it on.
BEATBOOK_OPEN311_LIST_CACHE_SECONDS = env_int(  # noqa: F405
    "BEATBOOK_OPEN311_LIST_CACHE_SECONDS", 0
)
