"""User-facing sentences of overdue promises and the government tracker (issue 11), in English and French."""

from __future__ import annotations

TRACKING_MESSAGES: dict[str, dict[str, str]] = {
    # -- overdue promises (issue 11 item 3) -----------------------------------------------------------------
    "overdue_line": {
        "en": "⏰ Overdue: promised by {label}; nothing recorded since.",
        "fr": "⏰ En retard : promis pour {label} ; rien n'a été enregistré depuis.",
    },
    "overdue_short": {
        "en": "⏰ promised by {label}; nothing recorded since",
        "fr": "⏰ promis pour {label} ; rien d'enregistré depuis",
    },
    "promise_due": {"en": "due: {label}", "fr": "échéance : {label}"},
    "overdue_title": {
        "en": "⏰ Overdue promises ({n}): a deadline of the plan has passed and nothing is recorded since",
        "fr": "⏰ Promesses en retard ({n}) : une échéance du plan est passée et rien n'est enregistré depuis",
    },
    "overdue_item": {"en": "{id} {title} — promised by {label}", "fr": "{id} {title} — promis pour {label}"},
    "overdue_alert_title": {"en": "⏰ A promised deadline has passed", "fr": "⏰ Une échéance promise est passée"},
    "overdue_alert_body": {
        "en": "The plan promised “{promise}” by {label}. Nothing about this action is recorded since.",
        "fr": "Le plan promettait « {promise} » pour {label}. Rien n'est enregistré sur cette action depuis.",
    },
    # -- the government's tracker as a source (issue 11 item 4) ---------------------------------------------
    "tracker_label": {"en": "government tracker", "fr": "suivi du gouvernement"},
    "progress_percent": {"en": "{progress} % complete", "fr": "réalisé à {progress} %"},
}
