# expect: functions S2A100 S2A111 S2A170 S2A171
import json

import mlflow
from databricks_langchain import ChatDatabricks, VectorSearchRetrieverTool
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

tools = [VectorSearchRetrieverTool(index_name="main.docs.chunks")]
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5").bind_tools(tools)
tools_by_name = {t.name: t for t in tools}


def run_tool(tool, args):
    # `tool` could be anything; its invoke most likely does I/O (a retriever here): a worker thread.
    return tool.invoke(args)


class ToolLoopAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        messages = [{"role": "user", "content": request.input[-1].content}]
        for _ in range(3):
            msg = llm.invoke(messages)
            if not msg.tool_calls:
                break
            for call in msg.tool_calls:
                # A tool looked up by name: its type is unknown, and VectorSearchRetrieverTool.invoke queries an index.
                result = tools_by_name[call["name"]].invoke(call["args"])
                again = run_tool(tools_by_name[call["name"]], call["args"])
                messages.append({"role": "tool", "content": json.dumps([result, again]), "tool_call_id": call["id"]})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=msg.content, id="m")])


mlflow.models.set_model(ToolLoopAgent())
