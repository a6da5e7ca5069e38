"""One way to make the platform's records in a test: regions, grids, units, people, categories,
cases and photos.

Model factories (factory-boy) make the base records with every required field filled and
anything given overriding it::

    county = RegionFactory(code="630202", name="乐都区", level=RegionLevel.COUNTY, parent=city)
    grid = GridFactory(community=xiguan, bbox=(102.40, 36.46, 102.41, 36.48))
    bureau = OrganisationFactory(kind=OrganisationKind.DEPARTMENT, regions=[county])
    handler = UserFactory(organisation=bureau, role=Role.HANDLER)  # or member(bureau, Role.HANDLER)
    GridAssignmentFactory(grid=grid, user=worker)
    category = CategoryFactory(owner=bureau)  # a first-level category brings its own SLA policy

Cases are never written as rows: ``report_case`` reports through intake's real service and
``move``/``case_in`` take the workflow's real actions, so a case is numbered, located, routed,
timed and has its timeline like any other. They need a world (``tests.world.build()``, the
``world`` fixture) or any namespace with the same cast.
"""

from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from PIL import Image

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.regions.geometry import to_geojson
from gongzhi.regions.models import LEVEL_ORDER, Grid, GridAssignment, Region, RegionLevel
from gongzhi.taxonomy.models import Category, SlaPolicy, TimeUnit

PASSWORD = "Gongzhi@Test2026"  # every factory-made person's, unless told otherwise


# -- geometry ------------------------------------------------------------------------------------


