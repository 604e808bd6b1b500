"""The vocabulary codes demo data draws from, checked once against the installed vocabularies."""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.domain.vocab import Vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _

#: "group vocabulary: preferred codes" (indented lines continue); a code named twice weighs double.
#: Each list is filtered against the installed vocabulary; when nothing is left, any leaf will do.
PREFERENCES = """
detention visit_type: detention-visit
detention institution_type: prison detention-centre juvenile-detention-facility
detention violation_type: overcrowding inadequate-detention-conditions prolonged-pretrial-detention
    denial-of-medical-care-in-detention cruel-inhuman-degrading-treatment
detention right: humane-treatment-in-detention health liberty-and-security-of-person rights-of-the-child
detention affected_group: persons-deprived-of-liberty pretrial-detainees women-prisoners children
detention perpetrator_type: prison-staff public-officials
custody visit_type: detention-visit interview
custody institution_type: police-station police
custody violation_type: denial-of-legal-counsel torture cruel-inhuman-degrading-treatment arbitrary-detention
    incommunicado-detention not-brought-before-judge coerced-confession
custody right: freedom-from-torture liberty-and-security-of-person fair-trial access-to-justice
custody affected_group: persons-deprived-of-liberty pretrial-detainees victims-of-torture women
custody perpetrator_type: police state-security-forces
trial visit_type: trial-observation
trial institution_type: court judiciary tribunal
trial violation_type: undue-delay denial-of-legal-counsel coerced-confession
    presumption-of-innocence-violation lack-of-judicial-independence
trial right: fair-trial access-to-justice effective-remedy
trial affected_group: political-opponents human-rights-defenders journalists pretrial-detainees
trial perpetrator_type: judicial-officials public-officials
protest visit_type: protest-monitoring
protest institution_type: local-authority security-sector
protest violation_type: excessive-use-of-force restriction-of-assembly arbitrary-arrest physical-assault
    media-censorship attack-on-hrd-or-journalist
protest right: freedom-of-assembly freedom-of-expression liberty-and-security-of-person
protest affected_group: civil-society-actors journalists human-rights-defenders youth
protest perpetrator_type: police state-security-forces unknown
idp visit_type: idp-site-visit field-mission
idp institution_type: idp-camp
idp violation_type: denial-of-water-and-sanitation obstruction-of-humanitarian-access forced-displacement
    denial-of-health-care other-sexual-violence arbitrary-deprivation-of-nationality
idp right: water-and-sanitation refugee-and-idp-rights health food recognition-before-the-law
idp affected_group: internally-displaced-persons women children refugees-and-asylum-seekers
idp perpetrator_type: public-officials armed-group unknown
training0 training_event_type: workshop training-course
training0 training_audience: prison-staff national-police judicial-officials
training1 training_event_type: training-of-trainers
training1 training_audience: civil-society lawyers human-rights-defenders
training2 training_event_type: training-course seminar
training2 training_audience: national-police law-enforcement-officials local-authorities
training3 training_event_type: induction workshop online-course
training3 training_audience: civil-society nhri journalists ohchr-staff
training4 training_event_type: workshop awareness-raising
training4 training_audience: local-authorities community-and-religious-leaders un-agency-staff
ngo organisation_type: ngo-cso ngo-cso professional-association victims-association
police organisation_type: security-agency
gov organisation_type: government-entity
ombudsman organisation_type: ombudsman nhri
prosecutor organisation_type: prosecution-service
past project_status: completed completed exited under-evaluation
now project_status: in-implementation in-implementation in-implementation on-hold funded
future project_status: identified needs-assessment programming agreed-with-government funded
any sensitivity_level: internal internal internal internal internal internal confidential confidential
    confidential public strictly-confidential
any incident_pattern: isolated isolated pattern
any date_precision: day
any sdg: sdg-16
any sex: female male
any followup_status: open in-progress done
"""
ROLES = (
    "victim",
    "witness",
    "relative",
    "alleged-perpetrator",
    "official",
    "source",
    "human-rights-defender",
)
OTHER_VOCABS = ("source_reliability", "person_role", "age_group", "funding_source", "implementation_gap")


def _preferences(table: str) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    key = ("", "")
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            out[key] += line.split()
        else:
            head, _sep, codes = line.partition(":")
            group, vocabulary = head.split()
            key = (group, vocabulary)
            out[key] = codes.split()
    return out


class Codes:
    """The vocabulary codes the demo draws from, checked once against the installed vocabularies."""

    def __init__(self, vocab: Vocabularies) -> None:
        prefs = _preferences(PREFERENCES)
        names = sorted({name for _group, name in prefs} | set(OTHER_VOCABS))
        missing = [name for name in names if not vocab.terms(name)]
        if missing:
            raise ValidationError(
                _("Demo data needs these vocabularies, which this installation lacks: {names}").format(
                    names=", ".join(missing)
                )
            )
        self.codes = {name: [t.code for t in vocab.terms(name)] for name in names}
        parents = {name: {t.parent_code for t in vocab.terms(name)} for name in names}
        #: codes no other code hangs under: the specific terms a field officer picks
        self.leaves = {
            name: [c for c in codes if c not in parents[name]] for name, codes in self.codes.items()
        }
        self.prefs = {key: self.prefer(key[1], codes) for key, codes in prefs.items()}
        self.roles = {role: self.prefer("person_role", [role])[0] for role in ROLES}
        self.sex_of = {female: self.prefs["any", "sex"][0 if female else -1] for female in (True, False)}
        self.ages = [(code, _age_range(code)) for code in self.codes["age_group"]]
        self.known_ages = [code for code, span in self.ages if span] or self.codes["age_group"]
        self.open, self.doing, self.done = (
            self.prefer("followup_status", [s])[0] for s in ("open", "in-progress", "done")
        )

    def __call__(self, group: str, vocabulary: str) -> list[str]:
        return self.prefs[group, vocabulary]

    def prefer(self, vocabulary: str, preferred: Sequence[str]) -> list[str]:
        """The preferred codes that exist (in order, repeats kept), else every leaf."""
        known = set(self.codes[vocabulary])
        return [c for c in preferred if c in known] or self.leaves[vocabulary]


def _age_range(code: str) -> tuple[int, int] | None:
    numbers = [int(part) for part in code.split("-") if part.isdigit()]
    return (numbers[0], numbers[1] if len(numbers) > 1 else numbers[0] + 25) if numbers else None
