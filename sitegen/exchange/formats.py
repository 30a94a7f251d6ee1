"""Exchange files through translate-toolkit's storage classes: XLIFF 1.2 and PO, written and read
(XLIFF 2 in `xliff2`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from translate.storage import pypo, xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as placeables

from ..errors import Message
from .items import Exchange, ItemUnits, Unit
from .segments import Mark, Part, Span
from .xliff2 import XLIFF2, read_xliff2

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
# Our own attributes on each <file>, in our own namespace as XLIFF 1.2 allows: what the import checks.
SITEGEN = "urn:x-sitegen:exchange"
# Our states <-> XLIFF 1.2's (README's table has them beside XLIFF 2's and PO's): a current
# translation goes out "translated" and approved; a state a CAT tool may send back that is not
# here (needs-review-…, needs-adaptation, x-…) is a target still to review.
STATES = {"new": "new", "translated": "translated", "needs-review": "needs-review-translation"}
READ_STATES = {"new": "new", "needs-translation": "new", "translated": "translated", "signed-off": "translated", "final": "translated"}


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


_BaseUnit: Any = xliff.xlifffile.UnitClass  # Xliff1Unit in newer versions, xliffunit in older ones
_BaseFile: Any = xliff.xlifffile


class _Unit12(_BaseUnit):
    namespace = XLIFF12


class _File12(_BaseFile):
    UnitClass = _Unit12
    namespace = XLIFF12


def _elem(parts: tuple[Part, ...]) -> StringElem:
    sub: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            sub.append(part)
        elif isinstance(part, Mark):
            sub.append(placeables.X(id=part.id))
        else:
            sub.append(placeables.G(id=part.id, sub=[_elem(part.content)]))
    return StringElem(sub)


def write_xliff(exchange: Exchange) -> bytes:
    skeleton = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{XLIFF12}" xmlns:sg="{SITEGEN}">'
        f'<file original="NoName" source-language="{exchange.source_lang}" datatype="plaintext"><body/></file></xliff>'
    )
    store = _File12.parsestring(skeleton.encode())
    for item in exchange.items:
        store.switchfile(item.source_path, createifmissing=True)
        node = store.getfilenode(item.source_path)
        node.set("datatype", "x-markdown" if item.source_path.endswith(".md") else "x-yaml")
        node.set("target-language", exchange.target_lang)
        node.set(f"{{{SITEGEN}}}target", item.target_path)
        node.set(f"{{{SITEGEN}}}source-version", item.source_version)
        node.set(f"{{{SITEGEN}}}translation", item.translation_digest or "none")
        for unit in item.units:
            made = store.addsourceunit("", filename=item.source_path)
            made.setid(unit.id)
            made.rich_source = [_elem(unit.source)]
            if unit.target is not None:
                made.rich_target = [_elem(unit.target)]
                target = made.xmlelement.find(store.namespaced("target"))
                target.set("state", STATES[unit.state])
                made.markapproved(unit.state == "translated")
            if unit.note:
                made.addnote(unit.note, origin="developer")
    store.removedefaultfile()
    return bytes(store)


def _parts(elem: Any, problems: list[str]) -> tuple[Part, ...]:
    """translate-toolkit's placeables back to ours; any other inline element is a problem."""
    out: list[Part] = []
    for sub in elem.sub if isinstance(elem, StringElem) else [elem]:
        if isinstance(sub, str):
            out.append(sub)
        elif isinstance(sub, placeables.X):
            out.append(Mark(str(sub.id)))
        elif isinstance(sub, placeables.G):
            out.append(Span(str(sub.id), _parts(sub, problems)))
        elif type(sub) is StringElem or _segment(sub):
            out += _parts(sub, problems)
        else:
            tag = etree.QName(sub.xml_node).localname if isinstance(sub, placeables.UnknownXML) else type(sub).__name__.lower()
            problems.append(Message("an inline <{element}> element; only the <g> and <x/> placeholders of the export may be used", element=tag))
    merged: list[Part] = []
    for part in out:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def _segment(sub: Any) -> bool:
    """A segment's <mrk mtype="seg">, which Trados and memoQ put around each sentence of a target: its
    content is the translation."""
    node = getattr(sub, "xml_node", None) if isinstance(sub, placeables.UnknownXML) else None
    return node is not None and etree.QName(node).localname == "mrk" and node.get("mtype") == "seg"


