"""`python -m skill.harness.cli`: the `coach` command without the console script."""

from skill.harness.cli import main

raise SystemExit(main())
