"""Production: every secret from the environment, HTTPS behind a TLS-terminating proxy
(nginx), secure cookies, HSTS, static files collected and served by WhiteNoise, JSON logs.

SCP_LOCAL_HTTP=1 is for a trial on this machine only: plain HTTP on 127.0.0.1, without
HTTPS redirect, secure cookies or HSTS. It is refused unless every allowed host is local,
so it cannot weaken a real deployment."""

from config.env import MissingSetting, env_bool, env_list, env_required, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required(
    "SCP_SECRET_KEY",
    " (a long random string, e.g. from: python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(50))')",
)
ALLOWED_HOSTS = env_list("SCP_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise MissingSetting("the environment variable SCP_ALLOWED_HOSTS must be set "
                         "(the server's host names, comma-separated)")

LOCAL_HTTP = env_bool("SCP_LOCAL_HTTP", False)
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
if LOCAL_HTTP and not set(ALLOWED_HOSTS) <= _LOCAL_HOSTS:
    raise MissingSetting("SCP_LOCAL_HTTP=1 is only for a trial on 127.0.0.1: "
                         "SCP_ALLOWED_HOSTS may then list only 127.0.0.1 and localhost")

# nginx terminates TLS and says so in X-Forwarded-Proto; Django trusts that header only
# because nginx always sets it (see docs/deployment.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not LOCAL_HTTP and env_bool("SCP_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_SECURE = not LOCAL_HTTP
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else int(env_str("SCP_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SCP_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SCP_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("SCP_CSRF_TRUSTED_ORIGINS", [])