def read_xliff(data: bytes) -> tuple[Exchange | None, list[Problem]]:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError as exc:
        return None, [
            Problem(exc.lineno, Message("expected well-formed XML, found a syntax error ({error}); send the file back as the CAT tool saved it", error=exc.msg))
        ]
    if root.getroottree().docinfo.doctype:  # CAT tools write none; one could pull in files through entities
        return None, [Problem(1, Message("expected XLIFF without a DOCTYPE, found one; save the file from the CAT tool again"))]
    if etree.QName(root).namespace == XLIFF2:
        exchange, problems2 = read_xliff2(root, data)
        return exchange, [Problem(line, message) for line, message in problems2]
    if etree.QName(root).namespace != XLIFF12 or root.get("version") != "1.2":
        return None, [
            Problem(
                root.sourceline,
                Message(
                    "expected XLIFF 1.2 (version 1.2, namespace {xliff12}) or 2 (namespace {xliff2}), found version {version} in {namespace}",
                    xliff12=XLIFF12,
                    xliff2=XLIFF2,
                    version=repr(root.get("version")),
                    namespace=repr(etree.QName(root).namespace),
                ),
            )
        ]
    store = _File12.parsestring(data)
    root = store.document.getroot()
    problems: list[Problem] = []
    languages = {node.get("target-language") for node in root.iter(f"{{{XLIFF12}}}file")}
    source_langs = {node.get("source-language") for node in root.iter(f"{{{XLIFF12}}}file")}
    units_of: dict[Any, list[Unit]] = {}
    for made in store.units:
        node = made.xmlelement
        found: list[str] = []
        source = _parts(made.rich_source[0], found) if made.rich_source else ()
        target_node = made.getlanguageNode(lang=None, index=1)
        target = None
        line = node.sourceline
        if target_node is not None:
            target = _parts(made.rich_target[0], found) if made.rich_target else ()
            line = target_node.sourceline
            if target == () or target == ("",):
                target = None
        state = READ_STATES.get(target_node.get("state", "translated") if target_node is not None else "new", "needs-review")
        if target is not None and made.isapproved():  # approved="yes": passed its final review (translate-toolkit reads it so too)
            state = "translated"
        problems += [
            Problem(line, Message("unit {unit}: expected plain text and placeholders, found {problem}", unit=node.get("id"), problem=what)) for what in found
        ]
        units_of.setdefault(node.getparent().getparent(), []).append(Unit(node.get("id") or "", source, target, state, made.getnotes(), line))
    items = []
    for file in root.iter(f"{{{XLIFF12}}}file"):
        items.append(
            ItemUnits(
                file.get("original") or "",
                file.get(f"{{{SITEGEN}}}target") or "",
                file.get(f"{{{SITEGEN}}}source-version") or "",
                "" if file.get(f"{{{SITEGEN}}}translation") in (None, "none") else file.get(f"{{{SITEGEN}}}translation") or "",
                tuple(units_of.get(file, [])),
                file.sourceline or 0,
            )
        )
    if len(languages) != 1 or len(source_langs) != 1:
        problems.append(
            Problem(
                root.sourceline,
                Message(
                    "expected one source and one target language, found {sources} and {targets}",
                    sources=str(sorted(map(str, source_langs))),
                    targets=str(sorted(map(str, languages))),
                ),
            )
        )
    first = next(root.iter(f"{{{XLIFF12}}}file"), root)  # the languages are each <file>'s
    return Exchange(next(iter(source_langs)) or "", next(iter(languages)) or "", tuple(items), first.sourceline or 1), problems


# PO: placeholders as visible tokens a translator can move: {1}…{/1} around text, {2/} alone.
_TOKEN = re.compile(r"\{(\d+)\}|\{/(\d+)\}|\{(\d+)/\}")


