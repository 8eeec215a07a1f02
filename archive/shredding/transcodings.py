"""How domain values are written into stored events and snapshots.

``PersonalAsCiphertext`` is the heart of crypto-shredding: every ``Personal`` value is
encrypted with its subject's data key on the way in, and comes back ``redacted`` once that
key has been shredded.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

from archive.errors import KeyShredded
from archive.shredding.keystore import KeyStore
from domain.consent import Consent, ConsentRequest
from domain.exhibitions import Placement
from domain.personal import Personal


class PersonalAsCiphertext(Transcoding):
    """Encrypts a ``Personal`` value with the data key of its subject."""

    type = Personal
    name = "personal"

    def __init__(self, keys: KeyStore):
        self.keys = keys

    def encode(self, obj: Personal) -> dict[str, Any]:
        if obj.redacted:
            return {"s": obj.subject_id.hex, "r": 1}
        cipher = self.keys.cipher(obj.subject_id)
        if cipher is None:
            raise KeyShredded(
                "This content's key was shredded (its consent was withdrawn); it cannot be saved."
            )
        plaintext = json.dumps(obj.value, ensure_ascii=False, separators=(",", ":")).encode()
        blob = cipher.encrypt(obj.subject_id, plaintext)
        return {"s": obj.subject_id.hex, "c": base64.b64encode(blob).decode("ascii")}

    def decode(self, data: dict[str, Any]) -> Personal:
        subject_id = UUID(data["s"])
        if "c" not in data:
            return Personal.redacted_for(subject_id)
        cipher = self.keys.cipher(subject_id)
        if cipher is None:
            return Personal.redacted_for(subject_id)
        plaintext = cipher.decrypt(subject_id, base64.b64decode(data["c"]))
        return Personal.of(subject_id, json.loads(plaintext))


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ConsentAsDict(Transcoding):
    type = Consent
    name = "consent"

    def encode(self, obj: Consent) -> dict[str, Any]:
        return {
            "scopes": sorted(scope.value for scope in obj.scopes),
            "attribution": obj.attribution.value,
            "text_version": obj.text_version,
            "recorded_by": obj.recorded_by,
            "recorded_at": obj.recorded_at.isoformat(),
            "expires_on": obj.expires_on.isoformat() if obj.expires_on else None,
        }

    def decode(self, data: dict[str, Any]) -> Consent:
        return Consent(
            scopes=frozenset(data["scopes"]),
            attribution=data["attribution"],
            text_version=data["text_version"],
            recorded_by=data["recorded_by"],
            recorded_at=datetime.fromisoformat(data["recorded_at"]),
            expires_on=date.fromisoformat(data["expires_on"]) if data["expires_on"] else None,
        )


class ConsentRequestAsDict(Transcoding):
    """A contributor's pending request in snapshots, in the form read rows keep it too."""

    type = ConsentRequest
    name = "consent_request"

    def encode(self, obj: ConsentRequest) -> dict[str, Any]:
        return obj.stored()

    def decode(self, data: dict[str, Any]) -> ConsentRequest:
        return ConsentRequest.from_stored(data)


class PlacementAsDict(Transcoding):
    type = Placement
    name = "placement"

    def encode(self, obj: Placement) -> dict[str, Any]:
        return {"item_id": obj.item_id, "kind": obj.kind, "wall_text": obj.wall_text}

    def decode(self, data: dict[str, Any]) -> Placement:
        return Placement(data["item_id"], data["kind"], data["wall_text"])
