"""English texts about secrets that could not be removed from a chat."""

TEXTS: dict[str, str] = {
    "secrets.key.visible_in_group": (
        "⚠️ The bot could not delete the message with the key: it may not delete messages in "
        "this group. Every member of the group can see the API key — delete the message "
        "yourself. The company's admin can replace the key: /admin → «API key». "
        "Better connect the group without the key: send /id and give the chat id to the admin."
    ),
    "secrets.key.leaked_admins": (
        "⚠️ The API key of «{tenant}» was posted in the group «{chat}» and the bot could not "
        "delete it: every member of the group can see it. Replace the key: /admin → «API key» → "
        "«Replace the key»."
    ),
}
