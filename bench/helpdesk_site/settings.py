"""Settings of the django-helpdesk comparison project: Django's default middleware, DRF
token authentication (one indexed lookup, like an Open311 api_key), the database server
Beatbook's benchmark runs on, in a database of its own."""

from __future__ import annotations

import os

import dj_database_url

from bench.common import DEFAULT_MIDDLEWARE

SECRET_KEY = "bench-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "America/Los_Angeles"
ROOT_URLCONF = "bench.helpdesk_site.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = DEFAULT_MIDDLEWARE
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

_url = os.environ.get("DATABASE_URL", "sqlite:///:memory:")
DATABASES = {"default": dj_database_url.parse(_url)}
DATABASES["default"]["TEST"] = {
    "NAME": "beatbook_bench_helpdesk"
    if DATABASES["default"]["ENGINE"].endswith("postgresql")
    else os.path.join(os.path.dirname(__file__), "..", "..", "var", "bench-helpdesk.sqlite3")
}
HELPDESK_TEAMS_MODE_ENABLED = False  # the knowledge-base teams (pinax-teams) play no part here
