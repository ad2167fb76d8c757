"""Check Bot API answers against the machine-readable spec (required fields, types, recursion)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_SPEC = Path(__file__).with_name("spec") / "bot-api-spec.json"
# Unix seconds stay below this until the year 2286; milliseconds pass it at once.
MAX_SECONDS = 10**10
DATE_FIELDS = frozenset({"date", "edit_date", "forward_date", "last_error_date", "until_date"})


class BotApiSpec:
    """The spec's types and methods, with a recursive validator."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.types: dict[str, Any] = data["types"]
        self.methods: dict[str, Any] = data["methods"]
        self.version: str = data.get("version", "")

    @classmethod
    def load(cls, path: Path | str | None = None) -> BotApiSpec:
        """Read the spec (by default the copy shipped beside this module)."""
        return cls(json.loads(Path(path or DEFAULT_SPEC).read_text("utf-8")))

    def check_result(self, method: str, result: Any, *, strict: bool = True) -> list[str]:
        """Problems of a method's `result` against what the spec says it returns."""
        spec = self.methods.get(method)
        if spec is None:
            return [f"unknown method {method}"]
        return self.check(result, spec["returns"], "result", strict=strict)

    def check(self, value: Any, types: list[str], path: str, *, strict: bool = True) -> list[str]:
        """Problems of a value that may be any of the given spec types ([] when it fits one)."""
        best: list[str] | None = None
        for type_name in types:
            problems = self._check_one(value, type_name, path, strict)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or [f"{path}: no type given"]

    def _check_one(self, value: Any, type_name: str, path: str, strict: bool) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name[len("Array of ") :]
            out: list[str] = []
            for i, item in enumerate(value):
                out += self._check_one(item, inner, f"{path}[{i}]", strict)
            return out
        primitive = _primitive_problem(value, type_name, path)
        if primitive is not None:
            return [] if primitive == "" else [primitive]
        spec = self.types.get(type_name)
        if spec is None:
            return [f"{path}: unknown spec type {type_name}"]
        if spec.get("subtypes"):
            return self.check(value, spec["subtypes"], path, strict=strict)
        if not isinstance(value, dict):
            return [f"{path}: expected {type_name} object, got {type(value).__name__}"]
        return self._check_fields(value, type_name, spec.get("fields", []), path, strict)

    def _check_fields(
        self, value: dict[str, Any], type_name: str, fields: list[Any], path: str, strict: bool
    ) -> list[str]:
        out: list[str] = []
        known = {f["name"]: f for f in fields}
        for name, field in known.items():
            if field["required"] and name not in value:
                out.append(f"{path}: {type_name} lacks required field {name}")
        for name, item in value.items():
            field = known.get(name)
            if field is None:
                if strict:
                    out.append(f"{path}: {type_name} has unknown field {name}")
                continue
            out += self.check(item, field["types"], f"{path}.{name}", strict=strict)
            if name in DATE_FIELDS and isinstance(item, int) and item >= MAX_SECONDS:
                out.append(f"{path}.{name}: {item} looks like milliseconds, not seconds")
        return out


def _primitive_problem(value: Any, type_name: str, path: str) -> str | None:
    """None if type_name is not a primitive; "" if the value fits; else the problem."""
    if type_name == "Integer":
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif type_name == "Float":
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif type_name == "String":
        fits = isinstance(value, str)
    elif type_name in ("Boolean", "True"):
        fits = isinstance(value, bool) and (value or type_name == "Boolean")
    else:
        return None
    return "" if fits else f"{path}: expected {type_name}, got {value!r}"
