"""Templates render with Jinja as it is published: no patched internals, and no compiled code read from disk."""

from __future__ import annotations

import weakref
from collections import Counter
from pathlib import Path

import jinja2
import jinja2.bccache
import jinja2.runtime
import jinja2.sandbox
import pytest

from conftest import build_into, errors, parse_html, text_of
from sitegen.render.pages import Renderer, plan_pages
from sitegen.render.templating import Sandbox


def renderer_of(root: Path) -> Renderer:
    from sitegen.inputs.i18n import load_catalogs
    from sitegen.options import BuildOptions
    from sitegen.pipeline import build

    site = build(BuildOptions(source=root, out=None, pdf=False, search=False)).site
    assert site is not None
    return Renderer(site, load_catalogs(site.config, site.languages)[0])


def test_every_language_renders_with_jinjas_own_environment(make_site):
    """Each language's environment is Jinja's own immutable sandbox with Jinja's own context and
    template classes and the i18n extension alone: what Jinja documents is what a template author gets.
    The one override is is_safe_attribute, the hook Jinja's sandbox documents, to remember its verdicts."""
    renderer = renderer_of(make_site())
    assert renderer.envs.keys() == {"ko", "en", "ja"}
    for env in renderer.envs.values():
        assert type(env) is Sandbox and Sandbox.__bases__ == (jinja2.sandbox.ImmutableSandboxedEnvironment,)
        assert {name for name in vars(Sandbox) if not name.startswith("__")} == {"is_safe_attribute"}
        assert env.context_class is jinja2.runtime.Context and env.template_class is jinja2.Template
        assert list(env.extensions) == ["jinja2.ext.InternationalizationExtension"]
        assert env.autoescape is True and env.undefined is jinja2.StrictUndefined


def test_the_sandbox_remembers_jinjas_own_verdict_on_each_attribute():
    """Asked twice, in either order, the remembering sandbox says what Jinja's own says, for the safe
    and the unsafe: a name with an underscore, a function's globals, a method that changes a list."""

    def f() -> None:
        pass

    class Shelf(list):  # a list a weak reference can name
        pass

    class Plain:
        pass

    shelf, plain = Shelf(), Plain()

    asked = [
        ("text", "upper"),
        ("text", "__class__"),
        ([1], "append"),
        ([1], "index"),
        ({"a": 1}, "update"),
        ({"a": 1}, "get"),
        (f, "__globals__"),
        (f, "__name__"),
        (str, "mro"),
        (jinja2, "_internal"),
        # A proxy's type is not its __class__, which isinstance reads: a proxy to an object, then to a list.
        (weakref.proxy(plain), "append"),
        (weakref.proxy(shelf), "append"),
    ]
    stock, remembering = jinja2.sandbox.ImmutableSandboxedEnvironment(), Sandbox()
    for pairs in (asked, asked[::-1], asked):
        for obj, attr in pairs:
            value = getattr(obj, attr, None)
            assert remembering.is_safe_attribute(obj, attr, value) == stock.is_safe_attribute(obj, attr, value), (obj, attr)
    assert not remembering.is_safe_attribute([1], "append", None) and remembering.is_safe_attribute("x", "upper", None)
    assert remembering.from_string("{{ x.upper() }}{{ x.__class__ }}").render(x="a") == "A"


def test_a_build_runs_only_code_it_compiled_itself_and_leaves_none_on_disk(make_site, tmp_path, monkeypatch):
    """Compiled template code runs as it loads, and a file is something a repository clone can carry:
    every compiled template a build loads is one it compiled itself, in memory, and it writes none."""
    import io

    made: set[bytes] = set()
    loaded: list[str] = []
    to_string, load = jinja2.bccache.Bucket.bytecode_to_string, jinja2.bccache.Bucket.load_bytecode

    def compiled_here(bucket: jinja2.bccache.Bucket) -> bytes:
        made.add(data := to_string(bucket))
        return data

    def load_made_here(bucket: jinja2.bccache.Bucket, f: io.BytesIO) -> None:
        assert isinstance(f, io.BytesIO) and f.getvalue() in made, f"{bucket.key}: compiled code from {f!r}"
        loaded.append(bucket.key)
        load(bucket, f)

    monkeypatch.setattr(jinja2.bccache.Bucket, "bytecode_to_string", compiled_here)
    monkeypatch.setattr(jinja2.bccache.Bucket, "load_bytecode", load_made_here)
    root = make_site()
    for _ in range(2):  # the second build finds nothing the first kept
        made.clear()
        assert errors(build_into(root, pdf=False)) == []
    assert loaded  # the languages shared compiled code: what is checked above was exercised
    assert text_of(parse_html(root / "public/en/stories/oita-lsi/index.html").find(".//h1"))
    compiled = [path for path in [*root.rglob("*"), *tmp_path.rglob("*")] if path.is_file() and jinja2.bccache.bc_magic in path.read_bytes()]
    assert compiled == []


@pytest.mark.parametrize("languages", [1, 3])
def test_the_languages_share_each_compiled_template(make_site, monkeypatch, languages):
    """The per-language environments compile each template once between them: compiling costs more
    than rendering a hundred pages."""
    compiled: Counter[str] = Counter()
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: object, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled[name or ""] += 1
        return compile_(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    root = make_site()
    if languages == 1:
        (root / "site.yaml").write_text(
            (root / "site.yaml").read_text(encoding="utf-8").replace("languages: [ko, en, ja]", "languages: [ko]"), encoding="utf-8"
        )
    renderer = renderer_of(root)
    compiled.clear()  # what the build that read the site compiled, with its own renderer
    rendered = renderer.render(plan_pages(renderer.site))
    assert not [d for d in rendered.diagnostics if d.severity == "error"]
    assert len({spec.lang for spec in plan_pages(renderer.site)}) == languages
    assert compiled and set(compiled.values()) == {1}, compiled
