"""Where the template lives: inside the installed wheel (serving2apps/_template), or the source checkout."""

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_template"
_CHECKOUT = Path(__file__).resolve().parents[2]
EXAMPLE_MODEL = Path("examples") / "echo_agent" / "model"


def template_root() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
