"""Serve a ChatAgent or ChatModel (MLflow's chat interfaces, older than ResponsesAgent) in the Responses format.

The agent server, the chat page, evaluation and the AI Playground speak Responses, so a chat agent is asked
through a conversion layer: a Responses request becomes the chat request Model Serving handed the agent (the same
message dicts, tool calls and their results, custom_inputs, context or sampling parameters), the agent runs as
Model Serving ran it, and its chat answer becomes Responses output items (text, function calls, function call
outputs, custom_outputs) or stream events (text deltas, then each finished item).

Callers that must keep the chat format get it at POST /chat/invocations: the request and answer shapes of the old
serving endpoint, `"stream": true` answered as server-sent events of chat chunks.

Not converted: attachments of ChatAgent messages, and Responses items with no chat counterpart (reasoning,
MCP approvals), which are left out of the chat request.
"""

import inspect
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from mlflow.pyfunc import ChatAgent, ChatModel
from mlflow.types.agent import ChatAgentMessage, ChatContext
from mlflow.types.llm import ChatMessage, ChatParams
from mlflow.types.responses import (
    ResponsesAgentResponse,
    ResponsesAgentStreamEvent,
    create_function_call_item,
    create_function_call_output_item,
    create_text_delta,
    create_text_output_item,
    output_to_responses_items_stream,
)

from agent_server.adapters import _overrides, stream_events_from_response

CHAT_ROUTE = "/chat/invocations"
# Responses request fields → ChatParams fields of the same meaning.
_PARAMS = {"temperature": "temperature", "top_p": "top_p", "max_output_tokens": "max_tokens"}


def chat_kind(agent: Any) -> str | None:
    """"ChatAgent" or "ChatModel" for an agent of MLflow's chat interfaces, None for any other."""
    if isinstance(agent, ChatAgent):
        return "ChatAgent"
    if isinstance(agent, ChatModel):
        return "ChatModel"
    return None


# --- Responses request → chat request -------------------------------------------------------------------------

def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text") or "" for part in content or [] if isinstance(part, dict))


