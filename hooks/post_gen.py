"""copier task: the post-gen hook. Thin on purpose: the work is in the serving2apps package."""

import sys
from pathlib import Path

try:
    from serving2apps import hooks
except ImportError:
    print(
        "error: serving2apps is not installed in the Python that runs copier "
        f"({sys.executable}). Install both together, e.g. "
        "'uv tool install copier --with copier-template-extensions --with serving2apps', then run copier again.",
        file=sys.stderr,
    )
    sys.exit(2)

sys.exit(hooks.post_gen(Path(__file__).resolve().parent.parent, sys.argv[1:]))
