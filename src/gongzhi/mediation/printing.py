"""The 人民调解协议书 laid out on A4 by reportlab, in Noto Serif CJK SC embedded as subsets.

Why not HTML: WeasyPrint took about 140 ms a document (layout passes for "page x of y",
the subsetting of a 65,000-glyph face) and 40 ms for a one-line page, short of issue 16's
20 a second on one core; reportlab lays this document out in about 10 ms. reportlab embeds
only TrueType outlines and Debian's Noto CJK (fonts-noto-cjk) has CFF ones, so the face is
cut once to GB2312's characters (with ASCII and the punctuation blocks), converted to
TrueType by fontTools and cached under VAR_DIR/fonts, keyed by the system file's size and
mtime. A character outside that cut (a rare name) is cut from the system face for the text
that holds it, so nothing prints as a blank box.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import logging
import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable
from fontTools.ttLib import TTFont as Face
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

FAMILY = "Noto Serif CJK SC"
FACE = "NotoSerifCJKsc"  # reportlab's name for the cached cut
# Where fonts-noto-cjk (Debian) and the upstream release put the face.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_FILES = ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf")
CACHE_VERSION = 1  # bump when the cut below changes


class FontMissing(RuntimeError):
    pass


# -- the font -------------------------------------------------------------------------


@functools.cache
def system_face() -> tuple[Path, int]:
    """The Noto Serif CJK SC file and its index in the collection."""
    for folder in FONT_DIRS:
        for name in FONT_FILES:
            for path in sorted(Path(folder).expanduser().rglob(name)):
                fonts = (
                    TTCollection(path, lazy=True).fonts
                    if path.suffix == ".ttc"
                    else [Face(path, lazy=True)]
                )
                for index, font in enumerate(fonts):
                    if font["name"].getDebugName(1) == FAMILY:
                        return path, index
    raise FontMissing(f"{FAMILY} is not installed (Debian: apt-get install fonts-noto-cjk)")


def base_characters() -> set[int]:
    """What the cached cut covers: GB2312 (its 6,763 hanzi and its symbols), ASCII,
    Latin-1, and the punctuation, number-form and full-width blocks."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for lo, hi in ((0x2000, 0x2070), (0x2150, 0x2190), (0x2460, 0x2500), (0x3000, 0x3040)):
        chars |= set(range(lo, hi))
    chars |= set(range(0xFF00, 0xFFF0))
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


