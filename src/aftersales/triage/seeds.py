"""Default triage rules, routing rules (SPEC §2, §4) and department shifts. Editable afterwards."""

from __future__ import annotations

# Words and patterns (``re:…``) an administrator can extend in the admin. Deliberately broad: a safety
# hazard or an outage missed costs far more than a supervisor lowering a priority.
SAFETY_WORDS = (
    # electricity
    "漏电 触电 被电 电到手 电了一下 麻手 手发麻 电击 "
    # fire, smoke, sparks
    "起火 着火 失火 re:(窜|冒|蹿|起|着|喷).{,4}火苗 明火 火星 火花 打火花 冒火 re:冒.{,4}烟 re:[白黑青浓]烟 烧起来 烧着了 燃起来 "
    # explosions, bursting glass and batteries
    "爆炸 炸裂 自爆 爆裂 re:(电池|电芯|充电器|充电宝|玻璃|灯管|锅|罐|屏).{,12}(爆|炸)了 re:(砰|嘭).{,8}(炸|爆) "
    "鼓包 re:(电池|电芯|充电宝|后盖|外壳|机身|手表|手环|背面).{,12}鼓(起|了) 膨胀 漏液 "
    # heat injuries and burning smells
    "烫伤 烧伤 re:(起|烫|出).{,4}水泡 火辣辣 re:电池.{,6}凸 re:烫.{,8}(泡|伤|红|哭|醒|疼) re:(焦|糊|烧)(的)?(塑料|胶|橡胶)?(的)?(味|气味|臭) 烧焦 "
    "燃气泄漏 re:(燃气|煤气|天然气).{,4}(漏|味) "
    # injuries caused by the product
    "受伤 摔伤 夹伤 砸伤 割伤 擦伤 扭伤 骨折 滑倒 摔倒 跌倒 缝针 流血 甩下来 窒息 误吞 误食 噎住 re:(卡在|卡住).{,3}(嗓子|喉咙) re:(蹭|磨|擦)(掉|破).{,4}皮 re:电池.{,10}(漏液|漏出|酸味) re:缝了.{,2}针 re:被.{,4}夹 re:被.{,3}(划|割|扎|砸)(伤|出|了.{,3}(口|道|血|伤)) re:(手|手心|手指|手背|胳膊|身上)[^，。,.]{,6}发?麻(了|的|一下|手)?  re:砸(在|到|中|伤) re:(翻倒|摔下来|倒下来) "
    "医药费 re:住院(?!号) re:(在|去|送|进|到)(了)?(医院|急诊) "
    "短路 "
    # swelling batteries and casings (电池胀了, 屏幕边上鼓起来, 充电宝鼓宝了), flashes and arcs, gas odorant, Cantonese
    "re:(电池|电芯|后盖|外壳|机身|屏幕|键盘|触控板|底壳|充电宝|壳子)[^。！？!?]{,10}(胀|鼓起|鼓了|越来越鼓|鼓宝) "
    "re:(闪|冒|打|迸)了?一?下?(蓝光|电光|电弧|火光) 电弧 臭鸡蛋味 烧咗 燶味 "
    "电麻 麻麻的 re:(脚|脚底|脚底下|腿|脚心)[^，。,.]{,8}发?麻 "
    "re:(手|手指|指头|胳膊|脚|腿|孩子|女儿|儿子|宝宝|小孩)[^，。,.]{,4}夹(伤|到|住|在|破|青|紫|肿) "
    # gas found by the soap test or smelt with the flame off; contacts that spark; a battery that grows or heats by
    # itself; tingling told as ants or needles
    "燃气味 煤气味 天然气味 re:(肥皂水|洗洁精|皂液|洗衣粉水)[^。！？!?]{,24}(冒|起|鼓)[^。！？!?]{,3}泡 "
    "re:(关了火|关火后|关着火|没开火)[^。！？!?]{,12}(味|气味) "
    "re:(铜片|插头|插座|插孔|触点|充电座|充电口|开关|电源线|线头|接线)[^。！？!?]{,10}(打火|噼啪|噼里啪啦|闪火|冒火) "
    "re:(电池|充电宝|电芯|后盖|手机|平板)[^。！？!?]{,24}(胖了|变胖|变厚|撑开|顶起|翘起|软软的) re:屏幕[^。！？!?]{,8}(顶起|拱起) "
    "re:电池[^。！？!?]{,16}(刺鼻|化学味|自己发热|自己发烫|自己在发热) re:(蚂蚁|针)在?(咬|扎) 电咬 "
    "re:(指头|指尖|手掌)[^，。,.]{,8}发?麻 "
    # a body part or a pet caught by the mechanism (hair in a robot's brush, a tail in a litter box's drum)
    "re:(尾巴|爪子|猫(?!砂)|狗|头发|手(?![表机柄册动续环提套])|手指|指头|脚(?![本架垫轮踏])|脚趾|胳膊|(?<![桌椅床凳柜架])腿|孩子|宝宝)[^。！？!?]{,8}(卡在|卡进|卷进|卷到|卷住|夹在|夹进|绞进|绞住|吸进) "
    "宠物医院 兽医 re:(猫|狗|宠物|猫咪|狗狗)[^。！？!?]{,10}(受伤|流血|骨折|瘸|夹伤|卡住) "
    # English mixed in
    "burning re:\\bsmok(e|ing)\\b re:\\bsparks?\\b electric.shock re:on\\sfire"
)
ENTERPRISE_DOWN_WORDS = (
    "宕机 re:宕(了|掉) 停产 停线 停工 停摆 停业 瘫痪 窝工 业务中断 十万火急 re:(已经?|一直|全部|都)停机 "
    "re:(全部|全都|整个|所有).{,8}(黑屏|离线|断网|掉线|瘫|宕) "
    "re:停(机|产|线|工).{,2}[一二三四五六七八九十几两\\d]+(天|个?小时) "
    "re:(产线|生产线|流水线|包装线|车间|机床|叉车|仓库|门店|全店|全厂|整个店|整条|业务|系统|网络|收银|考场|门诊|柜台)"
    ".{,10}(停|断|瘫|挂|乱|收不|出不|发不|登不|连不|用不) "
    "re:(全部|全都|一单都|一笔都|一个都|一台都|一张都|(?<!怎么)(?<!怎样)都)(停|发不|收不|用不|登不|连不|出不|进不|打不|装不|卖不) "
    "re:(收不了|没法收|无法收|不能收)(银|款|钱) "
    "re:(无法|没法|不能|没办法)(营业|生产|开工|出货|发货|交货|接诊|结算|结账|收款|备货|开门) "
    "re:暂停(收|营业|接|生产|出) re:(排了|排到|排起).{,6}(队|辆|门口) 乱成 乱套 re:(整库|整柜|整批)?.{,4}报废 "
    "re:(线|车间|食堂|餐厅|酒店|门店|网点|医院|检验科|学校|工地|冷库|仓)[^。！？!?]{,14}"
    "(停了|暂停|不营业|出不来|洗不出|吃不上|周转不过来|挪不动|不准开工|全停) "
    "re:(早市|午市|晚市|营业|出餐|开业)[^。！？!?,，]{,4}(开不了|开不成|停|暂停|做不了) re:开不了(门|业|市|张) "
    "re:(只能先|被迫|一直|只好)关(着)?门 re:(暂停|停止)(营业|供餐|午餐|晚餐|销售|开放) 周转不过来 "
    "紧急 十万火急 re:(立即|马上|务必|今天必须|必须今天).{,4}(派|到场|过来|处理|解决|回滚) "
    # the consequence instead of the word: people queuing or leaving, nothing can be made, sent or answered
    "re:(顾客|客人|客户|病人|患者|老人|学生|员工|会员|工人|司机|考生|住客|旅客|孩子)[^。！？!?]{,12}"
    "(等着|在等|排队|排上队|堵着|掉头|扭头|闹着|坐满|放下东西|扔下|吃自带) "
    "re:(门口|出口|大堂|候诊区|前台|食堂)[^。！？!?]{,8}(排|堵|坐满) "
    "re:(开不了|没法开|开不成|无法开)(饭|台|张|工|业|市|课|门) re:(关门|停业|歇业)了?[一二三两几\\d]+天 店关着门 "
    "re:(全部|都)取消 趴窝 re:全[^。，,]{,4}(堆在|推掉|掉线|得扔|没水|没电|在等|干瞪眼) "
    "re:(消不了|做不出来|洗不出来|蒸不出来|打不出去|接不进来|付不了款?|出不了件|发不出去) "
    "re:(无法|没法|不能|做不了)(加工|消毒|入住|考试|开饭|做饭|出餐|供水|制卡|接诊|上课) "
    "re:(机台|机床|整条线|生产线|车间|产线)[^。，,]{,6}(停着|等着|压在|干瞪眼|在等) "
    # trucks, containers and animals waiting; goods that cannot leave
    "re:(出不了|发不了|交不了|出不去)(货|件|单) 压车费 压车 滞港 滞留费 "
    "re:(物流车|货车|卡车|大车|集装箱|车队|冷藏车)[^。！？!?]{,6}(都在等|等着|排着|在等|堵着) "
    "re:(奶牛|牛群|猪|鸡|鸭|牲口|鱼)[^。！？!?]{,10}(排在|等着|饿着|直叫唤|缺氧|死了) "
    "re:(扭头|转身|掉头)就走 "
    "re:(整体|全部|整个|全面)(停用|停运|关闭)"
)
BATCH_WORDS = (
    "整批 同一批次 同批次 同一批 这批货全 这批全部 这一批全 这批都 这批货都 批量故障 批量出现 批量问题 "
    "好几台都 十几台 几十台 全部都有 都出现同样 同一个位置 整板 整托 "
    # "20台里有9台都…", "已经有5户…": several units with the same problem (two or more of them)
    "re:(?<!\\d)\\d+\\s*(台|把|套|张|件|只|个|口|组|双|箱|户|家)[^,，。.!！?？]{,16}(有|都|全|均)\\s*([2-9]|\\d{2,})\\s*"
    "(台|把|套|张|件|只|个|口|组|双|箱|户|家) "
    "re:(已经有|已有|累计|陆续有|先后有)\\s*([2-9]|\\d{2,}|[两几二三四五六七八九十]+)\\s*(多|余)?\\s*(台|把|套|张|件|只|个|组|户|家|起) "
    "re:(十几|几十|二十多|三十多|好几)\\s*(台|户|家|个|把|套|张)[^。！？!?]{,6}(都|全) re:每(台|套|张|把|个|件|只)[^。！？!?]{,10}(都|均)"
)
BATCH_BUSINESS_WORDS = (
    "批次 整批 "
    # "40余套感应失灵", "已经有9位车主…", "十台里四台…", "120套…均为": several units with one problem
    "re:(?<![\\d两三四五六七八九十几百])(\\d+|[两三四五六七八九十几百]+)\\s*(余|多)?\\s*(台|把|套|张|件|只|个|组|户|家|位|条|路|节|箱)[^。！？!?]{,30}"
    "(均|全部|全都|一律|同样|同一) "
    "re:(有|出现|其中|里)\\s*([2-9]|\\d{2,}|[两三四五六七八九十几]+)\\s*(余|多)?\\s*(台|把|套|张|件|只|个|组|户|家|位|条)"
    "[^。！？!?]{,12}(坏|裂|断|失灵|故障|不转|黑屏|不亮|漏|破|穿|洞|碎|掉漆|划伤|变形|不符|问题|毛病) "
    "re:(?<![\\d两三四五六七八九十几百])(\\d+|十几|几十)\\s*(余|多)?\\s*(位|个|家)\\s*(车主|客户|顾客|用户|业主) "
    "re:(已经|陆续|先后).{,4}(有|来了|退回|回来|收到).{,3}(\\d+|[十几两三四五六七八九]+)\\s*(个|台|位|家|户|起|单) "
    "re:(这批|本批|该批|那批)[^。！？!?]{,24}(不符|不行|有问题|全是|都是|均|不合格|超标|对不上|不敢) "
    "re:(约|近|有|其中|超过)\\s*\\d+\\s*(余|多)?\\s*(台|把|套|张|件|只|个|组|户|家|位|条)[^。！？!?]{,8}(存在|出现|都|全|均) "
    "暂停销售 全部收回 拒绝验收 无法验收 不肯签验收 整件 re:验收.{,6}(不|没|无法)(通过|过) "
    "re:(?<![\\d两三四五六七八九十几百])(\\d+|[两三四五六七八九十几]+)\\s*(台|把|套|张|件|只|个|组|户|家)[^。！？!?]{,30}(全部|全都|一律|一半|一大半|大半|多半) "
    "re:(?<![\\d两三四五六七八九十几百])(\\d+|[两三四五六七八九十几百]+)\\s*(台|把|套|张|只|组|户|家|箱)[^。！？!?\\d]{,20}"
    "((\\d+|[两三四五六七八九十几]+)\\s*多?\\s*(台|把|套|张|只|组|户|家)|一大半|大半|多半)[^。！？!?]{,6}"
    "(都|均|全|能复现|投诉|回来|反映|坏|裂|开裂|不|报|打不|没反应) "
    "re:(好几个|十几个|不少|很多|多个)(客户|顾客|用户|业主|车主|家)[^。！？!?]{,10}(说|反映|反馈|投诉|回来) "
    "re:回来的[^。！？!?]{,4}(有点|太|很|特别|越来越|这么)多 "
    "re:(有|收了|来了|退了)\\s*(\\d+|[两三四五六七八九十几]+)\\s*(个|支|台|位|把|件|辆)(顾客|客户|用户|人)?[^。！？!?]{,4}"
    "(推回|拿回|退回|送回|找回|回来) "
    "re:(?<![\\d两三四五六七八九十几百])(\\d+|[两三四五六七八九十几]+)\\s*(家|个)(店|门店|分店|网点|药店|药房|医院|工地|校区)[^。！？!?]{,30}(都|全) "
    "re:(整箱|整段|整批|一箱)[^。！？!?]{,10}(都|全|没反应|坏|不) re:(一共|总共)\\s*\\d+\\s*台[^。！？!?]{,12}(变砖|坏|不亮)"
)
PUBLIC_OPINION_WORDS = "曝光 微博 抖音 小红书 媒体 记者 电视台 网上说 发帖 上热搜 朋友圈 视频号 黑猫投诉 b站"
EXTERNAL_WORDS = "12315 12345 消协 消费者协会 市场监管 监管局 工商 律师 起诉 法院 仲裁 维权"
REPEAT_WORDS = ("又坏了 又坏 又出现 再次 第二次 第三次 第四次 第五次 好几次 反复 多次 一直没解决 还是没修好 还是不行 "
                "修了几次 修过 已经反映 又来了 屡次")

