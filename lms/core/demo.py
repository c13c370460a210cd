"""What a package's demo data tells `lms demo load` to print."""

from dataclasses import dataclass

#: The password of every demo account; demo data is for trying the platform out, never for production.
DEMO_PASSWORD = "clarinet-demo"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    place: str
    note: str = ""
