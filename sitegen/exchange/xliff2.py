"""XLIFF 2.1 through translate-toolkit's Xliff2File: the store makes the file and its units; the
inline codes (<ph/>, <pc>; <sc/>…<ec/> on import), <originalData>, unit notes and xml:space are set
on its lxml tree, as the store has no API for them (and puts notes and xml:space inside <segment>,
where the XLIFF 2 schema allows neither)."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from translate.storage.xliff2 import Xliff2File

from ..errors import Message
from .items import Exchange, ItemUnits, Unit
from .segments import Codes, Mark, Part, Span

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"  # 2.0, 2.1 and 2.2 share it; the version attribute says which
VERSIONS = ("2.0", "2.1", "2.2")
SITEGEN = "urn:x-sitegen:exchange"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NEEDS_REVIEW = "sitegen:needs-review"
# Our states -> XLIFF 2's: a translation whose source changed is an unconfirmed target ("initial",
# as translate-toolkit marks fuzzy), so a CAT tool confirming it makes it "translated".
# A current translation goes out "reviewed", as translate-toolkit writes an approved unit (1.2's
# approved="yes"). A state XLIFF 2 does not define counts as "initial", its default.
STATES = {"new": "initial", "needs-review": "initial", "translated": "reviewed"}
DONE = ("translated", "reviewed", "final")


def _q(name: str) -> str:
    return f"{{{XLIFF2}}}{name}"


def unit_id(ident: str) -> str:
    """Our unit id as an XML NMTOKEN, which has no '#': body#2 -> body-2 (field names have no '-')."""
    return ident.replace("#", "-")


def our_id(ident: str) -> str:
    return ident.replace("-", "#")


def _kind(opening: str) -> dict[str, str]:
    """XLIFF 2's type (and subType for bold and italic) of a piece of Markdown markup."""
    if opening in ("**", "__"):
        return {"type": "fmt", "subType": "xlf:b"}
    if opening in ("*", "_"):
        return {"type": "fmt", "subType": "xlf:i"}
    if opening.startswith("!["):
        return {"type": "image"}
    if opening.startswith(("[^", "`")):
        return {"type": "other"}
    return {"type": "link"}  # [text](url) and <https://…>


# Characters XML 1.0 cannot hold (control characters, say): XLIFF 2 writes each as <cp hex="…"/>.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(node: Any, last: Any, text: str) -> Any:
    """Text appended after `last` (or at the start of `node`); the last element afterwards."""
    for k, piece in enumerate(_NOT_XML.split(text)):
        if k:
            last = etree.SubElement(node, _q("cp"), hex=f"{ord(_NOT_XML.findall(text)[k - 1]):04X}")
        if last is None:
            node.text = (node.text or "") + piece
        else:
            last.tail = (last.tail or "") + piece
    return last


def _fill(node: Any, parts: tuple[Part, ...], codes: Codes) -> None:
    """Text and inline codes appended to a <source>, <target> or <pc>."""
    last = None
    for part in parts:
        if isinstance(part, str):
            last = _text(node, last, part)
            continue
        opening, closing = codes[part.id]
        if isinstance(part, Mark):
            last = etree.SubElement(node, _q("ph"), id=part.id, dataRef=f"d{part.id}", disp=opening, canCopy="no", canDelete="no", **_kind(opening))
        else:
            last = etree.SubElement(
                node,
                _q("pc"),
                id=part.id,
                dataRefStart=f"d{part.id}",
                dataRefEnd=f"d{part.id}e",
                dispStart=opening,
                dispEnd=closing or "",
                canCopy="no",
                canDelete="no",
                **_kind(opening),
            )
            _fill(last, part.content, codes)


def _original_data(unit: Any, codes: Codes) -> None:
    if not codes:
        return
    data = etree.Element(_q("originalData"))
    for ident, (opening, closing) in codes.items():
        etree.SubElement(data, _q("data"), id=f"d{ident}").text = opening
        if closing is not None:
            etree.SubElement(data, _q("data"), id=f"d{ident}e").text = closing
    unit.insert(0, data)


