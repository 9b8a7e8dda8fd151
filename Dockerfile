FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PAPERS_BOT_DB=/data/papers-bot.db
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY feeds ./feeds
COPY storage ./storage
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 bot \
    && mkdir /data && chown bot /data
USER bot
VOLUME ["/data"]
CMD ["papers-bot", "run"]
