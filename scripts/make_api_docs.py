"""Generate the API reference (``docs/api.md``) and the schema tables (``docs/schema.md``).

Usage::

    python scripts/make_api_docs.py            # write docs/api.md, docs/schema.md (and docs/glossary.md)
    python scripts/make_api_docs.py --check    # exit 1 if they are out of date

The API reference walks ``rcc.__all__`` and the public modules in :data:`MODULES` (their
``__all__``): for every object its signature, the first paragraph of its docstring and
its numpydoc ``Parameters`` (classes: also their public methods and properties;
constants: their ``#:`` comment). The schema tables come from
:func:`rcc.core.schema.schema_frame` over every table record (the region's and the
sufficiency plan's inputs, then the outputs of :data:`rcc.core.outputs.OUTPUT_TABLES`). Output is deterministic: no dates, sorted where the source
is not ordered, so ``--check`` can run in CI.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import inspect
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

import rcc  # noqa: E402
from rcc.core.outputs import OUTPUT_TABLES  # noqa: E402
from rcc.core.schema import AGE_BANDS, HOME_TYPES, NEEDS, SCOPES, SECTORS, TABLES, Table, schema_frame  # noqa: E402
from rcc.sufficiency.tables import SUFFICIENCY_TABLES  # noqa: E402

#: Public modules documented besides ``rcc`` itself (each by its ``__all__``).
MODULES: tuple[str, ...] = (
    "rcc.datasets",
    "rcc.allocation.engine",
    "rcc.allocation.model",
    "rcc.analysis.scenarios",
    "rcc.sufficiency",
    "rcc.sufficiency.constraints",
    "rcc.io.ssda903",
    "rcc.io.ofsted",
    "rcc.io.pds",
    "rcc.io.tables",
    "rcc.core.outputs",
    "rcc.forecast",
    "rcc.simulate",
    "rcc.flows",
    "rcc.report",
    "rcc.testing.strategies",
)

_SECTIONS = re.compile(
    r"^(Parameters|Returns|Yields|Raises|Warns|Examples|Notes|See Also|References|Attributes|Methods|Other Parameters)\s*$"
)


# --------------------------------------------------------------------------- docstrings


def _doc(obj: Any) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "")


def first_paragraph(obj: Any) -> str:
    """The docstring up to the first blank line or numpydoc section, on one line."""
    lines: list[str] = []
    for line in _doc(obj).splitlines():
        if not line.strip() or _SECTIONS.match(line.strip()):
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


def section(obj: Any, name: str) -> list[tuple[str, str, str]]:
    """Entries ``(name, type, description)`` of a numpydoc section (e.g. Parameters)."""
    lines = _doc(obj).splitlines()
    out: list[tuple[str, str, str]] = []
    inside = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == name and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            inside = True
            i += 2
            continue
        if inside:
            if _SECTIONS.match(line.strip()) and i + 1 < len(lines) and set(lines[i + 1].strip()) <= {"-"}:
                break
            if line and not line.startswith(" "):
                head, _, typ = line.partition(" : ")
                out.append((head.strip(), typ.strip(), ""))
            elif line.strip() and out:
                n, t, d = out[-1]
                out[-1] = (n, t, (d + " " + line.strip()).strip())
        i += 1
    return out


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _annotation(ann: Any) -> str:
    return ann if isinstance(ann, str) else inspect.formatannotation(ann)


def _default(value: Any) -> str:
    text = repr(value)
    if text == "NOTHING" or text.startswith("Factory("):  # attrs defaults made by a factory
        return "<factory>"
    return _short(text, 40)


def signature(obj: Any, name: str) -> str:
    """``name(param: type = default, ...) -> return``, string annotations unquoted."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    params = []
    star_done = False
    for p in sig.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
            star_done = True
        prefix = "*" if p.kind is p.VAR_POSITIONAL else ("**" if p.kind is p.VAR_KEYWORD else "")
        if p.kind is p.VAR_POSITIONAL:
            star_done = True
        text = prefix + p.name
        if p.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not inspect.Parameter.empty:
            text += (" = " if p.annotation is not inspect.Parameter.empty else "=") + _default(p.default)
        params.append(text)
    ret = ""
    if sig.return_annotation is not inspect.Signature.empty and sig.return_annotation not in ("None", None):
        ret = f" -> {_annotation(sig.return_annotation)}"
    joined = ", ".join(params)
    if len(name) + len(joined) + len(ret) > 100:
        joined = "\n    " + ",\n    ".join(params) + ",\n"
    return f"{name}({joined}){ret}"


