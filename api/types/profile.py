from __future__ import annotations

import strawberry

from api.types.enums import ExploitationType, Sex, Trigger, Vulnerability
from graph.exceptions import BadInput
from graph.routing import Profile


@strawberry.input(description="An age range when the exact age is not known")
class AgeBandInput:
    min: int | None = None
    max: int | None = None


@strawberry.input(description="A pseudonymous person: never a name or a document number")
class ProfileInput:
    region: str = strawberry.field(description="Where the person is now (region code)")
    age: int | None = None
    age_band: AgeBandInput | None = None
    sex: Sex | None = None
    citizenship: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 code, e.g. KZ, UZ, KG")
    languages: list[str] = strawberry.field(default_factory=list, description="ISO 639-1 codes")
    exploitation_types: list[ExploitationType] = strawberry.field(default_factory=list)
    vulnerabilities: list[Vulnerability] = strawberry.field(default_factory=list)
    triggers: list[Trigger] = strawberry.field(default_factory=list)

    def to_domain(self) -> Profile:
        if self.age is not None and not 0 <= self.age <= 120:
            raise BadInput("age must be between 0 and 120", field="age")
        lo = self.age_band.min if self.age_band else None
        hi = self.age_band.max if self.age_band else None
        if lo is not None and hi is not None and lo > hi:
            raise BadInput("the age band is inverted", field="ageBand")
        citizenship = self.citizenship.strip().upper() if self.citizenship else None
        if citizenship is not None and not (len(citizenship) == 2 and citizenship.isalpha()):
            raise BadInput("citizenship is a two-letter country code such as KZ or UZ",
                           field="citizenship")
        return Profile(
            region=self.region, age=self.age, age_min=lo, age_max=hi,
            sex=self.sex.value if self.sex else None, citizenship=citizenship,
            languages=tuple(x.strip().lower() for x in self.languages),
            exploitation_types=tuple(x.value for x in self.exploitation_types),
            vulnerabilities=tuple(x.value for x in self.vulnerabilities),
            triggers=tuple(x.value for x in self.triggers))


@strawberry.type(description="The pseudonymous person a referral is for")
class Client:
    age: int | None
    age_min: int | None
    age_max: int | None
    sex: Sex | None
    citizenship: str | None
    languages: list[str]
    region: str | None
    exploitation_types: list[ExploitationType]
    vulnerabilities: list[Vulnerability]
    triggers: list[Trigger]

    @classmethod
    def of(cls, c: dict[str, object]) -> Client:
        def strs(key: str) -> list[str]:
            value = c.get(key) or []
            return [str(x) for x in value] if isinstance(value, list) else []

        sex = c.get("sex")
        return cls(age=c.get("age"), age_min=c.get("age_min"), age_max=c.get("age_max"),  # type: ignore[arg-type]
                   sex=Sex(sex) if sex else None, citizenship=c.get("citizenship"),  # type: ignore[arg-type]
                   languages=strs("languages"), region=c.get("region"),  # type: ignore[arg-type]
                   exploitation_types=[ExploitationType(x) for x in strs("exploitation_types")],
                   vulnerabilities=[Vulnerability(x) for x in strs("vulnerabilities")],
                   triggers=[Trigger(x) for x in strs("triggers")])
