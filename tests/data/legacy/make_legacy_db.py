"""Build tests/data/legacy/main-b4d6238.db with the code of main before the redesign.

    git worktree add /tmp/old b4d6238 && cd /tmp/old && python .../make_legacy_db.py OUT.db
"""
import asyncio, json, sqlite3, sys
from datetime import date, datetime, UTC
from pathlib import Path
sys.path.insert(0, ".")  # run from a checkout of b4d6238
from bot.list_watch import seed_bundled
from bot.scoring import score_unscored
from bot.compose import compose_digests
from bot.maintainers import make_suggestions
from bot.cli_ops import check_health
from feeds.arxiv_rss import parse_arxiv_rss
from feeds.bundled import bundled_snapshot
from feeds.citations import CitationCount
from storage import chats, citations, job_runs, outbox, papers, suggestions
from storage.arxiv_polls import FeedPoll, record_poll, save_cursor, BackfillCursor
from storage.db import open_db

out = Path(sys.argv[1]); out.unlink(missing_ok=True)
db = open_db(out)
seed_bundled(db)
feed = parse_arxiv_rss(Path("tests/data/arxiv/rss2_ml6_2017-03-14.xml").read_bytes())
papers.store_papers(db, feed.papers, announced=date(2017, 3, 14))
score_unscored(db, bundled_snapshot())
chats.ensure_chat(db, 1001, "private", "", lang="zh")
chats.set_chat_setting(db, 1001, digest="instant")
chats.subscribe(db, 1001, "keyword", "learning")
chats.subscribe(db, 1001, "topic", "Unsupervised / Generative Models")
chats.ensure_chat(db, -100123, "supergroup", "DL readers")
chats.record_vote(db, 1001, feed.papers[0].arxiv_id, 1)
db.execute("update chats set paper_mark = 0, list_mark = 0")
compose_digests(db, "instant", datetime(2017, 3, 14, 23, 0, tzinfo=UTC))
outbox.mark_sent(db, 1, 42)
record_poll(db, FeedPoll("https://rss.arxiv.org/rss/cs.LG", "ok", items=13, new=13, etag='"e1"'))
save_cursor(db, BackfillCursor("cat:cs.LG", "2017-01-01", 200, 180, False))
job_runs.record_run(db, "poll_arxiv", True, "arXiv: 13 new", 1.5)
citations.save_citations(db, [CitationCount(feed.papers[1].arxiv_id, 12, 1, "2017-03-13")])
made = make_suggestions(db, bundled_snapshot(), datetime(2017, 3, 15, tzinfo=UTC), min_score=-99)
if made:
    suggestions.decide(db, made[0].id, "accepted", 999)
check_health(out, 3600, datetime.now(UTC))  # the old health check created its own table
db.conn.execute("pragma wal_checkpoint(TRUNCATE)")
db.conn.close()
conn = sqlite3.connect(out)
conn.execute("pragma journal_mode = delete")
conn.execute("vacuum")
print({r[0]: conn.execute(f'select count(*) from "{r[0]}"').fetchone()[0] for r in conn.execute("select name from sqlite_master where type='table' and name not like '%fts%' order by name")})
conn.close()
