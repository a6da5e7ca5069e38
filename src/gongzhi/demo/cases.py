"""海东 demo cases: about 5,000 historic cases of the last 180 days, each with a handling
history that follows the workflow (run by ``gongzhi demo load`` after the categories).

``load(stdout=None) -> dict`` generates them once. **Idempotent by marker**: every demo case
carries an ``idempotency_key`` starting with ``demo-``; when any such case exists, ``load``
creates nothing (delete those cases to generate them again). The stories are deterministic
for a seed; they are anchored at the moment of loading ("the last 180 days"), so the dates
move with the day you load while the mix and the stories do not.

Why rows are written in bulk rather than through ``workflow.transition``: 5,000 cases with
some 40,000 timeline entries would take minutes that way, and every timestamp would be
"now". Instead each case's story is drawn as a list of workflow actions with their times
(``_story``), replayed by ``Replay`` — a field-for-field mirror of ``cases.actions`` that
also emits the notices ``cases.deadlines.scan`` would have sent — and stored in a few bulk
queries. Deadlines come from each category's SLA exactly as in ``routing.deadlines``, the
lead unit from ``routing.route_owner``, the command centre from ``routing.command_for``
and each point's grid from ``regions.lookup.locate_many``. Steps later than "now" are not
replayed, so the last few days' cases are still open, in whatever state they had reached.

``generate(count=, grids=)`` does the work for any set of grids; tests run it on their world.
The texts are written for the demo from per-category templates; the people are synthetic.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache

import shapely
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.cases.choices import (
    FINAL_STATES,
    Channel,
    ExtensionStatus,
    HandlingLevel,
    Satisfaction,
    State,
)
from gongzhi.cases.models import (
    Callback,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseSupport,
    ChannelPolicy,
    ExtensionRequest,
)
from gongzhi.cases.workflow import notes, routing
from gongzhi.cases.workflow.deadlines import RESOLVE_STATES, SIGN_FOR_STATES, WARN_MIN, WARN_SHARE
from gongzhi.core import holidays, workdays
from gongzhi.demo import notices as demo_notices
from gongzhi.demo import photos as demo_photos
from gongzhi.demo.accounts import synthetic_mobile, synthetic_name
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid, GridAssignment, Region, RegionLevel
from gongzhi.taxonomy.models import Category

DEMO_KEY_PREFIX = "demo-"
DEMO_COUNT = 5000
DEMO_DAYS = 180
DEMO_SEED = 20261128
RESIDENTS = 50
RESIDENT_PREFIX = "res"
# Where the demo is busiest: 乐都区 and 平安区 carry most cases, towns more than villages.
COUNTY_WEIGHTS = {"630202": 7.0, "630203": 5.0}
OTHER_COUNTY_WEIGHT = 1.0
TOWN_WEIGHT = 3.0
SCAN_EVERY = 60  # seconds: how late after a threshold the watcher's notice lands at most

S = State


# --- what people report ------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    weight: float
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    results: tuple[str, ...]
    hotline: bool = False  # a 12345 matter: mostly phoned in


ROADS = "幸福路 东大街 西大街 滨河路 古城大街 建设路 朝阳路 民族路 碾伯路 平安大道 湟水南路 南山路 新华街 文化街 团结路 振兴路 康乐路 教场街".split()
SPOTS = "农贸市场 第一小学 人民医院 汽车站 文化广场 供销社 家属院 老年活动中心 幼儿园 村委会 卫生院 体育场 加油站 菜市场 公交站 中学 超市 小区".split()
TIMES = "每天早上 最近几天晚上 这两天中午 周末 每天傍晚 凌晨 连续一周".split()

# One block per category: "= full name | weight [| hotline]", then titles (T), report texts
# (D) and handling results (R). Placeholders: {road} {spot} {time} {n}.
STORIES = """
= 市容环境 / 占道经营 | 5
T {road}{spot}门口占道经营
T {spot}附近流动摊贩堵路
T {road}人行道被摊点占用
D {time}{road}{spot}门口有多个流动摊点卖菜卖水果，占了大半个人行道，行人只能走机动车道，很不安全。
D {spot}旁边的商户把货架摆到店外，{road}人行道基本走不通，推婴儿车的老人只能绕行。
D {road}路口{time}有烧烤摊占道经营，桌椅摆到马路上，影响车辆通行。
R 执法队员到场劝离流动摊贩，引导其进入{spot}旁的便民疏导点经营，并将加强巡查。
R 已约谈临街商户，责令其将店外货架收回店内，现场已恢复通行。
= 市容环境 / 乱堆乱放 | 4
T {road}路边建筑垃圾乱堆
T {spot}楼道杂物堆积
T {road}{n}号附近废品乱堆乱放
D {road}{n}号附近有人把装修垃圾堆在路边，已经放了半个多月，刮风时尘土飞扬。
D {spot}{n}号楼楼道里堆满了纸箱和旧家具，挡住了消防通道，希望社区督促清理。
D {road}边上有废品收购点把废品堆到绿化带里，气味很大，影响周边居民。
R 社区网格员联系物业和住户，已将楼道杂物全部清理，并张贴了消防通道禁止堆放的提示。
R 已协调环卫清运建筑垃圾，告知装修户须按规定预约清运。
= 市容环境 / 垃圾清运 | 6
T {spot}垃圾桶满溢未清运
T {road}垃圾点无人清扫
T {spot}附近垃圾堆积发臭
D {spot}旁边的垃圾桶已经满了两三天没人清运，垃圾散落一地，天热有臭味，招苍蝇。
D {road}{n}号附近的垃圾收集点{time}都没有清运，周围居民意见很大。
D {spot}后面的空地上有人长期倾倒生活垃圾，已经堆成小山，请安排清理。
R 已通知环卫公司当天清运，并将该点位清运频次调整为每日两次。
R 环卫工人已完成清扫清运，社区在该处设置了禁止倾倒的提示牌。
= 市容环境 / 违规广告 | 2
T {road}墙面小广告泛滥
T {spot}门口乱贴办证广告
D {road}沿街墙面和电线杆上贴满了小广告，刚清理过又被贴上，影响市容。
D {spot}门口和公交站亭被贴满了办证、疏通下水道的小广告。
R 已组织人员清除小广告，对广告上的号码依法进行停机处理。
= 市容环境 / 私搭乱建 | 2
T {road}{n}号私自搭建彩钢房
T {spot}旁违章搭建棚子
D {road}{n}号一楼住户在公共绿地上私自搭建彩钢房，占用了小区通道。
D {spot}旁边有人用铁皮搭建了一个棚子堆放杂物，已经占用公共场地。
R 执法队员现场核查，已下达限期拆除通知书，当事人已自行拆除。
= 市容环境 / 露天烧烤与焚烧 | 2
T {road}夜间露天烧烤油烟扰民
T {spot}附近有人焚烧垃圾
D {time}{road}有露天烧烤摊，油烟很大，楼上住户不敢开窗。
D {spot}附近的空地上有人焚烧垃圾和秸秆，浓烟滚滚，气味刺鼻。
R 已责令烧烤摊主使用油烟净化设备并入室经营，焚烧点已扑灭并清理。
= 市容环境 / 犬只管理 | 1
T {spot}附近流浪狗较多
T 小区遛狗不牵绳
D {spot}附近最近有好几条流浪狗，晚上成群乱窜，孩子上学很害怕。
D {road}{spot}有住户遛狗不拴绳，已经有老人被吓倒。
R 社区已联系相关部门捕捉流浪犬，并在小区张贴文明养犬倡议。
= 道路与井盖 / 井盖缺失破损 | 4
T {road}{spot}门口井盖缺失
T {road}井盖破损塌陷
T {spot}附近窨井盖松动
D {road}{spot}门口的井盖丢了，只剩一个黑洞，晚上行人很容易踩空，请尽快处理。
D {road}{n}号对面的井盖被车压碎了，车辆经过很危险。
D {spot}路口的雨水篦子松动翘起，电动车经过差点摔倒。
R 维修人员已到场设置警示围挡，并于当天更换了新的防盗井盖。
R 已联系产权单位对破损井盖进行更换，现场已恢复正常。
= 道路与井盖 / 路面坑洼 | 4
T {road}路面坑洼不平
T {road}{spot}段路面破损
T {spot}门口路面塌陷出坑
D {road}靠近{spot}的一段路面坑坑洼洼，下雨天积水看不见坑，已经有电动车摔倒。
D {road}{n}号附近路面出现一个大坑，车辆经过颠簸严重。
D {spot}门口的道路破损多时，坑里积满了泥水，行人车辆都不好走。
R 已安排道路养护队对坑槽进行修补，路面已恢复平整。
R 已临时填补坑洼并设置警示标志，列入近期道路维修计划。
= 道路与井盖 / 路灯损坏 | 4
T {road}路灯不亮
T {spot}附近一排路灯损坏
T {road}路灯杆倾斜
D {road}从{spot}往东一段的路灯已经好几天不亮了，晚上黑漆漆的，行人不安全。
D {spot}门口的路灯时亮时灭，附近居民晚上出行不便。
D {road}{n}号附近有一根路灯杆被车撞歪了，随时可能倒下。
R 路灯维修人员已更换损坏灯具，线路检修后路灯恢复正常照明。
R 已将倾斜灯杆拆除并重新安装，现场已无安全隐患。
= 道路与井盖 / 道路积水 | 2
T {road}下雨后积水严重
T {spot}门口排水不畅
D 每次下雨{road}{spot}段都积水到脚踝，行人只能蹚水，下水口可能堵了。
D {spot}门口的雨水口被杂物堵塞，路面积水几天都排不掉。
R 已疏通堵塞的雨水口，积水已排除，将纳入汛期重点巡查点位。
= 道路与井盖 / 人行道破损 | 2
T {road}人行道地砖松动
T {spot}门口人行道破损
D {road}人行道上很多地砖松动翘起，一踩就溅泥水，老人容易绊倒。
D {spot}门口的人行道塌了一块，盲道也断了。
R 已对松动破损的地砖进行更换，盲道已修复连通。
= 道路与井盖 / 违章停车 | 2
T {road}车辆乱停堵塞道路
T {spot}门口僵尸车长期占道
D {time}{road}{spot}门口车辆乱停乱放，消防车道被堵死。
D {spot}门口有一辆旧面包车停了几个月没动，落满灰尘，占用停车位。
R 交警已对违停车辆依法处理，并联系车主将长期停放车辆移走。
= 矛盾纠纷 / 邻里纠纷 | 4
T 楼上住户噪音扰民引发纠纷
T {spot}邻居漏水纠纷
T 邻居占用通道引发矛盾
D 楼上住户{time}在家里敲打、拖动家具，多次沟通无果，双方已经发生争吵，希望社区出面调解。
D 楼上卫生间漏水把我家天花板泡坏了，找对方几次都不愿意维修赔偿。
D 邻居在共用通道上堆放杂物还搭了棚子，出入不便，双方为此多次吵架。
R 社区调解员组织双方面对面调解，已达成口头协议，楼上住户承诺注意作息时间。
R 经人民调解委员会调解，双方签订调解协议，漏水已维修并赔偿损失。
= 矛盾纠纷 / 劳资纠纷 | 3
T {road}工地拖欠农民工工资
T 饭店拖欠员工工资
T 装修队讨薪纠纷
D 我们{n}个人在{road}的工地干了三个月，包工头一直拖欠工资不给，马上要过年了。
D 在{spot}附近的一家饭店打工，老板拖欠两个月工资，找不到人。
D 给人家做完装修，房主以质量问题为由一直不结工钱。
R 镇司法所联合劳动监察约谈施工方，已督促其足额支付拖欠工资。
R 经调解，用人单位同意分两次付清欠薪，当事人表示认可。
= 矛盾纠纷 / 物业纠纷 | 2
T 小区物业服务差引发纠纷
T {spot}物业费纠纷
D 小区物业收了物业费却不管事，电梯坏了一个月不修，业主和物业发生冲突。
D 物业公司以欠费为由停了我家的门禁卡，双方对收费标准有争议。
R 镇里组织物业公司、业委会和业主代表协商，物业承诺限期整改。
= 矛盾纠纷 / 婚姻家庭纠纷 | 1
T 老人赡养问题家庭纠纷
T 夫妻矛盾需调解
D 家里几个子女对老人的赡养费用分担有分歧，老人生活没人照顾，希望社区帮忙调解。
D 夫妻二人因琐事经常争吵，已影响到孩子上学，女方请求社区介入调解。
R 社区调解员上门调解，子女们达成轮流赡养协议。
= 矛盾纠纷 / 土地纠纷 | 2
T 承包地地界纠纷
T 宅基地界线争议
D 我家承包地和邻居家的地界有争议，对方今年把地埂往我家这边挪了一米多。
D 村里两户人家因宅基地界线问题发生争执，差点动手。
R 镇司法所会同村委会现场丈量，依据确权资料划定界线，双方认可。
= 安全生产 / 消防隐患 | 4
T 楼道电动车飞线充电
T {spot}消防通道被堵
T {road}商铺消防隐患
D {spot}{n}号楼有住户从楼上拉电线下来给电动车充电，还有人把电动车推进楼道充电，很危险。
D {spot}的消防通道被车辆和杂物堵死了，万一着火消防车进不来。
D {road}一家小饭馆后厨堆放液化气罐和杂物，没有灭火器。
R 已清理楼道电动车并拆除飞线，社区在小区增设了集中充电桩。
R 消防通道已清理畅通，对相关商户进行了消防安全教育并督促配齐灭火器。
= 安全生产 / 燃气隐患 | 1
T {spot}附近闻到燃气味
T 燃气管道锈蚀
D {spot}{n}号楼下面一直能闻到燃气味，担心管道泄漏。
D 小区外墙的燃气管道锈蚀严重，有的地方已经起皮。
R 燃气公司抢修人员已到场检测并更换了泄漏接头，经复检无泄漏。
= 安全生产 / 建筑施工安全 | 2
T {road}工地围挡倒塌
T 工地夜间施工且无防护
D {road}一处工地的围挡被风刮倒了一段，直接压在人行道上。
D {spot}旁边的工地脚手架没有防护网，经常有东西掉下来。
R 已责令施工单位停工整改，恢复围挡并加装防护网，复查合格后复工。
= 安全生产 / 自建房与危房 | 1
T 老旧房屋墙体开裂
T {road}自建房加盖楼层
D {road}{n}号的老房子外墙出现裂缝，雨后裂缝变大，里面还住着老人。
D {road}有户人家在原来的两层自建房上又加盖了一层，担心不安全。
R 已组织专业人员排查鉴定，对危房住户进行了临时安置。
= 公共设施 / 供水故障 | 3
T {spot}小区停水
T {road}水管爆裂
T 自来水水压太低
D {spot}小区从昨天开始停水，没有任何通知，居民生活受影响。
D {road}{n}号附近的自来水管爆了，水流了一马路。
D 我们楼高层的自来水水压太低，{time}基本没水。
R 供水公司已抢修爆裂管道，当日恢复供水。
R 已对加压泵站进行检修，水压恢复正常。
= 公共设施 / 供暖问题 | 4
T {spot}小区暖气不热
T 供暖温度不达标
D {spot}{n}号楼的暖气一直不热，室内温度只有十几度，家里有老人孩子。
D 今年供暖后我家暖气片上面热下面凉，找了物业也没解决。
R 供热公司已上门排气并清洗管道，室温已达标。
= 公共设施 / 供电故障 | 2
T {road}一带频繁停电
T {spot}电线杆倾斜
D {road}一带{time}频繁停电，冰箱里的东西都坏了。
D {spot}旁边的一根电线杆倾斜得很厉害，电线都垂下来了。
R 供电部门已检修线路并扶正电杆，供电恢复稳定。
= 公共设施 / 健身器材损坏 | 2
T {spot}健身器材损坏
T 广场健身器材松动
D {spot}的健身器材有好几件坏了，螺丝松动，老人锻炼时差点受伤。
D 文化广场上的漫步机断了一边，一直没人修。
R 已对损坏器材进行维修更换，无法修复的已拆除并设置提示。
= 公共设施 / 公交站亭 | 1
T {road}公交站亭破损
T {spot}公交站牌缺失
D {road}{spot}公交站的站亭玻璃碎了，顶棚也漏雨。
D {spot}门口的公交站牌被撞倒了，等车的人不知道线路。
R 已更换破损的站亭玻璃，站牌已重新安装。
= 治安隐患 / 出租房屋隐患 | 2
T {road}出租屋群租隐患
T 出租房人员流动频繁
D {road}{n}号一套房子被隔成很多小间出租，住了十几个人，进出很乱。
D 楼下出租屋人员流动频繁，经常半夜有人大声喧哗。
R 派出所联合社区上门核查，已督促房东整改并登记租住人员信息。
= 治安隐患 / 治安监控缺失 | 2
T {spot}周边缺少监控
T {road}监控探头损坏
D {spot}附近最近发生过几次电动车被盗，周边没有监控，建议安装。
D {road}路口的监控探头坏了很久，一直没有修。
R 已将该点位纳入雪亮工程补点计划，损坏探头已维修。
= 特殊人群服务 / 独居老人关爱 | 2
T 独居老人需要关心照顾
T {spot}高龄老人无人照料
D {spot}{n}号楼有一位独居老人，子女在外地，最近几天没见他出门，请社区去看看。
D 邻居家八十多岁的老人一个人生活，行动不便，吃饭都成问题。
R 网格员已上门探访，老人身体无大碍，已纳入日常探访名单并联系子女。
= 特殊人群服务 / 困难群众救助 | 1
T 家庭困难申请救助
T 因病致困家庭求助
D 家里人生病住院花了很多钱，生活非常困难，想咨询怎么申请临时救助。
D {road}有一户人家因病致困，孩子上学也困难，希望政府帮一帮。
R 社区已协助其提交临时救助申请，已按程序审批发放救助金。
= 政策咨询 / 社保医保咨询 | 2 | hotline
T 咨询医保异地报销
T 咨询养老保险缴费
D 在外地住院的医疗费用回来怎么报销，需要准备哪些材料？
D 灵活就业人员的养老保险每年什么时候缴费，缴费标准是多少？
R 已电话回复办理流程和所需材料，当事人表示清楚。
= 政策咨询 / 办事指南咨询 | 2 | hotline
T 咨询居住证办理
T 咨询不动产登记流程
D 来这边工作半年了，想办居住证，需要去哪里办，带什么材料？
D 买的二手房办理过户需要哪些材料，在哪个窗口办？
R 已告知办理地点、所需材料和网上预约方式。
= 城乡建设 / 城市建设和市政管理 / 冬季采暖 | 3 | hotline
T 反映冬季供暖不热
T 小区集中供热温度低
D 我是{spot}的住户，今年冬天家里暖气一直不热，多次找供热站没有解决。
D {road}一带的小区供暖温度普遍偏低，晚上只有十五六度。
R 已督促供热企业逐户排查，调整管网平衡，用户室温已达标。
= 城乡建设 / 住房保障与房地产 / 物业服务 | 2 | hotline
T 反映小区物业不作为
T 物业电梯长期故障
D {spot}小区的物业公司服务很差，垃圾不及时清理，电梯经常坏。
D 小区电梯坏了快一个月了，物业一直说在等配件，老人上下楼很困难。
R 已约谈物业企业，电梯已维修完毕，并督促其改进服务。
= 环境保护 / 环境污染 / 噪音污染 | 3 | hotline
T 反映夜间施工噪音扰民
T {road}商铺音响噪音大
D {road}的工地{time}都在施工，噪音很大，严重影响休息。
D {road}几家商铺门口放大音响做促销，声音震耳。
R 已责令施工单位停止夜间施工，商户已将音响音量调低。
= 环境保护 / 环境污染 / 大气污染 | 2 | hotline
T 反映工厂排放黑烟
T {road}搅拌站扬尘严重
D {road}附近有家小厂{time}冒黑烟，气味很大。
D {road}边的搅拌站没有覆盖，车一过尘土飞扬。
R 环境执法人员已现场检查，责令企业停产整改并加装除尘设施。
= 劳动和社会保障 / 工资福利 / 工资发放 | 2 | hotline
T 反映单位拖欠工资
T 咨询工资发放问题
D 在{road}的一家公司上班，公司已经两个月没发工资了。
D 单位一直没有按时发放工资，找老板也找不到。
R 劳动保障监察已介入，督促企业补发拖欠工资。
= 交通运输 / 客货运输 / 旅客运输 | 2 | hotline
T 反映公交班次太少
T 城乡客运班车不准点
D {road}到县城的公交班次太少，早上等一个多小时。
D 去乡下的班车经常不按时发车，有时候直接不来。
R 已协调客运公司在早晚高峰增加班次。
= 商贸旅游 / 市场监管 / 物价监督 | 1 | hotline
T 反映商户价格不明码标价
T {spot}超市价格欺诈
D {spot}附近有商户卖东西不标价，结账时比说的贵。
D 超市标签价和结账价不一致，多收了钱。
R 市场监管部门已现场检查，责令商户明码标价并退还多收款项。
= 卫生计生 / 食品药品监管 / 食品安全 | 2 | hotline
T 反映餐馆卫生差
T {spot}附近食品过期
D {road}一家小饭馆后厨卫生很差，吃完后肚子不舒服。
D 在{spot}附近的小卖部买到了过期食品。
R 执法人员已现场检查，对商户立案调查并督促整改。
"""


def _parse(source: str) -> dict[str, Texts]:
    blocks: dict[str, dict] = {}
    current = None
    for line in source.strip().splitlines():
        mark, _space, text = line.partition(" ")
        if mark == "=":
            name, weight, *flags = [part.strip() for part in text.split("|")]
            current = blocks[name] = {
                "weight": float(weight),
                "hotline": "hotline" in flags,
                "T": [],
                "D": [],
                "R": [],
            }
        else:
            current[mark].append(text)
    return {
        name: Texts(b["weight"], tuple(b["T"]), tuple(b["D"]), tuple(b["R"]), b["hotline"])
        for name, b in blocks.items()
    }


TEXTS: dict[str, Texts] = _parse(STORIES)

REJECT_REASONS = (
    "反映事项属于民事合同纠纷，不属于受理范围，已告知通过诉讼途径解决。",
    "所述位置信息不全，经电话联系无法核实具体地点。",
    "反映事项已由相关部门依法处理完毕，不再重复受理。",
)
RETURN_REASONS = (
    "该事项不属于本单位职责范围，请重新派遣。",
    "经现场核实，该点位产权属于其他单位，申请退回。",
)
ESCALATE_REASONS = ("涉及多个部门职责，需上级指挥中心统筹协调。", "问题较为复杂，需提级处理。")
VERIFY_FAIL_REASONS = ("现场核查问题仍未彻底解决。", "复核发现整改不到位，需重新处理。")
SUPERVISE_NOTES = (
    "该件已超期，请加快办理并及时反馈。",
    "请责任单位主要负责同志亲自过问，尽快办结。",
)
EXTENSION_REASONS = (
    "需协调多个部门并等待材料，申请延期办理。",
    "维修所需配件需外地调货，申请延期。",
)
GOOD_COMMENTS = ("处理很及时，谢谢！", "问题解决了，很满意。", "", "")
BAD_COMMENTS = (
    "问题没有根本解决，过几天又出现了。",
    "处理太慢了，而且没有人回复。",
    "现场还是老样子。",
)
# Categories a camera or sensor can raise.
SENSOR_CATEGORIES = frozenset(
    {"道路与井盖 / 道路积水", "道路与井盖 / 违章停车", "市容环境 / 占道经营", "安全生产 / 消防隐患"}
)
GRID_CHANNELS = (
    (Channel.GRID_WORKER, 50),
    (Channel.QUICK_REPORT, 24),
    (Channel.HOTLINE, 15),
    (Channel.API, 4),
    (Channel.OPEN311, 3),
    (Channel.SENSOR, 4),
)
HOTLINE_CHANNELS = (
    (Channel.HOTLINE, 70),
    (Channel.QUICK_REPORT, 15),
    (Channel.API, 8),
    (Channel.OPEN311, 7),
)
HOUR_WEIGHTS = (
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.2,
    3,
    6,
    8,
    8,
    7,
    5,
    5,
    7,
    7,
    7,
    6,
    5,
    4,
    3,
    2.5,
    2,
    1.5,
)


def words(rng: random.Random) -> dict:
    """The particulars of one report: the same road and spot in its title, text and result."""
    return {
        "road": rng.choice(ROADS),
        "spot": rng.choice(SPOTS),
        "time": rng.choice(TIMES),
        "n": rng.randint(1, 30),
    }


def render(template: str, particulars: dict) -> str:
    return template.format(**particulars)


# --- reference data, read once --------------------------------------------------------------


@dataclass
class GridInfo:
    id: int
    code: str
    region_path: str
    community_id: int
    weight: float
    polygon: object
    county: str
    township_name: str


@dataclass
class CategoryInfo:
    id: int
    code: str
    name: str
    texts: Texts
    level: str | None
    sla: object
    urgent_sla: object
    obj: Category = field(repr=False, default=None)
    owner_id: int | None = None  # the effective owner: route_owner's fallback
    function: str = ""  # the department function a county-department rule looks for


class Reference:
    """Everything the stories need from the database, read in a handful of queries."""

    def __init__(self, grids, categories: list[CategoryInfo]):
        self.grids = grids
        self.categories = categories
        self.policies = {
            p.channel: (p.auto_accept, p.auto_dispatch) for p in ChannelPolicy.objects.all()
        }
        self.orgs = {
            o["id"]: o
            for o in Organisation.objects.filter(is_active=True).values(
                "id", "code", "name", "kind"
            )
        }
        staff = defaultdict(list)
        for org_id, user_id, role in (
            Membership.objects.filter(user__is_active=True, organisation__is_active=True)
            .order_by("id")
            .values_list("organisation_id", "user_id", "role")
        ):
            staff[(org_id, role)].append(user_id)
        self.staff = staff
        self.member_org = {}
        for user_id, org_id in Membership.objects.filter(role=Role.GRID_WORKER).values_list(
            "user_id", "organisation_id"
        ):
            self.member_org.setdefault(user_id, org_id)
        self.grid_worker = {}
        for grid_id, user_id in GridAssignment.objects.order_by("id").values_list(
            "grid_id", "user_id"
        ):
            self.grid_worker.setdefault(grid_id, user_id)
        operators = [
            u for (_o, role), users in staff.items() if role == Role.HOTLINE_OPERATOR for u in users
        ]
        self.operator = min(operators) if operators else None
        self.display = dict(
            User.objects.filter(pk__in=set(self.grid_worker.values())).values_list(
                "pk", "display_name"
            )
        )
        self.served = defaultdict(set)  # organisation kind → region codes its units serve
        for kind, code in Organisation.regions.through.objects.filter(
            organisation__is_active=True
        ).values_list("organisation__kind", "region__code"):
            self.served[kind].add(code)
        self._commands: dict[tuple, int | None] = {}
        self._owners: dict[tuple, int | None] = {}
        self._upper: dict[int, int | None] = {}
        self.departments = defaultdict(list)  # county code → its departments (for returns)
        for org_id, code in (
            Organisation.objects.filter(
                is_active=True, kind=OrganisationKind.DEPARTMENT, regions__level=RegionLevel.COUNTY
            )
            .order_by("code")
            .values_list("id", "regions__code")
        ):
            self.departments[code].append(org_id)

    def first(self, org_id, *roles) -> int | None:
        for role in roles:
            users = self.staff.get((org_id, role))
            if users:
                return users[0]
        return None

    def _served(self, kind: str, region_path: str) -> tuple:
        """The codes on the path that some unit of ``kind`` serves. routing's ``_serving``
        answers from these alone, so two paths with the same codes here get the same unit:
        a cache key that saves a routing call per grid."""
        return tuple(c for c in region_path.strip("/").split("/") if c in self.served[kind])

    def command_for(self, region_path: str) -> int | None:
        key = self._served(OrganisationKind.COMMAND_CENTRE, region_path)
        if key not in self._commands:
            found = routing.command_for(region_path)
            self._commands[key] = found.pk if found else None
        return self._commands[key]

    def owner_for(self, category: CategoryInfo, region_path: str) -> int | None:
        kind = {
            HandlingLevel.COMMUNITY: OrganisationKind.COMMUNITY,
            HandlingLevel.TOWNSHIP: OrganisationKind.TOWNSHIP,
            HandlingLevel.COUNTY_DEPARTMENT: OrganisationKind.DEPARTMENT,
        }.get(category.level)
        place = self._served(kind, region_path) if kind else ()
        key = (category.level, category.function, category.owner_id, place)
        if key not in self._owners:
            found = routing.route_owner(Case(category=category.obj, region_path=region_path))
            self._owners[key] = found.pk if found else None
        return self._owners[key]

    def upper_command(self, command_id: int | None) -> int | None:
        if command_id not in self._upper:
            probe = Case(command=Organisation.objects.get(pk=command_id))
            found = routing.upper_command(probe)
            self._upper[command_id] = found.pk if found else None
        return self._upper[command_id]


def category_infos() -> list[CategoryInfo]:
    found = {
        c.full_name: c
        for c in Category.objects.filter(full_name__in=list(TEXTS), enabled=True).select_related(
            "parent__parent"
        )
    }
    infos = []
    for name, texts in TEXTS.items():
        category = found.get(name)
        if category is None:
            continue
        rule = routing.rule_for(category)
        normal = routing.sla_for(Case(category=category, is_urgent=False))
        urgent = routing.sla_for(Case(category=category, is_urgent=True))
        owner = routing.effective_owner(category)
        function = (rule.department_function if rule else "") or (owner.function if owner else "")
        infos.append(
            CategoryInfo(
                category.pk,
                category.code,
                name,
                texts,
                rule.level if rule else None,
                normal,
                urgent,
                category,
                owner.pk if owner else None,
                function,
            )
        )
    return infos


def grid_infos(grids) -> list[GridInfo]:
    rows = list(
        grids.filter(is_active=True, boundary__isnull=False)
        .order_by("id")
        .values("id", "code", "region_path", "community_id", "boundary")
    )
    codes = {code for r in rows for code in r["region_path"].strip("/").split("/")}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    infos = []
    for r in rows:
        by_level = {regions.get(c): c for c in r["region_path"].strip("/").split("/")}
        county = by_level.get(RegionLevel.COUNTY, "")
        township = names.get(by_level.get(RegionLevel.TOWNSHIP), "")
        weight = COUNTY_WEIGHTS.get(county, OTHER_COUNTY_WEIGHT)
        if township.endswith(("镇", "街道")):
            weight *= TOWN_WEIGHT
        infos.append(
            GridInfo(
                r["id"],
                r["code"],
                r["region_path"],
                r["community_id"],
                weight,
                shape(r["boundary"]),
                county,
                township,
            )
        )
    # Spread a county's weight over its grids, so a county with many grids is not favoured.
    per_county = Counter(g.county for g in infos)
    for g in infos:
        g.weight /= per_county[g.county]
    return infos


# --- the stories -------------------------------------------------------------------------

P_MERGE = 0.12  # of the cases a dispatcher looks at before dispatch (not auto-dispatched)
P_REJECT = 0.083  # idem: about 5% of all cases
P_ESCALATE = 0.04
P_RETURN = 0.05
P_LATE_SIGN = 0.07
P_OVERDUE = 0.08  # plus the few pushed past the deadline by office hours: about 8%
P_EXTENSION = 0.04
P_VERIFY_FAIL = 0.03
P_CALLBACK = 0.85
P_REOPEN = 0.5  # of the unhappy callbacks
MERGE_WINDOW = timedelta(days=5)
P_STALL = 0.3  # of the cases reported within STALL_WINDOW: still waiting at some step
STALL_WINDOW = timedelta(days=12)


@dataclass
class Step:
    at: datetime
    action: str
    who: str  # reporter | platform | command | owner | verifier | caller
    params: dict = field(default_factory=dict)


@dataclass
class Draft:
    index: int
    created_at: datetime
    category: CategoryInfo
    grid: GridInfo
    lng: float
    lat: float
    channel: str
    is_urgent: bool = False
    reporter_id: int | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    is_anonymous: bool = False
    entered_by_id: int | None = None
    title: str = ""
    description: str = ""
    address: str = ""
    number: str = ""
    command_id: int | None = None
    owner_id: int | None = None  # the lead unit routing gives
    words: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    states: list = field(default_factory=list)  # (at, state) after each step
    supports: list = field(default_factory=list)  # (user id, at): 我也遇到 from the hint


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A log-uniform delay: most things happen soon, a few take much longer."""
    return timedelta(minutes=low * (high / low) ** rng.random())


