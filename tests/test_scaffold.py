"""`sitegen new`: a Korean source that builds as it is, and says where everything goes."""

import pytest

from conftest import build_into, errors
from sitegen.cli import main


@pytest.mark.parametrize(
    "kind,path",
    [
        ("cluster", "content/ko/clusters/new-one.yaml"),
        ("story", "content/ko/stories/new-one.md"),
        ("page", "content/ko/pages/new-one.md"),
        ("brochure", "content/ko/brochures/new-one.yaml"),
    ],
)
def test_new_files_build_as_they_are(make_site, capsys, kind, path):
    root = make_site()
    assert main(["new", kind, "new-one", "--source", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: written.") and path.replace("/ko/", "/en/") in out
    text = (root / path).read_text(encoding="utf-8")
    assert "(required)" in text
    assert errors(build_into(root, pdf=False)) == []


def test_new_refuses_a_bad_slug_and_an_existing_file(make_site, capsys):
    root = make_site()
    with pytest.raises(SystemExit) as info:
        main(["new", "story", "Oita LSI", "--source", str(root)])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["new", "story", "oita-lsi", "--source", str(root)])
    assert "exists already" in capsys.readouterr().err
