"""Local development and the demo: debug on, console e-mail, embedded SQLite unless DATABASE_URL."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("SCP_DEBUG", True)
