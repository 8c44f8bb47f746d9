"""Evaluates the agent on example requests (`uv run agent-evaluate [FILE]`).

FILE is a JSON file holding one request or a list of requests in the Responses format (default:
input_example.json beside this app, as downloaded with the original model). The scorer needs no LLM judge.
"""

import argparse
import asyncio
import inspect
import json
import sys
from pathlib import Path

import mlflow
from dotenv import load_dotenv
from mlflow.genai.agent_server import get_invoke_function
from mlflow.genai.scorers import scorer
from mlflow.types.responses import ResponsesAgentRequest

APP_ROOT = Path(__file__).resolve().parent.parent


@scorer
def answered(outputs) -> bool:
    """The agent returned at least one output item."""
    return bool(outputs and outputs.get("output"))


def load_requests(path: Path) -> list[dict]:
    data = json.loads(path.read_text())
    return data if isinstance(data, list) else [data]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the agent on example requests.")
    parser.add_argument("file", nargs="?", type=Path, default=APP_ROOT / "input_example.json")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"error: no example requests at {args.file}; pass a JSON file of requests.", file=sys.stderr)
        return 2
    load_dotenv(APP_ROOT / ".env", override=False)
    import agent_server.agent  # noqa: F401  (registers the invoke function)

    invoke = get_invoke_function()
    if invoke is None:
        print("error: agent_server/agent.py registers no @invoke() function yet; run serving2apps migrate.",
              file=sys.stderr)
        return 2

    def predict(input, **rest):
        result = invoke(ResponsesAgentRequest(input=input, **rest))
        if inspect.isawaitable(result):  # migrated handlers are async; evaluate calls predict from threads
            result = asyncio.run(result)
        return result if isinstance(result, dict) else result.model_dump(exclude_none=True)

    data = [{"inputs": request} for request in load_requests(args.file)]
    result = mlflow.genai.evaluate(data=data, predict_fn=predict, scorers=[answered])
    print(json.dumps(result.metrics, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
