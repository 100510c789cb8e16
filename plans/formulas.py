"""Indicator formulas of the plan file (docs/progress-method.md, section 2): arithmetic
over named elements of accepted data, e.g. `100 * registry("areas-reached") /
registry("areas")`. Parsed with Python's own expression parser and checked node by node:
only numbers, + - * /, parentheses and the functions below are allowed. Plain Python."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

# function -> what its one argument names ("question", "measure") or None (no argument)
FUNCTIONS: dict[str, str | None] = {
    "answer": "question",  # sum of the accepted answers to a question in the year
    "units_with": "question",  # units whose accepted answer is above zero
    "units_asked": "question",  # units the year's annual report asks the question of
    "registry": "measure",  # a registry count at the end of the year
    "consumption_index": None,  # the province consumption index (2020 = 100)
}
REGISTRY_MEASURES = ("areas", "areas-reached", "supermarkets", "supermarkets-eco-packaging",
                     "scp-models", "cleaner-production-models", "st-enterprises")
MAX_LENGTH = 500


class FormulaError(ValueError):
    """A formula that cannot be used; the message says which part."""


@dataclass(frozen=True)
class Element:
    function: str
    argument: str = ""

    def __str__(self) -> str:
        return f'{self.function}("{self.argument}")' if self.argument else f"{self.function}()"


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.expr
    elements: tuple[Element, ...]

    def evaluate(self, values: Mapping[Element, float | None]) -> float | None:
        """The formula's value, or None when an element has no value or a division has a
        zero denominator (missing data is never read as zero)."""
        return _eval(self.tree, values)


def _eval(node: ast.expr, values: Mapping[Element, float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        inner = _eval(node.operand, values)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return None if right == 0 else left / right
    assert isinstance(node, ast.Call)
    return values.get(_element(node))


def _element(node: ast.Call) -> Element:
    assert isinstance(node.func, ast.Name)
    first = node.args[0] if node.args else None
    argument = first.value if isinstance(first, ast.Constant) else ""
    assert isinstance(argument, str)
    return Element(node.func.id, argument)


def formula_parse(text: object, *, questions: set[str] | frozenset[str]) -> Formula:
    """Parse and check a formula; `questions` are the plan's question codes."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula is required")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"not a formula: {exc.msg} at character {exc.offset}") from None
    elements: list[Element] = []
    _check(tree, questions, elements)
    return Formula(text.strip(), tree, tuple(dict.fromkeys(elements)))


def _check(node: ast.AST, questions: set[str] | frozenset[str], out: list[Element]) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, questions, out)
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        _check(node.left, questions, out)
        _check(node.right, questions, out)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name = node.func.id
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function '{name}'; known: {', '.join(FUNCTIONS)}")
        wants = FUNCTIONS[name]
        if wants is None:
            if node.args:
                raise FormulaError(f"{name}() takes no argument")
            out.append(Element(name))
            return
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) \
                or not isinstance(node.args[0].value, str):
            raise FormulaError(f'{name}() takes one quoted code, e.g. {name}("code")')
        code = node.args[0].value
        if wants == "question" and code not in questions:
            raise FormulaError(f"{name}(\"{code}\"): no question has the code '{code}'")
        if wants == "measure" and code not in REGISTRY_MEASURES:
            raise FormulaError(f"{name}(\"{code}\"): unknown registry measure; known: "
                               + ", ".join(REGISTRY_MEASURES))
        out.append(Element(name, code))
        return
    raise FormulaError(f"'{ast.unparse(node)[:60]}' is not allowed: use numbers, + - * /, "
                       "parentheses and the functions " + ", ".join(FUNCTIONS))

