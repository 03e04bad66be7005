"""Messages about what happened (issue 11): evidence, statuses by source, the plan's time. Merged into MESSAGES."""

from __future__ import annotations

EVIDENCE_MESSAGES: dict[str, dict[str, str]] = {
    "evidence_heading": {"en": "What happened (latest first)", "fr": "Ce qui s'est passé (le plus récent d'abord)"},
    "evidence_item": {"en": "{date} — {text} ({publisher})", "fr": "{date} — {text} ({publisher})"},
    "evidence_item_reported": {"en": "{date} — {text} ({publisher}; reported by: {reporter})",
                               "fr": "{date} — {text} ({publisher} ; signalé par : {reporter})"},
    "evidence_earlier": {"en": "… and {n} earlier fact(s): `evidence {id}`", "fr": "… et {n} fait(s) plus ancien(s) : `evidence {id}`"},
    "evidence_none": {
        "en": "No dated evidence about this action is recorded in my sources yet.",
        "fr": "Aucun fait daté sur cette action n'est encore enregistré dans mes sources.",
    },
    "evidence_lead": {
        "en": "Latest recorded ({date}, {publisher}): {text}",
        "fr": "Dernier fait enregistré ({date}, {publisher}) : {text}",
    },
    "evidence_lead_commitment": {
        "en": "Latest recorded for this commitment ({date}, action {id}, {publisher}): {text}",
        "fr": "Dernier fait enregistré pour cet engagement ({date}, action {id}, {publisher}) : {text}",
    },
    "reporter_independent_review": {"en": "independent review", "fr": "évaluation indépendante"},
    "reporter_government": {"en": "government", "fr": "gouvernement"},
    "reporter_press": {"en": "press", "fr": "presse"},
    "reporter_maintainers": {"en": "this bot's maintainers", "fr": "mainteneurs de ce bot"},
    # -- statuses by source --------------------------------------------------------------------------------
    "status_by_source": {"en": "Status by source", "fr": "Statut selon la source"},
    "status_assessed_by": {"en": "assessed by {who}", "fr": "évalué par : {who}"},
    "divergence": {
        "en": "⚠️ The sources disagree: {levels}",
        "fr": "⚠️ Les sources divergent : {levels}",
    },
    "alert_evidence_title": {
        "en": "🔔 New evidence about an action you follow",
        "fr": "🔔 Nouveau fait sur une action que vous suivez",
    },
    "digest_evidence": {"en": "New evidence ({n})", "fr": "Nouveaux faits ({n})"},
    "digest_title_evidence": {"en": "🗞 Your digest: {n} new fact(s)", "fr": "🗞 Votre résumé : {n} nouveau(x) fait(s)"},
    # -- the admin's `evidence` command ----------------------------------------------------------------------
    "evidence_usage": {
        "en": "Usage: evidence ID YYYY-MM-DD URL \"what happened\" [publisher] — e.g. evidence 2.3 2022-04-21 "
        "https://www.courdecassation.fr/… \"Appeal court decisions open in Judilibre\" \"Cour de cassation\". "
        "`evidence ID` lists an action's evidence.",
        "fr": "Usage : evidence ID AAAA-MM-JJ URL \"ce qui s'est passé\" [éditeur] — par ex. evidence 2.3 "
        "2022-04-21 https://www.courdecassation.fr/… \"Décisions des cours d'appel ouvertes dans Judilibre\" "
        "\"Cour de cassation\". `evidence ID` liste les faits d'une action.",
    },
    "evidence_unknown": {"en": "Unknown action: {item}.", "fr": "Action inconnue : {item}."},
    "evidence_bad_date": {
        "en": "The date must be YYYY-MM-DD, not before {start} (when drafting the plan began) nor in the future.",
        "fr": "La date doit être au format AAAA-MM-JJ, ni antérieure au {start} (début de l'élaboration du plan) "
        "ni future.",
    },
    "evidence_bad_url": {"en": "The source must be an http(s) web address.", "fr": "La source doit être une adresse web http(s)."},
    "evidence_same": {
        "en": "This fact is already recorded for {id} (same date and source): nothing changed, no alert.",
        "fr": "Ce fait est déjà enregistré pour {id} (même date et même source) : rien n'a changé, aucune alerte.",
    },
    "evidence_done": {
        "en": "✅ Evidence recorded for {id} ({date}). Alerts queued: {n}.",
        "fr": "✅ Fait enregistré pour {id} ({date}). Alertes en file : {n}.",
    },
    # -- the plan's time (item 5) ----------------------------------------------------------------------------
    "since_the_plan": {"en": "Since the plan", "fr": "Depuis le plan"},
    "about_time": {
        "en": "The plan ran from 2021 to 2023 and has ended. Besides what it promised, I record what happened "
        "since: dated facts with their source (`show ID`, `evidence ID`), and statuses with who assessed them — "
        "the OGP Independent Reporting Mechanism, the government, or this bot's maintainers; when they disagree, "
        "I say so. The plan's monitoring page on modernisation.gouv.fr now presents France's next plan: to follow "
        "an action of this one, use `follow ID` here. What came next: `show about.plan`.",
        "fr": "Le plan couvrait la période 2021-2023 ; il est terminé. En plus de ce qu'il promettait, j'enregistre "
        "ce qui s'est passé depuis : des faits datés avec leur source (`voir ID`, `evidence ID`), et des statuts "
        "avec qui les a évalués — le Mécanisme d'évaluation indépendant de l'OGP, le gouvernement ou les "
        "mainteneurs de ce bot ; quand ils divergent, je le signale. La page de suivi du plan sur "
        "modernisation.gouv.fr présente désormais le plan suivant de la France : pour suivre une action de "
        "celui-ci, utilisez `suivre ID` ici. La suite : `voir about.plan`.",
    },
    "btn_plan_after": {"en": "➡️ What came next", "fr": "➡️ La suite"},
    "tg_cmd_evidence": {"en": "What happened to an action (dated facts)", "fr": "Ce qui s'est passé pour une action (faits datés)"},
    "progress_evidence": {"en": "actions with recorded evidence", "fr": "actions avec des faits enregistrés"},
}
