"""Schemas (draft-4) for the Open311 answers the shared schema set does not cover, written
from the GeoReport v2 and mySociety texts (OPEN311.md)."""

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"anyOf": [DATETIME, {"type": "null"}]},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"enum": ["http://wiki.open311.org/GeoReport_v2"]},
                    "url": {"type": "string", "format": "uri"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {
                        "type": "array",
                        "items": {"enum": ["application/json", "text/xml"]},
                    },
                },
            },
        },
    },
}

# A new request: one item with service_request_id or token, never both.
POSTED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
        "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
    },
}

TOKENS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    },
}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}

EXTENDED = [
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
    "for_triage",
]

UPDATES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": [
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        ],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"enum": EXTENDED},
            "updated_datetime": DATETIME,
            "description": NULLABLE_STRING,
            "media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
            "external_status_code": NULLABLE_STRING,
        },
    },
}

UPDATE_POSTED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["update_id"],
        "properties": {"update_id": {"type": "string"}},
    },
}
