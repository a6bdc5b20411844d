"""The one error the `coach` commands raise for something the user can fix."""

from __future__ import annotations


class CliError(Exception):
    """Something the user can fix: printed as `coach: error: ...`, exit status 2."""
