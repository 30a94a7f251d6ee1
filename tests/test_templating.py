"""sitegen's Jinja environment renders every template as Jinja's own does, and runs no compiled template it did not sign."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from sitegen.templating import Environment, FragmentCache


def test_templates_render_as_with_jinjas_own_environment():
    """sitegen's Jinja environment calls plain functions directly and escapes without making a Markup
    of each value; whatever a template does, it writes what Jinja's own would."""

    def stop() -> str:
        raise StopIteration

    class Thing:
        def __str__(self) -> str:
            return "<thing>"

    class Html:
        def __html__(self) -> str:
            return "<em>safe</em>"

    templates = {
        "macros.html": "{% macro m(x) %}[{{ x }}|{{ caller() if caller else '' }}]{% endmacro %}",
        "part.html": "<i>{{ hostile }}</i>",
        "page.html": (
            '{% from "macros.html" import m %}'
            "{% block b %}{% for n in [1, 2] %}{{ plain(n, k=n) }} {{ ctx() }} {{ env() }} {{ m(n) }} "
            "{{ '%s'|format(n) }} {{ 'ab'.upper() }} {% endfor %}{% endblock %}"
            "{{ stop() is undefined }} {{ hostile }} {{ safe }} {{ number }} {{ nothing }} {{ thing }} {{ html }} {{ hostile ~ safe }}"
            "{% set kept %}<b>{{ hostile }}</b>{% endset %}{{ kept }} {{ kept|upper }}"
            "{% filter upper %}{{ hostile }}{% endfilter %}"
            "{% call m(hostile) %}{{ hostile }}{% endcall %}"
            "{% autoescape false %}{{ hostile }}{% endautoescape %}{% autoescape off %}{{ hostile }}{% endautoescape %}"
            "{% trans %}Hello {{ hostile }}{% endtrans %}"
            "{% trans count=number %}{{ count }} <b>{{ hostile }}</b>{% pluralize %}{{ count }} <i>{{ hostile }}</i>{% endtrans %}"
            "{{ _('a %(x)s b', x=hostile) }} {{ ngettext('%(num)s item', '%(num)s items', number) }}"
            '{% include "part.html" %}{{ hostile|e }} {{ hostile|safe }} {{ [hostile]|join(safe) }}'
        ),
    }
    pages = []
    for kind in (jinja2.Environment, Environment):
        env = kind(autoescape=True, loader=jinja2.DictLoader(templates), extensions=["jinja2.ext.i18n"])
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            plain=lambda n, k: n * 10 + k,
            ctx=jinja2.pass_context(lambda context: context["hostile"]),
            env=jinja2.pass_environment(lambda environment: type(environment).__name__ != ""),
            stop=stop,
        )
        page = env.get_template("page.html").render(
            hostile="<a href=\"x\">'&'</a>", safe=Markup("<br>"), number=7, nothing=None, thing=Thing(), html=Html(), off=False
        )
        pages.append(page)
    assert pages[0] == pages[1]
    assert "11 &lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt; True [1|] 1 AB 22" in pages[1]
    assert "<br> 7 None &lt;thing&gt; <em>safe</em>" in pages[1] and '<a href="x">' in pages[1]
    assert "7 <i>&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;</i>" in pages[1] and "7 items" in pages[1]


def test_a_cached_block_is_rendered_once_per_key_and_what_it_read_is_every_showing_pages_dependency():
    """{% cached key %} renders its block once for each key in a batch of pages; each page that shows
    it depends on what the block read, as if it had rendered the block itself."""
    env = Environment(autoescape=True, loader=jinja2.DictLoader({
        "page.html": "{% cached section %}<nav>{{ menu(section) }} {{ hostile }}</nav>{% endcached %}<p>{{ page }}</p>",
    }), extensions=[FragmentCache])
    rendered: list[str] = []
    page_deps: list[set[str]] = []

    def menu(section: str) -> str:  # as the context's docs() does: records what it read in the page's set
        rendered.append(section)
        page_deps[-1].add(f"section:{section}")
        return section.upper()

    env.globals["menu"] = menu

    def batch(*pages: tuple[str, str]) -> list[tuple[str, set[str]]]:
        env.fragments.start()  # type: ignore[attr-defined]
        out = []
        for page, section in pages:
            deps = {f"page:{page}"}
            page_deps.append(deps)
            env.fragments.page(deps)  # type: ignore[attr-defined]
            out.append((env.get_template("page.html").render(page=page, section=section, hostile="<i>"), deps))
        return out

    first = batch(("a", "stories"), ("b", "stories"), ("c", "clusters"))
    assert rendered == ["stories", "clusters"]
    assert first == [
        ("<nav>STORIES &lt;i&gt;</nav><p>a</p>", {"page:a", "section:stories"}),
        ("<nav>STORIES &lt;i&gt;</nav><p>b</p>", {"page:b", "section:stories"}),
        ("<nav>CLUSTERS &lt;i&gt;</nav><p>c</p>", {"page:c", "section:clusters"}),
    ]
    assert batch(("d", "stories")) == [("<nav>STORIES &lt;i&gt;</nav><p>d</p>", {"page:d", "section:stories"})]
    assert rendered == ["stories", "clusters", "stories"]  # a new batch renders it again: the model may have changed
