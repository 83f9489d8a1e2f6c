import json
import time
from pathlib import Path

from slack_sdk.signature import Clock, SignatureVerifier

from tests.slackreq import sign

FIXTURES = Path(__file__).parent / "fixtures"
VECTOR = json.loads((FIXTURES / "signature_known_answer.json").read_text())


class PinnedClock(Clock):
    def now(self) -> float:
        return float(VECTOR["headers"]["X-Slack-Request-Timestamp"])


def test_known_answer_vector_verifies_at_its_own_time():
    timestamp = VECTOR["headers"]["X-Slack-Request-Timestamp"]
    verifier = SignatureVerifier(VECTOR["signing_secret"], clock=PinnedClock())
    assert verifier.is_valid(VECTOR["raw_body"], timestamp, VECTOR["expected_signature"])
    assert verifier.is_valid_request(VECTOR["raw_body"], VECTOR["headers"])
    assert sign(VECTOR["signing_secret"], timestamp, VECTOR["raw_body"].encode()) == VECTOR["expected_signature"]


def test_known_answer_vector_is_stale_now():
    verifier = SignatureVerifier(VECTOR["signing_secret"])
    assert not verifier.is_valid_request(VECTOR["raw_body"], VECTOR["headers"])


def test_known_answer_vector_rejected_by_endpoint(slack):
    headers = VECTOR["headers"]
    answer = slack.send(VECTOR["raw_body"].encode(), headers["Content-Type"],
                        timestamp=headers["X-Slack-Request-Timestamp"], signature=headers["X-Slack-Signature"])
    assert answer.status == 401


def test_url_verification_answers_challenge(slack):
    body = (FIXTURES / "event_url_verification.json").read_bytes()
    answer = slack.send(body, "application/json")
    assert answer.status == 200
    assert answer.json == {"challenge": json.loads(body)["challenge"]}


def test_slash_command_fixture_byte_exact(slack, fake_slack):
    body = (FIXTURES / "slash_command_expect.form.txt").read_bytes()
    answer = slack.send(body, "application/x-www-form-urlencoded")
    assert answer.status == 200
    assert answer.json["response_type"] == "ephemeral"
    assert "I don't know `deploy-42`" in answer.text


def test_slash_command_with_altered_body_rejected(slack):
    body = (FIXTURES / "slash_command_expect.form.txt").read_bytes()
    timestamp = str(int(time.time()))
    signature = sign(slack.secret, timestamp, body)
    assert slack.send(body, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature).status == 200
    assert slack.send(body.replace(b"deploy-42", b"deploy-43"), "application/x-www-form-urlencoded",
                      timestamp=timestamp, signature=signature).status == 401
