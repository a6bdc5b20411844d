"""`python -m harness.cli`: the `coach` command without the console script."""

from harness.cli import main

raise SystemExit(main())
