"""The hotline desk's demo data: a knowledge base of answers (知识库), a few calls split into
linked cases (拆分) and a few suspensions (挂起: one waiting for the command centre, one
approved and since resumed, one refused), each made through the real services on the
demo's own cases (run by ``gongzhi demo load`` after the cases).

``load(stdout=None, now=None) -> dict``. **Idempotent**: each part makes nothing when the
database already holds its kind of row (answers, split cases, suspensions).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Membership, Role
from gongzhi.cases import answers as knowledge
from gongzhi.cases import channels
from gongzhi.cases.choices import Channel, State
from gongzhi.cases.intake import split as splitting
from gongzhi.cases.models import Answer, Case, Suspension
from gongzhi.cases.workflow.table import transition
from gongzhi.core.errors import ServiceError
from gongzhi.taxonomy.models import Category

# The knowledge base an administrator keeps: (question, answer, a category name or None).
ANSWERS = [
    (
        "井盖丢失或破损找哪个部门",
        "井盖丢失、破损由县（区）城市管理局负责修复，12345受理后派至属地城管部门，一般当日"
        "设置警示、3个工作日内补装。夜间发现请先在周边放置警示物，注意安全。",
        "井盖缺失破损",
    ),
    (
        "路灯不亮怎么报修",
        "路灯不亮可拨打12345或在随手拍中上报，注明路名和最近的门牌号或电线杆编号；城管部门"
        "一般在2个工作日内修复。",
        None,
    ),
    (
        "噪音扰民晚上几点以后可以投诉",
        "夜间22时至次日6时，在居民区进行产生噪声的施工或娱乐活动属于扰民，可拨打12345投诉；"
        "正在发生的噪声扰民也可拨打110，由公安机关现场处置。",
        None,
    ),
    (
        "拖欠农民工工资如何投诉",
        "请准备劳动合同或考勤、工资条等证据，向用工所在地县（区）人力资源和社会保障局劳动"
        "保障监察大队投诉，也可拨打12333；12345受理后会转劳动监察部门，一般5个工作日内答复。",
        None,
    ),
    (
        "停水什么时候恢复",
        "计划停水会提前在小区和自来水公司公众号公告；突发停水请说明小区名称和楼号，我们会"
        "联系供水企业核实，一般4小时内告知恢复时间。",
        None,
    ),
    (
        "占道经营摆摊怎么处理",
        "占道经营由城管部门劝导和处理，请说明具体路段和时间段；我们将派至属地城管中队，"
        "并在处理后回访您。",
        None,
    ),
    (
        "办理居住证需要什么材料",
        "携带本人身份证、在本地居住半年以上的证明（租房合同或房产证明）及近期照片，到居住地"
        "派出所或政务服务中心办理，当场受理、15个工作日内发证。",
        None,
    ),
    (
        "低保怎么申请",
        "由本人或家属向户籍所在地乡镇（街道）社会救助窗口提出申请，带身份证、户口簿、收入"
        "及家庭财产情况说明；经入户调查、民主评议和公示后审批，一般30个工作日内办结。",
        None,
    ),
]

# Calls raising two problems: (the call, the first problem, the second and its category's name).
SPLITS = [
    ("路面有坑，旁边路灯也不亮", "路面坑洼影响通行", "路灯不亮，夜间看不清路", "路灯"),
    ("井盖丢失，附近垃圾也没人清", "井盖丢失存在安全隐患", "垃圾堆放多日无人清运", "垃圾"),
]

SUSPEND_REASON = "等待供货商配件到货，需暂停处理"
REFUSED_NOTE = "配件可由本级临时调配，不同意挂起"


def _member(organisation_id, role) -> object | None:
    """The first active user holding ``role`` in the organisation."""
    member = (
        Membership.objects.filter(organisation=organisation_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return member.user if member else None


def _operator():
    member = (
        Membership.objects.filter(role=Role.HOTLINE_OPERATOR, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return member.user if member else None


def _category(name: str | None) -> Category | None:
    if not name:
        return None
    rows = Category.objects.filter(enabled=True, name__contains=name).order_by("-level", "path")
    return next(iter(channels.offered(list(rows[:20]), channel=Channel.HOTLINE)), None)


def knowledge_base() -> int:
    """The administrator's answers, and one saved from a call the operator answered."""
    if Answer.objects.exists():
        return 0
    for question, text, category in ANSWERS:
        Answer.objects.create(question=question, answer=text, category=_category(category))
    made = len(ANSWERS)
    operator = _operator()
    waiting = (
        Case.objects.filter(state=State.REPORTED, channel=Channel.HOTLINE)
        .select_related("category")
        .order_by("number")
        .first()
    ) or Case.objects.filter(state__in=[State.REPORTED, State.ACCEPTED]).order_by("number").first()
    if operator is None or waiting is None:
        return made
    # A call answered on the phone from the knowledge base, then saved as an answer of its own.
    found = knowledge.search(waiting.title, category=waiting.category)
    entry = found[0].entry if found else None
    text = entry.answer if entry else "已在电话中向来电人说明办理渠道和所需材料。"
    dispatcher = _member(waiting.command_id, Role.DISPATCHER) or operator
    try:
        answered = transition(
            case_id=waiting.pk,
            action="answer",
            actor=dispatcher,
            answer=text,
            entry=entry.pk if entry else None,
        )
        _saved, created = knowledge.do_save(case=answered, user=dispatcher)
    except ServiceError:
        return made
    return made + int(created)


