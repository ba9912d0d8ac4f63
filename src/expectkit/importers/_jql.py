"""Read the JQL of JSM SLA goals into match alternatives, and name what does not map.

The parser knows clauses ``field OP value`` joined by ``AND``, ``OR``, ``NOT`` and
parentheses, with values as words, quoted strings, lists ``(a, b)`` and function calls;
a trailing ``ORDER BY`` is ignored (it orders, it does not select). The expression is
put in disjunctive normal form: each conjunction becomes one :class:`Cond`, and a
conjunction with a clause expectkit cannot say is left out and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Final

from expectkit.importers._common import Cond

__all__ = ["JqlError", "parse_jql"]

_TOKEN: Final = re.compile(
    r"""\s*(?:(?P<q>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<p>[(),])|(?P<o>!=|!~|<=|>=|=|~|<|>)"""
    r"""|(?P<w>[^\s(),=!~<>"']+))"""
)
_MAX_ALTERNATIVES: Final = 256
_ATTRIBUTE_NAMES: Final = {
    "issuetype": "issuetype",
    "type": "issuetype",
    "request type": "request_type",
    "customer request type": "request_type",
    "request-type": "request_type",
}


class JqlError(ValueError):
    """The JQL does not parse (the importer reports it as an ImportFormatError)."""


@dataclass(frozen=True)
class _Tok:
    kind: str  # q, p, o, w
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        if self.kind == "q":
            return re.sub(r"\\(.)", r"\1", self.text[1:-1])
        return self.text

    def word(self, *words: str) -> bool:
        return self.kind == "w" and self.text.upper() in words


@dataclass(frozen=True)
class _Leaf:
    alternatives: tuple[Cond, ...] | None  # None: not mapped
    text: str
    why: str = ""


_Node = tuple[str, list["_Node"]] | _Leaf


def parse_jql(text: str) -> tuple[list[Cond], list[tuple[str, str]]]:
    """Return the alternatives a goal's JQL matches, and the clauses that did not map.

    An empty query ("All remaining issues") matches everything.

    Raises:
        JqlError: The text is not JQL this reader understands.

    >>> alts, unmapped = parse_jql('priority in (Highest, High) AND labels = vip')
    >>> [a.match() for a in alts], unmapped
    ([{'priority': ['high', 'highest'], 'tags': ['vip']}], [])
    >>> parse_jql('reporter in membersOf("vip") OR priority = Low')[1]
    [('reporter in membersOf("vip")', 'uses a JQL function')]

    """
    tokens = _tokens(text)
    cut = next((i for i, t in enumerate(tokens) if t.word("ORDER")), len(tokens))
    tokens = tokens[:cut]
    if not tokens:
        return [Cond()], []
    parser = _Parser(text, tokens)
    tree = parser.expression()
    if parser.pos != len(tokens):
        raise JqlError(
            f"unexpected {tokens[parser.pos].text!r} at index {tokens[parser.pos].start}"
        )
    out: list[Cond] = []
    unmapped: list[tuple[str, str]] = []
    for conjunction in _dnf(tree):
        cond: Cond | None = Cond()
        for leaf, alt in conjunction:
            if alt is None:
                pair = (leaf.text, leaf.why)
                if pair not in unmapped:
                    unmapped.append(pair)
                cond = None
                break
            cond = cond.and_(alt) if cond is not None else None
        if cond is not None and cond not in out:
            out.append(cond)
    return out, unmapped


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise JqlError(f"cannot read the JQL at index {pos}")
        kind = found.lastgroup or "w"
        out.append(_Tok(kind, found.group(kind), found.start(kind), found.end(kind)))
        pos = found.end()
    return out


class _Parser:
    def __init__(self, text: str, tokens: list[_Tok]) -> None:
        self.text, self.tokens, self.pos = text, tokens, 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise JqlError("the JQL ends too early")
        self.pos += 1
        return tok

    def expression(self) -> _Node:
        parts = [self.conjunction()]
        while (tok := self.peek()) is not None and tok.word("OR"):
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self) -> _Node:
        parts = [self.unary()]
        while (tok := self.peek()) is not None and tok.word("AND"):
            self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def unary(self) -> _Node:
        tok = self.take()
        if tok.word("NOT"):
            start = tok.start
            self.unary()
            return _Leaf(None, self.text[start : self.tokens[self.pos - 1].end], "negates")
        if tok.kind == "p" and tok.text == "(":
            inner = self.expression()
            if self.take().text != ")":
                raise JqlError(f"a '(' at index {tok.start} is not closed")
            return inner
        return self.clause(tok)

    def clause(self, field: _Tok) -> _Node:
        if field.kind not in {"w", "q"}:
            raise JqlError(f"expected a field name at index {field.start}")
        op_tok = self.take()
        op = op_tok.text.upper()
        if op_tok.word("NOT", "IS", "WAS") and (nxt := self.peek()) and nxt.word("IN", "NOT"):
            self.pos += 1
            op = f"{op} {nxt.text.upper()}"
        elif op_tok.kind not in {"o", "w"}:
            raise JqlError(f"expected an operator at index {op_tok.start}")
        values, function = self.values()
        text = self.text[field.start : self.tokens[self.pos - 1].end]
        return _map(field.value, op, values, function, text)

    def values(self) -> tuple[list[str], bool]:
        tok = self.take()
        if tok.kind == "p" and tok.text == "(":
            items: list[str] = []
            function = False
            while (nxt := self.take()).text != ")":
                if nxt.text == ",":
                    continue
                if (after := self.peek()) is not None and after.text == "(":
                    self.skip_call()
                    function = True
                items.append(nxt.value)
            return items, function
        following = self.peek()
        if following is not None and following.text == "(":
            self.skip_call()
            return [tok.value], True
        if tok.kind not in {"w", "q"}:
            raise JqlError(f"expected a value at index {tok.start}")
        return [tok.value], False

    def skip_call(self) -> None:
        depth = 0
        while True:
            tok = self.take()
            depth += {"(": 1, ")": -1}.get(tok.text, 0) if tok.kind == "p" else 0
            if depth == 0:
                return


def _map(field: str, op: str, values: list[str], function: bool, text: str) -> _Leaf:
    if function:
        return _Leaf(None, text, "uses a JQL function")
    if op not in {"=", "IN"}:
        return _Leaf(None, text, f"operator {op!r} has no expectkit equivalent")
    if any(v.upper() in {"EMPTY", "NULL"} for v in values):
        return _Leaf(None, text, "tests for an empty field")
    name = field.strip().lower()
    if name == "priority":
        return _Leaf((Cond(priority=frozenset(v.lower() for v in values)),), text)
    if name in {"labels", "label"}:
        return _Leaf(tuple(Cond(tags=frozenset({v})) for v in values), text)
    key = _ATTRIBUTE_NAMES.get(name, re.sub(r"\s+", "_", name))
    return _Leaf((Cond.attribute(key, values),), text)


def _dnf(node: _Node) -> list[list[tuple[_Leaf, Cond | None]]]:
    if isinstance(node, _Leaf):
        if node.alternatives is None:
            return [[(node, None)]]
        return [[(node, alt)] for alt in node.alternatives]
    kind, parts = node
    if kind == "or":
        return [c for part in parts for c in _dnf(part)]
    out: list[list[tuple[_Leaf, Cond | None]]] = []
    for combo in product(*(_dnf(part) for part in parts)):
        out.append([pair for conj in combo for pair in conj])
        if len(out) > _MAX_ALTERNATIVES:
            raise JqlError(f"the JQL expands to more than {_MAX_ALTERNATIVES} alternatives")
    return out
