"""The `gongzhi` console command: Django's manage.py plus the project's own verbs.

gongzhi migrate
gongzhi demo load
gongzhi regions import boundaries.geojson
gongzhi runserver 127.0.0.1:8000
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"]:
        from gongzhi.serve import main as serve

        sys.exit(serve(args[1:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *args])


if __name__ == "__main__":
    main()
