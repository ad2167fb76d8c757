"""English texts of «Подключения АТС» (bot/handlers/admin/pbx.py)."""

TEXTS: dict[str, str] = {
    "pbx.menu": "PBX connections",
    "pbx.title": "PBX connections: a cloud PBX posts its calls straight to Perezvon.",
    "pbx.none": "No connections yet.",
    "pbx.row": "{vendor} · {short}",
    "pbx.add": "Add a connection",
    "pbx.pick_vendor": "Which PBX do you use?",
    "pbx.back": "« To connections",
    "pbx.card": (
        "{vendor}\nURL for the PBX cabinet:\n{url}\n\nLast "
        "event: {event}\nLast rejection: {rejected}"
    ),
    "pbx.never": "none yet",
    "pbx.at": "{when} — {what}",
    "pbx.delete": "Remove the connection",
    "pbx.delete_confirm": "Remove the {vendor} connection? The PBX will stop sending calls.",
    "pbx.delete_yes": "Yes, remove",
    "pbx.deleted": "Connection removed.",
    "pbx.ask.api_key": "Send your PBX's unique code (vpbx_api_key). I delete the message at once.",
    "pbx.ask.api_salt": "Now the signing key (api_salt). I delete the message at once.",
    "pbx.ask.secret": "Send the API secret from the cabinet. I delete the message at once.",
    "pbx.ask.crm_token": "Send the CRM authorisation key. I delete the message at once.",
    "pbx.ask.auth_token": "Send your Twilio account's Auth Token. I delete the message at once.",
    "pbx.ask.application_token": (
        "Send the event handler's application_token. I delete the message at once."
    ),
    "pbx.ask.client_id": (
        "Send the client id (X-Client-ID) from the integration settings. "
        "I delete the message at once."
    ),
    "pbx.ask.client_key": (
        "Now the client key (client_key) used for signing. I delete the message at once."
    ),
    "pbx.secret_not_deleted": "I could not delete the message with the key — please delete it.",
    "pbx.empty_secret": "An empty key will not do. Send it again.",
    "pbx.added": (
        "The {vendor} connection is ready. Paste this URL into the PBX cabinet:\n{url}\n\n{note}"
    ),
    "pbx.note.mango": "Mango cabinet: Integrations → API connector → external system address.",
    "pbx.note.zadarma": "Cabinet: Settings → Integrations and API → PBX call notifications.",
    "pbx.note.crm_api": "PBX cabinet: CRM integration → CRM address.",
    "pbx.note.twilio": "Twilio: the number's status callback and the <Dial> action — this URL.",
    "pbx.note.bitrix24": "Bitrix24: the ONVOXIMPLANTCALLEND event handler — this URL.",
    "pbx.note.unsigned": "This PBX signs nothing: keep the URL secret.",
    "pbx.note.rostelecom": (
        "Rostelecom VATS cabinet: Integration → API → notification address — this URL."
    ),
    "pbx.note.uis": "UIS: Notifications → HTTP; request bodies from docs/connectors.md.",
    # The audit log's names of the connector actions (bot/handlers/admin/journal.py).
    "access.action.connector.add": "PBX connection added",
    "access.action.connector.remove": "PBX connection removed",
}
