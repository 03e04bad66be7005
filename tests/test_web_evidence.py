"""Evidence, statuses by source and what came after the plan on the public pages and in the feeds."""

from __future__ import annotations

from datetime import date

import feedparser

from bot.following.evidence import EvidenceUpdate, apply_evidence
from bot.following.levels import Assessor, Level
from tests.web_support import parse, public_client, set_status


async def record_fact(app, action_id: str, when: date, note: str, source: str, note_fr: str | None = None):
    async with app.db.session() as session, session.begin():
        return await apply_evidence(session, app.kb, EvidenceUpdate(action_id, when, note, source, note_fr=note_fr),
                                    "test")


async def test_shipped_facts_on_the_page_and_in_the_feeds(app):
    facts = app.kb.evidence["1.2"]
    async with public_client(app) as client:
        doc = parse(await (await client.get("/actions/1.2")).text())
        items = doc.xpath("//section[@aria-labelledby='evidence']//li")
        assert len(items) == len(facts)
        newest = max(facts, key=lambda f: f.date)
        assert items[0].xpath("string(time)") == newest.date.isoformat()
        assert newest.text.en in items[0].text_content()
        assert items[0].xpath(".//a/@href") == [newest.source]
        french = parse(await (await client.get("/fr/actions/1.2")).text())
        assert newest.text.fr in french.xpath("string(//section[@aria-labelledby='evidence']//li[1])")

        feed = feedparser.parse(await (await client.get("/actions/1.2/feed.atom")).read())
        assert not feed.bozo and len(feed.entries) == len(facts)
        entry = feed.entries[0]
        assert newest.date.isoformat() in entry.title and newest.source in entry.content[0].value
        path, anchor = entry.link.split("#")
        assert anchor == items[0].get("id") and path.endswith("/actions/1.2")
        everything = feedparser.parse(await (await client.get("/feed.atom")).read())
        assert sum(len(f) for f in app.kb.evidence.values()) == len(everything.entries)
        unrated = parse(await (await client.get("/actions/2.12")).text())
        assert "No dated evidence" in unrated.xpath("string(//section[@aria-labelledby='evidence'])")


async def test_statuses_by_source_and_divergence(app):
    await set_status(app, "2.12", Level.COMPLETE, "Self-assessment", "https://www.modernisation.gouv.fr/x",
                     date(2023, 9, 1), assessed_by=Assessor.GOVERNMENT)
    await set_status(app, "2.12", Level.LIMITED, "IRM results report", "https://www.opengovpartnership.org/x",
                     date(2024, 3, 1), assessed_by=Assessor.IRM)
    async with public_client(app) as client:
        doc = parse(await (await client.get("/actions/2.12")).text())
        sources = doc.xpath("string(//section[@aria-labelledby='sources'])")
        assert "Government: Complete" in sources and "Independent Reporting Mechanism: Limited" in sources
        assert "disagree" in doc.xpath("string(//p[@class='warning'])")
        assert [r.xpath("string(td[3])") for r in doc.xpath("//table//tbody/tr")] == ["IRM", "Government"]
        french = parse(await (await client.get("/fr/actions/2.12")).text())
        assert "divergent" in french.xpath("string(//p[@class='warning'])")
        feed = feedparser.parse(await (await client.get("/actions/2.12/feed.atom")).read())
        assert "Independent Reporting Mechanism" in feed.entries[0].content[0].value


async def test_recorded_fact_is_new_on_the_page_and_first_in_the_feed(app):
    async with public_client(app) as client:
        before = (await client.get("/actions/2.12")).headers["ETag"]
        await record_fact(app, "2.12", date(2024, 5, 2), "Register data analysis published <b>", "https://www.hatvp.fr/z",
                          "Analyse publiée")
        response = await client.get("/actions/2.12", headers={"If-None-Match": before})
        assert response.status == 200
        doc = parse(await response.text())
        assert "Register data analysis published <b>" in doc.xpath("string(//section[@aria-labelledby='evidence'])")
        feed = feedparser.parse(await (await client.get("/fr/feed.atom")).read())
        assert "Analyse publiée" in feed.entries[0].content[0].value
        assert feed.entries[0].link.split("#")[1] == doc.xpath("//section[@aria-labelledby='evidence']//li/@id")[0]


async def test_topic_says_what_came_after(app):
    topic = app.kb.topics["about.plan"]
    async with public_client(app) as client:
        doc = parse(await (await client.get("/fr/topics/about.plan")).text())
        items = doc.xpath("//section[@aria-labelledby='after']//li")
        assert len(items) == len(topic.after)
        assert topic.after[0].text.fr in items[0].text_content()
        assert items[0].xpath(".//a/@href") == [topic.after[0].source]


async def test_an_overdue_promise_is_on_the_page_until_something_is_recorded(app):
    """3.1 promised something by the end of 2022 (the seed); with nothing recorded since, its page says so."""
    promise = next(p for p in app.kb.actions["3.1"].promises if p.deadline)
    async with public_client(app) as client:
        english = parse(await (await client.get("/actions/3.1")).text())
        warning = english.xpath("string(//main//p[@class='warning'])")
        assert "Overdue" in warning and promise.deadline.label.en in warning
        french = parse(await (await client.get("/fr/actions/3.1")).text())
        assert "En retard" in french.xpath("string(//main//p[@class='warning'])")
        assert "Overdue" not in (await (await client.get("/actions/2.12")).text())  # no dated promise
        await set_status(app, "3.1", Level.COMPLETE)
        after = parse(await (await client.get("/actions/3.1")).text())
        assert after.xpath("//main//p[@class='warning']") == []


async def test_a_tracker_progress_is_on_the_page(app):
    from bot.following.status_updates import StatusUpdate, apply_status

    async with app.db.session() as session, session.begin():
        await apply_status(session, app.kb, StatusUpdate("2.12", Level.SUBSTANTIAL, None, "https://example.org/r/7",
                                                         date(2023, 6, 30), Assessor.GOVERNMENT, progress=60),
                           "decidim:example.org")
    async with public_client(app) as client:
        page = await (await client.get("/actions/2.12")).text()
        assert "60 % complete" in page and "government tracker" in page
        assert "réalisé à 60 %" in await (await client.get("/fr/actions/2.12")).text()
