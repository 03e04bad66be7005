"""Text normalisation shared by the matcher: accents, elisions, tokens, English and French stems.

Also what a question's wording says beyond its topic words: informal and SMS spellings ("koi", "pr", "qqch"),
money amounts kept apart from counts ("€6m" is not "6"), the clauses that only greet or introduce the asker,
and signs that a question is about something the plan cannot answer (another country, a personal procedure,
who holds an office today, prices, weather, sport, sanctions).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_EN = snowballstemmer.stemmer("english")
_FR = snowballstemmer.stemmer("french")

_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’`´]", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset(
    """
    a about above after again against all almost also am an and any anybody anyone anything anyway are
    aren around as at away be became because been before being below between both but by can cannot cant
    could couldn did didn do does doesn doing don done down during each either else ever every few for
    from further get gets getting go goes going gone got had hadn has hasn have haven having he her here
    hers herself him himself his how however i if in into is isn it its itself just ll me might mine
    more most much must my myself neither no nor not now of off often on once one only or other others
    otherwise our ours ourselves out over own per please quite rather re really s same shall she should
    shouldn since so some somebody someone something sometimes somewhere soon still such t than that the
    their theirs them themselves then there these they thing things this those though through thus till
    to too toward towards under unless until up upon us ve very via was wasn we were weren what whatever
    when whenever where wherever whether which while who whoever whole whom whose why will with within
    without won would wouldn yes yet you your yours yourself hi hello hey thanks thank ok okay dear
    quick quickly curious wondering wonder wanted want wants like know knew tell told show give find let
    lets need needs mean means say says said see look looking heard hear think thought guess maybe
    perhaps probably actually anyhow btw pls plz whats hows im ive id youre dont doesnt isnt arent wont
    didnt au aux avec ce ces cet cette ceux celle celles celui ci dans de des du elle elles en est et
    etre eux il ils je la le les leur leurs lui ma mais meme mes moi mon ne nos notre nous ou par pas
    pour qu que qui quoi quel quelle quels quelles sa se ses son sur ta te tes toi ton tu un une vos
    votre vous y ont sont suis es sera seront serait fait faire font fais comment pourquoi quand combien
    ceci cela ca avoir ai avez avons etait etaient peut peux pouvez pourrait veux voudrais voulais
    aimerais souhaite savoir sais dire dis plus tres bien aussi donc alors ici chez entre vers sans sous
    deja encore toujours jamais rien tout tous toute toutes chaque autre autres quelque quelques lorsque
    puis car si oui non bonjour salut merci coucou svp stp bonsoir dites existe existe-t-il va vais vont
    allez voila voici vraiment juste contre selon depuis pendant avant apres durant parmi malgre envers
    afin lors aupres among besides beyond despite except including inside onto outside unlike versus
    trouver trouve veut veulent voudrait voudraient pourra pourront pourrai pourrais pourraient pouvoir vouloir
    autrement check sert fonctionne faut fallait faudrait soit soient dedans maintenant
    """.split()
)


# Words that carry little meaning in a question about the plan: they may still help rank, but a question is
# not "explained" by them (see Matcher coverage).
CHATTER = frozenset(
    """
    charge responsible responsibility lead leads leading led run runs running manage manages managing
    pilote pilotes pilotage porte porteur gere responsable responsables chargé charge aides aider govt gov
    gouv yrs year years ans annee annees
    plan plans france french country make making made doing done way ways new many much help question
    questions ask asking learn latest news current currently update updates does actually really exactly
    about regarding concerning related planned planning measure measures action actions initiative
    initiatives government gouvernement etat francais francaise mesure mesures nouveau nouvelle
    nouvelles actuellement concernant sujet propos prevu prevue prevus prevues prevoit prevoient prevoir projet beaucoup aide aider
    morning evening afternoon night everyone folks guys cheers thx ty journee soiree madame monsieur
    truc trucs machin chose choses stuff entendu parler heard vu seen anything anybody someone quelqu
    exactly exactement precisely precisement basically anyone anywhere anymore quelqu quelquun quelqu un
    promise promises promised promising promet promettent promis promise promesse promesses commit commits
    cover covers covering covered couvre couvrent idea ideas idee idees general generale big grand grande
    explain explains explained expliquer explique expliquez explication aura auront aurai sais savez su
    near nearby pres proche proches close vs versus overall whole goal goals enjeu enjeux
    talk talks talking parle parlent parler mention mentions mentioned mentionne last dernier derniere
    journalist journaliste reporter writer blog blogger article piece student etudiant etudiante
    """.split()
)

# The plan's own subject: every item is France's (a name such as "France Services" is still found whole).
SUBJECT = frozenset("france french francais francaise francaises".split())

# Words about the asker's own life: they count for the question only when the plan explains them.
PERSONAL = frozenset(
    """
    brother sister mother father mum mom dad parents grandmother grandfather grandma grandpa wife husband
    friend friends neighbour neighbor son daughter frere soeur mere pere maman papa grand mari femme ami
    amie amis voisin voisine fils fille worried scared afraid peur inquiet inquiete lost perdu perdue
    confused confusing struggle struggles struggling galere
    """.split()
)

# Informal and SMS spellings -> the words they stand for (applied to questions only).
INFORMAL = {
    "koi": "quoi", "kwa": "quoi", "qoi": "quoi", "pr": "pour", "pk": "pourquoi", "pq": "pourquoi",
    "pkoi": "pourquoi", "pourkoi": "pourquoi", "qd": "quand", "kan": "quand", "qqch": "quelque chose",
    "qqc": "quelque chose", "qqn": "quelqu un", "bcp": "beaucoup", "bcq": "beaucoup", "jai": "j ai",
    "jsuis": "je suis", "chui": "je suis", "jsui": "je suis", "jpeux": "je peux", "jveux": "je veux",
    "jcomprends": "je comprends", "jdonne": "je donne", "jsais": "je sais", "cb": "combien", "cmb": "combien",
    "cmt": "comment", "cmnt": "comment", "tt": "tout", "tte": "toute", "ts": "tous", "ds": "dans",
    "dc": "donc", "svp": "s il vous plait", "stp": "s il te plait", "auj": "aujourd hui", "mm": "meme",
    "slt": "salut", "bjr": "bonjour", "bsr": "bonsoir", "mrc": "merci", "pb": "probleme", "pcq": "parce que",
    "psk": "parce que", "ya": "il y a", "yen": "il y en", "sa": "ca", "ke": "que", "ki": "qui",
    "wat": "what", "wats": "what is", "whats": "what is", "wot": "what", "r": "are", "u": "you",
    "ur": "your", "abt": "about", "ppl": "people", "w": "with", "tbh": "", "idk": "", "pls": "please",
    "plz": "please", "thx": "thanks", "ty": "thank you", "govt": "government",
    "kel": "quel", "kelle": "quelle", "kels": "quels", "kelles": "quelles", "kand": "quand", "koment": "comment",
    "komment": "comment", "tjs": "toujours", "tjrs": "toujours", "mtn": "maintenant", "mnt": "maintenant",
    "qlq": "quelques", "qq": "quelques", "ptet": "peut etre", "ptetre": "peut etre", "jsp": "je sais pas",
    "vrmt": "vraiment", "ske": "ce que", "keske": "qu est ce que", "kesk": "qu est ce que", "dmd": "demande",
    "cuz": "because", "coz": "because", "thru": "through", "govmt": "government", "gvt": "government",
    # more SMS French: verbs, pronouns and clipped words of everyday writing
    "px": "peux", "pe": "peut", "pt": "peut", "pvx": "peux", "pourai": "pourrai", "jpe": "je peux", "tpx": "tu peux",
    "g": "j ai", "ct": "c etait", "ns": "nous", "jcrois": "je crois", "jpense": "je pense",
    "chai": "je sais", "chais": "je sais", "expliker": "expliquer", "explike": "explique",
    "kom": "comme", "koa": "quoi", "kwoi": "quoi", "dsl": "desole", "tkt": "", "mdr": "", "lol": "", "ptdr": "",
    "stv": "si tu veux", "infos": "informations", "info": "information", "algo": "algorithme",
    "algos": "algorithmes", "admin": "administration", "admins": "administrations", "educ": "education",
    "bdd": "base de donnees", "asso": "association", "assos": "associations",
    "appli": "application", "applis": "applications", "ado": "adolescent", "ados": "adolescents",
    "kil": "qu il", "kils": "qu ils", "kon": "qu on", "ecolo": "ecologique", "ecolos": "ecologiques",
    "gouvt": "gouvernement", "gvmt": "gouvernement", "cgu": "conditions generales d utilisation",
    # clipped words and everyday slang for plain words ("pdt" for pendant, "bosser" for travailler)
    "pdt": "pendant", "qqun": "quelqu un", "rdv": "rendez vous", "labo": "laboratoire",
    "labos": "laboratoires", "stat": "statistique", "stats": "statistiques", "bosser": "travailler",
    "bosse": "travaille", "bossent": "travaillent", "bossez": "travaillez", "boulot": "travail",
}
# Clipped names of the state's institutions, read as two words ("educ nat", "educ. nat.").
INFORMAL_PAIRS = {("education", "nat"): ["education", "nationale"], ("fonction", "pub"): ["fonction", "publique"],
                  ("secu", "sociale"): ["securite", "sociale"],
                  # "quelque part" / "qq part": somewhere, not a part of anything
                  ("quelque", "part"): ["somewhere"], ("quelques", "part"): ["somewhere"]}
_LOST_ELISION = frozenset("d l qu".split())
_OWNER = frozenset("mon ton son notre votre leur le du au".split())
_BEFORE_WORD = frozenset("quoi ou qui pour quand en un une le la possible vrai comment combien".split())

# Number words as digits, so "six commitments" and "6 commitments" are one phrase ("one"/"un" stay words).
NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "deux": "2", "trois": "3", "quatre": "4",
    "cinq": "5", "sept": "7", "huit": "8", "dix": "10", "onze": "11", "douze": "12", "vingt": "20",
}
_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}(?!\d))")
_SCALE = r"(?:m|k|bn|millions?|milliards?|billions?)"
_MONEY_BEFORE = re.compile(r"[€$£]\s*(\d+)(?:[.,]\d+)?(?:\s*" + _SCALE + r"\b)?")
_MONEY_AFTER = re.compile(
    r"\b(\d+)(?:[.,]\d+)?\s*(?:" + _SCALE + r"\s*)?(?:[€$£]|(?:d\s+|of\s+)?(?:euros?|dollars?)\b)"
)


def fold(text: str) -> str:
    """Lowercase, strip accents, turn elisions (l', d', qu') into spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _ELISION.sub(" ", text)


def _numbers(folded: str) -> str:
    """'100,000' -> '100000'; money amounts become one token ('€6m', '6 M€', '6 millions d'euros' -> 'eur6')."""
    folded = _THOUSANDS.sub("", folded)
    folded = _MONEY_BEFORE.sub(lambda m: f" eur{m.group(1)} ", folded)
    return _MONEY_AFTER.sub(lambda m: f" eur{m.group(1)} ", folded)


def tokens(text: str) -> list[str]:
    """Folded word tokens, stopwords kept (phrases need them); number words as digits, money as 'eurN'."""
    return [NUMBER_WORDS.get(t, t) for t in _TOKEN.findall(_numbers(fold(text)))]


def key(text: str) -> str:
    """A name as the matcher compares it: its tokens run together ('G_NIUS' -> 'gnius', 'six X' -> '6x')."""
    return "".join(tokens(text))


def informal(words: list[str]) -> list[str]:
    """SMS and chat spellings replaced by the words they stand for ('c koi' -> 'c est quoi', 'pr' -> 'pour')."""
    out: list[str] = []
    for i, word in enumerate(words):
        if word == "c" and i + 1 < len(words) and (words[i + 1] in _BEFORE_WORD or words[i + 1] in INFORMAL):
            out += ["c", "est"]
        elif word in _LOST_ELISION and i + 1 < len(words):
            continue  # "d engagement", "l acces": an apostrophe left out, as fold() drops "d'" and "l'"
        elif out and (out[-1], word) in INFORMAL_PAIRS:
            out[-1:] = INFORMAL_PAIRS[(out[-1], word)]
        elif word in INFORMAL:
            out += INFORMAL[word].split()
        elif word == "tel" and out and out[-1] in _OWNER:
            out.append("telephone")  # "mon tel": a phone, not "tel" (such)
        elif len(word) >= 6 and word.endswith("ik"):
            out.append(word[:-2] + "ique")  # "numerik", "informatik", "publik": SMS French for -ique
        else:
            out.append(word)
    return out


def compact(text: str) -> str:
    """Letters and digits only: 'G_NIUS', 'g-nius' and 'GNIUS' all become 'gnius'."""
    return "".join(_TOKEN.findall(fold(text)))


@lru_cache(maxsize=65536)
def stems(token: str) -> tuple[str, ...]:
    """The English and French stems of a folded token (one or two distinct values)."""
    en = _EN.stemWord(token)
    fr = _FR.stemWord(token)
    return (en,) if en == fr else (en, fr)


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


# -- what a question says besides its topic -----------------------------------------------------------------
_SENTENCE = re.compile(r"[.!?…]+(?=\s|$)|\n+")
_CLAUSE = re.compile(r"[,;:—–()]|\s-\s")
_GREETING = frozenset(
    "hi hello hey dear good morning evening afternoon there all everyone thanks thank you merci beaucoup ok okay"
    " so well bonjour salut coucou bonsoir bjr slt yo cheers alors bon oui yes and et".split()
)
# A clause that opens with these words introduces the asker ("I'm a nurse in Lille", "je suis infirmière").
_INTRODUCTIONS = [tuple(p.split()) for p in (
    "i m", "im", "i am", "i ve been", "i have been", "i work", "i live", "i volunteer", "i teach", "i run",
    "i took part", "i was", "i come from", "my name", "we are", "we re", "we keep", "we ve", "i keep",
    "je suis", "nous sommes", "je travaille", "je vis", "habite", "j habite", "je appelle", "je fais",
    "on est", "on parle", "ai participe", "je viens", "moi je",
)]


# A message made only of these (with stopwords) thanks or says goodbye: "Merci pour tout, bonne soirée !"
_COURTESY = _GREETING | frozenset(
    "bonne bon soiree journee nuit week end weekend fin bye goodbye revoir bientot ciao tchao much lot everything"
    " super top cool parfait perfect awesome have nice great day night later help aide infos information informations answers answer reponse reponses".split()
)


def courtesy_only(words: list[str]) -> bool:
    """Only thanks, greetings or goodbyes: nothing is asked, so nothing in the plan answers it."""
    return bool(words) and all(w in _COURTESY or w in STOPWORDS for w in words) and bool(set(words) - STOPWORDS)


@dataclass(frozen=True)
class Query:
    """A question ready for the matcher: its words, which of them are only context, and off-topic signs."""

    words: list[str]
    soft: frozenset[int]  # positions of words in greetings, introductions and context sentences
    off_topic: tuple[str, ...]


def _is_introduction(words: list[str]) -> bool:
    start = 0
    while start < len(words) and words[start] in _GREETING:
        start += 1
    rest = tuple(words[start:])
    return any(rest[: len(p)] == p for p in _INTRODUCTIONS)


def analyse(question: str, limit: int = 200) -> Query:
    """Split a message into words; mark the ones that are not the question itself, and off-topic signs.

    In a message of several sentences, the question is the last one asked (ending with '?'), else the last;
    the other sentences are context. Within it, a clause that only greets or introduces the asker is context.
    """
    sentences = [s for s in _SENTENCE.split(question) if _TOKEN.search(fold(s))]
    asked = max((i for i, s in enumerate(sentences) if "?" in question.split(s, 1)[1][:3]), default=len(sentences) - 1)
    words: list[str] = []
    soft: set[int] = set()
    for i, sentence in enumerate(sentences):
        for clause in _CLAUSE.split(sentence):
            clause_words = informal(tokens(clause))
            context = i != asked or _is_introduction(clause_words) or all(w in _GREETING for w in clause_words)
            if context:
                soft.update(range(len(words), len(words) + len(clause_words)))
            soft.update(len(words) + j for j, w in enumerate(clause_words) if w in PERSONAL)
            words += clause_words
    if soft and len(soft) == len(words):  # nothing but context: then it is the question after all
        soft = set()
    return Query(words[:limit], frozenset(i for i in soft if i < limit), off_topic_signs(question, words))


# Signs that a question is about something the plan cannot answer, whatever plan words it also uses.
_COUNTRIES = frozenset("""
    germany german germans allemagne allemand allemande allemands italy italian italie italien italienne spain
    spanish espagne espagnol espagnole uk britain british england royaume britannique angleterre anglais usa
    america american americans amerique americain americaine americains canada canadian canadien canadienne
    quebec belgium belgian belgique belge switzerland swiss suisse netherlands dutch hollande neerlandais
    portugal portuguese portugais poland polish pologne polonais ireland irish irlande sweden swedish suede
    norway norvege denmark danemark finland finlande estonia estonie ukraine russia russian russie russe
    china chinese chine chinois japan japanese japon japonais india indian inde brazil bresil mexico mexique
    australia australie korea coree morocco maroc algeria algerie egypt egypte turkey turquie greece grece
    austria autriche argentina argentine chile chili colombia colombie nigeria kenya israel iran asia asie
    washington london londres berlin rome madrid brussels bruxelles ottawa
""".split())
_BODIES = [tuple(p.split()) for p in """
    onu|united nations|nations unies|oms|world health organization|world bank|banque mondiale|imf|fmi|nato|otan
    |european parliament|parlement europeen|european commission|commission europeenne|congress|congres|senate
    |senat|senator|senators|senateur|senateurs|unesco|oecd|ocde|unicef|g7|g20
""".replace("\n", " ").split("|")]
# The EU's own register or directives (the plan's lobbying register is France's, the HATVP's)
_EU = r"(?:eu|ue|european union|union europeenne|european|europeen|europeenne|brussels|bruxelles)"
_EU_INSTRUMENT = re.compile(
    r"\b" + _EU + r"(?: \w+){0,4} (?:register|registre|registry|directive|directives)\b"
    r"|\b(?:register|registre|registry|directive|directives)(?: \w+){0,4} (?:of the |de la |de |des |du )?" + _EU + r"\b"
    # the EU's own laws ("the EU Digital Services Act", "le reglement europeen sur l IA")
    r"|\b" + _EU + r"(?: \w+){0,4} (?:act|acts|regulation|regulations|law|laws)\b"
    r"|\b(?:reglement|reglements|loi|lois|law|laws|act|regulation)(?: \w+){0,2} " + _EU + r"\b"
    # the same laws by their names or acronyms alone, which the plan never uses ("the DSA", "le DMA")
    r"|\b(?:dsa|dma|digital services act|digital markets act|ai act|data act|data governance act)\b"
)
_OFFICES = frozenset("""
    minister ministre president presidente prime premier chair chairs chairman chairwoman head heads preside
    presides dirige directeur directrice director mayor maire secretary secretaire boss patron leader
""".split())
_NOW = frozenset("now today currently current nowadays presently actuel actuelle actuellement aujourd moment".split())
_PROCEDURES = [tuple(p.split()) for p in """
    password|mot de passe|passport|passeport|carte identite|identity card|id card|driving licence|driving license
    |driver license|permis de conduire|carte grise|tax return|tax account|income tax|my taxes|impots|impot
    |declaration de revenus|electoral roll|listes electorales|liste electorale|my account|mon compte|my address
    |mon adresse|france travail|pole emploi|caf|ameli|franceconnect|france connect|my pension|ma retraite
    |carte vitale|sign up|log in|login|se connecter|me connecter|unemployment benefits|allocations|rsa|visa|titre de sejour
""".replace("\n", " ").split("|")]
_PERSONAL_VERB = re.compile(
    r"\b(?:how|where) (?:do|can|could|should|would) i (?:register|apply|renew|reset|create|update|pay|enrol"
    r"|enroll|subscribe|file|declare|book)\b|\b(?:comment|ou) (?:je |on )?(?:inscrire|renouveler|declarer"
    r"|payer|connecter|reinitialiser)\b"
    # a lost or forgotten personal item, a job or place applied for: the asker's own case, not the plan's
    r"|\b(?:i (?:ve |have )?lost|lost my|forgot my|ai perdu|perdu (?:mon|ma|mes)|oublie (?:mon|ma|mes))\b"
    r"|\b(?:recuperer|recupere|recup)\b.*\b(?:mon|ma|mes|un|une)\b|\b(?:mon|ma|mes|j en)\b.*\b(?:recuperer|recupere)\b"
    r"|\b(?:postuler|postule|candidater)\b|\bapply (?:for|to become|to be|to join)\b|\bactivation code\b"
    r"|\bcode (?:d )?activation\b"
)
_PRICE = frozenset("price prices priced cost costs costing cout couts coute coutent tarif tarifs fee fees"
                   " salary salaries wage wages salaire salaires".split())
_PRICE_PHRASE = re.compile(r"(?:^|\b(?:le|du|au|quel est le) )prix (?:du|de|des|d)\b")
_WEATHER = frozenset("""
    weather forecast rain raining rainy snow snowing sunny meteo pluie pleuvoir pleut neige neiger neigera
    temperature temperatures canicule orage
""".split())
_WEATHER_PHRASE = re.compile(r"\bquel temps\b|\btemps fera\b")
_SPORT = frozenset("""
    football soccer rugby tennis basketball handball olympics olympic olympiques psg match matches scored
    championship championnat ligue league
""".split())
_SPORT_PHRASE = re.compile(r"\bwho won\b|\bqui a gagne\b|\btour de france\b|\bworld cup\b|\bcoupe du monde\b")
_SANCTIONS = frozenset("fines fined amende amendes sanction sanctions sanctionne sanctionnes penalty penalties".split())
_SANCTION_PHRASE = re.compile(
    r"\b(?:a|the|what|which|any) fine\b|\b(?:did|does|do|will|has|have|can) (?:the )?\w+ fine\b|\binflige\w*\b"
)
_US = re.compile(r"\bU\.?S\.?A?\b")


PhraseIndex = dict[str, list[tuple[str, ...]]]


def _index(phrases: list[tuple[str, ...]]) -> PhraseIndex:
    """Word phrases by their first word, so a lookup compares only the positions where a phrase can start."""
    index: PhraseIndex = {}
    for phrase in phrases:
        if phrase:
            index.setdefault(phrase[0], []).append(phrase)
    return index


def _has(words: list[str], index: PhraseIndex) -> bool:
    return any(tuple(words[i : i + len(p)]) == p for i, word in enumerate(words) for p in index.get(word, ()))


_BODIES_INDEX, _PROCEDURES_INDEX = _index(_BODIES), _index(_PROCEDURES)


def off_topic_signs(question: str, words: list[str]) -> tuple[str, ...]:
    """Kinds of off-plan subject found: other country or body, personal procedure, office holder now, price..."""
    text = " ".join(words)
    bag = set(words)
    signs = []
    if bag & _COUNTRIES or _US.search(question):
        signs.append("elsewhere")
    if _has(words, _BODIES_INDEX) or _EU_INSTRUMENT.search(text):
        signs.append("other_body")
    if _has(words, _PROCEDURES_INDEX) or _PERSONAL_VERB.search(text):
        signs.append("procedure")
    if bag & _OFFICES and bag & _NOW:
        signs.append("office_holder")
    if bag & _PRICE or _PRICE_PHRASE.search(text):
        signs.append("price")
    if bag & _WEATHER or _WEATHER_PHRASE.search(text):
        signs.append("weather")
    if bag & _SPORT or _SPORT_PHRASE.search(text):
        signs.append("sport")
    if bag & _SANCTIONS or _SANCTION_PHRASE.search(text):
        signs.append("sanctions")
    return tuple(signs)


# "overall", "in short", "en gros", "le volet X", "summary of the X part": the commitment, not one of its actions.
# (number words as tokens() writes them: "en deux mots" is compared as "en 2 mots")
_OVERVIEW = [tuple(NUMBER_WORDS.get(w, w) for w in p.split()) for p in """
    overall|in short|in brief|big picture|overview|summary|summarise|summarize|broadly|in general|generally
    |as a whole|en gros|en bref|en resume|resume|resumer|grandes lignes|dans ensemble|globalement|en general
    |synthese|volet|en somme|main points|key points|points cles|nutshell|in a word|gist|general idea|main idea
    |big idea|big goal|main goal|overall goal|idee generale|grande idee|en un mot|enjeu global|enjeux globaux
    |objectif global|objectif general|grand objectif|vue d ensemble|ca donne quoi|ca consiste en quoi
    |chapitre|en quelques mots|en deux mots|en peu de mots|in a few words|deux mots|quelques mots
    |toutes les actions|all the actions|all actions|all of the actions
""".replace("\n", " ").split("|")]
# "why does the plan care so much about X", "pourquoi le plan parle autant de X": the reason for a whole theme
_WHY_THEME = re.compile(
    r"\bwhy (?:does|do|is|are) (?:the plan|france|the government|they|it) (?:\w+ ){0,2}(?:care|cares|caring|focus"
    r"|focusing|talk|talking|insist|insisting|so)\b|\bpourquoi (?:le plan|la france|l etat|le gouvernement)"
    r" (?:\w+ ){0,2}(?:parle|parlent|insiste|insistent|s interesse|interesse|mise|mettent|met|autant)\b"
)
_PART = re.compile(r"\b(?:the|this|that) (?:\w+ ){1,4}(?:part|side|strand|pillar|chapter|commitment)\b(?! to)")
# "the commitment on a more inclusive digital society", "l'engagement sur la transparence": a commitment by its theme
_COMMITMENT_ON = re.compile(r"\b(?:commitments?|engagements?) (?:on|about|regarding|for|sur|pour|en faveur|relatif|consacre)\b")
_TAKE_PART = re.compile(r"\b(?:take|took|taking|takes|taken|play|plays) part\b")


def overview_words(words: list[str]) -> set[int]:
    """Positions of the words that ask for an overview of a part of the plan (empty if none)."""
    found: set[int] = set()
    for phrase in _OVERVIEW:
        for i in range(len(words) - len(phrase) + 1):
            if tuple(words[i : i + len(phrase)]) == phrase:
                found.update(range(i, i + len(phrase)))
    text = " ".join(words)
    # "the transparency commitment", "transparency commitments": a theme word names the commitment
    for i, word in enumerate(words[1:], 1):
        before = words[i - 1]
        if word in ("commitment", "commitments") and not (before in STOPWORDS or before in CHATTER or before.isdigit()):
            found.add(i)
    for match in _WHY_THEME.finditer(text):
        start = text[: match.start()].count(" ")
        found.update(range(start, start + match.group().count(" ") + 1))
    for match in _COMMITMENT_ON.finditer(text):
        found.add(text[: match.start()].count(" "))
    if _PART.search(text) and not _TAKE_PART.search(text):
        found.update(i for i, w in enumerate(words) if w in {"part", "side", "strand", "pillar", "chapter", "commitment"})
    return found


_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]+\b")


