"""The app's chat conversion layer (agent_server/chat_interface.py), one direction and one item kind at a time:
Responses requests → chat requests, chat answers and chunks → Responses output items and stream events."""

import json

import pytest


@pytest.fixture(scope="module")
def chat(agent_scaffold):
    import agent_server.chat_interface as chat_interface

    return chat_interface


TOOL_CALL = {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": '{"city": "Oslo"}'}
TOOL_OUTPUT = {"type": "function_call_output", "call_id": "c1", "output": '{"celsius": 4}'}


# --- request: Responses → chat ---------------------------------------------------------------------------------

def test_messages_keep_their_role_and_text(chat):
    assert chat.chat_messages([
        {"role": "user", "content": "plain"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "in "},
                                                         {"type": "input_text", "text": "parts"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "answered"}]},
        {"role": "developer", "content": "be brief"},
    ]) == [{"role": "user", "content": "plain"}, {"role": "user", "content": "in parts"},
           {"role": "assistant", "content": "answered"}, {"role": "system", "content": "be brief"}]


def test_a_function_call_joins_the_assistant_message_before_it(chat):
    assert chat.chat_messages([{"role": "user", "content": "Oslo?"},
                               {"role": "assistant", "content": "Looking."}, TOOL_CALL]) == [
        {"role": "user", "content": "Oslo?"},
        {"role": "assistant", "content": "Looking.", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]}]


def test_parallel_function_calls_are_one_assistant_message(chat):
    second = {**TOOL_CALL, "call_id": "c2", "arguments": '{"city": "Paris"}'}
    [message] = chat.chat_messages([TOOL_CALL, second])
    assert message["role"] == "assistant" and message["content"] is None
    assert [c["id"] for c in message["tool_calls"]] == ["c1", "c2"]


def test_a_function_call_output_is_a_tool_message_naming_its_function(chat):
    messages = chat.chat_messages([TOOL_CALL, TOOL_OUTPUT, {**TOOL_OUTPUT, "call_id": "unknown", "output": {"a": 1}}])
    assert messages[1] == {"role": "tool", "tool_call_id": "c1", "name": "weather", "content": '{"celsius": 4}'}
    assert messages[2] == {"role": "tool", "tool_call_id": "unknown", "name": "tool", "content": '{"a": 1}'}


def test_items_with_no_chat_counterpart_are_left_out(chat):
    assert chat.chat_messages([{"type": "reasoning", "summary": []}, {"role": "user", "content": "hi"}]) == [
        {"role": "user", "content": "hi"}]


def test_a_chat_agent_request_carries_custom_inputs_and_context(chat):
    request = {"input": [{"role": "user", "content": "hi"}], "custom_inputs": {"units": "f"},
               "context": {"conversation_id": "c", "user_id": "u"}, "temperature": 0.5}
    assert chat.chat_request(request, "ChatAgent") == {
        "messages": [{"role": "user", "content": "hi"}], "custom_inputs": {"units": "f"},
        "context": {"conversation_id": "c", "user_id": "u"}}


def test_a_chat_model_request_carries_sampling_parameters_and_tools(chat):
    request = {"input": [{"role": "user", "content": "hi"}], "temperature": 0.2, "top_p": 0.9,
               "max_output_tokens": 64, "custom_inputs": {"tone": "dry"}, "context": {"user_id": "u"},
               "tools": [{"type": "function", "name": "weather", "description": "forecast",
                          "parameters": {"type": "object", "properties": {}}, "strict": True}]}
    assert chat.chat_request(request, "ChatModel") == {
        "messages": [{"role": "user", "content": "hi"}], "custom_inputs": {"tone": "dry"},
        "temperature": 0.2, "top_p": 0.9, "max_tokens": 64,
        "tools": [{"type": "function", "function": {"name": "weather", "description": "forecast",
                                                    "parameters": {"type": "object", "properties": {}}}}]}


def test_the_chat_request_is_what_mlflow_accepts(chat):
    """The converted history, with an earlier tool call, builds MLflow's own message and parameter types."""
    from mlflow.types.agent import ChatAgentMessage
    from mlflow.types.llm import ChatMessage, ChatParams

    history = [{"role": "user", "content": "Oslo?"}, TOOL_CALL, TOOL_OUTPUT,
               {"role": "assistant", "content": "4 degrees."}, {"role": "user", "content": "And Paris?"}]
    agent_request = chat.chat_request({"input": history}, "ChatAgent")
    assert [ChatAgentMessage(**m).role for m in agent_request["messages"]] == [
        "user", "assistant", "tool", "assistant", "user"]
    model_request = chat.chat_request({"input": history, "temperature": 0.1, "tools": [
        {"type": "function", "name": "weather", "parameters": {"type": "object", "properties": {}}}]}, "ChatModel")
    fields = dict(model_request)
    assert len([ChatMessage.from_dict(m) for m in fields.pop("messages")]) == 5
    params = ChatParams.from_dict(fields)
    assert params.temperature == 0.1 and params.tools[0].function.name == "weather"


# --- answer: chat → Responses --------------------------------------------------------------------------------

