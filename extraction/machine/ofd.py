"""OFD e-invoices (GB/T 33190): the package opened safely and parsed into pages.

An OFD is a zip of XML files: ``OFD.xml`` (DocInfo, with the issuer's CustomData, and
the DocRoot), ``Doc_N/Document.xml`` (pages, templates, resources, tags, annotations),
each page's ``Content.xml`` (text, image and path objects with their ``Boundary`` in
millimetres), ``Doc_N/Tags/CustomTag.xml`` (semantic tags pointing at text-object ids)
and, from some issuers, an invoice XML under ``Doc_N/Attachs/``.

``parse_ofd`` opens it (``archive.open_archive`` guards the zip; every XML member goes
through ``safexml``) into an ``OfdPackage``: CustomData, pages with their drawable
objects in drawing order, tags and embedded invoice XMLs. ``ofd_fields`` reads the
invoice from it, ``ofd_render`` draws its pages.
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from extraction.machine.archive import MIB, ArchiveLimits, open_archive, zip_member_names
from extraction.machine.einvoice_xml import (
    is_einvoice_root,
)
from extraction.machine.safexml import child, children, descendants, local_name, parse_xml, text_of

ROOT_FILE = "OFD.xml"
# OFD packages are small (a 数电票 is ~50 KB); embedded fonts make the largest ones.
OFD_LIMITS = ArchiveLimits(max_members=2000, max_member_bytes=32 * MIB, max_total_bytes=64 * MIB)
DEFAULT_PAGE_MM = (210.0, 297.0)


# --- the package ------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, origin top-left (OFD's ``Boundary``)."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextCode:
    x: float  # first glyph's origin, page mm
    y: float  # baseline, page mm
    text: str
    # Advance before each following glyph (mm), as written in DeltaX; may be shorter.
    advances: tuple[float, ...] = ()


@dataclass(frozen=True)
class TextObject:
    id: str
    boundary: Box
    size: float  # font size, mm
    codes: tuple[TextCode, ...]
    color: tuple[int, int, int] = (0, 0, 0)
    upright: bool = True  # False when its CTM rotates or shears the text
    font: str = ""

    @property
    def text(self) -> str:
        return "".join(code.text for code in self.codes)


@dataclass(frozen=True)
class ImageObject:
    id: str
    boundary: Box
    resource: str  # member path of the image file ("" when unresolved)


@dataclass(frozen=True)
class PathObject:
    id: str
    boundary: Box
    # Polylines in page mm (curves flattened); each is drawn, and filled when ``fill``.
    polylines: tuple[tuple[tuple[float, float], ...], ...]
    line_width: float = 0.353
    stroke: tuple[int, int, int] | None = (0, 0, 0)
    fill: tuple[int, int, int] | None = None


DrawObject = TextObject | ImageObject | PathObject


@dataclass
class OfdPage:
    index: int
    page_id: str
    width: float
    height: float
    # In drawing order: background template, page content, foreground template, annotations.
    objects: list[DrawObject] = field(default_factory=list)
    # The page's own text objects by id (what tags point at), template ones as fallback.
    text_by_id: dict[str, TextObject] = field(default_factory=dict)

    def texts(self) -> Iterator[TextObject]:
        return (o for o in self.objects if isinstance(o, TextObject))


@dataclass
class OfdPackage:
    members: dict[str, bytes]
    custom_data: dict[str, str]
    pages: list[OfdPage]
    # Tag name -> occurrences; each occurrence lists (page id or "", text-object id).
    tags: dict[str, list[list[tuple[str, str]]]]
    # Embedded invoice XML files: (member name, parsed root), EInvoice roots only.
    attachments: list[tuple[str, Element]]

    def page_by_id(self, page_id: str) -> OfdPage | None:
        return next((p for p in self.pages if p.page_id == page_id), None)


def is_ofd(data: bytes) -> bool:
    """A zip whose root holds ``OFD.xml`` (by structure, whatever the file is called)."""
    names = zip_member_names(data)
    return names is not None and any(n.lstrip("/").upper() == ROOT_FILE.upper() for n in names)


def parse_ofd(
    data: bytes, *, limits: ArchiveLimits = OFD_LIMITS, max_pages: int = 50
) -> OfdPackage:
    """Open an OFD package; ``ValueError`` (``ArchiveRefused`` for the zip guard) with a
    clear reason when it is unsafe or not an OFD invoice we can read."""
    members = open_archive(data, limits=limits, what="the OFD package")
    reader = _Reader(members)
    root = reader.xml(ROOT_FILE)
    if local_name(root) != "OFD":
        raise ValueError(f"{ROOT_FILE} has root <{local_name(root)}>, expected <OFD>")
    body = next(descendants(root, "DocBody"), None)
    if body is None:
        raise ValueError(f"{ROOT_FILE} has no DocBody")
    custom: dict[str, str] = {}
    for item in descendants(body, "CustomData"):
        name, value = (item.get("Name") or "").strip(), text_of(item)
        if name and value and name not in custom:
            custom[name] = value
    doc_root = text_of(child(body, "DocRoot"))
    if doc_root is None:
        raise ValueError(f"{ROOT_FILE} names no DocRoot (Document.xml)")
    document_path = reader.resolve("", doc_root)
    pages, tags = reader.document(document_path, max_pages=max_pages)
    doc_dir = posixpath.dirname(document_path)
    attachments = [
        (name, element)
        for name in members
        if _is_attachment_xml(name, doc_dir)
        and (element := reader.xml(name)) is not None
        and is_einvoice_root(element)
    ]
    return OfdPackage(members, custom, pages, tags, attachments)


def _is_attachment_xml(name: str, doc_dir: str) -> bool:
    lowered = name.lower()
    return (
        lowered.startswith(f"{doc_dir.lower()}/attachs/")
        and lowered.endswith(".xml")
        and posixpath.basename(lowered) != "attachments.xml"
    )


class _Reader:
    """Resolves OFD locations against the package and parses what they point at."""

    def __init__(self, members: dict[str, bytes]) -> None:
        self.members = members
        self._folded = {name.lower(): name for name in members}
        self._xml: dict[str, Element] = {}
        self.draw_params: dict[str, Element] = {}
        self.media: dict[str, str] = {}

    def resolve(self, base_dir: str, location: str) -> str:
        """A member name for ``location`` written in a file under ``base_dir``."""
        location = location.strip().replace("\\", "/")
        joined = (
            location.lstrip("/") if location.startswith("/") else posixpath.join(base_dir, location)
        )
        normal = posixpath.normpath(joined)
        if normal.startswith("../") or normal == "..":
            raise ValueError(f"OFD location {location!r} leaves the package")
        return normal

    def member(self, name: str) -> str | None:
        if name in self.members:
            return name
        return self._folded.get(name.lower())

    def xml(self, name: str) -> Element:
        found = self.member(name)
        if found is None:
            raise ValueError(f"the OFD package has no {name}")
        if found not in self._xml:
            self._xml[found] = parse_xml(self.members[found], what=f"OFD member {found}")
        return self._xml[found]

    def optional_xml(self, name: str) -> Element | None:
        return self.xml(name) if self.member(name) is not None else None

    # -- Document.xml ----------------------------------------------------------------

    def document(
        self, path: str, *, max_pages: int
    ) -> tuple[list[OfdPage], dict[str, list[list[tuple[str, str]]]]]:
        doc = self.xml(path)
        base = posixpath.dirname(path)
        common = child(doc, "CommonData")
        default_box = _physical_box(common) or DEFAULT_PAGE_MM
        templates: dict[str, str] = {}
        if common is not None:
            for res_kind in ("PublicRes", "DocumentRes"):
                for res in children(common, res_kind):
                    if (loc := text_of(res)) is not None:
                        self._resources(self.resolve(base, loc))
            for template in children(common, "TemplatePage"):
                if (loc := template.get("BaseLoc")) and (tid := template.get("ID")):
                    templates[tid] = self.resolve(base, loc)
        page_refs = [
            (page.get("ID") or "", self.resolve(base, page.get("BaseLoc") or ""))
            for pages in children(doc, "Pages")
            for page in children(pages, "Page")
        ]
        if not page_refs:
            raise ValueError("the OFD document has no pages")
        if len(page_refs) > max_pages:
            raise ValueError(f"the OFD document has {len(page_refs)} pages; at most {max_pages}")
        annotations = self._annotations(doc, base)
        pages = [
            self._page(index, page_id, loc, templates, default_box, annotations.get(page_id, []))
            for index, (page_id, loc) in enumerate(page_refs)
        ]
        tags: dict[str, list[list[tuple[str, str]]]] = {}
        for holder in children(doc, "CustomTags"):
            if (loc := text_of(holder)) is not None:
                self._tags(self.resolve(base, loc), tags)
        return pages, tags

    def _resources(self, path: str) -> None:
        res = self.optional_xml(path)
        if res is None:
            return
        base = posixpath.dirname(path)
        if res.get("BaseLoc"):
            base = self.resolve(base, res.get("BaseLoc") or "")
        for param in descendants(res, "DrawParam"):
            if param.get("ID"):
                self.draw_params[param.get("ID") or ""] = param
        for media in descendants(res, "MultiMedia"):
            file = text_of(child(media, "MediaFile"))
            if media.get("ID") and file:
                self.media[media.get("ID") or ""] = self.resolve(base, file)

    def _annotations(self, doc: Element, base: str) -> dict[str, list[Element]]:
        out: dict[str, list[Element]] = {}
        for holder in children(doc, "Annotations"):
            loc = text_of(holder)
            index = self.optional_xml(self.resolve(base, loc)) if loc else None
            if index is None or loc is None:
                continue
            index_dir = posixpath.dirname(self.resolve(base, loc))
            for page in children(index, "Page"):
                file = text_of(child(page, "FileLoc"))
                annots = self.optional_xml(self.resolve(index_dir, file)) if file else None
                if annots is not None:
                    out.setdefault(page.get("PageID") or "", []).extend(
                        descendants(annots, "Appearance")
                    )
        return out

    def _tags(self, path: str, tags: dict[str, list[list[tuple[str, str]]]]) -> None:
        index = self.optional_xml(path)
        if index is None:
            return
        for tag in descendants(index, "CustomTag"):
            file = text_of(child(tag, "FileLoc"))
            root = self.optional_xml(self.resolve(posixpath.dirname(path), file)) if file else None
            if root is not None:
                _collect_tags(root, "", tags)

    # -- pages -----------------------------------------------------------------------

    def _page(
        self,
        index: int,
        page_id: str,
        path: str,
        templates: dict[str, str],
        default_box: tuple[float, float],
        appearances: list[Element],
    ) -> OfdPage:
        page_xml = self.xml(path)
        back: list[Element] = []
        front: list[Element] = []
        template_box: tuple[float, float] | None = None
        for template in children(page_xml, "Template"):
            loc = templates.get(template.get("TemplateID") or "")
            if loc is None:
                continue
            tpl = self.xml(loc)
            template_box = template_box or _physical_box(tpl)
            target = front if template.get("ZOrder") == "Foreground" else back
            target.append(tpl)
        width, height = _physical_box(page_xml) or template_box or default_box
        page = OfdPage(index=index, page_id=page_id, width=width, height=height)
        for source in back:
            page.objects.extend(self._content(source))
        own = self._content(page_xml)
        page.objects.extend(own)
        for source in front:
            page.objects.extend(self._content(source))
        for appearance in appearances:
            origin = _box(appearance.get("Boundary"))
            page.objects.extend(self._objects(appearance, None, origin))
        for obj in page.objects:
            if isinstance(obj, TextObject):
                page.text_by_id.setdefault(obj.id, obj)
        for obj in own:  # tags point at the page's own objects when ids collide
            if isinstance(obj, TextObject):
                page.text_by_id[obj.id] = obj
        return page

    def _content(self, page_xml: Element) -> list[DrawObject]:
        out: list[DrawObject] = []
        for content in children(page_xml, "Content"):
            for layer in children(content, "Layer"):
                out.extend(self._objects(layer, layer.get("DrawParam"), None))
        return out

    def _objects(
        self, container: Element, draw_param: str | None, origin: Box | None
    ) -> Iterator[DrawObject]:
        for node in container:
            kind = local_name(node)
            if kind == "PageBlock":
                yield from self._objects(node, node.get("DrawParam") or draw_param, origin)
                continue
            boundary = _box(node.get("Boundary"))
            if boundary is None:
                continue
            if origin is not None:
                boundary = Box(origin.x + boundary.x, origin.y + boundary.y, boundary.w, boundary.h)
            param = node.get("DrawParam") or draw_param
            if kind == "TextObject":
                yield self._text(node, boundary, param)
            elif kind == "ImageObject":
                resource = self.media.get(node.get("ResourceID") or "", "")
                yield ImageObject(node.get("ID") or "", boundary, resource)
            elif kind == "PathObject":
                path = self._path(node, boundary, param)
                if path is not None:
                    yield path

    def _text(self, node: Element, boundary: Box, param: str | None) -> TextObject:
        ctm = _ctm(node.get("CTM"))
        a, b, c, d, e, f = ctm
        codes: list[TextCode] = []
        last_x = last_y = 0.0
        for code in children(node, "TextCode"):
            x = _float(code.get("X"), last_x)
            y = _float(code.get("Y"), last_y)
            last_x, last_y = x, y
            advances = tuple(a * step for step in _deltas(code.get("DeltaX")))
            codes.append(
                TextCode(
                    x=boundary.x + a * x + c * y + e,
                    y=boundary.y + b * x + d * y + f,
                    text=code.text or "",
                    advances=advances,
                )
            )
        color = _color(child(node, "FillColor")) or self._param_color(param, "FillColor")
        return TextObject(
            id=node.get("ID") or "",
            boundary=boundary,
            size=_float(node.get("Size"), 3.5) * abs(d or 1.0),
            codes=tuple(codes),
            color=color or (0, 0, 0),
            upright=abs(b) < 1e-6 and abs(c) < 1e-6,
            font=node.get("Font") or "",
        )

    def _path(self, node: Element, boundary: Box, param: str | None) -> PathObject | None:
        data = text_of(child(node, "AbbreviatedData"))
        if not data:
            return None
        a, b, c, d, e, f = _ctm(node.get("CTM"))
        polylines = tuple(
            tuple((boundary.x + a * x + c * y + e, boundary.y + b * x + d * y + f) for x, y in line)
            for line in _flatten_path(data)
        )
        stroke_on = (node.get("Stroke") or "true").lower() != "false"
        fill_on = (node.get("Fill") or "false").lower() == "true"
        stroke = _color(child(node, "StrokeColor")) or self._param_color(param, "StrokeColor")
        fill = _color(child(node, "FillColor")) or self._param_color(param, "FillColor")
        width = node.get("LineWidth") or self._param_attr(param, "LineWidth")
        return PathObject(
            id=node.get("ID") or "",
            boundary=boundary,
            polylines=polylines,
            line_width=_float(width, 0.353),
            stroke=(stroke or (0, 0, 0)) if stroke_on else None,
            # GB/T 33190: the fill colour defaults to transparent, the stroke to black.
            fill=fill if fill_on else None,
        )

    def _param_color(self, param: str | None, kind: str) -> tuple[int, int, int] | None:
        for node in self._param_chain(param):
            color = _color(child(node, kind))
            if color is not None:
                return color
        return None

    def _param_attr(self, param: str | None, name: str) -> str | None:
        return next((n.get(name) for n in self._param_chain(param) if n.get(name)), None)

    def _param_chain(self, param: str | None) -> Iterator[Element]:
        seen: set[str] = set()
        while param and param not in seen and param in self.draw_params:
            seen.add(param)
            node = self.draw_params[param]
            yield node
            param = node.get("Relative")


def _collect_tags(node: Element, parent: str, tags: dict[str, list[list[tuple[str, str]]]]) -> None:
    name = local_name(node)
    refs = [
        (ref.get("PageRef") or "", (ref.text or "").strip()) for ref in children(node, "ObjectRef")
    ]
    refs = [(page, ref) for page, ref in refs if ref]
    if refs:
        # Generic names are qualified by their parent (Buyer/Name -> BuyerName).
        for key in dict.fromkeys((name, parent + name) if parent else (name,)):
            tags.setdefault(key, []).append(refs)
    for sub in node:
        if local_name(sub) != "ObjectRef":
            _collect_tags(sub, name, tags)


# --- geometry and attribute helpers ------------------------------------------------------


def _float(text: str | None, default: float) -> float:
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        return default


def _numbers(text: str | None) -> list[float]:
    out: list[float] = []
    for token in (text or "").split():
        try:
            out.append(float(token))
        except ValueError:
            return []
    return out


def _box(text: str | None) -> Box | None:
    values = _numbers(text)
    return Box(*values[:4]) if len(values) >= 4 else None


def _physical_box(node: Element | None) -> tuple[float, float] | None:
    """Width and height (mm) of the first PhysicalBox below ``node``."""
    if node is None:
        return None
    box = _box(text_of(next(descendants(node, "PhysicalBox"), None)))
    if box is None or box.w <= 0 or box.h <= 0:
        return None
    return box.w, box.h


def _ctm(text: str | None) -> tuple[float, float, float, float, float, float]:
    values = _numbers(text)
    if len(values) != 6:
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (values[0], values[1], values[2], values[3], values[4], values[5])


def _deltas(text: str | None) -> list[float]:
    """OFD's DeltaX/DeltaY: numbers, where ``g N v`` stands for ``v`` repeated N times."""
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            count, value = int(_float(tokens[i + 1], 0)), _float(tokens[i + 2], 0.0)
            out.extend([value] * max(0, min(count, 10_000)))
            i += 3
        else:
            out.append(_float(tokens[i], 0.0))
            i += 1
    return out


