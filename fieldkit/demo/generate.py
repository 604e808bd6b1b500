"""The demo's records: one office's places, organisations, projects, visits and training.

Everything is drawn from a ``random.Random`` seeded per office, stamped with times
inside a fixed window and given ids made from those times and that generator, so
one seed always gives byte-identical exports. Rows go in through
``Writer.bulk_create`` (executemany per type and batch, change-log and audit rows
included); ``fieldkit.demo.generate`` runs all offices in one transaction, so a
cancelled run leaves the store empty again.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldkit.demo.names import CULTURES, LANGS, TEXTS, THEMES, Country, person_name
from fieldkit.ids import uuid7
from fieldkit.progress import Progress
from fieldkit.search import reindex_touched
from fieldkit.store.base import SyncedRecord
from fieldkit.store.changes import Writer
from fieldkit.store.records import (
    AdminArea,
    Attendance,
    FollowUp,
    Incident,
    Involvement,
    MonitoringVisit,
    Organisation,
    Participant,
    Person,
    PersonIdentity,
    Project,
    TrainingEvent,
)

if TYPE_CHECKING:
    from fieldkit.demo.codes import Codes

Row = dict[str, Any]


@dataclass(frozen=True)
class Scale:
    offices: int
    visits: int
    projects: int
    events: int
    participants: int
    attendance: int
    organisations: int


SCALES = {
    "small": Scale(
        1, visits=300, projects=30, events=40, participants=800, attendance=1_200, organisations=25
    ),
    "large": Scale(20, 100_000, 2_000, 5_000, participants=30_000, attendance=100_000, organisations=500),
}

#: the demo's world: visits fall between these days, statuses are as of REF_DAY
FIRST_DAY, LAST_DAY, REF_DAY = dt.date(2024, 1, 8), dt.date(2026, 10, 16), dt.date(2026, 10, 31)
#: the writers' clock (rows carry their own created_at, so it stamps nothing in practice)
CLOCK = dt.datetime(2026, 10, 31, 18, 0)
EPOCH, MS = dt.datetime(1970, 1, 1), dt.timedelta(milliseconds=1)
#: visits made and inserted together with their incidents, people and follow-ups
VISIT_CHUNK = 2_000
#: rows per executemany
BATCH = 10_000
#: who is involved in an incident (one group drawn per incident)
INCIDENT_ROLES = (
    "victim",
    "victim",
    "victim",
    "victim witness",
    "witness",
    "victim relative",
    "victim",
    "victim alleged-perpetrator",
)


class OfficeDemo:
    """One office's records, made in dependency order and inserted in batches."""

    def __init__(
        self,
        writer: Writer,
        rng: random.Random,
        country: Country,
        codes: Codes,
        counts: dict[str, int],
        progress: Progress,
    ) -> None:
        self.writer, self.rng, self.country, self.codes = writer, rng, country, codes
        self.counts, self.progress, self.office = counts, progress, writer.office
        self.culture = CULTURES[country.culture]
        #: the office's own language for half of its texts; the other five share the rest
        self.langs = [country.lang] * 5 + [lang for lang in LANGS if lang != country.lang]
        self.days = [FIRST_DAY + dt.timedelta(days=k) for k in range((LAST_DAY - FIRST_DAY).days + 1)]
        self.staff = [person_name(self.culture, rng.random() < 0.5, rng)[0] for _ in range(8)]
        self.districts: list[tuple[str, str, str]] = []  # (admin area id, district, region)
        self.orgs: list[str] = []
        self.ngos: list[str] = []
        self.projects: list[str] = []
        self.persons: list[str] = []

    # -- plumbing -------------------------------------------------------------------------------

    def row(self, at: dt.datetime, **values: Any) -> Row:
        """A row born at ``at``, with an id made from that time and this office's generator."""
        return {"id": uuid7((at - EPOCH) // MS, self.rng), "created_at": at, **values}

    def insert(self, model: type[SyncedRecord], rows: list[Row]) -> None:
        if model is not AdminArea:  # parents come first there; elsewhere the order is free
            # by id, so that B-tree inserts sweep the indexes instead of hopping around them
            rows = sorted(rows, key=lambda row: row["id"])
        for start in range(0, len(rows), BATCH):
            self.progress.check()
            self.writer.bulk_create(model, rows[start : start + BATCH])
        self.counts[model.record_type] += len(rows)

    def moment(self, day: dt.date, earliest: int = 7, latest: int = 19) -> dt.datetime:
        seconds = self.rng.randrange(earliest * 3600, latest * 3600)
        return dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=seconds)

    def later(self, at: dt.datetime, minutes: int = 90) -> dt.datetime:
        return at + dt.timedelta(seconds=self.rng.randrange(60, minutes * 60))

    def name(self) -> tuple[str, str, bool]:
        """(name, Latin name, female): two thirds from the office's own culture, the rest from anywhere."""
        culture = self.culture if self.rng.random() < 0.65 else CULTURES[self.rng.choice(list(CULTURES))]
        female = self.rng.random() < 0.5
        return (*person_name(culture, female, self.rng), female)

    def phone(self) -> str:
        return f"{self.country.dial} {self.rng.randrange(700, 800)} {self.rng.randrange(100_000, 1_000_000)}"

    def some(self, pool: Sequence[str], low: int, high: int) -> list[str]:
        """Between ``low`` and ``high`` distinct codes from ``pool``, in draw order."""
        return list(dict.fromkeys(self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))))

    def run(self, share: Scale) -> None:
        self.make_areas()
        self.make_organisations(share.organisations)
        self.make_projects(share.projects)
        # visits in date order, so ids (time first) and the indexes on them grow at their ends
        days = sorted(self.rng.choice(self.days) for _ in range(share.visits))
        for start in range(0, share.visits, VISIT_CHUNK):
            self.make_visits(days[start : start + VISIT_CHUNK])
        self.make_training(share.events, share.participants, share.attendance)
        self.index_search()  # training events and anything else made after the last visits

    # -- places, organisations, projects --------------------------------------------------------

    def make_areas(self) -> None:
        at = dt.datetime(2024, 1, 2, 9, 0) + dt.timedelta(minutes=self.rng.randrange(600))
        code = self.country.code
        top = self.row(at, name=self.country.name, level=0, parent_id=None, country_code=code)
        rows = [top]
        for region, districts in self.country.regions:
            at = self.later(at, 5)
            rows.append(self.row(at, name=region, level=1, parent_id=top["id"], country_code=code))
            parent = rows[-1]["id"]
            for district in districts:
                at = self.later(at, 5)
                rows.append(self.row(at, name=district, level=2, parent_id=parent, country_code=code))
                self.districts.append((rows[-1]["id"], district, region))
        self.insert(AdminArea, rows)

    def make_organisations(self, count: int) -> None:
        rng, rows = self.rng, []
        names: set[str] = set()
        for _i in range(count):
            for _attempt in range(20):  # a new name if one is left
                kind, _sep, template = rng.choice(TEXTS[self.country.lang]["org"]).partition(":")
                _area, district, region = rng.choice(self.districts)
                name = template.format(place=district if rng.random() < 0.6 else region)
                if name not in names:
                    break
            names.add(name)
            org_type = rng.choice(self.codes(kind, "organisation_type"))
            rows.append(
                self.row(
                    self.moment(rng.choice(self.days[:120])),
                    name=name,
                    org_type=org_type,
                    country_code=self.country.code,
                )
            )
            (self.ngos if kind == "ngo" else self.orgs).append(rows[-1]["id"])
        self.orgs += self.ngos
        self.insert(Organisation, rows)
        self.progress.step(count)

    def make_projects(self, count: int) -> None:
        rng, codes, rows = self.rng, self.codes, []
        for n in range(count):
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(-400, 1100))
            end = start + dt.timedelta(days=rng.choice((365, 540, 730, 1095)))
            when = "past" if end < REF_DAY else "future" if start > REF_DAY else "now"
            texts = TEXTS[rng.choice(self.langs)]
            at = self.moment(min(REF_DAY, max(FIRST_DAY, start - dt.timedelta(days=rng.randrange(30, 200)))))
            rows.append(
                self.row(
                    at,
                    code=f"{self.office}-{start.year}-{n + 1:03d}",
                    title=rng.choice(texts["project"]),
                    country_code=self.country.code,
                    status=rng.choice(codes(when, "project_status")),
                    funding_source=rng.choice(codes.leaves["funding_source"]),
                    start_date=start,
                    end_date=end,
                    budget_usd=rng.randrange(25, 2500) * 1000,
                    implementation_gaps=self.some(codes.codes["implementation_gap"], 0, 2),
                    sdgs=list(dict.fromkeys(codes("any", "sdg")[:1] + self.some(codes.leaves["sdg"], 0, 2))),
                    description=_join(texts, rng.sample(texts["pdesc"], rng.randrange(1, 3))),
                )
            )
        self.projects = [r["id"] for r in rows]
        self.insert(Project, rows)
        self.progress.step(count)

    # -- monitoring -----------------------------------------------------------------------------

    def make_visits(self, days: list[dt.date]) -> None:
        out: dict[type[SyncedRecord], list[Row]] = {
            m: [] for m in (MonitoringVisit, Incident, Person, PersonIdentity, Involvement, FollowUp)
        }
        for day in days:
            self.visit(out, day)
        for model, rows in out.items():
            self.insert(model, rows)
        self.index_search()
        self.progress.step(len(days))

    def index_search(self) -> None:
        """What Context.write() does at commit: index the searchable records written so far."""
        reindex_touched(self.writer.session, self.writer.search_touched, new=self.writer.search_new)
        self.writer.search_touched.clear()
        self.writer.search_new.clear()

    def visit(self, out: dict[type[SyncedRecord], list[Row]], day: dt.date) -> None:
        """One visit with its incidents, the people involved and the follow-ups it calls for."""
        rng, codes = self.rng, self.codes
        theme = rng.choice(THEMES)
        lang = rng.choice(self.langs)
        texts, sentences = TEXTS[lang], TEXTS[lang][theme]
        at = self.moment(day + dt.timedelta(days=rng.randrange(0, 8)))
        area_id, district, region = rng.choice(self.districts)
        number = NUMBERS[theme](rng)
        picked = sorted(rng.sample(range(1, len(sentences)), rng.randrange(2, 5)))
        body = [sentences[0]] + [sentences[k] for k in picked]
        if rng.random() < 0.6:
            body.append(rng.choice(texts["closing"]))
        visit = self.row(
            at,
            title=texts["title"][THEMES.index(theme)].format(place=district),
            visit_type=rng.choice(codes(theme, "visit_type")),
            date_start=day,
            date_end=day + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2))),
            date_precision=codes("any", "date_precision")[0],
            admin_area_id=area_id,
            location_text=f"{district}, {region}",
            latitude=round(self.country.lat + rng.uniform(-1.5, 1.5), 5),
            longitude=round(self.country.lon + rng.uniform(-1.5, 1.5), 5),
            team=", ".join(rng.sample(self.staff, rng.randrange(1, 4))),
            institution_type=rng.choice(codes(theme, "institution_type")) if rng.random() < 0.85 else None,
            institutions="",
            counterparts=self.name()[0],
            narrative=_join(texts, [s.format(place=district, n=number) for s in body]),
            confidentiality=rng.choice(codes("any", "sensitivity_level")),
        )
        out[MonitoringVisit].append(visit)
        place = (district, region, lang)
        for _k in range(rng.choice((1, 1, 1, 2, 2, 3))):
            at = self.later(at)
            summary = [
                s.format(place=district, n=number) for s in rng.sample(sentences[1:], rng.randrange(1, 3))
            ]
            incident = self.incident(at, visit["id"], day, theme, _join(texts, summary))
            out[Incident].append(incident)
            for role in rng.choice(INCIDENT_ROLES).split():
                self.involve(out, at, visit["id"], incident["id"], role, place)
        if rng.random() < 0.3:
            role = rng.choice(("official", "source", "human-rights-defender"))
            self.involve(out, self.later(at), visit["id"], None, role, place)
        for _f in range(rng.choice((0, 1, 1, 1, 2))):
            at = self.later(at)
            out[FollowUp].append(self.follow_up(at, visit["id"], day, theme, texts))

    def incident(self, at: dt.datetime, visit_id: str, day: dt.date, theme: str, summary: str) -> Row:
        rng, codes = self.rng, self.codes
        victims: dict[str, int] = {}
        for _v in range(rng.randrange(1, 3)):
            key = f"{rng.choice(codes('any', 'sex'))}/{rng.choice(codes.known_ages)}"
            victims[key] = victims.get(key, 0) + rng.randrange(1, 6)
        return self.row(
            at,
            visit_id=visit_id,
            incident_date=day - dt.timedelta(days=rng.randrange(0, 45)),
            summary=summary,
            violation_types=self.some(codes(theme, "violation_type"), 1, 2),
            rights=self.some(codes(theme, "right"), 1, 2),
            affected_groups=self.some(codes(theme, "affected_group"), 1, 2),
            victims=victims,
            perpetrator_type=rng.choice(codes(theme, "perpetrator_type")),
            pattern=rng.choice(codes("any", "incident_pattern")),
            source_reliability=rng.choice(codes.codes["source_reliability"]),
        )

    def involve(
        self,
        out: dict[type[SyncedRecord], list[Row]],
        at: dt.datetime,
        visit_id: str,
        incident_id: str | None,
        role: str,
        place: tuple[str, str, str],
    ) -> None:
        """Involve a new person (with an identity) or, now and then, someone met before."""
        rng, codes = self.rng, self.codes
        # officials and sources met at a visit are often people the office already knows
        if self.persons and rng.random() < (0.15 if incident_id else 0.5):
            person_id = rng.choice(self.persons)
        else:
            native, latin, female = self.name()
            age, span = rng.choice(codes.ages)
            person = self.row(
                at,
                code=f"{self.office}-P{len(self.persons) + 1:06d}",
                sex=codes.sex_of[female] if rng.random() < 0.95 else rng.choice(codes.codes["sex"]),
                age_group=age,
                birth_year=at.year - rng.randint(*span) if span and rng.random() < 0.7 else None,
                organisation_id=rng.choice(self.ngos) if self.ngos and rng.random() < 0.08 else None,
            )
            person_id = person["id"]
            district, region, lang = place
            identity = self.row(
                at,
                person_id=person_id,
                full_name=native,
                other_names=latin if latin != native else "",
                contact=self.phone() if rng.random() < 0.6 else "",
                address=f"{district}, {region}",
                notes=rng.choice(TEXTS[lang]["note"]) if rng.random() < 0.25 else "",
            )
            out[Person].append(person)
            out[PersonIdentity].append(identity)
            self.persons.append(person_id)
        involvement = self.row(
            at, visit_id=visit_id, incident_id=incident_id, person_id=person_id, role=codes.roles[role]
        )
        out[Involvement].append(involvement)

    def follow_up(
        self, at: dt.datetime, visit_id: str, day: dt.date, theme: str, texts: dict[str, Any]
    ) -> Row:
        """An action owed; open ones past their due date are the overdue follow-ups."""
        rng, codes = self.rng, self.codes
        due = day + dt.timedelta(days=rng.choice((14, 30, 30, 60, 90, 180, 365)))
        status, completed = (codes.doing if rng.random() < 0.3 else codes.open), None
        if due < REF_DAY and rng.random() < 0.6:
            status = codes.done
            completed = min(REF_DAY, day + dt.timedelta(days=rng.randrange(3, (due - day).days + 30)))
        actions = texts["action"]
        return self.row(
            at,
            visit_id=visit_id,
            action=actions[THEMES.index(theme)] if rng.random() < 0.7 else rng.choice(actions),
            responsible=rng.choice(self.staff),
            due_date=due,
            status=status,
            completed_on=completed,
            project_id=rng.choice(self.projects) if self.projects and rng.random() < 0.2 else None,
        )

    # -- training -------------------------------------------------------------------------------

    def make_training(self, events: int, participants: int, attendance: int) -> None:
        rng, codes = self.rng, self.codes
        event_rows = []
        for _i in range(events):
            lang = rng.choice(self.langs)
            texts = TEXTS[lang]
            topic = rng.randrange(len(texts["training"]))
            start = rng.choice(self.days)
            area_id, district, _region = rng.choice(self.districts)
            at = self.moment(max(FIRST_DAY, start - dt.timedelta(days=rng.randrange(7, 60))))
            event_rows.append(
                self.row(
                    at,
                    title=texts["training"][topic],
                    event_type=rng.choice(codes(f"training{topic}", "training_event_type")),
                    audiences=self.some(codes(f"training{topic}", "training_audience"), 1, 2),
                    start_date=start,
                    end_date=start + dt.timedelta(days=rng.choice((0, 1, 2, 2, 4))),
                    venue=rng.choice(texts["venue"]).format(place=district),
                    admin_area_id=area_id,
                    language=lang,
                    project_id=rng.choice(self.projects) if self.projects and rng.random() < 0.4 else None,
                    description=_join(texts, rng.sample(texts["tdesc"], rng.randrange(1, 3))),
                )
            )
        # everyone attends one event; the remaining places go to random (participant, event) pairs
        pairs = [(p, rng.randrange(events)) for p in range(participants)] if events else []
        taken = set(pairs)
        while len(pairs) < min(attendance, participants * events):
            pair = (rng.randrange(participants), rng.randrange(events))
            if pair not in taken:
                taken.add(pair)
                pairs.append(pair)
        first: dict[int, dt.date] = {}
        for p, e in pairs:
            first[p] = min(first.get(p, LAST_DAY), event_rows[e]["start_date"])
        people = [self.participant(first.get(p, FIRST_DAY)) for p in range(participants)]
        rows = []
        for p, e in pairs:
            event = event_rows[e]
            length = (event["end_date"] - event["start_date"]).days + 1
            days = length if rng.random() < 0.8 else rng.randrange(1, length + 1)
            role = "facilitator" if rng.random() < 0.04 else "participant"
            rows.append(
                self.row(
                    self.moment(event["end_date"], 16, 20),
                    event_id=event["id"],
                    participant_id=people[p]["id"],
                    role=role,
                    days_attended=days,
                    certificate_issued=days == length,
                )
            )
        self.insert(TrainingEvent, event_rows)
        self.progress.step(events)
        self.insert(Participant, people)
        self.insert(Attendance, rows)
        self.progress.step(participants)

    def participant(self, first_event: dt.date) -> Row:
        rng = self.rng
        native, latin, female = self.name()
        joined = max(FIRST_DAY, first_event - dt.timedelta(days=rng.randrange(1, 10)))
        return self.row(
            self.moment(joined),
            full_name=native,
            sex=self.codes.sex_of[female],
            birth_year=rng.randrange(1960, 2004),
            organisation_id=rng.choice(self.orgs) if self.orgs and rng.random() < 0.7 else None,
            position=rng.choice(TEXTS[self.country.lang]["position"]),
            email=f"{_ascii(latin)}{rng.randrange(10, 100)}@example.org" if rng.random() < 0.7 else "",
            phone=self.phone() if rng.random() < 0.8 else "",
        )


#: the {n} in each theme's sentences: capacity, days without a lawyer, adjournments, protesters, families
NUMBERS: dict[str, Callable[[random.Random], int]] = {
    "detention": lambda rng: rng.choice((80, 120, 150, 200, 250, 400, 600)),
    "custody": lambda rng: rng.randrange(3, 61),
    "trial": lambda rng: rng.randrange(5, 10),
    "protest": lambda rng: rng.randrange(2, 50) * 100,
    "idp": lambda rng: rng.randrange(3, 40) * 100,
}


def _join(texts: dict[str, Any], sentences: Sequence[str]) -> str:
    """Sentences joined as the language writes them (Chinese needs no spaces)."""
    return ("" if texts is TEXTS["zh"] else " ").join(sentences)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain.replace(" ", ".") if ch.isalnum() or ch in ".-")
