"""Every user-facing text, in English and Chinese: the one catalogue (a test checks both).

`t(lang, key, **values)` fills a text in; a key without Chinese falls back to English, but
tests/system/test_rules.py fails when any key lacks either language, and
tests/bot/test_strings_html.py when any text of any catalogue here is HTML Telegram refuses.
"""

from __future__ import annotations

from typing import Any

from feeds.bundled import chinese_section_names
from feeds.model import Lang, Reason, ReasonKey, Section

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
    "page_of": {"en": "— page {page}/{pages}", "zh": "— 第 {page}/{pages} 页"},
    "more_results": {"en": "More ▶", "zh": "更多 ▶"},
    "paper_not_found_close": {
        "en": "I could not find the paper “{query}”. Did you mean one of these?",
        "zh": "没有找到论文“{query}”。你是不是要找下面这些？",
    },
    "need_paper": {
        "en": "Which paper? Give an arXiv id or a title: /paper 1512.03385",
        "zh": "哪篇论文？请给出 arXiv 编号或标题：/paper 1512.03385",
    },
    "paper_not_found": {
        "en": "I could not find the paper “{query}”. Try /search {query}",
        "zh": "没有找到论文“{query}”。试试 /search {query}",
    },
    "plain_text_hint": {
        "en": "I answer commands: /help lists them, and /search with some words finds papers, "
              "e.g. /search attention",
        "zh": "我只回应命令：/help 查看全部命令；/search 加关键词搜索论文，例如 /search attention",
    },
    "abstract_label": {"en": "Abstract: ", "zh": "摘要："},  # the abstract follows at once
    "more_authors": {"en": "… and {count} more", "zh": "……等另外 {count} 位作者"},
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
    "news_subscription_hint": {
        "en": "You will get the list's additions to this section with your digests.",
        "zh": "列表向该栏目新增的论文会随摘要发给你。",
    },
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
        "en": "Use /digest instant, /digest daily, /digest weekly or /digest off; "
              "/digest daily 7 sends it at 07:00 UTC.",
        "zh": "用法：/digest instant、/digest daily、/digest weekly 或 /digest off；"
              "/digest daily 7 表示在 UTC 7:00 发送。",
    },
    "digest_set": {"en": "Digest set to {mode}.", "zh": "摘要频率已设为{mode}。"},
    "digest_set_hour": {"en": "Digest set to {mode}, at {hour:02d}:00 UTC.",
                        "zh": "摘要频率已设为{mode}，UTC {hour:02d}:00 发送。"},
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
    "news_more": {
        "en": "<i>… and {n} more changes in your topics:</i> {link}",
        "zh": "<i>……你的主题还有 {n} 处变更：</i>{link}",
    },
    "news_full_diff": {"en": "the full history", "zh": "完整修改记录"},
    "news_full_diff_cli": {
        "en": "<code>papers-bot list diff</code> shows them all",
        "zh": "<code>papers-bot list diff</code> 可查看全部",
    },
    "news_added": {"en": "added to {section}", "zh": "已加入 {section}"},
    "news_removed": {"en": "removed from {section}", "zh": "已从 {section} 移除"},
    "news_moved": {"en": "moved {old} → {new}", "zh": "从 {old} 移至 {new}"},
    "more_papers": {"en": " (+{n} more)", "zh": "（另有 {n} 篇）"},
    "left_out": {
        "en": "the {shown} that matter most of {total} on the topic; {n} more below the button",
        "zh": "共 {total} 篇契合主题，这里是最重要的 {shown} 篇；另外 {n} 篇见下方按钮",
    },
    "show_rest": {"en": "{n} more: {topic}", "zh": "另外 {n} 篇：{topic}"},
    "rest_title": {"en": "— {n} more from your digest", "zh": "— 摘要中另外的 {n} 篇"},
    "subscribe_button": {"en": "➕ Subscribe", "zh": "➕ 订阅"},
    "prev": {"en": "◀ Prev", "zh": "◀ 上一页"},
    "next": {"en": "Next ▶", "zh": "下一页 ▶"},

    # Command descriptions for /help and Telegram's command menu (key: cmd_<name>).
    "cmd_start": {"en": "what this bot does; subscribe with one tap", "zh": "机器人简介；一键订阅"},
    "cmd_help": {"en": "all commands", "zh": "全部命令"},
    "cmd_topics": {"en": "the list's topics with paper counts", "zh": "列表的主题及论文数"},
    "cmd_papers": {"en": "a topic's papers: the list's and new ones from arXiv",
                   "zh": "某主题的论文：列表中的和 arXiv 新论文"},
    "cmd_search": {"en": "search the list and stored arXiv papers",
                   "zh": "搜索列表和已收录的 arXiv 论文"},
    "cmd_paper": {"en": "one paper: authors, links, topic, standing and reasons",
                  "zh": "单篇论文：作者、链接、主题、排位和理由"},
    "cmd_new": {"en": "today's top ranked arXiv papers", "zh": "今日排名最高的 arXiv 论文"},
    "cmd_subscribe": {"en": "follow a topic or a keyword phrase", "zh": "订阅主题或关键词"},
    "cmd_unsubscribe": {"en": "stop following a topic or keyword", "zh": "取消订阅主题或关键词"},
    "cmd_mysubs": {"en": "this chat's subscriptions and settings", "zh": "本聊天的订阅和设置"},
    "cmd_digest": {"en": "how often digests arrive", "zh": "摘要推送频率"},
    "cmd_lang": {"en": "answer in English or Chinese", "zh": "使用英文或中文回答"},
    "cmd_authors": {"en": "most frequent authors on the list, per topic",
                    "zh": "列表中最常见的作者（按主题）"},
    "cmd_researchers": {"en": "a topic's key researchers with links",
                        "zh": "某主题的关键研究者及链接"},
    "cmd_trends": {"en": "a chart of new papers per topic per week",
                   "zh": "每周各主题新论文数量图表"},
    "cmd_suggestions": {"en": "pending suggestions for the list (maintainers)",
                        "zh": "待处理的列表建议（维护者）"},
    "cmd_refresh": {"en": "poll the list and arXiv now (maintainers)",
                    "zh": "立即检查列表和 arXiv（维护者）"},
    "cmd_stats": {"en": "counts of chats, papers, deliveries (maintainers)",
                  "zh": "聊天、论文、推送统计（维护者）"},
    # Digest titles.
    "digest_title_instant": {"en": "<b>📬 New papers for you</b>",
                             "zh": "<b>📬 为你推荐的新论文</b>"},
    "digest_title_daily": {"en": "<b>📬 Daily digest — {date}</b>",
                           "zh": "<b>📬 每日论文摘要 — {date}</b>"},
    "digest_title_weekly": {"en": "<b>📬 Weekly digest — week of {date}</b>",
                            "zh": "<b>📬 每周论文摘要 — {date} 这一周</b>"},
    # The /trends chart.
    "chart_title": {"en": "Papers per topic per week (last {weeks} weeks)",
                    "zh": "每周各主题论文数（最近 {weeks} 周）"},
    "chart_other": {"en": "other", "zh": "其他"},
    "chart_empty": {"en": "No data yet", "zh": "暂无数据"},
    "chart_papers": {"en": "papers", "zh": "论文数"},
    "chart_week": {"en": "week starting", "zh": "周起始日"},
    # Maintainers.
    "no_suggestions": {
        "en": "No pending suggestions. They are made weekly, only from papers over the bar "
              "(SUGGESTIONS_PER_WEEK at most); /refresh looks now.",
        "zh": "没有待处理的建议。建议每周生成，只选达到门槛的论文（每周最多 "
              "SUGGESTIONS_PER_WEEK 条）；/refresh 立即检查。",
    },
    "suggestion_target": {"en": "→ <b>{target}</b>", "zh": "→ <b>{target}</b>"},
    "suggestion_decided": {"en": "{status} by {name} ({day})",
                           "zh": "{name} 已标记为{status}（{day}）"},
    "suggestion_decided_anonymous": {"en": "{status} ({day})", "zh": "已标记为{status}（{day}）"},
    "suggestions_page": {"en": "Suggestions {first}–{last} of {total}, most important first.",
                         "zh": "建议 {first}–{last}，共 {total} 条，按重要性排序。"},
    "decide_already": {"en": "Already {status} by {name}.", "zh": "{name} 已标记为{status}。"},
    "suggestion_topic": {"en": " (topic: {topic})", "zh": "（主题：{topic}）"},
    "suggestion_status_pending": {"en": "pending", "zh": "待处理"},
    "suggestion_status_accepted": {"en": "accepted", "zh": "已接受"},
    "suggestion_status_rejected": {"en": "rejected", "zh": "已拒绝"},
    "suggestion_status_later": {"en": "later", "zh": "稍后处理"},
    "button_accept": {"en": "✅ Accept", "zh": "✅ 接受"},
    "button_reject": {"en": "❌ Reject", "zh": "❌ 拒绝"},
    "button_later": {"en": "⏳ Later", "zh": "⏳ 稍后"},
    "decide_maintainers_only": {
        "en": "Sorry, only the list's maintainers decide on suggestions.",
        "zh": "抱歉，只有列表维护者可以处理建议。",
    },
    "decide_expired": {"en": "That button has expired — send /suggestions again.",
                       "zh": "该按钮已失效，请重新发送 /suggestions。"},
    "decide_unknown": {"en": "That suggestion no longer exists.", "zh": "该建议已不存在。"},
    "decide_done": {"en": "Marked {status}.", "zh": "已标记为{status}。"},
    "refreshing": {
        "en": "Refreshing: polling the list and arXiv now; I will report when done.",
        "zh": "正在刷新：立即检查列表和 arXiv；完成后我会报告。",
    },
    "job_report": {"en": "{job}: {summary}", "zh": "{job}：{summary}"},
    "stats_title": {"en": "<b>Stats</b>", "zh": "<b>统计</b>"},
    "stats_chats": {"en": "chats: {active} active, {inactive} inactive",
                    "zh": "聊天：{active} 个活跃，{inactive} 个停用"},
    "stats_subscriptions": {"en": "subscriptions: {n}", "zh": "订阅：{n}"},
    "stats_papers": {"en": "papers: {stored} stored, {scored} scored",
                     "zh": "论文：已收录 {stored}，已评分 {scored}"},
    "stats_versions": {"en": "list versions: {n}", "zh": "列表版本：{n}"},
    "stats_deliveries": {"en": "deliveries: {counts}", "zh": "推送：{counts}"},
    "stats_suggestions": {"en": "suggestions: {n}", "zh": "建议：{n}"},
    "stats_job": {"en": "job {name}: {runs} runs, {failures} failed, last {last}: {summary}",
                  "zh": "任务 {name}：运行 {runs} 次，失败 {failures} 次，最近 {last}：{summary}"},
    # Reasons the ranker gives (keys of feeds.model.ReasonKey).
    "reason_listed": {"en": "already on the list ({section})", "zh": "已在列表中（{section}）"},
    "reason_co_author": {"en": "{name}: {count} {papers} on the list",
                         "zh": "{name}：列表中有 {count} 篇论文"},
    "reason_co_authors": {"en": "co-authors of list papers: {names}",
                          "zh": "列表论文的合著者：{names}"},
    "reason_co_authors_more": {"en": "co-authors of list papers: {names} and {more} more",
                               "zh": "列表论文的合著者：{names} 等另外 {more} 人"},
    "reason_key_researcher": {"en": "key researcher of the list: {names}",
                              "zh": "列表的关键研究者：{names}"},
    "reason_venue_accepted": {"en": "Accepted at {venue}", "zh": "已被 {venue} 接收"},
    "reason_venue_published": {"en": "Published in {venue}", "zh": "发表于 {venue}"},
    "reason_venue_workshop": {"en": "Workshop paper at {venue}", "zh": "{venue} 研讨会论文"},
    "reason_venue_submitted": {"en": "Submitted to {venue} (not yet accepted)",
                               "zh": "已投稿至 {venue}（尚未接收）"},
    "reason_similar": {"en": "similar to list paper “{title}”", "zh": "与列表论文“{title}”相似"},
    "reason_revised": {"en": "revised after first posting (v{version})",
                       "zh": "首次发布后已修订（v{version}）"},
    "reason_list_share": {"en": "{name}: {papers} list papers, {earlier} papers seen before "
                                "this one",
                          "zh": "{name}：列表中 {papers} 篇论文，此前共 {earlier} 篇论文"},
    "reason_citations_new": {"en": "{citations} citations in {age}: new, judged by its pace "
                                   "against the first year's bar of {bar}",
                             "zh": "{age}内被引 {citations} 次：新论文，"
                                   "按被引速度对照首年门槛 {bar}"},
    "reason_citations_above": {"en": "{citations} citations in {age}, the list's bar is {bar}",
                               "zh": "{age}内被引 {citations} 次，列表门槛为 {bar}"},
    "reason_citations_below": {"en": "{citations} citations in {age}, below the list's bar of "
                                     "{bar}",
                               "zh": "{age}内被引 {citations} 次，低于列表门槛 {bar}"},
    "reason_authors_record": {"en": "authors' earlier work: {citations} citations, h-index "
                                    "{h_index} ({name})",
                              "zh": "作者既往工作：被引 {citations} 次，"
                                    "h 指数 {h_index}（{name}）"},
    "reason_industry_lab": {"en": "from {lab}", "zh": "来自 {lab}"},
    "reason_code_released": {"en": "code released", "zh": "已公开代码"},
    "reason_benchmarks": {"en": "results on {names}", "zh": "在 {names} 上的结果"},
    "reason_day0_estimate": {"en": "day-0 estimate: about {expected} citations in its first "
                                   "year (the list's bar: {bar})",
                             "zh": "首日预估：首年约被引 {expected} 次（列表门槛：{bar}）"},
    "reason_liked_section": {"en": "you liked papers in {section}",
                             "zh": "你喜欢 {section} 的论文"},
    "reason_disliked_section": {"en": "you disliked papers in {section}",
                                "zh": "你不喜欢 {section} 的论文"},
    "reason_liked_author": {"en": "you liked papers by {name}", "zh": "你喜欢 {name} 的论文"},
    "reason_disliked_author": {"en": "you disliked papers by {name}",
                               "zh": "你不喜欢 {name} 的论文"},
    "reason_text": {"en": "{text}", "zh": "{text}"},
    "age_months": {"en": "{n} months", "zh": "{n} 个月"},
    "age_month": {"en": "1 month", "zh": "1 个月"},
    "age_years": {"en": "{n} years", "zh": "{n} 年"},
    "paper_word": {"en": "paper", "zh": "篇"},
    "papers_word": {"en": "papers", "zh": "篇"},
    # fit gate and standing (issue 18: fit is a gate; no raw scores)
    "standing_fit": {"en": "topic fit {value}", "zh": "主题契合度 {value}"},
    "standing_top": {"en": "expected impact: top {percent}% of ML papers",
                     "zh": "预期影响：机器学习论文前 {percent}%"},
    "standing_lower": {"en": "expected impact: below the median ML paper",
                       "zh": "预期影响：低于机器学习论文的中位数"},
    "papers_order": {
        "en": "<i>The list's papers in the list's order, then up to {n} of the newest arXiv "
              "papers with a topic fit of at least {bar} (0–1, how surely a paper belongs here), "
              "most important first.</i>",
        "zh": "<i>先按列表顺序列出列表中的论文，再列出主题契合度不低于 {bar}"
              "（0–1，论文属于本主题的把握）的最新 arXiv 论文（至多 {n} 篇），"
              "按重要性从高到低排列。</i>",
    },
    # Chinese as a first language (issue 18): Chinese keyword subscriptions
    "keyword_zh_english": {
        "en": "arXiv papers are in English: this keyword matches papers on {english}.",
        "zh": "arXiv 论文是英文的：这个关键词按英文术语 {english} 匹配论文。",
    },
    "keyword_zh_unknown": {
        "en": "“{keyword}” is not in the bot's Chinese glossary, so it can only match Chinese "
              "text and titles; arXiv papers are in English and will not match it.{close} "
              "Subscribe to the English term instead, e.g. /subscribe \"object detection\".",
        "zh": "“{keyword}”不在术语表中，只能匹配中文文本和标题；arXiv 论文是英文的，不会匹配到它。"
              "{close}建议改用英文术语订阅，例如 /subscribe \"object detection\"。",
    },
    "keyword_zh_close": {"en": " Close terms: {terms}.", "zh": "相近的术语：{terms}。"},
    "keyword_zh_hint": {
        "en": "To follow it as a keyword: /subscribe \"{keyword}\"",
        "zh": "按关键词订阅：/subscribe \"{keyword}\"",
    },
    # short names (/paper NAME when several papers go by it)
    "paper_several": {
        "en": "Several papers go by “{query}”. Which one do you mean?",
        "zh": "有几篇论文都叫“{query}”，你要找哪一篇？",
    },
    # topics that survive the list's changes (issue 18, deliverable 3)
    "topic_notice_renamed": {
        "en": "🔁 The list renamed <b>{old}</b> to <b>{new}</b>. You still follow it; /papers, "
              "/mysubs and /unsubscribe know both names.",
        "zh": "🔁 列表把 <b>{old}</b> 改名为 <b>{new}</b>。你的订阅照旧；/papers、/mysubs 和 "
              "/unsubscribe 新旧名称都认。",
    },
    "topic_notice_merged": {
        "en": "🔗 The list merged <b>{old}</b> and {others} into <b>{new}</b>. You now follow "
              "<b>{new}</b>.",
        "zh": "🔗 列表把 <b>{old}</b> 和 {others} 合并为 <b>{new}</b>。你现在订阅的是 "
              "<b>{new}</b>。",
    },
    "topic_notice_split": {
        "en": "✂️ The list split <b>{old}</b>: you keep following <b>{new}</b>; {others} is a "
              "section of its own now (/subscribe to follow it too).",
        "zh": "✂️ 列表拆分了 <b>{old}</b>：你继续订阅 <b>{new}</b>；{others} 现在自成一节"
              "（可用 /subscribe 另行订阅）。",
    },
    # Texts: digest settings, dates and job names in the reader's language (issue 18).
    "digest_mode_instant": {"en": "instant", "zh": "即时"},
    "digest_mode_daily": {"en": "daily", "zh": "每日"},
    "digest_mode_weekly": {"en": "weekly", "zh": "每周"},
    "digest_mode_off": {"en": "off", "zh": "关闭"},
    "digest_when_instant": {"en": "instant, as papers arrive", "zh": "即时（有新论文即发送）"},
    "digest_when_daily": {"en": "daily at {hour:02d}:00 UTC", "zh": "每日 UTC {hour:02d}:00"},
    "digest_when_weekly": {"en": "weekly, Mondays at {hour:02d}:00 UTC",
                           "zh": "每周一 UTC {hour:02d}:00"},
    "digest_when_off": {"en": "off", "zh": "关闭"},
    "lang_name_en": {"en": "English", "zh": "英文"},
    "lang_name_zh": {"en": "Chinese", "zh": "中文"},
    "weekday_names": {"en": "Mon Tue Wed Thu Fri Sat Sun",
                      "zh": "周一 周二 周三 周四 周五 周六 周日"},
    "month_names": {"en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
                    "zh": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月"},
    "eastern_time": {"en": "{weekday} {day:02d} {month} {time} US/Eastern",
                     "zh": "{month}{day}日 {weekday} {time}（美东时间）"},
    "utc_time": {"en": "{day} {time} UTC", "zh": "{day} {time} UTC"},
    "job_poll_list": {"en": "list poll", "zh": "列表检查"},
    "job_poll_arxiv": {"en": "arXiv poll", "zh": "arXiv 检查"},
    "job_digests": {"en": "digests", "zh": "摘要"},
    "job_deliver": {"en": "delivery", "zh": "消息发送"},
    "job_citations": {"en": "citations", "zh": "引用数更新"},
    "job_list_papers": {"en": "list papers", "zh": "列表论文记录"},
    "job_suggestions": {"en": "suggestions", "zh": "建议"},
    "job_refresh": {"en": "refresh", "zh": "刷新"},
    "list_comma": {"en": ", ", "zh": "，"},
    "delivery_pending": {"en": "{n} pending", "zh": "待发送 {n}"},
    "delivery_sending": {"en": "{n} sending", "zh": "发送中 {n}"},
    "delivery_sent": {"en": "{n} sent", "zh": "已发送 {n}"},
    "delivery_unconfirmed": {"en": "{n} unconfirmed", "zh": "未确认 {n}"},
    "delivery_failed": {"en": "{n} failed", "zh": "失败 {n}"},
    "delivery_dead": {"en": "{n} dead", "zh": "聊天已停用 {n}"},
    "usage_topic": {"en": "TOPIC", "zh": "主题"},
    "usage_words": {"en": "WORDS", "zh": "关键词"},
    "usage_id": {"en": "ID", "zh": "编号"},
    "usage_title": {"en": "TITLE", "zh": "标题"},
    "usage_keyword": {"en": "keyword", "zh": "关键词"},
    "usage_hour": {"en": "HOUR", "zh": "小时"},
    "usage_weeks": {"en": "WEEKS", "zh": "周数"},
    # chats under hostile conditions (issue 20: subscription cap, one refresh at a time)
    "too_many_keywords": {
        "en": "This chat already follows {n} keywords, the most a chat may have. "
              "/unsubscribe one first (/mysubs lists them).",
        "zh": "本聊天已关注 {n} 个关键词，已达上限。"
              "请先用 /unsubscribe 取消一个（/mysubs 可查看）。",
    },
    "refresh_busy": {
        "en": "A refresh is already running; I will report when it is done.",
        "zh": "已有一次刷新正在进行；完成后我会报告。",
    },
    # the offline console (issue 20, deliverable 3): what a console /refresh leaves queued
    "console_outbox_held": {
        "en": "{n} messages wait in the outbox: the running bot sends them (or `papers-bot "
              "deliver`); the console sends nothing.",
        "zh": "发件箱中有 {n} 条消息待发送：由运行中的机器人发送（或运行 `papers-bot deliver`）；"
              "控制台不发送任何消息。",
    },
    # Network and storage faults (issue 20, h-net): what a user is told when the bot cannot
    # save anything (its disk is full).
    "storage_unavailable": {
        "en": "I cannot save anything right now (the server's disk is full). I will answer "
              "this message by myself as soon as I can.",
        "zh": "我现在无法保存任何数据（服务器磁盘已满）。一旦恢复，我会自动回复这条消息。",
    },
    "trends_ignored": {
        "en": "“{arg}” is not a number of weeks from 1 to {max}, so this shows the last "
              "{weeks}.",
        "zh": "“{arg}”不是 1 到 {max} 之间的周数，因此显示最近 {weeks} 周。",
    },
    "stats_no_deliveries": {"en": "none yet", "zh": "暂无"},
}