def capitals(question: str) -> frozenset[str]:
    """Words written in capitals (acronyms), folded: 'PLU', 'PGO'."""
    return frozenset(fold(w) for w in _CAPITALS.findall(question))


# "When did the work on the plan start?" (see Matcher: the drafting topic)
WHEN_WORDS = frozenset(
    """when quand date dates depuis year annee what which quel quelle""".split()
)
START_WORDS = frozenset(
    """
    start started starts starting begin began begun beginning kick kicked kickoff launch launched commence
    commencee debut debute debutee demarre demarree demarrage lance lancee lancement
    """.split()
)
DRAFTING_WORDS = frozenset(
    """
    work working drafting drafted draft writing written elaboration redaction preparation prepare prepared
    co development codevelopment creation cocreation coconstruction construction consultation process
    travail travaux elabore preparer prepare civil society societe civile ete
    """.split()
)


# -- printable text (issue 9: hostile input) -------------------------------------------------------------------
# Control characters (terminal escape sequences start with ESC or CSI), zero-width and bidi-override characters.
CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
MAX_NOTE = 2000  # characters kept of a status note


def printable(text: str) -> str:
    """NFC text with every control character replaced by a space; line breaks and tabs kept."""
    return CONTROL.sub(" ", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))


def clean_note(note: str | None) -> str | None:
    """A status note fit to store and show: printable, trimmed, at most MAX_NOTE characters; None when empty."""
    if note is None:
        return None
    note = "\n".join(" ".join(line.split()) for line in printable(note[: MAX_NOTE * 2]).splitlines()).strip()
    return note[:MAX_NOTE].rstrip() or None


