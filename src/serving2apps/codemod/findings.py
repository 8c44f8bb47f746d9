"""What the migration did and what it leaves for a person, with stable codes (documented in README)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# code → (kind, one-line fix hint). "info": done, nothing to do; "review": a person should look; "refused": the
# migration stopped (exit 2) and the error message carries the code.
CODES: dict[str, tuple[str, str]] = {
    "S2A100": ("info", "none: the agent class became module functions registered with @invoke/@stream"),
    "S2A101": ("review", "the class was kept and wrapped by adapters; read the reason, and refactor by hand if you want plain functions"),
    "S2A102": ("info", "none: the file already registers @invoke/@stream functions and was left unchanged"),
    "S2A104": ("info", "none: the file's synchronous @invoke/@stream handlers now run in worker threads under async handlers"),
    "S2A105": ("info", "none: set_model() was removed where it stood; the agent server serves the registered handlers"),
    "S2A106": ("review", "a call on the agent instance was left at module level (a notebook's smoke test): it runs at every start of the app; remove it or move it under `if __name__ == \"__main__\":`"),
    "S2A107": ("review", "the agent file was kept as it was and its set_model() instance is served in worker threads: read the S2A180 reason, and refactor into @invoke/@stream functions by hand if you want native async"),
    "S2A103": ("info", "none: ResponsesRequest/ResponsesResponse/ResponsesStreamEvent now use their current names"),
    "S2A108": ("review", "the agent is a ChatAgent or ChatModel and is served in the Responses format: its callers send `input` (the same message dicts they sent as `messages`) and read `output` items, or keep the chat shapes at POST <app url>/chat/invocations (see the report's section for callers)"),
    "S2A110": ("info", "none: predict/predict_stream run in worker threads so the server's event loop stays free"),
    "S2A111": ("info", "none: the missing stream (or invoke) entry point is built from the other one"),
    "S2A120": ("review", "params is no longer passed; it is bound to None: move those settings into custom_inputs or configuration"),
    "S2A121": ("review", "@mlflow.trace on predict/predict_stream adds a second span inside the server's own; drop it if the extra span is noise"),
    "S2A130": ("review", "per-request writes to shared state race between concurrent requests: keep per-request values in locals"),
    "S2A131": ("review", "the request object is changed in place: copy it first (request.model_copy(deep=True))"),
    "S2A132": ("review", "synchronous code runs coroutines on an event loop the agent keeps, which every request shares, and the app serves requests at once: a second request fails with 'This event loop is already running'. Run each with asyncio.run(...) (if nothing is bound to that loop), or migrate in async mode, which awaits the coroutine instead"),
    "S2A133": ("info", "none: an on-behalf-of-user WorkspaceClient built per request now comes from agent_server.utils.get_user_workspace_client(), which acts with the token Databricks Apps forwards for the user (x-forwarded-access-token); the app needs the scopes in user_api_scopes (S2A201)"),
    "S2A134": ("info", "none: the agent file's own mlflow.set_experiment() (or set_tracking_uri(\"databricks\")) at import was removed: the app traces to its experiment resource in databricks.yml. To keep tracing to the old experiment, make it that resource and grant the app CAN_EDIT on it"),
    "S2A140": ("info", "none: load_context's artifacts now resolve to files beside agent.py"),
    "S2A141": ("review", "preflight, deploy's smoke test and verify send a greeting instead, and agent-evaluate needs a file: add an input_example.json beside the app with a Responses request ({\"input\": [{\"role\": \"user\", \"content\": ...}]}) the agent answers"),
    "S2A150": ("info", "none: module copied from code/ and its imports now go through agent_server"),
    "S2A151": ("review", "this import of a module copied from code/ was left as it was; change it to `from agent_server.X import Y`"),
    "S2A152": ("info", "none: a code/ module named like a scaffold file was copied under a new name, and its imports follow"),
    "S2A161": ("info", "none: ModelConfig() reads the config Model Serving used, now agent_server/model_config.yaml"),
    "S2A170": ("info", "none: these functions and the calls between them are async now (async mode)"),
    "S2A171": ("review", "this call may block and has no async form serving2apps knows, so it runs in a worker thread: replace it with a native async call if the library has one"),
    "S2A172": ("info", "none: nothing the agent calls has a known async form (or it sits in code that must stay synchronous), so async mode serves it like sync mode, in worker threads"),
    "S2A173": ("info", "none: the client is constructed from its async class, since every call on it is now awaited"),
    "S2A174": ("info", "none: nest_asyncio.apply() was removed; the agent server's event loop must not be patched"),
    "S2A175": ("info", "none: a value computed with asyncio.run at import is now computed once, on first use, in the server's event loop"),
    "S2A176": ("review", "async mode needs the functions strategy; the kept class's methods run in worker threads: refactor the class (see S2A101) to get native async"),
    "S2A179": ("review", "a blocking call was left inside an async function serving2apps wrote: this is a serving2apps bug; please report it, and wrap the call in `await in_worker_thread(...)` meanwhile"),
    "S2A180": ("review", "a strategy's output failed the self-check and was not used; the next strategy's output is what you got: please report the agent file to serving2apps so the better strategy can handle it"),
    "S2A182": ("review", "the output could not be self-checked here because the agent file needs a newer Python to parse: run `serving2apps verify` under the app's Python"),
    "S2A190": ("refused", "the agent file never calls mlflow.models.set_model(): add set_model(YourAgent()) as models from code require"),
    "S2A191": ("refused", "no strategy produced an output that passes the self-check: a serving2apps bug; migrate the file by hand and report it"),
    "S2A193": ("refused", "the agent file defines no ResponsesAgent subclass and calls no set_model(): point serving2apps at the model whose agent file does"),
    "S2A194": ("refused", "several ResponsesAgent classes and no set_model() call to say which is served: add set_model(YourAgent())"),
    "S2A195": ("refused", "an expression nests too deeply for the codemod: split it into several statements"),
    "S2A196": ("refused", "the agent file is longer than the codemod migrates in seconds: move data and helpers into code/ modules"),
    "S2A200": ("info", "none: a resource the agent used is granted to the app in databricks.yml"),
    "S2A201": ("info", "none: the model's on-behalf-of-user scopes and resources became the app's user_api_scopes, in the scopes Databricks Apps accepts (users are asked to consent on first use)"),
    "S2A202": ("review", "this resource type has no Databricks Apps equivalent: grant access another way (e.g. a service principal permission) or remove the dependency"),
    "S2A203": ("review", "on-behalf-of-user access: in Apps, use agent_server.utils.get_user_workspace_client() (the x-forwarded-access-token header) and keep the scope in user_api_scopes"),
    "S2A204": ("review", "a sensitive variable had a plain value on the endpoint: store it in a secret scope and reference it with value_from in the app's config in databricks.yml"),
    "S2A205": ("info", "none: a secret reference became a secret app resource and a value_from entry in the app's config"),
    "S2A206": ("info", "none: a plain environment variable was copied into the app's config, or the app's own value of it was kept"),
    "S2A207": ("info", "none: the app's compute_size and instance count follow the endpoint's workload size or provisioned concurrency (kept if databricks.yml already sets them)"),
    "S2A208": ("review", "the endpoint scaled in a way the app does not (to zero, on a GPU, or over replicas an agent with per-process state cannot use): check the app's size against your traffic, and stop the app when it is not used"),
    "S2A209": ("info", "none: the `workers` variable in databricks.yml (WEB_CONCURRENCY in a v1 app's app.yaml) sets the server's worker processes (one per vCPU, or one for an agent that keeps state in its process); change it there if you know better"),
    "S2A210": ("review", "on behalf of the user, Model Serving allowed this and Databricks Apps has no scope for it: grant the resource to the app's service principal instead (add it under the app's resources in databricks.yml, and build its client with the app's own credentials, e.g. VectorSearchClient() without get_user_vector_search_credentials(); every user then gets the app's access), or call it from a Model Serving endpoint the app queries with the user's serving.serving-endpoints scope"),
    "S2A211": ("review", "a Lakebase autoscaling branch was granted without its database: add `database: projects/<p>/branches/<b>/databases/<id>` to the postgres resource in databricks.yml (`databricks api get /api/2.0/postgres/projects/<p>/branches/<b>/databases` lists the ids)"),
    "S2A212": ("review", "the endpoint gave the agent workspace credentials through this variable; it was not copied, because the app authenticates as its own service principal (Databricks Apps sets DATABRICKS_HOST, DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET) and a second method makes the SDK refuse to authenticate: check that the app's service principal can reach what the credential's owner could (the model's resources are granted in databricks.yml; grant anything else to it)"),
    "S2A213": ("info", "none: Databricks Apps sets this variable for the app (its workspace, its service principal), so the endpoint's value was not copied"),
    "S2A214": ("review", "the agent's code reads a credential variable itself, and an app has none: build the client from the SDK's default authentication instead (WorkspaceClient(), DatabricksOpenAI(), WorkspaceClient().serving_endpoints.get_open_ai_client()), which uses the app's service principal and refreshes its token"),
    "S2A215": ("review", "each worker process loads the model's files (artifacts, code/), and even one may not fit in the app's memory: choose a larger compute_size in databricks.yml, or have the agent load less at start"),
    "S2A216": ("review", "an app is not behind the serving endpoint's AI Gateway: its requests are not logged to an inference table, rate-limited, guarded or usage-tracked (the app's traces go to its MLflow experiment instead); keep what you need in the agent (checks of your own, MLflow tracing and its monitoring), or keep the endpoint for the callers who rely on it"),
    "S2A300": ("info", "none: a package only Model Serving needed was left out of the app's dependencies"),
    "S2A301": ("review", "the agent pinned a version the agent server cannot run with; the app's minimum is used instead: check the agent still works with it"),
    "S2A302": ("review", "a direct reference (URL/VCS) dependency: make sure Databricks Apps can reach it when it installs the app"),
    "S2A303": ("review", "a pip option in requirements.txt (index URL, constraints, editable) was not carried over: configure it for uv ([tool.uv] in pyproject.toml) if the app needs it"),
    "S2A309": ("info", "none: uv applies the model's constraints file when it resolves the app, as pip applied -c"),
    "S2A304": ("review", "uv.lock was not written, because locking would build a package (a direct reference from the model, or a package with no wheel), running its code: publish a wheel of it to an index you trust, then run migrate --lock"),
    "S2A305": ("review", "a direct reference's URL carried credentials, which were not copied into the app: make the package reachable by the app without them (an index or volume its service principal can read, or credentials given to uv from a secret), then run migrate --lock"),
    "S2A306": ("info", "a wheel shipped in the model (code/, or MLflow's wheels/) was copied to the app's wheels/ folder and is installed from there ([tool.uv.sources] in pyproject.toml)"),
    "S2A307": ("review", "a requirement names a file or URL the app cannot install from (a file the model does not hold, such as a /Volumes path, a source archive or project folder, which installing would build, or a URL without a package name): put a wheel of it in the app's wheels/ folder and add it to pyproject.toml with [tool.uv.sources], or publish it to an index the app can reach"),
    "S2A308": ("info", "the endpoint ran another Python than Databricks Apps runs the app on (3.11); agent code rarely depends on it, and `serving2apps verify` runs the original on its own Python to compare: if the agent needs that version, add a .python-version file with it to the app (uv then installs that Python when the app starts, which needs outbound access)"),
    "S2A310": ("review", "the app has the v1 scaffold (app.yaml) and was made with copier: run `copier update --trust --defaults` in the app's folder to move it to v2 (its settings in databricks.yml); migrate kept v1's layout"),
    "S2A311": ("info", "none: the v1 scaffold was upgraded: app.yaml's command and env moved into the app's config in databricks.yml, WEB_CONCURRENCY became the workers variable, and app.yaml was removed"),
    "S2A400": ("info", "none: verified locally against the original model"),
    "S2A401": ("review", "the answers differ although both sides got the same model answers: the migrated agent behaves differently (or depends on something besides its model calls: randomness, the clock); compare them"),
    "S2A402": ("review", "the migrated app sent the workspace a call the original never sent (the call and the difference are shown): look there first"),
    "S2A404": ("review", "the agent called hosts outside the workspace (listed), whose answers verify cannot record or replay: if they answer differently on every call (a search API, the clock), compare the answers yourself"),
    "S2A403": ("review", "the original made no call through the workspace host, so nothing could be replayed: an agent that reaches its model by another URL or provider cannot be verified this way; compare the answers yourself"),
    "S2A405": ("review", "verify ran the original with the app's packages, not the versions Model Serving installed (the reason is given): the comparison checked the agent's code; check that the versions of the model's requirements.txt and the app's pyproject.toml agree, or fix the reason and verify again"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    file: str | None = None
    line: int | None = None  # in the file as serving2apps wrote it
    original_line: int | None = None  # in the model's file, where it differs from `line`

    @property
    def kind(self) -> str:
        return CODES[self.code][0]

    @property
    def hint(self) -> str:
        return CODES[self.code][1]

    def as_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind, "hint": self.hint}