def chat_messages(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Responses input items as chat messages. Function calls join the assistant message before them (one turn
    of parallel calls is one message, as chat completions require); a function call's output becomes a tool
    message that names its function."""
    messages: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # call_id → function name
    for item in items:
        kind = item.get("type", "message")
        if kind == "message":
            role = "system" if item.get("role") == "developer" else item.get("role", "user")
            messages.append({"role": role, "content": _text(item.get("content"))})
        elif kind == "function_call":
            names[item["call_id"]] = item["name"]
            call = {"id": item["call_id"], "type": "function",
                    "function": {"name": item["name"], "arguments": item.get("arguments") or "{}"}}
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append({"role": "tool", "tool_call_id": item["call_id"],
                             "name": names.get(item["call_id"], "tool"),
                             "content": output if isinstance(output, str) else json.dumps(output)})
    return messages


def chat_request(request: dict[str, Any], kind: str) -> dict[str, Any]:
    """The chat request Model Serving would have been sent for this Responses request."""
    chat: dict[str, Any] = {"messages": chat_messages(request.get("input") or [])}
    if request.get("custom_inputs") is not None:
        chat["custom_inputs"] = request["custom_inputs"]
    if kind == "ChatAgent":
        if request.get("context"):
            chat["context"] = request["context"]
        return chat
    for source, target in _PARAMS.items():
        if request.get(source) is not None:
            chat[target] = request[source]
    tools = [{"type": "function", "function": {k: tool[k] for k in ("name", "description", "parameters") if k in tool}}
             for tool in request.get("tools") or [] if tool.get("type") == "function"]
    if tools:
        chat["tools"] = tools
    return chat


# --- the agent, asked as Model Serving asked it ---------------------------------------------------------------

def _model_args(method: Any, context: Any, messages: list, params: ChatParams) -> tuple:
    # A ChatModel's methods take the model context first, unless the class dropped it (MLflow allows both).
    parameters = inspect.signature(method).parameters
    return (context, messages, params) if "context" in parameters or len(parameters) == 3 else (messages, params)


def _agent_args(request: dict[str, Any]) -> tuple:
    messages = [ChatAgentMessage(**m) for m in request.get("messages", [])]
    context = ChatContext(**request["context"]) if request.get("context") else None
    return messages, context, request.get("custom_inputs")


def _model_input(request: dict[str, Any]) -> tuple[list, ChatParams]:
    fields = dict(request)
    return [ChatMessage.from_dict(m) for m in fields.pop("messages", [])], ChatParams.from_dict(fields)


def _as_dict(answer: Any) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    if hasattr(answer, "model_dump"):
        return answer.model_dump(exclude_none=True)
    return answer.to_dict()


def ask(agent: Any, context: Any, request: dict[str, Any]) -> dict[str, Any]:
    """The agent's whole chat answer to a chat request, as a dict."""
    if chat_kind(agent) == "ChatAgent":
        return _as_dict(agent.predict(*_agent_args(request)))
    messages, params = _model_input(request)
    return _as_dict(agent.predict(*_model_args(agent.predict, context, messages, params)))


def ask_stream(agent: Any, context: Any, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The agent's streamed chat chunks, as dicts."""
    if chat_kind(agent) == "ChatAgent":
        chunks = agent.predict_stream(*_agent_args(request))
    else:
        messages, params = _model_input(request)
        chunks = agent.predict_stream(*_model_args(agent.predict_stream, context, messages, params))
    for chunk in chunks:
        yield _as_dict(chunk)


# --- chat answer → Responses ---------------------------------------------------------------------------------

def _message_items(message: dict[str, Any], fallback_id: str) -> list[dict[str, Any]]:
    """One chat message as Responses output items: its text, then its tool calls; a tool message is the
    output of the call it answers."""
    item_id = message.get("id") or fallback_id
    if message.get("role") == "tool":
        return [create_function_call_output_item(message.get("tool_call_id") or "", _text(message.get("content")))]
    items = []
    if message.get("content"):
        items.append(create_text_output_item(_text(message["content"]), item_id))
    for call in message.get("tool_calls") or []:
        items.append(create_function_call_item(f"fc-{call['id']}", call["id"], call["function"]["name"],
                                               call["function"].get("arguments") or "{}"))
    return items


def responses_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """A ChatAgentResponse or ChatCompletionResponse (as a dict) as a ResponsesAgentResponse dict."""
    if "choices" in answer:  # the first choice is the answer, as chat clients read it
        messages = [choice["message"] for choice in answer["choices"][:1]]
        ids = [answer.get("id") or "chat-completion"]
    else:
        messages = answer.get("messages") or []
        ids = [f"chat-message-{i}" for i in range(len(messages))]
    output = [item for message, fallback in zip(messages, ids) for item in _message_items(message, fallback)]
    response = {"output": output}
    if answer.get("custom_outputs") is not None:
        response["custom_outputs"] = answer["custom_outputs"]
    return response


def responses_events(chunks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Streamed chat chunks (as dicts) as Responses stream events: text deltas, then each finished item."""
    iterator = iter(chunks)
    first = next(iterator, None)
    if first is None:
        return
    rest = itertools.chain([first], iterator)
    if "choices" in first:  # chat completion chunks: MLflow's own conversion, which needs their id
        for event in output_to_responses_items_stream({**c, "id": c.get("id") or "chat-completion"} for c in rest):
            yield event.model_dump(exclude_none=True)
        return
    yield from _agent_chunk_events(rest)


def _agent_chunk_events(chunks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """ChatAgentChunks: deltas that share a message id are one message, whose text item is finished when its tool
    calls come, the next message starts or the stream ends. custom_outputs (MLflow puts them on the last chunk)
    ride on the last finished item, so each chunk's events are sent when the next chunk arrives."""
    text_id, text = "", ""
    custom_outputs = None

    def done(item: dict[str, Any]) -> dict[str, Any]:
        return {"type": "response.output_item.done", "item": item}

    def flush() -> list[dict[str, Any]]:
        nonlocal text
        finished = [done(create_text_output_item(text, text_id))] if text else []
        text = ""
        return finished

    def events_of(number: int, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        nonlocal text_id, text
        delta = chunk.get("delta") or {}
        # A chunk with no id continues the text before it (ids are MLflow's convention, not every agent's).
        message_id = delta.get("id") or (text_id if text and delta.get("role", "assistant") == "assistant"
                                         else f"chat-chunk-{number}")
        events = flush() if message_id != text_id else []
        if delta.get("role") == "tool":
            return events + [done(item) for item in _message_items(delta, message_id)]
        if delta.get("content"):
            text_id, text = message_id, text + _text(delta["content"])
            events.append(create_text_delta(_text(delta["content"]), message_id))
        if delta.get("tool_calls"):
            events += flush() + [done(item) for item in _message_items({**delta, "content": None}, message_id)]
        return events

    pending: list[dict[str, Any]] = []
    for number, chunk in enumerate(chunks):
        yield from pending
        if chunk.get("custom_outputs") is not None:
            custom_outputs = chunk["custom_outputs"]
        pending = events_of(number, chunk)
    pending += flush()
    finished = [event for event in pending if event["type"] == "response.output_item.done"]
    if finished and custom_outputs is not None:
        finished[-1]["custom_outputs"] = custom_outputs
    yield from pending


# --- the chat agent as the ServedAgent sees it -----------------------------------------------------------------

class ChatAsResponses:
    """A ChatAgent or ChatModel with a ResponsesAgent's predict/predict_stream."""

    def __init__(self, agent: Any, context: Any = None):
        self.agent, self.context, self.kind = agent, context, chat_kind(agent)

    def _chat(self, request: Any) -> dict[str, Any]:
        data = request.model_dump(exclude_none=True) if hasattr(request, "model_dump") else dict(request)
        return chat_request(data, self.kind)

    def predict(self, request: Any) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(**responses_answer(ask(self.agent, self.context, self._chat(request))))

    def predict_stream(self, request: Any) -> Iterator[ResponsesAgentStreamEvent]:
        if not _overrides(self.agent, "predict_stream"):  # the agent only answers whole
            yield from stream_events_from_response(self.predict(request))
            return
        for event in responses_events(ask_stream(self.agent, self.context, self._chat(request))):
            yield ResponsesAgentStreamEvent(**event)


# --- the old request and answer shapes, for callers that keep them -------------------------------------------

def served_chat_agent(module: Any) -> ChatAsResponses | None:
    """The chat agent the agent module serves (through its ServedAgent), if it serves one."""
    from agent_server.adapters import ServedAgent

    for value in vars(module).values():
        if isinstance(value, ServedAgent) and value.is_set and isinstance(value.agent, ChatAsResponses):
            return value.agent
    return None


def add_chat_route(app: Any, module: Any) -> None:
    """POST /chat/invocations answering in the chat shapes, when `module` serves a chat agent."""
    from fastapi import HTTPException, Request
    from fastapi.responses import StreamingResponse

    from agent_server.adapters import in_worker_thread, iterate_in_worker_thread

    chat = served_chat_agent(module)
    if chat is None:
        return

    async def chat_invocations(request: Request) -> Any:
        try:
            data = await request.json()
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=f"Invalid JSON in request body: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise HTTPException(status_code=400, detail='a chat request is a JSON object with a "messages" list')
        if not data.pop("stream", False):
            return await in_worker_thread(ask, chat.agent, chat.context, data)

        async def events() -> Any:
            async for chunk in iterate_in_worker_thread(ask_stream, chat.agent, chat.context, data):
                yield f"data: {json.dumps(chunk)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    app.add_api_route(CHAT_ROUTE, chat_invocations, methods=["POST"], name="chat_invocations")