TRIAGE_RULES = [
    # code, name, name_en, kind, keywords, customer_types, priority, flag, reason, reason_en, order
    ("safety_hazard", "安全隐患", "Safety hazard", "keyword", SAFETY_WORDS, [], "P1", "safety",
     "含安全隐患关键词：{keyword}", "Safety hazard keyword: {keyword}", 10),
    ("enterprise_down", "企业客户核心业务中断", "Enterprise core business down", "keyword", ENTERPRISE_DOWN_WORDS,
     ["enterprise"], "P1", "", "企业客户核心业务中断：{keyword}", "Enterprise customer's core business down: {keyword}",
     20),
    ("batch_in_text", "批量故障（客户描述）", "Batch failure (as described)", "keyword", BATCH_WORDS, [], "P1", "",
     "疑似批量故障：{keyword}", "Possible batch failure: {keyword}", 30),
    ("batch_business", "经销商/企业批量问题", "Batch problem (dealer or enterprise)", "keyword", BATCH_BUSINESS_WORDS,
     ["dealer", "enterprise"], "P1", "", "经销商/企业客户反映批量问题：{keyword}",
     "Dealer or enterprise reports a batch problem: {keyword}", 35),
    ("same_batch", "同批次多单同类故障", "Several cases on one batch", "same_batch", "", [], "P1", "",
     "同批次 {batch} 近 {days} 天已有 {count} 单同类故障", "Batch {batch}: {count} cases with this fault in {days} days",
     40),
    ("public_opinion", "舆情风险", "Public-opinion risk", "keyword", PUBLIC_OPINION_WORDS, [], "", "public_opinion",
     "舆情风险：提到“{keyword}”", "Public-opinion risk: mentions “{keyword}”", 50),
    ("external_escalation", "外部投诉威胁", "External escalation threat", "keyword", EXTERNAL_WORDS, [], "",
     "external_escalation", "外部投诉威胁：提到“{keyword}”", "External escalation threat: mentions “{keyword}”", 60),
    ("repeat_complaint", "重复投诉", "Repeat complaint", "keyword", REPEAT_WORDS, [], "", "repeat_complaint",
     "重复投诉：{keyword}", "Repeat complaint: {keyword}", 70),
]

