"""The dependency graph answers which outputs a changed input touches, as pages are made again."""

from sitegen.deps import DepGraph


def test_a_page_made_again_from_other_inputs_is_touched_by_those_alone():
    graph = DepGraph({"a.html": frozenset({"t.html", "x.md"}), "b.html": frozenset({"t.html"})})
    graph.update({"a.html": frozenset({"t.html", "y.md"}), "b.html": frozenset({"t.html"})})
    assert graph.affected({"x.md"}) == set()
    assert graph.affected({"y.md"}) == {"a.html"}
    assert graph.affected({"t.html"}) == {"a.html", "b.html"}
    assert graph.deps["a.html"] == {"t.html", "y.md"}


def test_a_removed_page_is_touched_by_nothing():
    graph = DepGraph({"a.html": frozenset({"t.html"})})
    graph.update({"c.html": frozenset({"t.html"})})
    graph.remove(["a.html"])
    assert graph.affected({"t.html"}) == {"c.html"}
    assert "a.html" not in graph.deps