def _office(moment: datetime) -> datetime:
    """Departments on working-day deadlines work office hours: a finish at night is moved to
    the next morning (keeping its minutes, so finishes do not all land at 08:30)."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    morning = datetime.combine(day, dt_time(8, 30), tzinfo=local.tzinfo)
    return morning + timedelta(minutes=local.minute, seconds=local.second)


def _sla(d: Draft):
    return d.category.urgent_sla if d.is_urgent else d.category.sla


def _deadlines(sla, start):
    """As ``routing.deadlines`` for this case's SLA policy."""
    if sla is None:
        return None, None
    return (
        _deadline(start, sla.sign_for_value, sla.sign_for_unit),
        _deadline(start, sla.resolve_value, sla.resolve_unit),
    )


def _deadline(start: datetime, value: int, unit: str) -> datetime:
    if unit != workdays.WORKDAYS:
        return workdays.deadline(start, value, unit)
    # A working-day deadline depends on the local date only; the calendar lookups are slow.
    return _workday_deadline(timezone.localdate(start), value)


@lru_cache(maxsize=2048)
def _workday_deadline(day, value: int) -> datetime:
    noon = datetime.combine(day, dt_time(12), tzinfo=timezone.get_current_timezone())
    return workdays.deadline(noon, value, workdays.WORKDAYS)


