"""Local development and the demo: debug on, console e-mail, embedded SQLite unless
DATABASE_URL, readable text logs. Never for a server other people reach: use prod."""

from config.env import env_bool, env_str
from ops.logging import logging_config

from .base import *  # noqa: F403

DEBUG = env_bool("SCP_DEBUG", True)
LOGGING = logging_config(fmt=env_str("SCP_LOG_FORMAT", "text"),
                         level=env_str("SCP_LOG_LEVEL", "INFO"))
