"""The demo summit's content: the Sophia Antipolis – Qingdao roadshow in English, French and Chinese.

Plain data that events/demo.py seeds; every record carries the stable slug it is found by again.
"""

import zoneinfo

from events.models import Room

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

SUMMIT_SLUG = "sophia-qingdao-ai-ict-roadshow"
THEMES = ["AI/ICT", "Big data", "Robotics", "Biomedicine", "Medical devices", "Smart manufacturing"]
# Each theme's key (above, what profiles and companies store) and its label in each language.
THEME_NAMES = {
    "AI/ICT": {"en": "AI/ICT", "fr": "IA et numérique", "zh-hans": "人工智能与信息通信"},
    "Big data": {"en": "Big data", "fr": "Mégadonnées", "zh-hans": "大数据"},
    "Robotics": {"en": "Robotics", "fr": "Robotique", "zh-hans": "机器人"},
    "Biomedicine": {"en": "Biomedicine", "fr": "Biomédecine", "zh-hans": "生物医药"},
    "Medical devices": {"en": "Medical devices", "fr": "Dispositifs médicaux", "zh-hans": "医疗器械"},
    "Smart manufacturing": {"en": "Smart manufacturing", "fr": "Industrie intelligente", "zh-hans": "智能制造"},
}


def T(en, fr, zh):
    """One text in the three platform languages."""
    return {"en": en, "fr": fr, "zh-hans": zh}


SUMMIT = {
    "name": T(
        "Sophia Antipolis Innovation Roadshow on AI and ICT Digital",
        "Roadshow de l’innovation de Sophia Antipolis sur l’IA et le numérique",
        "索菲亚科技园人工智能与数字信息通信技术创新路演",
    ),
    "tagline": T(
        "European science parks meet the Qingdao High-tech Zone",
        "Les parcs scientifiques européens à la rencontre de la zone high-tech de Qingdao",
        "欧洲科技园区携手青岛高新区",
    ),
    "description": T(
        "A joint online roadshow of the Fondation Sophia Antipolis and the Qingdao National High-tech "
        "Industrial Development Zone. Innovative companies pitch live to find partners in Qingdao; "
        "themes run from AI and big data to robotics, biomedicine and next-generation medical devices.",
        "Un roadshow en ligne organisé conjointement par la Fondation Sophia Antipolis et la zone nationale de "
        "développement industriel de haute technologie de Qingdao. Des entreprises innovantes y présentent leur "
        "projet en direct pour trouver des partenaires à Qingdao, de l’intelligence artificielle et du big data "
        "à la robotique, la biomédecine et les dispositifs médicaux de nouvelle génération.",
        "由索菲亚科技园基金会与青岛国家高新技术产业开发区联合举办的线上路演。创新企业现场路演，"
        "寻找青岛的合作伙伴；主题涵盖人工智能与大数据、机器人、生物医药以及新一代医疗器械。",
    ),
}

TRACKS = [
    (
        "cooperation",
        "#1f5f8b",
        T("Cooperation", "Coopération", "国际合作"),
        T(
            "How the two science parks work together, online now and in person next.",
            "Comment les deux parcs travaillent ensemble, en ligne aujourd’hui, sur place demain.",
            "两大园区如何携手合作：今天在线上，明天在现场。",
        ),
    ),
    (
        "ai-big-data",
        "#6b3fa0",
        T("AI and big data", "IA et big data", "人工智能与大数据"),
        T(
            "Artificial intelligence, data and the software that puts them to work.",
            "L’intelligence artificielle, les données et les logiciels qui les mettent au travail.",
            "人工智能、数据，以及让它们落地的软件。",
        ),
    ),
    (
        "health",
        "#1e7a4c",
        T("Biomedicine and medical devices", "Biomédecine et dispositifs médicaux", "生物医药与医疗器械"),
        T(
            "Biomedicine and next-generation medical devices, with the University of Health and Rehabilitation "
            "Sciences.",
            "La biomédecine et les dispositifs médicaux de nouvelle génération, avec l’Université des sciences de "
            "la santé et de la réadaptation.",
            "与康复大学携手，聚焦生物医药和新一代医疗器械。",
        ),
    ),
    (
        "smart-manufacturing",
        "#a35a12",
        T("Robotics and smart manufacturing", "Robotique et fabrication intelligente", "机器人与智能制造"),
        T(
            "Robots, connected factories and the industrial clusters the two zones are building.",
            "Robots, usines connectées et pôles industriels communs aux deux zones.",
            "机器人、互联工厂，以及两地正在共建的产业集群。",
        ),
    ),
]

