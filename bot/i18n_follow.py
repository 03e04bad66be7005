"""User-facing sentences of following, alerts, privacy and admin commands, in English and French."""

from __future__ import annotations

FOLLOW_MESSAGES: dict[str, dict[str, str]] = {
    # -- following ------------------------------------------------------------------------------------------
    "admin_only": {
        "en": "Sorry, only the bot's administrators can do that.",
        "fr": "Désolé, seuls les administrateurs du bot peuvent faire cela.",
    },
    "group_admins_only": {
        "en": "Only the administrators of this group (or the managers of this server) can change what it "
        "follows and its settings.",
        "fr": "Seuls les administrateurs de ce groupe (ou les gestionnaires de ce serveur) peuvent modifier ses "
        "suivis et ses réglages.",
    },
    "follow_usage": {
        "en": "What would you like to follow? For example: follow 2.12 (an action), follow 3 (a commitment), "
        "follow HATVP (an institution) or follow all.",
        "fr": "Que voulez-vous suivre ? Par exemple : suivre 2.12 (une action), suivre 3 (un engagement), "
        "suivre HATVP (une institution) ou suivre tout.",
    },
    "follow_unknown": {
        "en": "I don't know “{item}”. You can follow an action (2.12), a commitment (3), an institution (HATVP, "
        "Cour des comptes…) or all.",
        "fr": "Je ne connais pas « {item} ». Vous pouvez suivre une action (2.12), un engagement (3), une "
        "institution (HATVP, Cour des comptes…) ou tout.",
    },
    "follow_done": {
        "en": "🔔 You now follow {target}. Alerts: {frequency}.",
        "fr": "🔔 Vous suivez désormais {target}. Alertes : {frequency}.",
    },
    "follow_already": {
        "en": "You already follow {target}. Alerts: {frequency}.",
        "fr": "Vous suivez déjà {target}. Alertes : {frequency}.",
    },
    "follow_covers": {"en": "Actions covered: {n} —", "fr": "Actions couvertes : {n} —"},
    "unfollow_done": {"en": "🔕 You no longer follow {target}.", "fr": "🔕 Vous ne suivez plus {target}."},
    "unfollow_missing": {"en": "You were not following {target}.", "fr": "Vous ne suiviez pas {target}."},
    "stop_done": {
        "en": "🔕 Done: {n} follow(s) removed. You will receive no more alerts.",
        "fr": "🔕 C'est fait : {n} suivi(s) supprimé(s). Vous ne recevrez plus d'alertes.",
    },
    "subscriptions_title": {"en": "What you follow", "fr": "Vos suivis"},
    "subscriptions_none": {
        "en": "You don't follow anything yet. Open an action and press “Follow”, or type follow 2.12.",
        "fr": "Vous ne suivez rien pour l'instant. Ouvrez une action et appuyez sur « Suivre », ou tapez suivre 2.12.",
    },
    "subscriptions_frequency": {"en": "Alerts: {frequency}.", "fr": "Alertes : {frequency}."},
    "freq_immediately": {"en": "immediately", "fr": "immédiatement"},
    "freq_daily": {"en": "in a daily digest", "fr": "dans un résumé quotidien"},
    "freq_weekly": {"en": "in a weekly digest", "fr": "dans un résumé hebdomadaire"},
    "frequency_usage": {
        "en": "Alerts currently arrive {frequency}. Choose: frequency immediately, daily or weekly.",
        "fr": "Les alertes arrivent actuellement {frequency}. Choisissez : fréquence immédiat, quotidien ou "
        "hebdomadaire.",
    },
    "frequency_set": {
        "en": "Done: alerts will arrive {frequency}.",
        "fr": "C'est noté : les alertes arriveront {frequency}.",
    },
    "btn_forget": {"en": "🗑 Erase my data", "fr": "🗑 Effacer mes données"},
    "btn_forget_confirm": {"en": "🗑 Yes, erase everything", "fr": "🗑 Oui, tout effacer"},
    "privacy_title": {"en": "Your data", "fr": "Vos données"},
    "privacy_body": {
        "en": "I store only what I need to serve you: your chat's platform id, your language and alert "
        "frequency, what you follow, the alerts queued for you until they are delivered, and the plan item "
        "shown to you last (so that “who leads it?” refers to it). I do not store "
        "the text of your messages. Admin actions are kept in an audit log. Type “forget” to erase everything "
        "about you (audit entries are kept, without your id).",
        "fr": "Je ne conserve que le nécessaire : l'identifiant de votre conversation sur la plateforme, votre "
        "langue et votre fréquence d'alertes, vos suivis, les alertes en attente jusqu'à leur envoi, et le "
        "dernier élément du plan affiché (pour que « qui s'en occupe ? » s'y rapporte). Je ne "
        "conserve pas le texte de vos messages. Les actions d'administration sont consignées dans un journal. "
        "Tapez « oublier » pour tout effacer (les entrées du journal sont conservées, sans votre identifiant).",
    },
    "forget_confirm": {
        "en": "This erases your follows, language, frequency and pending alerts. Are you sure? Press the "
        "button or type “forget confirm”.",
        "fr": "Cela efface vos suivis, votre langue, votre fréquence et vos alertes en attente. Êtes-vous sûr ? "
        "Appuyez sur le bouton ou tapez « oublier confirmer ».",
    },
    "forget_done": {
        "en": "Done: I have erased everything about you. Goodbye, and come back any time!",
        "fr": "C'est fait : j'ai effacé toutes vos données. Au revoir, et revenez quand vous voulez !",
    },
    # -- alerts ---------------------------------------------------------------------------------------------
    "alert_title": {"en": "🔔 Status change", "fr": "🔔 Changement de statut"},
    "digest_title": {
        "en": "🗞 Your digest: {n} status change(s)",
        "fr": "🗞 Votre résumé : {n} changement(s) de statut",
    },
    "announcement_title": {"en": "📣 Announcement", "fr": "📣 Annonce"},
    "announce_report": {
        "en": "📣 Announcement #{id} finished: {sent} sent, {failed} failed, {skipped} skipped (of {total}).",
        "fr": "📣 Annonce n°{id} terminée : {sent} envoyée(s), {failed} en échec, {skipped} ignorée(s) "
        "(sur {total}).",
    },
    "feed_error": {
        "en": "⚠ The status feed {source} was rejected and changed nothing ({n} problem(s)): {problems}",
        "fr": "⚠ Le flux de statuts {source} a été rejeté et n'a rien modifié ({n} problème(s)) : {problems}",
    },
    # -- admin ----------------------------------------------------------------------------------------------
    "setstatus_usage": {
        "en": "Usage: setstatus ID LEVEL \"note\" [source-url] [YYYY-MM-DD] — levels: {levels}",
        "fr": "Usage : setstatus ID NIVEAU \"note\" [url-source] [AAAA-MM-JJ] — niveaux : {levels}",
    },
    "setstatus_quotes": {
        "en": "I couldn't read that: a quote is not closed.",
        "fr": "Je n'ai pas pu lire cela : un guillemet n'est pas fermé.",
    },
    "setstatus_level": {"en": "Unknown level. Use one of: {levels}", "fr": "Niveau inconnu. Utilisez : {levels}"},
    "setstatus_date": {
        "en": "That date is not valid (YYYY-MM-DD).",
        "fr": "Cette date n'est pas valide (AAAA-MM-JJ).",
    },
    # issue 9 (bad input): implausible dates
    "setstatus_date_early": {
        "en": "That date is before the plan: its drafting began on {start}.",
        "fr": "Cette date est antérieure au plan : son élaboration a commencé le {start}.",
    },
    "setstatus_date_future": {
        "en": "That date is in the future: record a status once it has happened.",
        "fr": "Cette date est dans le futur : enregistrez un statut une fois qu'il est atteint.",
    },
    "setstatus_unknown": {"en": "There is no action “{item}”.", "fr": "Il n'y a pas d'action « {item} »."},
    "setstatus_same": {
        "en": "Action {id} is already “{label}”: nothing changed, no alert sent.",
        "fr": "L'action {id} est déjà « {label} » : rien n'a changé, aucune alerte envoyée.",
    },
    "setstatus_done": {
        "en": "✅ Action {id} is now “{label}”. {n} alert(s) queued.",
        "fr": "✅ L'action {id} est maintenant « {label} ». {n} alerte(s) en file d'attente.",
    },
    "announce_usage": {
        "en": "Usage: announce [dry] [to all|followers:ID|platform:NAME] [at YYYY-MM-DDTHH:MM] TEXT "
        "(write “English || français” for both languages) · announce status N · announce cancel N",
        "fr": "Usage : announce [dry] [to all|followers:ID|platform:NOM] [at AAAA-MM-JJTHH:MM] TEXTE "
        "(écrivez « English || français » pour les deux langues) · announce status N · announce cancel N",
    },
    "announce_audience": {
        "en": "Unknown audience. Use all, followers:ID (or followers:HATVP) or platform:telegram|discord|console.",
        "fr": "Public inconnu. Utilisez all, followers:ID (ou followers:HATVP) ou platform:telegram|discord|console.",
    },
    "announce_when": {
        "en": "I couldn't read that time (YYYY-MM-DDTHH:MM).",
        "fr": "Je n'ai pas pu lire cette heure (AAAA-MM-JJTHH:MM).",
    },
    "announce_dry": {
        "en": "Dry run: this announcement would reach {n} recipient(s) ({audience}). Nothing was sent.",
        "fr": "Simulation : cette annonce toucherait {n} destinataire(s) ({audience}). Rien n'a été envoyé.",
    },
    "announce_queued": {
        "en": "📣 Announcement #{id} queued for {n} recipient(s). Progress: announce status {id}",
        "fr": "📣 Annonce n°{id} en file pour {n} destinataire(s). Suivi : announce status {id}",
    },
    "announce_scheduled": {
        "en": "🕒 Announcement #{id} scheduled for {when}, to {n} recipient(s). Cancel: announce cancel {id}",
        "fr": "🕒 Annonce n°{id} programmée pour le {when}, pour {n} destinataire(s). "
        "Annuler : announce cancel {id}",
    },
    "announce_own_server_only": {
        "en": "As a server manager you can announce to this server only: announce to server TEXT",
        "fr": "En tant que gestionnaire du serveur, vous pouvez seulement annoncer sur ce serveur : "
        "announce to server TEXTE",
    },
    "announce_unknown": {"en": "There is no announcement #{id}.", "fr": "Il n'y a pas d'annonce n°{id}."},
    "announce_progress": {
        "en": "Announcement #{id}: {sent} sent, {failed} failed, {skipped} skipped, {pending} to go (of {total}).",
        "fr": "Annonce n°{id} : {sent} envoyée(s), {failed} en échec, {skipped} ignorée(s), {pending} restante(s) "
        "(sur {total}).",
    },
    "announce_cancelled": {
        "en": "Announcement #{id} cancelled: {n} pending message(s) will not be sent.",
        "fr": "Annonce n°{id} annulée : {n} message(s) en attente ne seront pas envoyés.",
    },
    "stats_title": {"en": "Statistics", "fr": "Statistiques"},
    "stats_chats": {"en": "Chats", "fr": "Conversations"},
    "stats_active": {"en": "active", "fr": "actives"},
    "stats_inactive": {"en": "inactive", "fr": "inactives"},
    "stats_follows": {"en": "Follows", "fr": "Suivis"},
    "stats_outbox": {"en": "Outbox", "fr": "File d'envoi"},
}
