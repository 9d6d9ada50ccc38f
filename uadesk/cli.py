"""The `uadesk` command: everything manage.py does, plus `run`, `demo` and `ingest`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uadesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["uadesk", *sys.argv[1:]])


if __name__ == "__main__":
    main()
