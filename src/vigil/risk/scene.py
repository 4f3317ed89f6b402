"""What the attending officer does at the scene: the immediate safety measures checklist and the advice and
support offered. Plain data, no Django."""

SAFETY_MEASURES = {
    "suspect_removed": "Suspect removed from the address",
    "victim_moved": "Victim moved to a safe place",
    "locks_changed": "Locks changed or target hardening arranged",
    "alarm_fitted": "Alarm or panic button arranged",
    "safe_contact_agreed": "Safe way to contact the victim agreed",
    "code_word_agreed": "Code word agreed for future calls",
    "children_safeguarded": "Children seen and safeguarded",
    "address_marker": "Warning marker requested for the address",
}
ADVICE = {
    "helpline": "National Domestic Abuse Helpline details given",
    "idva_referral": "Referral to an independent domestic violence adviser offered",
    "refuge": "Refuge or emergency accommodation offered",
    "clares_law": "Domestic Violence Disclosure Scheme (Clare's Law) explained",
    "orders_explained": "Protective orders explained (DVPN/DVPO, non-molestation)",
    "victims_code": "Victims' Code leaflet and crime reference given",
    "safety_plan": "Safety plan discussed",
}
