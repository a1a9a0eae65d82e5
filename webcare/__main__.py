"""``python -m webcare`` is the same as the ``webcare`` command."""

from webcare.cli import main

main()
