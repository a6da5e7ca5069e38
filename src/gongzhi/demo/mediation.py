"""海东 demo disputes (矛盾纠纷): about 600 of the last year, and three months of 排查.

``load(stdout=None) -> dict`` (run by ``gongzhi demo load`` after the cases) registers
each dispute through ``services.do_register`` and takes it step by step through the
workflow table (``workflow.FLOW.transition``), each step dated when it happened and telling
nobody (``tell=False``): accepted or declined, mediated in one to four sessions by the
holding unit's mediator, settled with an agreement and its obligations (then checked:
performed, not performed, or still due), failed, withdrawn, or moved up a level by hand,
by risk or when its time at the level ran out, a few to the court. What the platform does
by itself is done by its own services, dated and silent as well: the watcher's moves up
(``services.escalate_overdue``) and performance reminders (``followup.remind_due``), a
risk judged too high moving the dispute up (``services.do_transition``), the screening
rounds set (``campaigns.do_create_campaign``). The risk comes from
the rule rows: the parties and words drawn for a dispute (threats, many people, a repeat,
a vulnerable party, petitions) make it what it is. Steps later than now are not taken, so
the last weeks' disputes are still in hand.

Every township runs a screening round (排查) each of the last three months; most grids
file their report (disputes found, or a zero report), some late, some not at all.

**Idempotent by marker**: every demo dispute carries ``external_ref`` ``demo-md-NNNN``;
when one exists, ``load`` creates nothing. The stories are deterministic for a seed and
anchored at the moment of loading. Steps of all disputes are taken in time order, so what
one step reads of others (a repeat, an agreement's number) is what it would have read.
"""

from __future__ import annotations

import heapq
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from gongzhi.accounts.models import Membership, Organisation, Role, User
from gongzhi.accounts.validators import id_check_digit
from gongzhi.demo.accounts import (
    COMMAND_CENTRE,
    JUSTICE_OFFICE,
    synthetic_mobile,
    synthetic_name,
    unit_code,
)
from gongzhi.mediation import campaigns as rounds
from gongzhi.mediation import followup, services
from gongzhi.mediation.choices import (
    AgreementForm,
    Confirmation,
    Level,
    PartyKind,
    Risk,
    Side,
    Source,
)
from gongzhi.mediation.models import (
    Agreement,
    Campaign,
    Dispute,
    DisputeEvent,
    DisputeType,
    GridReport,
    Obligation,
)
from gongzhi.mediation.workflow import FLOW
from gongzhi.regions.models import Grid, GridAssignment, Region, RegionLevel

MARK = "demo-md-"
DEMO_COUNT = 600
DEMO_DAYS = 365
DEMO_SEED = 20260416
ROUNDS = 3  # screening rounds: this month and the two before
DEMO_COUNTY = "630202"  # 乐都区: where the demo logins work, so it gets more disputes
HOME_DISPUTES = 9  # in the demo village mediator's own community

# -- what people say --------------------------------------------------------------------
#
# One block per dispute type: "= code | weight | lowest-highest yuan at stake (0: none)",
# then variants (V title, F facts, A what the applicant asks, B the respondent's answer,
# M the disputed matters, O obligations "a|b, what, how"), the type's session notes (S),
# why mediation failed (X), and why it was declined and where to go instead (D).
# {a} {b}: the parties as written in a record (马某); {amount} asked, {agreed} agreed,
# {n} a small number, {people} people on the applicant's side, {other} the other village.

