"""Qualified names the codemods match, so any import style (aliases, module imports) is recognised."""

RESPONSES_AGENT = {"mlflow.pyfunc.ResponsesAgent", "mlflow.pyfunc.model.ResponsesAgent"}
# MLflow's chat interfaces, older than ResponsesAgent: served through the app's chat conversion layer.
CHAT_AGENTS = {
    "mlflow.pyfunc.ChatAgent": "ChatAgent",
    "mlflow.pyfunc.model.ChatAgent": "ChatAgent",
    "mlflow.pyfunc.ChatModel": "ChatModel",
    "mlflow.pyfunc.model.ChatModel": "ChatModel",
}
SET_MODEL = {"mlflow.models.set_model", "mlflow.models.model.set_model"}
SERVER_DECORATORS = {
    "mlflow.genai.agent_server.invoke",
    "mlflow.genai.agent_server.stream",
    "mlflow.genai.agent_server.server.invoke",
    "mlflow.genai.agent_server.server.stream",
}
TRACE = {"mlflow.trace", "mlflow.tracing.fluent.trace", "mlflow.tracing.trace"}

# ResponsesAgent's inherited helpers → the module functions in mlflow.types.responses they delegate to.
INHERITED_HELPERS = {
    "create_text_delta": "create_text_delta",
    "create_annotation_added": "create_annotation_added",
    "create_text_output_item": "create_text_output_item",
    "create_reasoning_item": "create_reasoning_item",
    "create_function_call_item": "create_function_call_item",
    "create_function_call_output_item": "create_function_call_output_item",
    "output_to_responses_items_stream": "output_to_responses_items_stream",
    "responses_agent_output_reducer": "responses_agent_output_reducer",
    "prep_msgs_for_cc_llm": "to_chat_completions_input",
    "_responses_to_cc": "responses_to_cc",
}
RESPONSES_MODULE = "mlflow.types.responses"

# Type names of early ResponsesAgent releases that current mlflow no longer has.
LEGACY_TYPES = {
    "ResponsesRequest": "ResponsesAgentRequest",
    "ResponsesResponse": "ResponsesAgentResponse",
    "ResponsesStreamEvent": "ResponsesAgentStreamEvent",
}
MODEL_CONFIG = {"mlflow.models.ModelConfig", "mlflow.models.model_config.ModelConfig"}
WORKSPACE_CLIENTS = {"databricks.sdk.WorkspaceClient"}
SDK_CONFIGS = {"databricks.sdk.core.Config", "databricks.sdk.config.Config"}
# The vector search client (databricks-vectorsearch re-exports databricks-ai-search's, its new name).
VECTOR_SEARCH_CLIENTS = {"databricks.vector_search.client.VectorSearchClient",
                         "databricks.ai_search.client.VectorSearchClient"}
VECTOR_SEARCH_USER_CREDENTIALS = {f"databricks.{package}.utils.CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS"
                                  for package in ("vector_search", "ai_search")}
# The on-behalf-of-user credentials of Model Serving (databricks-ai-bridge's, and the SDK's older copy).
USER_CREDENTIALS = {
    "databricks_ai_bridge.ModelServingUserCredentials",
    "databricks_ai_bridge.model_serving_obo_credential_strategy.ModelServingUserCredentials",
    "databricks.sdk.credentials_provider.ModelServingUserCredentials",
}
# What the on-behalf-of-user clients become (codemod/user_clients.py): the scaffold's helper over the forwarded token.
USER_CLIENT_HELPER = "agent_server.utils.get_user_workspace_client"
USER_VECTOR_SEARCH_HELPER = "agent_server.utils.get_user_vector_search_credentials"
# A thread pool of the agent's, in a module that acts as the user, becomes the scaffold's, whose threads see the request.
THREAD_POOLS = {"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.thread.ThreadPoolExecutor"}
CONTEXT_THREAD_POOL = "agent_server.utils.ContextThreadPoolExecutor"
THREADS = {"threading.Thread"}
CONTEXT_THREAD = "agent_server.utils.ContextThread"
# The tracking URI the app's env sets; an agent file setting the same at import is removed (codemod/tracking_setup.py).
APPS_TRACKING_URI = "databricks"
SET_EXPERIMENT = {"mlflow.set_experiment", "mlflow.tracking.fluent.set_experiment"}
SET_TRACKING_URI = {"mlflow.set_tracking_uri", "mlflow.tracking.set_tracking_uri",
                    "mlflow.tracking._tracking_service.utils.set_tracking_uri"}
