"""Sign-in limits as an attacker meets them behind the TLS proxy: per visitor's address and per account."""

import pyotp
import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def behind_proxy(make_app):
    """The platform behind one reverse proxy, which forwards each visitor's address (LMS_PROXIES=1)."""
    return make_app(PROXIES=1)


def sign_in(app, email, password, address):
    return app.test_client().sign_in(email, password, headers={"X-Forwarded-For": address}).status_code


def test_each_forwarded_address_has_its_own_sign_in_limit(behind_proxy, create_user):
    create_user("spela@example.eu")

    attacker = [sign_in(behind_proxy, f"guess{n}@example.eu", "a guess", "203.0.113.66") for n in range(11)]
    colleague = sign_in(behind_proxy, "spela@example.eu", PASSWORD, "198.51.100.7")

    assert attacker[:10] == [200] * 10 and attacker[10] == 429
    assert colleague == 302


def test_without_trusted_proxies_a_forged_forwarded_address_changes_nothing(make_app):
    app = make_app(PROXIES=0)

    statuses = [sign_in(app, f"guess{n}@example.eu", "a guess", f"203.0.113.{n}") for n in range(11)]

    assert statuses[10] == 429


def test_one_account_attacked_from_many_addresses_gets_limited(behind_proxy, create_user):
    create_user("spela@example.eu")
    spellings = ["spela@example.eu", " Spela@Example.EU", "SPELA@EXAMPLE.EU "]

    guesses = [sign_in(behind_proxy, spellings[n % 3], f"guess {n}", f"203.0.113.{n}") for n in range(11)]
    other_account = sign_in(behind_proxy, "ana@example.eu", "a guess", "203.0.113.10")

    assert guesses[:10] == [200] * 10
    assert guesses[10] == 429
    assert other_account == 200


def test_an_attacker_who_exhausts_an_accounts_limit_does_not_lock_its_owner_out_of_their_own_browser(
    behind_proxy, create_user
):
    create_user("spela@example.eu")
    spela = behind_proxy.test_client()
    assert spela.sign_in("spela@example.eu", PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 302
    spela.submit("/accounts/sign-out")

    guesses = [sign_in(behind_proxy, "spela@example.eu", f"guess {n}", f"203.0.113.{n}") for n in range(11)]
    from_elsewhere = sign_in(behind_proxy, "spela@example.eu", PASSWORD, "192.0.2.1")
    at_her_desk = spela.sign_in("spela@example.eu", PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"})

    assert guesses[10] == 429 and from_elsewhere == 429  # a new browser waits like the attacker
    assert at_her_desk.status_code == 302  # her own browser carries the mark of her earlier sign-in


def test_successful_sign_ins_do_not_use_up_the_accounts_limit(behind_proxy, create_user):
    create_user("spela@example.eu")

    statuses = [sign_in(behind_proxy, "spela@example.eu", PASSWORD, f"198.51.100.{n}") for n in range(12)]

    assert statuses == [302] * 12


def test_second_factor_codes_for_one_account_are_limited_from_any_address(behind_proxy, create_user):
    create_user("admin@example.eu", two_factor_secret=pyotp.random_base32())

    def guess(n):
        client = behind_proxy.test_client()
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert (
            client.sign_in("admin@example.eu", headers=headers).headers["Location"].startswith("/accounts/sign-in/code")
        )
        return client.submit("/accounts/sign-in/code", {"code": f"{n:06d}"}, headers=headers).status_code

    assert [guess(n) for n in range(11)] == [200] * 10 + [429]


def test_hosts_sharing_redis_share_the_accounts_limit(make_app, create_user, redis_url):
    """Two app instances stand for two workers or hosts, each attempt from another address."""
    create_user("spela@example.eu")
    hosts = [make_app(PROXIES=1, RATELIMIT_STORAGE_URI=redis_url) for _ in range(2)]

    statuses = [sign_in(hosts[n % 2], "spela@example.eu", f"guess {n}", f"203.0.113.{n}") for n in range(11)]

    assert statuses == [200] * 10 + [429]