TEXTS = """
= marriage_family | 12 | 5000-120000
V 子女赡养老人费用分担纠纷
F 申请人{a}年过六旬，老伴去世后独自生活，其子{b}等兄妹三人对赡养费分担和轮流照料意见不一，近半年无人按月给付，老人生病住院的费用也无人承担。
A 要求子女按月给付赡养费，并轮流照顾生活起居。
B 称自己在外务工收入不稳定，愿意出钱但要求兄妹平均分担。
M 老人赡养费的数额、分担比例和日常照料安排。
O b|自本月起每月10日前向申请人支付赡养费{n}百元|银行转账，村调委会留存凭证
O b|与兄妹按月轮流接老人到家中居住照料|每月1日交接
V 离婚后子女抚养费给付纠纷
F 申请人{a}与{b}于三年前协议离婚，约定孩子随{a}生活，{b}每月支付抚养费，但{b}自去年起未按时支付，累计拖欠{amount}元。
A 要求{b}一次性付清拖欠的抚养费，今后按月按时支付。
B 承认拖欠，称近期生意亏损，请求分期支付。
M 拖欠抚养费的数额及今后的给付方式。
O b|分两次付清拖欠的抚养费{agreed}元|微信转账，调解员见证
O b|此后每月5日前按原协议支付抚养费|银行转账
V 婚约彩礼返还纠纷
F 申请人{a}家与{b}家按当地习俗订婚并给付彩礼{amount}元，后双方因生活习惯不合解除婚约，对彩礼是否返还、返还多少争执不下，两家亲属多次发生口角。
A 要求对方全额返还彩礼。
B 认为女方已置办嫁妆、操办订婚宴，只同意返还一部分。
M 解除婚约后彩礼的返还数额。
O b|返还彩礼{agreed}元|当场现金交付，双方签字确认
V 兄弟分家析产纠纷
F 申请人{a}与兄长{b}因父母留下的老宅和两亩承包地如何分割发生争执，双方互不相让，已影响到老人的正常生活。
A 要求公平分割老宅，自己分得东侧两间房屋。
B 认为自己长期照顾父母，老宅应多分。
M 老宅房屋和承包地的分割。
O a|将老宅西侧三间及院落交由被申请人使用|现场交付钥匙
O b|向申请人支付房屋折价款{agreed}元|银行转账
S 调解员分别与双方背对背谈话，讲解《民法典》关于赡养、抚养义务的规定，双方情绪有所缓和。
S 邀请村里德高望重的老人和双方亲属一同参与调解，从亲情角度做双方工作。
S 调解员上门走访核实双方的收入和家庭情况，提出分期给付的方案，双方表示可以考虑。
X 双方对财产分割分歧过大，被申请人坚持通过诉讼解决，调解终止，已告知当事人可向人民法院起诉。
D 一方已向人民法院提起离婚诉讼并已立案，依法不再受理，已告知当事人按诉讼程序处理。
= neighbour | 16 | 1000-20000
V 楼上漏水损坏楼下房屋纠纷
F 申请人{a}反映，楼上住户{b}家卫生间防水层老化，长期渗漏导致其家天花板和墙面发霉脱落，多次上门协商未果，双方发生争吵。
A 要求{b}维修防水并赔偿装修损失{amount}元。
B 同意维修，但认为赔偿数额过高。
M 卫生间渗漏的维修责任及装修损失的赔偿数额。
O b|十五日内请专业人员重做卫生间防水|自行组织施工，调解员回访查看
O b|赔偿申请人装修损失{agreed}元|微信转账
V 院墙排水引发邻里纠纷
F 申请人{a}与邻居{b}两家院落相连，{b}家新砌院墙后雨水排向{a}家院内，下雨时院子积水，墙根受潮，双方为此多次争吵。
A 要求{b}改建排水沟，不再向自家院内排水。
B 称排水沟一直如此，不同意改建。
M 两家院墙之间的排水走向和改建费用。
O b|在院墙外侧修建排水沟，将雨水引至巷道排水渠|自行施工，二十日内完成
O a|配合施工，允许在交界处开挖|施工期间
V 噪音扰民引发邻里纠纷
F 申请人{a}反映楼上住户{b}家夜间经常拖动家具、大声喧哗，影响家中老人和孩子休息，沟通多次无果，双方在楼道内发生推搡。
A 要求{b}晚上十点后保持安静，并当面道歉。
B 称正常生活难免有声响，认为对方过于敏感。
M 夜间噪音问题及双方今后的相处方式。
O b|晚十点至早七点不在家中拖动家具、大声喧哗，地面铺设地垫|即日起执行，社区网格员回访
V 通道占用引发邻里矛盾
F 申请人{a}与{b}两家共用一条巷道，{b}在巷道内堆放柴草、停放农用车，{a}家车辆无法进出，双方多次争吵。
A 要求{b}清理巷道内的杂物和车辆。
B 同意清理杂物，但要求允许临时停放农用车。
M 共用巷道的使用和杂物清理。
O b|五日内清理巷道内堆放的柴草杂物|自行清理，网格员现场查看
O b|农用车不在巷道内过夜停放|即日起执行
S 调解员到纠纷现场查看并拍照留存，邀请网格员一同了解周边邻居的看法。
S 调解员以远亲不如近邻做双方工作，讲解《民法典》相邻关系的规定，双方态度有所松动。
S 请社区干部和楼栋长参加调解，提出折中方案，双方同意回去商量。
X 被申请人多次拒不到场，调解无法继续进行，调解终止，已告知申请人可向人民法院起诉。
D 双方已发生肢体冲突，公安机关已立案处理，不宜由调解委员会调解，已告知当事人。
= homestead | 9 | 2000-30000
V 宅基地界线争议
F 申请人{a}与{b}两家宅基地相邻，{b}翻建房屋时将后墙向{a}家一侧外扩约半米，{a}认为占用了自家宅基地，双方多次争执，施工一度停止。
A 要求{b}按原界线拆除外扩部分。
B 称是按宅基地证上的面积建的，没有越界。
M 两家宅基地的界线和越界部分的处理。
O b|按现场丈量确定的界线退让，拆除越界的半截墙体|二十日内自行拆除
O a|不再阻挠被申请人的正常施工|即日起
V 宅基地通道纠纷
F 申请人{a}家位于巷道最里侧，出入必须经过{b}家门前空地，{b}近日在空地上砌墙圈地，{a}家出行受阻。
A 要求{b}拆除新砌的围墙，留出通道。
B 认为空地是自家的宅基地范围，同意留出一米宽的小路。
M 通行道路的宽度和位置。
O b|拆除新砌围墙的东段，留出两米宽的通道|十日内拆除
O a|承担通道硬化的一半费用{agreed}元|现金
S 镇村干部调取宅基地审批档案和确权登记资料，组织双方和四邻到现场丈量。
S 调解员讲解宅基地确权和相邻通行的规定，请村里老人回忆当年的划界情况。
X 双方对确权资料各执一词，均不接受现场丈量结果，调解终止，已告知当事人可申请确权或向法院起诉。
D 该宅基地权属争议须由镇人民政府依法确权，已告知当事人向镇政府提出确权申请。
= land_contract | 10 | 3000-60000
V 承包地地界纠纷
F 申请人{a}与{b}两家承包地相邻，今年春耕时{b}将地埂向{a}家一侧挪了一米多，{a}家少种了一垄，双方在地头发生争吵。
A 要求按确权时的界线恢复地埂。
B 称原来的地埂就不直，自己只是取直。
M 两家承包地的界线。
O b|按确权图纸恢复原地埂位置|秋收后十日内，村干部现场见证
V 土地流转租金拖欠纠纷
F 申请人{a}等农户将承包地流转给{b}种植蔬菜，合同约定每年年底前付清租金，{b}拖欠去年租金共计{amount}元。
A 要求{b}付清拖欠租金并按合同继续履行。
B 称去年蔬菜价格低亏损严重，请求延期支付。
M 拖欠的土地流转租金及支付期限。
O b|分三期付清拖欠租金{agreed}元|银行转账至各农户账户
V 流转土地到期返还纠纷
F 申请人{a}的承包地流转给{b}的合作社，合同已到期，{b}在地上修建的温室大棚未拆除，{a}无法收回耕种。
A 要求{b}拆除大棚、恢复耕地后返还。
B 要求续租三年，或由申请人补偿大棚费用。
M 到期流转土地的返还和地上附着物的处理。
O b|拆除温室大棚并平整土地后返还申请人|两个月内完成
S 调解员调取土地确权登记资料和流转合同，与双方逐条核对合同条款。
S 会同镇农经站工作人员到地块现场查看，核实种植和附着物情况。
X 被申请人坚持要求续租，双方对租金和期限无法达成一致，调解终止，已告知当事人可申请农村土地承包仲裁。
D 该纠纷已向县农村土地承包仲裁委员会申请仲裁并已受理，调解委员会不再受理。
= boundary | 5 | 0
V 两村草场边界纠纷
F {a}反映，本村与{other}交界处的夏季草场约{n}百亩，两村对界线走向认识不一，今年入夏以来两村牧户多次因放牧越界发生争执，{people}余户牧民情绪激动。
A 要求按原草原承包经营权证的四至确定界线，{other}牧户不得越界放牧。
B 认为历史上两村一直共同使用该片草场，要求按实际使用范围划界。
M 两村交界夏季草场的界线走向和越界放牧问题。
O a|与对方村委会共同在现场确定的界线上埋设界桩|一个月内，镇政府派员见证
O b|约束本村牧户不越界放牧，越界的牛羊由本村负责劝回|即日起
V 两村山林边界纠纷
F {a}与{other}对交界处一片约{n}百亩的集体林地权属存在争议，{other}村民今春在争议林地内采挖林木，引发{a}村民不满，两村群众多次聚集。
A 要求{other}停止在争议林地内采挖，赔偿已造成的林木损失。
B 认为该片林地历来由本村管护，不承认对方的权属。
M 两村交界集体林地的权属界线和林木损失的处理。
O a|按县林草部门现场勘定的界线设立界桩和标志牌|两个月内
O b|停止在争议林地内采挖林木，对已采挖的林木补植{n}百株|今年秋季植树期内
S 县矛调中心会同自然资源、林草部门和两镇政府现场踏勘，调取草原承包经营权证和历史划界资料。
S 分别召开两村村民代表会议，宣讲政策法规，收集群众意见，引导群众理性表达诉求。
S 组织两村党支部书记、村委会主任和老党员代表面对面协商，提出以现场勘定线为界的方案。
X 两村群众对划界方案分歧较大，暂时无法达成一致，已报请县人民政府依法处理权属争议。
D 该草场权属争议已由县人民政府受理确权，调解委员会不再受理，已告知两村等待确权决定。
= labour_wages | 12 | 6000-90000
V 工地拖欠农民工工资纠纷
F 申请人{a}等{people}人在{b}承建的工地务工，工程已完工三个月，劳务费{amount}元一直未结清，多次讨要无果。
A 要求{b}一次性结清拖欠的劳务费。
B 称工程款尚未收到，只能先支付一部分。
M 拖欠的劳务费数额及支付期限。
O b|分两期付清拖欠劳务费{agreed}元|通过农民工工资专用账户转账
V 饭店拖欠员工工资纠纷
F 申请人{a}在{b}经营的饭店打工，老板拖欠两个月工资共{amount}元，{a}辞职后多次讨要未果。
A 要求{b}付清拖欠的工资。
B 称{a}未提前一个月提出辞职，给店里造成损失，只同意扣除部分后支付。
M 拖欠工资的数额及能否扣除。
O b|一次性支付拖欠工资{agreed}元|现金当面交付，调解员见证
V 务工受伤赔偿纠纷
F 申请人{a}在{b}处做零工时从脚手架上摔下受伤，花去医疗费{amount}元，双方对赔偿数额协商不成。
A 要求{b}承担全部医疗费和误工费。
B 认为申请人自身未按要求佩戴安全带，也有责任。
M 务工受伤的医疗费、误工费及双方责任比例。
O b|赔偿申请人医疗费、误工费共{agreed}元|分两次银行转账
S 调解员会同镇劳动保障所工作人员核对考勤记录、工资表和转账记录，确认欠薪数额。
S 调解员约谈用工方负责人，讲解《保障农民工工资支付条例》的规定，督促其筹措资金。
S 组织双方面对面核对账目，对有争议的几笔款项逐一说明，双方基本认可核对结果。
X 用工方负责人失联，调解无法继续，已引导申请人向劳动保障监察部门投诉并申请劳动仲裁。
D 该纠纷属于劳动合同解除后的经济补偿争议，依法应向劳动人事争议仲裁委员会申请仲裁，已告知当事人仲裁途径和时效。
= property_mgmt | 5 | 1000-20000
V 物业费收缴纠纷
F {b}反映申请人{a}等业主长期拒交物业费，业主则认为物业公司电梯维修不及时、卫生差，双方矛盾激化，物业公司停止为欠费业主办理门禁卡。
A 要求物业公司恢复门禁卡、限期维修电梯后再交物业费。
B 要求业主补交拖欠的物业费{amount}元。
M 物业服务质量问题的整改和拖欠物业费的缴纳。
O b|一个月内完成电梯维修和楼道保洁整改|业主代表验收
O a|整改完成后补交物业费|物业服务中心缴纳
V 车位使用纠纷
F 业主{a}反映物业公司{b}将小区公共绿地改建为停车位对外出租，业主停车困难，双方多次发生争吵。
A 要求停止对外出租，公共车位优先供业主使用。
B 称改建车位已经业主大会同意。
M 小区公共车位的使用和收益分配。
O b|停止向小区外人员出租车位，收益公示后用于小区维修|即日起，每季度公示一次
S 调解员召集物业公司、业委会和业主代表三方座谈，听取各方意见。
S 会同社区和镇住建部门查看电梯和公共设施的实际状况，督促物业公司拿出整改方案。
X 物业公司不同意整改方案，业主代表也不同意补交，调解终止，已告知当事人可通过诉讼解决。
D 该纠纷已由业主委员会向人民法院起诉，调解委员会不再受理。
= land_requisition | 4 | 80000-800000
V 征地补偿款分配纠纷
F 申请人{a}等{people}户村民反映，村里修路征地的补偿款{amount}元在村民间的分配方案不公，外嫁女和新增人口未分到补偿款。
A 要求按户籍人口重新制定分配方案，补发应得的补偿款。
B 村委会称分配方案已经村民代表大会表决通过。
M 征地补偿款在集体成员间的分配方案。
O b|召开村民代表会议重新表决分配方案，补发外嫁女和新增人口的补偿款|两个月内，镇政府监督
V 房屋拆迁安置纠纷
F 申请人{a}家的房屋位于道路拓宽范围内，对评估价格和安置面积有异议，拒绝签订拆迁协议，施工方{b}多次上门做工作未果。
A 要求提高房屋评估价格，按实际居住人口安置。
B 称已按统一标准评估，只能在政策范围内适当照顾。
M 房屋拆迁的补偿价格和安置面积。
O b|按复核后的评估价格支付补偿款{agreed}元|签订协议后十五日内转账
O a|在协议签订后一个月内腾空房屋|交付钥匙
S 调解员会同镇政府和自然资源部门工作人员讲解征地补偿政策，逐户核对人口和面积。
S 邀请第三方评估机构对有异议的房屋重新评估，向当事人公开评估依据。
X 当事人对补偿标准坚持己见，调解未能达成一致，已告知其可依法申请行政复议或提起行政诉讼。
D 征地补偿标准争议属于行政争议，不属于人民调解范围，已引导当事人向县自然资源局申请复核或依法申请行政复议。
= medical | 3 | 20000-300000
V 手术后并发症赔偿纠纷
F 申请人{a}的父亲在{b}接受手术后出现并发症，转院治疗花去费用{amount}元，家属认为医院诊疗存在过错。
A 要求医院赔偿医疗费、护理费等各项损失。
B 认为并发症属于手术风险，已履行告知义务，同意给予一定的人道主义补偿。
M 诊疗过错的认定和赔偿数额。
O b|一次性补偿申请人各项损失{agreed}元|签订协议后十日内银行转账
V 门诊误诊纠纷
F 申请人{a}在{b}门诊就诊时被诊断为普通感冒，三天后病情加重转院确诊为肺炎，认为卫生院误诊延误治疗。
A 要求赔偿转院后的医疗费和误工费。
B 认为病情变化属正常现象，但愿意退还门诊费用并给予补偿。
M 门诊诊疗是否存在过错及补偿数额。
O b|补偿申请人医疗费、误工费共{agreed}元|现金交付
S 调解员邀请医疗纠纷人民调解委员会的医学专家查阅病历，向双方解释诊疗过程。
S 组织医患双方面对面沟通，医院说明诊疗经过，家属提出具体赔偿项目。
X 家属坚持要求进行医疗损害鉴定后再协商，调解暂停，已告知其鉴定程序和诉讼途径。
D 当事人已申请医疗事故技术鉴定，建议待鉴定结论作出后向县医疗纠纷人民调解委员会申请调解。
= traffic | 8 | 2000-80000
V 电动车与轿车相撞赔偿纠纷
F 申请人{a}骑电动车与{b}驾驶的轿车在路口相撞，{a}腿部骨折住院，交警认定{b}负主要责任，双方对赔偿数额协商不成。
A 要求赔偿医疗费、误工费、护理费等共{amount}元。
B 同意在保险赔付范围外承担合理部分，认为误工费计算过高。
M 交通事故造成的各项损失及赔偿数额。
O b|在交强险和商业险赔付之外赔偿申请人{agreed}元|签订协议当日现金交付
V 农用车刮擦纠纷
F {b}驾驶农用三轮车倒车时撞坏申请人{a}家的院门和停在门口的摩托车，双方对修理费用争执不下。
A 要求赔偿院门和摩托车的修理费{amount}元。
B 同意赔偿，但认为修理报价偏高。
M 院门和摩托车的修理费用。
O b|赔偿修理费{agreed}元|微信转账
S 调解员调取交警部门的事故认定书和医疗票据，与双方逐项核对损失。
S 联系保险公司理赔人员到场说明赔付范围，双方对保险外的部分进一步协商。
X 双方对误工费和后续治疗费差距过大，调解未成，已告知当事人可向人民法院起诉。
D 交通事故责任认定尚未作出，已告知当事人待交警部门出具事故认定书后再申请调解。
= consumer | 4 | 500-30000
V 购买家电质量纠纷
F 申请人{a}在{b}购买的冰箱使用两个月后不制冷，多次维修后仍有故障，商家只同意继续维修。
A 要求退货并退还货款{amount}元。
B 同意换货，不同意退货。
M 故障冰箱的退换和货款返还。
O b|为申请人更换同型号新冰箱并上门安装|五日内
V 装修质量纠纷
F 申请人{a}请{b}的装修队装修房屋，入住不久墙面开裂、地砖空鼓，要求返工，装修队以已验收为由拒绝。
A 要求免费返工并退还部分装修款。
B 同意维修开裂墙面，不同意退款。
M 装修质量问题的返修和装修款的退还。
O b|对开裂墙面和空鼓地砖免费返修|二十日内完成
O b|退还申请人装修款{agreed}元|返修验收后转账
S 调解员会同镇市场监管所工作人员查看商品和维修记录，讲解《消费者权益保护法》的规定。
S 请双方提供购货凭证和合同，调解员提出以换代退的方案，双方同意考虑。
X 商家坚持不同意退货，申请人不接受换货，调解终止，已告知其可向市场监管部门投诉或起诉。
D 该纠纷已通过12315平台投诉并由市场监管部门处理，调解委员会不再受理。
= contract_debt | 8 | 5000-400000
V 民间借贷纠纷
F 申请人{a}三年前借给同村{b}{amount}元用于购买货车，约定一年内归还，{b}至今仅归还部分，多次催要无果，两家关系紧张。
A 要求{b}归还剩余借款。
B 承认借款，称货车经营亏损，请求分期归还。
M 剩余借款的数额和归还期限。
O b|分期归还剩余借款{agreed}元|每期银行转账
V 牛羊买卖货款纠纷
F 申请人{a}将牛羊出售给{b}，约定出栏后一个月内付清货款{amount}元，{b}至今拖欠未付。
A 要求{b}付清货款。
B 称部分牛羊到货后生病死亡，要求扣减货款。
M 牛羊货款的数额和扣减问题。
O b|支付货款{agreed}元|现金当面交付，村调委会见证
V 工程款结算纠纷
F 申请人{a}为{b}修建养殖圈舍，完工后双方对工程量和结算价格有争议，剩余工程款{amount}元未付。
A 要求按实际工程量结算并付清工程款。
B 认为部分工程质量不合格，要求扣减。
M 工程量的核定和剩余工程款的结算。
O b|按核定工程量支付剩余工程款{agreed}元|分两期银行转账
O a|对不合格的部分圈舍围栏进行返修|十日内
S 调解员查看借条、转账记录和合同原件，与双方逐笔核对往来款项。
S 调解员释明诉讼时效和逾期利息的法律规定，劝导双方从长计议、协商解决。
X 被申请人否认部分借款，双方各执一词，调解未成，已告知申请人可向人民法院起诉。
D 当事人已就同一纠纷向人民法院起诉并已立案，依法不予受理，已告知其按诉讼程序处理。
= other | 5 | 300-15000
V 牛羊啃食庄稼赔偿纠纷
F {b}家的羊群多次进入申请人{a}家麦地，啃食青苗约{n}分地，双方为赔偿问题发生争吵。
A 要求赔偿青苗损失{amount}元，并管好自家羊群。
B 同意赔偿，但认为损失没有那么大。
M 青苗损失的数额和今后的看管责任。
O b|赔偿青苗损失{agreed}元|现金交付
O b|放牧时安排专人看管，不再进入他人农田|即日起
V 宠物犬咬伤纠纷
F 申请人{a}在巷道内被{b}家未拴绳的狗咬伤小腿，注射疫苗和治疗花去费用{amount}元，双方对赔偿协商不成。
A 要求赔偿医疗费、误工费并拴好狗。
B 同意承担医疗费，不同意支付误工费。
M 犬只伤人的赔偿数额和今后的看管。
O b|赔偿医疗费、误工费共{agreed}元|微信转账
O b|今后外出遛狗一律拴绳|即日起
S 调解员查看受损现场和票据，请村里懂行的老人估算损失。
S 调解员讲解《民法典》关于饲养动物损害责任的规定，双方对责任基本认可。
X 双方对损失数额差距较大，多次调解无果，调解终止，已告知当事人可向人民法院起诉。
D 该纠纷已由派出所出具处理意见并执行完毕，当事人重复申请，不再受理。
"""

