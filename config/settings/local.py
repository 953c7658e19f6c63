"""Developer machine: debug on, a fixed insecure key, mail written to files under var/mail."""
from .base import *  # noqa: F401,F403
from .base import env_bool, env_str, mailers_from_env

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz")
MAILERS = mailers_from_env("core.emails.FileEmailBackend")
