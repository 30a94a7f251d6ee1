"""Jinja, made cheaper for sites of thousands of pages; every template renders as with jinja2.Environment."""

from __future__ import annotations

from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType
from typing import Any, Callable, MutableMapping

import jinja2
import jinja2.bccache
import jinja2.runtime
import markupsafe
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.utils import internalcode

from . import signing


class Context(jinja2.runtime.Context):
    """Jinja's template context, calling a plain function directly: Jinja asks every callable
    whether it wants the context (pass_context and the like), and a page calls forty."""

    @internalcode  # left out of template tracebacks, as Jinja's own call is
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        # A builtin cannot be marked; a function is marked by an attribute (see jinja2.utils.pass_context).
        if kind is not BuiltinFunctionType and (kind is not FunctionType or hasattr(__obj, "jinja_pass_arg")):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja does
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


# markupsafe's own escaping of a str, without the Markup around it: a private name of markupsafe's,
# so where it is missing, markupsafe.escape does the same more slowly.
_escape_str: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


def escaped(value: Any) -> str:
    """markupsafe.escape(value), as the text alone where it is a str: what a template's {{ value }} writes."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is markupsafe.Markup:  # safe already: escape would copy it
        return value  # type: ignore[no-any-return]
    return markupsafe.escape(value)  # other objects with __html__, numbers, undefined values: as Jinja does


class Template(jinja2.Template):
    """A compiled template that writes each {{ value }} escaped by `escaped`."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled code escapes each {{ value }} it writes with markupsafe.escape, whose Markup
        # costs a microsecond, seventy times a page, only to be joined into the page's text.
        template.root_render_func.__globals__["escape"] = escaped
        return template


class Environment(jinja2.Environment):
    """jinja2.Environment, with the Context and Template above, and each template's globals in one dict."""

    context_class = Context
    template_class = Template

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A template's globals as one dict, not Jinja's ChainMap over the environment's: each page's
        # context copies them, and a ChainMap copies slowly. So a global set after a template has
        # loaded is not seen by it: make_environment sets them all first.
        return {**self.globals, **(d or {})}


class Fragments:
    """What each {% cached %} block rendered, by its key, and the dependencies its body recorded:
    kept for one batch of pages (see start), into whose current page's dependencies they are replayed."""

    def __init__(self) -> None:
        self.made: dict[tuple[Any, ...], tuple[markupsafe.Markup, frozenset[str]]] = {}
        self.deps: set[str] = set()

    def start(self) -> None:
        """A new batch of pages: the model may have changed since the last, so nothing is kept from it."""
        self.made.clear()

    def page(self, deps: set[str]) -> None:
        """The page about to render records what it reads in `deps`."""
        self.deps = deps

    def get(self, key: tuple[Any, ...], body: Callable[[], markupsafe.Markup]) -> markupsafe.Markup:
        made = self.made.get(key)
        if made is None:
            # The body records into the page's own set (the context's functions hold it): emptied
            # first, what it holds after is what the fragment depends on, for every page that shows it.
            deps = self.deps
            before = set(deps)
            deps.clear()
            try:
                made = (body(), frozenset(deps))
            finally:
                deps |= before
            self.made[key] = made
        self.deps |= made[1]
        return made[0]


class FragmentCache(Extension):
    """`{% cached key, ... %}...{% endcached %}`: the block is rendered once for each key in a batch of
    pages, like Hugo's partialCached. The key must name everything the block's output depends on that
    differs between pages (its links' folder, the current page's marks): that is the template's promise."""

    tags = {"cached"}

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(fragments=Fragments())

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key: list[nodes.Expr] = [nodes.Const(parser.name), nodes.Const(lineno), parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_fragment", [nodes.Tuple(key, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple[Any, ...], caller: Callable[[], markupsafe.Markup]) -> markupsafe.Markup:
        return self.environment.fragments.get(key, caller)  # type: ignore[attr-defined]


class SignedBytecode(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk for the next build, each signed (see signing): compiled code runs
    as it loads, so a file not signed here, one shipped in a repository's cache folder say, is
    compiled again from its template instead."""

    def __init__(self, directory: str, secret: bytes):
        super().__init__(directory)
        self.secret = secret

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        payload = signing.payload(data, self.secret)
        if payload is not None:
            bucket.bytecode_from_string(bytes(payload))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            signing.write(Path(self._get_cache_filename(bucket)), bucket.bytecode_to_string(), self.secret)
        except OSError:  # a cache: the template compiles again next time
            pass


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates in memory, for several environments (one per language): the same source
    compiles to the same code, and compiling costs more than rendering a hundred pages."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.codes.clear()
