"""Common words of English, Russian and Kazakh that are not people's names.

A small, hand-kept list for the curators' review of name-like words (``archive.services.name_review``):
a capitalised word found here (a sentence's first word, a month, a city) is not listed for
review. It holds function words, pronouns, the words of family, home, time and place that
testimonies use most, months, weekdays, and the country's large cities. It deliberately holds
no word that is also a common given name or surname (Айгүл, Vera, Роза, Жанна): those a human
should see. Words are lower case, ё written е.
"""

from __future__ import annotations

_ENGLISH = """
a about above after again against all also am an and another any are around as at away back be
because been before behind being below between both but by can could did do does doing done down
during each either even ever every few for from further had has have having he her here hers
herself him himself his how however i if in into is it its itself just least less like many may
me might more most much must my myself near never no nor not now of off often on once one only or
other our ours ourselves out over own perhaps please same she should since so some still such
than that the their theirs them themselves then there these they this those though through to too
under until up upon us very was we were what when where whether which while who whom whose why
will with within without would yes yet you your yours yourself yourselves
two three four five six seven eight nine ten first second third last next
mother mum mom father dad parents sister brother daughter son husband wife grandmother grandma
grandfather grandpa aunt uncle family child children baby girl boy woman women man men people
person friend friends neighbour neighbor neighbours stranger teacher doctor nurse officer judge
home house flat apartment door window room kitchen bed wall floor stairs yard garden street road
city town village school university work office shop market hospital police station court prison
bus train car night day morning evening afternoon today yesterday tomorrow week month year years
time life death fear pain silence voice words hands eyes face heart body memory memories story
stories letter photo photograph picture portrait exhibition gallery room artist artwork work
testimony quilt felt textile paper ink oil canvas series untitled silent silence quiet sound
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday spring summer autumn winter
kazakhstan almaty astana nur-sultan shymkent karaganda aktobe taraz pavlodar semey oskemen
ust-kamenogorsk atyrau kostanay kyzylorda oral uralsk petropavl aktau turkistan taldykorgan
russia moscow kyrgyzstan bishkek uzbekistan tashkent europe asia soviet union
god mr mrs ms dr english russian kazakh
say says said tell told ask asked come came go went leave left see saw know knew think thought
call called take took give gave get got make made live lived write wrote remember remembered
want wanted hear heard feel felt stay stayed run ran hide hid cry cried help helped open opened
mentions mention contains describes violence abuse assault death suicide self-harm harm threat
threats beating beatings war trauma content note warning
"""

_RUSSIAN = """
а без более больше бы был была были было быть в вам вас ведь весь во вот впрочем все всегда
всего всех всю вы где да даже два для до другой его ее ей ему если есть еще ж же за зачем здесь
и из или им иногда их к каждый как какая какой когда конечно кто куда ли лучше между меня мне
много может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь
никогда ним них ничего но ну о об один он она они оно опять от перед по под после потом потому
почти при про раз разве с сам свою себе себя сейчас со совсем так такой там твой тебе тебя тем
теперь то тогда того тоже только том тот три ту тут ты у уж уже хорошо хоть чего чем через что
чтоб чтобы чуть эти этого этой этом этот эту я
один одна два две три четыре пять шесть семь восемь девять десять первый первая второй третий
мама мать папа отец родители сестра брат дочь сын муж жена бабушка дедушка тетя дядя семья
ребенок дети девочка мальчик девушка женщина женщины мужчина мужчины люди человек подруга друг
соседка сосед учительница учитель врач медсестра полицейский следователь судья
дом квартира дверь окно комната кухня кровать стена пол лестница двор сад улица дорога город
село аул деревня школа университет работа офис магазин рынок больница полиция участок суд
тюрьма автобус поезд машина ночь день утро вечер сегодня вчера завтра неделя месяц год года
лет время жизнь смерть страх боль тишина голос слова руки глаза лицо сердце тело память
воспоминания история истории письмо фото фотография снимок портрет выставка галерея зал
художница художник автор работа свидетельство одеяло войлок ткань бумага холст серия
без названия тихая тихий комната
январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь
января февраля марта апреля мая июня июля августа сентября октября ноября декабря
понедельник вторник среда четверг пятница суббота воскресенье весна лето осень зима
казахстан алматы астана шымкент караганда актобе тараз павлодар семей усть-каменогорск
атырау костанай кызылорда уральск петропавловск актау туркестан талдыкорган
россия москва киргизия кыргызстан бишкек узбекистан ташкент европа азия ссср
бог господи господь казахский русский английский
сказала сказал сказали говорит говорила говорил спросила спросил пришла пришел пришли ушла ушел
вернулась вернулся позвонила позвонил знала знал знаю помню помнила жила жил живет видела видел
хотела хотел думала думал писала написала ждала ждал плакала кричала молчала открыла открыл
закрыла закрыл ударил ударила бил била ушли стала стал было
упоминается упоминание упоминания содержит описывает насилие насилия побои угрозы смерть
самоповреждение суицид война травма предупреждение
"""

