"""GraphQL enums. Their values must equal the enums of graph/model/*.yaml (a test checks)."""

from enum import Enum

import strawberry


@strawberry.enum(description="A need a person may have; services meet needs.")
class NeedCode(Enum):
    SHELTER = "SHELTER"
    MEDICAL = "MEDICAL"
    PSYCHOLOGICAL = "PSYCHOLOGICAL"
    LEGAL_AID = "LEGAL_AID"
    DOCUMENT_RESTORATION = "DOCUMENT_RESTORATION"
    RETURN_ASSISTANCE = "RETURN_ASSISTANCE"
    INTERPRETATION = "INTERPRETATION"
    CHILD_PROTECTION = "CHILD_PROTECTION"
    LAW_ENFORCEMENT = "LAW_ENFORCEMENT"
    SOCIAL_SERVICES = "SOCIAL_SERVICES"
    HOTLINE = "HOTLINE"
    REINTEGRATION = "REINTEGRATION"
    TRANSPORT = "TRANSPORT"
    BASIC_NEEDS = "BASIC_NEEDS"


@strawberry.enum
class OrganizationKind(Enum):
    GOVERNMENT = "GOVERNMENT"
    NGO = "NGO"
    INTERNATIONAL = "INTERNATIONAL"
    MEDICAL = "MEDICAL"
    EDUCATION = "EDUCATION"
    CHILD_PROTECTION = "CHILD_PROTECTION"
    LAW_ENFORCEMENT = "LAW_ENFORCEMENT"
    JUDICIARY = "JUDICIARY"
    HOTLINE = "HOTLINE"


@strawberry.enum(description="NATIONAL bodies are competent in every region.")
class Jurisdiction(Enum):
    NATIONAL = "NATIONAL"
    REGIONAL = "REGIONAL"
    LOCAL = "LOCAL"


@strawberry.enum
class ServiceStatus(Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DEFUNCT = "DEFUNCT"
    TEMPORARILY_CLOSED = "TEMPORARILY_CLOSED"


@strawberry.enum
class Sex(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"


@strawberry.enum
class Citizenship(Enum):
    ANY = "ANY"
    KZ_CITIZENS = "KZ_CITIZENS"
    FOREIGN_NATIONALS = "FOREIGN_NATIONALS"


@strawberry.enum
class ExploitationType(Enum):
    SEXUAL = "SEXUAL"
    LABOR = "LABOR"
    FORCED_BEGGING = "FORCED_BEGGING"
    FORCED_CRIMINALITY = "FORCED_CRIMINALITY"
    SALE_OF_CHILDREN = "SALE_OF_CHILDREN"
    ORGAN_REMOVAL = "ORGAN_REMOVAL"
    FORCED_MARRIAGE = "FORCED_MARRIAGE"
    SURROGACY_ABUSE = "SURROGACY_ABUSE"


@strawberry.enum
class RegionKind(Enum):
    region = "region"
    city = "city"


@strawberry.enum
class Role(Enum):
    COORDINATOR = "COORDINATOR"
    INVESTIGATOR = "INVESTIGATOR"
    LOADER = "LOADER"
    ADMIN = "ADMIN"


ALL_ENUMS = (NeedCode, OrganizationKind, Jurisdiction, ServiceStatus, Sex, Citizenship,
             ExploitationType, RegionKind, Role)