# slug, themes, name, tagline, description
COMPANIES = [
    (
        "fair-vision",
        ["AI/ICT", "Big data"],
        T("Fair Vision", "Fair Vision", "Fair Vision"),
        T(
            "Digital and photovoltaic innovations to track and analyse competitive sports.",
            "Innovations numériques et photovoltaïques pour le suivi et l’analyse des sports de compétition.",
            "以数字与光伏创新技术追踪和分析竞技体育。",
        ),
        T(
            "Fair Vision follows every move of a match with solar-powered cameras and turns it into figures "
            "coaches and referees can use.",
            "Fair Vision suit chaque action d’un match grâce à des caméras alimentées à l’énergie solaire et en tire "
            "des données utiles aux entraîneurs comme aux arbitres.",
            "Fair Vision 用太阳能供电的摄像设备捕捉比赛中的每一个动作，并将其转化为教练和裁判可直接使用的数据。",
        ),
    ),
    (
        "epicnpoc",
        ["AI/ICT", "Robotics"],
        T("Epicnpoc", "Epicnpoc", "Epicnpoc"),
        T(
            "Innovation experts in design and software engineering.",
            "Experts en innovation, conception et ingénierie logicielle.",
            "专注创新设计与软件工程的专家团队。",
        ),
        T(
            "Epicnpoc takes an idea from the first sketch to engineered, tested software, for start-ups and "
            "industrial groups alike.",
            "Epicnpoc accompagne une idée de la première esquisse jusqu’au logiciel conçu et testé, pour les "
            "start-up comme pour les groupes industriels.",
            "从最初的草图到经过工程化和测试的软件，Epicnpoc 为初创企业和工业集团提供全程支持。",
        ),
    ),
    (
        "finwedge",
        ["AI/ICT", "Smart manufacturing"],
        T("Finwedge", "Finwedge", "Finwedge"),
        T(
            "Innovation experts in design and software engineering.",
            "Experts en innovation, conception et ingénierie logicielle.",
            "专注创新设计与软件工程的专家团队。",
        ),
        T(
            "Finwedge designs the software that connects machines, people and data on the factory floor.",
            "Finwedge conçoit les logiciels qui relient machines, opérateurs et données dans l’atelier.",
            "Finwedge 打造连接车间里机器、人员与数据的软件。",
        ),
    ),
]

# slug, kind, company, name, description
ROOMS = [
    (
        "main-stage",
        Room.Kind.STAGE,
        None,
        T("Main stage", "Scène principale", "主会场"),
        T(
            "Keynotes and panels, with live questions from both sides.",
            "Conférences et tables rondes, avec les questions en direct des deux côtés.",
            "主旨演讲与圆桌讨论，两地观众可现场提问。",
        ),
    ),
    (
        "fair-vision",
        Room.Kind.PITCH,
        "fair-vision",
        T("Fair Vision pitch room", "Salle de pitch Fair Vision", "Fair Vision 路演厅"),
        T(
            "Meet the Fair Vision team after its pitch.",
            "Rencontrez l’équipe de Fair Vision après son pitch.",
            "路演结束后，与 Fair Vision 团队面对面交流。",
        ),
    ),
    (
        "epicnpoc",
        Room.Kind.PITCH,
        "epicnpoc",
        T("Epicnpoc pitch room", "Salle de pitch Epicnpoc", "Epicnpoc 路演厅"),
        T(
            "Meet the Epicnpoc team after its pitch.",
            "Rencontrez l’équipe d’Epicnpoc après son pitch.",
            "路演结束后，与 Epicnpoc 团队面对面交流。",
        ),
    ),
    (
        "finwedge",
        Room.Kind.PITCH,
        "finwedge",
        T("Finwedge pitch room", "Salle de pitch Finwedge", "Finwedge 路演厅"),
        T(
            "Meet the Finwedge team after its pitch.",
            "Rencontrez l’équipe de Finwedge après son pitch.",
            "路演结束后，与 Finwedge 团队面对面交流。",
        ),
    ),
    (
        "lounge",
        Room.Kind.LOUNGE,
        None,
        T("Networking lounge", "Salon de rencontres", "交流休息室"),
        T(
            "Drop in between sessions to meet people from both continents.",
            "Passez entre deux sessions pour rencontrer des participants des deux continents.",
            "会议间隙欢迎来坐坐，结识来自两大洲的与会者。",
        ),
    ),
]

