"""The `serving2apps` command line."""

from __future__ import annotations

import argparse
import sys

from serving2apps import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serving2apps",
        description="Migrate an MLflow ResponsesAgent from Databricks Model Serving to Databricks Apps.",
    )
    parser.add_argument("--version", action="version", version=f"serving2apps {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
