"""Configuration from the environment, and clear errors when it is wrong."""

import pytest

from lms import create_app
from lms.core.config import ConfigError, database_uri, from_environment


def test_settings_come_from_prefixed_variables_parsed_by_type():
    found = from_environment(
        {
            "LMS_PAGE_SIZE": "50",
            "LMS_SELF_REGISTRATION": "yes",
            "LMS_TRUSTED_HOSTS": "learn.example.eu, www.example.eu",
            "DATABASE_URL": "postgresql://db/lms",
            "OTHER": "ignored",
        }
    )

    assert found == {
        "PAGE_SIZE": 50,
        "SELF_REGISTRATION": True,
        "TRUSTED_HOSTS": ["learn.example.eu", "www.example.eu"],
        "DATABASE_URL": "postgresql://db/lms",
    }


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LMS_PAGE_SIZE", "many", "LMS_PAGE_SIZE must be a whole number"),
        ("LMS_SELF_REGISTRATION", "perhaps", "LMS_SELF_REGISTRATION must be true or false"),
    ],
)
def test_a_malformed_setting_is_named(variable, value, message):
    with pytest.raises(ConfigError, match=message):
        from_environment({variable: value})


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ENV": "staging"}, "LMS_ENV must be one of"),
        ({"DEFAULT_LANGUAGE": "fr"}, "LMS_DEFAULT_LANGUAGE must be one of"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database address"),
        ({"DATABASE_URL": "mysql://db/lms"}, "must point to PostgreSQL or SQLite"),
        ({"PLUGINS": ["no_such_plugin"]}, "no such plugin is installed"),
        ({"ADMIN_SESSION_MAX_HOURS": 20, "SESSION_MAX_HOURS": 12}, "ADMIN_SESSION_MAX_HOURS must not exceed"),
        ({"S3_BUCKET": "Our Files"}, "LMS_S3_BUCKET must be a bucket name"),
        ({"S3_BUCKET": "lms-files", "S3_ENDPOINT_URL": "s3.example.eu"}, "LMS_S3_ENDPOINT_URL must be the store's"),
        ({"S3_BUCKET": "lms-files", "S3_ENDPOINT_URL": "https://[::1"}, "LMS_S3_ENDPOINT_URL must be the store's"),
        ({"S3_BUCKET": "lms-files", "S3_ENDPOINT_URL": "http://minio:99999"}, "LMS_S3_ENDPOINT_URL must be"),
        ({"S3_BUCKET": "lms-files", "S3_ACCESS_KEY_ID": "AKIA"}, "set both, or neither"),
        ({"S3_BUCKET": "lms-files", "S3_SERVER_SIDE_ENCRYPTION": "yes"}, "must be AES256, aws:kms or empty"),
        ({"EXPORT_BACKGROUND_ROWS": -1}, "LMS_EXPORT_BACKGROUND_ROWS must be 0"),
        ({"EXPORT_KEEP_HOURS": 0}, "LMS_EXPORT_KEEP_HOURS must be 1 or more"),
    ],
)
def test_wrong_settings_stop_the_start_with_a_clear_message(settings, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"TESTING": True, "SECRET_KEY": "x", **settings})


def test_postgres_addresses_use_the_psycopg_driver(tmp_path):
    assert database_uri("postgres://u:p@db:5432/lms", str(tmp_path)) == "postgresql+psycopg://u:p@db:5432/lms"
    assert database_uri("", str(tmp_path)) == f"sqlite:///{tmp_path}/lms.sqlite"


def test_development_keeps_a_generated_secret_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "development")

    first, second = create_app(), create_app()

    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["SESSION_COOKIE_SECURE"] is False


def test_production_cookies_are_secure_and_http_only(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "a long production secret", "DATABASE_URL": "sqlite://"})

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_short_encryption_key_stops_the_start():
    with pytest.raises(ConfigError, match="LMS_ENCRYPTION_KEY must be a random string of at least 32 characters"):
        create_app({"TESTING": True, "SECRET_KEY": "test", "ENCRYPTION_KEY": "short"})