def _notes(unit: Any, text: str) -> None:
    if text:
        notes = etree.Element(_q("notes"))
        etree.SubElement(notes, _q("note"), category="location", appliesTo="source").text = text
        unit.insert(0, notes)


def write_xliff2(exchange: Exchange) -> bytes:
    root = etree.Element(_q("xliff"), nsmap={None: XLIFF2, "sg": SITEGEN}, version="2.1", srcLang=exchange.source_lang, trgLang=exchange.target_lang)
    for n, item in enumerate(exchange.items, 1):
        # canResegment="no": a unit is one Markdown block or field, and comes back as one segment.
        etree.SubElement(root, _q("file"), id=f"f{n}", original=item.source_path, canResegment="no")
    store = Xliff2File.parsestring(etree.tostring(root))
    for n, item in enumerate(exchange.items, 1):
        node = store.getfilenode(f"f{n}")
        node.set(f"{{{SITEGEN}}}target", item.target_path)
        node.set(f"{{{SITEGEN}}}source-version", item.source_version)
        node.set(f"{{{SITEGEN}}}translation", item.translation_digest or "none")
        for unit in item.units:
            made = store.UnitClass("")
            store.addunit(made, new=False)
            node.append(made.getunitelement())
            made.setid(unit_id(unit.id))
            element = made.getunitelement()
            made.xmlelement.attrib.pop(XML_SPACE, None)  # not an attribute of <segment>: set on the unit, inherited
            element.set(XML_SPACE, "preserve")  # a paragraph's line breaks are the Markdown's
            _fill(made.get_source_dom(), unit.source, unit.codes)
            if unit.target is not None:
                target = made.createlanguageNode(exchange.target_lang, "", "target")
                made.set_target_dom(target)
                _fill(target, unit.target, unit.codes)
            made.xmlelement.set("state", STATES[unit.state])
            if unit.state == "needs-review":
                made.xmlelement.set("subState", NEEDS_REVIEW)
            _original_data(element, unit.codes)
            _notes(element, unit.note)
    if not exchange.items:
        root = store.document.getroot()
        root.remove(next(root.iterchildren(_q("file"))))
    return bytes(store)