def box(x0, y0, x1, y1) -> dict:
    """A GeoJSON rectangle (west, south, east, north), corners from the south-west, anticlockwise."""
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _spare_square(n: int) -> tuple[float, float, float, float]:
    # 0.01° squares in a strip of 青海 that no hand-placed world uses, one per grid made.
    x, y = 101.0 + 0.01 * (n % 100), 35.0 + 0.01 * (n // 100 % 100)
    return (round(x, 2), round(y, 2), round(x + 0.01, 2), round(y + 0.01, 2))


def _boundary(o) -> dict | None:
    if o.shape is not None:
        return to_geojson(o.shape)
    return box(*o.bbox) if o.bbox else None


def _level_below(parent: Region | None) -> str:
    if parent is None:
        return RegionLevel.PROVINCE
    return LEVEL_ORDER[min(LEVEL_ORDER.index(parent.level) + 1, len(LEVEL_ORDER) - 1)]


# -- regions and grids ---------------------------------------------------------------------------


class RegionFactory(DjangoModelFactory):
    """A region; its materialised ``path`` comes from its parent on save. The level defaults
    to the one below the parent's. ``bbox=(w, s, e, n)`` or ``shape=<shapely geometry>``
    gives it a boundary (none by default)."""

    class Meta:
        model = Region
        skip_postgeneration_save = True

    class Params:
        bbox = None
        shape = None

    code = factory.Sequence(lambda n: f"{800000 + n}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    parent = None
    level = factory.LazyAttribute(lambda o: _level_below(o.parent))
    boundary = factory.LazyAttribute(_boundary)


class GridFactory(DjangoModelFactory):
    """A grid under a community (a new one unless given), its boundary a 0.01° square of its
    own unless ``bbox``, ``shape`` or ``boundary`` says otherwise (``boundary=None``: none)."""

    class Meta:
        model = Grid
        skip_postgeneration_save = True

    class Params:
        bbox = factory.Sequence(_spare_square)
        shape = None

    community = factory.SubFactory(RegionFactory, level=RegionLevel.COMMUNITY)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.community.code}-{n:02d}")
    name = factory.LazyAttribute(lambda o: f"{o.community.name}{o.code.rsplit('-', 1)[-1]}号网格")
    boundary = factory.LazyAttribute(_boundary)


# -- units and people ----------------------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    """A unit (a department unless ``kind`` says otherwise); ``regions=[...]`` are the regions
    it serves. Its ``path`` comes from its parent on save."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.DEPARTMENT
    parent = None
    function = ""

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.add(*extracted)


class UserFactory(DjangoModelFactory):
    """A person made as ``create_user`` makes one, with the password ``PASSWORD`` (None: an
    unusable one). ``organisation=<unit>, role=<Role>`` (and ``head=True``) give them a
    membership; ``admin=True`` makes a superuser."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        admin = factory.Trait(is_staff=True, is_superuser=True)

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    # Taken out before the user is made (see _create): the membership to give them, if any.
    organisation = None
    role = Role.HANDLER
    head = False

    @classmethod
    def _build(cls, model_class, *args, organisation, role, head, password, **kwargs):
        user = super()._build(model_class, *args, **kwargs)
        user.set_password(password)
        return user

    @classmethod
    def _create(cls, model_class, *args, organisation, role, head, **kwargs):
        user = cls._get_manager(model_class).create_user(*args, **kwargs)
        if organisation is not None:
            Membership.objects.create(user=user, organisation=organisation, role=role, is_head=head)
        return user


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.HANDLER
    is_head = False


def member(organisation, role, *, head=False, **user_fields) -> User:
    """A new person with ``role`` in ``organisation``."""
    return UserFactory(organisation=organisation, role=role, head=head, **user_fields)


class GridAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = GridAssignment

    grid = factory.SubFactory(GridFactory)
    user = factory.SubFactory(UserFactory)


# -- categories ----------------------------------------------------------------------------------


class SlaPolicyFactory(DjangoModelFactory):
    """Two hours to sign for, five working days to resolve, unless told otherwise."""

    class Meta:
        model = SlaPolicy

    code = factory.Sequence(lambda n: f"test-sla-{n}")
    name = factory.Sequence(lambda n: f"测试时限{n}")
    sign_for_value = 2
    sign_for_unit = TimeUnit.HOURS
    resolve_value = 5
    resolve_unit = TimeUnit.WORKDAYS


class CategoryFactory(DjangoModelFactory):
    """A category; a first-level one comes with an SLA policy of its own, one below a parent
    inherits the parent's (give ``sla=`` to set one)."""

    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    parent = None
    owner = None
    sla = factory.Maybe(
        "parent", yes_declaration=None, no_declaration=factory.SubFactory(SlaPolicyFactory)
    )


def seeded_taxonomy() -> None:
    """The categories, SLA policies and acceptance and dispatch time limits the data
    migrations seed, put back if a transactional test's flush removed them."""
    from gongzhi.taxonomy import seed
    from gongzhi.taxonomy.models import StageClock

    if not Category.objects.exists():
        seed.seed(Category, SlaPolicy)
    if not StageClock.objects.exists():
        seed.seed_stage_clocks(StageClock)


# -- cases, only through the services ------------------------------------------------------------


def report_case(
    w,
    category,
    *,
    point=None,
    channel="quick_report",
    reporter="resident",
    entered_by=None,
    photos=(),
    title="测试事项",
    expect_new=False,
    **fields,
):
    """A report through intake (``services.do_report``): by the world's resident, from the 随手拍
    page, at the world's point, unless told otherwise. ``reporter`` is a person, the name of
    one of the world's people, or None; ``fields`` are more of ``services.Report``'s (``lng``
    and ``lat`` win over ``point``). ``expect_new``: assert that it was not taken as a retry."""
    from gongzhi.cases.intake import services

    lng, lat = point or w.point
    report = services.Report(
        **{
            "channel": channel,
            "title": title,
            "category_id": category.pk,
            "lng": lng,
            "lat": lat,
            **fields,
        }
    )
    if isinstance(reporter, str):
        reporter = getattr(w, reporter)
    case, created = services.do_report(
        report=report, reporter=reporter, entered_by=entered_by, photos=photos
    )
    assert created or not expect_new
    return case


def call_case(w, category, *, point=None, **fields):
    """A call taken by the world's hotline operator: the caller has a name and a phone, not
    an account."""
    fields.setdefault("reporter_name", "马秀兰")
    fields.setdefault("reporter_phone", "13900001111")
    return report_case(
        w, category, point=point, channel="hotline", reporter=None, entered_by=w.operator, **fields
    )


def report(w, *, point=None, title="井盖丢失", reporter="resident", **fields):
    """A missing manhole cover reported from the 随手拍 page in 乐都区 (the world's grid)."""
    return report_case(
        w,
        w.manhole,
        point=point,
        title=title,
        description=f"{title}，请尽快处理",
        reporter=reporter,
        expect_new=True,
        **fields,
    )


def move(case, action, actor, **params):
    """Take a workflow action through the engine, as ``actor``."""
    from gongzhi.cases.workflow import table as workflow

    return workflow.transition(case_id=case.pk, action=action, actor=actor, **params)


def paths(w) -> dict[str, list[tuple[str, User, dict]]]:
    """The actions that take a new ``report`` to each state, and who takes them."""
    from datetime import timedelta

    from django.utils import timezone

    accepted = [("accept", w.dispatcher, {})]
    dispatched = accepted + [("dispatch", w.dispatcher, {})]
    in_progress = dispatched + [("sign_for", w.handler, {})]
    resolved = in_progress + [("resolve", w.handler, {"result": "已补装井盖"})]
    return {
        "reported": [],
        "accepted": accepted,
        "dispatched": dispatched,
        "in_progress": in_progress,
        "resolved": resolved,
        "closed": resolved + [("verify_pass", w.grid_worker, {})],
        "returned": dispatched + [("return", w.handler, {"reason": "不属于本单位"})],
        "reopened": resolved + [("verify_fail", w.grid_worker, {"reason": "仍未修好"})],
        "escalated": accepted + [("escalate", w.dispatcher, {"reason": "需要市级协调"})],
        "rejected": [("reject", w.dispatcher, {"reason": "不属于受理范围"})],
        # In hand, with a deadline extension waiting for a decision.
        "pending_extension": in_progress
        + [
            (
                "request_extension",
                w.handler,
                {"new_due": timezone.now() + timedelta(days=10), "reason": "需采购井盖"},
            )
        ],
        # In hand, with a suspension (挂起) waiting for the command centre; then suspended.
        "pending_suspension": in_progress + [_suspension_asked(w)],
        "suspended": in_progress
        + [_suspension_asked(w), ("decide_suspension", w.dispatcher, {"approve": True})],
    }


def _suspension_asked(w):
    from datetime import timedelta

    from django.utils import timezone

    resume_on = timezone.localdate() + timedelta(days=5)
    return ("request_suspension", w.handler, {"reason": "等待井盖到货", "resume_on": resume_on})


def case_in(w, state: str, **report_args):
    """A ``report`` taken to ``state`` by the world's people (see ``paths``), read afresh."""
    from gongzhi.cases.models import Case

    case = report(w, **report_args)
    for action, actor, params in paths(w)[state]:
        case = move(case, action, actor, **params)
    return Case.objects.get(pk=case.pk)


# -- photos --------------------------------------------------------------------------------------


def photo(
    name="photo.png",
    size=(40, 30),
    *,
    fmt="PNG",
    colour=(200, 30, 30),
    mode="RGB",
    content_type=None,
    orientation=None,
    **save,
) -> SimpleUploadedFile:
    """An uploaded image made on the spot; ``orientation`` writes an EXIF Orientation tag
    (6: the camera was turned 90° clockwise)."""
    image = Image.new(mode, size, colour)
    out = BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        save["exif"] = exif.tobytes()
    image.save(out, fmt, **save)
    content_type = content_type or f"image/{'jpeg' if fmt == 'JPEG' else fmt.lower()}"
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    return photo(name, size)


def jpeg(name="photo.jpg", size=(64, 48), orientation=None) -> SimpleUploadedFile:
    return photo(name, size, fmt="JPEG", colour=(200, 60, 40), orientation=orientation)
