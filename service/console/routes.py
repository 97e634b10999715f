"""The console's page controllers, in one list for app.py."""

from __future__ import annotations

from typing import Any

from .announcement_pages import AnnouncementPages
from .attendance_pages import AttendancePages
from .certificate_pages import CertificatePages
from .copy_pages import CopyPages
from .door_pages import DoorPages
from .event_pages import EventPages
from .group_pages import GroupPages
from .job_pages import JobPages
from .notice_pages import NoticePages
from .people_pages import PeoplePages
from .person_pages import PersonPages
from .prize_pages import PrizePages
from .programme_pages import ProgrammePages
from .registration_pages import RegistrationPages
from .reminder_pages import ReminderPages
from .report_pages import ReportPages
from .signin import SignInPages
from .survey_pages import SurveyPages
from .user_pages import UserPages

CONSOLE_ROUTES: list[Any] = [
    SignInPages,
    EventPages,
    CopyPages,
    RegistrationPages,
    PersonPages,
    UserPages,
    ProgrammePages,
    DoorPages,
    AnnouncementPages,
    GroupPages,
    PrizePages,
    JobPages,
    ReminderPages,
    AttendancePages,
    CertificatePages,
    ReportPages,
    SurveyPages,
    PeoplePages,
    NoticePages,
]
