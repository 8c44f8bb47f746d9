"""A model's input example as the Responses request the migrated app takes: requests in the chat format (what a
ChatAgent's or ChatModel's endpoint took; the app's chat_interface maps them back for the agent), and either
format in MLflow's DataFrame forms, which a model logged with a DataFrame example keeps."""

from __future__ import annotations

# Chat request fields → the Responses request fields of the same meaning.
_CHAT_FIELDS = {"messages": "input", "custom_inputs": "custom_inputs", "context": "context",
                "temperature": "temperature", "top_p": "top_p", "max_tokens": "max_output_tokens"}


def _is_chat_request(request: dict) -> bool:
    return isinstance(request.get("messages"), list) and "input" not in request


def _one_row(example):
    """The one row of an example in MLflow's DataFrame forms (split: {"columns", "data"}; records: a list of rows;
    either under its serving key), as a dict; the example as it is when it is not one."""
    if isinstance(example, dict) and len(example) == 1 and next(iter(example)) in ("dataframe_split",
                                                                                    "dataframe_records"):
        example = next(iter(example.values()))
    if isinstance(example, dict) and {"columns", "data"} <= set(example) <= {"columns", "data", "index"}:
        columns, data = example["columns"], example["data"]
        if isinstance(columns, list) and isinstance(data, list) and len(data) == 1 and isinstance(data[0], list) \
                and len(data[0]) == len(columns):
            return dict(zip(map(str, columns), data[0]))
    if isinstance(example, list) and len(example) == 1 and isinstance(example[0], dict):
        return example[0]
    return example


def app_request(example) -> dict | None:
    """The Responses request the app takes for a model's input example (parsed JSON), or None when it is not a
    request the app can be asked: another shape, several rows, no list of input messages."""
    request = _one_row(example)
    if not isinstance(request, dict):
        return None
    if _is_chat_request(request):
        request = {_CHAT_FIELDS[k]: v for k, v in request.items() if k in _CHAT_FIELDS}
    return request if isinstance(request.get("input"), list) else None
