# awesome-papers-bot: one process, one SQLite file on the /data volume.
#   docker build -t awesome-papers-bot .
#   docker run -d -e TELEGRAM_BOT_TOKEN=... -v papers-data:/data awesome-papers-bot
# or, with every setting spelled out: docker compose up -d (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PAPERS_BOT_DB=/data/papers-bot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY feeds ./feeds
COPY storage ./storage

# Only PyPI is needed (matplotlib, for /trends, is a dependency).
RUN pip install . \
    && groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/bot bot \
    && mkdir -p /data \
    && chown bot:bot /data

USER bot
# Build matplotlib's font cache now, not on the first /trends.
RUN python -c "import matplotlib.font_manager"

VOLUME ["/data"]

# Healthy: the database takes a write and the list or arXiv was polled in the last 26 h
# (a fresh volume counts from its creation). Exit 1 means unhealthy.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=3 \
    CMD ["papers-bot", "health"]

CMD ["papers-bot", "run"]
