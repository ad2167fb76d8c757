"""Russian texts of the admin area (menus inside Telegram); quoted phrases come from the seed.

Menus are plain text. The `admin.notice.*` texts go through the delivery Outbox, which sends
HTML: they escape < and > themselves, and their values arrive escaped.
"""

TEXTS: dict[str, str] = {
    "admin.cmd.admin": "Меню администратора: /admin <ключ API>",
    "admin.help.admin": "/admin <ключ API> — меню администратора компании (/menu — открыть его)",
    "admin.datetime": "%d.%m.%Y %H:%M",
    "admin.page": "{page}/{pages}",
    "admin.no": "Нет, назад",
    # Signing in and out.
    "admin.login.how": (
        "Меню администратора открывается по ключу API компании: /admin <ключ API>\n"
        "Ключ — значение «Ключ для API»."
    ),
    "admin.login.private_only": (
        "Меню администратора работает только в личном чате с ботом. Напишите боту лично."
    ),
    "admin.login.ok": "Вы администратор компании «{tenant}».",
    "admin.login.key_deleted": "Сообщение с ключом удалено из чата: ключ — секрет.",
    "admin.login.malformed": (
        "Это не ключ API. Отправьте: /admin <ключ API>\n"
        "Ключ — значение «Ключ для API», оно начинается с {prefix}."
    ),
    "admin.login.unknown": (
        "Ключ не подошёл: такого ключа нет или его заменили. Отправьте действующий: "
        "/admin <ключ API>"
    ),
    "admin.login.throttled": "Слишком много неверных ключей. Попробуйте снова через {minutes} мин.",
    "admin.login.other_bot": (
        "Этот бот принадлежит другой компании. Меню администратора вашей компании — "
        "в @{bot} или в боте вашей компании."
    ),
    # A company's own bot: the same answer for another company's key and for no key at all.
    "admin.login.not_this_bot": (
        "Этот бот принимает только ключ API своей компании, и этот ключ ему не подходит.\n"
        "Меню администратора любой компании открывается в основном боте @{bot}. Если вы "
        "отправили сюда ключ другой компании, замените его в меню «Ключ для API»."
    ),
    "admin.logout.done": "Вы вышли из меню администратора.",
    "admin.logout.none": "Вы не входили в меню администратора.",
    "admin.logout.tenant": "Вы вышли из меню администратора компании «{tenant}».",
    "admin.pick_tenant": "Вы администратор нескольких компаний. Выберите компанию:",
    # Main menu.
    "admin.menu.title": "Меню администратора\nКомпания: {tenant}",
    "admin.menu.summary": "Групп: {groups}\nПользователей: {users}\nУведомления присылает: {bot}",
    "admin.menu.groups": "Группы",
    "admin.menu.users": "Пользователи",
    "admin.menu.bots": "Боты",
    "admin.menu.api_key": "Ключ для API",
    "admin.menu.dead": "Недоставленные ({count})",
    "admin.menu.tenants": "« Компании",
    "admin.menu.logout": "Выйти",
    "admin.back.menu": "« Меню",
    "admin.back.users": "« Пользователи",
    "admin.back.list": "« К списку",
    "admin.back.card": "« К пользователю",
    "admin.back.bots": "« Боты",
    # Groups.
    "admin.groups.title": "Группы",
    "admin.groups.hint": (
        "✅ — флаг «Оповещать о пропущенных вызовах в Telegram» включён, ⬜ — выключен. "
        "Нажмите на группу, чтобы переключить флаг."
    ),
    "admin.groups.now_on": "Группа «{group}»: оповещения включены.",
    "admin.groups.now_off": "Группа «{group}»: оповещения выключены.",
    "admin.groups.told": "Сообщили пользователям: {count}.",
    "admin.group_new.enable": "✅ Включить оповещения",
    # Users.
    "admin.users.title": "Управление списком пользователей",
    "admin.users.total": "Всего пользователей: {count}\nВыберите группу:",
    "admin.users.group_item": "{group} ({count})",
    "admin.users.all": "Все пользователи ({count})",
    "admin.users.add": "➕ Добавить пользователя",
    "admin.users.list_all": "Все пользователи: {count}",
    "admin.users.list_group": "Группа «{group}»: пользователей {count}",
    "admin.users.columns": "Имя — Текущий статус — Дата изменения статуса",
    "admin.users.empty": "Пока никого нет.",
    "admin.users.card": (
        "Имя: {name}\nchatid: {chat}\nTelegram: {username}\nТекущий статус: {status}\n"
        "Дата изменения статуса: {since}\n{ext}\nГруппы: {groups}"
    ),
    "admin.users.all_groups": "все группы",
    "admin.users.groups_more": "{groups} и ещё {count}",
    "admin.users.no_groups": "ни одной",
    "admin.users.turn_on": "✅ Включить (On)",
    "admin.users.turn_off": "⛔ Выключить (Off)",
    "admin.users.groups": "Группы",
    "admin.users.delete": "🗑 Удалить",
    "admin.users.delete_confirm": (
        "Удалить пользователя «{name}»? Он перестанет получать уведомления; подключиться снова "
        "он сможет командой /activate."
    ),
    "admin.users.delete_yes": "Да, удалить",
    "admin.users.deleted": "Пользователь «{name}» удалён.",
    "admin.users.now": "Текущий статус: {status}",
    "admin.users.follow_title": (
        "Группы пользователя «{name}»: ☑ — уведомления группы приходят, ☐ — нет."
    ),
    "admin.users.follow_all": "Все группы (и новые)",
    "admin.users.ask_name": (
        "Добавить пользователя\n\nВведите «Имя» — так пользователь будет показан в списке "
        "(может отличаться от имени в Telegram)."
    ),
    "admin.users.bad_name": "Имя должно быть от 1 до {limit} символов. Введите «Имя» ещё раз.",
    "admin.users.ask_chat": (
        "Имя: {name}\n\nВведите «chatid» — числовой ID чата в Telegram (у групп он отрицательный)."
    ),
    "admin.users.bad_chat": (
        "«chatid» — это целое число, например 123456789 или -1001234567890 для группы. "
        "Введите «chatid» ещё раз."
    ),
    "admin.users.added": "Пользователь «{name}» (chatid {chat}) сохранён: Уведомления подключены.",
    "admin.users.updated": (
        "Пользователь с chatid {chat} уже был в списке: теперь он «{name}», Уведомления подключены."
    ),
    "admin.users.unreachable": (
        "Бот пока не может написать в этот чат: пользователь ещё не открывал бота. Попросите "
        "его открыть @{bot} и нажать «Старт»."
    ),
    # Bots.
    "admin.bots.title": "Управление списком телеграм ботов пользователя",
    "admin.bots.empty": "Ботов пока нет.",
    "admin.bots.item": "{name} (@{username}) — Статус: {status}",
    "admin.bots.default": (
        "Активным может быть только один бот. Если все боты выключены, уведомления присылает "
        "основной бот @{bot}."
    ),
    "admin.bots.add": "➕ Добавить бота",
    "admin.bots.card": "Бот: {name}\n@{username}\nСтатус: {status}",
    "admin.bots.turn_on": "✅ Включить",
    "admin.bots.turn_off": "⛔ Выключить",
    "admin.bots.delete": "🗑 Удалить",
    "admin.bots.delete_confirm": (
        "Удалить бота «{name}» (@{username})? Если он активен, уведомления будет присылать "
        "основной бот."
    ),
    "admin.bots.delete_yes": "Да, удалить",
    "admin.bots.deleted": "Бот @{username} удалён.",
    "admin.bots.now_active": (
        "Бот @{username} активен. Пользователям, которые его ещё не открывали, отправлена "
        "ссылка: {invited}."
    ),
    "admin.bots.now_off": "Бот выключен. Уведомления присылает @{bot}.",
    "admin.bots.unchanged": "Уже так.",
    "admin.bots.rejected_now": (
        "Telegram отклонил токен бота @{username}: бот не включён. Добавьте его с новым токеном."
    ),
    "admin.bots.unreachable": "Не удалось связаться с Telegram. Попробуйте ещё раз чуть позже.",
    "admin.bots.ask_name": "Добавить бота\n\nВведите «Имя» — название бота для этого списка.",
    "admin.bots.bad_name": "Имя должно быть от 1 до {limit} символов. Введите «Имя» ещё раз.",
    "admin.bots.ask_token": (
        "Имя: {name}\n\nОтправьте «Token» — токен бота от @BotFather (вида 123456789:AAE…). "
        "Сообщение с токеном будет сразу удалено."
    ),
    "admin.bots.bad_token": (
        "Это не токен бота. Токен выдаёт @BotFather, он выглядит как 123456789:AAE… "
        "Отправьте «Token» ещё раз."
    ),
    "admin.bots.token_rejected": (
        "Telegram отклонил этот токен: он неверен или отозван. Проверьте его у @BotFather "
        "и отправьте «Token» ещё раз."
    ),
    "admin.bots.unreachable_retry": (
        "Не удалось проверить токен: Telegram не ответил. Отправьте «Token» ещё раз чуть позже."
    ),
    "admin.bots.is_default": (
        "Это основной бот сервиса, его нельзя добавить. Создайте своего бота у @BotFather и "
        "отправьте его «Token»."
    ),
    "admin.bots.token_taken": (
        "Этот бот уже зарегистрирован. Один бот можно добавить только один раз. Отправьте "
        "«Token» другого бота."
    ),
    "admin.bots.token_not_deleted": (
        "Не удалось удалить сообщение с токеном. Удалите его сами: токен — секрет."
    ),
    "admin.bots.added": "Бот «{name}» (@{username}) добавлен. Статус: Выключен.",
    "admin.bots.renewed": (
        "Токен бота «{name}» (@{username}) обновлён. Статус: Выключен — включите бота снова."
    ),
    # API key.
    "admin.key.title": (
        "Ключ для API: {prefix}…\n\nЗамена ключа: старый сразу перестаёт работать для "
        "/activate, /admin и приёма вызовов от АТС; подписки пользователей сохраняются, "
        "другие администраторы выходят из меню."
    ),
    "admin.key.rotate": "🔄 Заменить ключ",
    "admin.key.confirm": (
        "Заменить ключ API? Старый ключ перестанет работать сразу — обновите его в настройках АТС."
    ),
    "admin.key.rotate_yes": "Да, заменить",
    "admin.key.new": (
        "Новый ключ для API:\n<code>{key}</code>\n\nСохраните его: это сообщение будет "
        "удалено через {minutes} мин."
    ),
    "admin.key.rotated": (
        "Ключ заменён. Новый ключ ({prefix}…) — в сообщении ниже; оно будет удалено через "
        "{minutes} мин."
    ),
    "admin.key.rotated_short": "Ключ заменён.",
    # Dead letters.
    "admin.dead.title": "Недоставленные сообщения: {count}",
    "admin.dead.empty": "Все сообщения доставлены.",
    "admin.dead.item": "{n}. {when}, chatid {chat}\nОшибка: {error}\n{text}",
    "admin.dead.retry_one": "↻ {n}",
    "admin.dead.retry_all": "↻ Отправить снова все ({count})",
    "admin.dead.retried": "Отправляем снова: {count}.",
    "admin.dead.item_maybe": (
        "{n}. {when}, chatid {chat}\n⚠️ Возможно, доставлено: Telegram не ответил вовремя\n{text}"
    ),
    "admin.dead.maybe_count": (
        "Из них, возможно, доставлены: {count} — их отправка снова требует подтверждения."
    ),
    "admin.dead.retry_maybe": "↻ {n} (возможно, доставлено)",
    "admin.dead.confirm": (
        "Telegram не ответил вовремя и мог уже доставить это "
        "сообщение:\n{text}\n\nОтправить его снова? Получатель может увидеть его дважды."
    ),
    "admin.dead.confirm_yes": "Да, отправить снова",
    "admin.dead.confirm_no": "Нет, назад",
    # Typed input.
    "admin.input.cancel": "Отмена",
    "admin.input.cancelled": "Отменено.",
    "admin.input.none": "Нечего отменять.",
    "admin.input.timeout": ("Время ввода истекло, ничего не сохранено. Откройте меню снова: /menu"),
    "admin.input.text_please": "Отправьте ответ текстом или нажмите «Отмена».",
    "admin.input.secret_deleted": (
        "Похоже, это ключ или токен. Сообщение удалено: это секрет. Введите ответ ещё раз."
    ),
    # Stale buttons (answerCallbackQuery, up to 200 characters).
    "admin.failed": "Не получилось. Попробуйте ещё раз чуть позже.",
    "admin.stale.button": "Эта кнопка устарела. Откройте меню: /menu",
    "admin.stale.session": "Вы не администратор этой компании. Войдите: /admin <ключ API>",
    "admin.stale.gone": "Этого уже нет. Откройте меню заново.",
    "admin.stale.user": "Этого пользователя уже нет в списке.",
    "admin.stale.bot": "Этого бота уже нет в списке.",
    "admin.stale.dead": "Это сообщение уже отправлено снова.",
    # Service messages to subscribers and admins (HTML, through the Outbox).
    "admin.notice.group_on": "🔔 Уведомления подключены\nГруппа: {group}\nКомпания: {tenant}",
    "admin.notice.group_off": "🔕 Уведомления отключены\nГруппа: {group}\nКомпания: {tenant}",
    "admin.notice.user_on": "Уведомления подключены\nКомпания: {tenant}",
    "admin.notice.user_off": (
        "Отключено администратором\nКомпания: {tenant}\nВключить уведомления снова может только "
        "администратор вашей компании."
    ),
    "admin.notice.welcome": (
        "Администратор компании «{tenant}» подключил вам уведомления о пропущенных вызовах.\n"
        "Уведомления подключены. Ваши подписки: /status"
    ),
    "admin.notice.start_bot": (
        "Уведомления компании «{tenant}» теперь присылает бот @{bot}. Откройте {link} и "
        "нажмите «Старт», чтобы получать их там."
    ),
    "admin.notice.key_rotated": (
        "Ключ для API компании «{tenant}» заменён, ваш вход в меню администратора завершён. "
        "Чтобы войти снова: /admin &lt;новый ключ&gt;"
    ),
    "admin.bots.farewell": (
        "Тем, кто открывал только @{old} ({told}), он сам отправил ссылку на @{bot}."
    ),
    "admin.notice.bot_leaving": (
        "Бот @{old} больше не присылает уведомления компании «{tenant}». Чтобы получать их "
        "дальше, откройте {link} и нажмите «Старт»."
    ),
}
