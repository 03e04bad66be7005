"""The matcher: bilingual, accent- and typo-tolerant, aware of names and acronyms, honest when off the plan."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.plan.matcher import Document, Matcher
from bot.plan.search import build_matcher
from bot.plan.text import STOPWORDS, informal, tokens
from knowledge.loader import default_knowledge

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return build_matcher(default_knowledge())


def hit(got: str, expected: list[str]) -> bool:
    return any(got == e or (e.isdigit() and got.startswith(e + ".")) for e in expected)


@pytest.mark.parametrize(
    ("questions", "floor"),
    [
        # written from the plan alone by someone who never saw the knowledge base: measured 0.92 / 0.90 / 0.97
        ("heldout-questions.tsv", {"top1": 0.94, "fr_top1": 0.94, "declined": 0.95}),  # 0.97 / 0.97 / 0.97 (match2)
        # a second such set, short phone-style queries, written later and used for tuning only once:
        # measured 0.91 / 0.92 / 0.93
        ("questions-b.tsv", {"top1": 0.92, "fr_top1": 0.94, "declined": 0.95}),  # 0.94 / 0.97 / 0.97 (match2)
        # an independent writer who never saw the code or knowledge base (issue 8, third round): measured
        # 0.83 / 0.85 / 0.85 on 3163b59, then tuned on (match3)
        ("unseen-c.tsv", {"top1": 0.93, "fr_top1": 0.96, "declined": 0.97}),  # 0.94 / 0.98 / 1.00 (match3)
        # the fourth such set (issue 8, fourth round): measured 0.85 / 0.85 / 0.81 on c23c047, then tuned on (match4)
        ("unseen-d.tsv", {"top1": 0.88, "fr_top1": 0.89, "declined": 0.90}),  # 0.88 / 0.89 / 0.91 (match4)
        # the fifth (everyday words): measured 0.70 / 0.67 / 0.96 on f26a2d2, then tuned on (vocab)
        ("unseen-e.tsv", {"top1": 0.91, "fr_top1": 0.93, "declined": 0.96}),  # 0.91 / 0.93 / 0.96 (vocab)
        # the project's dev questions (copied from shared/eval): measured 0.98 / 1.00 / 1.00
        ("dev-questions.tsv", {"top1": 0.94, "fr_top1": 0.85, "declined": 0.75}),
    ],
)
def test_regression_floor_on_citizen_questions(matcher, questions, floor):
    scores = scores_on(matcher, questions)
    assert all(scores[k] >= floor[k] for k in floor), scores


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is France doing on lobbying transparency?", "2.12"),
        ("Que fait la France sur la transparence du lobbying ?", "2.12"),
        ("LOBBYING", "2.12"),
        ("lobying tranparency", "2.12"),  # typos
        ("decisions de justice en open data", "2.3"),  # no accents
        ("l'alerte FR-Alert en cas de crise", "5.10"),  # elision, hyphenated name
        ("fr alert", "5.10"),
        ("G_NIUS", "5.1"),
        ("gnius", "5.1"),
        ("Géoportail de l'urbanisme", "4.6"),
        ("geoportail urbanisme", "4.6"),
        ("HATVP", "2.12"),
        ("Mon Espace Santé ambassadors", "5.3"),
    ],
)
def test_finds_the_right_action(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    "question",
    ["what's the weather like?", "tell me a joke", "quel temps fera-t-il demain ?", "recipe for pancakes",
     "who won the football match", "asdkjh qwe zzz", "", "?!?", "😀😀😀"],
)
def test_declines_off_plan_questions(matcher, question):
    assert not matcher.rank(question).answered


def test_ranked_matches_carry_scores_best_first(matcher):
    result = matcher.rank("open data on public procurement contracts")
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True) and len(result.matches) <= 5
    assert result.matches[0].kind == "action" and result.matches[0].title


def test_commitment_and_topic_questions(matcher):
    assert matcher.rank("digital inclusion").matches[0].id.split(".")[0] == "3"
    assert matcher.rank("how many countries are members of the Open Government Partnership?").matches[0].id == "about.ogp"


def test_scales_to_synthetic_documents():
    docs = [Document(f"9.{i}", "action", f"Item {i}", {"title": [f"widget{i} gadget"], "text": ["lorem ipsum"]})
            for i in range(300)]
    matcher = Matcher(docs)
    assert matcher.rank("widget123").matches[0].id == "9.123"


@pytest.mark.parametrize("questions", ["heldout-questions.tsv", "questions-b.tsv", "dev-questions.tsv"])
def test_ask_json_answers_every_line_with_plain_json(questions):
    rows = list(csv.DictReader((DATA / questions).open(encoding="utf-8"), delimiter="\t"))
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "ask", "--json", "-"],
        input="".join(r["question"] + "\n" for r in rows), capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(rows)
    for line in lines:
        payload = json.loads(line)
        assert type(payload["answered"]) is bool
        assert all(type(m["score"]) is float and m["id"] for m in payload["matches"])


def test_ask_json_reads_questions_from_stdin():
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "ask", "--json", "-"],
        input="lobbying transparency\ntell me a joke\n", capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["answered"] is True and first["matches"][0]["id"] == "2.12"
    assert set(first["matches"][0]) == {"id", "kind", "score", "title"}
    assert second["answered"] is False


# -- issue 8, items 3 and 4: answer like a person would; intents ----------------------------------------------

def scores_on(matcher: Matcher, questions: str) -> dict[str, float]:
    rows = list(csv.DictReader((DATA / questions).open(encoding="utf-8"), delimiter="\t"))
    answerable = [r for r in rows if r["expected"].casefold() != "none"]
    off_plan = [r for r in rows if r["expected"].casefold() == "none"]

    def top1(row) -> bool:
        result = matcher.rank(row["question"])
        return result.answered and hit(result.matches[0].id, row["expected"].split("|"))

    french = [r for r in answerable if r["lang"] == "fr"]
    return {
        "top1": sum(map(top1, answerable)) / len(answerable) if answerable else 1.0,
        "fr_top1": sum(map(top1, french)) / len(french) if french else 1.0,
        "declined": sum(not matcher.rank(r["question"]).answered for r in off_plan) / len(off_plan) if off_plan else 1.0,
    }


@pytest.mark.parametrize(
    ("questions", "floor"),
    [
        # tune sets written before the change (tests/data/tune-*.tsv); baseline -> measured after the change
        ("tune-chatty.tsv", {"top1": 0.83, "fr_top1": 0.80}),  # 0.73 -> 0.83, fr 0.67 -> 0.75; match2 0.87, 0.83
        ("tune-sms.tsv", {"top1": 0.90, "fr_top1": 0.93}),  # 0.68 -> 0.88, fr 0.73 -> 0.90; match2 0.94, 0.97
        ("tune-offtopic.tsv", {"declined": 0.97}),  # 0.66 -> 0.95; match2 1.00
        ("tune-otherwords.tsv", {"top1": 0.96}),  # 0.96 -> 1.00
        ("tune-intent.tsv", {"top1": 0.96, "fr_top1": 0.96}),  # 0.50 -> 0.93, fr 0.30 -> 0.80; match2 1.00, 1.00
        # the first round's holdout, tuned on since (match2): 0.89 / 0.86 / 1.00 -> 0.97 / 0.98 / 1.00
        ("holdout-answers.tsv", {"top1": 0.94, "fr_top1": 0.94, "declined": 0.97}),
    ],
)
def test_regression_floor_on_tune_sets(matcher, questions, floor):
    scores = scores_on(matcher, questions)
    assert all(scores[k] >= floor[k] for k in floor), scores


@pytest.mark.parametrize(
    ("question", "close"),
    [
        # built from plan words, but about something the plan does not say: declined
        ("What is in Germany's OGP action plan?", "any"),
        ("Quel est le plan d'action PGO de l'Espagne ?", "any"),
        ("Which US states have lobbying disclosure laws?", "any"),
        ("How do I file my tax return online?", None),
        ("Comment créer mon compte ameli ?", None),
        ("Quel temps fera-t-il à Marseille ce week-end ?", None),
        ("Who won the Six Nations rugby this year?", None),
        ("Quel est le prix du timbre ?", None),
        # a plan item is close, but the point asked is not in the plan: declined, the item offered as such
        ("How much did the HATVP fine companies in 2024?", "2.12"),
        ("How do I register on the HATVP lobbying register as a consultant?", "2.12"),
        ("Who is the current president of the Cour des comptes?", "2.11|1.5|2.14"),
        ("Qui préside la Cour des comptes aujourd'hui ?", "2.11|1.5|2.14"),
        ("Who is the current health minister?", "any"),
        # the EU's own lobbying register, not France's
        ("Is Google listed in the European Union's lobbying register?", "any"),
        ("Le registre européen des représentants d'intérêts est-il public ?", "any"),
    ],
)
def test_off_topic_near_misses_are_declined(matcher, question, close):
    result = matcher.rank(question)
    assert not result.answered, result
    assert result.off_topic, result
    if close is None:  # nothing in the plan is near: no item offered at all
        assert result.close is None and result.suggestions == (), result
    elif close != "any":
        assert result.close in close.split("|") and result.suggestions == (result.close,), result
    else:
        assert len(result.suggestions) <= 1, result


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (("Hello! I'm a nurse in Lille and we keep hearing about health data. Will the public get help to "
          "understand it?"), "5.8"),
        ("Good morning :) I'm a journalism student writing about lobbyists. Does the plan do anything about them?",
         "2.12"),
        (("Hi! I'm an architect and I always waste time finding zoning rules for building plots. Anything in "
          "the plan for that?"), "4.6"),
        ("Salut, je suis étudiant en sciences po. Qu'est-ce que le plan prévoit sur les représentants d'intérêts ?",
         "2.12"),
        ("Coucou ! Je suis développeur et ma mairie ne publie aucune donnée. Le plan fait quelque chose ?", "2.7"),
        ("c koi le truc sur les lobbys", "2.12"),
        ("jai vu un truc sur des ambassadeurs e-sante c koi", "5.3"),
        ("y a qqch pr les aveugles sur les sites de l'administration", "3.1"),
        ("ma commune peut avoir bcp d'argent pr la participation citoyenne ?", "1.8"),
        ("qd est ce que mon espace sante a ete lance", "5.5"),
        ("c koi le pgo", "about.ogp"),
        ("wat r they doing abt lobbyists", "2.12"),
        ("ou trouver le PLU de ma ville en ligne", "4.6"),
    ],
)
def test_chatty_and_sms_questions_get_the_right_item(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id in expected.split("|"), result.matches[:3]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a bare number is a count, not a money amount (1.12 has a €6m call)
        ("the 6 commitments", "about.plan"),
        ("quels sont les 6 engagements ?", "about.plan"),
        ("€6m call for expressions of interest", "1.12"),
        ("appel à projets de 6 millions d'euros", "1.12"),
        # dates of the drafting process: the drafting topic, not the plan overview
        ("when did the drafting start", "about.drafting"),
        ("when did work on the plan begin?", "about.drafting"),
        ("quand a commencé l'élaboration du plan ?", "about.drafting"),
        # overview wording: the commitment itself, not one of its actions
        ("overall, what does the transparency commitment do?", "2"),
        ("in short, what is the digital inclusion part about?", "3"),
        ("en gros, le volet transition écologique c'est quoi ?", "4"),
        ("summary of the COVID part", "5"),
        ("le volet covid du plan", "5"),
        ("summary of the Europe and international part", "6"),
        ("en résumé, l'engagement sur la participation citoyenne", "1"),
        # the commitment's own theme word, not its best action's words ("transparency" of the recovery plan)
        ("en gros, le volet transparence ?", "2"),
        # a theme word before "commitment" names the commitment; a number does not ("the 6 commitments")
        ("transparency commitment", "2"),
        ("digital inclusion commitments", "3"),
        ("the 6 commitments of the plan", "about.plan"),
    ],
)
def test_intents(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


def test_without_overview_wording_an_action_still_wins():
    matcher = build_matcher(default_knowledge())
    assert matcher.rank("lobbying transparency").matches[0].id == "2.12"
    assert matcher.rank("what does commitment mean in this plan").matches[0].id.startswith("about.")


@pytest.mark.parametrize("question", ["asdkjh qwe zzz", "tell me a joke about cats", "recette des crêpes"])
def test_nothing_near_means_no_suggestions(matcher, question):
    result = matcher.rank(question)
    assert not result.answered and result.suggestions == ()


def test_informal_words_money_and_numbers_are_normalised():
    from bot.plan.text import analyse, informal, tokens

    assert informal(tokens("c koi qqch pr qd pkoi bcp jai")) == [
        "c", "est", "quoi", "quelque", "chose", "pour", "quand", "pourquoi", "beaucoup", "j", "ai"]
    assert tokens("€6m, 6 M€ and 6 millions d'euros") == ["eur6", "eur6", "and", "eur6"]
    assert tokens("the six commitments, 4,000 advisors") == ["the", "6", "commitments", "4000", "advisors"]
    parsed = analyse("Hello! I'm a nurse in Lille. Do patients get a say on health data?")
    soft = {w for i, w in enumerate(parsed.words) if i in parsed.soft}
    assert {"nurse", "lille"} <= soft and not {"patients", "health", "data"} & soft


def test_a_shared_name_goes_to_the_item_that_defines_it():
    # two items share a name; the one whose summary opens on it defines it, the other only uses it
    def doc(id_: str, summary: str, title: str) -> Document:
        return Document(id_, "action", title, {"title": [title], "summary": [summary], "alias": ["Widget Portal"]},
                        {"alias": ["Widget Portal"]})

    user = doc("1.1", "Volunteers will train people to use the Widget Portal's online services: the Widget Portal"
                      " and others.", "Train volunteers")
    owner = doc("1.2", "The Widget Portal, opened in 2022, offers online services.", "Quality of online services")
    for docs in ([user, owner], [owner, user]):
        assert Matcher(docs).rank("widget portal c koi").matches[0].id == "1.2"
    assert Matcher([user, owner]).rank("train volunteers for the widget portal").matches[0].id == "1.1"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("mon espace santé c'est quoi exactement ?", "5.5"),
        ("what is mon espace santé", "5.5"),
        ("les ambassadeurs de mon espace santé", "5.3"),
        # when the drafting began, asked with "since when" / a date / civil society
        ("depuis quand prépare-t-on ce plan ?", "about.drafting"),
        ("à quelle date le travail sur le plan a-t-il démarré ?", "about.drafting"),
        ("since when has the plan been drafted with civil society?", "about.drafting"),
    ],
)
def test_defining_item_and_drafting_dates(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # an apostrophe left out ("d engagement") still finds the name written with one
        ("territoires d engagement c koi", "1.8"),
        ("le geoportail de l urbanisme sert a quoi", "4.6"),
        # everyday words for digital help go to the digital-literacy action, not the e-health volunteers
        ("who can help elderly people with online procedures?", "3.7"),
        ("aide aux démarches en ligne pour les personnes âgées", "3.7"),
    ],
)
def test_lost_apostrophes_and_everyday_words(matcher, question, expected):
    from bot.plan.text import analyse

    assert analyse("territoires d engagement, l acces").words == analyse("territoires d'engagement, l'accès").words
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # asked broadly: the commitment when the subject is its own theme...
        ("what is France doing about climate and nature?", "4"),
        ("que fait la France pour l'environnement ?", "4"),
        ("what is France doing on digital inclusion?", "3"),
        ("que prévoit le plan contre le covid ?", "5"),
        # ...the action when the subject is that action's
        ("what does the plan do about lobbying?", "2.12"),
        ("que fait la France pour les marchés publics ?", "2.1"),
    ],
)
def test_broad_questions_rank_the_commitment_of_their_theme(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # French question wording (pourra, veut, trouver, ça sert à quoi) does not count against the question
        ("mon grand-père n'a pas d'ordinateur, pourra-t-il faire ses démarches autrement ?", "3.2"),
        ("ma commune veut associer ses habitants, quelles aides ?", "1.8"),
        ("le géoportail ça sert à quoi ?", "4.6"),
        ("pourra-t-on trouver les décisions de justice en ligne ?", "2.3"),
        # more SMS spellings
        ("keske le pgo", "about.ogp"),
        ("kel est le role de la hatvp", "2.12"),
    ],
)
def test_french_question_wording_is_not_held_against_the_question(matcher, question, expected):
    from bot.plan.text import informal, tokens

    assert informal(tokens("keske kel tjs koment")) == ["qu", "est", "ce", "que", "quel", "toujours", "comment"]
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


def test_word_families_the_stemmer_keeps_apart(matcher):
    # "scientists" and "scientific" share their first seven letters: one family, at a lower confidence
    expanded = dict(matcher._expand("scientists"))
    assert any(stem.startswith("scientif") for stem in expanded), expanded
    assert all(confidence < 1 for stem, confidence in expanded.items() if stem.startswith("scientif"))
    assert "transpar" not in dict(matcher._expand("transport"))  # "transp..." is too short to be a family
    result = matcher.rank("do ministries use scientists when they make policy?")
    assert result.answered and result.matches[0].id == "2.10", result


# -- issue 8, third round: an independent writer's wording (tests/data/unseen-c.tsv) --------------------------

@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # an item named by its number is that item, whatever other words the question has
        ("overall, what does commitment 6 cover?", "6"),
        ("In short, what is commitment 2 about?", "2"),
        ("résume-moi l'engagement n°1", "1"),
        ("what is action 2.3 about?", "2.3"),
        ("l'action 5.10 c'est quoi ?", "5.10"),
        # overview wording beyond "overall" / "en gros": the commitment, not one of its actions
        ("In a nutshell, what's the covid part of the plan?", "5"),
        ("why does the plan care so much about the green transition?", "4"),
        ("pourquoi le plan parle autant de transparence ?", "2"),
        ("c'est quoi l'enjeu global de l'inclusion numérique ?", "3"),
        # a commitment named by its theme ("the commitment on X", "l'engagement sur X") or as a chapter (match4)
        ("What problem does the commitment on digital inclusion respond to?", "3"),
        ("Qui porte l'engagement sur l'inclusion numérique ?", "3"),
        ("Le chapitre Europe du plan, en deux mots ?", "6"),
    ],
)
def test_references_by_number_and_overview_wording(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # question words (promise, exactly, anyone, near me, il y aura quelqu'un) do not count against a question
        ("What does France promise on lobbying, exactly?", "2.12"),
        ("Will there be anyone near me to teach me how to use the internet?", "3.7"),
        ("Est-ce qu'il y aura quelqu'un près de chez moi pour m'aider avec internet ?", "3.7"),
        # SMS French and clipped words
        ("tu px m'expliker le pgo ?", "about.ogp"),
        ("les algos de l'etat ils vont etre publiés ?", "2.4"),
        ("l'educ nat elle ouvre ses donnees ?", "2.8"),
        ("ya un outil pr suivre les cgu des plateformes ?", "6.3"),
    ],
)
def test_everyday_and_sms_wording_is_answered(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    "question",
    [
        "What does the EU AI Act require from chatbots?",
        "Que dit le règlement européen sur les plateformes ?",
        "What does the DSA require from online platforms?",  # an EU law by its acronym alone (match4)
        "Le DMA s'applique à quelles plateformes ?",
        "What is in France's 2025-2027 open government action plan?",
        "What did the 2023 report of the Cour des comptes say about hospitals?",
        "Que dit le rapport 2024 de la HATVP ?",
        "I lost my Mon Espace Santé activation code, what can I do?",
        "J'ai perdu mon code d'activation, comment le récupérer ?",
        "Comment postuler pour être conseiller numérique ?",
        "How do I apply to become a digital advisor?",
    ],
)
def test_later_documents_other_laws_and_personal_cases_are_declined(matcher, question):
    result = matcher.rank(question)
    assert not result.answered, result
    assert result.off_topic, result


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a year the plan mentions, a plan figure, hiring asked about in general: still answered
        ("Will all of the audit office's work be available by 2025?", "2.11"),
        ("Combien de conseillers numériques vont être recrutés ?", "3.7"),
        ("I'm lost with health data, can someone explain it to the public?", "5.8"),
        ("bonjour je voudrais devenir ambassadeur mon espace santé, c'est possible ?", "5.3"),
    ],
)
def test_years_and_personal_words_of_the_plan_are_still_answered(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


# -- issue 8, fourth round: families of misses on an independent writer's set (tests/data/unseen-d.tsv) -------

@pytest.mark.parametrize(
    "question",
    ["Merci beaucoup, bonne journée !", "thanks for everything, have a great evening!",
     "super merci pour les infos, bonne nuit"],
)
def test_thanks_and_goodbyes_are_not_matched_to_an_item(matcher, question):
    result = matcher.rank(question)
    assert not result.answered and not result.matches, result


def test_sms_endings_and_elisions_without_apostrophe(matcher):
    # SMS French: "-ik" for "-ique", "kils" for "qu'ils"
    assert informal(tokens("kils veulent koi ds le numerik")) == ["qu", "ils", "veulent", "quoi", "dans", "le", "numerique"]
    # "lecole": an elision written without its apostrophe is the word itself, fully understood
    result = matcher.rank("les parents pourront dire ce kils veulent sur lecole ?")
    assert result.answered and result.coverage == 1.0, result
    assert result.matches[0].id == "1.11", result.matches[:3]
    assert matcher.rank("lacces aux decisions de justice ?").matches[0].id == "2.3"


def test_a_salary_is_not_in_the_plan(matcher):
    result = matcher.rank("Quel est le salaire d'un conseiller numérique ?")
    assert not result.answered, result
    assert "price" in result.off_topic, result


# -- everyday words (tests/data/unseen-e.tsv was measured, then tuned on): clipped words, function words -------

def test_clipped_words_and_french_function_words():
    assert informal(tokens("pdt les stats de mon tel")) == ["pendant", "les", "statistiques", "de", "mon", "telephone"]
    assert informal(tokens("un tel projet")) == ["un", "tel", "projet"]  # "tel" is "such" unless it is someone's
    assert informal(tokens("je peux le dire qq part")) == ["je", "peux", "le", "dire", "somewhere"]
    assert {"faut", "soient", "dedans", "maintenant"} <= STOPWORDS


def test_a_few_words_on_a_theme_ask_for_its_commitment(matcher):
    from bot.plan.text import overview_words

    assert overview_words(tokens("l'Afrique en deux mots")) and overview_words(tokens("toutes les actions pour le climat"))
    assert matcher.rank("tu peux me dire deux mots sur l'Europe ?").matches[0].id == "6"
