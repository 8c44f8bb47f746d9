"""The `serving2apps` command line: one verb per step, non-interactive with flags."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from serving2apps import __version__
from serving2apps.errors import MigrationError, run_guarded
from serving2apps.dependencies import LOCK_IF_SAFE
from serving2apps.closing_reader import survive_a_closed_stdout
from serving2apps.interrupts import exit_interrupted, on_signal


VERIFY_HELP = ("ask the original model and the migrated app (served locally) the same requests, with the original's "
               "workspace calls recorded and replayed to the app, and compare the answers")


MODE_HELP = ("async (recommended): the agent's I/O becomes async where serving2apps knows the async API, anything "
             "else runs in worker threads; sync: the agent's code stays synchronous and runs in worker threads")


def _add_source_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("source (exactly one)")
    group.add_argument("--endpoint", help="Model Serving endpoint that serves the agent")
    group.add_argument("--model-uri", help="models:/NAME/VERSION, models:/NAME@ALIAS or runs:/RUN_ID/PATH")
    group.add_argument("--model-dir", type=Path, help="an MLflow model folder already on disk")
    parser.add_argument(
        "--profile",
        default=os.environ.get("DATABRICKS_CONFIG_PROFILE"),
        help="Databricks CLI profile (default: $DATABRICKS_CONFIG_PROFILE, else the SDK's default auth)",
    )
    parser.add_argument("--served-entity", help="which served entity to migrate when the endpoint splits traffic")


def _download(args: argparse.Namespace) -> int:
    from serving2apps.download import Source, download

    source = Source(
        endpoint=args.endpoint,
        model_uri=args.model_uri,
        model_dir=args.model_dir,
        profile=args.profile,
        served_entity=args.served_entity,
    )
    download(source, args.dest, force=args.force)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from serving2apps.migrate import check_app_dir, ensure_model, migrate

    app_dir = args.app_dir.resolve()
    source = args.source or app_dir.parent / "original_mlflow_model"
    check_app_dir(app_dir)
    if not args.dry_run:
        ensure_model(source, app_dir)
    return migrate(source, app_dir, mode=args.mode, dry_run=args.dry_run, verify=args.verify,
                   lock=LOCK_BY_DEFAULT if args.lock is None else args.lock,
                   force=args.force)


def _upgrade(args: argparse.Namespace) -> int:
    from serving2apps.migrate import check_app_dir, upgrade_scaffold

    app_dir = args.app_dir.resolve()
    check_app_dir(app_dir)
    moved = upgrade_scaffold(app_dir)
    print(f"Upgraded {app_dir} to scaffold v2; moved into databricks.yml: {', '.join(moved)}." if moved
          else f"{app_dir} has the v2 scaffold already; nothing to do.")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from serving2apps.errors import EXIT_OK, EXIT_REVIEW
    from serving2apps.migrate import check_app_dir, recorded_answers
    from serving2apps.verify import verify

    app_dir = args.app_dir.resolve()
    check_app_dir(app_dir)
    findings = verify(app_dir, args.source or app_dir.parent / "original_mlflow_model", offline=args.offline,
                      profile=args.profile or recorded_answers(app_dir).get("profile"), requests_file=args.requests,
                      own_environment=args.original_env == "own")
    return EXIT_REVIEW if any(f.kind == "review" for f in findings) else EXIT_OK


def _deploy(args: argparse.Namespace) -> int:
    from serving2apps.deploy import deploy

    return deploy(args.app_dir.resolve(), profile=args.profile, target=args.target, bind=args.bind,
                  smoke_test=not args.skip_smoke_test)


# Unasked, the app gets a uv.lock when it can be made safely (LOCK_IF_SAFE); --lock insists, --no-lock skips it.
LOCK_BY_DEFAULT = LOCK_IF_SAFE
LOCK_HELP = ("resolve the app's dependencies with `uv lock` and write uv.lock, so every `uv run` and deploy installs "
             "the same versions; the app's existing uv.lock is kept where it still fits, so no package moves that the "
             "change does not need (default: on, needs uv and the package index; skipped and reported when the model "
             "has a direct reference or a package with no wheel, which locking would build, running its code); --no-lock "
             "skips it")


def _init(args: argparse.Namespace) -> int:
    from serving2apps.download import Source
    from serving2apps.init import init

    if args.endpoints or args.all_agents:
        return _init_many(args)
    given = [x for x in (args.endpoint, args.model_uri, args.model_dir) if x]
    if args.example and given:
        raise MigrationError("--example takes no other source", "drop --endpoint/--model-uri/--model-dir")
    source = None if args.example else Source(
        endpoint=args.endpoint, model_uri=args.model_uri, model_dir=args.model_dir,
        profile=args.profile, served_entity=args.served_entity,
    )
    if args.app_name is None:
        args.app_name = ask_app_name(args.yes)
    if args.endpoint and args.profile is None and not args.yes and _on_a_terminal():
        args.profile = ask_profile()
        source = replace(source, profile=args.profile)
    if args.mode is None:
        args.mode = ask_mode() if not args.yes and _on_a_terminal() else "async"
    return init(source, args.app_name, args.output_dir, mode=args.mode, example=args.example, verify=args.verify,
                engine=args.engine, dry_run=args.dry_run, lock=LOCK_BY_DEFAULT if args.lock is None else args.lock)


def _init_many(args: argparse.Namespace) -> int:
    """One app per endpoint (serving2apps.batch); the names are shown, and confirmed on a terminal, first."""
    from serving2apps.batch import plan_names, run_batch

    if args.endpoint or args.model_uri or args.model_dir or args.example or args.app_name:
        raise MigrationError("--endpoints/--all-agents take no other source and no --app-name (each app is named "
                             "after its endpoint)", "drop --endpoint/--model-uri/--model-dir/--example/--app-name")
    if args.endpoints and args.all_agents:
        raise MigrationError("give --endpoints or --all-agents, not both", "drop one of them")
    if args.dry_run or args.verify:
        raise MigrationError("--dry-run and --verify work one endpoint at a time",
                             "migrate the endpoints first, then run `serving2apps verify` in an app's folder")
    if args.all_agents:
        from serving2apps.scan import scan, terminal_progress

        rows = scan(args.profile, progress=terminal_progress)
        endpoints = [r.endpoint for r in rows if r.is_agent]
        if not endpoints:
            raise MigrationError("no endpoint of this workspace serves an agent",
                                 "run `serving2apps scan` to see what the endpoints serve")
    else:
        endpoints = list(dict.fromkeys(e.strip() for e in args.endpoints.split(",") if e.strip()))
    output_dir = args.output_dir.resolve()
    names = plan_names(endpoints, output_dir)
    print(f"{len(endpoints)} endpoint(s) → apps in {output_dir}:", file=sys.stderr)
    for endpoint, name in names.items():
        print(f"  {endpoint} → {name}/{name}", file=sys.stderr)
    if not args.yes and _on_a_terminal():
        print("Go on? [Y/n]: ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("", "y", "yes"):
            print("Nothing was written.", file=sys.stderr)
            return 0
    return run_batch(endpoints, output_dir, args.profile, mode=args.mode or "async",
                     lock=LOCK_BY_DEFAULT if args.lock is None else args.lock, engine=args.engine, jobs=args.jobs)


def _scan(args: argparse.Namespace) -> int:
    from serving2apps.scan import render_json, render_table, scan, terminal_progress

    rows = scan(args.profile, mode=args.mode, progress=terminal_progress, callers=args.callers,
                warehouse_id=args.warehouse_id)
    text = render_json(rows) if args.json else render_table(rows) + "\n"
    if args.output:
        if args.output.exists():
            raise MigrationError(f"{args.output} already exists", "choose another --output path, or move it away")
        args.output.write_text(text)
        print(f"Wrote {args.output} ({len(rows)} endpoint(s)).", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _on_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def configured_profiles() -> dict[str, str]:
    """Profile name → host, from ~/.databrickscfg (or $DATABRICKS_CONFIG_FILE), in file order."""
    path = Path(os.environ.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg")
    profiles: dict[str, str] = {}
    current = None
    for line in path.read_text(errors="replace").splitlines() if path.is_file() else []:
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            profiles[current] = ""
        elif current and "=" in line and line.split("=", 1)[0].strip() == "host":
            profiles[current] = line.split("=", 1)[1].strip()
    return profiles


def ask_profile() -> str:
    """Ask which profile's workspace holds the endpoint, listing the configured ones (seed: question 1)."""
    profiles = configured_profiles()
    names = list(profiles)
    print("Databricks CLI profile of the workspace where the endpoint lives:", file=sys.stderr)
    for i, name in enumerate(names, 1):
        print(f"  {i}) {name}  {profiles[name]}", file=sys.stderr)
    default = "DEFAULT" if "DEFAULT" in profiles or not names else names[0]
    while True:
        print(f"Profile [{default}]: ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip() or default
        if answer.isdigit() and 1 <= int(answer) <= len(names):
            return names[int(answer) - 1]
        if answer in profiles or not names:
            return answer
        print(f"no profile {answer!r} in the list; `databricks auth login --profile {answer}` creates it",
              file=sys.stderr)


def ask_mode() -> str:
    """Seed question 3: go async (recommended) or keep the code synchronous."""
    while True:
        print("Convert the agent's I/O to async (recommended: more concurrent requests on the same compute)? "
              "[Y/n]: ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer in ("", "y", "yes"):
            return "async"
        if answer in ("n", "no"):
            return "sync"


def ask_app_name(assume_defaults: bool = False) -> str:
    """Ask for the app name on a terminal; without one (or with --yes), say which flag is missing."""
    if assume_defaults or not _on_a_terminal():
        raise MigrationError("--app-name is required (there is no terminal to ask on, or --yes was given)",
                             "pass --app-name NAME: lowercase letters, digits and hyphens")
    from serving2apps.template_schema import TemplateSchema
    from serving2apps.template_source import template_root

    question = TemplateSchema.load(template_root()).question("app_name")
    while True:
        print(f"{question.description}: ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip()
        problem = question.problem(answer)
        if problem is None:
            return answer
        print(problem, file=sys.stderr)


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of 1 or more (argparse names the option and exits 2 otherwise)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serving2apps",
        description="Migrate an MLflow ResponsesAgent from Databricks Model Serving to Databricks Apps.",
    )
    parser.add_argument("--version", action="version", version=f"serving2apps {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init",
        help="the whole migration: download, render the app, migrate the agent (into ./APP_NAME)",
        description="Builds everything in a temporary folder and moves <app-name>/ and original_mlflow_model/ "
        "into --output-dir only on success. Exit codes: 0 done, 1 done with items to review, 2 error.",
    )
    _add_source_arguments(init)
    init.add_argument("--example", action="store_true", help="migrate the sample agent shipped with serving2apps")
    init.add_argument("--app-name", help="the new app's name (lowercase letters, digits, hyphens); asked on a terminal")
    init.add_argument("--output-dir", type=Path, default=Path("."), help="default: the current folder")
    init.add_argument("--mode", choices=["async", "sync"], help=MODE_HELP + "; asked on a terminal, else async")
    init.add_argument("--verify", action="store_true", help=VERIFY_HELP)
    init.add_argument("--yes", action="store_true", help="never ask: use the flags and defaults (the app name has "
                      "no default and must be given)")
    init.add_argument("--engine", choices=["bundle", "copier"], help="render with `databricks bundle init` or "
                      "copier (default: bundle when the databricks CLI is installed, else copier)")
    init.add_argument("--dry-run", action="store_true", help="build everything in a temporary folder, list what "
                      "would be created and show the report; write nothing")
    init.add_argument("--lock", action=argparse.BooleanOptionalAction, default=None, help=LOCK_HELP)
    many = init.add_argument_group("many endpoints at once (one app each, in OUTPUT_DIR/<app>/)")
    many.add_argument("--endpoints", help="comma-separated endpoint names")
    many.add_argument("--all-agents", action="store_true", help="every endpoint of the workspace that serves an "
                      "agent (as `serving2apps scan` lists them)")
    many.add_argument("--jobs", type=_at_least_one, default=2, help="endpoints migrated at once, each in its own process "
                      "(default: %(default)s)")
    init.set_defaults(run=_init)

    scan = commands.add_parser(
        "scan",
        help="list the workspace's endpoints that serve an agent, with a forecast of each one's migration",
        description="Reads every serving endpoint (its served models, traffic, size and state) and each served "
        "model's MLmodel and agent file (nothing of the model runs), and forecasts the migration: the strategy, the "
        "codes to review, or the refusal. Writes nothing unless --output is given. Exit codes: 0 listed, 2 error.",
    )
    scan.add_argument("--profile", default=os.environ.get("DATABRICKS_CONFIG_PROFILE"),
                      help="Databricks CLI profile (default: $DATABRICKS_CONFIG_PROFILE, else the SDK's default auth)")
    scan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    scan.add_argument("--mode", choices=["async", "sync"], default="async", help="the mode to forecast (default: "
                      "%(default)s)")
    scan.add_argument("--output", type=Path, help="write the listing to this file (never replaces one)")
    scan.add_argument("--callers", action="store_true", help="also list who called each endpoint in the last 30 "
                      "days, from its AI Gateway inference table (a SQL query per endpoint)")
    scan.add_argument("--warehouse-id", help="the SQL warehouse for --callers (default: a running one; none is "
                      "started)")
    scan.set_defaults(run=_scan)

    download = commands.add_parser(
        "download",
        help="download the served agent into original_mlflow_model/ (with a provenance record)",
        description="Resolve the endpoint (or take a model URI or folder), download the model, check it can be "
        "migrated, and record where it came from. Nothing is left behind if it fails.",
    )
    _add_source_arguments(download)
    download.add_argument("--dest", type=Path, default=Path("original_mlflow_model"), help="default: %(default)s")
    download.add_argument("--force", action="store_true", help="replace a non-empty --dest")
    download.set_defaults(run=_download)

    migrate = commands.add_parser(
        "migrate",
        help="rewrite the downloaded agent into the app (agent_server/agent.py, code, artifacts, report)",
        description="Exit codes: 0 migrated, 1 migrated with items to review (MIGRATION_REPORT.md), 2 error.",
    )
    migrate.add_argument("--source", type=Path, help="the model folder (default: original_mlflow_model beside the app)")
    migrate.add_argument("--app-dir", type=Path, default=Path("."), help="the app made by the template (default: .)")
    migrate.add_argument("--mode", choices=["async", "sync"], help=MODE_HELP + "; default: the mode the template "
                         "recorded, else async")
    migrate.add_argument("--dry-run", action="store_true", help="print the diffs and the report; write nothing "
                         "(uv.lock is not resolved)")
    migrate.add_argument("--verify", action="store_true", help=VERIFY_HELP)
    migrate.add_argument("--force", action="store_true", help="replace files you changed since the last migrate")
    migrate.add_argument("--lock", action=argparse.BooleanOptionalAction, default=None, help=LOCK_HELP)
    migrate.set_defaults(run=_migrate)

    upgrade = commands.add_parser(
        "upgrade",
        help="move an app made by template v1 to the v2 scaffold (app.yaml's settings into databricks.yml)",
        description="The app's command and env move from app.yaml into resources.apps.<app>.config in databricks.yml, "
        "WEB_CONCURRENCY becomes the `workers` variable, app.yaml is removed. migrate does this itself for an app "
        "made by bundle init; copier update does it for one made by copier. Exit codes: 0 upgraded (or nothing to "
        "do), 2 error.",
    )
    upgrade.add_argument("--app-dir", type=Path, default=Path("."), help="the app (default: .)")
    upgrade.set_defaults(run=_upgrade)

    deploy = commands.add_parser(
        "deploy",
        help="deploy the migrated app: bundle validate, deploy and run, then ask it one question",
        description="Runs `databricks bundle validate`, `deploy` and `run` (deploy alone does not restart the app) "
        "in the app folder, then calls the deployed app's /invocations with your OAuth token and prints the answer. "
        "Exit codes: 0 deployed and answering, 2 error (the failing command and a hint).",
    )
    deploy.add_argument("--app-dir", type=Path, default=Path("."), help="the migrated app (default: .)")
    deploy.add_argument("--profile", help="Databricks CLI profile of the target workspace")
    deploy.add_argument("--target", help="bundle target (default: the bundle's default, dev)")
    deploy.add_argument("--bind", action="store_true", help="adopt an existing app of the same name "
                        "(databricks bundle deployment bind) instead of failing")
    deploy.add_argument("--skip-smoke-test", action="store_true", help="do not query the deployed app")
    deploy.set_defaults(run=_deploy)

    verify = commands.add_parser("verify", help=VERIFY_HELP, description=VERIFY_HELP + ". Exit codes: 0 same "
                                 "answers, 1 different answers (review), 2 error.")
    verify.add_argument("--source", type=Path, help="the model folder (default: original_mlflow_model beside the app)")
    verify.add_argument("--app-dir", type=Path, default=Path("."), help="the migrated app (default: .)")
    verify.add_argument("--profile", help="the workspace the original model's calls are recorded from (default: the "
                        "profile the app was made with)")
    verify.add_argument("--offline", action="store_true", help="no workspace: both sides get serving2apps' "
                        "deterministic model (chat completions and responses, streamed or not, tool calls)")
    verify.add_argument("--requests", type=Path, help="more requests to compare, one JSON request per line")
    verify.add_argument("--original-env", choices=("own", "app"), default="own",
                        help="where the original runs: its own environment, built with uv from its requirements.txt "
                        "and cached (default; the app's when that satisfies them), or the app's")
    verify.set_defaults(run=_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Both explicitly: a process started with SIGINT ignored (nohup, some CI runners) must still clean up.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    survive_a_closed_stdout()
    try:
        return run_guarded(lambda: args.run(args))
    except KeyboardInterrupt:
        exit_interrupted()
        raise  # not reached: exit_interrupted ends the process


if __name__ == "__main__":
    sys.exit(main())
