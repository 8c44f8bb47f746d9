"""Lets copier render the Go `text/template` subset that `template/` is written in.

`databricks bundle init` renders `template/` with Go's text/template; copier renders it with Jinja. This
extension translates each `.tmpl` file from Go to Jinja before Jinja parses it, so both engines render one
tree. It is loaded by path (copier-template-extensions), so every template version brings its own copy.

The supported Go subset (anything else fails loudly, with the file and line):

    {{.name}}                               an answer
    {{if C}} {{else if C}} {{else}} {{end}} C: .name, "literal", eq/ne (2+ args), not, and, or, ( )
    {{template "name" .}}                   a {{define}} from library/ (inlined)
    {{skip "glob"}}                         drops output in bundle init; copier needs a twin in _exclude
    {{/* comment */}}                       dropped
    {{/* copier: JINJA */}}                 copier-only Jinja, invisible to bundle init
    {{- and -}}                             trim whitespace, as Go does

Not supported: range, with, variables ($x), pipes (|), printf and other functions, the workspace helpers
(user_name, workspace_host, ...), and {{define}} outside library/.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import pass_context
from jinja2.exceptions import TemplateSyntaxError, UndefinedError
from jinja2.ext import Extension

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"

# A Go action: a comment (which may contain "}}") or any other action. Go requires a space after "{{-"
# and before "-}}" for trim markers.
_ACTION = re.compile(
    r"\{\{(?P<ltrim>-[ \t\r\n])?[ \t\r\n]*"
    r"(?:/\*(?P<comment>.*?)\*/|(?P<body>.*?))"
    r"[ \t\r\n]*(?P<rtrim>[ \t\r\n]-)?\}\}",
    re.DOTALL,
)
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<field>\.[A-Za-z_]\w*)|(?P<word>[A-Za-z_]\w*)|(?P<other>\S+))')
_WHITESPACE = " \t\r\n"
_COPIER_PREFIX = "copier:"


class _GoSyntaxError(Exception):
    pass


def _tokens(expr: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(expr):
        kind = m.lastgroup
        if kind == "other":
            raise _GoSyntaxError(f"unsupported Go syntax {m.group(kind)!r}")
        out.append((kind, m.group(kind)))
    return out


class _ConditionParser:
    """Translates a Go pipeline built from eq/ne/not/and/or into a Jinja expression."""

    def __init__(self, expr: str):
        self.tokens = _tokens(expr)
        self.pos = 0

    def parse(self) -> str:
        result = self._command()
        if self.pos != len(self.tokens):
            raise _GoSyntaxError(f"unexpected {self.tokens[self.pos][1]!r}")
        return result

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def _next(self):
        token = self._peek()
        self.pos += 1
        return token

    def _command(self) -> str:
        kind, value = self._peek()
        if kind != "word" or value in ("true", "false"):
            return self._operand()
        self._next()
        args = []
        while self._peek()[0] not in (None,) and self._peek() != ("paren", ")"):
            args.append(self._operand())
        return _call(value, args)

    def _operand(self) -> str:
        kind, value = self._next()
        if kind == "field":
            return f"_go_value({value[1:]!r})"
        if kind == "string":
            return value
        if kind == "word" and value in ("true", "false"):
            return value
        if (kind, value) == ("paren", "("):
            inner = self._command()
            if self._next() != ("paren", ")"):
                raise _GoSyntaxError("missing ')'")
            return f"({inner})"
        raise _GoSyntaxError(f"unsupported operand {value!r}" if value else "missing operand")


def _call(name: str, args: list[str]) -> str:
    if name == "eq" and len(args) >= 2:
        return "(" + " or ".join(f"{args[0]} == {other}" for other in args[1:]) + ")"
    if name == "ne" and len(args) == 2:
        return f"({args[0]} != {args[1]})"
    if name == "not" and len(args) == 1:
        return f"(not {args[0]})"
    if name in ("and", "or") and len(args) >= 2:
        return "(" + f" {name} ".join(args) + ")"
    raise _GoSyntaxError(f"Go function {name!r} with {len(args)} argument(s) is not supported")


def _string_literal(expr: str) -> str:
    tokens = _tokens(expr)
    if len(tokens) != 1 or tokens[0][0] != "string":
        raise _GoSyntaxError(f"expected one string literal, got {expr!r}")
    return tokens[0][1][1:-1]


def _text(text: str) -> str:
    if "{{" in text or "{%" in text or "{#" in text:
        return "{% raw %}" + text + "{% endraw %}"
    return text


def _split(source: str) -> list[tuple[str, object, int]]:
    """Go source → [("text", str, line) | ("action", match, line)], with trim markers applied to the text."""
    parts: list[tuple[str, object, int]] = []
    pos = 0
    for m in _ACTION.finditer(source):
        parts.append(("text", source[pos : m.start()], source.count("\n", 0, pos) + 1))
        parts.append(("action", m, source.count("\n", 0, m.start()) + 1))
        pos = m.end()
    parts.append(("text", source[pos:], source.count("\n", 0, pos) + 1))
    for i, (kind, value, _) in enumerate(parts):
        if kind != "action":
            continue
        if value.group("ltrim"):
            parts[i - 1] = ("text", parts[i - 1][1].rstrip(_WHITESPACE), parts[i - 1][2])
        if value.group("rtrim"):
            parts[i + 1] = ("text", parts[i + 1][1].lstrip(_WHITESPACE), parts[i + 1][2])
    return parts


def _library_defines() -> dict[str, str]:
    """The {{define "name"}} bodies of library/, still in Go syntax."""
    defines: dict[str, str] = {}
    for path in sorted(LIBRARY_DIR.glob("*")):
        source = path.read_text()
        name, depth, start = None, 0, 0
        for m in _ACTION.finditer(source):
            body = (m.group("body") or "").strip()
            word = body.split(" ", 1)[0] if body else ""
            if name is None and word == "define":
                name, depth, start = _string_literal(body[len("define") :]), 0, m.end()
            elif name is not None and word == "if":
                depth += 1
            elif name is not None and word == "end":
                if depth == 0:
                    defines[name] = source[start : m.start()]
                    name = None
                else:
                    depth -= 1
    return defines


def translate(source: str, defines: dict[str, str], name: str = "<template>") -> str:
    """Go template source → Jinja source (raises TemplateSyntaxError outside the subset)."""
    out: list[str] = []
    open_ifs: list[int] = []
    for kind, value, line in _split(source):
        if kind == "text":
            out.append(_text(value))
            continue
        try:
            out.append(_action(value, defines, open_ifs, line, name))
        except _GoSyntaxError as exc:
            raise TemplateSyntaxError(f"Go template: {exc}", line, name) from None
    if open_ifs:
        raise TemplateSyntaxError("Go template: {{if}} without {{end}}", open_ifs[-1], name)
    return "".join(out)


def _action(m: re.Match, defines: dict[str, str], open_ifs: list[int], line: int, name: str) -> str:
    comment = m.group("comment")
    if comment is not None:
        stripped = comment.lstrip(_WHITESPACE)
        return stripped[len(_COPIER_PREFIX) :] if stripped.startswith(_COPIER_PREFIX) else ""
    body = m.group("body").strip()
    word, _, rest = body.partition(" ")
    if body.startswith("."):
        return "{{ " + _ConditionParser(body).parse() + " }}"
    if word == "if":
        open_ifs.append(line)
        return "{% if " + _ConditionParser(rest).parse() + " %}"
    if word == "else":
        if not open_ifs:
            raise _GoSyntaxError("{{else}} outside {{if}}")
        conditional = rest.strip()
        if not conditional:
            return "{% else %}"
        if not conditional.startswith("if "):
            raise _GoSyntaxError(f"unsupported {{{{else {conditional}}}}}")
        return "{% elif " + _ConditionParser(conditional[3:]).parse() + " %}"
    if word == "end":
        if not open_ifs:
            raise _GoSyntaxError("{{end}} without {{if}}")
        open_ifs.pop()
        return "{% endif %}"
    if word == "template":
        target, _, data = rest.strip().partition(" ")
        define = _string_literal(target)
        if define not in defines:
            raise _GoSyntaxError(f'no template "{define}" in library/')
        if data.strip() not in ("", "."):
            raise _GoSyntaxError("{{template}} may only pass '.'")
        return translate(defines[define], defines, f"library:{define}")
    if word == "skip":
        _string_literal(rest)
        return ""
    raise _GoSyntaxError(f"{{{{{body}}}}} is outside the Go subset serving2apps renders with copier")


@pass_context
def _go_value(context, key: str):
    value = context.resolve_or_missing(key)
    if value is context.environment.undefined or value.__class__.__name__ == "_MissingType":
        raise UndefinedError(f'variable "{key}" not defined')
    return value


def go_regexp_match(value: str, pattern: str) -> bool:
    """Go's regexp.MatchString, which bundle init uses for `pattern`: an unanchored search in which `$`
    means the end of the text (Python's `$` would also match before a trailing newline)."""
    python_pattern, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        python_pattern.append(char)
    return isinstance(value, str) and re.search("".join(python_pattern), value) is not None


def _occupied(dst_path) -> bool:
    """True when copying into dst_path could overwrite files this template did not make.

    bundle init refuses to write over any existing file; this gives copier the same guarantee up front,
    before anything is written. A folder with copier's answers file is a project of ours (copier update).
    """
    dst = Path(str(dst_path)).resolve()
    return dst.is_dir() and any(dst.iterdir()) and not (dst / ".copier-answers.yml").exists()


class GoTemplateSyntax(Extension):
    """Jinja extension: translates `.tmpl` files from the Go subset before Jinja parses them."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["_go_value"] = _go_value
        environment.globals["_occupied"] = _occupied
        environment.filters["go_regexp_match"] = go_regexp_match

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        # Only file templates are Go; copier.yml's own strings (defaults, validators, tasks) are Jinja.
        if not name or not name.endswith(".tmpl"):
            return source
        return translate(source, _library_defines(), name)