FIRST_SESSIONS = (
    "调解员分别听取双方陈述，了解纠纷起因和各自诉求，告知双方人民调解自愿、平等的原则和双方的权利义务。",
    "首次调解：双方到场，各自陈述事实并出示相关材料，调解员梳理争议焦点，双方同意继续调解。",
    "调解员先与申请人谈话了解情况，再上门听取被申请人的意见，双方同意到调解室面对面协商。",
)
SETTLING_SESSIONS = (
    "在调解员主持下双方充分协商，就{matter}达成一致意见，同意签订调解协议。",
    "经过耐心细致的释法说理，双方各让一步，就{matter}当场达成调解协议。",
)
FAILING_SESSIONS = (
    "再次组织双方面对面协商，双方分歧仍然较大，被申请人坚持原有意见，未能达成一致。",
    "调解员提出折中方案，申请人同意，被申请人不接受，本次调解未果。",
)
NEXT_STEPS = (
    "约双方一周后再次到调解室协商。",
    "调解员向相关部门核实情况后再组织调解。",
    "请双方回去与家人商量，三日内答复。",
    "邀请村里老党员、乡贤一同参与下次调解。",
)
WITHDRAWALS = (
    "双方经亲友从中说和已自行和解，申请人撤回调解申请。",
    "申请人表示不再追究，撤回调解申请。",
    "被申请人已主动履行，申请人撤回调解申请。",
)
# Words the risk rules look for (migration 0002): a dispute drawn as major carries one.
THREATS = (
    "被申请人扬言要动刀报复，双方矛盾有激化危险。",
    "申请人情绪激动，声称问题不解决就从楼上跳楼。",
    "申请人称自己不想活了，要喝药，家属十分担心。",
    "双方互相扬言要同归于尽，随时可能引发冲突。",
)
VULNERABLE = (
    "申请人年逾七旬，独自生活，身体多病。",
    "申请人系残疾人，家庭生活困难。",
    "申请人系低保户，家中有患病老人需要照顾。",
)
PETITIONED = "申请人曾因此事到市信访局上访。"
JUDGED = (
    "调解中发现双方情绪对立，亲属多次聚集争吵，有激化苗头，提请上级调解。",
    "被申请人一方多名亲属到场，言辞激烈，研判矛盾有升级风险。",
)
UP_BY_HAND = (
    "纠纷涉及多个部门职责，本级难以协调，提请上级调解组织化解。",
    "本级调解不成，双方同意提交上一级调解组织继续调解。",
)
TO_COURT = "县矛调中心调解不成，经当事人同意移送人民法院，引导通过诉讼途径解决。"
PERFORMED = (
    "经电话回访，申请人确认对方已按协议履行完毕。",
    "调解员上门回访，协议约定的事项已全部履行，双方均表示满意。",
    "回访核实：款项已到账，双方关系恢复正常。",
)
PART_PERFORMED = "回访核实：本期义务已按约履行，余下义务尚未到期，继续跟踪。"
NOT_PERFORMED = (
    "经回访，被申请人未按协议约定履行，已告知申请人可申请司法确认后申请强制执行，或向人民法院起诉。",
    "被申请人以资金困难为由拒不履行，调解员多次督促无果，已告知申请人诉讼途径。",
)
CLOSING = ("材料归档，结案。", "回访完毕，卷宗归档。", "已告知当事人后续途径，结案归档。")
COMPANY_WORDS = "河湟 湟水 东湖 瑞丰 鑫盛 恒通 顺达 福瑞 宏泰 祥云 金源 康宁".split()