def _story(rng: random.Random, d: Draft, ref: Reference, merge_into: Draft | None) -> list:
    t = d.created_at
    steps = [Step(t, "report", "reporter")]
    auto_accept, auto_dispatch = ref.policies.get(d.channel, (False, False))
    if auto_accept:
        t += timedelta(milliseconds=4)
        steps.append(Step(t, "accept", "platform", {"note": _(notes.AUTO_ACCEPTED)}))
    if auto_accept and auto_dispatch and d.owner_id is not None:
        t += timedelta(milliseconds=4)
        return _handle(rng, d, ref, t, steps, "platform")
    t += _minutes(rng, 3, 180)
    if merge_into is not None:
        steps.append(Step(t, "merge", "command", {"into": merge_into}))
        return steps
    roll = rng.random()
    if roll < P_REJECT:
        steps.append(Step(t, "reject", "command", {"reason": rng.choice(REJECT_REASONS)}))
        return steps
    if not auto_accept:
        steps.append(Step(t, "accept", "command"))
        t += _minutes(rng, 3, 90)
    if roll < P_REJECT + P_ESCALATE and ref.upper_command(d.command_id):
        steps.append(Step(t, "escalate", "command", {"reason": rng.choice(ESCALATE_REASONS)}))
        t += _minutes(rng, 30, 600)
    return _handle(rng, d, ref, t, steps, "command")


