"""Russian texts of the bot area (subscriber commands); the quoted phrases come from the seed."""

TEXTS: dict[str, str] = {
    # Bot profile (setMyDescription / setMyShortDescription); {bot} is the bot's name.
    "bot.description": (
        "{bot} позволяет получать уведомления о пропущенных вызовах от вашей виртуальной АТС."
    ),
    "bot.short_description": "Уведомления о пропущенных вызовах вашей виртуальной АТС.",
    # Command menu (setMyCommands), up to 256 characters each.
    "bot.cmd.start": "Начало работы",
    "bot.cmd.help": "Список команд",
    "bot.cmd.activate": "Подключить уведомления: /activate <ключ API>",
    "bot.cmd.status": "Мои подписки и их статус",
    "bot.cmd.mute": "Приостановить уведомления: /mute <ключ API>",
    "bot.cmd.active": "Возобновить уведомления: /active <ключ API>",
    # /help, one line per command.
    "bot.help.header": "Что умеет {bot}:",
    "bot.help.start": "/start — приветствие и краткая справка",
    "bot.help.help": "/help — этот список команд",
    "bot.help.activate": "/activate <ключ API> — подключить уведомления о пропущенных вызовах",
    "bot.help.status": "/status — подписки этого чата, их статус и какой бот их присылает",
    "bot.help.mute": "/mute <ключ API> — приостановить уведомления",
    "bot.help.active": "/active <ключ API> — возобновить уведомления",
    "bot.help.footer": (
        "<ключ API> — значение «Ключ для API». Его выдаёт администратор вашей компании."
    ),
    "bot.greeting": (
        "Здравствуйте! {bot} присылает уведомления о пропущенных вызовах вашей виртуальной АТС, "
        "чтобы вы могли перезвонить.\n\n"
        "Чтобы подключиться, отправьте /activate <ключ API>. «Ключ для API» выдаёт "
        "администратор вашей компании.\n\nВсе команды: /help"
    ),
    # /activate, /mute, /active.
    "bot.activated": "Отправка уведомлений активирована.\nКомпания: {tenant}",
    "bot.activated.use_custom": (
        "Уведомления этой компании присылает бот @{bot}. Откройте его и нажмите «Старт», "
        "чтобы получать их там."
    ),
    "bot.muted": "Уведомления приостановлены.\nКомпания: {tenant}\nВозобновить: /active <ключ API>",
    "bot.resumed": "Уведомления подключены\nКомпания: {tenant}",
    "bot.disabled": (
        "Отключено администратором\nКомпания: {tenant}\n"
        "Включить уведомления снова может только администратор вашей компании — обратитесь "
        "к нему."
    ),
    "bot.not_subscribed": (
        "Этот чат не подписан на уведомления компании «{tenant}».\nПодключить: /activate <ключ API>"
    ),
    "bot.key.missing": (
        "Укажите ключ API вашей компании: /{command} <ключ API>\n"
        "Ключ — значение «Ключ для API»; его выдаёт администратор вашей компании."
    ),
    "bot.key.malformed": (
        "Это не ключ API. Отправьте: /{command} <ключ API>\n"
        "Ключ — значение «Ключ для API», оно начинается с {prefix}. Его выдаёт администратор "
        "вашей компании."
    ),
    "bot.key.unknown": (
        "Ключ не подошёл: такого ключа нет или его заменили.\n"
        "Возьмите действующий «Ключ для API» у администратора вашей компании и отправьте: "
        "/{command} <ключ API>"
    ),
    "bot.key.throttled": ("Слишком много неверных ключей. Попробуйте снова через {minutes} мин."),
    "bot.key.deleted": "Сообщение с ключом удалено из чата: ключ — секрет.",
    # A company's own bot takes only that company's key; the answer is the same whether the key
    # is another company's or no key at all (the bot's owner reads what is typed to it).
    "bot.key.not_this_bot": (
        "Этот бот принимает только ключ API своей компании, и этот ключ ему не подходит.\n"
        "Ключ API другой компании отправляйте только основному боту @{bot}. Если вы уже "
        "отправили его сюда, попросите администратора той компании заменить ключ."
    ),
    "bot.activated.start_default": (
        "Уведомления будет присылать бот @{bot}. Откройте его и нажмите «Старт»: "
        "https://t.me/{bot}?start=hi"
    ),
    "bot.group.admins_only": "В группе это может сделать только её администратор.",
    "bot.group.admin_unknown": (
        "Не удалось проверить, что вы администратор группы. Попробуйте ещё раз позже."
    ),
    # /status.
    "bot.status.none": ("Этот чат не подписан на уведомления.\nПодключить: /activate <ключ API>"),
    "bot.status.header": "Подписки этого чата:",
    "bot.status.item": (
        "{tenant}\nСтатус: {status}\nС {since}\nГруппы: {groups}\nПрисылает: {bot}"
    ),
    "bot.status.all_groups": "все группы",
    "bot.status.start_custom": (
        "@{default} (откройте @{custom} и нажмите «Старт», чтобы получать там)"
    ),
    "bot.status.no_groups": "нет",
    "bot.datetime": "%d.%m.%Y %H:%M",
    # Anything else.
    "bot.stale_button": "Эта кнопка устарела.",
    "bot.unknown_command": "Такой команды нет. Список команд: /help",
    "bot.plain_text": "Я понимаю команды. Список команд: /help",
    "bot.token_deleted": (
        "Похоже, это токен бота. Сообщение удалено: токен — секрет. "
        "Ботов компании добавляет её администратор."
    ),
    "bot.error": "Что-то пошло не так. Попробуйте ещё раз чуть позже.",
    "bot.cmd.stop": "Приостановить уведомления компании без ключа",
    "bot.help.stop": "/stop — приостановить уведомления компании, не зная её ключа",
    "bot.stop.choose": "Уведомления какой компании приостановить?",
    "bot.stop.button": "🔕 {tenant}",
    "bot.stop.none": "Этот чат не получает уведомлений: приостанавливать нечего.",
    "bot.stop.done": (
        "Уведомления компании «{tenant}» приостановлены. Возобновить: /active <ключ API>."
    ),
    "bot.stop.group_admins_only": (
        "В группе приостановить уведомления могут только её администраторы."
    ),
}
