"""`python -m kg.cli`, the same as the `vskg` command."""

import sys

from kg.cli.main import main

sys.exit(main())
