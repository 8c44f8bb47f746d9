# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The other documented on-behalf-of-user shapes: the vector search client's user credential strategy, and the SDK's
Config with the user's credentials for a call the SDK has no method for. Both act with the user's token on the app;
the vector search client has no async form the codemod knows, so predict stays synchronous, in a worker thread."""
import mlflow
import requests
from databricks.ai_search.client import VectorSearchClient
from databricks.ai_search.utils import CredentialStrategy
from databricks.sdk.core import Config
from databricks_ai_bridge import ModelServingUserCredentials
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI


class UserSearchAgent(ResponsesAgent):
    def __init__(self):
        self.llm = OpenAI()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        question = request.input[-1].content
        index = VectorSearchClient(
            credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS, disable_notice=True
        ).get_index(endpoint_name="docs-endpoint", index_name="main.docs.index")
        hits = index.similarity_search(query_text=question, columns=["text"], num_results=1)
        config = Config(credentials_strategy=ModelServingUserCredentials())
        me = requests.get(f"{config.host}/api/2.0/preview/scim/v2/Me", headers=config.authenticate(), timeout=30)
        context = f"{me.json()['userName']} may read: {[row[0] for row in hits['result']['data_array']]}"
        answer = self.llm.chat.completions.create(
            model="fake-llm", messages=[{"role": "system", "content": context}, {"role": "user", "content": question}]
        )
        return ResponsesAgentResponse(output=[self.create_text_output_item(answer.choices[0].message.content, "msg_1")])


mlflow.models.set_model(UserSearchAgent())
