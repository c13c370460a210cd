"""A certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential in JSON-LD)."""

from flask import current_app

from lms.certificates.models import Certificate
from lms.core.mail import external_url

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def _timestamp(moment) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def issuer_profile() -> dict:
    """Return the issuing programme as an Open Badges Profile."""
    return {
        "@context": CONTEXT,
        "id": external_url("certificates.issuer"),
        "type": ["Profile"],
        "name": current_app.config["CERTIFICATE_ISSUER"],
        "url": external_url("core.index"),
    }


def open_badge(certificate: Certificate) -> dict:
    """Return *certificate* as an unsigned OpenBadgeCredential, with its revocation status address."""
    verify_url = external_url("certificates.verify", code=certificate.code)
    title = certificate.course_title(certificate.default_language)
    credential = {
        "@context": CONTEXT,
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": {key: value for key, value in issuer_profile().items() if key != "@context"},
        "validFrom": _timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.learner_name,
                }
            ],
            "activityEndDate": _timestamp(certificate.completed_at),
            "achievement": {
                "id": external_url("courses.course", slug=certificate.course_slug),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": title,
                "description": title,
                "criteria": {
                    "narrative": (
                        "Completed every required lesson and knowledge check of the course, "
                        "and every further requirement it sets."
                    )
                },
                "inLanguage": certificate.default_language,
                "humanCode": certificate.course_slug,
            },
        },
        "credentialStatus": {"id": verify_url + "?format=json", "type": "1EdTechRevocationList"},
    }
    if certificate.revoked_at:
        credential["validUntil"] = _timestamp(certificate.revoked_at)
    return credential
