"""`sitegen new`: a Korean source that builds as it is, and says where everything goes."""

import pytest

from conftest import build_into, errors, parse_html
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
    # A draft until the editor says otherwise: the placeholder text is never published by mistake.
    page = {"cluster": "clusters/new-one", "story": "stories/new-one", "page": "new-one", "brochure": "brochures/new-one"}[kind]
    assert not (root / f"public/ko/{page}/index.html").exists()
    assert errors(build_into(root, pdf=False, drafts=True)) == []
    banner = parse_html(root / f"public/ko/{page}/index.html").find(".//p[@class='notice notice-held']")
    assert banner is not None and "초안" in "".join(banner.itertext())
    (root / path).write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    assert errors(build_into(root, pdf=False)) == []
    assert (root / f"public/ko/{page}/index.html").exists()


def test_new_refuses_a_bad_slug_and_an_existing_file(make_site, capsys):
    root = make_site()
    with pytest.raises(SystemExit) as info:
        main(["new", "story", "Oita LSI", "--source", str(root)])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["new", "story", "oita-lsi", "--source", str(root)])
    assert "exists already" in capsys.readouterr().err
