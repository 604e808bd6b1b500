"""Name, place and text pools for demo data.

Field offices work in many languages and scripts, so the demo does too: people
and places in Latin, Arabic, Cyrillic and Chinese script, and narrative fragments
in the six interface languages, combined at random into plausible reports. The
sentences are written for this purpose (no real case is described).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LANGS = ("en", "fr", "es", "ar", "ru", "zh")
THEMES = ("detention", "custody", "trial", "protest", "idp")


# -- people -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Culture:
    """Name parts as (native, Latin transliteration) pairs; Latin names have both equal."""

    key: str
    male: tuple[tuple[str, str], ...]
    female: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, t or n) for n, _sep, t in (item.partition(":") for item in text.split(",")))


#: culture: (male given names, female given names, family names)
_NAMES = {
    "sw": (
        "John,Peter,Joseph,Daniel,Samuel,Brian,Kevin,Dennis,Collins,Evans,Kiprono,Baraka",
        "Mary,Grace,Faith,Mercy,Esther,Wanjiru,Akinyi,Achieng,Nyambura,Naliaka,Chebet,Zawadi",
        "Otieno,Ochieng,Kamau,Mwangi,Wanjiku,Kiptoo,Mutua,Omondi,Njoroge,Wafula,Odhiambo,Hassan",
    ),
    "fr": (
        "Jean-Pierre,Emmanuel,Patrick,Moussa,Amadou,Jean-Claude,Didier,Serge,Ousmane,Fabrice",
        "Marie,Aminata,Fatoumata,Joséphine,Christelle,Mariam,Aïssata,Grâce,Nadège,Clarisse",
        "Mukendi,Tshibanda,Ilunga,Kalala,Mbuyi,Traoré,Diarra,Coulibaly,Keïta,Sangaré,Kasongo",
    ),
    "es": (
        "José,Luis,Carlos,Juan Pablo,Andrés,Jorge,Miguel Ángel,Óscar,Wilmer,Edwin",
        "María Fernanda,Luz Marina,Ana Lucía,Carmen,Rosa Elena,Diana,Yolanda,Sandra,Lucía",
        "García,Rodríguez,Martínez,López,Hernández,Gómez,Díaz,Pérez,Quiñónez,Mosquera,Ixcoy",
    ),
    "ar": (
        "محمد:Mohamed,أحمد:Ahmed,عمر:Omar,يوسف:Youssef,خالد:Khaled,إبراهيم:Ibrahim,عبد الله:Abdallah,"
        "حسن:Hassan,علي:Ali,مصطفى:Mustafa",
        "فاطمة:Fatima,مريم:Mariam,عائشة:Aisha,زينب:Zeinab,آمنة:Amna,هدى:Huda,سلمى:Salma,نور:Nour,رنا:Rana,"
        "خديجة:Khadija",
        "عثمان:Osman,الحسن:Al-Hassan,عبد الرحمن:Abdelrahman,إدريس:Idris,الطيب:Al-Tayeb,آدم:Adam,"
        "يعقوب:Yacoub,النور:Al-Nour,صالح:Saleh,الخطيب:Al-Khatib",
    ),
    "ru": (
        "Азамат:Azamat,Бакыт:Bakyt,Нурлан:Nurlan,Тимур:Timur,Алексей:Aleksei,Дмитрий:Dmitrii,Сергей:Sergei,"
        "Эрлан:Erlan,Руслан:Ruslan,Батбаяр:Batbayar",
        "Айгуль:Aigul,Гульнара:Gulnara,Жылдыз:Zhyldyz,Анна:Anna,Ольга:Olga,Наталья:Natalia,Айпери:Aiperi,"
        "Елена:Elena,Динара:Dinara,Оюунчимэг:Oyuunchimeg",
        "Токтогулов:Toktogulov,Асанов:Asanov,Иманалиев:Imanaliev,Садыков:Sadykov,Иванов:Ivanov,"
        "Коваленко:Kovalenko,Шевченко:Shevchenko,Бойко:Boiko,Абдыкеримов:Abdykerimov,Осмонов:Osmonov",
    ),
    "zh": (
        "志明:Zhiming,伟:Wei,建国:Jianguo,俊杰:Junjie,家豪:Jiahao,文彬:Wenbin,国强:Guoqiang",
        "美玲:Meiling,丽华:Lihua,秀英:Xiuying,慧敏:Huimin,欣怡:Xinyi,雅婷:Yating,淑芬:Shufen",
        "陈:Chen,李:Li,王:Wang,张:Zhang,刘:Liu,林:Lin,黄:Huang,吴:Wu,杨:Yang,郑:Zheng",
    ),
}
CULTURES = {k: Culture(k, _pairs(m), _pairs(f), _pairs(s)) for k, (m, f, s) in _NAMES.items()}


def person_name(culture: Culture, female: bool, rng: random.Random) -> tuple[str, str]:
    """A full name in its own script and in Latin letters (for other_names and e-mail)."""
    given = rng.choice(culture.female if female else culture.male)
    family = rng.choice(culture.family)
    if culture.key == "zh":
        return family[0] + given[0], f"{family[1]} {given[1]}"
    if culture.key == "ru" and female and family[0].endswith(("ов", "ев", "ин")):
        family = (family[0] + "а", family[1] + "a")
    return f"{given[0]} {family[0]}", f"{given[1]} {family[1]}"


# -- countries and places -----------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """Where an office works: its people's names, its main language and its places."""

    code: str
    office: str
    culture: str
    lang: str
    dial: str
    lat: float
    lon: float
    name: str
    #: (region, its districts), in the local script
    regions: tuple[tuple[str, tuple[str, ...]], ...]


