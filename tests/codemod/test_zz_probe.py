import os
from pathlib import Path
import pytest
from test_behaviour import run_migrated, run_original
from serving2apps.codemod.agent_file import migrate_agent_source

DIR = Path(os.environ.get("PROBE_DIR", "/tmp/real3"))
FILES = sorted(p.name for p in DIR.glob("*.py"))


def texts(answer):
    out = []
    for item in answer["output"]:
        if item["type"] == "message":
            out.append("".join(p["text"] for p in item["content"]))
        else:
            out.append(item["type"])
    return out


@pytest.mark.parametrize("name", FILES)
def test_probe(name, model_env, agent_scaffold, tmp_path):
    source = (DIR / name).read_text()
    oa, oe = run_original(tmp_path / "original.py", source)
    print("\nORIGINAL", texts(oa))
    for mode in ("sync", "async"):
        result = migrate_agent_source(source, "agent.py", mode=mode)
        a, e = run_migrated(tmp_path / f"{mode}.py", result.code)
        print(mode, result.strategy, texts(a), [f.code for f in result.findings])
        assert texts(a) == texts(oa), mode
        if oe is not None and e is not None:
            done = lambda ev: texts({"output": [x["item"] for x in ev if x["type"] == "response.output_item.done"]})
            assert done(e) == done(oe), mode
