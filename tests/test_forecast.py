"""scan's forecast says what a migration would leave for review, read from the agent file alone."""

from pathlib import Path

from serving2apps.forecast import forecast

CODEMOD = Path(__file__).parent / "codemod"
MLMODEL = {"flavors": {"python_function": {"loader_module": "mlflow.pyfunc.loaders.code_model",
                                           "model_code_path": "/Workspace/agent.py"}},
           "metadata": {"task": "agent/v1/responses"}}


def test_on_behalf_of_user_access_left_in_the_code_is_forecast_for_review():
    """Clients built per request are rewritten (S2A133), and need nothing more once the model declared the user's
    scopes; without any, the app would forward no user token, which the bundle step reports (S2A203), as it reports
    a client built at load, or from a strategy kept in a variable, that is left."""
    per_request = (CODEMOD / "async_cases" / "user_client_per_request.in.py").read_text()
    policy = {"user_auth_policy": {"api_scopes": ["serving.serving-endpoints"]}}
    rewritten = forecast(MLMODEL | {"auth_policy": policy}, per_request)
    assert rewritten.outcome == "functions" and "S2A203" not in rewritten.codes
    assert "S2A203" in forecast(MLMODEL, per_request).codes
    left = forecast(MLMODEL | {"auth_policy": policy}, (CODEMOD / "cases" / "user_credentials.in.py").read_text())
    assert "S2A203" in left.codes


def test_what_apps_cannot_grant_the_user_is_forecast_like_the_migration_reports_it():
    """The model's scopes and the resources it used as the user are forecast as the bundle step reports them: a
    scope Apps has (serving) needs nothing, vector search has none (S2A210), a resource used as the user is left
    (S2A203); a vector search client the code builds as the user is S2A210 even with no scope declared."""
    agent = (CODEMOD / "async_cases" / "user_vector_search_and_config.in.py").read_text()
    policy = {"user_auth_policy": {"api_scopes": ["serving.serving-endpoints"]}}
    serving_only = forecast(MLMODEL | {"auth_policy": policy},
                            (CODEMOD / "async_cases" / "user_client_per_request.in.py").read_text())
    assert not {"S2A203", "S2A210"} & set(serving_only.codes)
    assert "S2A210" in forecast(MLMODEL | {"auth_policy": policy}, agent).codes
    used_as_user = {"api_version": "1", "databricks": {"genie_space": [{"name": "01ef", "on_behalf_of_user": True}]}}
    assert "S2A203" in forecast(MLMODEL | {"resources": used_as_user}, agent).codes
    broken = forecast(MLMODEL | {"resources": {"api_version": "2"}}, agent)
    assert broken.outcome == "refused" and "resources format" in broken.reason


def test_an_input_example_the_app_cannot_be_asked_is_forecast_for_review():
    """An example in neither the Responses nor the chat format (nor one row of MLflow's DataFrame forms) is not
    copied for the app's scripts: S2A141, as migrate reports it; one the app answers, or none, needs nothing."""
    agent = (CODEMOD / "cases" / "helpers_through_self.in.py").read_text()
    assert "S2A141" in forecast(MLMODEL, agent, input_example=[["where is order 42"]]).codes
    assert "S2A141" in forecast(MLMODEL, agent, input_example={"question": "where is order 42"}).codes
    for askable in ({"input": [{"role": "user", "content": "hi"}]}, {"messages": [{"role": "user", "content": "hi"}]},
                    None):
        assert "S2A141" not in forecast(MLMODEL, agent, input_example=askable).codes
