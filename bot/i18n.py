"""Every user-facing sentence, in English and French. `t(key, lang, **values)` picks and fills one."""

from __future__ import annotations

LANGUAGES = ("en", "fr")

MESSAGES: dict[str, dict[str, str]] = {
    # -- start, help, about ---------------------------------------------------------------------------------
    "welcome": {
        "en": "👋 Hello! I answer questions about France's 2021–2023 Open Government action plan "
        "(6 commitments, 58 actions) and I can alert you when an action's status changes.",
        "fr": "👋 Bonjour ! Je réponds à vos questions sur le plan d'action national pour un gouvernement "
        "ouvert 2021-2023 de la France (6 engagements, 58 actions) et je peux vous prévenir quand le statut "
        "d'une action change.",
    },
    "welcome_hint": {
        "en": "Ask in your own words, e.g. “what is France doing on lobbying transparency?”, or browse the plan.",
        "fr": "Posez votre question librement, par exemple « que fait la France pour la transparence du "
        "lobbying ? », ou parcourez le plan.",
    },
    "help_title": {"en": "What I can do", "fr": "Ce que je sais faire"},
    "help_body": {
        "en": "Type a question in English or French, or use a command:\n"
        "• browse — the 6 commitments and their actions\n"
        "• show ID — one item, e.g. show 2.12, show 3, show about.ogp\n"
        "• plan ID · related ID — the plan's own text on an item; items related to it\n"
        "• status — where every action stands\n"
        "• progress — a chart of the statuses\n"
        "• follow ID|institution|all — be alerted of changes, e.g. follow 2.12, follow HATVP\n"
        "• unfollow ID · stop — stop one or all follows\n"
        "• subscriptions — what you follow\n"
        "• frequency immediately|daily|weekly — when alerts arrive\n"
        "• language en|fr|auto — reply language (auto: the language of each message)\n"
        "• about · privacy · forget · help\n"
        "Right after an answer you can ask “who leads it?”, “is it finished?”, “when?” or say “follow it”.",
        "fr": "Écrivez une question en français ou en anglais, ou utilisez une commande :\n"
        "• parcourir — les 6 engagements et leurs actions\n"
        "• voir ID — un élément, par ex. voir 2.12, voir 3, voir about.ogp\n"
        "• texte ID · voiraussi ID — le texte du plan sur un élément ; les éléments en lien avec lui\n"
        "• statut — l'état d'avancement de chaque action\n"
        "• avancement — un graphique des statuts\n"
        "• suivre ID|institution|tout — être alerté des changements, par ex. suivre 2.12, suivre HATVP\n"
        "• ne plus suivre ID · arrêter — arrêter un suivi ou tous\n"
        "• abonnements — ce que vous suivez\n"
        "• fréquence immédiat|quotidien|hebdomadaire — quand les alertes arrivent\n"
        "• langue en|fr|auto — langue des réponses (auto : celle de chaque message)\n"
        "• apropos · confidentialité · oublier · aide\n"
        "Juste après une réponse, vous pouvez demander « qui s'en occupe ? », « c'est fini ? », « et c'est "
        "pour quand ? » ou dire « suivre ».",
    },
    "help_admin": {
        "en": "Admin: setstatus ID LEVEL \"note\" [source-url] · announce … · stats",
        "fr": "Administration (commandes en anglais) : setstatus ID NIVEAU \"note\" [url-source] · announce … · "
        "stats",
    },
    "about_title": {"en": "About opengov-bot", "fr": "À propos d'opengov-bot"},
    "about_body": {
        "en": "An independent assistant for France's 2021–2023 National Action Plan of the Open Government "
        "Partnership (OGP). Plan facts come from the plan's English summary (December 2021); French texts are "
        "our translations. Statuses use the OGP Independent Reporting Mechanism scale (no evidence available, "
        "not started, limited, substantial, complete) and are only shown when someone has recorded one, with "
        "its source.",
        "fr": "Un assistant indépendant consacré au plan d'action national 2021-2023 de la France pour le "
        "Partenariat pour un gouvernement ouvert (PGO/OGP). Les informations viennent du résumé anglais du plan "
        "(décembre 2021) ; les textes français sont nos traductions. Les statuts suivent l'échelle du mécanisme "
        "d'évaluation indépendant de l'OGP (aucune information, non commencée, limitée, substantielle, achevée) "
        "et ne sont affichés que lorsqu'ils ont été renseignés, avec leur source.",
    },
    # -- answers --------------------------------------------------------------------------------------------
    "not_sure": {
        "en": "I'm not sure the plan covers that. Did you mean one of these?",
        "fr": "Je ne suis pas sûr que le plan traite de cela. Vouliez-vous dire l'un de ces éléments ?",
    },
    "not_found": {
        "en": "I couldn't find anything about that in the plan.",
        "fr": "Je n'ai rien trouvé à ce sujet dans le plan.",
    },
    "browse_hint": {
        "en": "You can browse the whole plan with “browse”, or ask again in other words.",
        "fr": "Vous pouvez parcourir tout le plan avec « parcourir », ou reformuler votre question.",
    },
    "empty": {
        "en": "I didn't get a question. Type one in your own words, or “help” to see what I can do.",
        "fr": "Je n'ai pas reçu de question. Écrivez-la avec vos mots, ou « aide » pour voir ce que je sais faire.",
    },
    "too_long": {
        "en": "That message is very long; I read only its beginning.",
        "fr": "Ce message est très long ; je n'en ai lu que le début.",
    },
    "unknown_command": {
        "en": "I don't know the command “{command}”. Type “help” to see the commands.",
        "fr": "Je ne connais pas la commande « {command} ». Tapez « aide » pour voir les commandes.",
    },
    "unknown_id": {
        "en": "There is no item “{item}” in the plan. Ids look like 2 (a commitment), 2.12 (an action) or "
        "about.ogp (a topic).",
        "fr": "Il n'y a pas d'élément « {item} » dans le plan. Les identifiants ressemblent à 2 (un engagement), "
        "2.12 (une action) ou about.ogp (un thème).",
    },
    "show_usage": {
        "en": "Which item? For example: show 2.12",
        "fr": "Quel élément ? Par exemple : voir 2.12",
    },
    "browse_title": {"en": "The plan's 6 commitments", "fr": "Les 6 engagements du plan"},
    "browse_pick": {"en": "Pick a commitment to see its actions.", "fr": "Choisissez un engagement pour voir ses actions."},
    "commitment_actions": {"en": "Actions of commitment {id}", "fr": "Actions de l'engagement {id}"},
    "commitment_label": {"en": "Commitment {id}", "fr": "Engagement {id}"},
    "action_label": {"en": "Action {id}", "fr": "Action {id}"},
    "topic_label": {"en": "About the plan", "fr": "À propos du plan"},
    "lead": {"en": "Led by", "fr": "Pilotage"},
    "implemented_by": {"en": "Implemented by", "fr": "Mise en œuvre"},
    "promises": {"en": "Promised", "fr": "Engagements chiffrés"},
    "aims": {"en": "Aims", "fr": "Objectifs"},
    "status_line": {"en": "Status: {label}", "fr": "Statut : {label}"},
    "status_since": {"en": "since {date}", "fr": "depuis le {date}"},
    "status_source": {"en": "source", "fr": "source"},
    "status_counts": {"en": "Status of its {n} actions", "fr": "Statut de ses {n} actions"},
    "plan_says": {"en": "The plan says", "fr": "Extrait du plan (notre traduction de l'anglais)"},
    "citation": {"en": "Source: {document}, {section}", "fr": "Source : {document}, {section}"},
    "translation_note": {"en": "", "fr": "Traduction : {text}"},
    "btn_browse": {"en": "📚 Browse the plan", "fr": "📚 Parcourir le plan"},
    "btn_back": {"en": "⬅ Back", "fr": "⬅ Retour"},
    "btn_follow": {"en": "🔔 Follow {id}", "fr": "🔔 Suivre {id}"},
    "btn_unfollow": {"en": "🔕 Unfollow {id}", "fr": "🔕 Ne plus suivre {id}"},
    "btn_more": {"en": "📄 Details", "fr": "📄 Détails"},
    # -- a question's answer first, the rest behind buttons: plan ID, related ID (issue 8) ----------------------
    "btn_plan_text": {"en": "📜 Plan text", "fr": "📜 Texte du plan"},
    "btn_related": {"en": "🔗 Related", "fr": "🔗 Voir aussi"},
    "and_more": {"en": "and {n} more", "fr": "et {n} autres"},
    "related_title": {"en": "Related to {item}", "fr": "En lien avec {item}"},
    "related_none": {
        "en": "Nothing else in the plan is close to this item.",
        "fr": "Rien d'autre dans le plan n'est proche de cet élément.",
    },
    "plan_usage": {"en": "Which item? For example: plan 2.12", "fr": "Quel élément ? Par exemple : texte 2.12"},
    "related_usage": {
        "en": "Which item? For example: related 2.12",
        "fr": "Quel élément ? Par exemple : voiraussi 2.12",
    },
    "dc_cmd_plan": {"en": "What the plan itself says about an item", "fr": "Ce que dit le plan lui-même sur un élément"},
    "dc_cmd_related": {"en": "Items related to an item", "fr": "Les éléments en lien avec un élément"},
    # -- status overview and chart --------------------------------------------------------------------------
    "status_title": {"en": "Where the 58 actions stand", "fr": "Où en sont les 58 actions"},
    "status_overview_none": {
        "en": "No rating of the 2021–2023 plan's actions is recorded in my sources yet: that says nothing about "
        "what was done, only that no assessment has been entered here.",
        "fr": "Aucune évaluation des actions du plan 2021-2023 n'est encore enregistrée dans mes sources : cela "
        "ne dit rien de ce qui a été fait, seulement qu'aucune évaluation n'a été saisie ici.",
    },
    "progress_title": {"en": "Action status by commitment", "fr": "Statut des actions par engagement"},
    "progress_caption": {
        "en": "Status of the plan's actions by commitment (OGP IRM scale).",
        "fr": "Statut des actions du plan par engagement (échelle IRM de l'OGP).",
    },
    "progress_axis": {"en": "Number of actions", "fr": "Nombre d'actions"},
    # -- language -------------------------------------------------------------------------------------------
    "language_set": {"en": "Done: I'll speak English.", "fr": "C'est noté : je vous répondrai en français."},
    "language_usage": {
        "en": "Choose a language: language en or language fr (or language auto to reply in the language of "
        "each message)",
        "fr": "Choisissez une langue : langue en ou langue fr (ou langue auto pour répondre dans la langue de "
        "chaque message)",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "fr": "Désolé, un problème est survenu de mon côté. Merci de réessayer dans un instant.",
    },
    # -- language detection, status wording, follow-ups, French source line (issue 8, items 1, 5, 6) --------
    "language_auto": {
        "en": "Done: I'll reply in the language of each of your messages.",
        "fr": "C'est noté : je répondrai dans la langue de chacun de vos messages.",
    },
    "status_unrated_short": {
        "en": "Status: not rated yet in my sources (plan 2021–2023)",
        "fr": "Statut : pas encore évalué dans mes sources (plan 2021-2023)",
    },
    "status_unrated": {
        "en": "Status: not rated yet — no assessment of this action is recorded in my sources (the plan ran "
        "2021–2023)",
        "fr": "Statut : pas encore évalué — aucune évaluation de cette action n'est enregistrée dans mes sources "
        "(plan 2021-2023)",
    },
    "followup_dates": {"en": "What the plan says about when", "fr": "Ce que le plan dit des délais"},
    "followup_no_date": {
        "en": "The plan gives no date for this beyond its own period, 2021–2023.",
        "fr": "Le plan ne donne pas de date pour cela, en dehors de sa propre période, 2021-2023.",
    },
    "followup_period": {"en": "The plan covers 2021–2023.", "fr": "Le plan couvre la période 2021-2023."},
    "plan_document": {
        "en": "{document}",
        "fr": "résumé en anglais du plan d'action national 2021-2023 de la France (décembre 2021)",
    },
    # -- servers: where a server's alerts go (bot/handlers/server.py) -----------------------------------------
    "language_name_en": {"en": "English", "fr": "anglais"},
    "language_name_fr": {"en": "French", "fr": "français"},
    "setup_group_only": {
        "en": "This setting is for servers and groups. In a private chat, alerts come straight to you.",
        "fr": "Ce réglage concerne les serveurs et les groupes. En conversation privée, les alertes vous "
        "arrivent directement.",
    },
    "setup_refused": {
        "en": "Sorry, only members allowed to manage this server can change where its alerts go.",
        "fr": "Désolé, seuls les membres autorisés à gérer ce serveur peuvent choisir où vont ses alertes.",
    },
    "setup_usage": {
        "en": "Usage: setup channel=<channel> [role=<role>|none] [language=en|fr] · setup show · setup reset",
        "fr": "Utilisation : configurer salon=<salon> [role=<rôle>|aucun] [langue=en|fr] · configurer voir · "
        "configurer effacer",
    },
    "setup_need_channel": {
        "en": "Please choose the channel where this server's alerts should be posted.",
        "fr": "Merci de choisir le salon où publier les alertes de ce serveur.",
    },
    "setup_saved": {"en": "Saved.", "fr": "C'est enregistré."},
    "setup_title": {"en": "Alert settings of this server", "fr": "Réglages des alertes de ce serveur"},
    "setup_channel": {"en": "Alerts are posted in: {channel}", "fr": "Alertes publiées dans : {channel}"},
    "setup_role": {"en": "Role mentioned: {role}", "fr": "Rôle mentionné : {role}"},
    "setup_language": {"en": "Language of the alerts: {language}", "fr": "Langue des alertes : {language}"},
    "setup_not_set": {"en": "not set", "fr": "non défini"},
    "setup_no_role": {"en": "none", "fr": "aucun"},
    "setup_next": {
        "en": "Server follows are chosen with “follow … for this server”.",
        "fr": "Les suivis du serveur se choisissent avec « follow … pour ce serveur ».",
    },
    "setup_not_configured": {
        "en": "Alerts are not set up for this server yet: a manager can choose their channel with /setup.",
        "fr": "Les alertes ne sont pas encore configurées pour ce serveur : un gestionnaire peut choisir leur "
        "salon avec /setup.",
    },
    "setup_reset_done": {
        "en": "Alert settings cleared. This server's alerts are paused until a channel is chosen again with "
        "/setup; its follows are kept.",
        "fr": "Réglages des alertes effacés. Les alertes de ce serveur sont suspendues jusqu'au choix d'un "
        "nouveau salon avec /setup ; ses suivis sont conservés.",
    },
    "setup_first": {
        "en": "Before this server follows anything, a manager needs to choose the channel for its alerts with "
        "/setup.",
        "fr": "Avant que ce serveur suive quoi que ce soit, un gestionnaire doit choisir le salon de ses alertes "
        "avec /setup.",
    },
    # -- Discord adapter (adapters/discord): slash command descriptions, choices and notices -----------------
    "dc_cmd_ask": {
        "en": "Ask a question about France's Open Government action plan",
        "fr": "Poser une question sur le plan d'action de la France pour un gouvernement ouvert",
    },
    "dc_opt_question": {"en": "Your question, in English or French", "fr": "Votre question, en français ou en anglais"},
    "dc_cmd_browse": {
        "en": "Browse the plan's commitments and actions",
        "fr": "Parcourir les engagements et les actions du plan",
    },
    "dc_cmd_show": {"en": "Show a commitment, an action or a topic", "fr": "Afficher un engagement, une action ou un thème"},
    "dc_opt_item": {"en": "An id or a title, e.g. 2.12", "fr": "Un identifiant ou un titre, par ex. 2.12"},
    "dc_cmd_status": {"en": "Where every action stands", "fr": "Où en est chaque action"},
    "dc_cmd_progress": {"en": "A chart of the actions' statuses", "fr": "Un graphique des statuts des actions"},
    "dc_cmd_follow": {
        "en": "Be alerted when the status of an action changes",
        "fr": "Être alerté quand le statut d'une action change",
    },
    "dc_opt_target": {
        "en": "An id (2.12, 3), an institution (HATVP) or all",
        "fr": "Un identifiant (2.12, 3), une institution (HATVP) ou all",
    },
    "dc_opt_for": {
        "en": "For you (direct messages) or for this server's alert channel",
        "fr": "Pour vous (messages privés) ou pour le salon d'alertes de ce serveur",
    },
    "dc_choice_me": {"en": "me", "fr": "moi"},
    "dc_choice_server": {"en": "this server", "fr": "ce serveur"},
    "dc_cmd_unfollow": {"en": "Stop following something", "fr": "Ne plus suivre un élément"},
    "dc_cmd_subscriptions": {"en": "What is followed", "fr": "Ce qui est suivi"},
    "dc_cmd_frequency": {
        "en": "When alerts arrive: immediately, daily or weekly",
        "fr": "Quand arrivent les alertes : immédiatement, chaque jour ou chaque semaine",
    },
    "dc_opt_frequency": {"en": "How often", "fr": "À quelle fréquence"},
    "dc_choice_immediately": {"en": "immediately", "fr": "immédiatement"},
    "dc_choice_daily": {"en": "daily digest", "fr": "résumé quotidien"},
    "dc_choice_weekly": {"en": "weekly digest", "fr": "résumé hebdomadaire"},
    "dc_cmd_language": {
        "en": "Choose the language of my replies and alerts",
        "fr": "Choisir la langue de mes réponses et de mes alertes",
    },
    "dc_opt_language": {"en": "Language", "fr": "Langue"},
    "dc_cmd_about": {"en": "About this bot and the plan", "fr": "À propos de ce bot et du plan"},
    "dc_cmd_privacy": {"en": "What I store about you", "fr": "Ce que je conserve à votre sujet"},
    "dc_cmd_forget": {"en": "Delete everything I store about you", "fr": "Effacer tout ce que je conserve à votre sujet"},
    "dc_cmd_setup": {
        "en": "Choose where this server's alerts are posted (Manage Server)",
        "fr": "Choisir où publier les alertes de ce serveur (Gérer le serveur)",
    },
    "dc_opt_channel": {"en": "Channel for the alerts", "fr": "Salon des alertes"},
    "dc_opt_role": {"en": "Role to mention in alerts (optional)", "fr": "Rôle à mentionner dans les alertes (facultatif)"},
    "dc_opt_alert_language": {"en": "Language of the alerts", "fr": "Langue des alertes"},
    "dc_opt_show": {"en": "Only show the current settings", "fr": "Afficher seulement les réglages actuels"},
    "dc_opt_reset": {"en": "Clear the settings and pause alerts", "fr": "Effacer les réglages et suspendre les alertes"},
    "dc_cmd_setstatus": {"en": "Admin: record the status of an action", "fr": "Admin : enregistrer le statut d'une action"},
    "dc_opt_action": {"en": "Action id, e.g. 2.12", "fr": "Identifiant de l'action, par ex. 2.12"},
    "dc_opt_level": {"en": "The new status", "fr": "Le nouveau statut"},
    "dc_opt_note": {"en": "A short note explaining the change", "fr": "Une courte note qui explique le changement"},
    "dc_opt_source": {"en": "Source URL (optional)", "fr": "URL de la source (facultatif)"},
    "dc_cmd_announce": {
        "en": "Send an announcement (admins; managers: to their own server)",
        "fr": "Envoyer une annonce (admins ; gestionnaires : à leur propre serveur)",
    },
    "dc_opt_message": {"en": "The text of the announcement", "fr": "Le texte de l'annonce"},
    "dc_opt_audience": {"en": "Who receives it", "fr": "Qui la reçoit"},
    "dc_choice_everyone": {"en": "everyone", "fr": "tout le monde"},
    "dc_opt_followers": {
        "en": "Only the followers of this item or institution",
        "fr": "Seulement les abonnés de cet élément ou de cette institution",
    },
    "dc_opt_at": {"en": "Send later, at YYYY-MM-DDTHH:MM", "fr": "Envoyer plus tard, à AAAA-MM-JJTHH:MM"},
    "dc_opt_dry": {
        "en": "Preview only: count the recipients without sending",
        "fr": "Aperçu seulement : compter les destinataires sans rien envoyer",
    },
    "dc_cmd_stats": {"en": "Admin: usage statistics", "fr": "Admin : statistiques d'utilisation"},
    "dc_server_only": {"en": "This only works in a server.", "fr": "Cela ne fonctionne que dans un serveur."},
    "dc_need_manage": {
        "en": "Sorry, only members with the Manage Server permission can change this server's alerts.",
        "fr": "Désolé, seuls les membres ayant la permission « Gérer le serveur » peuvent modifier les alertes "
        "de ce serveur.",
    },
    "dc_setup_everyone": {
        "en": "Please pick a specific role to mention rather than @everyone.",
        "fr": "Merci de choisir un rôle précis à mentionner plutôt que @everyone.",
    },
    "dc_setup_cannot_post": {
        "en": "Note: I can't post in {channel} yet. Please give me the View Channel, Send Messages and Embed Links "
        "permissions there.",
        "fr": "Attention : je ne peux pas encore publier dans {channel}. Merci de m'y donner les permissions "
        "« Voir le salon », « Envoyer des messages » et « Intégrer des liens ».",
    },
    "dc_setup_role_silent": {
        "en": "Note: {role} is not mentionable, so alerts will name it without notifying its members. Make it "
        "mentionable in the server settings, or give me the Mention All Roles permission.",
        "fr": "Attention : {role} n'est pas mentionnable ; les alertes le citeront sans prévenir ses membres. "
        "Rendez-le mentionnable dans les paramètres du serveur, ou donnez-moi la permission « Mentionner tous "
        "les rôles ».",
    },
    "dc_more_choices": {"en": "More choices:", "fr": "Autres choix :"},
    "dc_dm_closed": {
        "en": "🇬🇧 {user}, I couldn't deliver your alert because your direct messages are closed, so your alerts "
        "are paused. Allow direct messages from this server's members, then use any of my commands (e.g. "
        "/subscriptions) to resume them.",
        "fr": "🇫🇷 {user}, je n'ai pas pu vous envoyer votre alerte car vos messages privés sont fermés ; vos "
        "alertes sont donc suspendues. Autorisez les messages privés des membres de ce serveur, puis utilisez "
        "l'une de mes commandes (par ex. /subscriptions) pour les reprendre.",
    },
    # -- Telegram adapter (adapters/telegram): the command menu and a few Telegram-only notes ---------------
    "tg_cmd_start": {"en": "Welcome and what I can do", "fr": "Accueil et ce que je sais faire"},
    "tg_cmd_help": {"en": "The commands", "fr": "Les commandes"},
    "tg_cmd_ask": {"en": "Ask a question about the plan", "fr": "Poser une question sur le plan"},
    "tg_cmd_browse": {"en": "Browse the 6 commitments", "fr": "Parcourir les 6 engagements"},
    "tg_cmd_show": {"en": "Show an item, e.g. /show 2.12", "fr": "Afficher un élément, par ex. /voir 2.12"},
    "tg_cmd_status": {"en": "Where the actions stand", "fr": "L'état d'avancement des actions"},
    "tg_cmd_progress": {"en": "A chart of the statuses", "fr": "Un graphique des statuts"},
    "tg_cmd_follow": {
        "en": "Be alerted of changes, e.g. /follow 2.12",
        "fr": "Être alerté des changements, par ex. /suivre 2.12",
    },
    "tg_cmd_unfollow": {"en": "Stop following an item", "fr": "Ne plus suivre un élément"},
    "tg_cmd_subscriptions": {"en": "What you follow", "fr": "Ce que vous suivez"},
    "tg_cmd_frequency": {
        "en": "Alerts immediately, daily or weekly",
        "fr": "Alertes immédiates, quotidiennes ou hebdomadaires",
    },
    "tg_cmd_language": {"en": "Change language (en/fr)", "fr": "Changer de langue (en/fr)"},
    "tg_cmd_about": {"en": "About this bot and its sources", "fr": "À propos de ce bot et de ses sources"},
    "tg_cmd_privacy": {"en": "What I store about you", "fr": "Ce que je conserve sur vous"},
    "tg_cmd_forget": {"en": "Delete everything I store about you", "fr": "Effacer tout ce que je conserve sur vous"},
    "tg_cmd_stop": {"en": "Stop all alerts", "fr": "Arrêter toutes les alertes"},
    "tg_cmd_setstatus": {
        "en": "Admin: set an action's status",
        "fr": "Administration : renseigner le statut d'une action",
    },
    "tg_cmd_announce": {"en": "Admin: send an announcement", "fr": "Administration : envoyer une annonce"},
    "tg_cmd_stats": {"en": "Admin: usage figures", "fr": "Administration : chiffres d'utilisation"},
    "tg_button_expired": {
        "en": "This button has expired. Please ask again.",
        "fr": "Ce bouton a expiré. Merci de refaire votre demande.",
    },
    # -- "not sure" replies (issue 8, item 3) -----------------------------------------------------------------
    "not_covered": {
        "en": "The plan does not cover that point. The closest item in the plan is this one:",
        "fr": "Le plan ne traite pas de ce point. L'élément du plan le plus proche est celui-ci\u202f:",
    },
    "not_found_example": {
        "en": "Browse the plan, or ask about one of its subjects, for example: “What is France doing on "
        "lobbying transparency?”",
        "fr": "Parcourez le plan, ou posez une question sur l'un de ses sujets, par exemple\u202f: « Que fait "
        "la France pour la transparence du lobbying ? »",
    },
}


from bot.i18n_follow import FOLLOW_MESSAGES
from bot.i18n_web import WEB_MESSAGES

for _more in (FOLLOW_MESSAGES, WEB_MESSAGES):
    _overlap = MESSAGES.keys() & _more.keys()
    assert not _overlap, f"message keys defined twice: {_overlap}"
    MESSAGES.update(_more)


def t(key: str, lang: str, **values: object) -> str:
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def pick_language(*candidates: str | None, default: str = "en") -> str:
    """First candidate that is (or starts with) a supported language: 'fr-FR' -> 'fr'."""
    for candidate in candidates:
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return default