def _color(node: Element | None) -> tuple[int, int, int] | None:
    if node is None:
        return None
    values = [int(v) for v in _numbers(node.get("Value"))]
    if len(values) == 3:
        return (values[0], values[1], values[2])
    if len(values) == 1:
        return (values[0], values[0], values[0])
    if len(values) == 4:  # CMYK
        c, m, y, k = (v / 255 for v in values)
        r, g, b = (round(255 * (1 - min(1.0, v * (1 - k) + k))) for v in (c, m, y))
        return (r, g, b)
    return None


def _flatten_path(data: str) -> list[list[tuple[float, float]]]:
    """AbbreviatedData (M/S move, L line, B cubic, Q quadratic, A arc, C close) as
    polylines; curves are approximated by 12 segments, arcs by a straight line."""
    tokens = data.split()
    lines: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    point = (0.0, 0.0)
    arity = {"M": 2, "S": 2, "L": 2, "B": 6, "Q": 4, "A": 7, "C": 0}
    i = 0
    while i < len(tokens):
        op = tokens[i]
        count = arity.get(op)
        if count is None or i + count >= len(tokens):
            i += 1
            continue
        args = [_float(t, 0.0) for t in tokens[i + 1 : i + 1 + count]]
        i += 1 + count
        if op in ("M", "S"):
            if len(current) > 1:
                lines.append(current)
            point = (args[0], args[1])
            current = [point]
        elif op == "L":
            point = (args[0], args[1])
            current.append(point)
        elif op == "A":
            point = (args[5], args[6])
            current.append(point)
        elif op in ("B", "Q"):
            controls = [point, *zip(args[::2], args[1::2], strict=True)]
            current.extend(_bezier(controls, steps=12))
            point = controls[-1]
        elif op == "C" and current:
            current.append(current[0])
    if len(current) > 1:
        lines.append(current)
    return lines


def _bezier(points: Sequence[tuple[float, float]], *, steps: int) -> list[tuple[float, float]]:
    out = []
    for step in range(1, steps + 1):
        t = step / steps
        level = list(points)
        while len(level) > 1:
            level = [
                (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)
                for p, q in itertools.pairwise(level)
            ]
        out.append(level[0])
    return out