def _handle(rng, d: Draft, ref: Reference, t: datetime, steps: list, who: str, again=False):
    """Dispatch, sign for, resolve, verify and (maybe) rate; reopened cases go round again."""
    t = _work(rng, d, ref, t, steps, who, allow_return=not again)
    if rng.random() < P_VERIFY_FAIL and not again:
        steps.append(
            Step(t, "verify_fail", "verifier", {"reason": rng.choice(VERIFY_FAIL_REASONS)})
        )
        t = _work(rng, d, ref, t + _minutes(rng, 60, 600), steps, "command", allow_return=False)
    steps.append(Step(t, "verify_pass", "verifier"))
    if rng.random() >= (P_CALLBACK if not again else 0.7):
        return steps
    t += _minutes(rng, 120, 4320)
    late = any(s.action == "supervise" for s in steps) or rng.random() < 0.08
    choice = rng.random()
    if again:
        satisfaction = Satisfaction.SATISFIED if choice < 0.75 else Satisfaction.BASIC
    elif choice < (0.55 if late else 0.81):
        satisfaction = Satisfaction.SATISFIED
    elif choice < (0.82 if late else 0.94):
        satisfaction = Satisfaction.BASIC
    else:
        satisfaction = Satisfaction.UNSATISFIED
    unhappy = satisfaction == Satisfaction.UNSATISFIED
    resolved = rng.random() < (
        0.3 if unhappy else 0.96 if satisfaction == Satisfaction.BASIC else 1
    )
    reopen = (unhappy or not resolved) and not again and rng.random() < P_REOPEN
    comment = rng.choice(BAD_COMMENTS if unhappy or not resolved else GOOD_COMMENTS)
    steps.append(
        Step(
            t,
            "callback",
            "caller",
            {
                "satisfaction": satisfaction,
                "resolved": resolved,
                "comment": comment,
                "reopen": reopen,
            },
        )
    )
    if reopen:
        return _handle(rng, d, ref, t + _minutes(rng, 60, 720), steps, "command", again=True)
    return steps