#: "code office culture language dial-code latitude longitude name", then indented lines of
#: "Region:District,District|Region:..." in the local script
_COUNTRIES = """
KE KE-NBO sw en +254 -1.29 36.82 Kenya
    Nairobi:Kibra,Embakasi,Mathare|Mombasa:Mvita,Likoni,Kisauni|Turkana:Lodwar,Kakuma,Lokichogio
    Garissa:Dadaab,Fafi,Lagdera|Kisumu:Nyando,Muhoroni,Seme
SD SD-PZU ar ar +249 19.6 37.2 السودان
    البحر الأحمر:بورتسودان,سواكن,طوكر|كسلا:كسلا,حلفا الجديدة,خشم القربة
    القضارف:القضارف,الفاو,القلابات|النيل الأبيض:كوستي,ربك,الجبلين
YE YE-ADE ar ar +967 12.8 45.0 اليمن
    عدن:كريتر,المعلا,الشيخ عثمان|تعز:المظفر,القاهرة,صالة|مأرب:مأرب,صرواح,الجوبة
    حضرموت:المكلا,سيئون,تريم
IQ IQ-BGW ar ar +964 33.3 44.4 العراق
    بغداد:الكرخ,الرصافة,الأعظمية|نينوى:الموصل,سنجار,تلعفر|البصرة:البصرة,الزبير,أبو الخصيب
    الأنبار:الرمادي,الفلوجة,هيت
LY LY-TIP ar ar +218 32.9 13.2 ليبيا
    طرابلس:جنزور,تاجوراء,أبو سليم|بنغازي:بنغازي,قمينس,توكرة|سبها:سبها,أوباري,مرزق
TN TN-TUN ar fr +216 36.8 10.2 تونس
    تونس:باب البحر,المدينة,الكرم|صفاقس:صفاقس,ساقية الزيت,جبنيانة|مدنين:جرجيس,بن قردان,جربة
LB LB-BEY ar ar +961 33.9 35.5 لبنان
    بيروت:الأشرفية,رأس بيروت,المزرعة|البقاع:زحلة,بعلبك,عرسال|الشمال:طرابلس,عكار,المنية
KG KG-FRU ru ru +996 42.87 74.59 Кыргызстан
    Чуйская область:Бишкек,Токмок,Кант|Ошская область:Ош,Кара-Суу,Узген
    Джалал-Абадская область:Джалал-Абад,Базар-Коргон,Сузак
UA UA-IEV ru en +380 50.45 30.52 Україна
    Київська область:Київ,Буча,Ірпінь|Харківська область:Харків,Ізюм,Куп'янськ
    Одеська область:Одеса,Ізмаїл,Білгород-Дністровський
TJ TJ-DYU ru ru +992 38.56 68.78 Таджикистан
    Душанбе:Исмоили Сомони,Сино,Фирдавси|Согдийская область:Худжанд,Истаравшан,Пенджикент
    Хатлонская область:Бохтар,Куляб,Дангара
MN MN-ULN ru ru +976 47.92 106.92 Монгол Улс
    Улаанбаатар:Баянзүрх,Сүхбаатар,Чингэлтэй|Дорнод:Чойбалсан,Хэрлэн,Баяндун
    Өмнөговь:Даланзадгад,Ханбогд,Цогтцэций
CO CO-BOG es es +57 4.71 -74.07 Colombia
    Antioquia:Medellín,Apartadó,Turbo|Cauca:Popayán,Santander de Quilichao,Toribío
    Chocó:Quibdó,Riosucio,Bojayá|Nariño:Tumaco,Pasto,Barbacoas
GT GT-GUA es es +502 14.63 -90.51 Guatemala
    Guatemala:Mixco,Villa Nueva,Zona 18|Quiché:Santa Cruz del Quiché,Nebaj,Chajul
    Alta Verapaz:Cobán,San Pedro Carchá,Chisec
HN HN-TGU es es +504 14.07 -87.19 Honduras
    Francisco Morazán:Tegucigalpa,Comayagüela,Valle de Ángeles
    Cortés:San Pedro Sula,Choloma,Puerto Cortés|Atlántida:La Ceiba,Tela,Arizona
CD CD-FIH fr fr +243 -4.32 15.31 République démocratique du Congo
    Nord-Kivu:Goma,Beni,Rutshuru|Sud-Kivu:Bukavu,Uvira,Kalehe|Ituri:Bunia,Djugu,Mahagi
    Kinshasa:Gombe,Masina,Kimbanseke
ML ML-BKO fr fr +223 12.64 -8.0 Mali
    Bamako:Commune I,Commune IV,Commune VI|Mopti:Mopti,Bandiagara,Djenné|Gao:Gao,Ansongo,Bourem
    Tombouctou:Tombouctou,Goundam,Diré
BF BF-OUA fr fr +226 12.37 -1.52 Burkina Faso
    Centre:Ouagadougou,Saaba,Komki-Ipala|Sahel:Dori,Djibo,Gorom-Gorom
    Est:Fada N'Gourma,Diapaga,Kantchari
CF CF-BGF fr fr +236 4.39 18.56 République centrafricaine
    Bangui:1er arrondissement,5e arrondissement,8e arrondissement|Ouham:Bossangoa,Batangafo,Kabo
    Haute-Kotto:Bria,Ouadda,Yalinga
HT HT-PAP fr fr +509 18.54 -72.34 Haïti
    Ouest:Port-au-Prince,Cité Soleil,Croix-des-Bouquets|Artibonite:Gonaïves,Saint-Marc,Liancourt
    Nord:Cap-Haïtien,Limonade,Milot
MY MY-KUL zh zh +60 3.14 101.69 Malaysia 马来西亚
    Kuala Lumpur 吉隆坡:Kepong 甲洞,Cheras 蕉赖,Sentul 冼都
    Pulau Pinang 槟城:George Town 乔治市,Bukit Mertajam 大山脚,Butterworth 北海
    Perak 霹雳:Ipoh 怡保,Taiping 太平,Teluk Intan 安顺
    Sabah 沙巴:Kota Kinabalu 亚庇,Sandakan 山打根,Tawau 斗湖
"""


