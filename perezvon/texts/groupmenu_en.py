"""English texts of one group's screen: its working hours and its forum topic (plain text)."""

TEXTS: dict[str, str] = {
    "admin.group.open": "⚙️",
    "access.action.group.hours": "group hours",
    "access.action.group.forum": "group forum",
    "admin.group.title": (
        "Group “{group}”\nNotifications: {notify}\nWorking hours: {hours}\nForum topic: {forum}"
    ),
    "admin.group.notify_on": "on",
    "admin.group.notify_off": "off",
    "admin.group.hours_tenant": "the company's",
    "admin.group.hours_own": "its own ({hours})",
    "admin.group.forum_none": "none",
    "admin.group.forum_bound": "bound to chat {chat}",
    "admin.group.hours_button": "🕘 Group working hours",
    "admin.group.forum_button": "💬 Forum topic",
    "admin.back.groups": "« Groups",
    "admin.back.group": "« Back to the group",
    "admin.group_hours.own": (
        "Working hours of group “{group}” ({zone})\nIts own: {hours}\nThe group's days off: "
        "{holidays}\nOff hours: {mode} (the company's)"
    ),
    "admin.group_hours.tenant": (
        "Working hours of group “{group}” ({zone})\nThe company's: {hours}\nDays off: "
        "{holidays}\nOff hours: {mode}"
    ),
    "admin.group_hours.set": "✏️ Own hours",
    "admin.group_hours.reset": "↩️ The company's hours",
    "admin.group_hours.ask": (
        "Send the hours of group “{group}”, for example: Mon-Fri 09:00-18:00; Sat 10:00-14:00 "
        "(or - for the company's). The group's days off may follow on a second line: "
        "2027-01-01 2027-01-07"
    ),
    "admin.group_hours.now_tenant": "The group follows the company's hours.",
    "admin.group_forum.none": (
        "The cards of group “{group}” can go to a topic of their own in a forum (a supergroup "
        "with topics). Press “Bind a forum” for a one-time link: open it, pick the forum and "
        "add the bot as an administrator allowed to manage topics."
    ),
    "admin.group_forum.bound": (
        "The cards of group “{group}” go to forum {chat}, in a topic ({topic})."
    ),
    "admin.group_forum.topic_made": "the topic exists",
    "admin.group_forum.topic_later": "the topic comes with the first card",
    "admin.group_forum.link_button": "🔗 Bind a forum",
    "admin.group_forum.unbind_button": "✂️ Unbind",
    "admin.group_forum.link": (
        "Open the link, pick the forum (a group with topics) and add the bot as an "
        "administrator allowed to manage topics:\n{link}\nThe link works once, for {minutes} min."
    ),
    "admin.group_forum.add_button": "➕ Add the bot to a forum",
    "admin.group_forum.unbound": "Forum unbound: the group's cards go to private chats only.",
    "admin.group_forum.not_bound": "The group is not bound to a forum.",
    "forum.bind.done": (
        "✅ Done: missed-call cards of group “{group}” of “{company}” will come here, in a "
        "topic of their own."
    ),
    "forum.bind.not_forum": (
        "Topics are not enabled in this chat. Enable them in the group's settings (Topics) and "
        "open the link again, or get a new one in the “Forum topic” menu."
    ),
    "forum.bind.no_right": (
        "I need the right to manage topics. Make me an administrator allowed to manage topics "
        "and open the link again, or get a new one in the “Forum topic” menu."
    ),
    "forum.bind.code_gone": (
        "This link was used already or has expired. Get a new one in the admin menu: "
        "Groups → ⚙️ → “Forum topic”."
    ),
    "forum.bind.admin_done": (
        "✅ Group “{group}” is bound to forum “{title}”. The first card creates its topic there."
    ),
    "forum.bind.admin_failed": "⚠️ Group “{group}” is not bound to “{title}”: {reason}",
    "forum.lost.admin": (
        "⚠️ The bot is no longer in forum “{title}”, so the forum is unbound from: {groups}. "
        "Their cards go to private chats only again. To get the topic back, add the bot to the "
        "forum again: Groups → ⚙️ → “Forum topic”."
    ),
    "forum.lost.group": "“{name}”",
}