@contextlib.contextmanager
def _quiet():
    """fontTools' subsetter reports every step at INFO."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _cut(path: Path, index: int, chars):
    """The system face cut to ``chars``, with TrueType outlines (what reportlab reads)."""
    font = Face(path, fontNumber=index, lazy=True)
    options = subset.Options()
    options.layout_features = []  # reportlab shapes nothing: no GSUB/GPOS closure to pay
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    with _quiet():
        subsetter.subset(font)
    # CFF to glyf: the cubic curves approximated by quadratic ones within 1/1000 em.
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    del font["CFF "]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs "
        "maxStackElements maxSizeOfInstructions maxComponentElements maxComponentDepth"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font.sfntVersion = "\0\1\0\0"
    return font


def cached_cut() -> Path:
    """The cut of the system face to base_characters(), made once (about 25 s) and kept
    until the system file changes."""
    path, index = system_face()
    stat = path.stat()
    folder = Path(settings.VAR_DIR) / "fonts"
    prefix = f"{FACE}-{index}-"
    target = folder / f"{prefix}{stat.st_size}-{stat.st_mtime_ns}-v{CACHE_VERSION}.ttf"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    font = _cut(path, index, base_characters())
    # Written aside then renamed: a worker making it at the same time never reads half.
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would shut out a server of another user
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in folder.glob(f"{prefix}*.ttf"):  # the cuts of a replaced system font
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


@functools.cache
def base_font():
    """The cached cut, registered with reportlab once per process."""
    font = TTFont(FACE, str(cached_cut()))
    pdfmetrics.registerFont(font)
    return font


@functools.lru_cache(maxsize=256)
def extra_font(chars: frozenset[int]) -> str | None:
    """A face for characters outside the cut (cut from the system face, about 0.5 s),
    registered under a name of its own; None if the system face lacks them too."""
    path, index = system_face()
    chars = frozenset(chars & set(Face(path, fontNumber=index, lazy=True).getBestCmap()))
    if not chars:
        return None
    name = f"{FACE}-{hashlib.sha1(repr(sorted(chars)).encode()).hexdigest()[:10]}"
    font = _cut(path, index, chars)
    # reportlab takes a second face of the same PostScript name for the first one.
    for record in font["name"].names:
        if record.nameID == 6:
            record.string = name
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "extra.ttf"
        font.save(file)
        pdfmetrics.registerFont(TTFont(name, str(file)))  # read whole: the file may go
    return name


def markup(text: str) -> str:
    """``text`` escaped for a reportlab Paragraph, the characters the cut lacks in a face
    that has them."""
    covered = base_font().face.charToGlyph
    out = []
    for missing, run in itertools.groupby(
        str(text), key=lambda c: not c.isspace() and ord(c) not in covered
    ):
        run = "".join(run)
        name = extra_font(frozenset(map(ord, run))) if missing else None
        out.append(f'<font name="{name}">{escape(run)}</font>' if name else escape(run))
    return "".join(out)


# -- the document -----------------------------------------------------------------------

BODY_PT, LEADING = 11.5, 20  # line height 1.75: room to read and to annotate by hand
LEFT, RIGHT, TOP, BOTTOM = 26 * mm, 22 * mm, 22 * mm, 24 * mm  # the wider edge is bound
TEXT_WIDTH = A4[0] - LEFT - RIGHT


@functools.cache
def styles() -> dict:
    body = ParagraphStyle(
        "body",
        fontName=base_font().fontName,
        fontSize=BODY_PT,
        leading=LEADING,
        wordWrap="CJK",  # breaks between any two hanzi, not before closing punctuation
        alignment=TA_JUSTIFY,
        spaceAfter=1.5 * mm,
    )
    cell = ParagraphStyle("cell", body, fontSize=10, leading=15, spaceAfter=0, alignment=TA_LEFT)
    return {
        "body": body,
        "indent": ParagraphStyle("indent", body, firstLineIndent=2 * BODY_PT),
        "committee": ParagraphStyle("committee", body, fontSize=13, alignment=TA_CENTER),
        "number": ParagraphStyle("number", body, alignment=TA_RIGHT, spaceAfter=4 * mm),
        "h2": ParagraphStyle(
            "h2", body, fontSize=13, leading=20, spaceBefore=5 * mm, spaceAfter=1.5 * mm
        ),
        "cell": cell,
        "center": ParagraphStyle("center", cell, alignment=TA_CENTER),
        "seal": ParagraphStyle("seal", body, alignment=TA_CENTER, spaceAfter=0),
        "sign": ParagraphStyle("sign", body, spaceAfter=0, alignment=TA_LEFT),
    }


def agreement_pdf(c: dict) -> bytes:
    """The document for agreement_context() ``c``, as PDF bytes."""
    s = styles()

    def p(text, style="body"):
        return Paragraph(markup(text), s[style])

    story = [p(c["committee"], "committee"), Title(c["title"]), p(f"编号：{c['number']}", "number")]
    if c["oral"]:
        story.append(
            p(
                "当事人未要求制作调解协议书，经人民调解委员会调解，各方当事人以口头方式达成调解"
                "协议。依照《中华人民共和国人民调解法》第二十八条，人民调解员记录协议内容如下。",
                "indent",
            )
        )
        rows = (("纠纷编号", c["dispute_number"]), ("协议形式", "口头调解协议"))
        rows += (("达成日期", c["date"]),)
        story.append(grid([[p(k, "cell"), p(v, "cell")] for k, v in rows], [30 * mm, None]))

    story.append(p("一、当事人", "h2"))
    for party in c["parties"]:
        org = party["is_organisation"]
        story += [
            p(f"{party['role']}：{party['name']}{'（单位）' if org else ''}"),
            p(f"{party['id_label']}：{party['id_number'] or '——'}"),
            p(f"{'住所地' if org else '住址'}：{party['address'] or '——'}"),
        ]

    story.append(p("二、纠纷主要事实、争议事项", "h2"))
    for block in re.split(r"\n\s*\n", (c["matters"] or "").strip()):
        story.append(Paragraph("<br/>".join(map(markup, block.splitlines())), s["indent"]))

    story.append(p("三、经调解，各方当事人自愿达成如下协议", "h2"))
    story += [p(f"{o['n']}. {o['party']}：{o['what']}", "indent") for o in c["obligations"]]

    story.append(p("四、履行方式、时限", "h2"))
    head = [p(h, "center") for h in ("项", "义务人", "履行事项", "履行方式", "履行期限")]
    rows = [
        [p(o["n"], "center"), p(o["party"], "cell"), p(o["what"], "cell")]
        + [p(o["how"] or "——", "cell"), p(f"{o['due']}前", "cell")]
        for o in c["obligations"]
    ]
    story.append(grid([head, *rows], [9 * mm, 30 * mm, None, 26 * mm, 34 * mm], header=True))

    law = (
        "依照《中华人民共和国人民调解法》第三十一条，经人民调解委员会调解达成的调解协议，具有"
        "法律约束力，当事人应当按照约定履行。人民调解委员会对调解协议的履行情况进行监督，督促"
        "当事人履行约定的义务。",
    )
    if c["oral"]:
        law += (
            "依照《中华人民共和国人民调解法》第三十条，口头调解协议自各方当事人达成协议之日起"
            "生效。当事人需要申请司法确认的，应当另行制作书面调解协议书。",
        )
    else:
        law += (
            "依照《中华人民共和国人民调解法》第三十三条，双方当事人认为有必要的，可以自调解协议"
            "生效之日起三十日内共同向人民法院申请司法确认。",
            "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日"
            f"起生效。本协议一式{c['copies']}份，当事人各执一份，人民调解委员会留存一份。",
        )
    story.append(space(4 * mm))
    story += [p(text, "indent") for text in law]

    # Where the parties and the mediators sign, and the committee's seal: one block, kept
    # on one page.
    if c["oral"]:
        names = "、".join(c["mediators"])
        rows = [
            (p(f"人民调解员：{names}　（签名）", "sign"), True, False),
            (p(f"登记日期：{c['date']}", "sign"), False, False),
        ]
    else:
        rows = [
            (p(f"{pt['role']}（签名、盖章或按指印）：", "sign"), True, True) for pt in c["parties"]
        ]
        rows += [
            (p(f"人民调解员（签名）：{m}", "sign"), True, False) for m in c["mediators"] or [""]
        ]
    signatures = signature_lines(rows)
    seal = Seal([p(f"{c['committee']}（印章）", "seal"), p(c["date"], "seal")])
    story.append(KeepTogether([space(6 * mm), signatures, space(4 * mm), seal]))

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"{c['title']} {c['number']}",
        author=c["committee"],
        creator="共治 Gongzhi",
        lang="zh-CN",
        initialFontName=base_font().fontName,  # no Helvetica among the page's fonts
    )
    footer = f"{c['title']}　{c['dispute_number']}　第 {{page}} 页　共 {{pages}} 页"
    document.build(story, canvasmaker=functools.partial(PagedCanvas, footer=footer))
    return out.getvalue()


def space(height):
    return Spacer(0, height)


def grid(rows, widths, *, header=False):
    """A ruled table; a ``None`` width takes what the others leave of the text width."""
    free = TEXT_WIDTH - sum(w for w in widths if w)
    style = [
        ("FONT", (0, 0), (-1, -1), base_font().fontName),  # else Helvetica is listed
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
    ]
    shade = (0, 0), (-1, 0) if header else (0, -1)  # the header row, or the label column
    style.append(("BACKGROUND", *shade, colors.HexColor("#eeeeee")))
    return Table(
        rows,
        colWidths=[w or free for w in widths],
        style=style,
        repeatRows=1 if header else 0,
        spaceBefore=1 * mm,
        spaceAfter=2 * mm,
    )


def signature_lines(rows):
    """One row per (label, ruled line to sign on, date to fill in by hand)."""
    cells, style = (
        [],
        [
            ("FONT", (0, 0), (-1, -1), base_font().fontName),  # the empty cells' too
            ("FONTSIZE", (0, 0), (-1, -1), BODY_PT),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    for row, (label, line, date) in enumerate(rows):
        cells.append([label, "", "", *(("年", "", "月", "", "日") if date else [""] * 5)])
        if line:
            style.append(("LINEBELOW", (1, row), (1, row), 0.6, colors.black))
        else:
            style.append(("SPAN", (0, row), (-1, row)))
    return Table(
        cells,
        colWidths=[w * mm for w in (68, 44, 12, 5, 8, 5, 8, 5)],
        rowHeights=14 * mm,
        style=style,
        hAlign="LEFT",
    )


class Title(Flowable):
    """The document's title, centred and spaced out (0.3 em between characters)."""

    SIZE = 22

    def __init__(self, text):
        super().__init__()
        self.text = text

    def wrap(self, available_width, _available_height):
        self.width = available_width
        return available_width, self.SIZE * 1.4 + 6 * mm

    def draw(self):
        space = 0.3 * self.SIZE
        font = base_font().fontName
        width = pdfmetrics.stringWidth(self.text, font, self.SIZE) + space * (len(self.text) - 1)
        self.canv.setFont(font, self.SIZE)
        x = (self.width - width) / 2
        self.canv.drawString(x, 4 * mm + 0.3 * self.SIZE, self.text, charSpace=space)


