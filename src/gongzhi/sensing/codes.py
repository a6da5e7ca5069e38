"""National device codes of video surveillance networks (GB/T 28181-2016, Appendix D).

A code is 20 digits::

    63020200 | 00 | 132 | 0 000001
    centre     industry type  network + serial

* digits 1–8, the centre code (中心编码): province, city and county (6 digits, the
  administrative division code) and the grass-roots access unit (2 digits);
* digits 9–10, the industry (行业编码): 00 public-security road cameras, 04 traffic, 08 urban
  management, …;
* digits 11–13, the type (类型编码): 111 DVR, 118 NVR, 131 camera, 132 network camera, 200
  the platform's signalling server, …;
* digits 14–20, the serial (7 digits), whose first digit is the network the device sits on
  (0–4 the video private network, 5 the public-security network, 6 the e-government
  network, 7 the Internet, 8 a social-resources network).

``parse`` gives the parts back or raises ``CodeError`` with a message for the person who
typed the code; ``validate_camera_code`` is the same check as a Django field validator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

LENGTH = 20

# The first two digits of every province-level division (GB/T 2260).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

INDUSTRIES = {
    "00": gettext_lazy("Public security: roads and public areas"),
    "01": gettext_lazy("Public security: communities"),
    "02": gettext_lazy("Public security: inside units"),
    "03": gettext_lazy("Public security: other"),
    "04": gettext_lazy("Traffic: roads"),
    "05": gettext_lazy("Traffic: checkpoints"),
    "06": gettext_lazy("Traffic: inside units"),
    "07": gettext_lazy("Traffic: other"),
    "08": gettext_lazy("Urban management"),
    "09": gettext_lazy("Health and environment"),
    "10": gettext_lazy("Inspection and customs"),
    "11": gettext_lazy("Education"),
}

# The types Appendix D defines (Table D.1); the ranges between are reserved for extensions
# and so are refused: a code using them is almost always a typing slip.
TYPES = {
    "111": gettext_lazy("Digital video recorder (DVR)"),
    "112": gettext_lazy("Video server"),
    "113": gettext_lazy("Encoder"),
    "114": gettext_lazy("Decoder"),
    "115": gettext_lazy("Video switching matrix"),
    "116": gettext_lazy("Audio switching matrix"),
    "117": gettext_lazy("Alarm controller"),
    "118": gettext_lazy("Network video recorder (NVR)"),
    "131": gettext_lazy("Camera"),
    "132": gettext_lazy("Network camera (IPC)"),
    "133": pgettext_lazy("device type", "Display"),
    "134": gettext_lazy("Alarm input device"),
    "135": gettext_lazy("Alarm output device"),
    "136": gettext_lazy("Audio input device"),
    "137": gettext_lazy("Audio output device"),
    "138": gettext_lazy("Mobile transmission device"),
    "200": gettext_lazy("Central signalling server"),
    "201": gettext_lazy("Web application server"),
    "202": gettext_lazy("Media distribution server"),
    "203": gettext_lazy("Proxy server"),
    "204": gettext_lazy("Security server"),
    "205": gettext_lazy("Alarm server"),
    "206": gettext_lazy("Database server"),
    "207": gettext_lazy("GIS server"),
    "208": gettext_lazy("Management server"),
    "209": gettext_lazy("Access gateway"),
    "210": gettext_lazy("Media storage server"),
    "211": gettext_lazy("Signalling security routing gateway"),
    "215": gettext_lazy("Business group"),
    "216": gettext_lazy("Virtual organisation"),
    "300": gettext_lazy("Central user"),
    "400": gettext_lazy("Terminal user"),
}

# What may be registered as a camera: a camera itself, or a recorder or encoder whose
# channels are the cameras (common for the 社会面 cameras of shops and estates).
CAMERA_TYPES = frozenset({"131", "132", "111", "112", "113", "118"})

NETWORKS = {
    **{d: gettext_lazy("Video private network") for d in "01234"},
    "5": gettext_lazy("Public security network"),
    "6": gettext_lazy("E-government network"),
    "7": gettext_lazy("Internet"),
    "8": gettext_lazy("Social resources network"),
    "9": gettext_lazy("Reserved"),
}


class CodeError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class NationalCode:
    code: str
    centre: str  # 8 digits
    region: str  # the first 6: province, city, county
    unit: str  # digits 7–8: the grass-roots access unit
    industry: str
    type: str
    serial: str  # 7 digits, the first being the network
    network: str

    @property
    def industry_name(self) -> str:
        return str(INDUSTRIES.get(self.industry, _("Reserved industry code")))

    @property
    def type_name(self) -> str:
        return str(TYPES[self.type])

    @property
    def network_name(self) -> str:
        return str(NETWORKS[self.network])

    @property
    def is_camera(self) -> bool:
        return self.type in CAMERA_TYPES


def _region_known(region: str) -> bool:
    """Whether the 6-digit division exists, asked of the regions app only where it holds
    that province: a platform loaded with 青海 cannot judge a code from 北京."""
    from gongzhi.regions.models import Region

    province = Region.objects.filter(code__startswith=region[:2])
    if not province.exists():
        return True
    return province.filter(code=region).exists()


def parse(text: str, *, check_region: bool = True) -> NationalCode:
    """The parts of a 20-digit national code, or ``CodeError`` saying what is wrong."""
    code = (text or "").strip()
    if not code.isascii() or not code.isdigit():
        raise CodeError("not_digits", _("A national code has only the digits 0–9."))
    if len(code) != LENGTH:
        raise CodeError(
            "length",
            _("A national code has 20 digits; this one has %(count)d.") % {"count": len(code)},
        )
    region, kind = code[:6], code[10:13]
    # A county under no city ("630012") is no division either.
    if region[:2] not in PROVINCES or (region[2:4] == "00" and region[4:] != "00"):
        raise CodeError(
            "region",
            _("The code's first six digits (%(region)s) are not a region code.")
            % {"region": region},
        )
    if check_region and not _region_known(region):
        raise CodeError(
            "region",
            _("There is no region %(region)s: the first six digits must be a region code.")
            % {"region": region},
        )
    if kind not in TYPES:
        raise CodeError(
            "type",
            _(
                "%(type)s (digits 11–13) is not a device type of GB/T 28181; a camera is 131 or "
                "a network camera 132."
            )
            % {"type": kind},
        )
    return NationalCode(
        code=code,
        centre=code[:8],
        region=region,
        unit=code[6:8],
        industry=code[8:10],
        type=kind,
        serial=code[13:],
        network=code[13],
    )


def parse_camera(text: str, *, check_region: bool = True) -> NationalCode:
    """``parse``, and the type must be one a camera may have."""
    parsed = parse(text, check_region=check_region)
    if not parsed.is_camera:
        raise CodeError(
            "type",
            _(
                "%(type)s (%(name)s) is not a camera: use 131, 132, or the code of the recorder "
                "or encoder it is connected to (111, 112, 113, 118)."
            )
            % {"type": parsed.type, "name": parsed.type_name},
        )
    return parsed


def validate_camera_code(value: str) -> None:
    """``parse_camera`` as a model field's validator (the admin's forms use it)."""
    try:
        parse_camera(value)
    except CodeError as error:
        raise ValidationError(error.message, code=error.code) from error