def _tokens(parts: tuple[Part, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Mark):
            out.append(f"{{{part.id}/}}")
        else:
            out.append(f"{{{part.id}}}{_tokens(part.content)}{{/{part.id}}}")
    return "".join(out)


def _untoken(text: str, problems: list[str]) -> tuple[Part, ...]:
    stack: list[tuple[str, list[Part]]] = [("", [])]
    at = 0
    for match in _TOKEN.finditer(text):
        if match.start() > at:
            stack[-1][1].append(text[at : match.start()])
        at = match.end()
        opening, closing, alone = match.groups()
        if alone:
            stack[-1][1].append(Mark(alone))
        elif opening:
            stack.append((opening, []))
        elif len(stack) > 1 and stack[-1][0] == closing:
            ident, content = stack.pop()
            stack[-1][1].append(Span(ident, tuple(content)))
        else:
            problems.append(Message("{{/{code}}} without its {{{code}}} before it", code=closing))
    if at < len(text):
        stack[-1][1].append(text[at:])
    while len(stack) > 1:
        ident, content = stack.pop()
        problems.append(Message("{{{code}}} without its {{/{code}}} after it", code=ident))
        stack[-1][1].extend(content)
    return tuple(stack[0][1])


def write_po(exchange: Exchange) -> bytes:
    store = pypo.pofile()
    # A fixed date (readers such as Babel 2.14 refuse an empty one): the same content exports to the same bytes.
    store.updateheader(
        add=True,
        Project_Id_Version="sitegen content",
        POT_Creation_Date="1970-01-01 00:00+0000",
        Language=exchange.target_lang,
        Content_Type="text/plain; charset=UTF-8",
        X_Generator="sitegen",
        X_Source_Language=exchange.source_lang,
    )
    for item in exchange.items:
        for unit in item.units:
            made = store.addsourceunit(_tokens(unit.source))
            made.setcontext(f"{item.source_path}#{unit.id}")
            made.addnote(
                f"{unit.note}\nsitegen: {item.target_path} from source version {item.source_version}; translation {item.translation_digest or 'none'}",
                origin="developer",
            )
            if unit.target is not None:
                made.target = _tokens(unit.target)
                made.markfuzzy(unit.state != "translated")
            if unit.previous is not None:  # '#| msgid': a PO editor (Poedit) shows the translator what changed
                made.prev_source = _tokens(unit.previous)
    return bytes(store)


_ITEM_NOTE = re.compile(r"sitegen: (\S+) from source version (\S+); translation (\S+)")


def read_po(data: bytes) -> tuple[Exchange | None, list[Problem]]:
    try:
        store = pypo.pofile.parsestring(data)
    except Exception as exc:  # the PO parser raises ValueError and others for broken files
        return None, [Problem(None, Message("expected a PO file, found one that cannot be read ({error})", error=str(exc)))]
    lines = _msgctxt_lines(data)
    problems: list[Problem] = []
    items: dict[str, ItemUnits] = {}
    header = store.parseheader()
    for made in store.units:
        if made.isheader():
            continue
        context = made.getcontext()
        path, _, ident = context.partition("#")
        line = lines.get(context)
        found: list[str] = []
        source = _untoken(made.source, found)
        target = _untoken(made.target, found) if made.target else None
        problems += [
            Problem(line, Message("unit {unit}: expected paired placeholders, found {problem}", unit=ident, problem=what)) for what in dict.fromkeys(found)
        ]
        state = "new" if target is None else "needs-review" if made.isfuzzy() else "translated"
        notes = made.getnotes("developer")
        meta = _ITEM_NOTE.search(" ".join(notes.split()))  # an editor may have wrapped the comment
        if path not in items:
            if meta is None:
                problems.append(
                    Problem(line, Message("unit {unit}: expected the export's 'sitegen:' comment, found none; export the file again", unit=context))
                )
                target_path, version, digest = "", "", ""
            else:
                target_path, version, digest = meta.groups()
            items[path] = ItemUnits(path, target_path, version, "" if digest == "none" else digest, (), line or 0)
        item = items[path]
        items[path] = ItemUnits(
            item.source_path,
            item.target_path,
            item.source_version,
            item.translation_digest,
            item.units + (Unit(ident, source, target, state, notes, line or 0),),
            item.line,
        )
    # Some editors rewrite the header and drop our field: the source paths name the language too.
    source_lang = str(header.get("X-Source-Language", "")) or next((path.split("/")[1] for path in items if path.count("/") > 1), "")
    said = next((n for n, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1) if line.startswith('"Language:')), 1)
    return Exchange(source_lang, str(header.get("Language", "")), tuple(items.values()), said), problems


def _msgctxt_lines(data: bytes) -> dict[str, int]:
    """Each unit's context -> its msgctxt line (the PO parser keeps no lines)."""
    found = {}
    for number, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        if line.startswith('msgctxt "'):
            found[line[len('msgctxt "') : -1].replace('\\"', '"').replace("\\\\", "\\")] = number
    return found
