"""Untrusted XML, parsed safely: every XML we read from an upload goes through here.

``defusedxml`` with DTDs, entity declarations and external references forbidden: an
entity-expansion bomb (billion laughs) or an external entity (XXE, reading local files
or URLs) is refused with a ``ValueError`` before anything expands. Namespaces are kept
in the tags; the helpers below match on local names, because issuers differ in the
namespaces (or none) they put on the same elements.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

# Encodings expat decodes itself; anything else (GBK, GB18030) is decoded by Python first.
_EXPAT_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii"})
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")


def parse_xml(data: bytes, *, what: str = "the XML") -> Element:
    """The root element of ``data``; ``ValueError`` naming ``what`` when it is refused."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data[:1].isspace():
        # Some generators put a newline before the declaration, which XML forbids.
        data = data.lstrip()
    source: Any = data
    declared = _DECLARATION.match(data)
    if declared is not None:
        encoding = declared.group(1).decode("ascii").lower()
        if encoding not in _EXPAT_ENCODINGS:
            try:
                source = data[declared.end() :].decode(encoding)
            except (LookupError, UnicodeDecodeError) as exc:
                raise ValueError(f"{what} cannot be decoded as {encoding}: {exc}") from exc
    try:
        root: Element = DefusedET.fromstring(
            source, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DTDForbidden, EntitiesForbidden) as exc:
        raise ValueError(
            f"{what} is refused: it declares a DTD or entities ({type(exc).__name__}), "
            "which can expand into gigabytes or read local files"
        ) from exc
    except DefusedXmlException as exc:  # external references and the rest
        raise ValueError(
            f"{what} is refused: it refers to external resources ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise ValueError(f"{what} is not well-formed XML: {exc}") from exc
    return root


def local_name(element: Element) -> str:
    """The tag without its namespace: ``{http://www.ofdspec.org/2016}Page`` -> ``Page``."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    """Direct children called ``name`` (any namespace)."""
    return (child for child in element if local_name(child) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def descendants(element: Element, name: str) -> Iterator[Element]:
    """Every element below ``element`` (itself excluded) called ``name``, in document order."""
    return (node for node in element.iter() if node is not element and local_name(node) == name)


def find(element: Element, path: str) -> Element | None:
    """The first element along ``path`` (``"A/B/C"``, local names) below ``element``."""
    current: Element | None = element
    for step in path.split("/"):
        if current is None:
            return None
        current = child(current, step)
    return current


def text_of(element: Element | None) -> str | None:
    """The element's stripped text; ``None`` when absent or empty."""
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None
