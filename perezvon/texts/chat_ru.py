"""Russian texts of the chat area: what a chat can do about itself without a key (/id, /resume,
the chat id in /status) and what a switched-off company bot answers."""

TEXTS: dict[str, str] = {
    # /id (HTML: the id is tap-to-copy).
    "chat.cmd.id": "Chat id этого чата",
    "chat.help.id": "/id — chat id этого чата: по нему администратор подключит вас без ключа",
    "chat.id.private": (
        "Ваш chat id: <code>{chat}</code>\n"
        "Сообщите его администратору вашей компании: в меню «Пользователи» → «Добавить "
        "пользователя» он подключит вас без ключа API."
    ),
    "chat.id.group": (
        "Chat id этой группы: <code>{chat}</code>\n"
        "Администратор компании может подключить группу в меню «Пользователи» → «Добавить "
        "пользователя»."
    ),
    # /status additions.
    "chat.status.chat_id": "Chat id этого чата: {chat}",
    "chat.status.none": (
        "Этот чат не подписан на уведомления.\n"
        "Подключить: /activate <ключ API> — или сообщите администратору компании chat id "
        "этого чата ({chat}), и он добавит вас без ключа."
    ),
    "chat.status.resume_hint": "Возобновить: /resume",
    # /stop and /resume: pause and resume without the key.
    "chat.stop.done": (
        "Уведомления компании «{tenant}» приостановлены. Возобновить: /resume или кнопка ниже."
    ),
    "chat.stop.resume_button": "🔔 Возобновить",
    "chat.cmd.resume": "Возобновить приостановленные уведомления",
    "chat.help.resume": (
        "/resume — возобновить уведомления, приостановленные через /stop или /mute (ключ не нужен)"
    ),
    "chat.resume.choose": "Уведомления какой компании возобновить?",
    "chat.resume.button": "🔔 {tenant}",
    "chat.resume.none": "В этом чате нет приостановленных уведомлений.",
    "chat.resume.done": "Уведомления подключены\nКомпания: {tenant}",
    "chat.resume.disabled": (
        "Отключено администратором\nКомпания: {tenant}\n"
        "Включить уведомления снова может только администратор вашей компании."
    ),
    "chat.resume.group_admins_only": (
        "В группе возобновить уведомления могут только её администраторы."
    ),
    # A company bot that no longer delivers answers every message with this.
    "chat.retired": (
        "Этот бот больше не присылает уведомления компании «{tenant}».\n"
        "Теперь их присылает @{bot}: откройте {link} и нажмите «Старт»."
    ),
    "chat.retired.button": "Бот больше не работает: уведомления присылает @{bot}",
}
