"""The migrated agent goes here.

`serving2apps migrate` replaces this file with your agent from Model Serving, rewritten into module-level
functions registered with the MLflow agent server's `@invoke()` and `@stream()` decorators.

Until then nothing is registered, so the server answers /invocations with an error that says so.
"""