_KAZAKH = """
мен сен ол біз сіз олар сендер өзім өзі өз және мен бен пен да де та те бұл сол осы ана мына
не кім қашан қайда неге қалай қандай қанша бар жоқ емес еді екен болды болып болса бол үшін
туралы бірақ енді әлі тағы бәрі барлық бір екі үш төрт бес алты жеті сегіз тоғыз он әр сондай
осындай мұнда онда сонда кейін дейін соң бері дейін ғана тек әрине иә жоқ ия сияқты деп деді
ана әке апа әпке аға іні қарындас сіңлі әже ата ата-ана бала балалар қыз ұл күйеу әйел ер адам
адамдар дос құрбы көрші мұғалім дәрігер полицей тергеуші судья
үй пәтер есік терезе бөлме ас үй төсек қабырға аула бақ көше жол қала ауыл мектеп университет
жұмыс кеңсе дүкен базар аурухана полиция сот түрме автобус пойыз көлік түн күн таң кеш
бүгін кеше ертең апта ай жыл уақыт өмір өлім қорқыныш ауырсыну тыныштық тыныш дауыс сөз
сөздер қол көз бет жүрек дене есте естелік естелік тарих хат сурет фото портрет көрме галерея
зал суретші автор жұмыс куәлік көрпе киіз мата қағаз кенеп серия атаусыз
қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан
дүйсенбі сейсенбі сәрсенбі бейсенбі жұма сенбі жексенбі көктем жаз күз қыс
қазақстан алматы астана шымкент қарағанды ақтөбе тараз павлодар семей өскемен атырау
қостанай қызылорда орал петропавл ақтау түркістан талдықорған
ресей мәскеу қырғызстан бішкек өзбекстан ташкент еуропа азия кеңес одағы
құдай қазақ орыс ағылшын қазақша орысша
деді дейді айтты айтады сұрады келді келеді кетті барды барады көрді көреді білді білемін
есімде тұрды тұрады жүрді жазды күтті жылады айқайлады үндемеді ашты жапты ұрды соқты
қайтты қоңырау шалды
зорлық зомбылық зорлық-зомбылық туралы айтылады қамтиды сипаттайды өлім қауіп соғыс жарақат
ескерту
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": _words(_ENGLISH),
    "ru": _words(_RUSSIAN),
    "kk": _words(_KAZAKH),
}
#: Every list at once: a capitalised English word in a Russian text is still a common word.
ALL_COMMON_WORDS = frozenset().union(*COMMON_WORDS.values())


# Endings stripped to find the common word an inflected form comes from (Алматыға, марте).
_ENDINGS = sorted(
    {
        *"ның нің дың дің тың тің ға ге қа ке на не ны ні ды ді ты ті да де та те нда нде дан ден "
        "тан тен нан нен мен бен пен ша ше дағы дегі тағы тегі лар лер дар дер тар тер сы сі ы і"
        .split(),
        *"а я у ю е и ы ой ей ом ем ым им ах ях ам ям ами ями ов ев ую ая ого его ому ему".split(),
        *"'s ’s s".split(),
    },
    key=len,
    reverse=True,
)


def is_common(word: str) -> bool:
    """Whether ``word`` (any case, ё or е) is a common word of English, Russian or Kazakh, or
    one with an ending of those languages after it (Алматыға, апасы, марте)."""
    lower = word.casefold().replace("ё", "е")
    if lower in ALL_COMMON_WORDS:
        return True
    return any(
        lower.endswith(ending) and lower[: -len(ending)] in ALL_COMMON_WORDS
        for ending in _ENDINGS
        if len(lower) - len(ending) >= 3
    )
