"""The codemod's import bookkeeping: what a removal takes away, what it must leave, and where additions go."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from serving2apps.codemod.import_changes import ImportChanges


def _module(code: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(code).lstrip("\n"))


def _removed(code: str, statement_index: int) -> str:
    """The module without its statement at `statement_index`, the imports that statement read dropped if unused."""
    module = _module(code)
    changes = ImportChanges()
    changes.drop_unused(module.body[statement_index])
    body = [s for i, s in enumerate(module.body) if i != statement_index]
    after = changes.apply(module.with_changes(body=body))
    assert changes.apply(after).code == after.code  # a second application changes nothing
    return after.code


def _added(code: str, *wanted: tuple[str, str | None, str | None]) -> str:
    changes = ImportChanges()
    for module, obj, asname in wanted:
        changes.add(module, obj, asname)
    after = changes.apply(_module(code))
    assert changes.apply(after).code == after.code
    return after.code


def _dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def test_an_import_only_the_removed_code_read_goes():
    assert _removed("""
        import nest_asyncio
        import os
        nest_asyncio.apply()
        print(os.getcwd())
        """, 2) == _dedent("""
        import os
        print(os.getcwd())
        """)


def test_a_name_still_read_elsewhere_keeps_its_import():
    code = """
        from mlflow.models import set_model, ModelConfig
        set_model(None)
        config = ModelConfig
        """
    assert _removed(code, 1) == _dedent("""
        from mlflow.models import ModelConfig
        config = ModelConfig
        """)


@pytest.mark.parametrize("reader", [
    'def f(x: "Tracer"): ...',  # a string annotation
    'y = cast("Tracer", None)',
    '__all__ = ["Tracer"]',
    "def g():\n    Tracer = 1\n    return Tracer",  # a local of the same name: kept, deliberately
])
def test_reads_the_scope_analysis_would_miss_keep_the_import(reader):
    code = f"from tracing import Tracer\n\nTracer.start()\n{reader}\n"
    assert "from tracing import Tracer" in _removed(code, 1)


def test_attribute_and_keyword_names_are_not_reads():
    code = """
        import json

        json.dumps({})
        x = obj.json
        f(json=1)
        """
    assert "import json" not in _removed(code, 1)


def test_an_import_binding_the_root_of_a_dotted_name_goes_with_it():
    assert _removed("""
        import mlflow.models
        mlflow.models.set_model(None)
        x = 1
        """, 1) == "x = 1\n"


def test_an_import_no_removed_code_read_stays_even_if_unused():
    assert _removed("""
        import os
        import sys
        sys.exit()
        """, 2) == "import os\n"


def test_a_star_import_is_never_touched():
    assert _removed("""
        from helpers import *

        helper()
        """, 1).startswith("from helpers import *")


def test_an_import_in_a_function_goes_and_leaves_a_valid_body():
    code = _removed("""
        def f():
            import nest_asyncio
        nest_asyncio.apply()
        """, 1)
    assert code == "def f():\n    pass\n"


def test_additions_go_after_the_leading_imports_and_merge_into_a_from_import():
    code = _added('''
        """Agent."""
        from __future__ import annotations

        import os
        from mlflow.models import ModelConfig
        # set up
        x = 1
        ''', ("asyncio", None, None), ("mlflow.models", "set_model", None), ("pathlib", "Path", None),
        ("pathlib", "PurePath", "P"), ("__future__", "division", None))
    assert code == _dedent('''
        """Agent."""
        from __future__ import division, annotations

        import os
        from mlflow.models import set_model, ModelConfig
        import asyncio
        from pathlib import Path, PurePath as P

        # set up
        x = 1
        ''')


def test_a_name_already_imported_is_not_imported_again():
    code = "import asyncio\nfrom pathlib import Path as P\nfrom helpers import *\n\nx = 1\n"
    assert _added(code, ("asyncio", None, None), ("pathlib", "Path", "P"), ("helpers", "tool", None)) == code
