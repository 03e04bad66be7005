"""Following through the conversation core (console platform): follow, unfollow, stop, subscriptions, frequency,
follow buttons, groups, privacy and forget — with what is (and is not) stored checked in the real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, select, text

from adapters.console import ConsoleOutbound, pop_inbox
from bot.storage.models import (
    Announcement,
    AuditEntry,
    Chat,
    ConsoleInbox,
    Notification,
    StatusChange,
    Subscription,
)
from jobs.digests import build_digests
from tests.outbox_support import (
    RecordingOutbound,
    chat_pk,
    commands_of,
    count,
    make_worker,
    notifications,
    say,
    text_of,
)


async def targets_of(app, chat_id: str, platform: str = "console") -> set[tuple[str, str]]:
    async with app.db.session() as session:
        rows = await session.execute(
            select(Subscription.target_kind, Subscription.target_id)
            .join(Chat, Chat.id == Subscription.chat_pk)
            .where(Chat.platform == platform, Chat.chat_id == chat_id)
        )
        return set(rows.all())


async def test_follow_an_action_shows_its_current_status_and_an_unfollow_button(app) -> None:
    replies = await say(app, "alice", "follow 2.12")
    body = text_of(replies)
    assert "You now follow 2.12 · Increase transparency surrounding lobbying" in body
    assert "not rated yet" in body and "no assessment of this action is recorded" in body
    assert "unfollow 2.12" in commands_of(replies)
    assert await targets_of(app, "alice") == {("action", "2.12")}

    # once a status exists, following shows it at once (another chat, same action)
    await say(app, "admin", 'setstatus 2.12 substantial "Register opened" https://example.org/register 2026-03-01')
    body = text_of(await say(app, "bob", "follow 2.12"))
    assert "Status: Substantial — since 2026-03-01" in body
    assert "Register opened" in body and "https://example.org/register" in body


async def test_following_twice_stores_one_follow(app) -> None:
    await say(app, "alice", "follow 2.12")
    again = text_of(await say(app, "alice", "/follow #2.12"))
    assert "You already follow 2.12" in again
    assert await count(app, Subscription) == 1


async def test_follow_a_commitment_shows_the_counts_of_its_actions(app) -> None:
    await say(app, "admin", "setstatus 2.12 complete")
    await say(app, "admin", "setstatus 2.11 limited")
    body = text_of(await say(app, "alice", "follow 2"))
    assert "You now follow 2 · " in body
    assert "Complete: 1" in body and "Limited: 1" in body and "No evidence available: 13" in body
    assert await targets_of(app, "alice") == {("commitment", "2")}


async def test_follow_an_institution_by_acronym_and_by_name(app) -> None:
    by_acronym = text_of(await say(app, "alice", "follow HATVP"))
    assert "High Authority for Transparency in Public Life (HATVP)" in by_acronym
    assert "Actions covered: 1" in by_acronym
    by_name = text_of(await say(app, "alice", "follow Cour des comptes"))
    assert "Government Audit Office" in by_name and "Actions covered: 3" in by_name
    by_lowercase_name = text_of(await say(app, "bob", "suivre cour des comptes"))
    assert "Government Audit Office" in by_lowercase_name
    assert await targets_of(app, "alice") == {("institution", "hatvp"), ("institution", "cour-des-comptes")}
    assert await targets_of(app, "bob") == {("institution", "cour-des-comptes")}


async def test_follow_all(app) -> None:
    replies = await say(app, "alice", "follow all")
    body = text_of(replies)
    assert "the whole plan" in body
    assert f"Actions covered: {len(app.kb.actions)}" in body
    assert "unfollow all" in commands_of(replies)
    assert await targets_of(app, "alice") == {("all", "*")}


async def test_follow_something_unknown_stores_nothing(app) -> None:
    body = text_of(await say(app, "alice", "/follow 9.99"))
    assert "I don't know “9.99”" in body
    assert "follow all" in text_of(await say(app, "alice", "/follow"))  # usage
    assert await count(app, Subscription) == 0


async def test_unfollow_one_and_stop_all(app) -> None:
    for item in ("2.12", "2", "HATVP", "all"):
        await say(app, "alice", f"follow {item}")
    await say(app, "bob", "follow 2.12")

    body = text_of(await say(app, "alice", "unfollow HATVP"))
    assert "You no longer follow High Authority for Transparency in Public Life (HATVP)" in body
    assert await targets_of(app, "alice") == {("action", "2.12"), ("commitment", "2"), ("all", "*")}
    assert "You were not following" in text_of(await say(app, "alice", "unfollow HATVP"))

    assert "3 follows removed" in text_of(await say(app, "alice", "stop"))
    assert await targets_of(app, "alice") == set()
    assert await targets_of(app, "bob") == {("action", "2.12")}  # only alice's follows went


async def test_subscriptions_lists_every_follow_with_unfollow_buttons_and_the_frequency(app) -> None:
    empty = await say(app, "alice", "subscriptions")
    assert "You don't follow anything yet" in text_of(empty)
    for item in ("2.12", "3", "Cour des comptes"):
        await say(app, "alice", f"follow {item}")
    await say(app, "alice", "frequency weekly")
    replies = await say(app, "alice", "subscriptions")
    body = text_of(replies)
    assert "• 2.12 · Increase transparency surrounding lobbying" in body
    assert "• 3 · " in body and "• Government Audit Office" in body
    assert "Alerts: in a weekly digest." in body
    assert commands_of(replies) == ["unfollow 2.12", "unfollow 3", "unfollow cour-des-comptes"]


async def test_frequency_is_stored_and_shown(app) -> None:
    usage = await say(app, "alice", "frequency")
    assert "Alerts currently arrive immediately" in text_of(usage)
    assert commands_of(usage) == ["frequency immediately", "frequency daily", "frequency weekly"]
    assert "daily digest" in text_of(await say(app, "alice", "frequency daily"))
    assert "weekly digest" in text_of(await say(app, "alice", "fréquence hebdo"))
    async with app.db.session() as session:
        chat = await session.scalar(select(Chat).where(Chat.chat_id == "alice"))
    assert chat.frequency == "weekly"
    # a follow confirms the chosen frequency
    assert "Alerts: in a weekly digest." in text_of(await say(app, "alice", "follow 2.12"))


async def test_switching_back_to_immediately_releases_the_alerts_held_for_a_digest(app) -> None:
    """A daily follower who switches to 'immediately' before the digest must still get the held alert."""
    await say(app, "alice", "follow 2.12")
    await say(app, "alice", "frequency daily")
    await say(app, "admin", "setstatus 2.12 limited")
    assert [n.state for n in await notifications(app)] == ["held"]
    await say(app, "alice", "frequency immediately")
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert [s.chat_id for s in outbound.sent] == ["alice"]
    assert "Limited" in outbound.sent[0].text
    assert [n.state for n in await notifications(app)] == ["sent"]
    assert await build_digests(app.db, app.settings, force=True) == 0  # and nothing comes twice in a digest


async def test_show_replies_and_answers_carry_a_follow_button(app) -> None:
    shown = await say(app, "alice", "show 2.12")
    assert "follow 2.12" in commands_of(shown)
    answer = await say(app, "alice", "how will the transparency of lobbying be improved?")
    assert "follow 2.12" in commands_of(answer)
    commitment = await say(app, "alice", "show 2")
    assert "follow 2" in commands_of(commitment)
    # pressing it follows; afterwards the same reply offers to unfollow instead
    await say(app, "alice", "follow 2.12", via_button=True)
    again = commands_of(await say(app, "alice", "show 2.12"))
    assert "unfollow 2.12" in again and "follow 2.12" not in again


async def test_a_group_member_who_cannot_manage_it_is_refused_and_nothing_is_stored(app) -> None:
    group = {"chat_id": "team-room", "is_group": True}
    for command in ("follow 2.12", "follow all", "frequency daily", "stop", "forget confirm"):
        body = text_of(await say(app, "mallory", command, can_manage_chat=False, **group))
        assert "Only the administrators of this group" in body, command
    assert await count(app, Subscription) == 0
    async with app.db.session() as session:
        chat = await session.scalar(select(Chat).where(Chat.chat_id == "team-room"))
    assert chat.frequency == "immediately" and chat.is_group

    # its manager may, and the follow belongs to the group, not to the person
    assert "You now follow" in text_of(await say(app, "manager", "follow 2.12", **group))
    assert await targets_of(app, "team-room") == {("action", "2.12")}
    assert await targets_of(app, "manager") == set()
    # anyone in the group may read the list
    assert "2.12" in text_of(await say(app, "mallory", "subscriptions", can_manage_chat=False, **group))


async def test_privacy_explains_what_is_stored(app) -> None:
    replies = await say(app, "alice", "privacy")
    body = text_of(replies)
    assert "I do not store the text of your messages" in body
    assert "what you follow" in body and "audit log" in body
    assert commands_of(replies) == ["forget"]
    assert "ne conserve pas le texte de vos messages" in text_of(await say(app, "amelie", "confidentialite", locale="fr"))


async def test_forget_asks_for_confirmation_then_erases_everything_but_anonymised_audit_entries(app) -> None:
    # the admin follows, is alerted (console inbox), has a queued alert, and has audited actions
    await say(app, "admin", "follow 2.12")
    await say(app, "admin", "follow HATVP")
    await say(app, "admin", "language fr")
    await say(app, "bob", "follow 2.12")
    await say(app, "admin", "setstatus 2.12 limited")
    await make_worker(app, ConsoleOutbound(app.db)).run_once()
    await say(app, "admin", "setstatus 2.12 substantial")  # queued, not delivered yet
    await say(app, "admin", "announce to platform:telegram Maintenance tonight")
    admin_pk = await chat_pk(app, "admin")
    assert await count(app, ConsoleInbox, ConsoleInbox.chat_id == "admin") == 1
    assert await count(app, Notification, Notification.chat_pk == admin_pk, Notification.state == "pending") == 1
    audited = await count(app, AuditEntry)
    assert audited == 3 and await count(app, AuditEntry, AuditEntry.user_id == "admin") == 3

    confirm = await say(app, "admin", "forget")
    assert "forget confirm" in commands_of(confirm)
    assert await chat_pk(app, "admin") == admin_pk  # nothing erased before the confirmation
    assert await count(app, Subscription, Subscription.chat_pk == admin_pk) == 2

    done = text_of(await say(app, "admin", "forget confirm"))
    assert "effacé toutes vos données" in done  # still answered in the chat's language
    assert await chat_pk(app, "admin") is None
    assert await count(app, Subscription, Subscription.chat_pk == admin_pk) == 0
    assert await count(app, Notification, Notification.chat_pk == admin_pk) == 0
    assert await count(app, ConsoleInbox, ConsoleInbox.chat_id == "admin") == 0
    assert await pop_inbox(app.db, "admin") == ([], None)
    assert await count(app, AuditEntry) == audited  # kept...
    assert await count(app, AuditEntry, AuditEntry.user_id.is_not(None)) == 0  # ...without the id
    # the status history the admin wrote is still there; bob is untouched
    assert await count(app, StatusChange) == 2
    assert await count(app, StatusChange, StatusChange.set_by.contains("admin")) == 0
    assert await count(app, Announcement) == 1
    assert await count(app, Announcement, Announcement.created_by.contains("admin")) == 0
    bob_pk = await chat_pk(app, "bob")
    assert await count(app, Subscription, Subscription.chat_pk == bob_pk) == 1
    assert await count(app, Notification, Notification.chat_pk == bob_pk) == 2

    # coming back starts from scratch: default language and frequency, nothing followed
    body = text_of(await say(app, "admin", "subscriptions"))
    assert "You don't follow anything yet" in body


async def test_no_message_text_is_stored_anywhere(app, database_url) -> None:
    question = "Is the zqxjkw lobbying register of the HATVP improving?"
    await say(app, "alice", question)
    await say(app, "alice", "/zqxjkwcommand please")
    await say(app, "alice", "follow zqxjkw institution")
    await say(app, "admin", "setstatus 2.12 limited")
    await say(app, "alice", "follow 2.12")
    await say(app, "admin", "announce to all hello followers")  # an admin's announcement is meant to be stored
    await make_worker(app, ConsoleOutbound(app.db)).run_once()
    async with app.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        assert {"chats", "subscriptions", "notifications", "audit_log", "console_inbox"} <= set(tables)
        dumped = []
        for table in tables:
            for row in (await conn.execute(text(f'SELECT * FROM "{table}"'))).all():
                dumped.append(" ".join(str(value) for value in row))
    everything = "\n".join(dumped).casefold()
    assert "hello followers" in everything  # the scan does see stored text
    assert "zqxjkw" not in everything
    if database_url.startswith("sqlite"):
        await app.db.close()
        files = [Path(database_url.split("///", 1)[1])]
        files += [Path(str(files[0]) + suffix) for suffix in ("-wal", "-journal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert b"zqxjkw" not in raw.lower()


async def test_digest_frequency_holds_alerts_until_the_digest(app) -> None:
    await say(app, "alice", "follow 2.12")
    await say(app, "alice", "frequency daily")
    await say(app, "admin", "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert outbound.sent == []
    assert await build_digests(app.db, app.settings, now=datetime(2026, 3, 3, 7, 0, tzinfo=UTC)) == 1
    await make_worker(app, outbound).run_once()
    assert [s.chat_id for s in outbound.sent] == ["alice"]
    assert "Your digest: 1 status change" in outbound.sent[0].text


async def test_forget_while_a_worker_holds_the_alert_does_not_break_the_delivery_round(app) -> None:
    await say(app, "alice", "follow 2.12")
    await say(app, "bob", "follow 2.12")
    await say(app, "admin", "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    worker = make_worker(app, outbound)
    claimed = await worker.claim(10)  # the worker has taken both rows...
    assert len(claimed) == 2
    await say(app, "bob", "forget confirm")  # ...when bob erases everything
    outcomes = [await worker._deliver(claim) for claim in claimed]
    assert sorted(outcomes) == ["sent", "skipped"]
    assert [s.chat_id for s in outbound.sent] == ["alice"]


async def test_the_console_shows_alerts_delivered_since_the_last_session(app) -> None:
    import io

    from adapters.console import chat_loop

    async def session(*lines: str) -> str:
        stdout = io.StringIO()
        await chat_loop(app.assistant, app.db, "alice", "en", stdin=io.StringIO("".join(f"{x}\n" for x in lines)),
                        stdout=stdout)
        return stdout.getvalue()

    first = await session("follow 2.12")
    assert "You now follow 2.12" in first and "Alerts since your last visit" not in first
    await say(app, "admin", 'setstatus 2.12 limited "Register opened"')
    await make_worker(app, ConsoleOutbound(app.db)).run_once()
    second = await session("quit")
    assert second.startswith("🔔 Alerts since your last visit:")
    assert "No evidence available → 🟠 Limited" in second and "Register opened" in second
    assert "[1] " in second  # the alert's buttons are shown (as numbered choices)
    third = await session("subscriptions")  # already shown: not shown twice
    assert "Alerts since your last visit" not in third and "2.12" in third
