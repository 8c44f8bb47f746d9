# expect: functions S2A100 S2A111 S2A170 S2A174 S2A175
import asyncio

import mlflow
import nest_asyncio
from databricks_langchain import ChatDatabricks, DatabricksMCPServer, DatabricksMultiServerMCPClient
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

nest_asyncio.apply()
mcp_client = DatabricksMultiServerMCPClient([DatabricksMCPServer(name="uc", url="https://example/api/2.0/mcp/functions/main/tools")])
TOOLS = asyncio.run(mcp_client.get_tools())
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


class McpAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        graph = create_react_agent(llm, tools=TOOLS)
        result = graph.invoke({"messages": [("user", request.input[-1].content)]})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result["messages"][-1].content, id="m")])


mlflow.models.set_model(McpAgent())
