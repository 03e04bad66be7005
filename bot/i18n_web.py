"""User-facing sentences of the public web pages and Atom feeds (issue 13), in English and French."""

from __future__ import annotations

WEB_MESSAGES: dict[str, dict[str, str]] = {
    "web_site_name": {
        "en": "France's Open Government action plan 2021–2023",
        "fr": "Plan d'action national pour un gouvernement ouvert 2021-2023",
    },
    "web_skip": {"en": "Skip to content", "fr": "Aller au contenu"},
    "web_nav": {"en": "Site", "fr": "Site"},
    "web_home": {"en": "All commitments", "fr": "Tous les engagements"},
    "web_switch": {"en": "Français", "fr": "English"},
    "web_switch_title": {"en": "Lire cette page en français", "fr": "Read this page in English"},
    "web_breadcrumb": {"en": "You are here", "fr": "Vous êtes ici"},
    "web_index_title": {
        "en": "France's 2021–2023 Open Government action plan",
        "fr": "Plan d'action national 2021-2023 de la France pour un gouvernement ouvert",
    },
    "web_index_intro": {
        "en": "The plan France published in December 2021 for the Open Government Partnership: {commitments} "
        "commitments and {actions} actions, each led by named institutions. The plan ran from 2021 to 2023. "
        "Each page gives what the plan says, who leads the item and the statuses recorded since, with their "
        "sources.",
        "fr": "Le plan publié par la France en décembre 2021 pour le Partenariat pour un gouvernement ouvert : "
        "{commitments} engagements et {actions} actions, chacune pilotée par des institutions nommées. Le plan "
        "couvrait 2021-2023. Chaque page donne ce que dit le plan, qui pilote l'élément et les statuts "
        "enregistrés depuis, avec leurs sources.",
    },
    "web_overall": {"en": "All {n} actions", "fr": "Les {n} actions"},
    "web_chart_alt": {
        "en": "Bar chart of the actions' statuses per commitment. {counts}",
        "fr": "Graphique en barres des statuts des actions par engagement. {counts}",
    },
    "web_chart_row": {"en": "Commitment {id}: {counts}.", "fr": "Engagement {id} : {counts}."},
    "web_topics": {"en": "About the plan", "fr": "À propos du plan"},
    "web_actions": {"en": "Its actions", "fr": "Ses actions"},
    "web_status": {"en": "Status", "fr": "Statut"},
    "web_unrated": {"en": "Not rated yet", "fr": "Pas encore évaluée"},
    "web_unrated_long": {
        "en": "No assessment of this action is recorded in our sources. That does not mean nothing was done.",
        "fr": "Aucune évaluation de cette action n'est enregistrée dans nos sources. Cela ne veut pas dire que "
        "rien n'a été fait.",
    },
    "web_current": {"en": "{label}, since {date}", "fr": "{label}, depuis le {date}"},
    "web_history": {"en": "Status history", "fr": "Historique des statuts"},
    "web_history_caption": {
        "en": "Every status recorded for this action, newest first",
        "fr": "Tous les statuts enregistrés pour cette action, du plus récent au plus ancien",
    },
    "web_col_date": {"en": "Date", "fr": "Date"},
    "web_col_change": {"en": "Change", "fr": "Changement"},
    "web_col_note": {"en": "Note", "fr": "Note"},
    "web_col_source": {"en": "Source", "fr": "Source"},
    "web_no_source": {"en": "none given", "fr": "non indiquée"},
    "web_commitment": {"en": "Part of", "fr": "Fait partie de"},
    "web_plan": {"en": "What the plan says", "fr": "Ce que dit le plan"},
    "web_plan_translated": {
        "en": "",
        "fr": "Notre traduction du texte anglais du plan.",
    },
    "web_follow": {"en": "Follow it", "fr": "Le suivre"},
    "web_follow_telegram": {
        "en": "On Telegram: open {link} and press “Follow”.",
        "fr": "Sur Telegram : ouvrez {link} puis appuyez sur « Suivre ».",
    },
    "web_follow_telegram_link": {"en": "the bot on this item", "fr": "le bot sur cet élément"},
    "web_follow_discord": {
        "en": "On Discord, in a server where the bot is: type {command}.",
        "fr": "Sur Discord, dans un serveur où se trouve le bot : tapez {command}.",
    },
    "web_follow_feed": {"en": "In a feed reader: {link}.", "fr": "Dans un lecteur de flux : {link}."},
    "web_feed_link": {"en": "the Atom feed of its status changes", "fr": "le flux Atom de ses changements de statut"},
    "web_feed_all_link": {"en": "Atom feed of every status change", "fr": "Flux Atom de tous les changements de statut"},
    "web_feed_title": {
        "en": "Status changes — France's 2021–2023 Open Government action plan",
        "fr": "Changements de statut — plan d'action 2021-2023 de la France pour un gouvernement ouvert",
    },
    "web_feed_action_title": {
        "en": "Action {id} — {title}: status changes",
        "fr": "Action {id} — {title} : changements de statut",
    },
    "web_feed_subtitle": {
        "en": "Statuses recorded for the plan's actions, newest first, with their sources.",
        "fr": "Les statuts enregistrés pour les actions du plan, du plus récent au plus ancien, avec leurs sources.",
    },
    "web_entry_title": {"en": "{id} · {title}: {new}", "fr": "{id} · {title} : {new}"},
    "web_entry_change": {
        "en": "Status: {old} → {new}, since {date}.",
        "fr": "Statut : {old} → {new}, depuis le {date}.",
    },
    "web_entry_source": {"en": "Source", "fr": "Source"},
    "web_not_found": {"en": "Page not found", "fr": "Page introuvable"},
    "web_not_found_body": {
        "en": "There is no page at this address. Every commitment, action and topic of the plan is listed on the "
        "home page.",
        "fr": "Il n'y a pas de page à cette adresse. Tous les engagements, actions et sujets du plan sont listés "
        "sur la page d'accueil.",
    },
    "web_footer": {
        "en": "An independent assistant, not a government site. Facts about the plan come from the plan's "
        "English summary (December 2021); French texts are our translations. A status is shown only when one "
        "has been recorded, with its source.",
        "fr": "Un assistant indépendant, pas un site de l'administration. Les informations sur le plan viennent "
        "du résumé anglais du plan (décembre 2021) ; les textes français sont nos traductions. Un statut n'est "
        "affiché que s'il a été enregistré, avec sa source.",
    },
}
