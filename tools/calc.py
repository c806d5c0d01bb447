"""A calculator the model may call: arithmetic only, read from the syntax tree, never
``eval``. Numbers, + - * / // % **, parentheses and unary signs; powers and results are
bounded so "9**9**9" is an error, not a hung phone."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

from .base import ToolError

MAX_MAGNITUDE = 1e300
MAX_EXPONENT = 1000
MAX_LENGTH = 200

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def calculate(expression: str) -> float:
    """The value of ``expression``, or a :class:`ToolError` saying what is not allowed."""
    text = expression.replace("×", "*").replace("÷", "/").replace("^", "**").replace(",", "")
    if len(text) > MAX_LENGTH:
        raise ToolError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ToolError(f"not arithmetic: {expression!r}") from exc
    value = _value(tree.body)
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ToolError("the result is too large")
    return value


def _value(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise ToolError("only numbers and + - * / // % ** are allowed, not True/False")
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_EXPONENT or abs(left) > 1e100):
            raise ToolError("the power is too large")
        try:
            result = _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ToolError("division by zero") from None
        except OverflowError:
            raise ToolError("the result is too large") from None
        if isinstance(result, complex) or abs(result) > MAX_MAGNITUDE:
            raise ToolError("the result is too large or not a real number")
        return float(result)
    raise ToolError(f"only numbers and + - * / // % ** are allowed, not {type(node).__name__}")


def format_number(value: float) -> str:
    """``12.0`` → ``12``; ``0.1 + 0.2`` → ``0.3`` (12 significant digits)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.12g}"