ROUTING_RULES = [
    # code, name, name_en, order, categories, priorities, department, notify_head
    ("technical_p1", "技术故障 P1 → 技术支持部，通知部门经理", "Technical fault P1 → Technical Support, tell the head",
     10, ["technical_fault"], ["P1"], "technical_support", True),
    ("technical", "技术故障 → 技术支持部", "Technical fault → Technical Support", 20, ["technical_fault"], [],
     "technical_support", False),
    ("logistics", "物流配送 → 物流管理部", "Logistics → Logistics", 30, ["logistics"], [], "logistics", False),
    ("quality", "质量异议 → 质量控制部", "Quality objection → Quality Control", 40, ["quality_objection"], [],
     "quality_control", False),
    ("consultation", "服务咨询 → 客服部", "Service consultation → Customer Service", 50, ["service_consultation"], [],
     "customer_service", False),
]


def default_terms(code: str) -> list[str]:
    """The terms a seeded rule shipped with (empty for a rule an administrator created)."""
    from .text import split_terms

    return next((split_terms(words) for rule_code, _n, _e, _k, words, *_rest in TRIAGE_RULES if rule_code == code), [])


def seed_triage(apps) -> None:
    TriageRule = apps.get_model("triage", "TriageRule")
    RoutingRule = apps.get_model("triage", "RoutingRule")
    Department = apps.get_model("accounts", "Department")
    DepartmentShift = apps.get_model("triage", "DepartmentShift")
    Calendar = apps.get_model("sla", "Calendar")
    TriageSettings = apps.get_model("triage", "TriageSettings")
    TriageSettings.objects.get_or_create(pk=1)
    for code, name, name_en, kind, words, types, priority, flag, reason, reason_en, order in TRIAGE_RULES:
        TriageRule.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "kind": kind, "keywords": words.replace(" ", "\n"),
            "customer_types": types, "set_priority": priority, "add_flag": flag, "reason": reason,
            "reason_en": reason_en, "order": order})
    for code, name, name_en, order, categories, priorities, department, notify_head in ROUTING_RULES:
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            continue
        RoutingRule.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "order": order, "categories": categories, "priorities": priorities,
            "department": dept, "notify_head": notify_head})
    # Customer service answers around the clock (SPEC §3: channels are staffed 24 h); the rest work office hours.
    around_the_clock = Calendar.objects.filter(code="24x7").first()
    office = Calendar.objects.filter(code="cn-workday").first()
    for dept in Department.objects.all():
        calendar = around_the_clock if dept.code == "customer_service" else office
        if calendar is not None:
            DepartmentShift.objects.get_or_create(department=dept, defaults={"calendar": calendar})
