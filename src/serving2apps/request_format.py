"""Requests in the chat format (what a ChatAgent's or ChatModel's endpoint took) as the Responses requests the
migrated app takes; the app's chat_interface maps them back for the agent."""

from __future__ import annotations

# Chat request fields → the Responses request fields of the same meaning.
_CHAT_FIELDS = {"messages": "input", "custom_inputs": "custom_inputs", "context": "context",
                "temperature": "temperature", "top_p": "top_p", "max_tokens": "max_output_tokens"}


def is_chat_request(request: dict) -> bool:
    return isinstance(request.get("messages"), list) and "input" not in request


def responses_request(request: dict) -> dict:
    """A chat request as the Responses request the app takes; any other request as it is."""
    if not is_chat_request(request):
        return request
    return {_CHAT_FIELDS[k]: v for k, v in request.items() if k in _CHAT_FIELDS}