# slug, name, organisation, company, job title, bio
SPEAKERS = [
    (
        "claire-dumas",
        "Claire Dumas",
        "Fondation Sophia Antipolis",
        None,
        T("Head of international cooperation", "Responsable de la coopération internationale", "国际合作负责人"),
        T(
            "Claire leads the Fondation Sophia Antipolis partnership with the Qingdao High-tech Zone.",
            "Claire pilote le partenariat de la Fondation Sophia Antipolis avec la zone high-tech de Qingdao.",
            "Claire 负责索菲亚科技园基金会与青岛高新区的合作。",
        ),
    ),
    (
        "wang-lei",
        "Wang Lei",
        "Qingdao High-tech Zone",
        None,
        T(
            "Director, European cooperation office",
            "Directeur du bureau de coopération européenne",
            "欧洲合作办公室主任",
        ),
        T(
            "Wang Lei helps European companies set up in Qingdao, home to some 230 foreign-invested firms.",
            "Wang Lei accompagne les entreprises européennes qui s’implantent à Qingdao, où sont installées "
            "quelque 230 entreprises à capitaux étrangers.",
            "王磊协助欧洲企业落户青岛。青岛高新区现有约 230 家外资企业。",
        ),
    ),
    (
        "julien-marchetti",
        "Julien Marchetti",
        "Fair Vision",
        "fair-vision",
        T("Founder", "Fondateur", "创始人"),
        T(
            "Julien founded Fair Vision to bring match analysis within reach of every club.",
            "Julien a fondé Fair Vision pour mettre l’analyse de match à la portée de tous les clubs.",
            "Julien 创立 Fair Vision，希望让每一家俱乐部都用得上比赛分析。",
        ),
    ),
    (
        "sophie-laurent",
        "Sophie Laurent",
        "Epicnpoc",
        "epicnpoc",
        T("CEO", "Présidente-directrice générale", "首席执行官"),
        T(
            "Sophie runs Epicnpoc’s design and engineering teams.",
            "Sophie dirige les équipes de conception et d’ingénierie d’Epicnpoc.",
            "Sophie 领导 Epicnpoc 的设计与工程团队。",
        ),
    ),
    (
        "marc-olivier",
        "Marc Olivier",
        "Finwedge",
        "finwedge",
        T("CTO", "Directeur technique", "首席技术官"),
        T(
            "Marc builds Finwedge’s software for connected factories.",
            "Marc conçoit les logiciels de Finwedge pour les usines connectées.",
            "Marc 负责 Finwedge 面向互联工厂的软件研发。",
        ),
    ),
    (
        "zhang-min",
        "Zhang Min",
        "University of Health and Rehabilitation Sciences",
        None,
        T("Professor of rehabilitation engineering", "Professeure en ingénierie de la réadaptation", "康复工程教授"),
        T(
            "Zhang Min works on the “rehabilitation bay” the university is building with the High-tech Zone.",
            "Zhang Min travaille à la « baie de la réadaptation » que l’université construit avec la zone high-tech.",
            "张敏参与康复大学与高新区共建的“康复湾”项目。",
        ),
    ),
    (
        "chen-jing",
        "Chen Jing",
        "EUPIC – EU Project Innovation Centre",
        None,
        T("Investment manager", "Chargée d’investissement", "投资经理"),
        T(
            "Chen Jing runs EUPIC’s exchange platform for cooperation between Qingdao and Europe.",
            "Chen Jing anime la plateforme d’échange de l’EUPIC pour la coopération entre Qingdao et l’Europe.",
            "陈静负责 EUPIC（中欧项目创新中心）推动青岛与欧洲合作的交流平台。",
        ),
    ),
]

