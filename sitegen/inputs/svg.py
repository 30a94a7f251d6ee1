"""SVG files as the site publishes them (assets/, templates/static/): pictures, never programs.

An SVG is a document as much as a picture: opened by itself, from the site's own origin, a script
in it runs with the site's cookies and can rewrite its pages. So an SVG that can run script, fetch
other files or carry a web page is refused, with a diagnostic at the file and line that names what
was found. sitegen refuses rather than sanitises: an editor can fix the file (or export it again)
and sees exactly what changed, where a sanitiser would silently publish something other than what
the editor made, and every pattern it failed to know would be published as it is.

The file is parsed with xml.etree.ElementTree, after a look for DOCTYPE and entity declarations
(which can read other files or grow a small file into gigabytes): none is ever parsed."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ..errors import Diagnostic, Message

XHTML = "http://www.w3.org/1999/xhtml"
REMOVE_OR_EXPORT = Message("remove it, or export the picture again without it (sitegen refuses such a file rather than changing it)")
# Elements that run script or carry a document: SVG's own script and foreignObject, SVG Tiny's handler.
ELEMENTS = {
    "script": Message("a <script> element, which runs as the site when the picture is opened"),
    "foreignobject": Message("a <foreignObject> element, which can carry a web page and its scripts into the picture"),
    "handler": Message("a <handler> element, which runs script on events"),
}
# Schemes that run script, or open a document of their own, wherever an attribute holds them.
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# An address with a scheme or a host of its own (http:, file:, //host): a file the picture would fetch
# from elsewhere when it is opened (a tracker, or the viewer's own files), where only data: belongs.
_ELSEWHERE = re.compile(r"^(?!data:)(?:[a-z][a-z0-9+.-]*:|//|\\\\)")
# The same in CSS (a <style>, a style or presentation attribute), read as a browser reads it: comments
# out, escapes decoded; then any @import, and any url(...) or string that starts with such an address.
_CSS_FETCH = re.compile(r"""@import|(?:url\(\s*['"]?|['"])\s*(?!data:)(?:[a-z][a-z0-9+.-]*:|//|\\\\)""", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)
FETCH_FIX = Message("put the file it names into the picture (embed it), or link to nothing outside it")
_SPACES = re.compile(r"[\x00-\x20]+")  # a browser drops these within a URL's scheme

SAVE_AS_SVG = Message("save the picture as SVG")
Problem = tuple[int | None, str, str]  # line, what was found, the fix


def file_problems(rel: str, data: bytes) -> list[Problem]:
    """svg_problems of a file that is an SVG by its name (.svg); a compressed one (.svgz), which a
    server sends as SVG too, cannot be checked; any other file has none."""
    name = rel.lower()
    if name.endswith(".svgz"):
        return [(None, Message("a compressed SVG (.svgz), which sitegen cannot check"), Message("save it as a plain .svg file"))]
    return svg_problems(data) if name.endswith(".svg") else []


def svg_problems(data: bytes) -> list[Problem]:
    """Everything in an SVG file that keeps it from being published as a picture, in order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [(data[: exc.start].count(b"\n") + 1, Message("byte {byte:#04x}, not UTF-8 text", byte=data[exc.start]), Message("save the picture as UTF-8"))]
    declaration = _DECLARATION.search(text)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        return [(line, Message("a DOCTYPE or entity declaration, which can read other files or grow without end"), Message("remove it; an SVG needs none"))]
    return _walk(text)


def diagnostics(rel: str, problems: list[Problem]) -> list[Diagnostic]:
    """Problems of the file `rel` as diagnostics at it."""
    return [
        Diagnostic(rel, line, None, None, Message("expected a plain SVG picture, found {found}; {fix}", found=found, fix=fix)) for line, found, fix in problems
    ]


def _walk(text: str) -> list[Problem]:
    """Parse `text` line by line, so that each problem is found at its line."""
    lines = text.splitlines(keepends=True)
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(events=("start", "end", "pi"))
    problems: list[Problem] = []
    first = True
    previous = 1  # where the last element was found: the next one starts on that line or after
    try:
        for number, text_line in enumerate(lines, 1):
            parser.feed(text_line)
            for found in parser.read_events():
                event, item = found[0], found[-1]  # (event, element); typeshed allows a 1-tuple too
                if not isinstance(item, ElementTree.Element):  # start-ns events, which are not asked for
                    continue
                if event == "end":
                    # Its own text, as a browser reads it: before and between the elements inside it, not theirs.
                    own = (item.text or "") + "".join(child.tail or "" for child in item)
                    if _local(item.tag) == "style" and _css_fetches(own):
                        problems.append((number, Message("a style sheet that fetches a file from elsewhere when the picture is opened"), FETCH_FIX))
                    continue
                if event == "pi":
                    target = (item.text or "").split(None, 1)[0] if isinstance(item.text, str) else ""
                    found_pi = Message("a processing instruction <?{target} ...?>, which can make a browser run a style sheet or program", target=target)
                    problems.append((number, found_pi, Message("remove it")))
                    continue
                if first and _local(item.tag) != "svg":
                    return [(number, Message("an XML file whose root is <{root}>, not <svg>", root=_local(item.tag)), SAVE_AS_SVG)]
                first = False
                problems += _element_problems(item, lines, previous, number)
                previous = number
        parser.close()
    except ElementTree.ParseError as exc:
        where: int | None = exc.position[0] if exc.position else None
        return [*problems, (where, Message("a file XML cannot read ({error})", error=str(exc)), Message("export the picture again"))]
    if first:
        return [(None, Message("no <svg> element"), SAVE_AS_SVG)]
    return problems


def _element_problems(element: ElementTree.Element, lines: list[str], start: int, end: int) -> list[Problem]:
    """What in one element's start tag (found on lines start..end) can run script."""
    problems: list[Problem] = []
    namespace, local = _split(element.tag)
    if local.lower() in ELEMENTS or namespace == XHTML:
        found = ELEMENTS.get(local.lower()) or Message("an HTML element <{name}>, which can carry scripts into the picture", name=local)
        problems.append((_line_of(rf"<(?:[\w.-]+:)?{re.escape(local)}\b", lines, start, end), found, REMOVE_OR_EXPORT))
    for name, value in element.attrib.items():
        _, attribute = _split(name)
        where = _line_of(rf"\b(?:[\w.-]+:)?{re.escape(attribute)}\s*=", lines, start, end)
        plain = _SPACES.sub("", value).lower()
        if attribute.lower().startswith("on"):
            handler = Message('an event handler {attribute}="..." on <{name}>, which runs script', attribute=attribute, name=local)
            problems.append((where, handler, REMOVE_OR_EXPORT))
        elif any(scheme in plain for scheme in SCRIPT_SCHEMES):
            problems.append((where, Message('a script link in {attribute}="..." on <{name}>', attribute=attribute, name=local), REMOVE_OR_EXPORT))
        elif (
            attribute == "href"
            and plain.startswith("data:")
            and not (local == "image" and plain.startswith("data:image/") and not plain.startswith("data:image/svg"))
        ):
            problems.append(
                (
                    where,
                    Message('a data: link in {attribute}="..." on <{name}>, which can carry a document with scripts', attribute=attribute, name=local),
                    Message("link to a file of the site instead, or export the picture again without it (sitegen refuses such a file rather than changing it)"),
                )
            )
        elif attribute in ("href", "base") and local != "a" and _ELSEWHERE.match(plain):
            elsewhere = Message(
                'a link to a file elsewhere in {attribute}="..." on <{name}>, which the picture fetches when it is opened', attribute=attribute, name=local
            )
            problems.append((where, elsewhere, FETCH_FIX))
        elif _css_fetches(value):
            fetched = Message('a file fetched from elsewhere in {attribute}="..." on <{name}>, when the picture is opened', attribute=attribute, name=local)
            problems.append((where, fetched, FETCH_FIX))
        elif local in ("set", "animate") and attribute == "attributeName" and (plain.endswith("href") or plain.startswith("on")):
            animation = Message("an animation of {value} on <{name}>, which can turn a link into script", value=value[:40], name=local)
            problems.append((where, animation, REMOVE_OR_EXPORT))
    return problems


def _css_fetches(css: str) -> bool:
    """Whether CSS fetches a file from elsewhere (see _CSS_FETCH)."""

    def decoded(match: re.Match[str]) -> str:
        hex_digits, char = match.groups()
        return chr(min(int(hex_digits, 16), 0x10FFFF) or 0xFFFD) if hex_digits else char

    return _CSS_FETCH.search(_CSS_ESCAPE.sub(decoded, _CSS_COMMENT.sub("", css))) is not None


def _split(tag: str) -> tuple[str, str]:
    """('namespace', 'local') of an ElementTree name such as '{http://www.w3.org/2000/svg}svg'."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local(tag: str) -> str:
    return _split(tag)[1]


def _line_of(pattern: str, lines: list[str], start: int, end: int) -> int:
    """The first of lines start..end (1-based) where `pattern` is found; `end` when none is."""
    compiled = re.compile(pattern)
    return next((number for number in range(start, end + 1) if compiled.search(lines[number - 1])), end)
