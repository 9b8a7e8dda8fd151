"""User-facing strings in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "welcome": {
        "en": "Hi! I follow arXiv and the <b>awesome-deep-learning-papers</b> list and send you "
              "the new papers on the topics you pick. Tap a topic to subscribe, or try "
              "/papers gan, /search attention, /new. /help lists everything.",
        "zh": "你好！我关注 arXiv 和 <b>awesome-deep-learning-papers</b> 论文列表，"
              "把你选择的主题的新论文发给你。点一个主题即可订阅，或试试 /papers gan、"
              "/search attention、/new。/help 查看全部命令。",
    },
    "help_title": {"en": "<b>Commands</b>", "zh": "<b>命令</b>"},
    "topics_title": {
        "en": "<b>Topics of the list</b> (papers in each). Tap one to see its papers.",
        "zh": "<b>列表的主题</b>（括号内为论文数）。点击查看论文。",
    },
    "need_topic": {
        "en": "Which topic? For example: /{command} gan. /topics lists them all.",
        "zh": "哪个主题？例如：/{command} gan。/topics 列出全部主题。",
    },
    "unknown_topic": {
        "en": "I don't know the topic “{topic}”.{suggest} /topics lists them all.",
        "zh": "没有找到主题“{topic}”。{suggest}/topics 列出全部主题。",
    },
    "did_you_mean": {"en": " Did you mean: {names}?", "zh": "你是不是要找：{names}？"},
    "papers_title": {
        "en": "<b>{topic}</b> — page {page}/{pages}",
        "zh": "<b>{topic}</b> — 第 {page}/{pages} 页",
    },
    "on_the_list": {"en": "<b>On the list</b>", "zh": "<b>列表中的论文</b>"},
    "newest_routed": {"en": "<b>New on arXiv</b>", "zh": "<b>arXiv 新论文</b>"},
    "no_papers": {"en": "No papers here yet.", "zh": "这里还没有论文。"},
    "need_words": {
        "en": "What should I search for? For example: /search attention is all you need",
        "zh": "要搜索什么？例如：/search attention is all you need",
    },
    "no_results": {
        "en": "Nothing found for “{query}”. Try fewer or other words.",
        "zh": "没有找到“{query}”的结果。试试更少或其他的词。",
    },
    "search_title": {"en": "<b>Results for “{query}”</b>", "zh": "<b>“{query}”的搜索结果</b>"},
    "need_paper": {
        "en": "Which paper? Give an arXiv id or a title: /paper 1512.03385",
        "zh": "哪篇论文？请给出 arXiv 编号或标题：/paper 1512.03385",
    },
    "paper_not_found": {
        "en": "I could not find the paper “{query}”. Try /search {query}",
        "zh": "没有找到论文“{query}”。试试 /search {query}",
    },
    "no_announcement": {
        "en": "arXiv does not announce new papers on weekends and holidays; "
              "the next announcement is {when}.",
        "zh": "arXiv 在周末和节假日不发布新论文；下一次发布时间是 {when}。",
    },
    "nothing_new": {
        "en": "No new papers stored for today yet. The next arXiv announcement is {when}.",
        "zh": "今天还没有新论文。下一次 arXiv 发布时间是 {when}。",
    },
    "new_title": {
        "en": "<b>Today's top papers ({date})</b>", "zh": "<b>今日热门论文（{date}）</b>"
    },
    "need_subscription": {
        "en": "Subscribe to a topic or a quoted keyword: /subscribe gan or "
              "/subscribe \"graph neural network\"",
        "zh": "订阅主题或带引号的关键词：/subscribe gan 或 /subscribe \"graph neural network\"",
    },
    "subscribed": {"en": "Subscribed to {what}.", "zh": "已订阅 {what}。"},
    "already_subscribed": {"en": "You already follow {what}.", "zh": "你已经订阅了 {what}。"},
    "unsubscribed": {"en": "Unsubscribed from {what}.", "zh": "已取消订阅 {what}。"},
    "not_subscribed": {"en": "You don't follow {what}.", "zh": "你没有订阅 {what}。"},
    "bad_keyword": {
        "en": "A keyword needs 2–60 letters or digits, e.g. /subscribe \"diffusion model\".",
        "zh": "关键词需要 2–60 个字母或数字，例如 /subscribe \"diffusion model\"。",
    },
    "mysubs_title": {"en": "<b>Your subscriptions</b>", "zh": "<b>你的订阅</b>"},
    "mysubs_none": {
        "en": "No subscriptions yet. /topics to pick one.",
        "zh": "还没有订阅。用 /topics 选择一个主题。",
    },
    "mysubs_digest": {"en": "Digest: {mode}, language: {lang}", "zh": "摘要：{mode}，语言：{lang}"},
    "digest_usage": {
        "en": "Use /digest instant, /digest daily, /digest weekly or /digest off.",
        "zh": "用法：/digest instant、/digest daily、/digest weekly 或 /digest off。",
    },
    "digest_set": {"en": "Digest set to {mode}.", "zh": "摘要频率已设为 {mode}。"},
    "lang_usage": {"en": "Use /lang en or /lang zh.", "zh": "用法：/lang en 或 /lang zh。"},
    "lang_set": {"en": "I will answer in English.", "zh": "我会用中文回答。"},
    "authors_title": {
        "en": "<b>Most frequent authors of the top-100 papers</b> (papers each, all co-authors)",
        "zh": "<b>前 100 篇论文中出现最多的作者</b>（论文数，含全部合著者）",
    },
    "researchers_title": {
        "en": "<b>Key researchers: {topic}</b>", "zh": "<b>关键研究者：{topic}</b>"
    },
    "no_researchers": {
        "en": "The list names no key researchers for {topic}.",
        "zh": "列表没有列出 {topic} 的关键研究者。",
    },
    "admins_only": {
        "en": "Only the group's admins can change its subscriptions and settings.",
        "zh": "只有群管理员可以更改本群的订阅和设置。",
    },
    "maintainers_only": {
        "en": "Sorry, this command is for the list's maintainers.",
        "zh": "抱歉，此命令仅供列表维护者使用。",
    },
    "expired_button": {
        "en": "That button has expired — send the command again.",
        "zh": "该按钮已失效，请重新发送命令。",
    },
    "vote_thanks": {
        "en": "Thanks — I will order papers for this chat with that in mind.",
        "zh": "谢谢——我会据此调整本聊天的论文排序。",
    },
    "unknown_command": {
        "en": "I don't know that command. /help lists what I can do.",
        "zh": "我不认识这个命令。/help 查看可用命令。",
    },
    "error": {
        "en": "Sorry, something went wrong on my side; please try again later.",
        "zh": "抱歉，出了点问题，请稍后再试。",
    },
    "news_title": {"en": "<b>📋 List changes</b>", "zh": "<b>📋 列表变更</b>"},
    "news_added": {"en": "added to {section}", "zh": "已加入 {section}"},
    "news_removed": {"en": "removed from {section}", "zh": "已从 {section} 移除"},
    "news_moved": {"en": "moved {old} → {new}", "zh": "从 {old} 移至 {new}"},
    "more_papers": {"en": " (+{n} more)", "zh": "（另有 {n} 篇）"},
    "score": {"en": "score {value}", "zh": "得分 {value}"},
    "subscribe_button": {"en": "➕ Subscribe", "zh": "➕ 订阅"},
    "prev": {"en": "◀ Prev", "zh": "◀ 上一页"},
    "next": {"en": "Next ▶", "zh": "下一页 ▶"},
}


def t(lang: str, key: str, /, **values: object) -> str:
    """Return the message `key` in `lang` (English fallback) with values filled in."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**values)
