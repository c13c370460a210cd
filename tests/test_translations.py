"""Every word a person reads is in the catalogue and translated into all eight languages."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader

from lms.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
PLURAL_FORMS = {
    "it": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "el": "nplurals=2; plural=(n != 1);",
    "bg": "nplurals=2; plural=(n != 1);",
    "hu": "nplurals=2; plural=(n != 1);",
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=language)


def test_every_language_but_english_has_a_catalogue():
    assert sorted(PLURAL_FORMS) == sorted(code for code in LANGUAGES if code != "en")


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_the_catalogue_declares_the_right_plural_forms(language):
    assert catalogue(language).plural_forms == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_message_is_translated_and_none_is_fuzzy(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_translations_keep_every_placeholder(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        problems += [(ids[0], string) for string in strings if set(PLACEHOLDER.findall(string)) != wanted]
    assert problems == []


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(extracted),
            "lms",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(extracted, "rb") as file:
        in_code = {message.id for message in read_po(file) if message.id}
    missing = {message_id for message_id in in_code if message_id not in catalogue("el")}
    assert missing == set(), "run `make extract` and translate the new strings"


def test_every_template_parses_so_that_extraction_sees_it():
    environment = Environment(
        loader=FileSystemLoader(str(ROOT / "lms")), extensions=["jinja2.ext.do", "jinja2.ext.i18n"]
    )
    for path in (ROOT / "lms").rglob("templates/**/*.*"):
        environment.parse(path.read_text(encoding="utf-8"))
