"""Every table of the bot: one migration set (`sqlite_utils.Migrations`), applied at open.

Each migration runs once per database, in the order registered here, inside a transaction with
the record of its application (table `_sqlite_migrations`). Migrations are history: never edit
one that has shipped; add a new one. Databases made before this set existed recorded their
migrations, under the same names, in a table `migrations`: `adopt_legacy` moves those records
over, so nothing runs twice and no row is touched.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("papers-bot")
LEGACY_TABLE = "migrations"

# The papers table as its first migration created it (later columns come by later migrations).
_PAPER_COLUMNS_001 = (
    "arxiv_id", "version", "title", "abstract", "authors", "categories", "primary_category",
    "published", "updated", "announce_type", "is_cross", "doi", "journal_ref", "comments",
    "source", "first_seen", "announced",
)
_PAPER_FTS_001 = ("title", "abstract", "authors")


# lists
def _create_list_tables(db: Database) -> None:
    db.table("list_versions").create(
        {
            "id": int, "content_hash": str, "source_url": str, "etag": str,
            "last_modified": str, "fetched_at": str, "body": str,
            "entry_count": int, "top100_count": int,
        },
        pk="id",
    )
    db.table("list_entries").create(
        {
            "version_id": int, "position": int, "section": str, "section_kind": str,
            "title": str, "year": int, "authors": str, "links": str, "arxiv_id": str,
            "entry_key": str,
        },
        pk=("version_id", "position"),
        foreign_keys=[("version_id", "list_versions", "id")],
    )
    db.table("list_sections").create(
        {"version_id": int, "position": int, "name": str, "kind": str, "researchers": str},
        pk=("version_id", "position"),
        foreign_keys=[("version_id", "list_versions", "id")],
    )
    db.table("list_diffs").create(
        {
            "version_id": int, "previous_id": int, "added": int, "removed": int,
            "moved": int, "edited": int, "diff": str,
        },
        pk="version_id",
        foreign_keys=[("version_id", "list_versions", "id")],
    )
    db.table("list_entries").create_index(["arxiv_id"])
    db.table("list_entries").create_index(["entry_key"])


def _index_list_entries(db: Database) -> None:
    db.table("list_entries").enable_fts(
        ["title", "authors", "section"], create_triggers=True, tokenize="porter"
    )


# chats
def _create_chat_tables(db: Database) -> None:
    db.table("chats").create(
        {
            "chat_id": int, "chat_type": str, "title": str, "lang": str, "digest": str,
            "digest_hour": int, "active": int, "created_at": str, "deactivated_at": str,
            "deactivated_reason": str,
        },
        pk="chat_id",
        defaults={"lang": "en", "digest": "daily", "digest_hour": 8, "active": 1},
    )
    db.table("subscriptions").create(
        {"chat_id": int, "kind": str, "value": str, "created_at": str},
        pk=("chat_id", "kind", "value"),
        foreign_keys=[("chat_id", "chats", "chat_id")],
    )
    db.table("votes").create(
        {"chat_id": int, "paper_id": str, "vote": int, "voted_at": str},
        pk=("chat_id", "paper_id"),
    )


def _add_digest_marks(db: Database) -> None:
    # What the last digest covered: papers up to this rowid, list versions up to this id.
    db.table("chats").add_column("paper_mark", int, not_null_default=0)
    db.table("chats").add_column("list_mark", int, not_null_default=0)


# papers
def _create_papers(db: Database) -> None:
    types: dict[str, Any] = {column: str for column in _PAPER_COLUMNS_001}
    types.update(version=int, is_cross=int)
    db.table("papers").create(types, pk="arxiv_id", not_null={"version", "title"})
    db.table("papers").create_index(["announced"])
    db.table("papers").enable_fts(list(_PAPER_FTS_001), create_triggers=True, tokenize="porter")
    _defer_insert_trigger(db)


def _defer_insert_trigger(db: Database) -> None:
    """Index inserted rows one by one, except while store_papers indexes a batch at once."""
    # Measured on 2,000 papers: per-row trigger indexing ~140 ms, one INSERT ... SELECT ~45 ms.
    db.table("papers_fts_defer").create({"active": int})
    _deferred_insert_trigger(db)


def _deferred_insert_trigger(db: Database) -> None:
    db.execute("DROP TRIGGER IF EXISTS [papers_ai]")
    columns = ", ".join(_PAPER_FTS_001)
    values = ", ".join(f"new.{column}" for column in _PAPER_FTS_001)
    db.execute(
        "CREATE TRIGGER [papers_ai] AFTER INSERT ON papers "
        "WHEN NOT EXISTS (SELECT 1 FROM papers_fts_defer) BEGIN "
        f"INSERT INTO papers_fts (rowid, {columns}) VALUES (new.rowid, {values}); END"
    )


# arxiv_polls
def _create_poll_tables(db: Database) -> None:
    db.table("feed_polls").create(
        {
            "id": int, "url": str, "checked_at": str, "status": str, "items": int, "new": int,
            "replaced": int, "cross": int, "skipped": int, "message": str, "etag": str,
            "last_modified": str,
        },
        pk="id",
        not_null={"url", "checked_at", "status"},
    )
    db.table("feed_polls").create_index(["url", "id"])
    db.table("backfill_cursors").create(
        {
            "query": str, "since": str, "next_start": int, "stored": int, "done": int,
            "updated_at": str,
        },
        pk=("query", "since"),
    )


# scores
def _create_scores(db: Database) -> None:
    db.table("scores").create(
        {
            "arxiv_id": str, "section": str, "section_prob": float, "score": float,
            "reasons": str, "list_version": int, "scored_at": str,
        },
        pk="arxiv_id",
    )
    db.table("scores").create_index(["section", "score"])


# outbox
def _create_outbox(db: Database) -> None:
    db.table("outbox").create(
        {
            "id": int, "chat_id": int, "kind": str, "cycle": str, "part": int, "text": str,
            "keyboard": str, "status": str, "attempts": int, "last_error": str,
            "not_before": float, "created_at": str, "sent_at": str, "message_id": int,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0, "not_before": 0.0},
    )
    db.table("outbox").create_index(["chat_id", "kind", "cycle", "part"], unique=True)
    db.table("outbox").create_index(["status", "id"])


# job_runs
def _create_job_runs(db: Database) -> None:
    db.table("job_runs").create(
        {"name": str, "last_run_at": str, "last_ok_at": str, "last_summary": str,
         "seconds": float, "runs": int, "failures": int},
        pk="name", defaults={"runs": 0, "failures": 0},
    )


# suggestions
def _create_suggestions(db: Database) -> None:
    db.table("suggestions").create(
        {
            "id": int, "arxiv_id": str, "title": str, "section": str, "target_section": str,
            "score": float, "reasons": str, "line": str, "status": str, "created_at": str,
            "decided_at": str, "decided_by": int,
        },
        pk="id", defaults={"status": "pending"},
    )
    db.table("suggestions").create_index(["arxiv_id"], unique=True)


# citations
def _create_citations(db: Database) -> None:
    db.table("citations").create(
        {
            "arxiv_id": str, "citations": int, "influential": int, "publication_date": str,
            "fetched_at": str,
        },
        pk="arxiv_id",
        not_null={"fetched_at"},
    )


EXACT_TOKENS = "unicode61 remove_diacritics 2"


def _exact_token_search(db: Database) -> None:
    # Porter stemming matched "objectives" for "object" and "transforms" for "transformer":
    # index whole tokens instead (plurals are folded when the query is built). The list's
    # entries are few enough to be scored in memory, so their index goes.
    papers = db.table("papers")
    papers.disable_fts()
    db.execute("DROP TRIGGER IF EXISTS [papers_ai]")  # the deferred one (its SQL differs)
    papers.enable_fts(list(_PAPER_FTS_001), create_triggers=True, tokenize=EXACT_TOKENS)
    _deferred_insert_trigger(db)
    db.table("list_entries").disable_fts()


def _create_searches(db: Database) -> None:
    # What a chat searched for, so a "more" button can page on (callback data holds the id).
    db.table("searches").create(
        {"id": int, "chat_id": int, "query": str, "created_at": str}, pk="id",
    )


def _add_affiliations(db: Database) -> None:
    # arXiv's RSS writes "Name (Affiliation)": the affiliations, one JSON list per paper.
    db.table("papers").add_column("affiliations", str)


def _add_second_topic(db: Database) -> None:
    # A paper may fit two topics; which router judged it (older scores are judged again).
    scores = db.table("scores")
    scores.add_column("section2", str)
    scores.add_column("section2_prob", float)
    scores.add_column("ranker_version", int, not_null_default=1)
    scores.create_index(["section2", "score"])


def _add_impact(db: Database) -> None:
    # Where a paper's (expected) citations stand against the list's bar (feeds/rank/impact.py).
    scores = db.table("scores")
    scores.add_column("impact", float)
    scores.create_index(["impact"])


def _scores_announced(db: Database) -> None:
    # /papers and digests want a topic's newest papers: with the announcement day beside the
    # topic in scores, (section, announced) indexes answer that without walking every paper
    # (a rare topic used to scan them all). Triggers keep the copy equal to papers.announced.
    scores = db.table("scores")
    scores.add_column("announced", str)
    db.execute("update scores set announced = (select announced from papers "
               "where papers.arxiv_id = scores.arxiv_id)")
    scores.create_index(["section", "announced"])
    scores.create_index(["section2", "announced"])
    db.execute("create trigger scores_announced_on_insert after insert on scores begin "
               "update scores set announced = (select announced from papers "
               "where papers.arxiv_id = new.arxiv_id) where arxiv_id = new.arxiv_id; end")
    db.execute("create trigger papers_announced_to_scores after update of announced on papers "
               "begin update scores set announced = new.announced "
               "where arxiv_id = new.arxiv_id; end")


def _forum_threads(db: Database) -> None:
    # Forum supergroups: the topic (message thread) a chat's settings were last changed in,
    # where its digests go; and each queued message's thread. NULL: the chat itself (General).
    db.table("chats").add_column("thread_id", int)
    db.table("outbox").add_column("thread_id", int)


def _spread_digest_hours(db: Database) -> None:
    # Every chat got hour 8 by default and no command could change it: NULL now means "not
    # chosen", and daily digests spread by chat id (bot/pipeline/digests.py digest_hour).
    db.execute("update chats set digest_hour = null where digest_hour = 8")


def _suggestion_impact_and_decider(db: Database) -> None:
    # Suggestions are chosen and ordered by impact; a decision shows who made it.
    table = db.table("suggestions")
    table.add_column("impact", float)
    table.add_column("decided_by_name", str)
    table.create_index(["created_at"])


def _create_digest_rest(db: Database) -> None:
    # The papers of a subscription a digest left out, for its "more" button.
    db.table("digest_rest").create(
        {"id": int, "chat_id": int, "label": str, "paper_ids": str, "created_at": str}, pk="id",
    )


def _create_heartbeat(db: Database) -> None:
    # `papers-bot health` wrote this table itself before it was a migration.
    db.table("health").create({"name": str, "beat_at": str}, pk="name", if_not_exists=True)


# author_impact
def _create_author_impact(db: Database) -> None:
    # One row per (name key, Semantic Scholar author id; '' for a name given by hand): S2 names
    # are often initials ("K. He" is several people), so the name alone cannot be the key. A row
    # without counts is an id S2 answered null for, kept so it is not asked again until stale.
    db.table("author_impact").create(
        {
            "key": str, "initial_key": str, "name": str, "author_id": str, "citations": int,
            "papers": int, "h_index": int, "as_of": str, "fetched_at": str,
        },
        pk=("key", "author_id"),
        not_null={"key", "author_id", "fetched_at"},
    )
    db.table("author_impact").create_index(["initial_key"])
    db.table("author_impact").create_index(["author_id"])
    # The S2 authors of each paper, in order; `paper_authors_fetched` also records the papers
    # S2 lists no identified author for, so they are not asked again.
    db.table("paper_authors").create(
        {"arxiv_id": str, "position": int, "author_id": str, "name": str},
        pk=("arxiv_id", "position"),
    )
    db.table("paper_authors").create_index(["author_id"])
    db.table("paper_authors_fetched").create(
        {"arxiv_id": str, "authors": int, "fetched_at": str}, pk="arxiv_id",
    )


# paper_names
def _rename_papers(db: Database) -> None:
    # Names are found by more rules now (an acronym an abstract defines for its own title's
    # words): every stored paper is named again once.
    from storage.paper_names import index_names

    rows = db.conn.execute("SELECT arxiv_id, title, abstract FROM papers")
    while batch := rows.fetchmany(2000):
        index_names(db, batch)


def _create_paper_names(db: Database) -> None:
    # The short names of stored papers ("SSD", "YOLO"), by name_key, for /paper and /search;
    # existing papers are named here once, new ones as they are stored.
    from storage.paper_names import index_names

    db.table("paper_names").create(
        {"name": str, "arxiv_id": str, "source": str}, pk=("name", "arxiv_id"),
        not_null={"name", "arxiv_id", "source"},
    )
    db.table("paper_names").create_index(["arxiv_id"])
    rows = db.conn.execute("SELECT arxiv_id, title, abstract FROM papers")
    while batch := rows.fetchmany(2000):
        index_names(db, batch)


def _topic_identities(db: Database) -> None:
    # Topics are stable identities, headings their current names (issue 18): a topic
    # subscription stores its Topic value ("language"), not "Natural Language Process", and a
    # score the topics of its routed sections, so both survive the list renaming a section.
    from feeds.topic_identity import identity_of_heading, topic_for_heading

    rows = list(db.query("select chat_id, value from subscriptions where kind = 'topic'"))
    for row in rows:
        new = identity_of_heading(row["value"])
        if new != row["value"]:
            db.execute("update or ignore subscriptions set value = ? where chat_id = ? and "
                       "kind = 'topic' and value = ?", [new, row["chat_id"], row["value"]])
            db.execute("delete from subscriptions where chat_id = ? and kind = 'topic' and "
                       "value = ?", [row["chat_id"], row["value"]])  # a duplicate of `new`
    scores = db.table("scores")
    scores.add_column("topic", str)
    scores.add_column("topic2", str)
    for column, target in (("section", "topic"), ("section2", "topic2")):
        names = [r["name"] for r in db.query(f"select distinct {column} as name from scores "
                                              f"where {column} is not null")]
        for name in names:
            topic = topic_for_heading(name)
            if topic is not None:
                db.execute(f"update scores set {target} = ? where {column} = ?", [topic, name])
    scores.create_index(["topic", "announced"])
    scores.create_index(["topic2", "announced"])


def _create_list_suspects(db: Database) -> None:
    # A fetched README that lost most of the list (a broken push) waits here, neither news nor
    # the current list, until a later poll confirms it (then it becomes a list_versions row).
    db.table("list_suspects").create(
        {"id": int, "content_hash": str, "source_url": str, "fetched_at": str, "body": str,
         "entry_count": int, "top100_count": int, "against_id": int},
        pk="id",
    )


_STEPS = (
    ("lists_001_versions_entries_diffs", _create_list_tables),
    ("lists_002_entries_fts", _index_list_entries),
    ("chats_001_chats_subscriptions_votes", _create_chat_tables),
    ("chats_002_digest_marks", _add_digest_marks),
    ("papers-001-create", _create_papers),
    ("arxiv-polls-001-create", _create_poll_tables),
    ("scores_001_scores", _create_scores),
    ("outbox_001_outbox", _create_outbox),
    ("job_runs_001", _create_job_runs),
    ("suggestions_001", _create_suggestions),
    ("citations_001_counts", _create_citations),
    ("health_001_heartbeat", _create_heartbeat),
    ("search_002_exact_tokens", _exact_token_search),
    ("searches_001", _create_searches),
    ("papers_003_affiliations", _add_affiliations),
    ("scores_002_second_topic", _add_second_topic),
    ("digest_rest_001", _create_digest_rest),
    ("scores_003_impact", _add_impact),
    ("suggestions_002_impact_decider", _suggestion_impact_and_decider),
    ("author_impact_001_impacts_paper_authors", _create_author_impact),
    ("scores_004_announced", _scores_announced),
    ("chats_003_forum_threads", _forum_threads),
    ("chats_004_spread_digest_hours", _spread_digest_hours),
    ("paper_names_001", _create_paper_names),
    ("topics_001_stable_identities", _topic_identities),
    ("lists_002_suspect_versions", _create_list_suspects),
    ("paper_names_002_title_acronyms", _rename_papers),
)
for _name, _step in _STEPS:
    MIGRATIONS(name=_name)(_step)


def adopt_legacy(db: Database) -> int:
    """Move a pre-`Migrations` database's records into `_sqlite_migrations`; return how many."""
    if LEGACY_TABLE not in db.table_names():
        return 0
    applied = {m.name for m in MIGRATIONS.applied(db)}
    rows = [row for row in db.table(LEGACY_TABLE).rows if row["name"] not in applied]
    with db.atomic():
        MIGRATIONS.ensure_migrations_table(db)
        db.table(Migrations.migrations_table).insert_all(
            {"migration_set": MIGRATIONS.name, "name": row["name"], "applied_at": row["applied_at"]}
            for row in rows
        )
        db.table(LEGACY_TABLE).drop()
    return len(rows)


class SchemaNewer(Exception):
    """The database was migrated by a newer version of the code: writing could damage it."""


def unknown_migrations(applied: set[str]) -> list[str]:
    """Applied migrations this version of the code does not know (a newer version ran)."""
    return sorted(applied - set(known_migrations()))


def migrate(db: Database) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names.

    Raise SchemaNewer, touching nothing, when a newer version of the code migrated it.
    """
    if Migrations.migrations_table in db.table_names():
        applied = {m.name for m in MIGRATIONS.applied(db)}
        unknown = unknown_migrations(applied)
        if unknown:
            raise SchemaNewer(f"it was migrated by a newer papers-bot ({', '.join(unknown)}): "
                              "upgrade papers-bot, or restore a backup made by this version")
    adopt_legacy(db)
    pending = [m.name for m in MIGRATIONS.pending(db)]
    MIGRATIONS.apply(db)
    return pending


def known_migrations() -> tuple[str, ...]:
    """The names of every migration this version of the code knows."""
    return tuple(name for name, _ in _STEPS)
