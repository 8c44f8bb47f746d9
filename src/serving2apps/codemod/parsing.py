"""Parsing agent sources, with syntax errors reported the way users need them."""

import libcst as cst

from serving2apps.errors import MigrationError


def parse_source(source: str, filename: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise MigrationError(
            f"{filename}:{exc.raw_line}:{exc.raw_column}: syntax error: {exc.message}",
            "fix the syntax error in the original code (it cannot have been served as it is)",
        ) from None