@dataclass(frozen=True)
class Variant:
    title: str
    facts: str
    asks: str
    answer: str
    matters: str
    obligations: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class TypeTexts:
    code: str
    weight: float
    amount: tuple[int, int] | None
    variants: tuple[Variant, ...]
    sessions: tuple[str, ...]
    failures: tuple[str, ...]
    declines: tuple[str, ...]


def _parse(source: str) -> dict[str, TypeTexts]:
    types: dict[str, dict] = {}
    current = variant = None
    for line in source.strip().splitlines():
        mark, _space, text = line.partition(" ")
        if mark == "=":
            code, weight, amount = [part.strip() for part in text.split("|")]
            low, _dash, high = amount.partition("-")
            current = types[code] = {
                "code": code,
                "weight": float(weight),
                "amount": (int(low), int(high)) if high else None,
                "variants": [],
                "S": [],
                "X": [],
                "D": [],
            }
        elif mark == "V":
            variant = {"title": text, "O": []}
            current["variants"].append(variant)
        elif mark in "FABM":
            variant[mark] = text
        elif mark == "O":
            variant["O"].append(tuple(text.split("|")))
        else:
            current[mark].append(text)
    return {
        code: TypeTexts(
            code=code,
            weight=t["weight"],
            amount=t["amount"],
            variants=tuple(
                Variant(v["title"], v["F"], v["A"], v["B"], v["M"], tuple(v["O"]))
                for v in t["variants"]
            ),
            sessions=tuple(t["S"]),
            failures=tuple(t["X"]),
            declines=tuple(t["D"]),
        )
        for code, t in types.items()
    }


TYPES = _parse(TEXTS)


# -- synthetic parties --------------------------------------------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random, prefix: str, region_code: str) -> str:
    """A unified social credit code (GB 32100): ``prefix`` (91 a company, 54 a villagers'
    or residents' committee), the county, nine characters and the check character."""
    body = prefix + region_code[:6] + "".join(rng.choice(_CREDIT_CHARS) for _ in range(9))
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]


