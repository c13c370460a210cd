"""Demo organisations and people from the partner network, loaded by `lms demo load`."""

import os
import sys

from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import Organisation, OrganisationKind, Role, TrainerCountry
from lms.core.demo import DEMO_PASSWORD, DemoAccount
from lms.extensions import db
from lms.i18n import language_for_country

ORGANISATIONS = [
    ("Comune di Lampedusa e Linosa", "IT", OrganisationKind.MUNICIPALITY),
    ("Stadtgemeinde Traiskirchen", "AT", OrganisationKind.MUNICIPALITY),
    ("Občina Črnomelj", "SI", OrganisationKind.MUNICIPALITY),
    ("Περιφέρεια Βορείου Αιγαίου", "GR", OrganisationKind.REGION),
    ("Δήμος Αγίου Αθανασίου", "CY", OrganisationKind.MUNICIPALITY),
    ("Primăria Municipiului Constanța", "RO", OrganisationKind.MUNICIPALITY),
    ("Община Бургас", "BG", OrganisationKind.MUNICIPALITY),
    ("Siklósnagyfalu Község Önkormányzata", "HU", OrganisationKind.MUNICIPALITY),
]

#: (role, e-mail, name, organisation's country or None, language, trainer countries)
PEOPLE = [
    (Role.ADMIN, "admin@clarinet.example", "Anna Berger", None, "en", ()),
    (Role.TRAINER, "trainer@clarinet.example", "Andrea Ferraro", None, "it", ("IT", "AT", "SI", "GR", "CY")),
    (Role.TRAINER, "trainer.east@clarinet.example", "Szabó Zsófia", None, "hu", ("HU", "RO", "BG")),
    (Role.EXPERT, "expert@clarinet.example", "Nikola Petrović", "SI", "sl", ()),
    (Role.EXPERT, "expert.media@clarinet.example", "Ελένη Γεωργίου", "CY", "el", ()),
    (Role.LEARNER, "giulia.martello@lampedusa.example", "Giulia Martello", "IT", "it", ()),
    (Role.LEARNER, "lukas.gruber@traiskirchen.example", "Lukas Gruber", "AT", "de", ()),
    (Role.LEARNER, "spela.horvat@crnomelj.example", "Špela Horvat", "SI", "sl", ()),
    (Role.LEARNER, "eleni.papadopoulou@northaegean.example", "Ελένη Παπαδοπούλου", "GR", "el", ()),
    (Role.LEARNER, "andreas.christodoulou@agiosathanasios.example", "Ανδρέας Χριστοδούλου", "CY", "el", ()),
    (Role.LEARNER, "ioana.popescu@constanta.example", "Ioana Popescu", "RO", "ro", ()),
    (Role.LEARNER, "maria.ivanova@burgas.example", "Мария Иванова", "BG", "bg", ()),
    (Role.LEARNER, "dora.kovacs@siklosnagyfalu.example", "Kovács Dóra", "HU", "hu", ()),
]


#: Given names and family names for the demo cohort of each partner country, in its own script.
COHORT_NAMES = {
    "IT": (
        ["Chiara", "Marco", "Francesca", "Luca", "Giovanna", "Salvatore", "Elena", "Paolo"],
        ["Russo", "Ferrara", "Greco", "Bruno", "Caruso", "Lombardo", "Costa", "Rizzo"],
    ),
    "AT": (
        ["Katharina", "Stefan", "Julia", "Michael", "Sabine", "Thomas", "Anna", "Florian"],
        ["Huber", "Wagner", "Pichler", "Steiner", "Moser", "Mayer", "Hofer", "Leitner"],
    ),
    "SI": (
        ["Maja", "Luka", "Nina", "Matej", "Urška", "Jure", "Tjaša", "Andrej"],
        ["Novak", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Mlakar", "Kos", "Vidmar"],
    ),
    "GR": (
        ["Μαρία", "Γιώργος", "Κατερίνα", "Νίκος", "Σοφία", "Δημήτρης", "Αγγελική", "Κώστας"],
        ["Παπαδάκη", "Οικονόμου", "Γεωργίου", "Καραγιάννη", "Βλάχου", "Μαυρίδη", "Αλεξίου", "Σταθοπούλου"],
    ),
    "CY": (
        ["Ελένη", "Χρίστος", "Άννα", "Μιχάλης", "Στέλλα", "Ανδρέας", "Μαρίνα", "Παναγιώτης"],
        ["Ιωάννου", "Κωνσταντίνου", "Χαραλάμπους", "Νικολάου", "Παύλου", "Σάββα", "Λοΐζου", "Αντωνίου"],
    ),
    "RO": (
        ["Andreea", "Mihai", "Elena", "Ionuț", "Cristina", "Bogdan", "Ioana", "Radu"],
        ["Popa", "Dumitrescu", "Stan", "Ionescu", "Constantin", "Marin", "Tudor", "Gheorghe"],
    ),
    "BG": (
        ["Елена", "Георги", "Десислава", "Иван", "Мария", "Николай", "Петя", "Димитър"],
        ["Петрова", "Георгиев", "Димитрова", "Стоянов", "Николова", "Христов", "Тодорова", "Илиев"],
    ),
    "HU": (
        ["Eszter", "Péter", "Anna", "Gábor", "Katalin", "László", "Réka", "Zoltán"],
        ["Nagy", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Farkas"],
    ),
}
COHORT_SIZE = 24


def _cohort(organisation: Organisation, language: str) -> None:
    """Add the demo learners of a partner authority (no password: they only give the dashboards life)."""
    given, family = COHORT_NAMES[organisation.country]
    for number in range(COHORT_SIZE):
        email = f"learner{number + 1}.{organisation.country.lower()}@cohort.clarinet.example"
        if services.user_by_email(email) is None:
            name = (
                f"{family[number % 8]} {given[(number * 3) % 8]}"
                if organisation.country == "HU"
                else f"{given[(number * 3) % 8]} {family[number % 8]}"
            )
            services.create_user(email, name, via="demo", organisation=organisation, language=language, is_demo=True)


def _organisation(name: str, country: str, kind: OrganisationKind) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.name == name, Organisation.country == country))
    return found or services.create_organisation(name, country, kind)


def _command() -> str:
    """Return how this `lms` command was called (e.g. .venv/bin/lms), to repeat it in hints."""
    called = sys.argv[0]
    return os.path.relpath(called) if os.path.basename(called) == "lms" else "lms"


def load_demo_accounts() -> list[DemoAccount]:
    """Create the partner organisations and one person per role, unless they exist."""
    by_country = {country: _organisation(name, country, kind) for name, country, kind in ORGANISATIONS}
    for organisation in by_country.values():
        _cohort(organisation, language_for_country(organisation.country))
    accounts = []
    for role, email, name, country, language, trainer_countries in PEOPLE:
        user = services.user_by_email(email)
        if user is None:
            organisation = by_country.get(country)
            user = services.create_user(
                email,
                name,
                via="demo",
                organisation=organisation,
                roles=(role,),
                language=language,
                password=DEMO_PASSWORD,
                is_demo=True,
            )
            user.country_rows = [TrainerCountry(country=code) for code in trainer_countries]
            if role is Role.ADMIN:
                user.totp_secret = services.new_totp_secret()
        note = f"  two-factor code: {_command()} accounts code {email}" if user.two_factor_enabled else ""
        place = user.organisation.name if user.organisation else ", ".join(sorted(user.trainer_countries))
        accounts.append(DemoAccount(str(role), email, name, place, note))
    return accounts
