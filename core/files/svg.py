"""SVG drawings: find and remove what names their author or their computer.

mat2 0.13 refuses SVGs that carry metadata (it renders them through librsvg and gives up
when metadata remains), so Integra cleans SVG itself: the <metadata> block (RDF: creator,
rights), comments, and every element or attribute outside the SVG and XLink namespaces
(Inkscape's and Sodipodi's export paths and window state, Illustrator's data) are dropped;
the drawing itself is kept. DTDs with an internal subset are refused (entity expansion).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET  # noqa: S405 - parses only after _safe_xml's checks

from core.files import inspection
from core.files import metadata
from core.files import office_metadata
from core.files.inspection import Finding

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_KEEP = {SVG_NS, XLINK_NS, ""}
_PUBLIC_DOCTYPE = re.compile(rb"<!DOCTYPE\s+svg\s+PUBLIC\s+\"[^\"\[]*\"\s+\"[^\"\[]*\"\s*>", re.I)
_COMMENT = re.compile(rb"<!--(.*?)-->", re.S)
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


def _ns(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _parse(data: bytes) -> ET.Element | None:
    return office_metadata._safe_xml(_PUBLIC_DOCTYPE.sub(b"", data, count=1))


def findings(data: bytes) -> list[Finding]:
    found = [Finding("comment", inspection._short(c)) for c in _COMMENT.findall(data) if c.strip()]
    root = _parse(data)
    if root is None:
        return [*found, Finding("text", "?")]
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1]
        if _ns(el.tag) not in _KEEP:
            text = (el.text or "").strip()
            if text:
                found.append(
                    Finding("author" if "creator" in local else "text", inspection._short(text))
                )
        for attr, value in el.attrib.items():
            if _ns(attr) not in _KEEP and value.strip():
                found.append(Finding("text", inspection._short(value)))
    return list(dict.fromkeys(found))


def _strip(el: ET.Element) -> None:
    for child in list(el):
        local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if _ns(child.tag) not in _KEEP or local == "metadata":
            el.remove(child)
        else:
            _strip(child)
    for attr in [a for a in el.attrib if _ns(a) not in _KEEP]:
        del el.attrib[attr]


def clean(data: bytes) -> bytes:
    """The drawing without metadata; raises metadata.CleaningFailed if it cannot be read."""
    root = _parse(data)
    if root is None or root.tag != f"{{{SVG_NS}}}svg":
        raise metadata.CleaningFailed("svg")
    _strip(root)
    body = bytes(ET.tostring(root, encoding="utf-8", xml_declaration=False))
    out = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
    if findings(out):
        raise metadata.CleaningFailed("svg")
    return out
