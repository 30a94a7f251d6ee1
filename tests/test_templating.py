"""sitegen's Jinja environment is faster than Jinja's own, and renders every template the same."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from sitegen.templating import Environment


def test_templates_render_as_with_jinjas_own_environment():
    """sitegen's Jinja environment calls plain functions directly and escapes without making a Markup
    of each value (both faster); whatever a template does, it writes what Jinja's own would."""

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
            "{% autoescape false %}{{ hostile }}{% endautoescape %}"
            '{% include "part.html" %}{{ hostile|e }} {{ hostile|safe }} {{ [hostile]|join(safe) }}'
        ),
    }
    pages = []
    for kind in (jinja2.Environment, Environment):
        env = kind(autoescape=True, loader=jinja2.DictLoader(templates))
        env.globals.update(
            plain=lambda n, k: n * 10 + k,
            ctx=jinja2.pass_context(lambda context: context["hostile"]),
            env=jinja2.pass_environment(lambda environment: type(environment).__name__ != ""),
            stop=stop,
        )
        page = env.get_template("page.html").render(
            hostile="<a href=\"x\">'&'</a>", safe=Markup("<br>"), number=7, nothing=None, thing=Thing(), html=Html()
        )
        pages.append(page)
    assert pages[0] == pages[1]
    assert "11 &lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt; True [1|] 1 AB 22" in pages[1]
    assert "<br> 7 None &lt;thing&gt; <em>safe</em>" in pages[1] and '<a href="x">' in pages[1]
