"""What the demo is made of: staff, products, customers' stories, in the handbooks' words.

Pure data, no ORM. The texts follow the seeds (SPEC §1–§5): customers' own
words, angry or polite, with order numbers; plans in the handbooks' vocabulary
(上门检测, 返厂, 补发 同城24小时/异地48小时, 100元无门槛券, 免费维修+延保).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed on purpose; demo only


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    department: str | None
    display_name: str
    role_label: str
    department_label: str = ""
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin", None, "系统管理员", "管理员 administrator", "", superuser=True),
    DemoUser("agent", "agent", "customer_service", "王芳", "客服专员 agent", "客服部"),
    DemoUser("agent2", "agent", "customer_service", "李娜", "客服专员 agent", "客服部"),
    DemoUser("supervisor", "supervisor", "customer_service", "陈静", "客服主管 supervisor", "客服部"),
    DemoUser("tech", "handler", "technical_support", "张建国", "处理人 handler", "技术支持部"),
    DemoUser("tech_head", "department_head", "technical_support", "刘强", "部门经理 department head", "技术支持部"),
    DemoUser("engineer", "engineer", "technical_support", "郑海涛", "工程师 field engineer", "技术支持部"),
    DemoUser("logistics", "handler", "logistics", "赵磊", "处理人 handler", "物流管理部"),
    DemoUser("logistics_head", "department_head", "logistics", "孙丽华", "部门经理 department head", "物流管理部"),
    DemoUser("quality", "handler", "quality_control", "周敏", "处理人 handler", "质量控制部"),
    DemoUser("quality_head", "department_head", "quality_control", "吴刚", "部门经理 department head", "质量控制部"),
    DemoUser("finance", "handler", "finance", "黄琳", "处理人 handler", "财务部"),
    DemoUser("auditor", "auditor", "quality_control", "马晓燕", "质量分析 auditor (read-only)", "质量控制部"),
)

# category → the department the default routing rule sends it to (SPEC §4)
ROUTING = {
    "technical_fault": "technical_support",
    "logistics": "logistics",
    "quality_objection": "quality_control",
    "service_consultation": "customer_service",
}
HANDLERS = {"technical_support": "tech", "logistics": "logistics", "quality_control": "quality",
            "finance": "finance", "customer_service": "agent2", "warehouse": None}
HEADS = {"technical_support": "tech_head", "logistics": "logistics_head", "quality_control": "quality_head"}


# ---------------------------------------------------------------- catalog


@dataclass(frozen=True)
class DemoModel:
    code: str
    name: str
    product_line: str
    sku: str
    warranty_months: int
    batches: tuple[tuple[str, str, str], ...]  # (number, produced_on, factory)
    nicknames: tuple[str, ...] = ()  # what customers call it


MODELS: tuple[DemoModel, ...] = (
    DemoModel("RC-30", "智能电饭煲", "厨房小电", "RC30-WH-3L", 12,
              (("RC30-2406A", "2026-06-12", "佛山顺德工厂"), ("RC30-2409B", "2026-09-03", "佛山顺德工厂"),
               ("RC30-2410C", "2026-10-08", "宁波慈溪工厂")), ("电饭煲", "电饭锅")),
    DemoModel("AP-500", "空气净化器", "环境电器", "AP500-GY", 24,
              (("AP500-2405A", "2026-05-20", "苏州工厂"), ("AP500-2408B", "2026-08-15", "苏州工厂")),
              ("净化器", "空净")),
    DemoModel("NB-14P", "笔记本电脑", "数码电脑", "NB14P-16G-512G", 24,
              (("NB14P-2407A", "2026-07-01", "重庆笔电工厂"), ("NB14P-2409B", "2026-09-10", "重庆笔电工厂"),
               ("NB14P-2410C", "2026-10-12", "昆山工厂")), ("笔记本", "电脑", "NB-14 Pro")),
    DemoModel("SR-X8", "扫地机器人", "清洁电器", "SRX8-BK", 12,
              (("SRX8-2406A", "2026-06-05", "东莞工厂"), ("SRX8-2409B", "2026-09-18", "东莞工厂")),
              ("扫地机", "扫地机器人")),
    DemoModel("KT-17", "电热水壶", "厨房小电", "KT17-1.7L-SS", 12,
              (("KT17-2405A", "2026-05-08", "中山工厂"), ("KT17-2407B", "2026-07-22", "中山工厂"),
               ("KT17-2409C", "2026-09-26", "中山工厂"), ("KT17-2410D", "2026-10-20", "中山工厂")),
              ("电水壶", "烧水壶", "热水壶")),
    DemoModel("SF-301", "实木沙发", "家居家具", "SF301-3P-WALNUT", 36,
              (("SF301-2405A", "2026-05-15", "赣州南康家具厂"), ("SF301-2408B", "2026-08-28", "赣州南康家具厂")),
              ("沙发", "实木沙发")),
    DemoModel("BL-900", "破壁料理机", "厨房小电", "BL900-RD", 12,
              (("BL900-2406A", "2026-06-18", "佛山顺德工厂"), ("BL900-2409B", "2026-09-09", "佛山顺德工厂"),
               ("BL900-2410C", "2026-10-16", "佛山顺德工厂")), ("破壁机", "料理机")),
    DemoModel("DL-7", "智能门锁", "智能家居", "DL7-FP-BLK", 24,
              (("DL7-2406A", "2026-06-25", "深圳工厂"), ("DL7-2409B", "2026-09-21", "深圳工厂")),
              ("门锁", "指纹锁", "智能锁")),
    DemoModel("WP-600", "净水器", "环境电器", "WP600-RO-600G", 12,
              (("WP600-2405A", "2026-05-28", "宁波慈溪工厂"), ("WP600-2408B", "2026-08-06", "宁波慈溪工厂"),
               ("WP600-2410C", "2026-10-02", "宁波慈溪工厂")), ("净水器", "净水机")),
    DemoModel("EB-2", "蓝牙耳机", "数码配件", "EB2-WH", 12,
              (("EB2-2407A", "2026-07-11", "东莞工厂"), ("EB2-2409B", "2026-09-30", "东莞工厂")),
              ("耳机", "蓝牙耳机")),
)
UNITS_TOTAL = 500
# The handbook's story: one rice-cooker batch whose inner-pot coating was 0.1 mm too thin.
COATING_BATCH = "RC30-2409B"


# ---------------------------------------------------------------- customers

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "欣怡", "子涵", "浩然", "雨桐", "宇轩", "思雨", "俊杰", "佳怡", "晓燕",
    "建华", "国强", "志强", "海燕", "丽华", "春梅", "文博", "一鸣", "梓萱", "诗涵", "博文", "晨曦", "嘉怡",
    "振华", "凤英", "玉兰", "德明", "淑珍", "晓东", "红梅", "建军", "美玲", "小龙", "婷婷", "雪", "鹏", "斌",
    "慧敏", "志远", "雅琴", "家豪", "梦瑶", "天宇", "若曦", "立新", "桂芳", "永刚", "文静", "少华", "丹",
)
CITIES = (
    ("上海", "上海市浦东新区张杨路", "上海市闵行区七莘路", "上海市徐汇区漕溪北路"),
    ("北京", "北京市朝阳区望京西路", "北京市海淀区学院路", "北京市丰台区丰管路"),
    ("广州", "广州市天河区体育东路", "广州市番禺区市桥街", "广州市白云区机场路"),
    ("深圳", "深圳市南山区科技园南路", "深圳市龙岗区龙城大道", "深圳市福田区福华三路"),
    ("杭州", "杭州市西湖区文三路", "杭州市余杭区五常大道", "杭州市滨江区江南大道"),
    ("成都", "成都市高新区天府大道", "成都市武侯区科华北路", "成都市锦江区春熙路"),
    ("武汉", "武汉市洪山区珞喻路", "武汉市江汉区建设大道"),
    ("南京", "南京市鼓楼区中山北路", "南京市江宁区双龙大道"),
    ("西安", "西安市雁塔区小寨东路", "西安市未央区凤城八路"),
    ("苏州", "苏州市工业园区星湖街", "苏州市姑苏区人民路"),
    ("重庆", "重庆市渝北区金开大道", "重庆市江北区建新北路"),
    ("长沙", "长沙市岳麓区麓山南路", "长沙市雨花区韶山中路"),
    ("郑州", "郑州市金水区花园路", "郑州市中原区建设西路"),
    ("青岛", "青岛市市南区香港中路", "青岛市崂山区海尔路"),
    ("天津", "天津市南开区黄河道", "天津市河西区友谊路"),
    ("厦门", "厦门市思明区湖滨南路", "厦门市湖里区仙岳路"),
)
ENTERPRISES = (
    "杭州云帆网络科技有限公司", "成都蓉锦酒店管理有限公司", "深圳前海智联信息技术有限公司",
    "上海瑞禾餐饮管理有限公司", "北京华信伟业会计师事务所", "武汉光谷启明教育科技有限公司",
    "南京金陵月子会所有限公司", "苏州博远精密制造有限公司", "广州悦享共享办公有限公司",
    "西安曲江文旅酒店有限公司", "重庆山城火锅连锁管理有限公司", "长沙星城幼教集团有限公司",
    "青岛海韵民宿管理有限公司", "厦门鹭岛健身连锁有限公司", "天津滨海物流园区管理有限公司",
    "郑州中原口腔门诊部", "宁波甬江律师事务所", "合肥讯达软件有限公司",
)
DEALERS = (
    "苏州吴中美家电器专营店", "佛山顺德福临家电城", "郑州金水万佳电器行", "长沙岳麓惠民家电门市",
    "昆明盘龙云家居体验馆", "沈阳和平尚品家具城", "济南历下佳美电器商行", "南宁青秀优选数码店",
    "石家庄裕华乐购家电", "温州鹿城百姓电器", "无锡梁溪家和家居馆", "东莞南城数码之家",
)
CUSTOMERS_TOTAL = 150


# ---------------------------------------------------------------- the stories


@dataclass(frozen=True)
class PlanSpec:
    kind: str
    summary: str
    repair_mode: str = ""
    compensation: Decimal = Decimal("0")
    form: str = ""
    cost: Decimal = Decimal("0")
    due_hours: int = 48


@dataclass(frozen=True)
class Scenario:
    key: str
    model: str
    category: str
    subcategory: str
    priority: str
    demand: str
    title: str
    texts: tuple[str, ...]  # the customer's words; {order} is the order number
    plan: PlanSpec
    result: str
    responsibility: str = "undetermined"
    flags: tuple[str, ...] = ()
    tried: str = ""
    environment: str = ""
    customer_type: str = "individual"
    batch: str = ""
    note: str = ""  # internal note written when the work is dispatched
    alternative: PlanSpec | None = None  # offered when the customer rejects the first plan
    rejection: str = ""  # what the customer says when rejecting
    weight: int = 1
    proof: str = "维修记录单.png"
    age_days: tuple[int, int] = (10, 120)  # how long ago it was bought
    extras: dict[str, str] = field(default_factory=dict)


def _p(kind: str, summary: str, mode: str = "", comp: int = 0, form: str = "", cost: int = 0,
       due: int = 48) -> PlanSpec:
    return PlanSpec(kind=kind, summary=summary, repair_mode=mode, compensation=Decimal(comp), form=form,
                    cost=Decimal(cost), due_hours=due)


T, L, Q, S = "technical_fault", "logistics", "quality_objection", "service_consultation"

SCENARIOS: tuple[Scenario, ...] = (
    # ---- 技术故障 · 功能异常 (死机、无法启动)
    Scenario("nb_no_boot", "NB-14P", T, "function_abnormal", "P2", "repair", "笔记本电脑无法开机",
             ("笔记本买了不到两个月，昨天晚上突然黑屏，现在按电源键指示灯都不亮，完全开不了机。里面有我明天要交的方案，急死了！订单号 {order}",
              "您好，我的NB-14 Pro电脑今天早上开不了机了，充电灯是亮的，但是按电源键没有任何反应，屏幕一直黑着。麻烦帮忙看一下怎么处理，订单号 {order}。"),
             _p("repair", "寄回维修中心检测主板，返厂维修期间提供备用机，维修完成顺丰寄回", "return_to_factory", due=72),
             "检测为主板供电芯片故障，已免费更换主板，数据完好，试机正常，已顺丰寄回", "production",
             tried="长按电源键15秒强制重启、换了插座和充电器，都没用", environment="家里办公，平时插电使用",
             alternative=_p("exchange", "主板缺货，改为直接换新机，上门取件同时送新机", due=72),
             rejection="客户说返厂要等一周太久，要求直接换新机"),
    Scenario("rc_e3", "RC-30", T, "function_abnormal", "P2", "repair", "电饭煲显示E3无法加热",
             ("电饭煲煮饭煮到一半显示E3，然后就不加热了，拔了电重新插还是E3。一家人等着吃饭，太耽误事了。",
              "你好，电饭煲用了一个多月，今天煮粥的时候突然显示E3故障码，无法加热，想问一下是什么问题，能不能修？订单号 {order}"),
             _p("repair", "安排工程师上门检测温控器和加热盘，确认故障后免费更换", "onsite", due=48),
             "上门检测为温控传感器接触不良，已免费更换传感器，现场煮饭测试正常", "production",
             tried="断电重启了好几次", environment="家用，每天煮两顿饭"),
    Scenario("sr_spin", "SR-X8", T, "function_abnormal", "P3", "repair", "扫地机器人原地打转",
             ("扫地机器人每次扫到一半就原地打转，然后提示“请将机器放回基座”，重启也没用。",
              "扫地机最近老是在客厅原地转圈，转几圈就报错停下了，是不是哪里坏了？麻烦看看，谢谢。"),
             _p("remote_guidance", "远程指导清理驱动轮和沿边传感器，无效则寄回检测", due=24),
             "远程视频指导客户清理驱动轮缠绕的头发并校准传感器，机器恢复正常", "customer_misuse",
             tried="重启、重新配网", proof="远程指导截图.png"),
    Scenario("nb_fleet_down", "NB-14P", T, "function_abnormal", "P1", "repair", "企业采购电脑批量蓝屏，财务结账中断",
             ("我们公司采购的30台NB-14 Pro，今天上午有8台同时蓝屏死机，反复重启进不了系统，财务部月底结账全停了！请马上派人过来，采购合同号 {order}",
              "紧急！公司这批电脑从昨天开始陆续蓝屏，已经有6台完全用不了，业务基本停摆。需要你们今天就给方案，合同号 {order}。"),
             _p("repair", "工程师4小时内到场排查，先提供5台备用机保障结账，故障机现场更换固态硬盘", "onsite", cost=0,
                due=24),
             "现场确认为同批次固态硬盘固件缺陷，已为8台电脑升级固件并更换2块硬盘，业务恢复", "supplier",
             flags=("vip",), customer_type="enterprise",
             note="企业客户核心业务中断，按P1处理，已同步上报技术支持部经理", environment="公司财务部，每天开机10小时以上",
             age_days=(20, 60)),
    Scenario("wp_no_water", "WP-600", T, "function_abnormal", "P2", "repair", "净水器不出水",
             ("净水器一直显示“制水中”但是一滴水都不出，已经两天没法用了，家里老人小孩都要喝水，能不能快点来人看看？",
              "您好，净水器这两天不出水了，面板一直亮红灯，请问怎么处理？订单号 {order}"),
             _p("repair", "工程师上门检测增压泵和进水电磁阀，现场更换故障部件", "onsite", due=48),
             "上门检测为进水电磁阀卡死，已免费更换并冲洗滤芯，出水正常", "production",
             environment="厨房水槽下安装，自来水水压偏低"),
    # ---- 技术故障 · 功能失效 (按键失灵、接口损坏)
    Scenario("bl_knob", "BL-900", T, "function_failure", "P2", "exchange", "破壁机旋钮按键失灵",
             ("破壁机的旋钮按下去没反应，启动不了，只能拔插头关机，才买了三周！订单号 {order}",
              "您好，破壁机控制面板的按键失灵了，按了好几次才有反应，有时候根本不启动，麻烦帮我换一台。"),
             _p("exchange", "质量问题15天内换新，上门取件同时送新机", due=72),
             "新机已送达并现场试机，旧机已取回", "production", proof="换货签收单.png", age_days=(7, 14)),
    Scenario("dl_locked_out", "DL-7", T, "function_failure", "P2", "repair", "指纹锁失灵，老人被锁门外",
             ("指纹锁突然识别不了指纹，密码按键也没反应，我妈一个人被锁在门外已经一个小时了！你们快派人来！",
              "门锁今天早上开始按键没反应，指纹也刷不开，只能用机械钥匙，家里老人不会用钥匙，请尽快安排师傅上门。"),
             _p("repair", "工程师2小时内上门，先应急开锁，检测后更换前面板", "onsite", due=24),
             "已上门应急开锁并更换前面板，重新录入指纹和密码，测试正常", "production",
             environment="入户门，朝西，下午暴晒", tried="换了新电池"),
    Scenario("eb_charge", "EB-2", T, "function_failure", "P3", "exchange", "耳机左耳充不进电",
             ("左耳耳机充不进电，充电仓的触点有点松，放进去指示灯不亮。",
              "耳机左边那只一直充不上电，右边正常，麻烦帮忙换一个，订单号 {order}，谢谢！"),
             _p("exchange", "寄回检测，确认为充电触点问题后换新", due=96),
             "检测确认充电仓触点虚焊，已寄出新耳机", "production", proof="换货签收单.png"),
    Scenario("nb_usbc", "NB-14P", T, "function_failure", "P2", "repair", "笔记本USB-C接口接触不良",
             ("电脑USB-C充电口接触不良，充电线一碰就断电，电量掉到0直接关机，工作文件都没保存。",
              "你好，电脑左边的USB-C口好像松了，插充电器要找角度才能充上，请问在保修范围吗？"),
             _p("repair", "寄回维修中心更换USB-C接口小板", "return_to_factory", due=120),
             "已更换USB-C接口小板，连续充放电测试正常，已寄回", "production"),
    Scenario("kt_switch", "KT-17", T, "function_failure", "P3", "exchange", "电水壶开关按下就弹起",
             ("电水壶开关按下去就弹起来，烧不了水，才用了半个月。",
              "您好，水壶开关压不住，一按就弹，水还是凉的，能换一个吗？"),
             _p("exchange", "15天内质量问题，直接换新，快递上门取旧送新", due=72),
             "新壶已签收，客户试用正常", "production", proof="物流签收单.png", age_days=(5, 15)),
    # ---- 技术故障 · 软件兼容
    Scenario("sr_wifi", "SR-X8", T, "software_compat", "P3", "consultation", "App升级后扫地机连不上Wi-Fi",
             ("App升级到新版本后扫地机就连不上Wi-Fi了，家里是双频路由器，之前一直好好的。",
              "更新App以后设备一直显示离线，重新配网也失败，是你们的App有问题吧？"),
             _p("remote_guidance", "远程指导关闭路由器5G合并、改用2.4G配网，并推送固件更新", due=24),
             "已远程指导重新配网并升级固件，设备在线正常", "undetermined", proof="远程指导截图.png"),
    Scenario("dl_app_crash", "DL-7", T, "software_compat", "P3", "consultation", "门锁App在鸿蒙系统上闪退",
             ("门锁App在鸿蒙系统上一打开就闪退，没法远程开门，也看不了开门记录。",
              "请问门锁App支持鸿蒙系统吗？我打开就闪退。"),
             _p("remote_guidance", "提供兼容版本安装包，远程协助安装", due=24),
             "已推送3.2.1兼容版本，客户确认可以正常使用", "undetermined", proof="远程指导截图.png"),
    Scenario("nb_driver", "NB-14P", T, "software_compat", "P3", "consultation", "财务软件驱动不兼容，无法打印发票",
             ("公司电脑装了财务软件以后一直提示驱动不兼容，税控盘识别不了，开不了发票，影响业务。",
              "你好，新电脑装税控软件时提示USB驱动不兼容，请问有没有对应的驱动？"),
             _p("remote_guidance", "技术支持远程安装兼容驱动并调试税控盘", due=8),
             "已远程安装兼容驱动，税控盘识别正常，发票打印成功", "undetermined", customer_type="enterprise",
             proof="远程指导截图.png"),
    Scenario("eb_android", "EB-2", T, "software_compat", "P3", "consultation", "耳机连安卓手机经常断连",
             ("蓝牙耳机连安卓手机经常断连，走两步就断，连iPhone反而没问题。",
              "耳机连我的安卓手机隔几分钟就断一下，是兼容问题吗？"),
             _p("remote_guidance", "指导升级耳机固件并关闭手机省电模式对蓝牙的限制", due=24),
             "固件升级后连续使用两天未再断连", "undetermined", proof="远程指导截图.png"),
    # ---- 技术故障 · P1 安全隐患 (漏电、冒烟、烫伤)
    Scenario("kt_shock", "KT-17", T, "function_failure", "P1", "return_refund", "电热水壶漏电，用户被电到",
             ("电热水壶烧水的时候我摸了一下壶身被电了一下，手到现在还麻！这是要出人命的！订单号 {order}，必须给我一个说法！",
              "您好，水壶烧水时碰到金属外壳有明显的麻电感，家里有老人小孩，现在不敢用了，请尽快处理。订单号 {order}"),
             _p("return_refund", "立即停用，工程师上门检测取回问题壶送检，全额退款并补偿", comp=300, form="cash", due=24),
             "送检确认底座绝缘层破损导致漏电，已全额退款并支付300元补偿，同批次已启动排查", "production",
             flags=("safety",), note="漏电安全隐患，P1，已上报技术支持部经理，同批次启动排查",
             environment="厨房台面，插座有接地", tried="已拔掉插头停止使用"),
    Scenario("rc_smoke", "RC-30", T, "function_abnormal", "P1", "return_refund", "电饭煲底部冒烟有焦味",
             ("电饭煲底部冒烟，有很重的焦糊味，吓得我赶紧拔了插头，家里有小孩，太吓人了！",
              "刚才煮饭时电饭煲底部冒出白烟，还有塑料烧焦的味道，现在已经断电了，请问怎么处理？订单号 {order}"),
             _p("repair", "4小时内工程师上门检测并取回送检，先送一台新机给客户使用", "onsite", due=48),
             "检测为电源板电容击穿，已为客户更换新机，问题机送质量部分析", "production",
             flags=("safety",), note="冒烟，P1安全隐患，已同步技术支持部经理", tried="已断电，没有再用"),
    Scenario("bl_burn", "BL-900", T, "function_failure", "P1", "compensation", "破壁机杯盖弹开，孩子被烫伤",
             ("破壁机打热豆浆的时候杯盖突然弹开，热浆溅出来把我女儿手臂烫伤了，现在还在医院！你们的产品质量到底怎么回事？订单号 {order}",
              "昨天用破壁机做热米糊，盖子突然冲开，溅出来的米糊烫伤了孩子的手，医生说是二度烫伤。希望你们给个合理的处理方案。"),
             _p("compensation", "承担全部医疗费用并补偿3000元，取回问题机检测，同型号杯盖锁扣排查", comp=3000, form="cash",
                due=48),
             "医疗费及补偿已支付，问题机检测为杯盖锁扣弹簧疲劳，已反馈质量部", "production",
             flags=("safety", "public_opinion"), note="烫伤事件，客户情绪激动，注意安抚；已上报部门经理审批补偿",
             proof="医疗票据与补偿确认单.png"),
    Scenario("ap_smoke", "AP-500", T, "function_abnormal", "P1", "exchange", "空气净化器出风口冒烟",
             ("净化器开机后有塑料烧焦的味道，后面出风口还在冒烟，吓得我马上拔了电源。",
              "您好，空气净化器运行时突然有焦糊味，仔细看后面有一点烟，现在不敢用了，麻烦尽快处理。"),
             _p("exchange", "工程师4小时内上门检测并取回，直接换新机", due=24),
             "上门确认电机绕组过热，已换新机，问题机送检", "production", flags=("safety",),
             note="冒烟，P1，已同步部门经理"),
    Scenario("sr_spark", "SR-X8", T, "function_failure", "P1", "return_refund", "扫地机充电座插头打火",
             ("扫地机器人充电座插头那里烧黑了，插上去还有火花，差点着火！",
              "充电座插头有烧焦痕迹，插上电会啪啪响，请尽快处理，订单号 {order}"),
             _p("return_refund", "立即停用，上门取回充电座送检，全额退款", due=24),
             "送检为充电座电源线压接不良，已全额退款", "production", flags=("safety",)),
    # ---- 物流配送 · 延迟到货
    Scenario("sf_late", "SF-301", L, "delivery_delay", "P3", "compensation", "沙发超期一个月未发货",
             ("沙发说好15天发货，现在一个月了还没消息，客服一直说在排产，到底什么时候能到？订单号 {order}",
              "您好，我的沙发订单 {order} 下单快一个月了还没发货，新房等着入住，能帮忙催一下吗？"),
             _p("compensation", "赠送100元无门槛券，协调工厂优先排产，承诺3日内发货", comp=100, form="coupon", due=72),
             "已发放100元无门槛券，沙发已发货，物流单号 SF1420387765", "logistics", proof="物流单截图.png",
             age_days=(28, 40)),
    Scenario("ap_stuck", "AP-500", L, "delivery_delay", "P3", "other", "快递滞留转运中心三天",
             ("物流显示三天前就到了本市转运中心，一直不动，打快递电话也没人接，你们到底发没发？",
              "快递停在转运中心好几天了，能帮忙查一下吗？订单号 {order}"),
             _p("reship", "联系快递核实，包裹遗失则同城24小时补发", due=24),
             "快递确认包裹遗失，已同城补发，客户已签收", "logistics", proof="物流签收单.png", age_days=(4, 8)),
    Scenario("rc_dealer_late", "RC-30", L, "delivery_delay", "P2", "other", "经销商双11备货迟迟未到",
             ("我们店上周订的20台电饭煲到现在还没到，双11活动马上开始了，货到不了我们损失谁负责？",
              "您好，经销商订货单 {order} 的20台RC-30还没到货，请帮忙加急。"),
             _p("reship", "仓储部调拨现货，异地48小时内送达，并给予经销商运费补贴", comp=200, form="cash", due=48),
             "20台已送达并签收，运费补贴已结算", "warehouse", customer_type="dealer", proof="物流签收单.png",
             age_days=(5, 10)),
    Scenario("nb_late", "NB-14P", L, "delivery_delay", "P3", "compensation", "承诺次日达，五天未到",
             ("下单时承诺次日达，等了五天还没到，我是买来给孩子上网课的，现在课都耽误了。",
              "订单 {order} 显示次日达，但已经第五天了还没送到，请帮忙查一下。"),
             _p("compensation", "催促物流今日派送，赠送50元无门槛券", comp=50, form="coupon", due=24),
             "电脑已签收，50元券已发放", "logistics", proof="物流签收单.png", age_days=(5, 9)),
    Scenario("ap_hotel_opening", "AP-500", L, "delivery_delay", "P1", "other", "酒店开业在即，60台净化器未到",
             ("我们酒店后天开业，订的60台空气净化器到现在还没到，物流显示在途三天没更新，客房都没法验收！合同号 {order}，请马上给个准确到货时间。",
              "您好，我司采购的60台AP-500延迟未到，直接影响酒店开业验收，合同号 {order}，请紧急协调。"),
             _p("reship", "仓储部从苏州仓调拨现货专车直送，24小时内送达并安排安装", cost=1800, due=24),
             "60台已专车送达并完成安装，客户确认开业验收通过", "logistics", customer_type="enterprise",
             note="企业客户核心业务受影响，按P1处理，已上报物流管理部经理", proof="物流签收单.png", age_days=(5, 12)),
    # ---- 物流配送 · 错发/漏发
    Scenario("bl_missing", "BL-900", L, "wrong_missing", "P3", "other", "破壁机少发研磨杯",
             ("收到的破壁机少了一个研磨杯，包装清单上写着有的，这是少发了吧？",
              "您好，订单 {order} 的破壁机里没有研磨杯，麻烦补发一下，谢谢。"),
             _p("reship", "仓储核实出库记录后补发研磨杯，同城24小时、异地48小时送达", due=48),
             "研磨杯已补发并签收", "warehouse", proof="物流签收单.png", age_days=(2, 6)),
    Scenario("eb_color", "EB-2", L, "wrong_missing", "P3", "exchange", "耳机颜色发错",
             ("买的是白色耳机，收到的是黑色的，送人的礼物，这下怎么办？",
              "你好，我下单的是白色，收到的是黑色，麻烦换一下，订单号 {order}"),
             _p("exchange", "上门取件同时送白色新品", due=48),
             "白色耳机已送达，黑色已取回", "warehouse", proof="换货签收单.png", age_days=(2, 6)),
    Scenario("wp_no_kit", "WP-600", L, "wrong_missing", "P3", "other", "净水器缺安装配件包",
             ("净水器到了，安装配件包没有，师傅来了也装不了，白跑一趟，还得再约时间。",
              "收到净水器但没有安装配件，请补发，订单号 {order}"),
             _p("reship", "补发安装配件包并重新预约安装师傅", due=48),
             "配件已补发，师傅已上门安装完成", "warehouse", proof="安装确认单.png", age_days=(2, 6)),
    Scenario("dl_wrong_model", "DL-7", L, "wrong_missing", "P3", "exchange", "门锁型号发错",
             ("我买的是DL-7指纹款，发来的是密码款，装门的师傅都约好了！",
              "您好，收到的门锁型号不对，订单 {order}，麻烦换成指纹款。"),
             _p("exchange", "仓储核实后发正确型号，上门换货", due=48),
             "已换为指纹款并完成安装", "warehouse", proof="换货签收单.png", age_days=(2, 6)),
    # ---- 物流配送 · 外包装破损
    Scenario("kt_dent", "KT-17", L, "package_damage", "P3", "exchange", "外箱压扁，壶嘴凹陷",
             ("快递外箱压扁了，打开一看壶嘴凹进去一块，这还怎么用？",
              "收到的电水壶外箱破损，壶嘴有凹痕，拍了照片，麻烦处理一下。"),
             _p("exchange", "直接换新，物流责任由物流部向快递索赔", due=48),
             "新壶已签收，快递理赔已提交", "logistics", proof="物流签收单.png", age_days=(1, 5)),
    Scenario("ap_wet", "AP-500", L, "package_damage", "P3", "exchange", "包装受潮，机器底部有水渍",
             ("外包装全湿了，机器底部有水渍，不敢通电，你们物流是怎么运的？",
              "您好，净化器外箱受潮，机身底部有水迹，担心内部进水，能换一台吗？"),
             _p("exchange", "上门取回检测并换新机", due=48),
             "新机已送达，旧机已取回", "logistics", proof="换货签收单.png", age_days=(1, 5)),
    Scenario("sf_box", "SF-301", L, "package_damage", "P3", "repair", "沙发包装破损，扶手磕碰",
             ("沙发外包装破了好几个洞，拆开发现扶手有磕碰，掉了一块漆。",
              "你好，沙发送到时外包装破损，扶手有一处磕碰，请问怎么处理？"),
             _p("repair", "安排家具维修师傅上门补漆修复，并赠送200元券", "onsite", comp=200, form="coupon",
                due=72),
             "师傅上门修复扶手，客户验收满意", "logistics", proof="维修确认单.png"),
    # ---- 质量异议 · 外观瑕疵 (划痕、凹陷)
    Scenario("sf_scratch", "SF-301", Q, "appearance_defect", "P3", "exchange", "沙发扶手明显划痕",
             ("收到的沙发扶手有明显划痕，看到照片我真的很生气，花了八千多买的沙发就这个品质？订单号 {order}",
              "您好，今天送到的沙发左侧扶手有两道划痕，照片已经发在聊天里了，麻烦给个处理方案，订单号 {order}。"),
             _p("compensation", "上门补漆修复并补偿800元", "", comp=800, form="cash", due=72),
             "师傅上门修复划痕，800元补偿已到账，客户确认满意", "warehouse",
             alternative=_p("exchange", "更换新扶手部件，上门安装", due=96),
             rejection="客户不接受补偿，坚持要求更换扶手", proof="维修确认单.png", age_days=(2, 10)),
    Scenario("nb_dent", "NB-14P", Q, "appearance_defect", "P3", "exchange", "新电脑A面凹痕",
             ("新电脑A面有一道凹痕，拆封的时候就有，你们是不是把退货机当新机卖？",
              "您好，刚收到的电脑顶盖有个小凹坑，拆封视频我录了，请处理。"),
             _p("exchange", "核实拆封视频后换新，上门取件", due=72),
             "新机已签收，客户确认外观完好", "warehouse", proof="换货签收单.png", age_days=(1, 6)),
    Scenario("bl_scratch", "BL-900", Q, "appearance_defect", "P3", "exchange", "杯身一圈划痕像二手",
             ("破壁机杯身有一圈划痕，看着像是二手的，我要求换新！",
              "收到的破壁机杯子上有划痕，麻烦换一个。"),
             _p("exchange", "换新杯体，快递48小时送达", due=48),
             "新杯体已签收", "warehouse", proof="物流签收单.png", age_days=(1, 6)),
    Scenario("rc_paint", "RC-30", Q, "appearance_defect", "P3", "compensation", "电饭煲外壳掉漆",
             ("电饭煲用了一个月外壳就掉漆了，一块一块的，太难看了。",
              "你好，电饭煲外壳侧面有掉漆，不影响使用，但想问下能不能处理。"),
             _p("compensation", "赠送50元无门槛券，如需可免费更换外壳", comp=50, form="coupon", due=24),
             "客户接受50元券", "production", proof="优惠券发放截图.png"),
    # ---- 质量异议 · 材质问题 (变形、开裂)
    Scenario("rc_coating", "RC-30", Q, "material_problem", "P2", "exchange", "电饭煲内胆涂层起皮脱落",
             ("内胆涂层起皮脱落，才用了一个多月，掉下来的黑色碎屑会不会吃进肚子里？家里有孩子，太让人担心了！订单号 {order}",
              "您好，电饭煲内胆底部涂层起泡脱落，批次号印在底部是RC30-2409B，请问是质量问题吗？",
              "电饭煲内胆掉涂层，煮出来的米饭里都有黑渣，你们这批货是不是有问题？我在网上看到好几个人都这样。"),
             _p("exchange", "免费更换新内胆，旧内胆寄回质量部检测", due=72),
             "已更换新内胆，旧内胆检测涂层厚度偏薄0.1mm，批次问题已上报", "production", batch=COATING_BATCH,
             note="同批次RC30-2409B近期多起内胆涂层脱落，已同步质量控制部做批次分析", weight=3,
             age_days=(30, 70)),
    Scenario("rc_batch_dealer", "RC-30", Q, "material_problem", "P1", "exchange", "经销商反映同批次内胆涂层批量脱落",
             ("我们店卖出去的RC-30电饭煲这周已经有6个顾客拿回来投诉内胆掉涂层，批次都是RC30-2409B，怀疑整批有问题，店里剩下的30台要不要下架？",
              "您好，本店近期多起RC-30内胆涂层脱落退货，批次RC30-2409B，请厂家尽快给处理意见，进货单号 {order}。"),
             _p("exchange", "同批次库存全部下架封存，质量部抽检；已售出的逐一联系免费更换内胆", due=48),
             "抽检确认涂层厚度偏薄0.1mm，库存已封存，已售出的42台正在逐一更换内胆", "production",
             customer_type="dealer", batch=COATING_BATCH, flags=("safety",),
             note="疑似批量质量问题，按P1处理，已上报质量控制部经理并启动批次排查", proof="抽检报告.png",
             age_days=(20, 50)),
    Scenario("sf_crack", "SF-301", Q, "material_problem", "P2", "repair", "实木沙发木框开裂",
             ("实木沙发坐垫下面的木框开裂了，坐上去嘎吱响，才买了两个月，这叫实木？",
              "您好，沙发底座木框有一道裂缝，坐上去有异响，请安排师傅看看。"),
             _p("repair", "家具师傅上门检测，更换开裂木框并加固，延长保修一年", "onsite", form="extended_warranty",
                due=96),
             "已更换木框并加固，延保一年已登记", "production", environment="北方，冬季开地暖"),
    Scenario("wp_leak", "WP-600", Q, "material_problem", "P2", "compensation", "滤芯外壳开裂漏水泡坏橱柜",
             ("净水器滤芯外壳裂了，漏了一晚上水，橱柜底板全泡坏了！这个损失你们必须赔！",
              "您好，净水器滤芯壳体开裂漏水，橱柜被泡了，照片已发，请给处理方案。订单号 {order}"),
             _p("compensation", "上门更换滤芯壳体，赔偿橱柜损失600元", comp=600, form="cash", due=48),
             "已更换壳体，600元橱柜损失赔偿已支付", "supplier", proof="赔付确认单.png"),
    Scenario("kt_rust", "KT-17", Q, "material_problem", "P2", "return_refund", "壶底生锈，水有铁锈味",
             ("壶底有锈迹，烧出来的水有铁锈味，这还敢喝吗？我要退货！",
              "电水壶内胆底部出现锈点，想申请退货，订单号 {order}"),
             _p("return_refund", "上门取件，仓库签收后财务原路退款", due=72),
             "仓库已签收退货，财务已原路退款199元", "supplier", proof="退款凭证.png"),
    # ---- 质量异议 · 与描述不符
    Scenario("ap_area", "AP-500", Q, "not_as_described", "P3", "return_refund", "净化效果与宣传面积不符",
             ("页面写适用面积60平米，我家30平的客厅开了一晚上PM2.5都降不下来，这不是虚假宣传吗？",
              "您好，净化器净化效果和宣传不太一样，想问下是不是我用法不对，不行的话想退货。"),
             _p("remote_guidance", "先远程指导检查滤网塑封是否撕掉、门窗是否关闭，仍不达标则7天无理由退货", due=24),
             "客户未撕滤网塑封，撕掉后效果正常，客户接受继续使用", "customer_misuse", proof="远程指导截图.png",
             alternative=_p("return_refund", "按7天无理由退货，上门取件后退款", due=72),
             rejection="客户不想再试，要求直接退货", age_days=(2, 7)),
    Scenario("sf_color", "SF-301", Q, "not_as_described", "P3", "return_refund", "沙发颜色与详情页不符",
             ("颜色跟详情页差太多了，页面是胡桃木色，收到的明显偏红，跟我家地板完全不搭。",
              "沙发颜色和图片有色差，想申请退货，订单号 {order}"),
             _p("return_refund", "核实色号后同意退货，运费由我方承担，仓库签收后退款", due=120),
             "退货已入库，退款已到账", "sales", proof="退款凭证.png", age_days=(3, 12)),
    Scenario("eb_battery", "EB-2", Q, "not_as_described", "P3", "return_refund", "续航与宣传严重不符",
             ("宣传说续航30小时，实际充满只能用4个小时，这差得也太多了！",
              "您好，耳机续航和宣传不符，想问问是不是有问题。"),
             _p("return_refund", "说明30小时为含充电仓总续航；客户仍不满意则退货退款", due=48),
             "客户选择退货，已退款", "sales", proof="退款凭证.png"),
    Scenario("sr_dock", "SR-X8", Q, "not_as_described", "P3", "exchange", "收到的基座没有自动集尘",
             ("说好的自动集尘，收到的基座根本没有集尘功能，发错版本了吧？",
              "你好，我买的是自动集尘版，收到的好像是普通版基座，请核实。"),
             _p("exchange", "核实为发错版本，上门换为集尘基座", due=48),
             "集尘基座已送达安装", "warehouse", proof="换货签收单.png"),
    # ---- 服务咨询 · 使用指导
    Scenario("wp_flush", "WP-600", S, "usage_guidance", "P3", "consultation", "净水器怎么冲洗",
             ("净水器怎么冲洗？说明书上写的看不太懂。",
              "您好，请问新装的净水器第一次要冲洗多久才能喝？"),
             _p("remote_guidance", "发送冲洗视频指引，电话讲解首次冲洗15分钟", due=8),
             "已发送视频并电话讲解，客户操作完成", "undetermined", proof="指导记录截图.png"),
    Scenario("dl_fingerprint", "DL-7", S, "usage_guidance", "P3", "consultation", "门锁怎么添加老人指纹",
             ("门锁怎么添加家里老人的指纹？我试了几次都失败。",
              "请问门锁最多能录几个指纹？怎么给老人加一个？"),
             _p("remote_guidance", "电话指导进入管理模式录入指纹，建议老人多录两个手指", due=8),
             "客户已成功录入", "undetermined", proof="指导记录截图.png"),
    Scenario("bl_program", "BL-900", S, "usage_guidance", "P3", "consultation", "破壁机做米糊选哪个程序",
             ("破壁机做米糊选哪个程序？每次都糊底。",
              "你好，请问宝宝辅食用哪个档位比较合适？"),
             _p("remote_guidance", "发送程序说明和食谱视频", due=8),
             "客户已收到食谱视频", "undetermined", proof="指导记录截图.png"),
    Scenario("sr_zone", "SR-X8", S, "usage_guidance", "P3", "consultation", "扫地机怎么设置禁区",
             ("扫地机老往宠物碗那边撞，怎么设置禁区？",
              "请问App里在哪里设置虚拟墙？"),
             _p("remote_guidance", "远程演示App内绘制禁区和虚拟墙", due=8),
             "客户已设置完成", "undetermined", proof="指导记录截图.png"),
    # ---- 服务咨询 · 保养建议
    Scenario("ap_filter", "AP-500", S, "maintenance_advice", "P3", "consultation", "滤网多久换一次",
             ("净化器滤网多久换一次？在哪里买原装滤网？",
              "您好，净化器提示更换滤网了，能用多久？官方有没有优惠？"),
             _p("remote_guidance", "说明滤网更换周期6–8个月，发送官方购买链接及20元滤网券", comp=20, form="coupon",
                due=8),
             "已发送购买链接和20元券", "undetermined", proof="指导记录截图.png"),
    Scenario("kt_scale", "KT-17", S, "maintenance_advice", "P3", "consultation", "水壶水垢怎么清理",
             ("水壶里水垢好厚，怎么清理比较好？用醋可以吗？",
              "请问电水壶多久除一次垢？"),
             _p("remote_guidance", "发送柠檬酸除垢方法，提醒勿用钢丝球", due=8),
             "客户按方法清理完成", "undetermined", proof="指导记录截图.png"),
    Scenario("sf_heating", "SF-301", S, "maintenance_advice", "P3", "consultation", "实木沙发开地暖要注意什么",
             ("实木沙发冬天开地暖需要注意什么？会不会开裂？",
              "您好，北方冬天暖气很干，实木沙发要怎么保养？"),
             _p("remote_guidance", "建议离暖气50厘米以上、保持湿度40%–60%，发送保养手册", due=8),
             "已发送保养手册", "undetermined", proof="指导记录截图.png"),
    Scenario("wp_cartridge", "WP-600", S, "maintenance_advice", "P3", "consultation", "滤芯到期是否全部更换",
             ("滤芯到期提醒亮了，需要一次换全部滤芯吗？太贵了吧。",
              "净水器提示换滤芯，请问是哪一级需要换？"),
             _p("remote_guidance", "说明PP棉6个月、RO膜24个月，按提示更换对应一级", due=8),
             "客户确认只需更换PP棉", "undetermined", proof="指导记录截图.png"),
    # ---- 服务咨询 · 功能疑问
    Scenario("rc_timer", "RC-30", S, "feature_question", "P3", "consultation", "电饭煲预约功能",
             ("电饭煲有没有预约功能？最长能预约多久？",
              "请问电饭煲能不能晚上预约早上煮粥？"),
             _p("remote_guidance", "说明最长24小时预约及操作步骤", due=8),
             "客户已会使用预约", "undetermined", proof="指导记录截图.png"),
    Scenario("eb_multipoint", "EB-2", S, "feature_question", "P3", "consultation", "耳机能否同时连两台设备",
             ("耳机支持降噪吗？能不能同时连手机和电脑？",
              "请问耳机支持双设备连接吗？"),
             _p("remote_guidance", "说明支持双设备连接，发送设置步骤", due=8),
             "客户已设置成功", "undetermined", proof="指导记录截图.png"),
    Scenario("nb_ram", "NB-14P", S, "feature_question", "P3", "other", "自行加内存是否影响保修",
             ("电脑能不能加内存条？自己加了还保不保修？",
              "您好，想给笔记本升级到32G内存，会影响保修吗？"),
             _p("remote_guidance", "说明内存为板载不可扩展，建议选购32G版本；自行拆机不影响其他部件保修", due=8),
             "已答复客户", "undetermined", proof="指导记录截图.png"),
    Scenario("dl_battery", "DL-7", S, "feature_question", "P3", "consultation", "门锁没电了怎么开门",
             ("门锁没电了怎么开门？出差在外很担心。",
              "请问门锁电池没电时有没有应急开门的办法？"),
             _p("remote_guidance", "说明Type-C应急供电口和机械钥匙使用方法", due=8),
             "已答复客户", "undetermined", proof="指导记录截图.png"),
)

# ---------------------------------------------------------------- tone


POLITE_OPENERS = ("您好，", "你好，", "客服您好，", "", "麻烦问一下，")
ANGRY_OPENERS = ("", "我真的受不了了！", "你们到底管不管？", "第二次反映了！")
POLITE_CLOSERS = ("麻烦尽快帮我处理一下，谢谢。", "不着急，方便的时候回复我就行。", "辛苦了。", "谢谢！", "")
ANGRY_CLOSERS = (
    ("今天必须给我一个说法！", ()),
    ("再不处理我就去12315投诉了。", ("external_escalation",)),
    ("已经打了三次电话了，每次都说会回电，结果没人理。", ("repeat_complaint",)),
    ("你们就是在踢皮球！", ()),
    ("我已经在微博上发了，你们看着办。", ("public_opinion",)),
    ("再拖下去我就找消协了。", ("external_escalation",)),
)

FIRST_REPLIES = (
    "您好，您的反馈已收到，工单号 {number}。非常理解您的心情，我们会在24小时内给您初步方案。",
    "您好，已经为您登记，工单号 {number}，技术同事会尽快联系您，请保持电话畅通。",
    "收到您的照片了，看到您发的照片我也特别心疼，这确实是我们的疏忽，马上为您处理。工单号 {number}。",
    "您好，感谢您的耐心，问题已记录（工单号 {number}），处理进度会通过短信同步给您。",
)
PROGRESS_REPLIES = {
    "P1": ("工程师已出发，预计14:00到达，请您先不要使用该产品。", "工程师已到达现场，正在检测，请放心。"),
    "P2": ("配件已发货，单号 SF{digits}，预计3天内到达。", "维修中心已收到机器，正在检测，有结果第一时间通知您。"),
    "P3": ("质量问题确认中，预计明日给出结果。", "已安排处理，明天会再给您更新进度。"),
}
ANGRY_NOTES = ("客户情绪比较激动，已电话安抚，请优先处理，回复注意措辞。",
               "客户表示若今天没有方案会投诉到12315，已向主管报备。")
HOLD_NOTES = {
    "parts": ("原定配件缺货，预计3天到货，已告知客户并提供备用机。", "等待配件到货，供应商承诺本周五发出。"),
    "customer": ("客户出差，约定下周一上门。", "等待客户补充开箱照片和购买凭证。"),
}
CANCEL_REASONS = ("客户来电表示问题已自行解决，申请撤销。", "重复登记，客户同一问题已有工单在处理。",
                  "客户表示不再需要处理，已电话确认。")
TRANSFER_REASONS = {
    "quality_control": "经检测不属于技术故障，疑似材质问题，转质量控制部核实",
    "technical_support": "质量部判断为功能故障，需技术支持部检测",
    "logistics": "需核实物流运输环节，转物流管理部",
    "warehouse": "需仓储部核实出库批次和库存",
    "finance": "方案涉及退款，转财务部处理",
    "customer_service": "咨询类问题，转客服部直接答复",
}
DISPUTE_REASONS = ("客户反映修好后第二天同样的问题又出现了。", "客户说收到的替换件还是有划痕。")
REOPEN_REASONS = ("客户反映问题再次出现，要求重新处理。", "回访时客户表示仍不满意，重新处理。")
REFUSAL_REASONS = {
    "compensation": ("补偿金额超出标准，先按免费维修+延保一年处理。", "请先确认责任归属再定补偿方案。"),
    "plan": ("方案没有写明到场时间和备用机安排，补充后重新提交。", "请先确认故障原因，方案里写清楚检测步骤。"),
}
