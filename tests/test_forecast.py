"""scan's forecast says what a migration would leave for review, read from the agent file alone."""

from pathlib import Path

from serving2apps.forecast import forecast

CODEMOD = Path(__file__).parent / "codemod"
MLMODEL = {"flavors": {"python_function": {"loader_module": "mlflow.pyfunc.loaders.code_model",
                                           "model_code_path": "/Workspace/agent.py"}},
           "metadata": {"task": "agent/v1/responses"}}


def test_on_behalf_of_user_access_left_in_the_code_is_forecast_for_review():
    """Clients built per request are rewritten (S2A133, nothing to review); one built at load, or from a strategy
    kept in a variable, is left, and the migration's bundle step reports it (S2A203)."""
    rewritten = forecast(MLMODEL, (CODEMOD / "async_cases" / "user_client_per_request.in.py").read_text())
    assert rewritten.outcome == "functions" and "S2A203" not in rewritten.codes
    left = forecast(MLMODEL, (CODEMOD / "cases" / "user_credentials.in.py").read_text())
    assert "S2A203" in left.codes