# slug, day offset, Paris start "HH:MM", minutes, room, track, speakers, company, spoken language, title, abstract
PROGRAMME = [
    (
        "opening",
        0,
        "09:00",
        30,
        "main-stage",
        "cooperation",
        ["claire-dumas", "wang-lei"],
        None,
        "en",
        T(
            "Opening: Sophia Antipolis meets the Qingdao High-tech Zone",
            "Ouverture : Sophia Antipolis rencontre la zone high-tech de Qingdao",
            "开幕式：索菲亚科技园对话青岛高新区",
        ),
        T(
            "Why two science parks, on two continents, have much to learn from each other.",
            "Pourquoi deux parcs scientifiques, sur deux continents, ont beaucoup à apprendre l’un de l’autre.",
            "相隔两大洲的两个科技园区，为何能彼此借鉴、共同成长。",
        ),
    ),
    (
        "ai-big-data-clusters",
        0,
        "09:30",
        60,
        "main-stage",
        "ai-big-data",
        ["claire-dumas", "chen-jing"],
        None,
        "en",
        T(
            "AI and big data: building joint industrial clusters",
            "IA et big data : bâtir des pôles industriels communs",
            "人工智能与大数据：共建产业集群",
        ),
        T(
            "The next generation of information technology, and how the two zones will grow it together.",
            "La nouvelle génération des technologies de l’information, et comment les deux zones la développeront "
            "ensemble.",
            "新一代信息技术产业，以及两地将如何携手发展。",
        ),
    ),
    (
        "networking-lounge",
        0,
        "08:30",
        600,
        "lounge",
        None,
        [],
        None,
        "en",
        T("Open networking lounge", "Salon de rencontres ouvert", "开放交流时间"),
        T(
            "Come and go all day: meet attendees, speakers and pitching companies.",
            "Entrez et sortez toute la journée : rencontrez participants, intervenants et entreprises.",
            "全天开放，随时进出：结识与会者、演讲嘉宾和路演企业。",
        ),
    ),
    (
        "fair-vision-pitch",
        1,
        "09:00",
        30,
        "fair-vision",
        "ai-big-data",
        ["julien-marchetti"],
        "fair-vision",
        "en",
        T(
            "Fair Vision pitch: seeing every move of the game",
            "Pitch Fair Vision : ne rien manquer du jeu",
            "Fair Vision 路演：看清赛场上的每一个动作",
        ),
        T(
            "Digital and photovoltaic innovations to track and analyse competitive sports.",
            "Innovations numériques et photovoltaïques pour le suivi et l’analyse des sports de compétition.",
            "以数字与光伏创新技术追踪和分析竞技体育。",
        ),
    ),
    (
        "epicnpoc-pitch",
        1,
        "09:40",
        30,
        "epicnpoc",
        "ai-big-data",
        ["sophie-laurent"],
        "epicnpoc",
        "fr",
        T(
            "Epicnpoc pitch: from idea to engineered software",
            "Pitch Epicnpoc : de l’idée au logiciel industrialisé",
            "Epicnpoc 路演：从创意到工程化软件",
        ),
        T(
            "Design and software engineering for partners who want to move fast without breaking things.",
            "Conception et ingénierie logicielle pour les partenaires qui veulent aller vite sans rien casser.",
            "为既求快又求稳的合作伙伴提供设计与软件工程服务。",
        ),
    ),
    (
        "finwedge-pitch",
        1,
        "10:20",
        30,
        "finwedge",
        "smart-manufacturing",
        ["marc-olivier"],
        "finwedge",
        "en",
        T(
            "Finwedge pitch: software for smart manufacturing",
            "Pitch Finwedge : le logiciel au service de la fabrication intelligente",
            "Finwedge 路演：服务智能制造的软件",
        ),
        T(
            "Connecting machines, operators and data on the factory floor.",
            "Relier machines, opérateurs et données dans l’atelier.",
            "把车间里的机器、操作人员和数据连接起来。",
        ),
    ),
    (
        "doing-business-in-qingdao",
        1,
        "10:00",
        60,
        "main-stage",
        "cooperation",
        ["wang-lei", "chen-jing"],
        None,
        "zh-hans",
        T(
            "230 foreign-invested companies: doing business in Qingdao",
            "230 entreprises à capitaux étrangers : faire des affaires à Qingdao",
            "230 家外资企业的选择：在青岛投资兴业",
        ),
        T(
            "A fifth of the zone’s foreign investment is European; more than 2,100 foreign governments and companies "
            "have offices in Qingdao, and 160 Fortune Global 500 companies have invested in 309 projects there.",
            "Un cinquième des investissements étrangers de la zone est européen ; plus de 2 100 gouvernements et "
            "entreprises étrangers ont un bureau de représentation à Qingdao, et 160 entreprises du classement "
            "Fortune Global 500 y ont investi dans 309 projets.",
            "高新区外资中有五分之一来自欧洲；超过 2100 家外国政府机构和企业在青岛设有代表处，"
            "160 家世界 500 强企业在青岛投资了 309 个项目。",
        ),
    ),
    (
        "rehabilitation-bay",
        2,
        "09:00",
        60,
        "main-stage",
        "health",
        ["zhang-min", "claire-dumas"],
        None,
        "en",
        T(
            "Biomedicine and next-generation medical devices: a rehabilitation bay",
            "Biomédecine et dispositifs médicaux de nouvelle génération : une baie de la réadaptation",
            "生物医药与新一代医疗器械：打造“康复湾”",
        ),
        T(
            "With the University of Health and Rehabilitation Sciences, the High-tech Zone is building a "
            "“rehabilitation bay” of international reach.",
            "Avec l’Université des sciences de la santé et de la réadaptation, la zone high-tech crée une « baie de "
            "la réadaptation » au rayonnement international.",
            "高新区依托康复大学，打造具有国际影响力的“康复湾”。",
        ),
    ),
    (
        "robotics-next",
        2,
        "10:00",
        45,
        "main-stage",
        "smart-manufacturing",
        ["wang-lei", "marc-olivier"],
        None,
        "en",
        T(
            "Robotics and smart manufacturing: what comes next",
            "Robotique et fabrication intelligente : la suite",
            "机器人与智能制造：下一步",
        ),
        T(
            "Big data, robotics and the joint industrial clusters the two zones will speed up.",
            "Big data, robotique et les pôles industriels communs que les deux zones vont accélérer.",
            "大数据、机器人，以及两地将加快建设的共同产业集群。",
        ),
    ),
    (
        "closing",
        2,
        "10:45",
        15,
        "main-stage",
        "cooperation",
        ["claire-dumas", "wang-lei"],
        None,
        "en",
        T(
            "Closing: from online summit to physical cooperation",
            "Clôture : du sommet en ligne à la coopération sur le terrain",
            "闭幕式：从线上峰会走向线下合作",
        ),
        T(
            "What happens next, and how to meet in person.",
            "La suite, et comment se rencontrer en personne.",
            "接下来的安排，以及如何线下见面。",
        ),
    ),
]

ATTENDEES = [
    ("li.na@example.cn", "Li Na", "Qingdao Rehabilitation Devices Co.", "CN", "Asia/Shanghai", "zh-hans"),
    ("zhao.yang@example.cn", "Zhao Yang", "Haier Robotics Lab", "CN", "Asia/Shanghai", "zh-hans"),
    ("liu.fang@example.cn", "Liu Fang", "Qingdao Big Data Institute", "CN", "Asia/Shanghai", "en"),
    ("camille.bernard@example.fr", "Camille Bernard", "Inria Sophia Antipolis", "FR", "Europe/Paris", "fr"),
    ("thomas.petit@example.fr", "Thomas Petit", "MedTech Riviera", "FR", "Europe/Paris", "fr"),
    ("anna.schmidt@example.de", "Anna Schmidt", "Bavarian Robotics Cluster", "DE", "Europe/Berlin", "en"),
]
