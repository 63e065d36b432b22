"""What the caseworker reads for a finding heard in someone's words: the alert title per class
(the words that triggered it fill %(name)s) and the plain label of each normal-level topic."""

from __future__ import annotations

from flows.core.i18n import N_

TEXT_RULE_TITLES = {
    "self_harm": N_("A family member's message speaks of self-harm or suicide (%(name)s)."),
    "violence_abuse": N_("A family member's message speaks of violence or abuse (%(name)s)."),
    "bullying": N_("A family member's message speaks of bullying (%(name)s)."),
    "missing": N_("A family member's message says a child is missing or cannot be found "
                  "(%(name)s)."),
    "injury": N_("A family member's message speaks of an injury (%(name)s)."),
    "no_adult": N_("A family member's message says no adult is looking after the child "
                   "(%(name)s)."),
    "distress": N_("A family member's message speaks of the child's strong distress (%(name)s)."),
}
TOPIC_LABELS = {
    "school": N_("school"),
    "illness": N_("illness"),
    "screen_time": N_("phone or games late"),
    "missing_parent": N_("missing a parent"),
    "behaviour": N_("behaviour"),
    "distress": N_("low mood"),
}