class _Inline:
    """A <source> or <target> read back as text and placeholders, with what is wrong in words."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def parts(self, node: Any) -> tuple[Part, ...]:
        out: list[Part] = [node.text or ""]
        children = list(node)
        k = 0
        while k < len(children):
            child = children[k]
            k += 1
            if not isinstance(child.tag, str):  # a comment or processing instruction: not text
                out.append(child.tail or "")
                continue
            name = etree.QName(child).localname if etree.QName(child).namespace == XLIFF2 else None
            if name == "ph":
                out.append(Mark(child.get("id") or ""))
            elif name == "pc":
                out.append(Span(child.get("id") or "", self.parts(child)))
            elif name == "sc":
                end = next((j for j in range(k, len(children)) if self._ends(children[j], child.get("id"))), None)
                if end is None:
                    self.problems.append(Message("<sc id={id}/> without its <ec startRef={id}/> after it, in the same element", id=repr(child.get("id"))))
                    out.append(child.tail or "")
                    continue
                inner = etree.Element(_q("pc"))
                inner.text = child.tail
                inner.extend(children[k:end])  # moves them: the tree read is ours, parsed for this import
                out.append(Span(child.get("id") or "", self.parts(inner)))
                child = children[end]
                k = end + 1
            elif name == "ec":
                self.problems.append(Message("<ec startRef={id}/> without its <sc/> before it, in the same element", id=repr(child.get("startRef"))))
            elif name == "cp":
                out.append(self._code_point(child.get("hex") or ""))
            elif name == "mrk":  # an annotation (a comment, a term) around text: the text is what counts
                out += self.parts(child)
            elif name not in ("sm", "em"):  # annotation markers carry no text
                what = name or etree.QName(child).localname
                self.problems.append(
                    Message("an inline <{element}> element; only the <ph/> and <pc> codes of the export (or <sc/>…<ec/>, <cp/>) may be used", element=what)
                )
            out.append(child.tail or "")
        return _merge(out)

    def _code_point(self, hex_value: str) -> str:
        try:
            char = chr(int(hex_value, 16))
        except (ValueError, OverflowError):
            char = "\ud800"
        if "\ud800" <= char <= "\udfff":  # half of a UTF-16 pair: no character, and no text can hold one
            self.problems.append(Message("<cp hex={hex}/>, which is no character", hex=repr(hex_value)))
            return ""
        return char

    @staticmethod
    def _ends(node: Any, ident: str | None) -> bool:
        return isinstance(node.tag, str) and node.tag == _q("ec") and node.get("startRef") == ident


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def _file_of(unit: Any) -> Any:
    node = unit.getparent()
    while node is not None and node.tag != _q("file"):
        node = node.getparent()
    return node


def _unit_notes(unit: Any) -> str:
    return "\n".join(note.text or "" for note in unit.iterfind(f"{_q('notes')}/{_q('note')}"))


def read_xliff2(root: Any, data: bytes) -> tuple[Exchange | None, list[tuple[int | None, str]]]:
    """An XLIFF 2 file already parsed safely (`root`) read through the store; problems as (line, words)."""
    if root.get("version") not in VERSIONS:
        return None, [(root.sourceline, Message("expected XLIFF 2 (version 2.0, 2.1 or 2.2), found version {version}", version=repr(root.get("version"))))]
    store = Xliff2File.parsestring(data)  # its own tree, with a <file> of its own where there is none
    problems: list[tuple[int | None, str]] = []
    units_of: dict[str, list[Unit]] = {}
    for made in store.units:
        segment, element = made.xmlelement, made.getunitelement()
        ident = element.get("id") or ""
        if next(element.iterchildren(_q("segment"))) is not segment:
            continue  # the unit's first segment reported it
        parts = list(element.iterchildren(_q("segment"), _q("ignorable")))
        if len(parts) > 1:
            problems.append(
                (
                    element.sourceline,
                    Message("unit {unit}: expected one <segment>, found {count} parts; join them in the CAT tool", unit=our_id(ident), count=len(parts)),
                )
            )
        reader = _Inline()
        source = reader.parts(made.get_source_dom()) if made.get_source_dom() is not None else ()
        target_node = made.get_target_dom()
        target = reader.parts(target_node) if target_node is not None else None
        line = target_node.sourceline if target_node is not None else segment.sourceline
        if target == ():
            target = None
        state = segment.get("state", "initial")
        ours = "new" if target is None else "translated" if state in DONE else "needs-review"
        problems += [
            (line, Message("unit {unit}: expected plain text and placeholders, found {problem}", unit=our_id(ident), problem=what)) for what in reader.problems
        ]
        units_of.setdefault(_file_of(element).get("id") or "", []).append(Unit(our_id(ident), source, target, ours, _unit_notes(element), line))
    items = []
    seen: set[str] = set()
    for file in root.iterchildren(_q("file")):
        if file.get("id") in seen:
            problems.append((file.sourceline, Message("expected each <file> id once, found {id} again; export the file again", id=repr(file.get("id")))))
        seen.add(file.get("id") or "")
        digest = file.get(f"{{{SITEGEN}}}translation")
        items.append(
            ItemUnits(
                file.get("original") or "",
                file.get(f"{{{SITEGEN}}}target") or "",
                file.get(f"{{{SITEGEN}}}source-version") or "",
                "" if digest in (None, "none") else digest or "",
                tuple(units_of.pop(file.get("id") or "", [])),
                file.sourceline or 0,
            )
        )
    return Exchange(root.get("srcLang") or "", root.get("trgLang") or "", tuple(items), root.sourceline or 1), problems
