"""The workspace SDK's credential variables: what an endpoint set for its agent, and what an app has instead.

A Model Serving endpoint gave an agent workspace credentials through environment variables (DATABRICKS_HOST with
DATABRICKS_TOKEN, most often from a secret). Databricks Apps sets DATABRICKS_HOST, DATABRICKS_CLIENT_ID and
DATABRICKS_CLIENT_SECRET for the app's own service principal, and the SDK refuses a configuration that holds two
methods ("validate: more than one authorization method configured: oauth and pat"), which would break every
WorkspaceClient(), ChatDatabricks and MLflow trace export in the app. So these variables are never copied.

Names and methods are the databricks-sdk's (`Config.attributes()`, those with an `auth` method), written out here
because migrate does not import the SDK (seconds).
"""

from __future__ import annotations

import re

WORKSPACE_HOST = "DATABRICKS_HOST"  # set by Databricks Apps to the app's workspace
# Set by Databricks Apps for the app's service principal; on an endpoint, another identity's credentials.
SET_BY_APPS = frozenset({"DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"})
# Every other way of giving the SDK credentials, or of choosing the method: none of them exists in an app.
ABSENT_IN_APPS = frozenset({
    "DATABRICKS_TOKEN", "DATABRICKS_USERNAME", "DATABRICKS_PASSWORD",
    "DATABRICKS_OIDC_TOKEN_ENV", "DATABRICKS_OIDC_TOKEN_FILEPATH", "DATABRICKS_METADATA_SERVICE_URL",
    "DATABRICKS_GOOGLE_SERVICE_ACCOUNT", "GOOGLE_CREDENTIALS",
    "DATABRICKS_AZURE_RESOURCE_ID", "ARM_USE_MSI", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_TENANT_ID",
    "DATABRICKS_AUTH_TYPE", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE",
})
SDK_CREDENTIALS = SET_BY_APPS | ABSENT_IN_APPS  # never copied from an endpoint


def absent_credentials_read(python_source: str) -> list[str]:
    """The credential variables the code names as strings (`os.environ["DATABRICKS_TOKEN"]`, `getenv(...)`) that an
    app does not have."""
    named = set(re.findall(r"""["']([A-Z_]+)["']""", python_source))
    return sorted(named & ABSENT_IN_APPS)


def review_codes(environment: dict[str, str], python_source: str) -> set[str]:
    """The review codes a migration will report for these (bundle_config): S2A212 for a credential the endpoint
    set, S2A214 for one the code reads. For scan's forecast, which does not migrate."""
    return ({"S2A212"} if set(environment) & SDK_CREDENTIALS else set()) | (
        {"S2A214"} if absent_credentials_read(python_source) else set())
