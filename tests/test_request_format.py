"""A model's input example as the Responses request the app takes: as it is, from the chat format, from one row of
MLflow's DataFrame forms; refused (None) when the app cannot be asked it."""

import pytest

from serving2apps.request_format import app_request

MESSAGES = [{"role": "user", "content": "hello"}]
RESPONSES = {"input": MESSAGES}


@pytest.mark.parametrize("example, expected", [
    (RESPONSES, RESPONSES),
    ({"input": MESSAGES, "custom_inputs": {"k": 1}}, {"input": MESSAGES, "custom_inputs": {"k": 1}}),
    ({"messages": MESSAGES, "max_tokens": 5, "stream": False}, {"input": MESSAGES, "max_output_tokens": 5}),
    # What MLflow keeps of a DataFrame example: split orient, under its serving key or not, and records.
    ({"columns": ["input"], "data": [[MESSAGES]]}, RESPONSES),
    ({"dataframe_split": {"columns": ["messages"], "data": [[MESSAGES]], "index": [0]}}, RESPONSES),
    ([{"input": MESSAGES}], RESPONSES),
    ({"dataframe_records": [{"messages": MESSAGES}]}, RESPONSES),
], ids=["responses", "responses-with-custom-inputs", "chat", "split", "dataframe-split", "records",
        "dataframe-records"])
def test_an_example_the_app_answers_becomes_its_request(example, expected):
    assert app_request(example) == expected


@pytest.mark.parametrize("example", [
    [1, 2],
    "hello",
    None,
    {"input": "hello"},  # the agent's request model takes a list of items
    {"prompt": "hello"},
    {"columns": ["input"], "data": [[MESSAGES], [MESSAGES]]},  # two requests in one: which one?
    {"columns": ["input", "extra"], "data": [[MESSAGES]]},  # a row that does not fill its columns
    [{"input": MESSAGES}, {"input": MESSAGES}],
], ids=["list", "string", "null", "input-a-string", "other-fields", "two-rows", "short-row", "two-records"])
def test_an_example_the_app_cannot_be_asked_is_none(example):
    assert app_request(example) is None
