"""What differs between Model Serving's runtime and the app's, rewritten wherever the agent's code runs: in the agent
file (before its strategies) and in its own modules copied from code/. On-behalf-of-user clients (`user_clients`)
and the import-time choice of MLflow experiment (`tracking_setup`)."""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod import tracking_setup, user_clients
from serving2apps.codemod.findings import Finding
from serving2apps.codemod.parsing import parse_source


def for_the_app(source: str, module: cst.Module, filename: str) -> tuple[cst.Module, list[Finding]]:
    """`module`, parsed from `source`, with every rewrite applied, and what each did."""
    module, findings = user_clients.rewrite_user_clients(source, module, filename)
    module, dropped = tracking_setup.drop_tracking_setup(source, module, filename)
    return module, findings + dropped


def code_module_for_the_app(source: str, filename: str) -> tuple[str, list[Finding]]:
    """The same for a module from code/, parsed only when a rewrite may apply (most are copied as they are)."""
    if not any(marker in source for marker in (*user_clients.MARKERS, *tracking_setup.MARKERS)):
        return source, []
    module, findings = for_the_app(source, parse_source(source, filename), filename)
    return (module.code, findings) if findings else (source, [])
