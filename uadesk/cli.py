"""The `uadesk` command: everything manage.py does, plus `run`, `demo` and `ingest`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uadesk.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Read here, once, so that a setting the environment gets wrong (a missing secret, a port
        # that is no number) is one line and exit status 2, like any bad input, not a traceback.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(["uadesk", *sys.argv[1:]])
    except ImproperlyConfigured as error:
        sys.stderr.write(f"ImproperlyConfigured: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