def _countries(table: str) -> tuple[Country, ...]:
    heads: list[list[str]] = []
    places: list[list[str]] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            places[-1].extend(line.strip().split("|"))
        else:
            heads.append(line.split(" ", 7))
            places.append([])
    out = []
    for (code, office, culture, lang, dial, lat, lon, name), group in zip(heads, places, strict=True):
        regions = tuple((r, tuple(d.split(","))) for r, _sep, d in (p.partition(":") for p in group))
        out.append(Country(code, office, culture, lang, dial, float(lat), float(lon), name, regions))
    return tuple(out)


COUNTRIES = _countries(_COUNTRIES)


# -- texts -------------------------------------------------------------------------------------
# Per language, "#section|item|item...": five themes of six sentences each, the first opening a
# report and naming the place ({place}), {n} a number; closings; then titles and actions per theme
# (in THEMES order), projects and their descriptions, trainings, venues, organisations (kind:name),
# positions and notes. Packed this way to keep the module short; _sections() unpacks it.


def _sections(packed: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for block in packed.split("#")[1:]:
        key, *items = block.split("|")
        out[key] = tuple(items)
    return out


_EN = (
    "#detention|The team visited the remand prison in {place} unannounced and was given access to the cells, "
    "the kitchen and the infirmary.|The facility, built for {n} detainees, held more than twice that number "
    "on the day of the visit.|Detainees sleep in shifts on the floor; ventilation is poor and several cells "
    "have no natural light.|Food is served once a day and families are expected to bring the rest.|The "
    "infirmary had no doctor and ran out of basic medicines two weeks earlier.|Pre-trial detainees are held "
    "together with convicted prisoners, and children are not separated from adults.#custody|At the police "
    "station in {place}, the team interviewed detainees in private, out of sight and hearing of the guards.|"
    "Several detainees said they had not seen a lawyer since their arrest, some of them more than {n} days "
    "ago.|Two men alleged they were beaten with batons during interrogation; visible marks were consistent "
    "with their accounts.|Custody registers were incomplete and did not record the time of arrest or of "
    "transfer.|The officer in charge denied the allegations and agreed to let lawyers visit without prior "
    "authorisation.|A woman detainee reported threats against her family if she did not sign a statement she "
    "could not read.#trial|The team observed hearings at the court in {place} in cases linked to last year's "
    "protests.|The hearing was adjourned once more because the prosecution witnesses did not appear; the "
    "case has now been postponed {n} times.|Defence counsel complained that they had received the case file "
    "only on the morning of the hearing.|Relatives of the accused were kept outside the courtroom, and "
    "journalists were asked to leave.|The judge granted bail to two of the accused; the others remain in "
    "pre-trial detention.|The accused told the court that their confessions had been obtained under "
    "duress.#protest|The team monitored a demonstration in {place} called by teachers' unions over unpaid "
    "salaries.|Police used tear gas and water cannon to disperse about {n} protesters who were, by all "
    "accounts, peaceful.|Witnesses described plain-clothes officers arresting people as they left the area; "
    "at least twelve were taken to an unknown location.|Journalists covering the protest reported that their "
    "phones were seized and their footage deleted.|Hospital staff confirmed that several people were treated "
    "for injuries from rubber bullets.|The authorities said the gathering had not been notified, which the "
    "organisers dispute.#idp|The team visited the displacement site at {place}, which now hosts some {n} "
    "families.|Water trucking has been cut by half since the last visit; people queue for hours at the only "
    "working borehole.|Latrines are shared by more than fifty people each, and cases of acute watery "
    "diarrhoea have been reported.|Women said that collecting firewood outside the camp exposes them to "
    "attacks and harassment.|Many families lost their identity documents when they fled and cannot register "
    "children born in the camp.|Camp leaders asked for a meeting with the local authorities on plans to "
    "relocate the site.#closing|The team shared its preliminary observations with the authorities at the end "
    "of the visit.|A follow-up visit is planned within three months.|The findings will be raised with the "
    "relevant ministry at the next meeting.#title|Visit to the remand prison, {place}|Visit to police cells, "
    "{place}|Trial monitoring, {place} court|Monitoring of a demonstration, {place}|Visit to the IDP site, "
    "{place}#action|Raise overcrowding with the prison director and request the list of pre-trial detainees.|"
    "Refer the allegations of ill-treatment to the prosecutor and request medical examinations.|Share the "
    "case list with the legal aid network so that the accused are assigned lawyers.|Request the police "
    "commander's report on the dispersal of the demonstration.|Write to the water authority about the cuts "
    "in water trucking at the site.#project|Strengthening legal aid for pre-trial detainees|Support to the "
    "national human rights institution|Protection of civic space and human rights defenders|Human rights "
    "monitoring in displacement settings|Follow-up to UPR recommendations on justice#pdesc|The project works "
    "with prison administrations, bar associations and civil society.|Activities include training, "
    "monitoring visits and technical advice on legislation.|A mid-term review found delays caused by "
    "insecurity and staff turnover.#training|Workshop on human rights standards in detention|Training of "
    "trainers on trial monitoring|Human rights and the policing of assemblies|Introduction to human rights "
    "monitoring and reporting|Protection of internally displaced persons#tdesc|Participants worked through "
    "case studies drawn from recent monitoring visits.|The sessions covered the Nelson Mandela Rules and the "
    "Istanbul Protocol.#venue|Community hall, {place}|Law Courts training room, {place}#org|ngo:{place} "
    "Legal Aid Network|ngo:Women Human Rights Defenders of {place}|police:{place} Police Command|gov:Prisons "
    "Service, {place}#position|Police inspector|Prison officer|Magistrate|Paralegal|Community leader|"
    "Journalist#note|Prefers to be contacted through the legal aid clinic.|Moved after threats; do not share "
    "the address."
)

_FR = (
    "#detention|L'équipe s'est rendue sans préavis à la maison d'arrêt de {place} et a eu accès aux "
    "cellules, à la cuisine et à l'infirmerie.|L'établissement, prévu pour {n} détenus, en comptait plus du "
    "double le jour de la visite.|Les détenus dorment à tour de rôle à même le sol ; la ventilation est "
    "insuffisante et plusieurs cellules sont privées de lumière naturelle.|Un seul repas est servi par jour "
    "et les familles doivent apporter le reste.|L'infirmerie n'avait pas de médecin et manquait de "
    "médicaments de base depuis deux semaines.|Les prévenus sont détenus avec les condamnés et les mineurs "
    "ne sont pas séparés des adultes.#custody|Au commissariat de {place}, l'équipe a mené des entretiens "
    "confidentiels avec des détenus, hors de la vue et de l'écoute des gardiens.|Plusieurs détenus ont "
    "déclaré n'avoir vu aucun avocat depuis leur arrestation, certains depuis plus de {n} jours.|Deux hommes "
    "affirment avoir été frappés à coups de matraque pendant leur interrogatoire ; les traces visibles "
    "concordent avec leurs récits.|Les registres de garde à vue étaient incomplets et n'indiquaient ni "
    "l'heure de l'arrestation ni celle du transfert.|Le responsable a nié les allégations et accepté que les "
    "avocats puissent rendre visite sans autorisation préalable.|Une détenue a fait état de menaces contre "
    "sa famille si elle refusait de signer une déclaration qu'elle ne pouvait pas lire.#trial|L'équipe a "
    "assisté à des audiences au tribunal de {place} dans des affaires liées aux manifestations de l'an "
    "dernier.|L'audience a de nouveau été renvoyée faute de comparution des témoins de l'accusation ; "
    "l'affaire a déjà été reportée {n} fois.|La défense s'est plainte de n'avoir reçu le dossier que le "
    "matin même de l'audience.|Les proches des accusés ont été maintenus à l'extérieur de la salle et les "
    "journalistes ont été priés de sortir.|Le juge a accordé la liberté sous caution à deux accusés ; les "
    "autres restent en détention provisoire.|Les accusés ont déclaré au tribunal que leurs aveux avaient été "
    "obtenus sous la contrainte.#protest|L'équipe a suivi une manifestation à {place} organisée par les "
    "syndicats d'enseignants pour des salaires impayés.|La police a utilisé des gaz lacrymogènes et des "
    "canons à eau pour disperser environ {n} manifestants, de l'avis général pacifiques.|Des témoins ont vu "
    "des agents en civil interpeller des personnes qui quittaient les lieux ; au moins douze ont été "
    "conduites vers une destination inconnue.|Des journalistes couvrant la manifestation rapportent que "
    "leurs téléphones ont été saisis et leurs images effacées.|Le personnel hospitalier a confirmé que "
    "plusieurs personnes avaient été soignées pour des blessures causées par des balles en caoutchouc.|Les "
    "autorités affirment que le rassemblement n'avait pas été déclaré, ce que contestent les "
    "organisateurs.#idp|L'équipe s'est rendue sur le site de déplacés de {place}, qui accueille désormais "
    "quelque {n} familles.|L'approvisionnement en eau par camion a diminué de moitié depuis la dernière "
    "visite ; les gens font la queue pendant des heures au seul forage en service.|Chaque latrine est "
    "partagée par plus de cinquante personnes et des cas de diarrhée aqueuse aiguë ont été signalés.|Les "
    "femmes indiquent que la collecte de bois de chauffe hors du camp les expose à des agressions et au "
    "harcèlement.|De nombreuses familles ont perdu leurs papiers d'identité dans la fuite et ne peuvent pas "
    "déclarer les enfants nés dans le camp.|Les responsables du camp ont demandé une réunion avec les "
    "autorités locales au sujet du projet de relocalisation du site.#closing|L'équipe a fait part de ses "
    "observations préliminaires aux autorités à l'issue de la visite.|Une visite de suivi est prévue dans "
    "les trois mois.|Les constatations seront soulevées auprès du ministère concerné lors de la prochaine "
    "réunion.#title|Visite de la maison d'arrêt, {place}|Visite des cachots de police, {place}|Observation "
    "de procès, tribunal de {place}|Suivi d'une manifestation, {place}|Visite du site de déplacés, "
    "{place}#action|Soulever la surpopulation auprès du directeur de la prison et demander la liste des "
    "prévenus.|Saisir le procureur des allégations de mauvais traitements et demander des examens médicaux.|"
    "Transmettre la liste des dossiers au réseau d'aide juridique pour que des avocats soient désignés.|"
    "Demander au commandant de la police son rapport sur la dispersion de la manifestation.|Écrire à la "
    "régie des eaux au sujet de la réduction des livraisons d'eau sur le site.#project|Renforcement de "
    "l'aide juridique aux prévenus|Appui à l'institution nationale des droits de l'homme|Protection de "
    "l'espace civique et des défenseurs des droits humains|Monitoring des droits de l'homme dans les sites "
    "de déplacés|Suivi des recommandations de l'EPU relatives à la justice#pdesc|Le projet associe "
    "l'administration pénitentiaire, le barreau et la société civile.|Les activités comprennent des "
    "formations, des visites de monitoring et des conseils techniques sur la législation.|L'examen à "
    "mi-parcours a relevé des retards dus à l'insécurité et à la rotation du personnel.#training|Atelier sur "
    "les droits de l'homme en détention|Formation de formateurs à l'observation des procès|Droits de l'homme "
    "et maintien de l'ordre lors des rassemblements|Initiation au monitoring et à la rédaction de rapports|"
    "Protection des personnes déplacées internes#tdesc|Les participants ont travaillé sur des études de cas "
    "tirées de visites de monitoring récentes.|Les sessions ont porté sur les Règles Nelson Mandela et le "
    "Protocole d'Istanbul.#venue|Salle polyvalente, {place}|Salle de formation du palais de justice, "
    "{place}#org|ngo:Association des femmes juristes de {place}|ngo:Ligue des droits de l'homme de {place}|"
    "police:Commissariat central de {place}|gov:Direction pénitentiaire de {place}#position|Inspecteur de "
    "police|Agent pénitentiaire|Magistrat|Parajuriste|Chef communautaire|Journaliste#note|Préfère être "
    "contacté par l'intermédiaire de la clinique juridique.|A déménagé après des menaces ; ne pas "
    "communiquer l'adresse."
)

_ES = (
    "#detention|El equipo visitó sin previo aviso el centro penitenciario de {place} y tuvo acceso a las "
    "celdas, la cocina y la enfermería.|El centro, con capacidad para {n} personas, albergaba más del doble "
    "el día de la visita.|Los internos duermen por turnos en el suelo; la ventilación es deficiente y varias "
    "celdas carecen de luz natural.|Se sirve una sola comida al día y las familias deben llevar el resto.|La "
    "enfermería no contaba con médico y llevaba dos semanas sin medicamentos básicos.|Las personas en "
    "prisión preventiva conviven con las condenadas y los menores no están separados de los adultos.#custody|"
    "En la comisaría de {place}, el equipo entrevistó a personas detenidas en privado, fuera de la vista y "
    "del oído de los guardias.|Varios detenidos afirmaron no haber visto a un abogado desde su arresto, "
    "algunos desde hace más de {n} días.|Dos hombres denunciaron haber sido golpeados con porras durante el "
    "interrogatorio; las marcas visibles eran coherentes con sus relatos.|Los libros de registro de "
    "detención estaban incompletos y no consignaban la hora del arresto ni del traslado.|El oficial a cargo "
    "negó las denuncias y aceptó que los abogados pudieran visitar sin autorización previa.|Una detenida "
    "denunció amenazas contra su familia si no firmaba una declaración que no podía leer.#trial|El equipo "
    "observó audiencias en el juzgado de {place} en causas relacionadas con las protestas del año pasado.|La "
    "audiencia se suspendió una vez más por la incomparecencia de los testigos de la fiscalía; la causa ya "
    "se ha aplazado {n} veces.|La defensa se quejó de haber recibido el expediente la misma mañana de la "
    "audiencia.|Los familiares de los acusados tuvieron que quedarse fuera de la sala y se pidió a los "
    "periodistas que salieran.|El juez concedió la libertad bajo fianza a dos de los acusados; los demás "
    "siguen en prisión preventiva.|Los acusados declararon ante el tribunal que sus confesiones se "
    "obtuvieron bajo coacción.#protest|El equipo monitoreó una manifestación en {place} convocada por "
    "sindicatos docentes por salarios impagos.|La policía usó gases lacrimógenos y cañones de agua para "
    "dispersar a unos {n} manifestantes que, según todos los testimonios, eran pacíficos.|Testigos "
    "describieron a agentes de civil deteniendo a personas cuando se retiraban; al menos doce fueron "
    "llevadas a un lugar desconocido.|Periodistas que cubrían la protesta denunciaron que les incautaron los "
    "teléfonos y borraron sus grabaciones.|El personal del hospital confirmó que varias personas recibieron "
    "atención por heridas de balas de goma.|Las autoridades afirmaron que la concentración no había sido "
    "notificada, algo que los organizadores niegan.#idp|El equipo visitó el asentamiento de personas "
    "desplazadas de {place}, que ya acoge a unas {n} familias.|El suministro de agua en camiones cisterna se "
    "ha reducido a la mitad desde la última visita; la gente hace fila durante horas en el único pozo que "
    "funciona.|Cada letrina es compartida por más de cincuenta personas y se han notificado casos de diarrea "
    "acuosa aguda.|Las mujeres señalaron que salir del asentamiento a buscar leña las expone a agresiones y "
    "acoso.|Muchas familias perdieron sus documentos de identidad al huir y no pueden inscribir a los niños "
    "nacidos en el asentamiento.|Los líderes comunitarios pidieron una reunión con las autoridades locales "
    "sobre los planes de reubicación.#closing|Al final de la visita, el equipo compartió sus observaciones "
    "preliminares con las autoridades.|Se prevé una visita de seguimiento en un plazo de tres meses.|Las "
    "conclusiones se plantearán al ministerio competente en la próxima reunión.#title|Visita al centro "
    "penitenciario, {place}|Visita a celdas policiales, {place}|Observación de juicio, juzgado de {place}|"
    "Monitoreo de una manifestación, {place}|Visita al asentamiento de desplazados, {place}#action|Plantear "
    "el hacinamiento al director del penal y solicitar la lista de personas en prisión preventiva.|Remitir "
    "las denuncias de malos tratos a la fiscalía y solicitar exámenes médicos.|Compartir la lista de causas "
    "con la red de asistencia jurídica para asignar abogados.|Solicitar al comandante policial su informe "
    "sobre la dispersión de la manifestación.|Escribir a la empresa de agua sobre los recortes en el "
    "suministro por camión cisterna.#project|Fortalecimiento de la asistencia jurídica en prisión preventiva|"
    "Apoyo a la institución nacional de derechos humanos|Protección del espacio cívico y de las personas "
    "defensoras|Monitoreo de derechos humanos en contextos de desplazamiento|Seguimiento de las "
    "recomendaciones del EPU sobre justicia#pdesc|El proyecto trabaja con la administración penitenciaria, "
    "el colegio de abogados y la sociedad civil.|Las actividades incluyen capacitaciones, visitas de "
    "monitoreo y asesoría técnica sobre legislación.|La evaluación de medio término constató retrasos por la "
    "inseguridad y la rotación de personal.#training|Taller sobre derechos humanos en la privación de "
    "libertad|Formación de formadores en observación de juicios|Derechos humanos y gestión policial de "
    "manifestaciones|Introducción al monitoreo y la elaboración de informes|Protección de las personas "
    "desplazadas internas#tdesc|Las personas participantes analizaron casos extraídos de visitas de "
    "monitoreo recientes.|Las sesiones abordaron las Reglas Nelson Mandela y el Protocolo de Estambul.#venue|"
    "Casa de la cultura, {place}|Sala de capacitación del palacio de justicia, {place}#org|ngo:Red de "
    "Defensoras de {place}|ngo:Colectivo de Abogados de {place}|police:Policía Nacional, estación {place}|"
    "ombudsman:Defensoría del Pueblo, regional {place}#position|Inspector de policía|Funcionario "
    "penitenciario|Juez de paz|Promotora legal|Líder comunitario|Periodista#note|Prefiere ser contactada a "
    "través del consultorio jurídico.|Se trasladó tras recibir amenazas; no compartir la dirección."
)

_AR = (
    "#detention|زار الفريق السجن الاحتياطي في {place} دون إخطار مسبق، وسُمح له بدخول الزنازين والمطبخ "
    "والعيادة.|كان المرفق المصمم لاستيعاب {n} محتجزًا يضم أكثر من ضعف هذا العدد يوم الزيارة.|ينام المحتجزون "
    "على الأرض بالتناوب، والتهوية سيئة، وبعض الزنازين لا يدخلها ضوء النهار.|تُقدَّم وجبة واحدة في اليوم، "
    "ويُنتظر من الأسر أن تجلب الباقي.|لم يكن في العيادة طبيب، ونفدت منها الأدوية الأساسية منذ أسبوعين.|"
    "يُحتجز الموقوفون احتياطيًا مع المحكوم عليهم، ولا يُفصل الأطفال عن البالغين.#custody|في مركز الشرطة في "
    "{place}، أجرى الفريق مقابلات خاصة مع المحتجزين بعيدًا عن أنظار الحراس ومسمعهم.|أفاد عدد من المحتجزين "
    "بأنهم لم يلتقوا بمحامٍ منذ القبض عليهم، وبعضهم منذ أكثر من {n} يومًا.|ادعى رجلان أنهما تعرضا للضرب "
    "بالهراوات أثناء الاستجواب، وكانت الآثار الظاهرة متسقة مع روايتيهما.|كانت سجلات الاحتجاز ناقصة ولا تبيّن "
    "وقت القبض ولا وقت النقل.|نفى الضابط المسؤول الادعاءات ووافق على السماح للمحامين بالزيارة دون إذن مسبق.|"
    "أفادت محتجزة بأن أسرتها هُددت إن لم توقّع على إفادة لا تستطيع قراءتها.#trial|راقب الفريق جلسات في محكمة "
    "{place} في قضايا مرتبطة باحتجاجات العام الماضي.|أُجّلت الجلسة مرة أخرى لعدم حضور شهود الادعاء، وقد "
    "أُرجئت القضية {n} مرات حتى الآن.|اشتكى محامو الدفاع من أنهم لم يتسلموا ملف القضية إلا صباح يوم الجلسة.|"
    "مُنع أقارب المتهمين من دخول قاعة المحكمة، وطُلب من الصحفيين المغادرة.|أفرج القاضي عن اثنين من المتهمين "
    "بكفالة، فيما لا يزال الآخرون رهن الحبس الاحتياطي.|قال المتهمون أمام المحكمة إن اعترافاتهم انتُزعت منهم "
    "تحت الإكراه.#protest|رصد الفريق مظاهرة في {place} دعت إليها نقابات المعلمين احتجاجًا على الرواتب غير "
    "المدفوعة.|استخدمت الشرطة الغاز المسيل للدموع وخراطيم المياه لتفريق نحو {n} متظاهر كانوا سلميين بحسب "
    "جميع الروايات.|وصف شهود عناصر بملابس مدنية يعتقلون أشخاصًا أثناء مغادرتهم المكان، ونُقل اثنا عشر منهم "
    "على الأقل إلى مكان مجهول.|أفاد صحفيون كانوا يغطون الاحتجاج بأن هواتفهم صودرت وحُذفت تسجيلاتهم.|أكد "
    "العاملون في المستشفى أن عدة أشخاص تلقوا العلاج من إصابات بالرصاص المطاطي.|قالت السلطات إن التجمع لم "
    "يُخطَر به مسبقًا، وهو ما ينفيه المنظمون.#idp|زار الفريق موقع النازحين في {place}، الذي يؤوي الآن نحو "
    "{n} أسرة.|انخفضت إمدادات المياه بالصهاريج إلى النصف منذ الزيارة السابقة، ويقف الناس في طوابير لساعات "
    "عند البئر الوحيدة العاملة.|يتشارك أكثر من خمسين شخصًا في كل مرحاض، وأُبلغ عن حالات إسهال مائي حاد.|قالت "
    "النساء إن جمع الحطب خارج المخيم يعرّضهن للاعتداء والتحرش.|فقدت أسر كثيرة وثائقها الثبوتية أثناء الفرار، "
    "ولا تستطيع تسجيل الأطفال المولودين في المخيم.|طلب قادة المخيم اجتماعًا مع السلطات المحلية بشأن خطط نقل "
    "الموقع.#closing|عرض الفريق ملاحظاته الأولية على السلطات في ختام الزيارة.|من المقرر إجراء زيارة متابعة "
    "في غضون ثلاثة أشهر.|ستُثار النتائج مع الوزارة المعنية في الاجتماع المقبل.#title|زيارة السجن الاحتياطي، "
    "{place}|زيارة مراكز احتجاز الشرطة، {place}|مراقبة محاكمة، محكمة {place}|رصد مظاهرة، {place}|زيارة موقع "
    "النازحين، {place}#action|إثارة مسألة الاكتظاظ مع مدير السجن وطلب قائمة الموقوفين احتياطيًا.|إحالة "
    "ادعاءات سوء المعاملة إلى النيابة العامة وطلب إجراء فحوص طبية.|مشاركة قائمة القضايا مع شبكة المساعدة "
    "القانونية لتعيين محامين للمتهمين.|طلب تقرير قائد الشرطة عن تفريق المظاهرة.|مراسلة هيئة المياه بشأن "
    "تقليص إمدادات المياه بالصهاريج في الموقع.#project|تعزيز المساعدة القانونية للموقوفين احتياطيًا|دعم "
    "المؤسسة الوطنية لحقوق الإنسان|حماية الفضاء المدني والمدافعين عن حقوق الإنسان|رصد حقوق الإنسان في سياقات "
    "النزوح|متابعة توصيات الاستعراض الدوري الشامل المتعلقة بالعدالة#pdesc|يعمل المشروع مع إدارات السجون "
    "ونقابات المحامين ومنظمات المجتمع المدني.|تشمل الأنشطة التدريب وزيارات الرصد وتقديم المشورة الفنية بشأن "
    "التشريعات.|خلص استعراض منتصف المدة إلى وجود تأخيرات بسبب انعدام الأمن وتغيّر الموظفين.#training|ورشة "
    "عمل حول معايير حقوق الإنسان في أماكن الاحتجاز|تدريب المدربين على مراقبة المحاكمات|حقوق الإنسان وحفظ "
    "النظام أثناء التجمعات|مدخل إلى رصد حقوق الإنسان وإعداد التقارير|حماية النازحين داخليًا#tdesc|عمل "
    "المشاركون على دراسات حالة مستمدة من زيارات رصد حديثة.|تناولت الجلسات قواعد نيلسون مانديلا وبروتوكول "
    "إسطنبول.#venue|قاعة المجلس البلدي، {place}|قاعة التدريب في قصر العدل، {place}#org|ngo:جمعية {place} "
    "لحقوق الإنسان|ngo:مركز {place} للمساعدة القانونية|police:مديرية شرطة {place}|gov:إدارة السجون في "
    "{place}#position|مفتش شرطة|ضابط سجون|قاضٍ|مساعد قانوني|قائد مجتمعي|صحفي#note|يفضّل التواصل عبر عيادة "
    "المساعدة القانونية.|انتقل بعد تلقي تهديدات؛ لا يُفصح عن العنوان."
)

_RU = (
    "#detention|Группа без предупреждения посетила следственный изолятор в районе {place} и получила доступ "
    "к камерам, кухне и медпункту.|В учреждении, рассчитанном на {n} человек, в день посещения содержалось "
    "более чем вдвое больше.|Заключённые спят на полу по очереди; вентиляция плохая, в нескольких камерах "
    "нет естественного освещения.|Кормят один раз в день, остальное должны приносить родственники.|В "
    "медпункте не было врача, а основные лекарства закончились две недели назад.|Подследственные содержатся "
    "вместе с осуждёнными, несовершеннолетние не отделены от взрослых.#custody|В отделе полиции в районе "
    "{place} группа провела конфиденциальные беседы с задержанными вне поля зрения и слышимости охраны.|"
    "Несколько задержанных заявили, что с момента ареста не видели адвоката, некоторые — более {n} дней.|"
    "Двое мужчин утверждают, что во время допроса их избивали дубинками; видимые следы соответствуют их "
    "рассказам.|Журналы учёта задержанных велись неполно: не указаны время задержания и время перевода.|"
    "Начальник отдела отверг обвинения, но согласился допускать адвокатов без предварительного разрешения.|"
    "Задержанная женщина сообщила, что её семье угрожали, если она не подпишет показания, которые она не "
    "могла прочитать.#trial|Группа наблюдала за судебными заседаниями в районе {place} по делам, связанным с "
    "прошлогодними протестами.|Заседание вновь отложено из-за неявки свидетелей обвинения; всего дело "
    "откладывалось уже {n} раз.|Защита жаловалась, что получила материалы дела только утром в день "
    "заседания.|Родственников обвиняемых не пустили в зал суда, а журналистов попросили выйти.|Судья "
    "освободил двоих обвиняемых под залог; остальные остаются под стражей до суда.|Обвиняемые заявили суду, "
    "что их признания были получены под давлением.#protest|Группа вела мониторинг демонстрации в районе "
    "{place}, организованной профсоюзами учителей из-за невыплаты зарплат.|Полиция применила слезоточивый "
    "газ и водомёты, чтобы разогнать около {n} протестующих, которые, по всем свидетельствам, вели себя "
    "мирно.|Свидетели рассказали, что люди в штатском задерживали участников, когда те расходились; не менее "
    "двенадцати человек увезли в неизвестном направлении.|Журналисты, освещавшие акцию, сообщили, что у них "
    "изъяли телефоны и удалили видеозаписи.|Сотрудники больницы подтвердили, что нескольким людям оказали "
    "помощь при ранениях резиновыми пулями.|Власти заявили, что акция не была согласована, однако "
    "организаторы это оспаривают.#idp|Группа посетила место размещения внутренне перемещённых лиц в районе "
    "{place}, где сейчас живут около {n} семей.|Подвоз воды сократился вдвое с момента прошлого посещения; "
    "люди часами стоят в очереди к единственной работающей скважине.|Одной уборной пользуются более "
    "пятидесяти человек; зарегистрированы случаи острой водянистой диареи.|Женщины рассказали, что, собирая "
    "хворост за пределами лагеря, они подвергаются нападениям и домогательствам.|Многие семьи при бегстве "
    "потеряли удостоверения личности и не могут зарегистрировать детей, родившихся в лагере.|Старосты лагеря "
    "попросили о встрече с местными властями по поводу планов переноса лагеря.#closing|По завершении "
    "посещения группа сообщила властям свои предварительные выводы.|Повторное посещение запланировано в "
    "течение трёх месяцев.|Выводы будут доведены до сведения профильного министерства на следующей "
    "встрече.#title|Посещение СИЗО, {place}|Посещение изолятора временного содержания, {place}|Мониторинг "
    "судебного процесса, {place}|Мониторинг демонстрации, {place}|Посещение места размещения ВПЛ, "
    "{place}#action|Поднять вопрос о переполненности с начальником учреждения и запросить список "
    "подследственных.|Направить жалобы на жестокое обращение прокурору и запросить медицинское "
    "освидетельствование.|Передать список дел сети юридической помощи для назначения адвокатов.|Запросить у "
    "командования полиции отчёт о разгоне демонстрации.|Направить письмо в водоканал о сокращении подвоза "
    "воды на площадку.#project|Расширение доступа к юридической помощи для подследственных|Поддержка "
    "национального правозащитного учреждения|Защита гражданского пространства и правозащитников|Мониторинг "
    "прав человека в местах размещения переселенцев|Выполнение рекомендаций УПО в сфере правосудия#pdesc|"
    "Проект реализуется совместно с пенитенциарной службой, адвокатурой и гражданским обществом.|Мероприятия "
    "включают обучение, мониторинговые посещения и экспертные консультации по законодательству.|"
    "Промежуточная оценка выявила задержки из-за нестабильной обстановки и текучести кадров.#training|"
    "Семинар по стандартам прав человека в местах лишения свободы|Обучение тренеров мониторингу судебных "
    "процессов|Права человека и охрана порядка во время собраний|Введение в мониторинг прав человека и "
    "подготовку отчётов|Защита внутренне перемещённых лиц#tdesc|Участники разбирали практические примеры из "
    "недавних мониторинговых посещений.|На занятиях рассматривались Правила Нельсона Манделы и Стамбульский "
    "протокол.#venue|Конференц-зал, {place}|Учебный зал суда, {place}#org|ngo:Правозащитный центр «{place}»|"
    "ngo:Общественное объединение юристов «{place}»|police:Управление внутренних дел, {place}|"
    "prosecutor:Прокуратура, {place}#position|Инспектор полиции|Сотрудник исправительного учреждения|Судья|"
    "Параюрист|Общественный лидер|Журналист#note|Предпочитает связь через юридическую клинику.|Переехал "
    "после угроз; адрес не разглашать."
)

_ZH = (
    "#detention|监察小组在未事先通知的情况下走访了{place}的看守所，获准进入监舍、厨房和医务室。|该设施设计容量"
    "为{n}人，走访当天关押人数超过设计容量的两倍。|被拘留者轮流睡在地上；通风条件差，多间监舍没有自然采光。|每"
    "天只提供一餐，其余食物需由家属送来。|医务室没有医生，基本药品两周前已经用完。|审前羁押人员与已决犯关押在"
    "一起，未成年人也未与成年人分开。#custody|在{place}的警察局，小组在看守人员视线和听力范围之外与被拘留者进"
    "行了单独访谈。|数名被拘留者表示自被捕以来从未见过律师，其中一些人已被关押超过{n}天。|两名男子称在接受讯问"
    "时遭警棍殴打；可见伤痕与其陈述相符。|羁押登记簿记录不全，未载明逮捕时间和移送时间。|负责官员否认上述指控"
    "，并同意律师无需事先批准即可会见。|一名女性被拘留者称，如果她不在一份自己无法阅读的笔录上签字，其家人将受"
    "到威胁。#trial|小组在{place}法院旁听了与去年抗议活动有关案件的庭审。|由于控方证人未出庭，庭审再次延期；该"
    "案迄今已延期{n}次。|辩护律师抱怨直到开庭当天上午才拿到案卷。|被告亲属被挡在法庭外，记者也被要求离开。|法"
    "官准许两名被告取保候审，其他被告仍处于审前羁押状态。|被告当庭表示，他们的供述是在胁迫下作出的。#protest|"
    "小组监察了{place}由教师工会因拖欠工资而组织的示威活动。|警方使用催泪瓦斯和高压水枪驱散约{n}名抗议者，而据"
    "各方描述，抗议者是和平的。|目击者称，便衣人员在人们离开现场时实施抓捕，至少十二人被带往不明地点。|报道抗"
    "议活动的记者称，他们的手机被没收，拍摄的视频被删除。|医院工作人员证实，多人因橡皮子弹造成的伤势接受了治疗"
    "。|当局称此次集会未事先报备，组织者对此表示异议。#idp|小组走访了{place}的境内流离失所者安置点，目前约有"
    "{n}户家庭居住在那里。|自上次走访以来，送水车供水量减少了一半；人们在唯一一口仍在运转的水井前排队数小时。"
    "|每个厕所由五十多人共用，已报告急性水样腹泻病例。|妇女们说，到营地外拾柴使她们面临袭击和骚扰。|许多家庭在"
    "逃离时丢失了身份证件，无法为在营地出生的孩子登记。|营地负责人要求与地方当局会面，讨论安置点搬迁计划。"
    "#closing|走访结束时，小组向当局通报了初步意见。|计划在三个月内进行后续走访。|调查结果将在下次会议上向相关"
    "部委提出。#title|走访看守所（{place}）|走访警察局羁押室（{place}）|庭审监察（{place}法院）|示威活动监察（"
    "{place}）|走访流离失所者安置点（{place}）#action|就监舍拥挤问题与监狱长交涉，并索取审前羁押人员名单。|将"
    "虐待指控移交检察官，并要求进行医学检查。|与法律援助网络共享案件清单，以便为被告指派律师。|要求警方指挥官"
    "提交关于驱散示威活动的报告。|致函供水部门，反映安置点送水量削减问题。#project|加强对审前羁押人员的法律援"
    "助|支持国家人权机构|保护公民空间和人权维护者|流离失所情境下的人权监察|落实普遍定期审议关于司法的建议"
    "#pdesc|该项目与监狱管理部门、律师协会和民间社会合作。|活动包括培训、监察走访以及就立法提供技术咨询。|中期"
    "评估发现，安全局势和人员流动导致了工作延误。#training|羁押场所人权标准研讨会|庭审监察培训师培训|人权与集"
    "会治安管理|人权监察与报告入门|境内流离失所者保护#tdesc|学员以近期监察走访中的案例进行了研讨。|课程涵盖《"
    "纳尔逊·曼德拉规则》和《伊斯坦布尔议定书》。#venue|{place}社区活动中心|{place}法院培训室#org|ngo:{place}法"
    "律援助中心|ngo:{place}妇女权益关注会|police:{place}警察总部|gov:{place}监狱管理局#position|警务督察|监狱"
    "警察|法官|法律助理|社区领袖|记者#note|希望通过法律援助诊所联系。|受到威胁后已搬迁，请勿透露地址。"
)


TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": _sections(_EN),
    "fr": _sections(_FR),
    "es": _sections(_ES),
    "ar": _sections(_AR),
    "ru": _sections(_RU),
    "zh": _sections(_ZH),
}
