"""`python -m netbuilder` behaves exactly like the `netbuilder` command."""

import sys

from netbuilder.cli import entry

sys.exit(entry())
