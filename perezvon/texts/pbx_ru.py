"""Russian texts of «Подключения АТС» (bot/handlers/admin/pbx.py)."""

TEXTS: dict[str, str] = {
    "pbx.menu": "Подключения АТС",
    "pbx.title": "Подключения АТС: облачная АТС присылает звонки прямо в Перезвон.",
    "pbx.none": "Подключений пока нет.",
    "pbx.row": "{vendor} · {short}",
    "pbx.add": "Добавить подключение",
    "pbx.pick_vendor": "Какая у вас АТС?",
    "pbx.back": "« К подключениям",
    "pbx.card": (
        "{vendor}\nАдрес для кабинета АТС:\n{url}\n\nПоследнее "
        "событие: {event}\nПоследний отказ: {rejected}"
    ),
    "pbx.never": "ещё не было",
    "pbx.at": "{when} — {what}",
    "pbx.delete": "Удалить подключение",
    "pbx.delete_confirm": "Удалить подключение {vendor}? АТС перестанет присылать звонки.",
    "pbx.delete_yes": "Да, удалить",
    "pbx.deleted": "Подключение удалено.",
    "pbx.ask.api_key": "Пришлите «Уникальный код вашей АТС» (vpbx_api_key). Сообщение сразу удалю.",
    "pbx.ask.api_salt": "Теперь «Ключ для создания подписи» (api_salt). Сообщение сразу удалю.",
    "pbx.ask.secret": "Пришлите секретный ключ API (Secret) из кабинета. Сообщение сразу удалю.",
    "pbx.ask.crm_token": "Пришлите «Ключ для авторизации в CRM». Сообщение сразу удалю.",
    "pbx.ask.auth_token": "Пришлите Auth Token аккаунта Twilio. Сообщение сразу удалю.",
    "pbx.ask.application_token": (
        "Пришлите application_token обработчика событий. Сообщение сразу удалю."
    ),
    "pbx.ask.client_id": (
        "Пришлите идентификатор клиента (X-Client-ID) из настроек интеграции. "
        "Сообщение сразу удалю."
    ),
    "pbx.ask.client_key": "Теперь ключ клиента (client_key) для подписи. Сообщение сразу удалю.",
    "pbx.secret_not_deleted": "Не удалось удалить сообщение с ключом — удалите его сами.",
    "pbx.empty_secret": "Пустой ключ не подходит. Пришлите его ещё раз.",
    "pbx.added": (
        "Подключение {vendor} создано. Вставьте этот адрес в кабинет АТС:\n{url}\n\n{note}"
    ),
    "pbx.note.mango": "Кабинет Mango: Интеграции → API коннектор → «Адрес внешней системы».",
    "pbx.note.zadarma": "Кабинет: Настройки → Интеграции и API → уведомления о звонках в АТС.",
    "pbx.note.crm_api": "Кабинет АТС: Интеграция с CRM → «Адрес CRM».",
    "pbx.note.twilio": "Twilio: статус-колбэк номера и action у <Dial> — этот адрес.",
    "pbx.note.bitrix24": "Bitrix24: обработчик события ONVOXIMPLANTCALLEND — этот адрес.",
    "pbx.note.unsigned": "Эта АТС ничего не подписывает: держите адрес в секрете.",
    "pbx.note.rostelecom": (
        "Кабинет ВАТС Ростелеком: Интеграция → API → «Адрес для уведомлений» — этот адрес."
    ),
    "pbx.note.uis": "UIS: Уведомления → HTTP, тела запросов — шаблоны из docs/connectors.md.",
    # The audit log's names of the connector actions (bot/handlers/admin/journal.py).
    "access.action.connector.add": "подключение АТС добавлено",
    "access.action.connector.remove": "подключение АТС удалено",
}