def _work(rng, d: Draft, ref: Reference, t, steps, who, *, allow_return) -> datetime:
    """From dispatch to resolution; returns when the verifier comes."""
    alternatives = [o for o in ref.departments.get(d.grid.county, []) if o != d.owner_id]
    if allow_return and alternatives and rng.random() < P_RETURN:
        steps.append(Step(t, "dispatch", who, {"organisation": rng.choice(alternatives)}))
        t += _minutes(rng, 30, 480)
        steps.append(Step(t, "return", "owner", {"reason": rng.choice(RETURN_REASONS)}))
        t += _minutes(rng, 20, 240)
        who = "command"
    steps.append(Step(t, "dispatch", who, {"organisation": d.owner_id}))
    sla = _sla(d)
    sign_due, due = _deadlines(sla, t)
    if sign_due is None:
        sign_due, due = t + timedelta(hours=2), t + timedelta(days=5)
    factor = rng.uniform(1.05, 3.0) if rng.random() < P_LATE_SIGN else rng.uniform(0.03, 0.9)
    t = t + (sign_due - t) * factor
    steps.append(Step(t, "sign_for", "owner"))
    start = t
    by_workdays = sla is not None and sla.resolve_unit == workdays.WORKDAYS
    if (
        by_workdays
        and rng.random() < P_EXTENSION
        and ref.first(d.owner_id, Role.HANDLER, Role.LEADER)
    ):
        asked = t + (due - t) * rng.uniform(0.3, 0.8)
        new_due = _deadline(due, 5, workdays.WORKDAYS)
        steps.append(
            Step(
                asked,
                "request_extension",
                "owner",
                {"new_due": new_due, "reason": rng.choice(EXTENSION_REASONS)},
            )
        )
        start = asked + _minutes(rng, 60, 1440)
        approve = rng.random() < 0.8
        steps.append(Step(start, "decide_extension", "command", {"approve": approve}))
        if approve:
            due = new_due
    if rng.random() < P_OVERDUE:
        resolved = max(due, start) + _minutes(rng, 60, 4 * 1440)
        if rng.random() < 0.6:
            steps.append(
                Step(
                    due + (resolved - due) * rng.uniform(0.1, 0.6),
                    "supervise",
                    "command",
                    {"note": rng.choice(SUPERVISE_NOTES)},
                )
            )
    else:
        resolved = start + max(due - start, timedelta(minutes=10)) * rng.uniform(0.05, 0.95)
        if by_workdays:
            resolved = _office(resolved)
    texts = d.category.texts
    result = render(rng.choice(texts.results), d.words)
    steps.append(Step(resolved, "resolve", "owner", {"result": result}))
    return resolved + _minutes(rng, 30, 1800)


# --- replaying a story as the workflow would have recorded it ------------------------------


