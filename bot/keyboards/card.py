"""The buttons of a missed-call card (packed through bot/keyboards/callbacks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.keyboards.callbacks import CallbackData


class Act(StrEnum):
    CLAIM = "c"  # «Перезвоню»
    DONE = "d"  # «Перезвонил(а)»
    DROP = "x"  # «Отказаться», the claimer only
    CALL = "p"  # «Позвонить»: the PBX rings the presser's extension, then the caller


@dataclass(frozen=True)
class CardAct(CallbackData, prefix="cd"):
    tenant: str
    card: str
    act: Act


LABELS = {
    Act.CLAIM: "card.btn.claim",
    Act.DONE: "card.btn.done",
    Act.DROP: "card.btn.drop",
    Act.CALL: "card.btn.call",
}


def card_markup(
    t: object, lang: str, tid: str, card: str, acts: list[Act]
) -> dict[str, object] | None:
    """The inline keyboard (as Bot API JSON) with `acts` in one row, «Позвонить» on its own
    row above; None for no buttons. `t` is the catalogue (perezvon.texts.Catalogue)."""
    if not acts:
        return None

    def button(a: Act) -> dict[str, str]:
        return {"text": t.t(lang, LABELS[a]), "callback_data": CardAct(tid, card, a).pack()}  # type: ignore[attr-defined]

    rows = [[button(a)] for a in acts if a is Act.CALL]
    rest = [button(a) for a in acts if a is not Act.CALL]
    return {"inline_keyboard": rows + ([rest] if rest else [])}
