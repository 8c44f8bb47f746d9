"""The Go template subset that copier renders through extensions/go_syntax.py: what it allows, and that
everything else fails loudly in both engines."""

import importlib.util
import pytest
from jinja2 import Environment
from jinja2.exceptions import TemplateSyntaxError, UndefinedError

from engines import REPO_ROOT, commit_all, make_template_repo, render_bundle_init, render_copier

_spec = importlib.util.spec_from_file_location("go_syntax", REPO_ROOT / "extensions" / "go_syntax.py")
go_syntax = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(go_syntax)

DEFINES = {"greeting": "hello {{.name}}", "branchy": '{{if eq .mode "a"}}A{{else}}B{{end}}'}


def render(go_source: str, **values) -> str:
    env = Environment(keep_trailing_newline=True, extensions=[go_syntax.GoTemplateSyntax])
    return env.from_string(go_syntax.translate(go_source, DEFINES)).render(**values)


@pytest.mark.parametrize(
    "source, values, expected",
    [
        ("name: {{.name}}\n", {"name": "x"}, "name: x\n"),
        ('{{if eq .m "yes"}}on{{else}}off{{end}}', {"m": "yes"}, "on"),
        ('{{if eq .m "yes"}}on{{else}}off{{end}}', {"m": "no"}, "off"),
        ('{{if eq .m "a" "b"}}ab{{end}}', {"m": "b"}, "ab"),
        ('{{if ne .m "a"}}not-a{{end}}', {"m": "b"}, "not-a"),
        ('{{if not (eq .m "a")}}not-a{{end}}', {"m": "b"}, "not-a"),
        ('{{if and (eq .m "a") (ne .n "b")}}both{{end}}', {"m": "a", "n": "c"}, "both"),
        ('{{if or (eq .m "a") (eq .n "b")}}either{{end}}', {"m": "x", "n": "b"}, "either"),
        ('{{if eq .m "a"}}1{{else if eq .m "b"}}2{{else}}3{{end}}', {"m": "b"}, "2"),
        ('{{if .flag}}set{{end}}', {"flag": "y"}, "set"),
        ("a\n  {{- .x -}}  \nb", {"x": "X"}, "aXb"),
        ("keep {{/* dropped */}}this", {}, "keep this"),
        ("a\n{{- /* dropped */ -}}\nb", {}, "ab"),
        ("{{/* copier:{{ 1 + 1 }}*/}}", {}, "2"),
        ('{{template "greeting" .}}!', {"name": "you"}, "hello you!"),
        ('{{template "branchy" .}}', {"mode": "a"}, "A"),
        ('{{skip "x"}}rest', {}, "rest"),
        ("jinja-looking text {% raw %} {# #} ${bundle.target}", {}, "jinja-looking text {% raw %} {# #} ${bundle.target}"),
    ],
)
def test_supported_go_renders_like_go(source, values, expected):
    assert render(source, **values) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{range .items}}x{{end}}",
        "{{with .x}}y{{end}}",
        "{{$v := .x}}",
        "{{.x | lower}}",
        '{{printf "%s" .x}}',
        "{{user_name}}",
        '{{define "d"}}x{{end}}',
        '{{template "missing" .}}',
        "{{if .x}}unclosed",
        "{{end}}",
        '{{fail "stop"}}',
    ],
)
def test_anything_outside_the_subset_fails_loudly(source):
    with pytest.raises(TemplateSyntaxError, match="Go template"):
        go_syntax.translate(source, DEFINES)


def test_unknown_variable_is_an_error_like_missingkey_error():
    with pytest.raises(UndefinedError, match='variable "nope" not defined'):
        render("{{.nope}}")


def test_every_template_file_stays_inside_the_subset():
    """bundle init would accept range/with/printf; the subset check keeps copier able to render every file."""
    defines = go_syntax._library_defines()
    checked = 0
    for path in sorted((REPO_ROOT / "template").rglob("*.tmpl")):
        go_syntax.translate(path.read_text(), defines, str(path))
        checked += 1
    for name, body in defines.items():
        go_syntax.translate(body, defines, name)
    assert checked >= 5


def test_a_template_outside_the_subset_fails_in_both_engines(go_renderer, tmp_path):
    """An unknown variable fails both engines; a range fails copier loudly and nothing is written."""
    repo = make_template_repo(tmp_path / "src")
    extra = repo / "template" / "{{.app_name}}" / "extra.txt.tmpl"
    extra.write_text("{{.not_a_question}}\n")
    commit_all(repo, "unknown variable")
    answers = {"app_name": "my-agent"}
    bundle = render_bundle_init(go_renderer, answers, tmp_path / "bundle", template_root=repo)
    assert bundle.returncode != 0 and "not_a_question" in bundle.output
    copied = render_copier(repo, answers, tmp_path / "copier")
    assert copied.returncode != 0 and "not_a_question" in copied.output
    assert not (tmp_path / "copier").exists()
    assert not (tmp_path / "bundle" / "my-agent").exists()

    extra.write_text("{{range .x}}{{end}}\n")
    commit_all(repo, "range")
    copied = render_copier(repo, answers, tmp_path / "copier2")
    assert copied.returncode != 0 and "outside the Go subset" in copied.output
    assert not (tmp_path / "copier2").exists()