class Replay:
    """Applies a story's steps to a case as ``cases.actions`` would (same fields, same
    rules), interleaving the warnings and overdue notices the deadline scan would have sent,
    and stops at ``now``."""

    def __init__(self, rng: random.Random, d: Draft, ref: Reference, now: datetime):
        self.rng, self.d, self.ref, self.now = rng, d, ref, now
        self.s = dict(
            state="",
            command_id=d.command_id,
            owner_id=None,
            dispatched_at=None,
            signed_at=None,
            resolved_at=None,
            closed_at=None,
            sign_for_due=None,
            resolve_due=None,
            sign_for_met=None,
            resolve_met=None,
            is_overdue=False,
            warned_at=None,
            overdue_notified_at=None,
            supervision_count=0,
            result="",
            merged_into=None,
        )
        self.since = d.created_at
        self.pending = None  # the extension request waiting for a decision

    def run(self, steps: list) -> None:
        for step in steps:
            if step.at > self.now:
                break
            self._scan(until=step.at)
            self._apply(step)
        self._scan(until=self.now, final=True)
        self.d.fields = dict(self.s, updated_at=self.d.events[-1]["at"])

    # The deadline scan, as cases.deadlines.scan would have run it every SCAN_EVERY seconds;
    # the final pass is the scan at ``now``, so a real scan right after the load finds nothing.
    def _scan(self, *, until: datetime, final: bool = False) -> None:
        s = self.s
        while True:
            fire = None
            if (
                s["state"] in RESOLVE_STATES
                and s["resolve_due"]
                and s["dispatched_at"]
                and s["warned_at"] is None
                and not s["is_overdue"]
            ):
                window = max((s["resolve_due"] - s["dispatched_at"]) * WARN_SHARE, WARN_MIN)
                at = self._tick(max(s["resolve_due"] - window, self.since), until, final, False)
                if at is not None and at < s["resolve_due"]:
                    fire = (at, "deadline_warning")
            if s["overdue_notified_at"] is None:
                thresholds = [s["sign_for_due"]] if s["state"] in SIGN_FOR_STATES else []
                if s["state"] in RESOLVE_STATES:
                    thresholds.append(s["resolve_due"])
                thresholds = [t for t in thresholds if t is not None]
                if thresholds:
                    at = self._tick(max(min(thresholds), self.since), until, final, True)
                    if at is not None and (fire is None or at < fire[0]):
                        fire = (at, "overdue")
            if fire is None or fire[0] > until or (fire[0] == until and not final):
                return
            at, action = fire
            if action == "overdue":
                s["overdue_notified_at"], s["is_overdue"] = at, True
            else:
                s["warned_at"] = at
            self._event(action, at, (None, None), s["state"], public=False)

    def _tick(self, threshold: datetime, until: datetime, final: bool, strict: bool):
        """When the watcher notices a threshold: up to SCAN_EVERY seconds after it. On the
        final pass the scan runs at ``until`` itself: due (strictly, for overdue) or not."""
        at = threshold + timedelta(seconds=self.rng.uniform(1, SCAN_EVERY))
        if final and at > until:
            due = threshold < until if strict else threshold <= until
            return until if due else None
        return at

    def _who(self, who: str):
        s, ref, d = self.s, self.ref, self.d
        if who == "reporter":
            if d.reporter_id is None and d.entered_by_id:  # a call: the operator who took it
                return d.entered_by_id, ref.member_org.get(d.entered_by_id)
            return d.reporter_id, ref.member_org.get(d.reporter_id)
        if who == "command":
            return ref.first(s["command_id"], Role.DISPATCHER), s["command_id"]
        if who == "owner":
            return ref.first(s["owner_id"], Role.HANDLER, Role.LEADER), s["owner_id"]
        if who == "verifier":
            worker = ref.grid_worker.get(d.grid.id)
            if worker:
                return worker, ref.member_org.get(worker)
            return ref.first(s["command_id"], Role.DISPATCHER), s["command_id"]
        if who == "caller":
            if d.reporter_id and self.rng.random() < 0.6:
                return d.reporter_id, None
            operator = ref.operator or ref.first(s["command_id"], Role.DISPATCHER)
            return operator, None
        return None, None

    def _clear(self) -> None:
        for key in (
            "sign_for_due",
            "resolve_due",
            "signed_at",
            "resolved_at",
            "sign_for_met",
            "resolve_met",
            "warned_at",
            "overdue_notified_at",
        ):
            self.s[key] = None
        self.s["is_overdue"] = False

    def _apply(self, step: Step) -> None:
        s, d, at, p = self.s, self.d, step.at, step.params
        actor = self._who(step.who)  # before the step: a returning unit is still the owner
        before, note, data, public = s["state"], "", {}, True
        action = step.action
        if action == "report":
            s["state"] = S.REPORTED
            data = {"channel": d.channel, "grid": d.grid.code}
        elif action == "accept":
            note, s["state"] = p.get("note", ""), S.ACCEPTED
        elif action == "reject":
            note, s["closed_at"], s["state"] = p["reason"], at, S.REJECTED
        elif action == "dispatch":
            org = self.ref.orgs[p["organisation"]]
            self._clear()
            s["owner_id"], s["dispatched_at"] = org["id"], at
            s["sign_for_due"], s["resolve_due"] = _deadlines(_sla(d), at)
            s["state"] = S.DISPATCHED
            data = {
                "organisation": org["code"],
                "organisation_name": org["name"],
                "sign_for_due": _iso(s["sign_for_due"]),
                "resolve_due": _iso(s["resolve_due"]),
            }
        elif action == "sign_for":
            s["signed_at"] = at
            s["sign_for_met"] = s["sign_for_due"] is None or at <= s["sign_for_due"]
            if s["resolve_due"] is None or at < s["resolve_due"]:
                s["is_overdue"], s["overdue_notified_at"] = False, None
            s["state"] = S.IN_PROGRESS
        elif action == "return":
            note, previous = p["reason"], self.ref.orgs[s["owner_id"]]["code"]
            self._clear()
            s["owner_id"], s["state"] = None, S.RETURNED
            data = {"organisation": previous}
        elif action == "resolve":
            note = s["result"] = p["result"]
            s["resolved_at"] = at
            s["resolve_met"] = s["resolve_due"] is None or at <= s["resolve_due"]
            s["state"] = S.RESOLVED
        elif action == "verify_pass":
            s["closed_at"], s["state"] = at, S.CLOSED
            s["is_overdue"] = False if s["resolve_met"] else s["is_overdue"]
        elif action == "verify_fail":
            note, s["resolved_at"], s["resolve_met"], s["state"] = (
                p["reason"],
                None,
                None,
                S.REOPENED,
            )
        elif action == "escalate":
            upper = self.ref.upper_command(s["command_id"])
            data = {
                "from": self.ref.orgs[s["command_id"]]["code"],
                "to": self.ref.orgs[upper]["code"],
            }
            note, s["command_id"], s["state"] = p["reason"], upper, S.ESCALATED
        elif action == "merge":
            target = p["into"]
            s["merged_into"], s["closed_at"], s["state"] = target.index, at, S.MERGED
            data = {"into": target.number}
            target_state = _state_at(target, at)
            target.events.append(
                _row(
                    target,
                    "merged_in",
                    at,
                    actor,
                    target_state,
                    target_state,
                    "",
                    {"case": d.number},
                    False,
                )
            )
            if target.fields["updated_at"] < at:  # a target left waiting: the merge is its news
                target.fields["updated_at"] = at
        elif action == "supervise":
            s["supervision_count"] += 1
            note, data = p["note"], {"count": s["supervision_count"]}
        elif action == "request_extension":
            self.pending = {
                "requested_by_id": actor[0],
                "new_due": p["new_due"],
                "reason": p["reason"],
                "status": ExtensionStatus.PENDING,
                "decided_by_id": None,
                "decided_at": None,
                "created_at": at,
                "updated_at": at,
            }
            d.extensions.append(self.pending)
            note, public = p["reason"], False
            data = {"request": self.pending, "new_due": _iso(p["new_due"])}
        elif action == "decide_extension":
            request, self.pending = self.pending, None
            approve = p["approve"]
            request.update(
                status=ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED,
                decided_by_id=actor[0],
                decided_at=at,
                updated_at=at,
            )
            if approve:
                s["resolve_due"] = request["new_due"]
                if at < request["new_due"]:
                    s["is_overdue"], s["warned_at"], s["overdue_notified_at"] = False, None, None
            public = False
            data = {"request": request, "approved": approve, "new_due": _iso(request["new_due"])}
        elif action == "callback":
            by_phone = actor[0] is None or actor[0] != d.reporter_id
            d.callbacks.append(
                {
                    "resolved": p["resolved"],
                    "satisfaction": p["satisfaction"],
                    "comment": p["comment"],
                    "by_phone": by_phone,
                    "recorded_by_id": actor[0],
                    "created_at": at,
                    "updated_at": at,
                }
            )
            note = p["comment"]
            data = {
                "resolved": p["resolved"],
                "satisfaction": p["satisfaction"],
                "by_phone": by_phone,
                "reopened": p["reopen"],
            }
            if p["reopen"]:
                s["closed_at"], s["state"] = None, S.REOPENED
        self.since = at
        self._event(action, at, actor, before, note=note, data=data, public=public)

    def _event(self, action, at, actor, before, note="", data=None, public=True) -> None:
        self.d.events.append(
            _row(self.d, action, at, actor, before, self.s["state"], note, data or {}, public)
        )
        self.d.states.append((at, self.s["state"]))


def _row(d: Draft, action, at, actor, before, after, note, data, public) -> dict:
    return {
        "draft": d,
        "action": action,
        "at": at,
        "actor_id": actor[0],
        "actor_organisation_id": actor[1],
        "from_state": before,
        "to_state": after,
        "note": note,
        "data": data,
        "is_public": public,
    }


def _iso(moment):
    return moment.isoformat() if moment else None


def _state_at(d: Draft, moment: datetime) -> str:
    state = ""
    for at, after in d.states:
        if at > moment:
            break
        state = after
    return state


# --- drawing the cases -----------------------------------------------------------------------


def ensure_residents(count: int = RESIDENTS) -> list[tuple[int, str, str]]:
    """Synthetic residents ``res0001``… who report through the app (no password: they are
    reporters in the demo, not logins). Returns (id, name, mobile) in user-name order."""
    wanted = [f"{RESIDENT_PREFIX}{i:04d}" for i in range(1, count + 1)]
    have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    unusable = make_password(None)
    new = []
    for username in wanted:
        if username not in have:
            name, _male = synthetic_name(random.Random(f"gongzhi-demo-resident:{username}"))
            new.append(
                User(
                    username=username,
                    password=unusable,
                    display_name=name,
                    mobile=synthetic_mobile(username),
                )
            )
    User.objects.bulk_create(new, batch_size=500)
    return list(
        User.objects.filter(username__in=wanted)
        .order_by("username")
        .values_list("pk", "display_name", "mobile")
    )