class Seal(Flowable):
    """The committee's name and the date at the right, in the dashed circle where the
    seal is stamped over them."""

    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def wrap(self, available_width, _available_height):
        self.width = available_width
        self.box = min(available_width, 90 * mm)
        self.heights = [line.wrap(self.box, 100 * mm)[1] for line in self.lines]
        self.height = max(38 * mm, 16 * mm + sum(self.heights) + 2 * mm)
        return available_width, self.height

    def draw(self):
        canvas, left = self.canv, self.width - self.box
        canvas.saveState()
        canvas.setDash(2, 2)
        canvas.setLineWidth(0.6)
        canvas.setStrokeColor(colors.grey)
        canvas.circle(left + self.box / 2, self.height - 19 * mm, 18 * mm)
        canvas.restoreState()
        y = self.height - 16 * mm
        for line, height in zip(self.lines, self.heights, strict=True):
            y -= height
            line.drawOn(canvas, left, y)
            y -= 2 * mm


class PagedCanvas(Canvas):
    """Each page is held until the last is made, then footed with "page x of y" (a page
    taken out of a signed agreement shows): one layout pass, not one more per count."""

    def __init__(self, *args, footer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.footer, self.pages = footer, []

    def showPage(self):  # noqa: N802 - reportlab's name
        self.pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, state in enumerate(self.pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(base_font().fontName, 9)
            self.setFillGray(0.27)
            text = self.footer.format(page=number, pages=len(self.pages))
            self.drawCentredString(LEFT + TEXT_WIDTH / 2, 12 * mm, text)
            self.restoreState()
            super().showPage()
        super().save()


def one_line_pdf(text: str) -> bytes:
    """A page holding one line in the same face: the floor of agreement_pdf (benchmarks)."""
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, initialFontName=base_font().fontName).build(
        [Paragraph(markup(text), styles()["body"])]
    )
    return out.getvalue()