def t(lang: str, key: str, /, **values: object) -> str:
    """Return the message `key` in `lang` (English fallback) with values filled in."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["en"]).format(**values)


def section_name(section: Section | str, lang: str) -> str:
    """A section's name in a language (the translated README's heading for Chinese, else
    SECTION_NAMES for the sections it does not translate)."""
    name = section if isinstance(section, str) else section.name
    if lang != Lang.ZH:
        return name
    return chinese_section_names().get(name) or SECTION_NAMES.get(name, {}).get(lang, name)


def age_text(months: float, lang: str) -> str:
    """'5 months', '1 month', '2.3 years' (in the language)."""
    whole = round(months)
    if whole < 24:
        return t(lang, "age_month") if whole == 1 else t(lang, "age_months", n=whole)
    return t(lang, "age_years", n=f"{months / 12:.1f}")


def render_reason(reason: Reason, lang: str) -> str:
    """A reason as plain text in a language (escape it before putting it into HTML)."""
    values: dict[str, Any] = dict(reason.values)
    if "months" in values:
        values["age"] = age_text(float(values["months"]), lang)
    if "section" in values:
        values["section"] = section_name(str(values["section"]), lang)
    if reason.key is ReasonKey.CO_AUTHOR:
        values["papers"] = t(lang, "paper_word" if values.get("count") == 1 else "papers_word")
    if reason.key is ReasonKey.CITATIONS_NEW:
        values.setdefault("bar", 60)  # stored by a version that did not say
    for name in ("citations", "expected"):
        if isinstance(values.get(name), int):
            values[name] = f"{values[name]:,}"
    return t(lang, reason.key.value, **values)


def render_reasons(reasons: tuple[Reason, ...], lang: str) -> list[str]:
    """Several reasons as plain text."""
    return [render_reason(reason, lang) for reason in reasons]


# The words of the jobs' one-line summaries (logged in English; bot/jobs.py and the pipeline
# build them), for /stats and /refresh reports in the reader's language. The English side is
# the summary's own wording, {n} and {m} standing for numbers: bot/render/job_summary.py
# rewrites each occurrence into the other language's wording.
JOB_SUMMARY_TERMS: dict[str, dict[str, str]] = {
    "label_arxiv": {"en": "arXiv: ", "zh": "arXiv："},
    "label_list": {"en": "list: ", "zh": "列表："},
    "label_delivery": {"en": "delivery: ", "zh": "发送："},
    "label_first_versions": {"en": "first versions: ", "zh": "首版日期："},
    "label_list_papers": {"en": "list papers: ", "zh": "列表论文："},
    "label_citations": {"en": "citations: ", "zh": "引用数："},
    "label_author_impact": {"en": "author impact: ", "zh": "作者影响力："},
    "label_error": {"en": "error: ", "zh": "错误："},
    "label_failed": {"en": "failed: ", "zh": "失败："},
    "new": {"en": "{n} new", "zh": "新增 {n}"},
    "replaced": {"en": "{n} replaced", "zh": "替换 {n}"},
    "cross": {"en": "{n} cross", "zh": "交叉列出 {n}"},
    "skipped": {"en": "{n} skipped", "zh": "跳过 {n}"},
    "no_announcement": {"en": "no announcement", "zh": "无发布"},
    "weekend": {"en": "(weekend)", "zh": "（周末）"},
    "holiday": {"en": "(holiday)", "zh": "（节假日）"},
    "unchanged_feed": {"en": "feed unchanged since the last check", "zh": "自上次检查以来无变化"},
    "none_to_date": {"en": "none to date", "zh": "无需确定日期"},
    "to_date": {"en": "{n} to date", "zh": "待确定日期 {n}"},
    "dated": {"en": "{n} of {m} dated", "zh": "已确定日期 {n}/{m}"},
    "scored": {"en": "{n} scored", "zh": "评分 {n}"},
    "instant_digests": {"en": "{n} instant digests", "zh": "即时摘要 {n}"},
    "sent": {"en": "{n} sent", "zh": "已发送 {n}"},
    "to_retry": {"en": "{n} to retry", "zh": "待重试 {n}"},
    "failed_kept": {"en": "{n} failed (kept for the next run)", "zh": "失败 {n}（下次再试）"},
    "failed": {"en": "{n} failed", "zh": "失败 {n}"},
    "deactivated": {"en": "{n} chats deactivated", "zh": "停用聊天 {n}"},
    "unconfirmed": {"en": "{n} unconfirmed", "zh": "未确认 {n}"},
    "new_version": {"en": "new version {n}", "zh": "新版本 {n}"},
    "added": {"en": "{n} added", "zh": "新增 {n}"},
    "removed": {"en": "{n} removed", "zh": "移除 {n}"},
    "moved": {"en": "{n} moved", "zh": "移动 {n}"},
    "edited": {"en": "{n} edited", "zh": "修改 {n}"},
    "first_version": {"en": "first version {n} stored", "zh": "已保存首个版本 {n}"},
    "sync_failed": {"en": "sync failed", "zh": "同步失败"},
    "unchanged": {"en": "unchanged (version {n})", "zh": "无变化（版本 {n}）"},
    "not_modified": {"en": "not modified (version {n})", "zh": "未修改（版本 {n}）"},
    "daily": {"en": "{n} daily", "zh": "每日摘要 {n}"},
    "weekly": {"en": "{n} weekly digests", "zh": "每周摘要 {n}"},
    "recent": {"en": "{n} recent papers", "zh": "近期论文 {n}"},
    "refreshed": {"en": "{n} refreshed", "zh": "已更新 {n}"},
    "rescored": {"en": "{n} rescored", "zh": "重新评分 {n}"},
    "not_asked": {"en": "not asked, the citation API did not answer",
                  "zh": "未查询，引用数接口无应答"},
    "authors_of": {"en": "{n} authors of {m} papers", "zh": "{m} 篇论文的作者 {n} 位"},
    "asked": {"en": "{n} asked", "zh": "已查询 {n}"},
    "unknown_api": {"en": "{n} unknown to the API", "zh": "接口查无 {n}"},
    "skipped_again": {"en": "{n} skipped (asked again next run)", "zh": "跳过 {n}（下次再查）"},
    "missing_fetched": {"en": "{n} of {m} missing fetched", "zh": "缺失 {m}，已获取 {n}"},
    "known": {"en": "{n} known", "zh": "已有 {n}"},
    "fetched": {"en": "{n} fetched", "zh": "已获取 {n}"},
    "new_suggestions": {"en": "{n} new suggestions ({m} messages)",
                        "zh": "新建议 {n} 条（消息 {m}）"},
    "suggestions": {"en": "{n} suggestions", "zh": "建议 {n} 条"},
    "queued": {"en": "{n} messages queued", "zh": "排队消息 {n}"},
}


# The list's sections that its Chinese README (README.zh-CN.md) leaves untranslated, by their
# English heading.
SECTION_NAMES: dict[str, dict[str, str]] = {
    "Appendix: More than Top 100": {"en": "Appendix: More than Top 100",
                                    "zh": "附录：前 100 篇之外"},
    "Video Lectures / Tutorials / Blogs": {"en": "Video Lectures / Tutorials / Blogs",
                                           "zh": "视频讲座 / 教程 / 博客"},
}
