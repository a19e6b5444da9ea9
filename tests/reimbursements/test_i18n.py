"""Everything the server says comes in the reader's language (issue 19, item 3): zh-Hans or
English, by the user's own setting, else the client's Accept-Language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from extraction import reconcile, validation
from extraction.engines import answers
from extraction.machine import merge, ofd_fields
from extraction.parsing import receipt
from reimbursements import policy
from reimbursements.corrections import SUGGESTED_CHANGE
from reimbursements.warning_messages import TEMPLATES, warning_text
from tests.conftest import png_bytes
from tests.reimbursements.factories import UserFactory
from tests.reimbursements.workflow_helpers import days_ago, make_claim, make_document

PASSWORD = "correct horse battery staple"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # LocaleMiddleware activates a language per request and leaves it active in the
    # thread; later tests that call services directly expect the default.
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def upload(client: APIClient, data: bytes, **headers):
    return client.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("invoice.png", data, content_type="image/png")},
        format="multipart",
        **headers,
    )


def message_of(response) -> str:
    return response.json()["error"]["message"]


# --- upload rejections ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [(EN, "The file is larger than the 100 KB limit."), (ZH, "文件超过 100 KB 上限。")],
)
def test_an_upload_over_the_limit_names_the_limit_in_the_readers_language(
    org, settings, headers, expected
):
    # Given a 100 KB upload limit and a 300 KB file
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    # When it is uploaded by a browser that asks for English or Chinese
    response = upload(session_client(org.employee), png_bytes() + b"\0" * (300 * 1024), **headers)
    # Then the 413 names the limit, in that language
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert message_of(response) == expected
    assert response["Content-Language"] == ("zh-hans" if headers is ZH else "en")


@pytest.mark.parametrize(("headers", "expected"), [(EN, "The file is empty."), (ZH, "文件为空。")])
def test_an_empty_upload_is_refused_in_the_readers_language(org, headers, expected):
    response = upload(session_client(org.employee), b"", **headers)
    assert response.status_code == 400
    assert message_of(response) == expected


# --- the user's own setting ---------------------------------------------------------------


def test_me_shows_and_saves_the_language(org):
    client = session_client(org.employee)
    # Given a user who never chose: the setting is empty (follow the browser)
    assert client.get("/api/v1/me/").json()["language"] == ""
    # When they choose Chinese
    response = client.patch("/api/v1/me/", {"language": "zh-hans"}, format="json")
    # Then it is saved, and this very answer is in Chinese
    assert response.status_code == 200
    assert response.json()["language"] == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    assert client.get("/api/v1/me/").json()["language"] == "zh-hans"


def test_the_mini_program_saves_the_language_with_put(org):
    # wx.request cannot send PATCH: PUT does the same, with the token
    client = token_client(org.employee)
    response = client.put("/api/v1/me/", {"language": "zh-hans"}, format="json", **EN)
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    assert client.get("/api/v1/me/", **EN).json()["language"] == "zh-hans"


@pytest.mark.parametrize(("headers", "expected"), [(EN, "Language"), (ZH, "语言")])
def test_an_unsupported_language_is_a_400_naming_the_setting(org, headers, expected):
    response = session_client(org.employee).patch(
        "/api/v1/me/", {"language": "fr"}, format="json", **headers
    )
    assert response.status_code == 400
    assert message_of(response).startswith(expected)
    assert "language:" not in message_of(response)


@pytest.mark.parametrize("make_client", [session_client, token_client], ids=["session", "token"])
def test_the_users_setting_wins_over_accept_language(org, settings, make_client):
    # Given a user who chose Chinese (on another device)
    session_client(org.employee).patch("/api/v1/me/", {"language": "zh-hans"}, format="json")
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    # When they upload a file too large from a client that asks for English
    response = upload(make_client(org.employee), png_bytes() + b"\0" * (300 * 1024), **EN)
    # Then the answer is in Chinese
    assert message_of(response) == "文件超过 100 KB 上限。"


def test_clearing_the_setting_follows_the_client_again(org, settings):
    client = session_client(org.employee)
    client.patch("/api/v1/me/", {"language": "zh-hans"}, format="json")
    client.patch("/api/v1/me/", {"language": ""}, format="json")
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    response = upload(client, png_bytes() + b"\0" * (300 * 1024), **EN)
    assert message_of(response) == "The file is larger than the 100 KB limit."


# --- field validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (EN, "Total amount: give an amount such as 12.30."),
        (ZH, "价税合计：请填写金额，例如 12.30。"),
    ],
)
def test_a_bad_field_value_is_named_in_words_not_by_its_key(org, headers, expected):
    # Given a draft document of the employee
    document = make_document(org.employee, make_claim(org.employee, documents=0))
    # When they type an amount that is no amount
    response = session_client(org.employee).patch(
        f"/api/v1/documents/{document.pk}/fields/",
        {"field": "total_amount", "value": "twelve"},
        format="json",
        **headers,
    )
    # Then the message names the field as people call it, never "total_amount:"
    assert response.status_code == 400
    assert message_of(response) == expected


@pytest.mark.parametrize(("headers", "label"), [(EN, "Title: "), (ZH, "标题：")])
def test_a_missing_request_field_is_named_in_words(org, headers, label):
    # When a claim is created without its title
    response = session_client(org.employee).post(
        "/api/v1/claims/", {"currency": "CNY"}, format="json", **headers
    )
    # Then the message names "title" in the reader's language, with DRF's own sentence
    assert response.status_code == 400
    assert message_of(response).startswith(label)
    assert "title:" not in message_of(response)
    assert response.json()["error"]["details"]["fields"]["title"]


@pytest.mark.parametrize(("headers", "expected"), [(EN, "Ids: "), (ZH, "编号：")])
def test_a_bad_item_of_a_list_is_named_by_its_list(org, headers, expected):
    # When finance acknowledges an export item with an empty id
    response = session_client(org.finance).post(
        "/api/v1/exports/acknowledge/", {"ids": [""]}, format="json", **headers
    )
    # Then the message names the list, not the item's index
    assert response.status_code == 400
    assert message_of(response).startswith(expected)
    assert "0:" not in message_of(response)


# --- extraction warnings ----------------------------------------------------------------


def test_a_stored_warning_is_shown_in_the_readers_language(org):
    # Given a document whose extraction warned that its date is too old to verify
    warning = {
        "code": "date_too_old",
        "field": "issue_date",
        "message": "issue_date 2018-01-02 is more than 5 years before 2026-12-06",
        "params": {"date": "2018-01-02", "years": "5", "oldest": "2021-12-06"},
    }
    document = make_document(org.employee, warnings=[warning])
    client = session_client(org.employee)
    # When it is read in Chinese and in English
    zh = client.get(f"/api/v1/documents/{document.pk}/", **ZH).json()
    en = client.get(f"/api/v1/documents/{document.pk}/", **EN).json()
    # Then the sentence is in each language, and code and params stay for programs
    (zh_warning,) = zh["extraction"]["warnings"]
    assert zh_warning["message"] == (
        "开票日期 2018-01-02 已超过 5 年：税务机关的发票查验服务不再受理。"
    )
    assert (zh_warning["code"], zh_warning["params"]["date"]) == ("date_too_old", "2018-01-02")
    assert en["extraction"]["warnings"][0]["message"].startswith(
        "The issue date 2018-01-02 is more than 5 years ago"
    )


def test_the_warning_an_edit_made_go_away_is_shown_translated(org):
    # Given a document warned about its old date, and the employee correcting the date
    from reimbursements import corrections

    warning = {
        "code": "date_too_old",
        "field": "issue_date",
        "message": "issue_date 2018-01-02 is more than 5 years before 2026-12-06",
        "params": {"date": "2018-01-02", "years": "5", "oldest": "2021-12-06"},
    }
    document = make_document(org.employee, issue_date=days_ago(3000), warnings=[warning])
    corrections.document_correct_field(
        actor=org.employee,
        document_id=document.pk,
        field="issue_date",
        value=days_ago(3).isoformat(),
    )
    client = session_client(org.employee)
    # When a Chinese reader looks at the document and its correction history
    body = client.get(f"/api/v1/documents/{document.pk}/", **ZH).json()
    history = client.get(f"/api/v1/documents/{document.pk}/corrections/", **ZH).json()
    # Then the warning the old reading had is in Chinese in both
    expected = "开票日期 2018-01-02 已超过 5 年：税务机关的发票查验服务不再受理。"
    (gone,) = body["extraction"]["edits"]["issue_date"]["original_warnings"]
    assert gone["message"] == expected
    rows = history["results"] if isinstance(history, dict) else history
    assert rows[0]["old_warnings"][0]["message"] == expected


def test_a_warning_stored_without_params_still_gets_its_codes_sentence(org):
    document = make_document(
        org.employee,
        warnings=[{"code": "arithmetic_mismatch", "field": "total_amount", "message": "x"}],
    )
    body = session_client(org.employee).get(f"/api/v1/documents/{document.pk}/", **ZH).json()
    assert body["extraction"]["warnings"][0]["message"] == "金额 + 税额不等于价税合计。"


def test_validation_stores_the_values_its_warnings_name():
    # Given fields whose total disagrees with amount + tax
    from decimal import Decimal

    from extraction.schema import DocumentType, ExtractionResult, InvoiceFields

    result = ExtractionResult(
        document_type=DocumentType.VAT_GENERAL,
        fields=InvoiceFields(
            amount_excluding_tax=Decimal("100.00"),
            tax_amount=Decimal("13.00"),
            total_amount=Decimal("120.00"),
        ),
    )
    # When validated
    warnings = [w.to_contract() for w in validation.validate(result).warnings]
    # Then the warning carries its numbers, and reads in Chinese from them
    (arithmetic,) = [w for w in warnings if w["code"] == "arithmetic_mismatch"]
    assert arithmetic["params"] == {
        "amount": "100.00",
        "tax": "13.00",
        "sum": "113.00",
        "total": "120.00",
    }
    with translation.override("zh-hans"):
        assert (
            warning_text(arithmetic) == "金额 100.00 + 税额 13.00 = 113.00，但价税合计为 120.00。"
        )


WARNING_CODES = sorted(
    set(validation.WARNING_CODES)
    | {
        reconcile.RECONCILED_FROM_OCR,
        reconcile.VLM_OCR_DISAGREE,
        answers.MODEL_ANSWER_UNPARSABLE,
        answers.MODEL_ANSWER_TRUNCATED,
        answers.MODEL_VALUE_UNPARSABLE,
        merge.PRINTED_DIFFERS_FROM_QR,
        ofd_fields.OFD_PARTS_DISAGREE,
        SUGGESTED_CHANGE,
        receipt.TOTAL_ROUNDED,
    }
)


@pytest.mark.parametrize("code", WARNING_CODES)
def test_every_warning_code_has_a_chinese_sentence(code):
    # Given a warning of this code on the total
    warning = {"code": code, "field": "total_amount", "message": "English", "params": {}}
    # Then the catalogue knows the code, and Chinese readers get Chinese
    assert (code, "") in TEMPLATES
    with translation.override("zh-hans"):
        text = warning_text(warning)
    assert text != "English"
    assert re.search(r"[\u4e00-\u9fff]", text), text


def test_every_catalogue_sentence_is_translated_and_formats():
    # Every (code, variant) sentence has a Chinese translation that takes its parameters.
    for (code, variant), template in TEMPLATES.items():
        with translation.override("zh-hans"):
            zh = str(template)
        with translation.override("en"):
            en = str(template)
        assert zh != en, (code, variant)
        names = set(re.findall(r"%\((\w+)\)s", en))
        assert names == set(re.findall(r"%\((\w+)\)s", zh)), (code, variant)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (EN, "A virus was found in this file (Eicar-Test-Signature). It has been removed"),
        (ZH, "此文件中发现病毒（Eicar-Test-Signature）。它已被删除"),
    ],
)
def test_a_documents_failure_reason_written_by_a_worker_is_shown_translated(org, headers, expected):
    # Given a document the virus scan refused (the worker stored its reason in English)
    document = make_document(org.employee, status="infected", extracted=False)
    document.error = (
        "A virus was found in this file (Eicar-Test-Signature). It has been removed and "
        "cannot be opened. Scan your device and upload a clean copy."
    )
    document.save(update_fields=["error"])
    # When its owner looks at it
    body = session_client(org.employee).get(f"/api/v1/documents/{document.pk}/", **headers)
    # Then the reason is in their language
    assert body.json()["error"].startswith(expected)


def test_every_failure_reason_the_workers_write_is_recognised():
    # The sentences come from the code that writes them, so they cannot drift apart.
    from reimbursements.documents.lifecycle import too_many_attempts
    from reimbursements.warning_messages import document_error_text

    with translation.override("zh-hans"):
        assert document_error_text(too_many_attempts(3)).startswith("此票据已开始识别 3 次")
        assert document_error_text("an engine's own words") == "an engine's own words"


# --- policy violations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [(EN, "is dated in the future"), (ZH, "的开票日期晚于今天")],
)
def test_policy_violations_come_in_the_readers_language(org, headers, expected):
    # Given a claim with an invoice dated in the future
    claim = make_claim(org.employee, issue_date=days_ago(-3))
    # When the owner submits it
    response = session_client(org.employee).post(
        f"/api/v1/claims/{claim.pk}/submit/", {}, format="json", **headers
    )
    # Then the violation is explained in the reader's language
    violations = response.json()["error"]["details"]["violations"]
    (future,) = [v for v in violations if v["code"] == "invoice_in_future"]
    assert expected in future["message"]


def test_an_empty_claim_is_explained_in_chinese(org):
    claim = make_claim(org.employee, documents=0)
    response = session_client(org.employee).post(
        f"/api/v1/claims/{claim.pk}/submit/", {}, format="json", **ZH
    )
    (violation,) = response.json()["error"]["details"]["violations"]
    assert violation["message"] == "提交前请至少添加一张票据。"


def test_every_policy_message_is_in_the_chinese_catalogue():
    # Each sentence policy.py can say has a Chinese translation (read from the catalogue).
    source = Path(policy.__file__).read_text(encoding="utf-8")
    sentences = re.findall(r'gettext\(\s*((?:"[^"]*"\s*)+)\)', source)
    assert len(sentences) >= 9
    for literal in sentences:
        english = "".join(re.findall(r'"([^"]*)"', literal))
        with translation.override("zh-hans"):
            assert translation.gettext(english) != english, english


# --- the sign-in page -------------------------------------------------------------------


def test_a_locked_out_sign_in_is_explained_in_chinese(db):
    # Given an account whose password was guessed wrong 5 times (LOGIN_FAILURE_LIMIT)
    user = UserFactory()
    for _ in range(5):
        APIClient().post(
            "/api/v1/auth/token/", {"username": user.username, "password": "x"}, format="json"
        )
    # When a Chinese client signs in again
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        **ZH,
    )
    # Then the 429 says so in Chinese, with the wait
    assert response.status_code == 429
    assert message_of(response) == "登录失败次数过多。请 15 分钟后再试。"


def test_the_sign_in_page_speaks_chinese_to_a_chinese_browser(db):
    from django.test import Client

    page = Client().get("/login/", **ZH).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "用户名" in page and "密码" in page


def test_a_wrong_password_is_explained_in_chinese(db):
    from django.test import Client

    user = UserFactory()
    response = Client().post("/login/", {"username": user.username, "password": "nope"}, **ZH)
    assert response.status_code == 400
    assert "用户名或密码错误" in response.content.decode()


def test_the_sign_in_page_switches_language_with_a_cookie(db):
    from django.test import Client

    client = Client()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, **EN)
    assert "登录" in client.get("/login/", **EN).content.decode()


# --- the catalogue itself ---------------------------------------------------------------


REFUSALS = {
    "ServiceError",
    "IntakeError",
    "error_response",
    "WeChatError",
    "InvalidValue",
    "Violation",
    "json_error",
}


def test_no_refusal_is_written_as_a_bare_english_string():
    # Every message a person reads goes through gettext: a literal (or f-string) handed to
    # an error or a policy violation would reach a Chinese reader in English.
    import ast

    root = Path(django_settings.BASE_DIR)
    bare = []
    for package in ("reimbursements", "invoice_assistant"):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name not in REFUSALS or len(node.args) < 2:
                    continue
                message = node.args[1]
                if isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str)
                ):
                    bare.append(f"{path.relative_to(root)}:{node.lineno}")
    assert bare == []


def _po_entries(path: Path) -> dict[str, str]:
    """msgid (with its context) -> msgstr, from the .po file, without gettext tools."""

    def joined(block: str, keyword: str) -> str | None:
        match = re.search(rf'^{keyword} ((?:"(?:[^"\\]|\\.)*"\n?)+)', block, re.M)
        if match is None:
            return None
        raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), raw)

    out = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        msgid = joined(block, "msgid")
        msgstr = joined(block, "msgstr")
        if not msgid or msgstr is None or "#, fuzzy" in block:
            continue
        context = joined(block, "msgctxt")
        out[f"{context}\x04{msgid}" if context else msgid] = msgstr
    return out


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed (no gettext tools needed to run the product): it must be the
    # compilation of the current .po, every entry translated.
    import gettext

    directory = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    entries = _po_entries(directory / "django.po")
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    stale = [m for m, s in entries.items() if compiled._catalog.get(m) != s]
    assert stale == [], "run scripts/messages.sh and commit the .mo"