def splits() -> int:
    """Calls still with the command centre split into two linked cases each."""
    if Case.objects.filter(split_from__isnull=False).exists():
        return 0
    calls = list(
        Case.objects.filter(
            state__in=[State.REPORTED, State.ACCEPTED],
            channel=Channel.HOTLINE,
            split_from__isnull=True,
        )
        .select_related("category", "command")
        .order_by("-number")[: len(SPLITS)]
    )
    made = 0
    for case, (title, first, second, category) in zip(calls, SPLITS, strict=False):
        other = _category(category)
        dispatcher = _member(case.command_id, Role.DISPATCHER)
        if other is None or dispatcher is None:
            continue
        data = {
            "part-0-title": first,
            "part-0-description": f"{title}：{first}",
            "part-0-category": str(case.category_id),
            "part-1-title": second[:30],
            "part-1-description": f"{title}：{second}",
            "part-1-category": str(other.pk),
        }
        try:
            _case, new = splitting.do_split(case=case, actor=dispatcher, data=data)
        except ServiceError:
            continue
        made += len(new)
    return made


def suspensions(*, now=None) -> dict:
    """Three cases in hand: a suspension waiting for the command centre, one approved and
    resumed since, one refused. Each step is dated between the case's last step and now."""
    if Suspension.objects.exists():
        return {}
    now = now or timezone.now()
    candidates = (
        Case.objects.filter(
            state=State.IN_PROGRESS,
            is_overdue=False,
            owner__isnull=False,
            resolve_due__gt=now + timedelta(hours=1),
        )
        .select_related("owner", "command")
        .order_by("-number")
    )
    done: dict[str, int] = {}
    for case in candidates[:20]:
        if len(done) == 3:
            break
        handler = _member(case.owner_id, Role.HANDLER)
        dispatcher = _member(case.command_id, Role.DISPATCHER)
        if handler is None or dispatcher is None:
            continue
        last = case.events.order_by("-at").values_list("at", flat=True).first() or case.created_at
        step = max((now - last) / 4, timedelta(minutes=1))
        if last + 3 * step >= now:
            continue
        asked = last + step
        resume_on = timezone.localtime(asked).date() + timedelta(days=7)
        which = ("pending", "resumed", "refused")[len(done)]
        try:
            with transaction.atomic():
                transition(
                    case_id=case.pk,
                    action="request_suspension",
                    actor=handler,
                    now=asked,
                    reason=SUSPEND_REASON,
                    resume_on=resume_on,
                )
                if which == "resumed":
                    transition(
                        case_id=case.pk,
                        action="decide_suspension",
                        actor=dispatcher,
                        now=asked + step,
                        approve=True,
                    )
                    transition(
                        case_id=case.pk,
                        action="resume",
                        actor=handler,
                        now=asked + 2 * step,
                        note="配件已到货，恢复处理",
                    )
                elif which == "refused":
                    transition(
                        case_id=case.pk,
                        action="decide_suspension",
                        actor=dispatcher,
                        now=asked + step,
                        approve=False,
                        note=REFUSED_NOTE,
                    )
        except ServiceError:
            continue
        # Dated when the handler asked, as the case's history says, not when the demo ran.
        last_step = {"pending": asked, "refused": asked + step, "resumed": asked + 2 * step}
        Suspension.objects.filter(case=case).update(created_at=asked, updated_at=last_step[which])
        done[which] = case.pk
    return done


def load(*, stdout=None, now=None) -> dict:
    counts = {
        "answers": knowledge_base(),
        "split_cases": splits(),
        "suspensions": suspensions(now=now),
    }
    if stdout is not None:
        stdout.write(
            f"desks: {counts['answers']} knowledge-base answers, {counts['split_cases']} cases "
            f"split off calls, suspensions {sorted(counts['suspensions'])}\n"
        )
    return counts
