#!/usr/bin/env python
"""manage.py of the django-oscar bench shop; run it with the shop's own venv (see setup.sh)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchshop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