def test_a_chat_agent_answer_becomes_items(chat):
    answer = {"messages": [
        {"role": "assistant", "content": "Looking.", "id": "m1", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]},
        {"role": "tool", "name": "weather", "tool_call_id": "c1", "content": "4", "id": "m2"},
        {"role": "assistant", "content": "It is 4.", "id": "m3"}], "custom_outputs": {"n": 1}}
    response = chat.responses_answer(answer)
    assert [(i["type"], i.get("id")) for i in response["output"]] == [
        ("message", "m1"), ("function_call", "fc-c1"), ("function_call_output", None), ("message", "m3")]
    assert response["output"][0]["content"][0]["text"] == "Looking."
    assert response["output"][1] | {"id": None} == {"type": "function_call", "id": None, "call_id": "c1",
                                                    "name": "weather", "arguments": "{}"}
    assert response["output"][2] == {"type": "function_call_output", "call_id": "c1", "output": "4"}
    assert response["custom_outputs"] == {"n": 1}


def test_a_chat_completion_answer_is_its_first_choice(chat):
    response = chat.responses_answer({"id": "cmpl-1", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "first"}},
        {"index": 1, "message": {"role": "assistant", "content": "second"}}]})
    [item] = response["output"]
    assert item["id"] == "cmpl-1" and item["content"][0]["text"] == "first"
    assert "custom_outputs" not in response


def test_chat_agent_chunks_become_deltas_then_finished_items(chat):
    chunks = [
        {"delta": {"role": "assistant", "content": "Look", "id": "m1"}},
        {"delta": {"role": "assistant", "content": "ing.", "id": "m1"}},
        {"delta": {"role": "assistant", "id": "m1", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]}},
        {"delta": {"role": "tool", "name": "weather", "tool_call_id": "c1", "content": "4", "id": "m2"}},
        {"delta": {"role": "assistant", "content": "It is 4.", "id": "m3"}, "custom_outputs": {"n": 1}},
    ]
    events = list(chat.responses_events(chunks))
    assert [(e["type"], e.get("delta") or e.get("item", {}).get("type")) for e in events] == [
        ("response.output_text.delta", "Look"), ("response.output_text.delta", "ing."),
        ("response.output_item.done", "message"), ("response.output_item.done", "function_call"),
        ("response.output_item.done", "function_call_output"), ("response.output_text.delta", "It is 4."),
        ("response.output_item.done", "message")]
    assert events[2]["item"]["content"][0]["text"] == "Looking."
    assert events[-1]["item"]["content"][0]["text"] == "It is 4."
    assert events[-1]["custom_outputs"] == {"n": 1}
    assert all("custom_outputs" not in e for e in events[:-1])


def test_chat_completion_chunks_use_mlflows_conversion(chat):
    chunks = [{"id": "x", "choices": [{"index": 0, "delta": {"role": "assistant", "content": word}}]}
              for word in ("Hello", " there")]
    events = list(chat.responses_events(chunks))
    assert [e["type"] for e in events] == ["response.output_text.delta"] * 2 + ["response.output_item.done"]
    assert events[-1]["item"]["content"][0]["text"] == "Hello there"


def test_chunks_without_ids_still_convert(chat):
    completion = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": w}}]} for w in ("a", "b")]
    assert [e["type"] for e in chat.responses_events(completion)][-1] == "response.output_item.done"
    agent = [{"delta": {"role": "assistant", "content": w}} for w in ("Hel", "lo")]
    finished = [e for e in chat.responses_events(agent) if e["type"] == "response.output_item.done"]
    assert [e["item"]["content"][0]["text"] for e in finished] == ["Hello"]


def test_no_chunks_no_events(chat):
    assert list(chat.responses_events([])) == []


# --- the agent, served ------------------------------------------------------------------------------------------

def test_a_chat_agent_with_no_stream_streams_its_whole_answer(chat):
    from mlflow.pyfunc import ChatAgent
    from mlflow.types.agent import ChatAgentMessage, ChatAgentResponse
    from mlflow.types.responses import ResponsesAgentRequest

    class Whole(ChatAgent):
        def predict(self, messages, context=None, custom_inputs=None):
            return ChatAgentResponse(messages=[ChatAgentMessage(role="assistant", content=messages[-1].content,
                                                                id="m")])

    served = chat.ChatAsResponses(Whole())
    request = ResponsesAgentRequest(input=[{"role": "user", "content": "same"}])
    events = [e.model_dump(exclude_none=True) for e in served.predict_stream(request)]
    assert [e["item"]["content"][0]["text"] for e in events] == ["same"]
    assert served.predict(request).output[0].model_dump()["content"][0]["text"] == "same"


def test_a_chat_model_without_the_context_parameter_is_called_without_it(chat):
    from mlflow.pyfunc import ChatModel
    from mlflow.types.llm import ChatChoice, ChatCompletionResponse, ChatMessage

    class NoContext(ChatModel):
        def predict(self, messages, params):
            return ChatCompletionResponse(choices=[ChatChoice(index=0, message=ChatMessage(
                role="assistant", content=json.dumps({"max_tokens": params.max_tokens})))])

    answer = chat.ask(NoContext(), "context", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 7})
    assert json.loads(answer["choices"][0]["message"]["content"]) == {"max_tokens": 7}