def id_number(rng: random.Random, region_code: str, male: bool, born_from: int) -> str:
    """A resident ID number that passes the check digit, born between ``born_from`` and
    ``born_from`` + 35."""
    born = date(born_from, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    first17 = f"{region_code[:6]}{born:%Y%m%d}{rng.randrange(500) * 2 + male:03d}"
    return first17 + id_check_digit(first17)


@dataclass
class PartySpec:
    name: str
    short: str  # as a record writes it: 马某, or the organisation's name
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    people: int = 1
    is_vulnerable: bool = False
    petitions: int = 0


# -- the place: regions, units and the people who work there ----------------------------


@dataclass(frozen=True)
class Place:
    grid_id: int
    community: Region
    township: Region
    county: Region


class World:
    """The demo city's regions, grids, units and people, read once."""

    def __init__(self, city: Region):
        regions = list(
            Region.objects.filter(path__startswith=city.path).only(
                "id", "code", "name", "path", "level", "parent_id"
            )
        )
        by_pk = {r.pk: r for r in regions}
        self.counties = {r.pk: r for r in regions if r.level == RegionLevel.COUNTY}
        self.townships = {r.pk: r for r in regions if r.level == RegionLevel.TOWNSHIP}
        communities = [r for r in regions if r.level == RegionLevel.COMMUNITY]
        grids = Grid.objects.filter(region_path__startswith=city.path, is_active=True)
        self.grids: dict[int, list[int]] = defaultdict(list)
        for pk, community_id in grids.order_by("code").values_list("pk", "community_id"):
            self.grids[community_id].append(pk)
        self.places: dict[int, list[Place]] = {}
        for c in communities:
            township = by_pk.get(c.parent_id)
            county = by_pk.get(township.parent_id) if township else None
            if county is None or not self.grids.get(c.pk):
                continue
            self.places[c.pk] = [Place(g, c, township, county) for g in self.grids[c.pk]]
        self.by_township: dict[int, list[int]] = defaultdict(list)
        for community_id, places in self.places.items():
            self.by_township[places[0].township.pk].append(community_id)

        codes = {r.code for r in regions}
        self.units = {
            o.code: o
            for o in Organisation.objects.filter(is_active=True, code__regex=r"^\d")
            if o.code.split("-")[0] in codes
        }
        members = defaultdict(list)
        roles = [Role.MEDIATOR, Role.HANDLER, Role.GRID_WORKER, Role.LEADER, Role.DISPATCHER]
        rows = (
            Membership.objects.filter(organisation__is_active=True, role__in=roles)
            .order_by("user__username")
            .values_list("organisation_id", "role", "user_id", "user__username")
        )
        for org_id, role, user_id, username in rows:
            people = members[(org_id, role)]
            if username.startswith("demo_"):  # the demo logins first: they have work to show
                people.insert(0, user_id)
            else:
                people.append(user_id)
        self.members = members
        self.grid_worker = dict(
            GridAssignment.objects.filter(grid__region_path__startswith=city.path)
            .order_by("-duty", "pk")
            .values_list("grid_id", "user_id")
        )
        mediators = {u for (_o, role), ids in members.items() if role == Role.MEDIATOR for u in ids}
        self.mediator_names = set(
            User.objects.filter(pk__in=mediators).values_list("display_name", flat=True)
        )
        self._users: dict[int, User] = {}

    def user(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        if pk not in self._users:
            self._users[pk] = User.objects.get(pk=pk)
        return self._users[pk]

    def people(self, unit_id: int | None, role: str) -> list[int]:
        return self.members.get((unit_id, role), []) if unit_id else []

    def committee(self, community: Region) -> Organisation | None:
        return self.units.get(community.code)

    def justice_office(self, township: Region) -> Organisation | None:
        return self.units.get(unit_code(township.code, JUSTICE_OFFICE))


# -- plans: what happens to each dispute, drawn up front --------------------------------

GENERAL, SERIOUS, MAJOR = Risk.GENERAL, Risk.SERIOUS, Risk.MAJOR
# What moves a dispute on at each level: a few stages, the last one its outcome there.
PATHS = {
    GENERAL: (
        (("settle",), 66),
        (("fail",), 3),
        (("fail_up", "settle"), 3),
        (("hand", "settle"), 4),
        (("hand", "fail"), 1),
        (("time", "settle"), 4),
        (("risk", "settle"), 3),
        (("withdraw",), 4),
        (("withdraw_early",), 3),
        (("decline",), 5),
    ),
    SERIOUS: (
        (("settle",), 62),
        (("fail",), 8),
        (("fail_up", "settle"), 5),
        (("fail_up", "court"), 2),
        (("hand", "settle"), 4),
        (("time", "settle"), 4),
        (("withdraw",), 6),
        (("decline",), 5),
    ),
    MAJOR: (
        (("settle",), 55),
        (("fail",), 10),
        (("court",), 16),
        (("withdraw",), 7),
        (("decline",), 2),
    ),
}
PERFORMANCE = (("performed", 74), ("not_performed", 9), ("installments", 17))
SOURCES = (
    (Source.SCREENING, 26),
    (Source.VISIT, 4),  # found on a care visit (走访)
    (Source.WALK_IN, 28),
    (Source.PHONE, 12),
    (Source.CASE, 10),
    (Source.POLICE, 10),
    (Source.COURT, 10),
)
COURT_TYPES = {"contract_debt", "traffic", "marriage_family", "neighbour", "labour_wages"}
POLICE_TYPES = {"neighbour", "traffic", "other", "marriage_family", "homestead"}
# The case categories (矛盾纠纷 / …) whose cases a dispute may be converted from.
CASE_TYPES = {
    "邻里纠纷": "neighbour",
    "劳资纠纷": "labour_wages",
    "物业纠纷": "property_mgmt",
    "婚姻家庭纠纷": "marriage_family",
    "土地纠纷": "land_contract",
}
# Respondents that are organisations, by (type, variant).
ORG_RESPONDENTS = {
    ("labour_wages", 0): "builder",
    ("property_mgmt", 0): "property",
    ("property_mgmt", 1): "property",
    ("land_requisition", 0): "committee",
    ("land_requisition", 1): "builder",
    ("medical", 0): "hospital",
    ("medical", 1): "clinic",
    ("consumer", 0): "shop",
    ("consumer", 1): "decorator",
}
# (type, variant) with a group on the applicant's side ({people} in the facts).
GROUPS = {("labour_wages", 0), ("land_requisition", 0), ("boundary", 0), ("boundary", 1)}
BIG_AMOUNTS = {("land_requisition", 0), ("medical", 0), ("contract_debt", 2)}


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Plan:
    index: int
    at: datetime
    kind: TypeTexts
    variant_index: int
    place: Place
    risk: str
    cause: str = ""
    source: str = Source.WALK_IN
    path: tuple[str, ...] = ("settle",)
    performance: str = "performed"
    form: str = AgreementForm.WRITTEN
    confirm: str = ""
    sessions: int = 2
    recuse: bool = False
    amount: int | None = None
    other: Region | None = None  # the other village of a boundary dispute
    a: PartySpec | None = None
    b: PartySpec | None = None
    extra: list[str] = field(default_factory=list)  # sentences added to the facts
    source_ref: str = ""
    campaign_id: int | None = None
    n: int = 3
    people: int = 1
    other_name: str = ""

    @property
    def variant(self) -> Variant:
        return self.kind.variants[self.variant_index]

    def words(self, **more) -> dict:
        amount = self.amount or 0
        return {
            "a": self.a.short,
            "b": self.b.short,
            "other": self.other_name,
            "n": self.n,
            "people": self.people,
            "amount": amount,
            "agreed": int(round(amount * 0.8, -2)) or 500,
            **more,
        }


class Planner:
    def __init__(self, rng: random.Random, world: World, now: datetime, count: int):
        self.rng, self.world, self.now, self.count = rng, world, now, count
        self.types = {t.code: t for t in TYPES.values()}
        self.used: set[tuple[int, str]] = set()  # (community, type): a second one repeats
        self.committees: set[int] = set()  # communities whose committee is a party
        demo_grid = (
            GridAssignment.objects.filter(user__username="demo_grid")
            .values_list("grid__community_id", flat=True)
            .first()
        )
        self.home = demo_grid if demo_grid in world.places else None
        # More where the demo logins work: their county, and more still their township.
        home_township = world.places[self.home][0].township.pk if self.home else None
        self.community_ids = list(world.places)
        self.community_weights = [
            4
            if place.township.pk == home_township
            else 3
            if place.county.code == DEMO_COUNTY
            else 1
            for place in (world.places[c][0] for c in self.community_ids)
        ]

    def draw(self) -> list[Plan]:
        rng, now = self.rng, self.now
        start = now - timedelta(days=DEMO_DAYS)
        times = sorted(
            _working_hours(rng, start + timedelta(seconds=rng.uniform(0, DEMO_DAYS * 86400)))
            for _ in range(self.count)
        )
        times = [min(t, now - timedelta(hours=1)) for t in times]
        home = set(rng.sample(range(self.count), HOME_DISPUTES)) if self.home else set()
        plans: list[Plan] = []
        for i, at in enumerate(times):
            plan = self._plan(i, at, at_home=i in home, earlier=plans)
            plans.append(plan)
        return plans

    def _plan(self, i: int, at: datetime, *, at_home: bool, earlier: list[Plan]) -> Plan:
        rng = self.rng
        risk = weighted(rng, ((GENERAL, 78), (SERIOUS, 17), (MAJOR, 5)))
        if at_home:
            risk = GENERAL
        code = weighted(rng, [(t.code, t.weight) for t in TYPES.values()])
        if at_home:  # one of each kind there: a second would be a repeat
            fresh = [t for t in TYPES.values() if (self.home, t.code) not in self.used]
            code = weighted(rng, [(t.code, t.weight) for t in fresh if t.code != "boundary"])
        cause = ""
        if risk == SERIOUS:
            cause = weighted(
                rng,
                (
                    ("vulnerable", 30),
                    ("petition", 20),
                    ("group", 25),
                    ("repeat", 15),
                    ("amount", 10),
                ),
            )
        elif risk == MAJOR:
            cause = weighted(rng, (("threat", 60), ("big_group", 40)))
        if code == "boundary" and risk == GENERAL:
            code = "neighbour"
        if code == "boundary" and cause not in ("group", "big_group"):
            cause = "group" if risk == SERIOUS else "big_group"
        kind = self.types[code]
        variant = rng.randrange(len(kind.variants))
        if cause in ("group", "big_group") and (code, variant) not in GROUPS:
            code, variant = rng.choice(sorted(GROUPS))
            kind = self.types[code]
        if cause == "amount":
            code, variant = rng.choice(sorted(BIG_AMOUNTS))
            kind = self.types[code]
        repeat = self._repeat_of(at, earlier) if cause == "repeat" else None
        if cause == "repeat" and repeat is None:
            cause = "vulnerable"
        if repeat is not None:
            kind, variant, place = repeat.kind, repeat.variant_index, repeat.place
        else:
            committee = code == "boundary" or ORG_RESPONDENTS.get((code, variant)) == "committee"
            place = self._place(code, at_home, committee=committee)
        plan = Plan(index=i, at=at, kind=kind, variant_index=variant, place=place, risk=risk)
        plan.cause = cause
        plan.n = rng.randint(3, 9)
        self._parties(plan, repeat)
        self._money(plan)
        self._source(plan)
        self._path(plan)
        self.used.add((place.community.pk, kind.code))
        return plan

    def _repeat_of(self, at: datetime, earlier: list[Plan]) -> Plan | None:
        """An earlier ordinary dispute between two people of the last ten months, to flare
        up again between the same people."""
        since = at - timedelta(days=300)
        fit = [
            p
            for p in earlier
            if p.at >= since
            and p.cause == ""
            and p.a.kind == PartyKind.PERSON
            and p.b.kind == PartyKind.PERSON
            and p.kind.code in ("neighbour", "homestead", "land_contract", "other")
        ]
        return self.rng.choice(fit) if fit else None

    def _place(self, code: str, at_home: bool, *, committee: bool) -> Place:
        """A grid in a community that has had no dispute of this type yet, nor its committee
        as a party (a second one would be linked as a repeat: repeats are drawn on purpose)."""
        rng, world = self.rng, self.world
        if at_home and not committee and (self.home, code) not in self.used:
            return rng.choice(world.places[self.home])
        for _attempt in range(50):
            community = rng.choices(self.community_ids, weights=self.community_weights)[0]
            if community == self.home or (community, code) in self.used:
                continue
            if committee and community in self.committees:
                continue
            if code == "boundary" and not self._neighbour_village(community):
                continue
            return rng.choice(world.places[community])
        raise RuntimeError("no place left for a demo dispute: too few communities")

    def _neighbour_village(self, community_id: int) -> int | None:
        township = self.world.places[community_id][0].township.pk
        others = [
            c
            for c in self.world.by_township[township]
            if c != community_id and c not in self.committees and c != self.home
        ]
        return others[0] if others else None

    # -- the parties ----------------------------------------------------------------

    def _person(self, plan: Plan, side: str, *, old: bool = False) -> PartySpec:
        rng, place = self.rng, plan.place
        while True:
            name, male = synthetic_name(rng)
            if name not in self.world.mediator_names:  # else the mediator must step aside
                break
        county = place.county.code
        return PartySpec(
            name=name,
            short=name[0] + "某",
            id_number=id_number(rng, county, male, 1938 if old else 1958),
            phone=synthetic_mobile(f"gongzhi-demo-party:{plan.index}:{side}"),
            address=(
                f"{place.county.name}{place.township.name}{place.community.name}"
                f"{rng.randint(1, 120)}号"
            ),
        )

    def _organisation(self, plan: Plan, what: str, community: Region | None = None) -> PartySpec:
        rng, place = self.rng, plan.place
        word = rng.choice(COMPANY_WORDS)
        county = place.county
        if what == "committee":
            community = community or place.community
            unit = self.world.committee(community)
            name = unit.name if unit else f"{community.name}村民委员会"
            code = credit_code(
                random.Random(f"gongzhi-demo-credit:{community.code}"), "54", county.code
            )
        else:
            name = {
                "builder": f"青海{word}建筑工程有限公司",
                "property": f"海东市{word}物业服务有限公司",
                "hospital": f"{county.name}人民医院",
                "clinic": f"{place.township.name}卫生院",
                "shop": f"{county.name}{word}家电商场",
                "decorator": f"海东{word}装饰工程有限公司",
            }[what]
            code = credit_code(rng, "12" if what in ("hospital", "clinic") else "91", county.code)
        return PartySpec(
            name=name,
            short=name,
            kind=PartyKind.ORGANISATION,
            id_number=code,
            phone=f"0972{rng.randint(8000000, 8999999)}",
            address=f"{county.name}{place.township.name}",
        )

    def _parties(self, plan: Plan, repeat: Plan | None) -> None:
        rng, code = self.rng, plan.kind.code
        if repeat is not None:
            plan.a, plan.b = repeat.a, repeat.b
            plan.extra.append("双方此前曾因类似问题调解过，近日矛盾再次发生。")
            return
        if code == "boundary":
            other_id = self._neighbour_village(plan.place.community.pk)
            plan.other = self.world.places[other_id][0].community
            self.committees |= {plan.place.community.pk, other_id}
            plan.a = self._organisation(plan, "committee")
            plan.b = self._organisation(plan, "committee", plan.other)
            plan.other_name = plan.b.name
        else:
            plan.a = self._person(plan, "a", old=plan.cause == "vulnerable")
            what = ORG_RESPONDENTS.get((code, plan.variant_index))
            plan.b = self._organisation(plan, what) if what else self._person(plan, "b")
            if what == "committee":
                self.committees.add(plan.place.community.pk)
        if plan.cause == "group":
            plan.people = rng.randint(6, 28)
        elif plan.cause == "big_group":
            plan.people = rng.randint(35, 260)
        elif (code, plan.variant_index) in GROUPS:
            plan.people = rng.randint(2, 4)
        plan.a.people = plan.people
        if code == "boundary":
            plan.b.people = max(5, plan.people - rng.randint(0, 20))
        if plan.cause == "vulnerable":
            plan.a.is_vulnerable = True
            plan.extra.append(rng.choice(VULNERABLE))
        elif plan.cause == "petition":
            plan.a.petitions = rng.randint(1, 2)
            plan.extra.append(PETITIONED)
        elif plan.cause == "threat":
            plan.extra.append(rng.choice(THREATS))

    def _money(self, plan: Plan) -> None:
        v, rng = plan.variant, self.rng
        needs = any("{amount}" in t or "{agreed}" in t for t in (v.facts, v.asks, v.answer)) or any(
            "{agreed}" in o[1] for o in v.obligations
        )
        if not needs or plan.kind.amount is None:
            return
        low, high = plan.kind.amount
        high = min(high, 450_000)  # at 500,000 the amount rule makes it serious
        if plan.cause == "amount":
            low, high = 520_000, 900_000
        plan.amount = int(round(rng.uniform(low, high), -2))

    def _source(self, plan: Plan) -> None:
        rng, code = self.rng, plan.kind.code
        source = weighted(rng, SOURCES)
        if source == Source.COURT and code not in COURT_TYPES:
            source = Source.WALK_IN
        if source == Source.POLICE and code not in POLICE_TYPES:
            source = Source.PHONE
        if code == "boundary":
            source = rng.choice((Source.SCREENING, Source.WALK_IN))
        if source == Source.CASE:
            source = Source.WALK_IN  # given a case later, when one fits
        year = timezone.localtime(plan.at).year
        if source == Source.COURT:
            court_code = plan.place.county.code[2:6]
            plan.source_ref = f"（{year}）青{court_code}民诉前调{rng.randint(100, 2999)}号"
        elif source == Source.POLICE:
            plan.source_ref = (
                f"{plan.place.township.name}派出所移交〔{year}〕{rng.randint(1, 300)}号"
            )
        plan.source = source

    def _path(self, plan: Plan) -> None:
        rng = self.rng
        plan.path = weighted(rng, PATHS[plan.risk])
        if plan.path[-1] == "settle":
            plan.performance = weighted(rng, PERFORMANCE)
            simple = plan.kind.code in ("neighbour", "other", "marriage_family")
            if simple and plan.risk == GENERAL and rng.random() < 0.35:
                plan.form = AgreementForm.ORAL
            elif rng.random() < 0.18:
                plan.confirm = (
                    Confirmation.REFUSED if rng.random() < 0.1 else Confirmation.CONFIRMED
                )
        plan.sessions = weighted(rng, ((1, 34), (2, 38), (3, 20), (4, 8)))
        if len(plan.path) > 1:
            plan.sessions = max(plan.sessions, 2)


def _working_hours(rng: random.Random, at: datetime) -> datetime:
    """The same day, at an hour people come to a mediation committee (8:30–18:30)."""
    local = timezone.localtime(at)
    minutes = rng.randint(8 * 60 + 30, 18 * 60 + 30)
    return local.replace(hour=minutes // 60, minute=minutes % 60, second=rng.randint(0, 59))


# -- one dispute's story, step by step ---------------------------------------------------

RECUSAL = "调解员与被申请人系远房亲属，依规申请回避，由本单位其他调解员接手。"
MONEY_DAYS = {
    "五日内": 5,
    "十日内": 10,
    "十五日内": 15,
    "二十日内": 20,
    "一个月内": 30,
    "两个月内": 60,
}


def later(rng: random.Random, at: datetime, low: float, high: float) -> datetime:
    """``at`` plus between ``low`` and ``high`` hours."""
    return at + timedelta(hours=rng.uniform(low, high))


def on_a_working_day(rng: random.Random, day: date) -> datetime:
    """A moment of office hours on ``day`` (local time)."""
    minutes = rng.randint(8 * 60 + 30, 18 * 60)
    naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
    return timezone.make_aware(naive)


class Tale:
    """One dispute: registered through the services, then each step through the table,
    dated when it happened and telling nobody. ``story`` yields the time of its next step
    before taking it, so the steps of all disputes can be taken in time order."""

    def __init__(self, plan: Plan, world: World, rng: random.Random, type_ids: dict, now):
        self.plan, self.world, self.rng, self.type_ids = plan, world, rng, type_ids
        self.now = now
        self.d: Dispute | None = None
        self.lead: User | None = None
        self.helping: list[User] = []
        self.sessions_left = plan.sessions
        self.sessions_held = 0
        self.words = plan.words()
        v = plan.variant
        self.facts = v.facts.format(**self.words) + "".join(plan.extra).format(**self.words)

    # -- the steps ------------------------------------------------------------------

    def act(self, at: datetime, action: str, actor, **params) -> Dispute:
        self.d = FLOW.transition(
            pk=self.d.pk, action=action, actor=actor, now=at, tell=False, **params
        )
        return self.d

    def register(self, at: datetime) -> None:
        p, v, w = self.plan, self.plan.variant, self.words
        parties = [
            services.PartyIn(
                side=side,
                name=spec.name,
                kind=spec.kind,
                id_number=spec.id_number,
                phone=spec.phone,
                address=spec.address,
                claims=claims.format(**w),
                people=spec.people,
                is_vulnerable=spec.is_vulnerable,
                petitions=spec.petitions,
            )
            for side, spec, claims in (
                (Side.APPLICANT, p.a, v.asks),
                (Side.RESPONDENT, p.b, v.answer),
            )
        ]
        data = services.DisputeIn(
            title=v.title,
            type_id=self.type_ids[p.kind.code],
            facts=self.facts,
            source=p.source,
            grid_id=p.place.grid_id,
            amount=p.amount,
            source_ref=p.source_ref,
            external_ref=f"{MARK}{p.index:04d}",
            campaign_id=p.campaign_id,
            parties=parties,
        )
        # Its row is stamped now; it is dated at the end (_date_rows). Until then the
        # repeats found among the disputes before it are the same: all are of the last year
        # and the latest is the last registered.
        self.d = services.do_register(data=data, actor=self._registrar(), now=at)

    def _registrar(self) -> User | None:
        """Who registers it: the grid's worker for what 排查 found, the county centre's
        dispatcher for a case converted from the queue, a mediator for a request or a police
        referral; a court refers through its key (nobody on the platform)."""
        p, world = self.plan, self.world
        committee = world.committee(p.place.community)
        office = world.justice_office(p.place.township)
        committee_id = committee.pk if committee else None
        office_id = office.pk if office else None
        centre = world.units.get(unit_code(p.place.county.code, COMMAND_CENTRE))
        candidates = {
            Source.SCREENING: [world.grid_worker.get(p.place.grid_id)]
            + world.people(committee_id, Role.GRID_WORKER),
            Source.VISIT: [world.grid_worker.get(p.place.grid_id)]
            + world.people(committee_id, Role.GRID_WORKER),
            Source.CASE: world.people(centre.pk if centre else None, Role.DISPATCHER),
            Source.POLICE: world.people(office_id, Role.MEDIATOR),
            Source.COURT: [],
        }.get(p.source)
        if candidates is None:  # a walk-in or a call: where the person went
            village = p.risk == GENERAL
            candidates = world.people(committee_id if village else office_id, Role.MEDIATOR)
        return world.user(next((c for c in candidates if c), None))

    def mediators(self) -> list[User]:
        return [self.world.user(pk) for pk in self.world.people(self.d.holder_id, Role.MEDIATOR)]

    def mediator(self) -> User:
        """The holding unit's mediator (one of them, where a unit has several)."""
        people = self.mediators()
        if not people:
            raise RuntimeError(f"nobody mediates at {self.d.holder}")
        return people[self.plan.index % len(people)]

    def helpers(self, lead: User) -> list[User]:
        """Another mediator of the unit helps now and then, where it has one."""
        others = [u for u in self.mediators() if u.pk != lead.pk]
        return others[:1] if others and self.rng.random() < 0.5 else []

    # -- the story ------------------------------------------------------------------

    def story(self) -> Iterator[datetime]:
        p = self.plan
        yield p.at
        self.register(p.at)
        at = p.at
        for i, stage in enumerate(p.path):
            if self.d.level == Level.COURT:
                return  # the court takes it from here: nobody on the platform acts
            at = yield from self.stage(stage, at, last=i == len(p.path) - 1)
            if at is None:
                return

    def stage(self, stage: str, at: datetime, *, last: bool):
        rng = self.rng
        holder = self.mediator()
        if stage == "decline":
            at = later(rng, at, 1, 30)
            yield at
            self.act(at, "decline", holder, reason=rng.choice(self.plan.kind.declines))
            yield from self.close(at, holder)
            return None
        at = later(rng, at, 0.5, 30)
        yield at
        self.act(at, "accept", holder, note="材料齐全，予以受理。")
        if stage == "withdraw_early":
            at = later(rng, at, 4, 96)
            yield at
            self.act(at, "withdraw", holder, reason=rng.choice(WITHDRAWALS))
            yield from self.close(at, holder)
            return None
        at = later(rng, at, 1, 48)
        yield at
        lead = holder
        helpers = self.helpers(lead)
        self.act(
            at,
            "start",
            holder,
            lead=lead.pk,
            helpers=[h.pk for h in helpers],
            note="指定调解员，启动调解程序。",
        )
        self.lead, self.helping = lead, helpers
        others = [u for u in self.mediators() if u.pk != lead.pk]
        if self.plan.recuse and others:
            at = later(rng, at, 2, 24)
            yield at
            self.act(at, "recuse", lead, reason=RECUSAL, lead=others[0].pk)
            self.lead = others[0]
        count = max(1, self.sessions_left) if last else 1
        self.sessions_left -= count
        for k in range(count):
            closing = None
            if k == count - 1 and stage in ("settle", "fail", "court", "fail_up"):
                closing = "settle" if stage == "settle" else "fail"
            at = yield from self.session(at, closing=closing)
        return (yield from self.outcome(stage, at))

    def session(self, at: datetime, *, closing: str | None):
        rng, p = self.rng, self.plan
        held = later(rng, at, 12, 72) if not self.sessions_held else later(rng, at, 48, 144)
        held = on_a_working_day(rng, timezone.localdate(held))
        if held <= at:
            held = later(rng, at, 1, 4)
        recorded = later(rng, held, 1, 3)
        yield recorded
        matters = p.variant.matters.rstrip("。")
        if closing == "settle":
            summary = rng.choice(SETTLING_SESSIONS).format(matter=matters)
        elif closing == "fail":
            summary = rng.choice(FAILING_SESSIONS)
        elif not self.sessions_held:
            summary = rng.choice(FIRST_SESSIONS)
        else:
            summary = rng.choice(p.kind.sessions)
        next_step, next_at = "", None
        if closing is None:
            next_step = rng.choice(NEXT_STEPS)
            next_at = held + timedelta(days=rng.randint(3, 6))
        self.act(
            recorded,
            "record_session",
            self.lead,
            held_at=held,
            place=self._room(),
            attendees=self._attendees(),
            summary=summary,
            next_step=next_step,
            next_at=next_at,
        )
        self.sessions_held += 1
        return recorded

    def _room(self) -> str:
        place, level = self.plan.place, self.d.level
        if (
            self.plan.kind.code in ("boundary", "homestead", "land_contract")
            and self.rng.random() < 0.4
        ):
            return f"纠纷现场（{place.community.name}）"
        if level == Level.TOWNSHIP:
            return f"{place.township.name}司法所调解室"
        if level == Level.COUNTY:
            return f"{place.county.name}矛盾纠纷多元化解中心调解室"
        return f"{place.community.name}人民调解委员会调解室"

    def _attendees(self) -> str:
        p = self.plan
        people = [f"调解员{self.lead.display_name}"]
        people += [f"协助调解员{h.display_name}" for h in self.helping]
        if p.kind.code == "boundary":
            people.append(f"{p.a.name}、{p.b.name}主任及村民代表{p.n}人")
            people.append(f"{p.place.township.name}人民政府、自然资源所工作人员")
        else:
            people += [f"申请人{p.a.short}", f"被申请人{p.b.short}"]
        return "；".join(people)

    def outcome(self, stage: str, at: datetime):
        rng, lead, kind = self.rng, self.lead, self.plan.kind
        if stage == "time":
            # Nothing more happens here: the watcher moves it up once its time has run out.
            at = self.watcher(self.d.level_due)
            yield at
            services.escalate_overdue(now=at, tell=False, disputes=self.mine())
            self.d = Dispute.objects.get(pk=self.d.pk)
            return at
        at = later(rng, at, 0.2, 0.8) if stage in ("settle", "fail") else later(rng, at, 2, 48)
        yield at
        if stage == "settle":
            self.settle(at)
            return (yield from self.perform(at))
        if stage == "risk":
            # Through the service: a risk above what the level may hold moves it up at once.
            self.d = services.do_transition(
                dispute=self.d,
                action="judge_risk",
                actor=lead,
                now=at,
                tell=False,
                risk=Risk.SERIOUS,
                reason=rng.choice(JUDGED),
            )
            return at
        if stage == "hand":
            self.act(at, "escalate", lead, why="hand", reason=UP_BY_HAND[0])
            return at
        if stage == "withdraw":
            self.act(at, "withdraw", lead, reason=rng.choice(WITHDRAWALS))
            yield from self.close(at, self.mediator())
            return None
        self.act(at, "fail", lead, reason=rng.choice(kind.failures))
        if stage == "fail":
            yield from self.close(at, self.mediator())
            return None
        at = later(rng, at, 24, 72)
        yield at
        if stage == "court":
            self.act(at, "escalate", lead, level=Level.COURT, why="hand", reason=TO_COURT)
        else:
            self.act(at, "escalate", lead, why="hand", reason=UP_BY_HAND[1])
        return at

    def watcher(self, due: datetime) -> datetime:
        """When the watcher (``followup.tick``, every few minutes) notices what fell due at
        ``due``: a little later, and by now at the latest, so the demo leaves it nothing."""
        at = due + timedelta(minutes=self.rng.uniform(1, 10))
        return min(at, self.now) if due < self.now else at

    def close(self, at: datetime, holder: User):
        at = later(self.rng, at, 24, 480)
        yield at
        self.act(at, "close", holder, note=self.rng.choice(CLOSING))

    # -- the agreement and what follows it ------------------------------------------

    def _label(self, side: str) -> str:
        spec = self.plan.a if side == "a" else self.plan.b
        if spec.kind == PartyKind.ORGANISATION:
            return spec.name
        return ("申请人" if side == "a" else "被申请人") + spec.short

    def obligations(self, at: datetime) -> list[dict]:
        p, rng = self.plan, self.rng
        today = timezone.localdate(at)
        rows = []
        for who, what, how in p.variant.obligations:
            what = what.format(**self.words)
            if p.performance == "installments" and "{agreed}" in p.variant.obligations[0][1]:
                parts = rng.choice((2, 3))
                for k in range(1, parts + 1):
                    due = today + timedelta(days=30 * k + rng.randint(-3, 3))
                    rows.append((who, f"{what}（第{k}期，共{parts}期）", how, due))
                continue
            if "当场" in how or "当日" in how:
                due = today
            elif "即日起" in how:
                due = today + timedelta(days=rng.randint(15, 30))
            else:
                days = next((n for word, n in MONEY_DAYS.items() if word in how), None)
                due = today + timedelta(days=days or rng.randint(7, 30))
            rows.append((who, what, how, due))
        return [
            {"party": self._label(who), "what": what, "how": how, "due_on": due}
            for who, what, how, due in rows
        ]

    def settle(self, at: datetime) -> None:
        p = self.plan
        oral = p.form == AgreementForm.ORAL
        self.act(
            at,
            "settle",
            self.lead,
            form=p.form,
            disputed_matters=f"{self.facts}\n争议事项：{p.variant.matters}",
            obligations=self.obligations(at),
            note="双方达成口头调解协议，记录在案。" if oral else "双方签订人民调解协议书。",
        )
        if p.confirm:  # applied for within 30 days of it: the check reads its date
            Agreement.objects.filter(dispute_id=self.d.pk).update(created_at=at)

    def perform(self, settled: datetime):
        """履行回访: each obligation's date passes, the watcher asks the mediator to check
        (``followup``), the mediator checks; a judicial confirmation runs beside it."""
        p, rng = self.plan, self.rng
        by_day = defaultdict(list)
        for row in (
            Obligation.objects.filter(agreement__dispute_id=self.d.pk)
            .order_by("due_on", "pk")
            .values("pk", "due_on", "party", "what")
        ):
            by_day[row["due_on"]].append(row)
        steps = []
        today = timezone.localdate(settled)
        days = sorted(by_day)
        for i, due in enumerate(days):
            rows, final = by_day[due], i == len(days) - 1
            pks = [r["pk"] for r in rows]
            performed = not (p.performance == "not_performed" and final)
            if due <= today:
                check = later(rng, settled, 0.2, 2)
            else:
                passed = timezone.make_aware(
                    datetime.combine(due + timedelta(days=1), datetime.min.time())
                )
                remind = self.watcher(passed)
                steps.append((remind, 0, lambda at=remind: self.remind(at)))
                check = on_a_working_day(rng, due + timedelta(days=rng.randint(1, 6)))
            steps.append(
                (
                    check,
                    1,
                    lambda pks=pks, at=check, ok=performed, final=final: self.check(
                        pks, at, ok, final
                    ),
                )
            )
        if p.confirm:
            applied = on_a_working_day(rng, today + timedelta(days=rng.randint(3, 20)))
            decided = on_a_working_day(
                rng, timezone.localdate(applied) + timedelta(days=rng.randint(10, 25))
            )
            steps.append(
                (applied, 2, lambda at=applied: self.confirmation(at, Confirmation.APPLIED))
            )
            steps.append((decided, 3, lambda at=decided: self.confirmation(at, p.confirm)))
        steps.sort(key=lambda s: (s[0], s[1]))
        for at, _order, take in steps:
            yield at
            take()
        if self.d.state in ("performed", "not_performed"):
            yield from self.close(steps[-1][0], self.mediator())
        return None

    def remind(self, at: datetime) -> None:
        """The watcher (``followup.remind_due``) once the obligations' date has passed,
        telling nobody: it claims them and writes the timeline entry."""
        followup.remind_due(now=at, tell=False, disputes=self.mine())

    def mine(self):
        """This dispute, for a watcher's scan: the others' steps are their own stories'."""
        return Dispute.objects.filter(pk=self.d.pk)

    def check(self, pks: list[int], at: datetime, performed: bool, final: bool) -> None:
        rng = self.rng
        if not performed:
            note = rng.choice(NOT_PERFORMED)
        else:
            note = rng.choice(PERFORMED) if final else PART_PERFORMED
        self.act(
            at,
            "check_performance",
            self.lead,
            performed={str(pk): performed for pk in pks},
            note=note,
        )

    def confirmation(self, at: datetime, status: str) -> None:
        county = self.plan.place.county.name
        court = f"海东市{county}人民法院" if county.endswith("区") else f"{county}人民法院"
        self.act(
            at, "confirmation", self.lead, status=status, on=timezone.localdate(at), court=court
        )


# -- screening rounds (排查) ------------------------------------------------------------

ZERO_REPORT = "本网格本期排查未发现矛盾纠纷，零报告。"
HOLIDAYS = {1: "元旦春节前", 2: "春节前后", 4: "五一节前", 9: "国庆节前", 12: "元旦春节前"}


def _months(now: datetime) -> list[date]:
    """The first days of this month and the ROUNDS - 1 before it, oldest first."""
    first = timezone.localdate(now).replace(day=1)
    months = [first]
    for _ in range(ROUNDS - 1):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def make_campaigns(world: World, now: datetime) -> dict[tuple[int, date], Campaign]:
    """One round per township and month, set the day before it starts by the township's
    head or its 司法所's mediator and due on the 25th at six in the evening, through
    ``campaigns.do_create_campaign`` as of that day and telling nobody (the grid workers
    would hear today of rounds long past)."""
    campaigns = {}
    for month in _months(now):
        due = timezone.make_aware(datetime(month.year, month.month, 25, 18, 0))
        created = timezone.make_aware(datetime.combine(month, datetime.min.time()))
        created -= timedelta(hours=15)
        for township in world.townships.values():
            if not world.by_township.get(township.pk):
                continue
            office = world.justice_office(township)
            government = world.units.get(township.code)
            setters = [
                *world.people(government.pk if government else None, Role.LEADER),
                *world.people(office.pk if office else None, Role.MEDIATOR),
            ]
            if not setters:
                continue
            actor = world.user(setters[0])
            holiday = HOLIDAYS.get(month.month, "")
            campaigns[(township.pk, month)] = rounds.do_create_campaign(
                actor=actor,
                title=f"{township.name}{month.year}年{month.month}月{holiday}矛盾纠纷排查",
                region=township,
                starts_on=month,
                due_at=due,
                now=created,
                tell=False,
            )
    rows = list(campaigns.values())
    for c in rows:  # stamped when written: date them when they were set
        c.created_at = c.updated_at = timezone.make_aware(
            datetime.combine(c.starts_on, datetime.min.time())
        ) - timedelta(hours=15)
    Campaign.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
    return campaigns


def campaign_for(campaigns: dict, plan: Plan) -> Campaign | None:
    local = timezone.localdate(plan.at)
    found = campaigns.get((plan.place.township.pk, local.replace(day=1)))
    if found is not None and plan.at <= found.due_at:
        return found
    return None


def report_grids(
    world: World, campaigns: dict, plans: list[Plan], rng: random.Random, now: datetime
) -> int:
    """Each grid's answer to each round, by its worker, as ``campaigns.do_grid_report``
    makes it (one report per grid, found no fewer than the disputes registered for it):
    most by the deadline (a zero report, or the disputes found and registered), some late,
    some not yet or never. Written as rows in one go: through the service, one grid at a
    time, they would cost the demo more than all its disputes."""
    found = defaultdict(list)  # (campaign, grid) → when its disputes were registered
    for p in plans:
        if p.campaign_id and p.at <= now:
            found[(p.campaign_id, p.place.grid_id)].append(p.at)
    reports, dates = [], []
    for (township_id, _month), campaign in campaigns.items():
        open_round = campaign.due_at > now
        start = timezone.make_aware(datetime.combine(campaign.starts_on, datetime.min.time()))
        for community_id in world.by_township[township_id]:
            for place in world.places[community_id]:
                seen = found.get((campaign.pk, place.grid_id), [])
                worker = world.grid_worker.get(place.grid_id)
                roll = rng.random()
                if worker is None:
                    continue  # only the grid's own worker may report for it
                if seen:
                    at = later(rng, max(seen), 1, 30)
                elif open_round:
                    if roll > 0.65:
                        continue  # not reported yet: the round is still open
                    at = start + (now - start) * rng.uniform(0.1, 0.95)
                elif roll < 0.88:
                    at = start + (campaign.due_at - start) * rng.uniform(0.3, 0.99)
                elif roll < 0.95:
                    at = later(rng, campaign.due_at, 6, 96)  # late
                else:
                    continue  # never reported
                at = min(at, now - timedelta(minutes=5))
                reports.append(
                    GridReport(
                        campaign=campaign,
                        grid_id=place.grid_id,
                        reported_by_id=worker,
                        found=len(seen),
                        note=f"排查发现矛盾纠纷{len(seen)}件，已登记移交调解。"
                        if seen
                        else ZERO_REPORT,
                    )
                )
                dates.append(at)
        if not open_round:  # the watcher claimed it just after the deadline (remind_late)
            campaign.reminded_at = campaign.due_at + timedelta(minutes=rng.uniform(1, 10))
    GridReport.objects.bulk_create(reports, batch_size=1000)  # SQLite and PostgreSQL: with ids
    for report, at in zip(reports, dates, strict=True):
        report.reported_at = at
    GridReport.objects.bulk_update(reports, ["reported_at"], batch_size=1000)
    Campaign.objects.bulk_update(
        [c for c in campaigns.values() if c.reminded_at], ["reminded_at"], batch_size=500
    )
    return len(reports)


# -- loading ------------------------------------------------------------------------------


def exists() -> bool:
    return Dispute.objects.filter(external_ref__startswith=MARK).exists()


def _convert_cases(planner: Planner, plans: list[Plan], rng: random.Random) -> None:
    """Some requests came from the case queue: a 矛盾纠纷 case of the same kind, reported a
    little earlier and still open then, in a place with no such dispute yet, becomes the
    dispute's source (registered as ``conversion.do_convert_case`` registers it; the
    case's own history is the case demo's and is left as it is)."""
    from gongzhi.cases.choices import State as CaseState
    from gongzhi.cases.models import Case

    pool = defaultdict(list)
    for number, grid_id, at, closed, category in (
        Case.objects.filter(category__name__in=list(CASE_TYPES))
        .exclude(state__in=[CaseState.REJECTED, CaseState.MERGED])
        .values_list("number", "grid_id", "created_at", "closed_at", "category__name")
    ):
        pool[CASE_TYPES[category]].append((at, closed, number, grid_id))
    if not pool:
        return
    grid_place = {pl.grid_id: pl for places in planner.world.places.values() for pl in places}
    repeated = {id(p.a) for p in plans if "再次发生" in "".join(p.extra)}
    for plan in plans:
        code = plan.kind.code
        if (
            plan.source not in (Source.WALK_IN, Source.PHONE)
            or plan.risk != GENERAL
            or code not in pool
            or id(plan.a) in repeated
            or rng.random() > 0.5
        ):
            continue
        fits = [
            c
            for c in pool[code]
            if plan.at - timedelta(days=20) <= c[0] <= plan.at - timedelta(hours=2)
            and (c[1] is None or c[1] > plan.at)  # still open then: only an open case converts
            and c[3] in grid_place
            and (grid_place[c[3]].community.pk, code) not in planner.used
            and grid_place[c[3]].community.pk != planner.home
        ]
        if not fits:
            continue
        case = rng.choice(fits)
        pool[code].remove(case)
        _at, _closed, number, grid_id = case
        planner.used.discard((plan.place.community.pk, code))
        plan.place = grid_place[grid_id]
        planner.used.add((plan.place.community.pk, code))
        plan.source, plan.source_ref = Source.CASE, number


def generate(
    *, count: int = DEMO_COUNT, now: datetime | None = None, seed: int = DEMO_SEED
) -> dict:
    """``count`` disputes of the last year in the demo city, and its screening rounds.
    Creates nothing when demo disputes exist."""
    started = time.monotonic()
    if exists():
        return {"disputes": 0, "skipped": True}
    city = Region.objects.filter(code=settings.GONGZHI.get("DEMO_CITY_CODE", "630200")).first()
    if city is None:
        return {"disputes": 0, "skipped": True}
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        world = World(city)
        if not world.places:
            return {"disputes": 0, "skipped": True}
        planner = Planner(rng, world, now, count)
        plans = planner.draw()
        _convert_cases(planner, plans, rng)
        campaigns = make_campaigns(world, now)
        for plan in plans:
            if plan.source == Source.SCREENING:
                found = campaign_for(campaigns, plan)
                plan.campaign_id = found.pk if found else None
        _recusals(plans, world, rng)
        type_ids = dict(DisputeType.objects.values_list("code", "pk"))
        tales = [
            Tale(plan, world, random.Random(f"{seed}:{plan.index}"), type_ids, now)
            for plan in plans
        ]
        steps = _run(tales, now)
        mine = Dispute.objects.filter(external_ref__startswith=MARK)
        _date_rows(mine)
        counts = {
            "disputes": mine.count(),
            "steps": steps,
            "events": DisputeEvent.objects.filter(dispute__in=mine).count(),
            "agreements": Agreement.objects.filter(dispute__in=mine).count(),
            "campaigns": len(campaigns),
            "grid_reports": report_grids(world, campaigns, plans, rng, now),
        }
        counts["states"] = dict(Counter(mine.values_list("state", flat=True)).most_common())
    counts["seconds"] = round(time.monotonic() - started, 2)
    return counts


def _recusals(plans: list[Plan], world: World, rng: random.Random) -> None:
    """A few leads step aside (related to a party): where the unit has a second mediator."""
    for plan in plans:
        office = world.justice_office(plan.place.township)
        if (
            plan.risk == SERIOUS
            and plan.path[0] == "settle"
            and office is not None
            and len(world.people(office.pk, Role.MEDIATOR)) > 1
            and rng.random() < 0.3
        ):
            plan.recuse = True


def _run(tales: list[Tale], now: datetime) -> int:
    """Take every dispute's steps in time order, up to now; later ones are not taken."""
    heap = []
    for i, tale in enumerate(tales):
        story = tale.story()
        heap.append((next(story), i, story))
    heapq.heapify(heap)
    taken = 0
    while heap:
        at, i, story = heapq.heappop(heap)
        if at > now:
            continue
        try:
            following = next(story)
        except StopIteration:
            following = None
        taken += 1
        if following is not None:
            heapq.heappush(heap, (following, i, story))
    return taken


def _date_rows(disputes) -> None:
    """Rows are stamped when written, and these were written now: date each dispute when
    its last step wrote it. Its registration's notices are long told: none to send."""
    steps = DisputeEvent.objects.filter(dispute=OuterRef("pk")).exclude(action="performance_due")
    disputes.update(
        created_at=Subquery(steps.filter(action="register").values("at")[:1]),
        updated_at=Subquery(steps.order_by("-at", "-id").values("at")[:1]),
    )
    # An agreement is made by the settlement and written again by its confirmation.
    made = DisputeEvent.objects.filter(dispute=OuterRef("dispute_id"))
    Agreement.objects.filter(dispute__in=disputes).update(
        created_at=Subquery(made.filter(action="settle").values("at")[:1]),
        updated_at=Subquery(
            made.filter(action__in=["settle", "confirmation"])
            .order_by("-at", "-id")
            .values("at")[:1]
        ),
    )
    DisputeEvent.objects.filter(dispute__in=disputes, effects_pending=True).update(
        effects_pending=False
    )


def load(*, stdout=None) -> dict:
    """The demo's disputes and screening rounds, once."""
    if exists():
        if stdout is not None:
            stdout.write("mediation: demo disputes already present, nothing created\n")
        return {"disputes": 0, "skipped": True}
    counts = generate()
    if stdout is not None and not counts.get("skipped"):
        stdout.write(
            f"mediation: {counts['disputes']} demo disputes, {counts['events']} timeline "
            f"entries, {counts['agreements']} agreements, {counts['campaigns']} screening "
            f"rounds, {counts['grid_reports']} grid reports ({counts['seconds']} s)\n"
        )
    return counts