# "what is France doing for X?", "what does the plan say about X?", "que fait la France pour X ?": broad questions,
# answered by a commitment when X is that commitment's own theme, by an action when X is that action's subject.
_BROAD = re.compile(
    r"\bwhat (?:is|s|are) (?:france|the government|the plan|it) doing\b|\bwhat does (?:france|the plan) (?:say|do|plan)\b"
    r"|\bhow is france doing\b|\bque fait (?:la france|le gouvernement|le plan)\b"
    r"|\bque (?:prevoit|dit) (?:la france|le plan)\b|\bqu est ce que (?:la france|le plan) (?:fait|prevoit|dit)\b"
)


def broad(words: list[str]) -> bool:
    """Whether the question asks broadly what France or the plan does about something."""
    return bool(_BROAD.search(" ".join(words)))


# "commitment 6", "engagement n°2", "axe 3", "action 2.3", "mesure 5.10": the asker names an item by its number.
_REFERENCE = re.compile(
    r"\b(?:(?P<c>commitment|commitments|engagement|engagements|axe|pillar|chapter|chapitre)"
    r"|(?P<a>action|actions|mesure|mesures|measure|measures|item))(?: (?:n|no|number|numero|nr|num))? (?P<n>\d{1,2})"
    r"(?: (?P<m>\d{1,2})\b)?"
)


def references(words: list[str]) -> list[str]:
    """Item ids the question names by number: 'commitment 6' -> '6', 'action 2.3' -> '2.3' (the tokens '2', '3')."""
    found = []
    for match in _REFERENCE.finditer(" ".join(words)):
        number, sub = match.group("n"), match.group("m")
        if sub is not None:
            found.append(f"{number}.{sub}")
        elif match.group("c"):
            found.append(number)
    return found


# Years: the plan was written in 2021 for 2021-2023; a report or study of a later year is not in it.
PLAN_WRITTEN = 2021
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_REPORT_YEAR = re.compile(
    r"\b(?:report|reports|rapport|rapports|study|etude|survey|enquete|audit|audits|review|bilan)"
    r"(?: (?:of|from|in|de|du|en|published|publie))? (20\d\d)\b|\b(20\d\d) (?:report|rapport|study|survey|audit|bilan)\b"
)


def years(words: list[str]) -> list[int]:
    return [int(y) for y in _YEAR.findall(" ".join(words))]


def later_report(words: list[str]) -> bool:
    """'the 2023 report of the audit office', 'le rapport 2023': a document written after the plan."""
    return any(int(a or b) > PLAN_WRITTEN for a, b in _REPORT_YEAR.findall(" ".join(words)))
