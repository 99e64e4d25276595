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


@strawberry.enum
class ReferralStatus(Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    IN_SERVICE = "IN_SERVICE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class Urgency(Enum):
    EMERGENCY = "EMERGENCY"
    HIGH = "HIGH"
    NORMAL = "NORMAL"
    LOW = "LOW"


@strawberry.enum
class DeclineReason(Enum):
    NO_CAPACITY = "NO_CAPACITY"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    COULD_NOT_CONTACT = "COULD_NOT_CONTACT"
    CLIENT_DECLINED = "CLIENT_DECLINED"
    OTHER = "OTHER"


@strawberry.enum(description="The law's vulnerability factors of a potential victim")
class Vulnerability(Enum):
    MATERIAL_DEPENDENCY = "MATERIAL_DEPENDENCY"
    PSYCHOLOGICAL_DEPENDENCY = "PSYCHOLOGICAL_DEPENDENCY"
    MINOR = "MINOR"
    OLD_AGE = "OLD_AGE"
    ORPHAN = "ORPHAN"
    NEGLECT = "NEGLECT"
    PREGNANCY = "PREGNANCY"
    DISABILITY = "DISABILITY"
    ILLNESS = "ILLNESS"
    SUBSTANCE_ABUSE = "SUBSTANCE_ABUSE"
    UNEMPLOYMENT = "UNEMPLOYMENT"
    NO_DOCUMENTS = "NO_DOCUMENTS"
    HOMELESSNESS = "HOMELESSNESS"
    UNRESOLVED_MIGRATION_STATUS = "UNRESOLVED_MIGRATION_STATUS"


@strawberry.enum(description="Circumstances that bring duties of their own")
class Trigger(Enum):
    ABANDONED_NEWBORN = "ABANDONED_NEWBORN"
    IDENTIFIED_BY_LABOR_INSPECTOR = "IDENTIFIED_BY_LABOR_INSPECTOR"
    REPORTED_BY_MEDICAL_ORGANIZATION = "REPORTED_BY_MEDICAL_ORGANIZATION"
    REPORTED_BY_CHILDRENS_INSTITUTION = "REPORTED_BY_CHILDRENS_INSTITUTION"


ALL_ENUMS = (NeedCode, OrganizationKind, Jurisdiction, ServiceStatus, Sex, Citizenship,
             ExploitationType, RegionKind, Role, ReferralStatus, Urgency, DeclineReason,
             Vulnerability, Trigger)
