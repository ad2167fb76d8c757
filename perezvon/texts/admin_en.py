"""English texts of the admin area (menus inside Telegram).

Menus are plain text. The `admin.notice.*` texts go through the delivery Outbox, which sends
HTML: they escape < and > themselves, and their values arrive escaped.
"""

TEXTS: dict[str, str] = {
    "admin.cmd.admin": "Admin menu: /admin <API key>",
    "admin.help.admin": "/admin <API key> — your company's admin menu (/menu opens it)",
    "admin.datetime": "%Y-%m-%d %H:%M",
    "admin.page": "{page}/{pages}",
    "admin.no": "No, back",
    "admin.login.how": (
        "The admin menu opens with your company's API key: /admin <API key>\n"
        "The key is the «API key» value."
    ),
    "admin.login.private_only": (
        "The admin menu works only in a private chat with the bot. Write to the bot directly."
    ),
    "admin.login.ok": "You are an admin of «{tenant}».",
    "admin.login.key_deleted": "The message with the key was deleted: the key is a secret.",
    "admin.login.malformed": (
        "This is not an API key. Send: /admin <API key>\n"
        "The key is the «API key» value; it starts with {prefix}."
    ),
    "admin.login.unknown": (
        "The key did not work: there is no such key or it was replaced. Send the current one: "
        "/admin <API key>"
    ),
    "admin.login.throttled": "Too many wrong keys. Try again in {minutes} min.",
    "admin.login.other_bot": (
        "This bot belongs to another company. Your company's admin menu is in @{bot} or in "
        "your company's own bot."
    ),
    "admin.login.not_this_bot": (
        "This bot takes only its own company's API key, and this key does not fit it.\n"
        "Every company's admin menu opens in the main bot @{bot}. If you sent another "
        "company's key here, replace it in the «API key» menu."
    ),
    "admin.logout.done": "You left the admin menu.",
    "admin.logout.none": "You were not signed in to the admin menu.",
    "admin.logout.tenant": "You left the admin menu of «{tenant}».",
    "admin.pick_tenant": "You administer several companies. Pick one:",
    "admin.menu.title": "Admin menu\nCompany: {tenant}",
    "admin.menu.summary": "Groups: {groups}\nUsers: {users}\nNotifications come from: {bot}",
    "admin.menu.groups": "Groups",
    "admin.menu.users": "Users",
    "admin.menu.bots": "Bots",
    "admin.menu.api_key": "API key",
    "admin.menu.dead": "Undelivered ({count})",
    "admin.menu.tenants": "« Companies",
    "admin.menu.logout": "Sign out",
    "admin.back.menu": "« Menu",
    "admin.back.users": "« Users",
    "admin.back.list": "« Back to the list",
    "admin.back.card": "« Back to the user",
    "admin.back.bots": "« Bots",
    "admin.groups.title": "Groups",
    "admin.groups.hint": (
        "✅ — «Notify about missed calls in Telegram» is on, ⬜ — off. Tap a group to switch it."
    ),
    "admin.groups.now_on": "Group «{group}»: notifications on.",
    "admin.groups.now_off": "Group «{group}»: notifications off.",
    "admin.groups.told": "Users told: {count}.",
    "admin.group_new.enable": "✅ Turn notifications on",
    "admin.users.title": "User list",
    "admin.users.total": "Users in total: {count}\nPick a group:",
    "admin.users.group_item": "{group} ({count})",
    "admin.users.all": "All users ({count})",
    "admin.users.add": "➕ Add a user",
    "admin.users.list_all": "All users: {count}",
    "admin.users.list_group": "Group «{group}»: {count} users",
    "admin.users.columns": "Name — Current status — Status changed",
    "admin.users.empty": "Nobody yet.",
    "admin.users.card": (
        "Name: {name}\nchatid: {chat}\nTelegram: {username}\nCurrent status: {status}\n"
        "Status changed: {since}\n{ext}\nGroups: {groups}"
    ),
    "admin.users.all_groups": "all groups",
    "admin.users.groups_more": "{groups} and {count} more",
    "admin.users.no_groups": "none",
    "admin.users.turn_on": "✅ Turn on (On)",
    "admin.users.turn_off": "⛔ Turn off (Off)",
    "admin.users.groups": "Groups",
    "admin.users.delete": "🗑 Delete",
    "admin.users.delete_confirm": (
        "Delete the user «{name}»? They stop getting notifications; they can subscribe again "
        "with /activate."
    ),
    "admin.users.delete_yes": "Yes, delete",
    "admin.users.deleted": "User «{name}» deleted.",
    "admin.users.now": "Current status: {status}",
    "admin.users.follow_title": "Groups of «{name}»: ☑ — notified about the group, ☐ — not.",
    "admin.users.follow_all": "All groups (new ones too)",
    "admin.users.ask_name": (
        "Add a user\n\nEnter the «Name» the user is listed under (it may differ from the "
        "Telegram name)."
    ),
    "admin.users.bad_name": "A name is 1 to {limit} characters. Enter the «Name» again.",
    "admin.users.ask_chat": (
        "Name: {name}\n\nEnter the «chatid» — the numeric Telegram chat id (negative for groups)."
    ),
    "admin.users.bad_chat": (
        "The «chatid» is a whole number, e.g. 123456789, or -1001234567890 for a group. "
        "Enter the «chatid» again."
    ),
    "admin.users.added": "User «{name}» (chatid {chat}) saved: Notifications on.",
    "admin.users.updated": (
        "chatid {chat} was already on the list: now «{name}», Notifications on."
    ),
    "admin.users.unreachable": (
        "The bot cannot write to this chat yet: the user never opened the bot. Ask them to "
        "open @{bot} and press «Start»."
    ),
    "admin.bots.title": "Your Telegram bots",
    "admin.bots.empty": "No bots yet.",
    "admin.bots.item": "{name} (@{username}) — Status: {status}",
    "admin.bots.default": (
        "Only one bot can be active. With every bot off, notifications come from the main "
        "bot @{bot}."
    ),
    "admin.bots.add": "➕ Add a bot",
    "admin.bots.card": "Bot: {name}\n@{username}\nStatus: {status}",
    "admin.bots.turn_on": "✅ Turn on",
    "admin.bots.turn_off": "⛔ Turn off",
    "admin.bots.delete": "🗑 Delete",
    "admin.bots.delete_confirm": (
        "Delete the bot «{name}» (@{username})? If it is active, the main bot takes over."
    ),
    "admin.bots.delete_yes": "Yes, delete",
    "admin.bots.deleted": "Bot @{username} deleted.",
    "admin.bots.now_active": (
        "Bot @{username} is active. Users who never opened it were sent a link: {invited}."
    ),
    "admin.bots.now_off": "The bot is off. Notifications come from @{bot}.",
    "admin.bots.unchanged": "Already so.",
    "admin.bots.rejected_now": (
        "Telegram rejected the token of @{username}: the bot is not on. Add it with a new token."
    ),
    "admin.bots.unreachable": "Telegram could not be reached. Try again a little later.",
    "admin.bots.ask_name": "Add a bot\n\nEnter the «Name» of the bot for this list.",
    "admin.bots.bad_name": "A name is 1 to {limit} characters. Enter the «Name» again.",
    "admin.bots.ask_token": (
        "Name: {name}\n\nSend the «Token» — the bot token from @BotFather (like 123456789:AAE…). "
        "The message with the token is deleted at once."
    ),
    "admin.bots.bad_token": (
        "This is not a bot token. @BotFather gives it; it looks like 123456789:AAE… "
        "Send the «Token» again."
    ),
    "admin.bots.token_rejected": (
        "Telegram rejected this token: it is wrong or revoked. Check it with @BotFather and "
        "send the «Token» again."
    ),
    "admin.bots.unreachable_retry": (
        "The token could not be checked: Telegram did not answer. Send the «Token» again later."
    ),
    "admin.bots.is_default": (
        "This is the service's main bot; it cannot be added. Create your own bot with "
        "@BotFather and send its «Token»."
    ),
    "admin.bots.token_taken": (
        "This bot is already registered; a bot can be added only once. Send another bot's «Token»."
    ),
    "admin.bots.token_not_deleted": (
        "The message with the token could not be deleted. Delete it yourself: it is a secret."
    ),
    "admin.bots.added": "Bot «{name}» (@{username}) added. Status: Off.",
    "admin.bots.renewed": (
        "Token of bot «{name}» (@{username}) renewed. Status: Off — switch it on again."
    ),
    "admin.key.title": (
        "API key: {prefix}…\n\nReplacing the key: the old one stops working at once for "
        "/activate, /admin and the PBX's calls; users stay subscribed; other admins are "
        "signed out."
    ),
    "admin.key.rotate": "🔄 Replace the key",
    "admin.key.confirm": (
        "Replace the API key? The old key stops working at once — update it in your PBX."
    ),
    "admin.key.rotate_yes": "Yes, replace",
    "admin.key.new": (
        "New API key:\n<code>{key}</code>\n\nSave it: this message is deleted in {minutes} min."
    ),
    "admin.key.rotated": (
        "Key replaced. The new key ({prefix}…) is in the message below; it is deleted in "
        "{minutes} min."
    ),
    "admin.key.rotated_short": "Key replaced.",
    "admin.dead.title": "Undelivered messages: {count}",
    "admin.dead.empty": "Everything was delivered.",
    "admin.dead.item": "{n}. {when}, chatid {chat}\nError: {error}\n{text}",
    "admin.dead.retry_one": "↻ {n}",
    "admin.dead.retry_all": "↻ Send all again ({count})",
    "admin.dead.retried": "Sending again: {count}.",
    "admin.dead.item_maybe": (
        "{n}. {when}, chatid {chat}\n⚠️ Maybe delivered: Telegram did not answer in time\n{text}"
    ),
    "admin.dead.maybe_count": (
        "Of these, maybe delivered: {count}; sending those again needs a confirmation."
    ),
    "admin.dead.retry_maybe": "↻ {n} (maybe delivered)",
    "admin.dead.confirm": (
        "Telegram did not answer in time and may already have delivered this "
        "message:\n{text}\n\nSend it again? The recipient may see it twice."
    ),
    "admin.dead.confirm_yes": "Yes, send again",
    "admin.dead.confirm_no": "No, back",
    "admin.input.cancel": "Cancel",
    "admin.input.cancelled": "Cancelled.",
    "admin.input.none": "Nothing to cancel.",
    "admin.input.timeout": "Time is up; nothing was saved. Open the menu again: /menu",
    "admin.input.text_please": "Send the answer as text, or press «Cancel».",
    "admin.input.secret_deleted": (
        "That looks like a key or a token. The message was deleted: it is a secret. "
        "Enter the answer again."
    ),
    "admin.failed": "That did not work. Please try again a little later.",
    "admin.stale.button": "This button is out of date. Open the menu: /menu",
    "admin.stale.session": "You are not an admin of this company. Sign in: /admin <API key>",
    "admin.stale.gone": "This no longer exists. Open the menu again.",
    "admin.stale.user": "This user is no longer on the list.",
    "admin.stale.bot": "This bot is no longer on the list.",
    "admin.stale.dead": "This message was already sent again.",
    "admin.notice.group_on": "🔔 Notifications on\nGroup: {group}\nCompany: {tenant}",
    "admin.notice.group_off": "🔕 Notifications off\nGroup: {group}\nCompany: {tenant}",
    "admin.notice.user_on": "Notifications on\nCompany: {tenant}",
    "admin.notice.user_off": (
        "Turned off by an admin\nCompany: {tenant}\nOnly your company's admin can turn "
        "notifications on again."
    ),
    "admin.notice.welcome": (
        "An admin of «{tenant}» turned missed-call notifications on for you.\n"
        "Notifications on. Your subscriptions: /status"
    ),
    "admin.notice.start_bot": (
        "Notifications of «{tenant}» now come from @{bot}. Open {link} and press «Start» to "
        "get them there."
    ),
    "admin.notice.key_rotated": (
        "The API key of «{tenant}» was replaced and your admin session ended. To sign in "
        "again: /admin &lt;new key&gt;"
    ),
    "admin.bots.farewell": (
        "Those who only ever opened @{old} ({told}) got a link to @{bot} from it."
    ),
    "admin.notice.bot_leaving": (
        "The bot @{old} no longer sends «{tenant}» notifications. To keep getting them, open "
        "{link} and press Start."
    ),
}