def _times(rng: random.Random, count: int, now: datetime, days: int) -> list[datetime]:
    """Report times over the last ``days``: busier lately and by day, quieter at weekends."""
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    day_weights = []
    for ago in range(days):
        day = today - timedelta(days=ago)
        weight = 1 + 0.4 * (1 - ago / days)
        day_weights.append(weight * (0.75 if day.weekday() >= 5 else 1))
    found = []
    while len(found) < count:
        ago = rng.choices(range(days), weights=day_weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        day = today - timedelta(days=ago)
        moment = datetime.combine(day, dt_time(hour), tzinfo=tz) + timedelta(
            seconds=rng.uniform(0, 3600)
        )
        if moment < now - timedelta(minutes=2):
            found.append(moment)
    return sorted(found)


def points_in(rng: random.Random, grid: GridInfo, k: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = grid.polygon.bounds
    found: list[tuple[float, float]] = []
    for _attempt in range(20):
        xs = [rng.uniform(minx, maxx) for _ in range(3 * k + 4)]
        ys = [rng.uniform(miny, maxy) for _ in range(3 * k + 4)]
        inside = shapely.contains_xy(grid.polygon, xs, ys)
        found += [(round(x, 6), round(y, 6)) for x, y, ok in zip(xs, ys, inside, strict=True) if ok]
        if len(found) >= k:
            return found[:k]
    point = grid.polygon.representative_point()
    return (found + [(round(point.x, 6), round(point.y, 6))] * k)[:k]


MIXED_SHARE = 0.12  # reports that raise two unrelated matters at once
MIXED_TITLES = ("来电反映多个问题", "反映两个问题", "多个问题请一并处理", "群众反映身边问题")


def _place(rng, d: Draft, ref: Reference, residents) -> None:
    """Who reported it, through which channel, in which words."""
    texts, name = d.category.texts, d.category.name
    mix = HOTLINE_CHANNELS if texts.hotline else GRID_CHANNELS
    d.channel = rng.choices([c for c, _w in mix], weights=[w for _c, w in mix])[0]
    if d.channel == Channel.SENSOR and name not in SENSOR_CATEGORIES:
        d.channel = Channel.GRID_WORKER
    if d.channel == Channel.GRID_WORKER and d.grid.id not in ref.grid_worker:
        d.channel = Channel.QUICK_REPORT
    if d.channel == Channel.GRID_WORKER:
        d.reporter_id = ref.grid_worker[d.grid.id]
    elif d.channel in (Channel.HOTLINE, Channel.OPEN311):
        caller, _male = synthetic_name(rng)
        d.reporter_name, d.reporter_phone = caller, synthetic_mobile(f"caller-{d.index}")
        d.entered_by_id = ref.operator if d.channel == Channel.HOTLINE else None
        d.is_urgent = d.channel == Channel.HOTLINE and rng.random() < 0.03
    elif d.channel in (Channel.QUICK_REPORT, Channel.API):
        if rng.random() < 0.06:
            d.is_anonymous = True
        elif residents:
            d.reporter_id = rng.choice(residents)[0]
    d.words = words(rng)
    d.title = render(rng.choice(texts.titles), d.words)[:120]
    d.description = render(rng.choice(texts.descriptions), d.words)
    if d.channel in (Channel.HOTLINE, Channel.QUICK_REPORT) and rng.random() < MIXED_SHARE:
        # A caller raises two matters, the pressing one (the category chosen) last: triage
        # reads the first and disagrees, and the report waits in the dispatcher's queue.
        other = rng.choice([c for c in ref.categories if c.name != name] or ref.categories)
        first = render(rng.choice(other.texts.descriptions), words(rng))
        d.description = f"{first}还有，{d.description}"
        d.title = rng.choice(MIXED_TITLES)
    d.address = f"{d.grid.township_name}{d.words['road']}{rng.randint(1, 200)}号附近"


def _draw(rng, ref: Reference, count: int, now, days: int, residents) -> list[Draft]:
    moments = _times(rng, count, now, days)
    cat_weights = [c.texts.weight for c in ref.categories]
    grids = rng.choices(ref.grids, weights=[g.weight for g in ref.grids], k=count)
    drafts = []
    for index, (moment, grid) in enumerate(zip(moments, grids, strict=True)):
        command = ref.command_for(grid.region_path)
        for _attempt in range(10):  # a category nobody handles here is not what people report
            category = rng.choices(ref.categories, weights=cat_weights)[0]
            owner = ref.owner_for(category, grid.region_path)
            if owner is not None:
                break
        else:
            owner = command
        d = Draft(index, moment, category, grid, 0.0, 0.0, "", command_id=command, owner_id=owner)
        _place(rng, d, ref, residents)
        drafts.append(d)
    by_grid = defaultdict(list)
    for d in drafts:
        by_grid[d.grid.id].append(d)
    for grid_drafts in by_grid.values():
        for d, (lng, lat) in zip(
            grid_drafts, points_in(rng, grid_drafts[0].grid, len(grid_drafts)), strict=True
        ):
            d.lng, d.lat = lng, lat
    _gather(rng, drafts, ref, now, residents)
    _check_points(rng, drafts)
    return drafts


# Places many people wrote about in the last weeks: what the hotspot page should surface.
# (category, place, titles, description); {n} is a building or door number.
GATHERINGS = (
    (
        "环境保护 / 环境污染 / 噪音污染",
        "丽景花园小区",
        (
            "丽景花园小区旁搅拌站夜间噪音扰民",
            "丽景花园搅拌站半夜施工太吵",
            "丽景花园附近搅拌站噪音",
        ),
        "丽景花园小区{n}号楼旁边的搅拌站每天晚上十一点以后还在作业，罐车进出轰鸣，"
        "老人孩子都睡不着，希望有关部门管一管。",
    ),
    (
        "公共设施 / 供暖问题",
        "湟水家园小区",
        ("湟水家园小区暖气不热", "湟水家园供暖温度不达标", "湟水家园{n}号楼暖气冰凉"),
        "湟水家园小区{n}号楼从开始供暖到现在室温只有十四五度，家里有老人，"
        "找物业说是管网问题，一直没有解决。",
    ),
    (
        "道路与井盖 / 道路积水",
        "南关街菜市场",
        ("南关街菜市场门口道路积水", "南关街菜市场污水横流", "菜市场门口积水无法通行"),
        "南关街菜市场门口下水道堵塞，污水漫到路面，{n}米长一段都是积水，行人只能踩着砖头过。",
    ),
    (
        "市容环境 / 露天烧烤与焚烧",
        "滨河公园",
        ("滨河公园夜市露天烧烤油烟大", "滨河公园烧烤摊油烟扰民", "滨河公园烧烤烟雾呛人"),
        "滨河公园东门一到晚上就有十几家露天烧烤，油烟飘到{n}号楼住户家里，窗户都不敢开。",
    ),
)
GATHER_DAYS = 30
GATHER_RADIUS_M = 150


def _gather(rng, drafts: list[Draft], ref: Reference, now, residents) -> None:
    """Turn some recent drafts into reports about a few places: each gathering takes one
    grid, one category and one spot, and 10–30 people write about it within a month."""
    by_name = {c.name: c for c in ref.categories}
    recent = [d for d in drafts if now - d.created_at <= timedelta(days=GATHER_DAYS)]
    rng.shuffle(recent)
    towns = [g for g in ref.grids if g.weight >= TOWN_WEIGHT] or ref.grids
    for category_name, place, titles, description in GATHERINGS:
        category = by_name.get(category_name)
        if category is None or not recent:
            continue
        grid = rng.choice(towns)
        if ref.owner_for(category, grid.region_path) is None:
            continue
        ((lng, lat),) = points_in(rng, grid, 1)
        take, recent = recent[: rng.randint(10, 30)], recent[30:]
        for d in take:
            d.category, d.grid = category, grid
            d.command_id = ref.command_for(grid.region_path)
            d.owner_id = ref.owner_for(category, grid.region_path)
            _place(rng, d, ref, residents)
            n = rng.randint(1, 30)
            d.title = rng.choice(titles).format(n=n)
            d.description = description.format(n=n)
            d.address = f"{grid.township_name}{place}"
            d.lng, d.lat = _near(rng, grid, lng, lat, GATHER_RADIUS_M)
        # Others who met the same problem added their voice from the intake hint instead.
        if take and residents:
            first = min(take, key=lambda d: d.created_at)
            people = rng.sample(residents, min(len(residents), rng.randint(5, 40)))
            first.supports = [
                (person[0], min(now, first.created_at + _minutes(rng, 30, 60 * 24 * 7)))
                for person in people
            ]


def _near(rng, grid: GridInfo, lng: float, lat: float, radius_m: float) -> tuple[float, float]:
    """A point within ``radius_m`` of one in ``grid``, and in the grid too: a point outside
    it would be moved to the grid's centre by ``_check_points``, hundreds of metres from
    the spot, and be taken for another place."""
    spread = radius_m / 111_320
    for _attempt in range(20):
        x = round(lng + rng.uniform(-spread, spread), 6)
        y = round(lat + rng.uniform(-spread, spread) * 0.8, 6)
        if shapely.contains_xy(grid.polygon, x, y):
            return x, y
    return lng, lat


def _check_points(rng, drafts: list[Draft]) -> None:
    """Every point must be found in its own grid by the same lookup intake uses."""
    lookup.invalidate()  # the grids may have been written in this very transaction
    hits = lookup.locate_many([d.lng for d in drafts], [d.lat for d in drafts])
    for d, grid_id in zip(drafts, hits.grid_id.tolist(), strict=True):
        if grid_id != d.grid.id:
            point = d.grid.polygon.representative_point()
            d.lng, d.lat = round(point.x, 6), round(point.y, 6)
    lookup.invalidate_on_commit()


def _number(drafts: list[Draft]) -> None:
    """HD-YYYYMMDD-NNNNNN per local day in report order, continuing each day's sequence and
    moving it on, so live intake carries on where the history stops."""
    prefix = settings.GONGZHI.get("CASE_PREFIX", "HD")
    by_day = defaultdict(list)
    for d in drafts:
        by_day[timezone.localdate(d.created_at)].append(d)
    existing = {
        seq.day: seq
        for seq in CaseNumberSequence.objects.select_for_update().filter(
            prefix=prefix, day__in=list(by_day)
        )
    }
    new = []
    for day, items in by_day.items():
        seq = existing.get(day)
        start = seq.last if seq else 0
        for i, d in enumerate(items, start=start + 1):
            d.number = f"{prefix}-{day:%Y%m%d}-{i:06d}"
        if seq:
            seq.last = start + len(items)
        else:
            new.append(CaseNumberSequence(prefix=prefix, day=day, last=len(items)))
    CaseNumberSequence.objects.bulk_update(list(existing.values()), ["last"])
    CaseNumberSequence.objects.bulk_create(new)


def _tell(rng, drafts: list[Draft], ref: Reference, now) -> None:
    """Draw and replay each story in report order (a merge needs its target's history)."""
    open_by_kind = defaultdict(list)  # (category, county) → earlier drafts
    for d in drafts:
        kind = (d.category.id, d.grid.county)
        target = None
        if rng.random() < P_MERGE:
            target = _merge_target(d, open_by_kind[kind])
        Replay(rng, d, ref, now).run(_stall(rng, _story(rng, d, ref, target), now))
        if d.fields["state"] not in (S.REJECTED, S.MERGED):
            open_by_kind[kind].append(d)


def _stall(rng, steps: list, now) -> list:
    """Leave some recent cases waiting where they are, so the live queues hold work in
    every state and a few open cases run past their deadline, as on a real morning."""
    if len(steps) < 2 or now - steps[0].at > STALL_WINDOW or rng.random() >= P_STALL:
        return steps
    cut = rng.randrange(1, len(steps))
    return steps[:cut]


def _merge_target(d: Draft, earlier: list[Draft]) -> Draft | None:
    merge_at = d.created_at + timedelta(minutes=3)  # at the earliest
    for candidate in reversed(earlier):
        if candidate.created_at < d.created_at - MERGE_WINDOW:
            break
        state = _state_at(candidate, merge_at)
        if (
            state
            and state not in FINAL_STATES
            and _state_at(candidate, merge_at + timedelta(hours=3)) not in FINAL_STATES
        ):
            return candidate
    return None


# --- writing -------------------------------------------------------------------------------


@contextmanager
def _as_recorded(*models):
    """Let bulk_create keep the historic times we give it. ``auto_now``/``auto_now_add``
    would stamp every row with the moment of loading. Only for this one-off, single-threaded
    load; the flags are restored even if the load fails."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


CASE_FIELDS = (
    "state",
    "command_id",
    "owner_id",
    "dispatched_at",
    "signed_at",
    "resolved_at",
    "closed_at",
    "sign_for_due",
    "resolve_due",
    "sign_for_met",
    "resolve_met",
    "is_overdue",
    "warned_at",
    "overdue_notified_at",
    "supervision_count",
    "result",
    "updated_at",
)


def _write(drafts: list[Draft], key_prefix: str) -> dict:
    with _as_recorded(Case, CaseEvent, Callback, ExtensionRequest, CaseSupport):
        cases = [
            Case(
                number=d.number,
                title=d.title,
                description=d.description,
                category_id=d.category.id,
                channel=d.channel,
                is_urgent=d.is_urgent,
                reporter_id=d.reporter_id,
                reporter_name=d.reporter_name,
                reporter_phone=d.reporter_phone,
                is_anonymous=d.is_anonymous,
                entered_by_id=d.entered_by_id,
                lng=d.lng,
                lat=d.lat,
                address=d.address,
                grid_id=d.grid.id,
                region_id=d.grid.community_id,
                region_path=d.grid.region_path,
                idempotency_key=f"{key_prefix}{d.index:06d}",
                created_at=d.created_at,
                **{k: d.fields[k] for k in CASE_FIELDS},
            )
            for d in drafts
        ]
        Case.objects.bulk_create(cases, batch_size=500)
        pks = {d.index: c.pk for d, c in zip(drafts, cases, strict=True)}
        merged = []
        for d, c in zip(drafts, cases, strict=True):
            if d.fields["merged_into"] is not None:
                c.merged_into_id = pks[d.fields["merged_into"]]
                merged.append(c)
        Case.objects.bulk_update(merged, ["merged_into"], batch_size=500)

        requests = []
        for d in drafts:
            for ext in d.extensions:
                requests.append(ExtensionRequest(case_id=pks[d.index], **ext))
                ext["pk_holder"] = requests[-1]
        ExtensionRequest.objects.bulk_create(requests, batch_size=500)

        events = []
        for d in drafts:
            for row in d.events:
                data = dict(row["data"])
                if isinstance(data.get("request"), dict):
                    data["request"] = data["request"]["pk_holder"].pk
                events.append(
                    CaseEvent(
                        case_id=pks[row["draft"].index],
                        at=row["at"],
                        actor_id=row["actor_id"],
                        actor_organisation_id=row["actor_organisation_id"],
                        action=row["action"],
                        from_state=row["from_state"],
                        to_state=row["to_state"],
                        note=row["note"],
                        data=data,
                        is_public=row["is_public"],
                    )
                )
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        callbacks = [Callback(case_id=pks[d.index], **cb) for d in drafts for cb in d.callbacks]
        Callback.objects.bulk_create(callbacks, batch_size=1000)
        supports = [
            CaseSupport(case_id=pks[d.index], user_id=user_id, created_at=at)
            for d in drafts
            for user_id, at in d.supports
            if user_id != d.reporter_id
        ]
        CaseSupport.objects.bulk_create(supports, batch_size=1000)
    return {
        "cases": len(cases),
        "events": len(events),
        "callbacks": len(callbacks),
        "extension_requests": len(requests),
        "supports": len(supports),
    }


# --- entry points --------------------------------------------------------------------------


def exists(key_prefix: str = DEMO_KEY_PREFIX) -> bool:
    return Case.objects.filter(idempotency_key__startswith=key_prefix).exists()


def generate(
    *,
    count: int,
    grids=None,
    now=None,
    seed: int = DEMO_SEED,
    days: int = DEMO_DAYS,
    key_prefix: str = DEMO_KEY_PREFIX,
) -> dict:
    """Create ``count`` historic cases in ``grids`` (a Grid queryset; default: all) over the
    ``days`` before ``now``. Creates nothing when cases with ``key_prefix`` keys exist."""
    started = time.monotonic()
    if exists(key_prefix):
        return {"cases": 0, "skipped": True}
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        places = grid_infos(grids if grids is not None else Grid.objects.all())
        categories = category_infos()
        if not places or not categories:
            return {"cases": 0, "skipped": True}
        residents = ensure_residents(RESIDENTS)
        ref = Reference(places, categories)
        drafts = _draw(rng, ref, count, now, days, residents)
        _give_the_demo_resident_reports(drafts, now)
        _number(drafts)
        _tell(rng, drafts, ref, now)
        counts = _write(drafts, key_prefix)
    counts["states"] = dict(Counter(d.fields["state"] for d in drafts).most_common())
    counts["seconds"] = round(time.monotonic() - started, 2)
    return counts


DEMO_RESIDENT_REPORTS = 6


def _give_the_demo_resident_reports(drafts: list[Draft], now) -> None:
    """The demo_resident login has a history of their own to open: the latest few 随手拍
    reports near the demo community (demo_grid's grids, then its township, then its county)
    become theirs, so that 我的上报, the tracking page and a callback can be shown."""
    resident = User.objects.filter(username="demo_resident").values_list("pk", flat=True).first()
    home = list(
        Grid.objects.filter(assignments__user__username="demo_grid").values_list(
            "id", "region_path"
        )
    )
    if resident is None or not home:
        return
    ids = {pk for pk, _path in home}
    parts = home[0][1].strip("/").split("/")
    township, county = "/" + "/".join(parts[:4]) + "/", "/" + "/".join(parts[:3]) + "/"

    def nearness(d: Draft) -> int:
        if d.grid.id in ids:
            return 0
        return 1 if d.grid.region_path.startswith(township) else 2

    since = now - timedelta(days=45)
    mine = [
        d
        for d in drafts
        if d.channel == Channel.QUICK_REPORT
        and not d.is_anonymous
        and d.created_at >= since
        and d.grid.region_path.startswith(county)
    ]
    mine.sort(key=lambda d: (nearness(d), -d.created_at.timestamp()))
    # Half from the last week (still being handled), half older (closed, some to rate).
    week = now - timedelta(days=7)
    half = DEMO_RESIDENT_REPORTS // 2
    recent = [d for d in mine if d.created_at >= week][:half]
    older = [d for d in mine if d.created_at < week][: DEMO_RESIDENT_REPORTS - len(recent)]
    for d in recent + older:
        d.reporter_id = resident


def city_grids():
    code = settings.GONGZHI.get("DEMO_CITY_CODE", "630200")
    city = Region.objects.filter(code=code).first()
    return Grid.objects.filter(region_path__startswith=city.path) if city else Grid.objects.none()


def load(*, stdout=None) -> dict:
    """The demo's history: DEMO_COUNT cases over DEMO_DAYS days in the demo city, once."""
    if exists():
        if stdout is not None:
            stdout.write("cases: demo cases already present, nothing created\n")
        return {"cases": 0, "skipped": True}
    holidays.load()  # the history's deadlines count on the same calendar as live ones
    counts = generate(count=DEMO_COUNT, grids=city_grids())
    counts["photos"] = demo_photos.attach(seed=DEMO_SEED)
    counts["notices"] = demo_notices.replay()
    if stdout is not None:
        stdout.write(
            f"cases: {counts['cases']} demo cases, {counts.get('events', 0)} timeline entries, "
            f"{counts.get('callbacks', 0)} callbacks, {counts['photos']} photos, "
            f"{counts['notices']} notices "
            f"({counts['seconds']} s)\n"
        )
    return counts
