"""Cut schema.graphql from @linear/sdk's generated TypeScript types (the SDK's own codegen of Linear's schema).

python tests/vendor/linear/cut_schema.py <package>/dist/index-*.d.mts > tests/vendor/linear/schema.graphql

Only the types and fields in KEEP are written (ALL: every field but nullable ones of object types not kept); every type a kept field names must be kept too (else it stops).
`field?: Maybe<T>` / `InputMaybe<T>` is a nullable T, anything else non-null; `Array<T>` a list; `Node & {…}`
implements the interface Node; `XFieldArgs` are the field's arguments (those whose types are kept or scalars);
`declare enum` an enum of its string values.
"""
from __future__ import annotations

import re
import sys

BUILTIN = {"ID", "String", "Boolean", "Int", "Float"}
INTERFACES = {"Node"}
ALL = "*"
KEEP = {
    "Query": ["project", "projectMilestone"],
    "Node": ALL,
    "Project": ["id", "name", "slugId", "url", "targetDate", "updatedAt", "issues"],
    "ProjectMilestone": ["id", "name", "targetDate", "updatedAt", "project", "issues"],
    "Issue": ["id", "identifier", "title", "estimate", "completedAt", "canceledAt", "updatedAt", "state", "labels"],
    "WorkflowState": ["id", "type"],
    "IssueLabel": ["id", "name"],
    "IssueConnection": ["nodes", "pageInfo"],
    "IssueLabelConnection": ["nodes", "pageInfo"],
    "PageInfo": ALL,
    "IssueFilter": ["updatedAt", "completedAt"],
    "DateComparator": ALL,
    "NullableDateComparator": ALL,
    "PaginationOrderBy": ALL,
    "EntityWebhookPayload": ALL,
    "DataWebhookPayload": ALL,
    "IssueWebhookPayload": ALL,
    "ProjectWebhookPayload": ALL,
    "IssueLabelChildWebhookPayload": ALL,
    "ProjectChildWebhookPayload": ALL,
    "ProjectMilestoneChildWebhookPayload": ALL,
    "WorkflowStateChildWebhookPayload": ALL,
    "ReleaseChildWebhookPayload": ALL,
}
_TYPE = re.compile(r"^type (\w+) = (?:([\w ]+?) & )?\{$")
_ENUM = re.compile(r"^declare enum (\w+) \{$")
_UNION = re.compile(r"^type (\w+) = ((?:\w+ \| )+\w+);$")
_FIELD = re.compile(r"^  (\w+)(\??): (.+);$")
_VALUE = re.compile(r'^  \w+ = "(\w+)",$')


def read(path: str) -> tuple[dict, dict, dict]:
    """Object/input/interface bodies {name: (implements, [(field, ts_type)])}, enums and unions, by name."""
    types, enums, unions, current = {}, {}, {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if current is not None:
            if line == "};" or line == "}":
                current = None
            elif (field := _FIELD.match(line)) and field.group(1) != "__typename":
                current.append((field.group(1), field.group(3), field.group(2) == "?"))
            elif (value := _VALUE.match(line)) is not None:
                current.append(value.group(1))
            continue
        if found := _TYPE.match(line):
            current = []
            types[found.group(1)] = (found.group(2), current)
        elif found := _ENUM.match(line):
            current = []
            enums[found.group(1)] = current
        elif found := _UNION.match(line):
            unions[found.group(1)] = found.group(2).split(" | ")
    return types, enums, unions


def graphql_type(ts: str, optional: bool) -> str:
    nullable = optional
    for wrapper in ("Maybe<", "InputMaybe<"):
        if ts.startswith(wrapper):
            ts, nullable = ts[len(wrapper):-1], True
    if ts.startswith("Array<"):
        inner = graphql_type(ts[len("Array<"):-1], False)
        text = f"[{inner}]"
    elif found := re.fullmatch(r'Scalars\["(\w+)"\]', ts):
        text = found.group(1)
    elif re.fullmatch(r"\w+", ts):
        text = ts
    else:
        raise SystemExit(f"cannot read the TypeScript type {ts!r}")
    return text if nullable else text + "!"


def named(graphql: str) -> str:
    return re.sub(r"[\[\]!]", "", graphql)


def kept(field: tuple, defined: set) -> bool:
    """With ALL, a field whose type is an object or union not kept is left out, unless it is non-null."""
    text = graphql_type(field[1], field[2])
    return named(text) in KEEP or named(text) not in defined or text.endswith("!")


def is_input(fields: list) -> bool:
    return any(ts.startswith("InputMaybe<") for _, ts, _ in fields)


def cut(path: str) -> str:
    types, enums, unions = read(path)
    scalars, out = set(), []
    for name, wanted in KEEP.items():
        if name in enums:
            out.append(f"enum {name} {{\n" + "".join(f"  {value}\n" for value in enums[name]) + "}")
            continue
        if name in unions:
            out.append(f"union {name} = {' | '.join(m for m in unions[name] if m in KEEP)}")
            continue
        implements, fields = types[name]
        chosen = [f for f in fields if f[0] in wanted or wanted == ALL and kept(f, {*types, *unions})]
        missing = set(wanted if wanted != ALL else ()) - {f[0] for f in chosen}
        if missing:
            raise SystemExit(f"{name} has no field {sorted(missing)}")
        kind = "interface" if name in INTERFACES else "input" if is_input(fields) else "type"
        head = f"{kind} {name}" + (f" implements {implements}" if implements else "")
        lines = []
        for field, ts, optional in chosen:
            text = graphql_type(ts, optional)
            args = types.get(f"{name}{field[0].upper()}{field[1:]}Args", (None, []))[1] if kind == "type" else []
            args = [a for a in args if named(graphql_type(a[1], a[2])) in KEEP or a[1].count('"') == 2
                    or "Scalars[" in a[1]]
            signature = "(" + ", ".join(f"{arg}: {graphql_type(t, o)}" for arg, t, o in args) + ")" if args else ""
            for used in [named(text), *(named(graphql_type(t, o)) for _, t, o in args)]:
                if used in BUILTIN:
                    continue
                if used not in KEEP and used not in enums and used not in types and used not in unions:
                    scalars.add(used)
                elif used not in KEEP:
                    raise SystemExit(f"{name}.{field} needs {used}: add it to KEEP")
            lines.append(f"  {field}{signature}: {text}\n")
        out.append(f"{head} {{\n" + "".join(lines) + "}")
    header = ["# Cut from @linear/sdk's generated types by tests/vendor/linear/cut_schema.py; see README.md.",
              *(f"scalar {name}" for name in sorted(scalars))]
    return "\n".join(header) + "\n\n" + "\n\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(cut(sys.argv[1]))