def constant_comment(module: ModuleType, name: str) -> str:
    """The ``#:`` comment lines right above ``NAME = ...`` / ``NAME: type = ...`` in the source
    (of a package: its ``__init__``, else the module of the package that defines ``NAME``)."""
    try:
        sources = [inspect.getsource(module)]
    except (OSError, TypeError):
        return ""
    if hasattr(module, "__path__"):
        sources += [f.read_text(encoding="utf-8") for f in sorted(Path(module.__path__[0]).glob("*.py"))]
    pat = re.compile(rf"^{re.escape(name)}\s*(:[^=]+)?=")
    for src in (text.splitlines() for text in sources):
        for i, line in enumerate(src):
            if pat.match(line):
                j = i - 1
                comment: list[str] = []
                while j >= 0 and src[j].startswith("#:"):
                    comment.insert(0, src[j][2:].strip())
                    j -= 1
                return " ".join(c for c in comment if c)
    return ""


def constant_comment_enum(cls: type, member: str) -> str:
    """The ``#:`` comment at the end of an enum member's line."""
    try:
        src = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return ""
    for line in src:
        m = re.match(rf"\s+{re.escape(member)}\s*=.*#:\s*(.*)$", line)
        if m:
            return m.group(1).strip()
    return ""


#: A Sphinx cross-reference role in a docstring, ``:func:`~rcc.plan``` -> group 1 ``rcc.plan``.
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|data|mod|exc|obj|const):`~?([^`]+)`")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------- API reference


def _params_table(obj: Any) -> list[str]:
    params = section(obj, "Parameters")
    if not params:
        return []
    out = ["", "| parameter | type | description |", "|---|---|---|"]
    for n, t, d in params:
        out.append(f"| `{_md(n)}` | {_md(t)} | {_md(d)} |")
    return out


def _members(cls: type) -> list[tuple[str, Any]]:
    found = []
    for name, value in cls.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            found.append((name, value))
    return found


def document(qualname: str, obj: Any, module: ModuleType | None) -> list[str]:
    short = qualname.rsplit(".", 1)[-1]
    out = [f"### `{qualname}`", ""]
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        out += ["```python", f"class {short}({', '.join(b.__name__ for b in obj.__bases__)})", "```", ""]
        out.append(first_paragraph(obj))
        out += ["", "| value | meaning |", "|---|---|"]
        for m in obj:
            out.append(f"| `{m.value}` | {_md(constant_comment_enum(obj, m.name))} |")
        out.append("")
        return out
    if inspect.isclass(obj):
        out += ["```python", f"class {signature(obj, short)}", "```", ""]
        if first_paragraph(obj):
            out.append(first_paragraph(obj))
        out += _params_table(obj)
        attrs_ = section(obj, "Attributes")
        if attrs_:
            out += ["", "| attribute | type | description |", "|---|---|---|"]
            out += [f"| `{_md(n)}` | {_md(t)} | {_md(d)} |" for n, t, d in attrs_]
        members = _members(obj)
        if members and not issubclass(obj, BaseException):
            out += ["", "| member | description |", "|---|---|"]
            for name, value in members:
                if isinstance(value, property):
                    out.append(f"| `{name}` (property) | {_md(first_paragraph(value))} |")
                else:
                    out.append(f"| `{_md(signature(value, name).replace(chr(10), ' '))}` | {_md(first_paragraph(value))} |")
    elif callable(obj):
        out += ["```python", signature(obj, short), "```", ""]
        if first_paragraph(obj):
            out.append(first_paragraph(obj))
        out += _params_table(obj)
        returns = section(obj, "Returns")
        if returns:
            n, t, d = returns[0]
            what = f"`{n}`" + (f" ({t})" if t else "")
            out += ["", f"**Returns** {_md(what)}" + (f": {_md(d)}" if d else "")]
    elif isinstance(obj, ModuleType):
        out += [first_paragraph(obj), "", f"See [{obj.__name__}](#{_anchor(obj.__name__)})."]
    else:
        comment = constant_comment(module, short) if module is not None else ""
        kind = type(obj).__name__
        out += [f"Constant ({kind})." + (f" {comment}" if comment else "")]
        if isinstance(obj, Table):
            out += ["", f"The {obj.kind} table `{obj.name}` ({len(obj.columns)} columns): see docs/schema.md."]
        elif isinstance(obj, Mapping) and len(obj) and all(isinstance(t, Table) for t in obj.values()):
            out += ["", "Tables (see docs/schema.md): " + ", ".join(f"`{k}`" for k in obj) + "."]
        elif isinstance(obj, (tuple, frozenset)) and len(obj) <= 40:
            out += ["", "Values: " + ", ".join(f"`{v}`" for v in (sorted(obj) if isinstance(obj, frozenset) else obj))]
        elif hasattr(obj, "items") and len(obj) <= 20 and not hasattr(obj, "columns"):
            out += ["", "| key | value |", "|---|---|"] + [f"| `{_md(str(k))}` | `{_md(repr(v))}` |" for k, v in obj.items()]
        elif hasattr(obj, "columns"):  # a DataFrame
            out += ["", f"A table of {len(obj)} rows with columns " + ", ".join(f"`{c}`" for c in obj.columns) + "."]
    out.append("")
    return out


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", text.lower()).replace(" ", "-")


def api_markdown() -> str:
    lines = [
        "# rcc API reference",
        "",
        "Generated by `scripts/make_api_docs.py` from the docstrings; do not edit by hand.",
        "Signatures, the first paragraph of each docstring and its parameters; the docstrings",
        "themselves (`help(rcc.plan)`) have the full text and the examples.",
        "",
        "## Contents",
        "",
        "- [rcc](#rcc)",
    ]
    lines += [f"- [{m}](#{_anchor(m)})" for m in MODULES]
    lines += ["", "## rcc", "", first_paragraph(rcc), "", "`import rcc` gives these names (`rcc.__all__`):", ""]
    for name in rcc.__all__:
        obj = getattr(rcc, name)
        module = inspect.getmodule(obj) if not isinstance(obj, ModuleType) else None
        lines += document(f"rcc.{name}", obj, module or rcc)
    for modname in MODULES:
        mod = importlib.import_module(modname)
        lines += [f"## {modname}", "", first_paragraph(mod), ""]
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            lines += document(f"{modname}.{name}", obj, mod)
    text = _ROLE.sub(r"`\1`", "\n".join(lines))  # Sphinx roles (:func:`rcc.plan`) as plain code
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


# --------------------------------------------------------------------------- schema


def _table_section(table: Table, rows: pd.DataFrame) -> list[str]:
    """One table's heading, description and one line per column (from :func:`schema_frame`)."""
    key = "Id column" if table.kind == "input" else "Rows named by"
    lines = [f"### `{table.name}`", "", table.description, "", f"{key}: `{table.id_column}`.", ""]
    if table.kind == "input":
        lines += ["| column | dtype | unit | required | default | allowed | description |", "|---|---|---|---|---|---|---|"]
    else:
        lines += ["| column | dtype | unit | missing | allowed | description |", "|---|---|---|---|---|---|"]
    for r in rows.itertuples():
        allowed = ", ".join(f"`{v}`" for v in r.allowed.split(", ")) if table.column(r.column).choices else r.allowed
        if table.kind == "input":
            default = "" if r.required else ("(none)" if r.default is None else f"`{r.default!r}`")
            cells = [r.dtype, _md(r.unit), "yes" if r.required else "no", _md(default)]
        else:
            cells = [r.dtype, _md(r.unit), "may be" if r.nullable else "never"]
        lines.append(f"| `{r.column}` | " + " | ".join(cells) + f" | {_md(allowed)} | {_md(r.description)} |")
    return lines + [""]


#: The documented tables: (heading, words, tables), inputs first.
GROUPS: tuple[tuple[str, str, tuple[Table, ...]], ...] = (
    (
        "Inputs: a region",
        "`rcc.Region.from_frames` validates every rule below (`rcc.core.schema.TABLES`).",
        tuple(TABLES.values()),
    ),
    (
        "Inputs: a sufficiency plan",
        "`rcc.sufficiency.sufficiency_plan` validates every rule below (`rcc.sufficiency.SUFFICIENCY_TABLES`).",
        tuple(SUFFICIENCY_TABLES.values()),
    ),
    (
        "Outputs",
        "What rcc returns (`rcc.core.outputs.OUTPUT_TABLES`); `rcc.core.outputs.check_output(name, frame)` checks a "
        "frame against its table: same columns in the same order, compatible dtypes, missing values only where "
        "the table says they may be, allowed values and ranges.",
        tuple(OUTPUT_TABLES.values()),
    ),
)


def schema_markdown() -> str:
    lines = [
        "# rcc tables",
        "",
        "Generated by `scripts/make_api_docs.py` from `rcc.core.schema.schema_frame()` over every table record;",
        "do not edit by hand. Column names are snake_case with their unit. Bad input raises",
        "`rcc.InvalidInputError` naming the table, row id, column, expected and received.",
        "",
        "## Contents",
        "",
    ]
    lines += [f"- [{heading}](#{_anchor(heading)})" for heading, _, _ in GROUPS] + ["- [Vocabulary](#vocabulary)", ""]
    for heading, words, tables in GROUPS:
        df = schema_frame(tables=tables)
        lines += [f"## {heading}", "", words, ""]
        for table in tables:
            lines += _table_section(table, df[df.table == table.name])
    lines += ["## Vocabulary", "", "| list | values |", "|---|---|"]
    lines.append("| needs (`rcc.NEEDS`) | " + ", ".join(f"`{n}`" for n in NEEDS) + " |")
    lines.append(
        "| age bands (`rcc.AGE_BANDS`) | " + ", ".join(f"`{k}` ({lo}-{hi} years)" for k, (lo, hi) in AGE_BANDS.items()) + " |"
    )
    lines.append("| home types (`rcc.HOME_TYPES`) | " + ", ".join(f"`{h}`" for h in HOME_TYPES) + " |")
    lines.append("| provider sectors (`rcc.core.schema.SECTORS`) | " + ", ".join(f"`{s}`" for s in SECTORS) + " |")
    lines.append("| option scopes (`rcc.sufficiency.SCOPES`) | " + ", ".join(f"`{s}`" for s in SCOPES) + " |")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- glossary


def glossary_markdown() -> str | None:
    """``docs/glossary.md`` from ``rcc.core.glossary.GLOSSARY``, one table per kind of code (columns
    last); ``None`` while rcc has no glossary module (the hand-written page is then kept)."""
    try:
        glossary = importlib.import_module("rcc.core.glossary")
    except ModuleNotFoundError:
        return None
    by_kind: dict[str, list[Any]] = {}
    for entry in glossary.GLOSSARY.values():
        by_kind.setdefault(entry.kind.split(" / ")[0], []).append(entry)
    kinds = sorted(by_kind, key=lambda k: k == "column")  # stable: the glossary's own order, columns last
    lines = [
        "# Glossary",
        "",
        "Every code rcc shows, and what it means. Generated by `scripts/make_api_docs.py` from",
        "`rcc.core.glossary.GLOSSARY` (the same text as `rcc.core.glossary.explain(code)`, the command line's",
        "help and the reports); do not edit by hand. Every table's columns with their types: [tables](schema.md).",
        "",
    ]
    for kind in kinds:
        title = "Columns" if kind == "column" else kind[:1].upper() + kind[1:]
        lines += [f"## {title}", "", "| code | meaning | unit |", "|---|---|---|"]
        for e in by_kind[kind]:
            lines.append(f"| `{_md(e.code)}` | {_md(e.meaning)} | {_md(e.unit)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="output folder (default docs/)")
    parser.add_argument("--check", action="store_true", help="fail if the files are out of date")
    args = parser.parse_args(argv)
    # object reprs carry memory addresses (functions, lambdas): drop them so the text is the same every run
    outputs = {"api.md": re.sub(r" at 0x[0-9a-f]+", "", api_markdown()), "schema.md": schema_markdown()}
    glossary = glossary_markdown()
    if glossary is not None:
        outputs["glossary.md"] = glossary
    stale = []
    for name, text in outputs.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path} ({len(text.splitlines())} lines)")
    if stale:
        print("out of date (run python scripts/make_api_docs.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
