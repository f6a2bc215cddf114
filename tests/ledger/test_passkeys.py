"""Passkey-signed entries in the key history: key.bind, the WebAuthn checks in order, the counter, and
what a passkey may not do. Every refusal has its code and leaves the key history as it was."""

import base64
import copy
import hashlib
import json

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import (
    Assertion,
    EnvelopeError,
    canonical_json,
    key_id,
    seal,
    seal_passkey,
    statement_digest,
    unseal,
    with_passkey,
)
from corridor.ledger.keys import KeyHistory, signing_kind
from corridor.ledger.passkeys import WebAuthnPolicy
from tests.ledger.authenticator import ORIGIN, RP_ID, UP, UV, Authenticator

POLICY = WebAuthnPolicy.of([(RP_ID, ORIGIN)])
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493


class Log:
    """org-a with its own Ed25519 key, an admin's ES256 passkey (org-a/m1) and a member's Ed25519 one (org-a/m2)."""

    def __init__(self, policy=POLICY):
        self.operator, self.party = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        self.history = KeyHistory([("operator", public_bytes(self.operator))], webauthn=policy)
        self.index = 0
        self.add(seal(self.statement("operator", "key.register", party="org-a", public=b64(public_bytes(self.party))),
                      self.operator))
        self.admin, self.member = Authenticator("ES256"), Authenticator("EdDSA")
        self.bind(self.party, self.admin, "org-a/m1", admin=True)
        self.bind(self.party, self.member, "org-a/m2")

    def statement(self, party="org-a", kind="plan.cancel", /, **payload):
        return {"type": kind, "party": party, "seq": self.index + 1, "time": "2024-01-01T00:00:00Z",
                "payload": payload}

    def add(self, entry):
        record = self.history.check(self.index, unseal(entry))
        self.index += 1
        return record

    def bind(self, signer, passkey, member, admin=False, party="org-a"):
        statement = self.statement(party, "key.bind", **passkey.bind_payload(member, admin))
        return self.add(signer.seal(statement) if isinstance(signer, Authenticator) else seal(statement, signer))

    def refused(self, code, entry):
        """The entry is refused with `code` and the key history is as it was."""
        before = copy.deepcopy(self.history.keys)
        with pytest.raises(EnvelopeError) as error:
            self.add(entry)
        assert error.value.code == code, error.value.message
        assert self.history.keys == before
        return error.value


def b64(data):
    return base64.b64encode(data).decode()


def resealed(entry, **parts):
    """The entry with its assertion's parts replaced."""
    envelope = unseal(entry)
    return seal_passkey(envelope.statement, Assertion(**{**envelope.assertion.__dict__, **parts}))


def test_a_bound_passkey_signs_for_its_party_and_its_counter_is_kept():
    log = Log()
    record = log.add(log.member.seal(log.statement()))
    assert (record.kind, record.member, record.admin, record.sign_count) == ("passkey", "org-a/m2", False, 1)
    assert record.key == log.member.key and record.credential == log.member.credential
    log.add(log.admin.seal(log.statement()))
    log.add(log.admin.seal(log.statement()))
    assert log.history.keys[log.admin.key].sign_count == 2


def test_the_entry_carries_the_assertion_and_names_the_passkey():
    log = Log()
    entry = log.member.seal(log.statement())
    envelope = unseal(entry)
    assert envelope.is_passkey and envelope.key.startswith("passkey:") and len(envelope.key) == 8 + 32
    assert canonical_json({"signature": envelope.assertion.to_json(), "statement": envelope.statement}) == entry
    assert set(envelope.assertion.to_json()) == {"authenticatorData", "clientDataJSON", "signature"}


def test_an_assertion_over_another_statement_is_refused():
    log = Log()
    other = log.member.seal(log.statement(text="something else"))
    mine = with_passkey(log.statement(), log.member.credential)
    log.refused("passkey.challenge", seal_passkey(mine, unseal(other).assertion))


def test_a_changed_byte_in_client_data_or_authenticator_data_is_refused():
    log = Log()
    entry = log.member.seal(log.statement())
    assertion = unseal(entry).assertion
    client = assertion.client_data_json.replace(b"do not compare", b"do not cOmpare")
    log.refused("signature.invalid", resealed(entry, client_data_json=client))
    counter = assertion.authenticator_data[:-1] + bytes([assertion.authenticator_data[-1] + 1])
    log.refused("signature.invalid", resealed(entry, authenticator_data=counter))
    signature = bytes([assertion.signature[0] ^ 1]) + assertion.signature[1:]
    log.refused("signature.invalid", resealed(entry, signature=signature))
    challenge = assertion.client_data_json.replace(b'"challenge":"', b'"challenge":"A', 1)
    log.refused("passkey.challenge", resealed(entry, client_data_json=challenge))
    log.add(entry)  # the genuine one still goes in


@pytest.mark.parametrize("change", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"},
                                    {"extra": {"crossOrigin": True}}])
def test_a_foreign_origin_or_rp_id_is_refused(change):
    log = Log()
    log.refused("passkey.origin", log.member.seal(log.statement(), **change))


def test_an_origin_accepts_every_rp_id_declared_for_it():
    """Declaring a second RP id for an origin (the service moved to a parent domain) keeps the first valid."""
    log = Log(policy=WebAuthnPolicy.of([(RP_ID, ORIGIN), ("other.localhost", ORIGIN)]))
    log.add(log.member.seal(log.statement()))
    log.add(log.member.seal(log.statement(), rp_id="other.localhost"))
    error = log.refused("passkey.origin", log.member.seal(log.statement(), rp_id="evil.localhost"))
    assert "'localhost', 'other.localhost'" in error.message
    log.refused("passkey.origin", log.member.seal(log.statement(), origin="http://other.localhost:8000"))


def test_a_policy_keeps_its_lines_in_order_each_once():
    policy = WebAuthnPolicy.of([(RP_ID, ORIGIN), ("other.localhost", ORIGIN), (RP_ID, ORIGIN)])
    assert policy.rp_ids(ORIGIN) == [RP_ID, "other.localhost"] and policy.rp_ids("https://x.example") == []
    assert policy.lines() == [f"webauthn {RP_ID} {ORIGIN}", f"webauthn other.localhost {ORIGIN}"]
    assert policy.declares("other.localhost", ORIGIN) and not policy.declares("other.localhost", "https://x.example")


def test_no_passkey_signs_where_the_trust_file_declares_no_origin():
    log = Log(policy=None)  # binding (by the party's key) works; nothing a passkey signs is accepted
    log.refused("passkey.origin", log.admin.seal(log.statement()))


@pytest.mark.parametrize("flags", [UP, UV, 0])
def test_user_presence_and_verification_are_required(flags):
    log = Log()
    log.refused("passkey.flags", log.member.seal(log.statement(), flags=flags))


@pytest.mark.parametrize("change", [{"kind": "webauthn.create"}, {"extra": {"type": 1}}])
def test_client_data_of_another_kind_is_refused(change):
    log = Log()
    log.refused("passkey.client_data", log.member.seal(log.statement(), **change))


def test_client_data_that_is_not_json_is_refused():
    log = Log()
    entry = log.member.seal(log.statement())
    log.refused("passkey.client_data", resealed(entry, client_data_json=b"\xff{}"))
    short = unseal(entry).assertion.authenticator_data[:36]
    log.refused("entry.malformed", resealed(entry, authenticator_data=short))


def test_an_unbound_credential_is_refused():
    log = Log()
    log.refused("key.unknown", Authenticator().seal(log.statement()))


def test_a_revoked_passkey_is_refused_after_its_revocation():
    log = Log()
    log.add(log.admin.seal(log.statement("org-a", "key.revoke", key=log.member.key, reason="lost phone")))
    log.refused("key.revoked", log.member.seal(log.statement()))


def test_a_member_revokes_its_own_passkey_but_no_other_key():
    log = Log()
    log.refused("key.unauthorised", log.member.seal(log.statement("org-a", "key.revoke", key=log.admin.key)))
    log.refused("key.unauthorised", log.member.seal(
        log.statement("org-a", "key.revoke", key=key_id(public_bytes(log.party)))))
    log.add(log.member.seal(log.statement("org-a", "key.revoke", key=log.member.key, reason="left")))
    log.refused("key.revoked", log.member.seal(log.statement()))


def test_the_party_key_or_the_registrar_revokes_a_passkey():
    log = Log()
    log.add(seal(log.statement("org-a", "key.revoke", key=log.admin.key), log.party))
    log.add(seal(log.statement("operator", "key.revoke", key=log.member.key), log.operator))
    log.refused("key.revoked", log.admin.seal(log.statement()))
    log.refused("key.revoked", log.member.seal(log.statement()))


def test_the_counter_must_grow():
    log = Log()
    log.add(log.member.seal(log.statement(), count=5))
    log.refused("passkey.counter", log.member.seal(log.statement(), count=5))
    log.refused("passkey.counter", log.member.seal(log.statement(), count=4))
    log.refused("passkey.counter", log.member.seal(log.statement(), count=0))
    log.add(log.member.seal(log.statement(), count=6))


def test_a_replayed_entry_is_refused_by_its_counter():
    log = Log()
    entry = log.member.seal(log.statement())
    log.add(entry)
    log.index -= 1
    log.refused("passkey.counter", entry)


def test_a_passkey_without_a_counter_signs_with_zero_every_time():
    log = Log()
    still = Authenticator(counting=False)
    log.bind(log.party, still, "org-a/m3")
    for _ in range(3):
        assert log.add(still.seal(log.statement())).sign_count == 0


@pytest.mark.parametrize("kind", ["key.rotate", "key.register"])
def test_a_passkey_neither_rotates_nor_registers(kind):
    log = Log()
    payload = {"public": b64(public_bytes(Ed25519PrivateKey.generate()))}
    if kind == "key.register":
        payload["party"] = "org-a"
    log.refused("key.unauthorised", log.admin.seal(log.statement("org-a", kind, **payload)))


def test_only_an_admin_passkey_or_the_party_key_binds():
    log = Log()
    log.refused("key.unauthorised", log.member.seal(
        log.statement("org-a", "key.bind", **Authenticator().bind_payload("org-a/m4"))))
    new = Authenticator()
    assert log.bind(log.admin, new, "org-a/m4", admin=True).member == "org-a/m1"  # the signer
    assert (log.history.keys[new.key].member, log.history.keys[new.key].admin) == ("org-a/m4", True)
    log.add(new.seal(log.statement()))


def test_a_member_of_another_party_is_not_bound():
    log = Log()
    log.refused("key.party", seal(log.statement("org-a", "key.bind", **Authenticator().bind_payload("border/m1")),
                                  log.party))
    log.refused("key.party", log.admin.seal(
        log.statement("org-a", "key.bind", **Authenticator().bind_payload("org-b/m1"))))


@pytest.mark.parametrize("member", ["org-a/", "org-a/M1", "org-a/-1", "org-a/" + "m" * 64, "org-a", "org-a/m/1"])
def test_a_member_id_is_party_slash_a_lower_case_id(member):
    log = Log()
    log.refused("entry.malformed", seal(log.statement("org-a", "key.bind", **Authenticator().bind_payload(member)),
                                        log.party))


def test_a_credential_is_bound_once():
    log = Log()
    log.refused("key.duplicate", seal(log.statement("org-a", "key.bind", **log.member.bind_payload("org-a/m9")),
                                      log.party))


def test_only_es256_and_ed25519_keys_are_bound():
    log = Log()
    payload = Authenticator().bind_payload("org-a/m5")
    rs256 = cbor2.dumps({1: 3, 3: -257, -1: b"\x01" * 256, -2: b"\x01\x00\x01"})
    log.refused("passkey.algorithm", seal(log.statement("org-a", "key.bind", **{**payload, "public": b64(rs256)}),
                                          log.party))
    p384 = cbor2.dumps({1: 2, 3: -7, -1: 2, -2: b"\x01" * 48, -3: b"\x01" * 48})
    log.refused("passkey.algorithm", seal(log.statement("org-a", "key.bind", **{**payload, "public": b64(p384)}),
                                          log.party))
    off_curve = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: b"\x01" * 32, -3: b"\x01" * 32})
    log.refused("entry.malformed", seal(log.statement("org-a", "key.bind", **{**payload, "public": b64(off_curve)}),
                                        log.party))
    log.refused("entry.malformed", seal(log.statement("org-a", "key.bind", **{**payload, "public": "AAAA"}),
                                        log.party))


def test_the_signature_form_must_match_the_key():
    log = Log()
    entry = log.member.seal(log.statement())
    envelope = unseal(entry)
    as_string = canonical_json({"signature": "AAAA", "statement": envelope.statement})
    with pytest.raises(EnvelopeError, match="entry.malformed"):
        unseal(as_string)
    extra = canonical_json({"signature": {**envelope.assertion.to_json(), "userHandle": ""},
                            "statement": envelope.statement})
    with pytest.raises(EnvelopeError, match="entry.malformed"):
        unseal(extra)
    ed25519 = unseal(seal(log.statement(), log.party))
    as_object = canonical_json({"signature": envelope.assertion.to_json(), "statement": ed25519.statement})
    with pytest.raises(EnvelopeError, match="entry.malformed"):
        unseal(as_object)


def test_the_challenge_is_the_domain_separated_digest():
    log = Log()
    statement = with_passkey(log.statement(), log.member.credential)
    message = b"corridor/statement/v1\n" + canonical_json(statement)
    assert statement_digest(statement) == hashlib.sha256(message).digest()


def test_signing_kinds():
    log = Log()
    custodial = Ed25519PrivateKey.generate()
    log.add(seal(log.statement("operator", "key.register", party="org-b", public=b64(public_bytes(custodial)),
                               custodial=True), log.operator))
    kinds = {signing_kind(log.history.keys[key_id(public_bytes(k))]) for k in (log.operator, log.party, custodial)}
    assert kinds == {"registrar", "party", "custodial"}
    assert signing_kind(log.history.keys[log.member.key]) == "passkey"
    rotated = Ed25519PrivateKey.generate()
    log.add(seal(log.statement("org-b", "key.rotate", public=b64(public_bytes(rotated))), custodial))
    assert signing_kind(log.history.keys[key_id(public_bytes(rotated))]) == "custodial"
    with pytest.raises(EnvelopeError, match="entry.malformed"):
        log.add(seal(log.statement("operator", "key.register", party="org-c",
                                   public=b64(public_bytes(Ed25519PrivateKey.generate())), custodial="yes"),
                     log.operator))



# What docs/log.md says a verifier in another language must do, byte for byte: the form of authenticatorData
# and clientDataJSON, the challenge, the signature encodings. Each entry below is genuinely signed, so it is
# the rule named (not the signature) that accepts or refuses it.

AT, ED = 0x40, 0x80


def signed_over(passkey, statement, *, suffix=b"", flags=UP | UV, client=b""):
    """`statement` signed by `passkey` over authenticatorData with `flags` and `suffix` after the signCount,
    and over clientDataJSON with `client` added as its last members (`,"extra":1` say)."""
    statement = with_passkey(statement, passkey.credential)
    genuine = passkey.assertion(statement_digest(statement), flags=flags)
    auth = genuine.authenticator_data + suffix
    data = genuine.client_data_json[:-1] + client + b"}"
    return seal_passkey(statement, Assertion(auth, data, passkey.sign(auth + hashlib.sha256(data).digest())))


@pytest.mark.parametrize("flags", [0x02, 0x08, 0x10, 0x18, 0x20, 0x3a])
def test_backup_flags_and_reserved_bits_are_ignored(flags):
    log = Log()
    log.add(signed_over(log.member, log.statement(), flags=UP | UV | flags))


def test_an_assertion_carries_no_attested_credential_data():
    log = Log()
    credential = log.member.credential
    attested = bytes(16) + len(credential).to_bytes(2, "big") + credential + log.member.cose
    error = log.refused("entry.malformed", signed_over(log.member, log.statement(), flags=UP | UV | AT,
                                                       suffix=attested))
    assert "AT" in error.message


NESTED = [[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]  # 15 arrays: in a map, 16 levels


@pytest.mark.parametrize("extensions", [{}, {"uvm": [[2, 4, 2]], "credBlob": b"\x01", "hmac-secret": bytes(32)},
                                        {1: None, 24: [], -1: True, "a": False, "b": "\u00e9", "c": -(2**64)},
                                        {"a": NESTED}])
def test_extensions_in_canonical_cbor_are_accepted(extensions):
    log = Log()
    log.add(signed_over(log.member, log.statement(), flags=UP | UV | ED, suffix=cbor2.dumps(extensions)))


@pytest.mark.parametrize("suffix", [
    b"",  # ED set, nothing follows
    cbor2.dumps(1),  # not a map
    cbor2.dumps({"a": 1}) + b"\x00",  # something left over
    bytes.fromhex("a1" "7801" "61" "01"),  # {"a": 1} with the text length in two bytes: not the shortest form
    bytes.fromhex("a1" "6161" "1801"),  # {"a": 1} with 1 as 0x18 0x01
    bytes.fromhex("bf" "6161" "01" "ff"),  # a map of indefinite length
    bytes.fromhex("5f" "4101" "ff"),  # a byte string of indefinite length (and not a map)
    cbor2.dumps({"b": 1, "a": 2}),  # keys out of order
    bytes.fromhex("a2" "6161" "02" "0a" "01"),  # {"a": 2, 10: 1}: 10 (0x0a) sorts before "a" (0x61 0x61)
    bytes.fromhex("a2" "6161" "01" "6161" "02"),  # a duplicate key
    cbor2.dumps({b"k": 1}),  # a byte-string key
    cbor2.dumps({"a": 1.5}),  # a float, in 8 bytes
    bytes.fromhex("a1" "6161" "f93e00"),  # a float, in 2 bytes (1.5)
    cbor2.dumps({"a": cbor2.CBORTag(24, b"\x01")}),  # a tag
    bytes.fromhex("a1" "6161" "c24101"),  # 1 as a bignum (tag 2)
    bytes.fromhex("a1" "6161" "c249010000000000000000"),  # 2**64 as a bignum: beyond CBOR's integers
    cbor2.dumps({"a": cbor2.undefined}),  # a simple value other than false, true, null
    bytes.fromhex("a1" "6161" "62c328"),  # text that is not UTF-8
    cbor2.dumps({"a": [NESTED]}),  # 17 levels
])
def test_extensions_must_be_one_canonical_cbor_map_and_nothing_more(suffix):
    log = Log()
    error = log.refused("entry.malformed", signed_over(log.member, log.statement(), flags=UP | UV | ED, suffix=suffix))
    assert "extensions" in error.message


def test_without_the_ed_flag_nothing_follows_the_sign_count():
    log = Log()
    log.refused("entry.malformed", signed_over(log.member, log.statement(), suffix=cbor2.dumps({})))


@pytest.mark.parametrize("client", [
    b',"extra":NaN', b',"extra":Infinity', b',"extra":-Infinity',  # not JSON (RFC 8259), though Python reads them
    b',"extra":"\\ud800"', b',"extra":["x\\udc00"]', b',"\\ud800":1',  # a lone surrogate is no Unicode text
    b',"extra":' + b"[" * 16 + b"]" * 16,  # with the object, 17 levels
], ids=["NaN", "Infinity", "-Infinity", "lone-high-surrogate", "lone-low-surrogate", "surrogate-name", "17-levels"])
def test_client_data_is_strict_json(client):
    log = Log()
    log.refused("passkey.client_data", signed_over(log.member, log.statement(), client=client))


@pytest.mark.parametrize("client", [b',"t\\u0079pe":"webauthn.get"', b',"extra":1,"extra":1'])
def test_client_data_member_names_are_unique_once_unescaped(client):
    log = Log()
    log.refused("passkey.client_data", signed_over(log.member, log.statement(), client=client))


@pytest.mark.parametrize("client", [
    b',"extra":[1' + b"0" * 5000 + b',1e400,-0.0,1E-400]',  # numbers of any size (Python refuses >4300 digits)
    b',"extra":' + b"[" * 15 + b"]" * 15,  # 16 levels
    b',"extra":"\\ud83d\\ude00 \\u0000"',  # a surrogate pair, an escaped NUL
    b' \t\r\n',  # JSON whitespace
], ids=["numbers", "16-levels", "surrogate-pair-and-nul", "whitespace"])
def test_client_data_may_hold_any_json(client):
    log = Log()
    log.add(signed_over(log.member, log.statement(), client=client))


def test_client_data_has_no_byte_order_mark():
    log = Log()
    entry = unseal(log.member.seal(log.statement()))
    log.refused("passkey.client_data", resealed(entry.entry, client_data_json=b"\xef\xbb\xbf" +
                                                entry.assertion.client_data_json))


def test_the_challenge_is_exactly_the_unpadded_base64url_of_the_digest():
    log = Log()
    entry = log.member.seal(log.statement())
    envelope = unseal(entry)
    client = envelope.assertion.client_data_json
    challenge = json.loads(client)["challenge"]
    assert challenge == base64.urlsafe_b64encode(statement_digest(envelope.statement)).decode().rstrip("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    pad_bit = challenge[:-1] + alphabet[alphabet.index(challenge[-1]) + 1]  # the same 32 bytes to a lax decoder
    for other in (challenge + "=", pad_bit, challenge + "A", challenge.replace("-", "+").replace("_", "/")):
        if other != challenge:
            log.refused("passkey.challenge", resealed(entry, client_data_json=client.replace(challenge.encode(),
                                                                                            other.encode())))
    log.add(entry)


def high_s(signature):
    """The other valid ECDSA signature of the same message: (r, n - s)."""
    r, s = decode_dss_signature(signature)
    return encode_dss_signature(r, P256_ORDER - s)


def test_es256_takes_der_signatures_high_s_included():
    log = Log()
    entry = log.admin.seal(log.statement())
    assertion = unseal(entry).assertion
    log.refused("signature.invalid", resealed(entry, signature=assertion.signature + b"\x00"))  # not DER
    der = assertion.signature  # 30 len 02 len(r) r 02 len(s) s
    long_form = b"\x30\x81" + der[1:]  # BER: the sequence's length in long form
    padded = bytes([0x30, der[1] + 1, 0x02, der[3] + 1, 0x00]) + der[4:]  # r with one more leading zero
    for ber in (long_form, padded):
        log.refused("signature.invalid", resealed(entry, signature=ber))
    r, s = decode_dss_signature(assertion.signature)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # the raw r || s form of WebCrypto: not DER
    log.refused("signature.invalid", resealed(entry, signature=raw))
    log.add(resealed(entry, signature=high_s(assertion.signature)))


def test_ed25519_requires_s_below_the_group_order():
    log = Log()
    entry = log.member.seal(log.statement())
    signature = unseal(entry).assertion.signature
    s = int.from_bytes(signature[32:], "little") + ED25519_ORDER  # the same signature to the equation, S >= L
    log.refused("signature.invalid", resealed(entry, signature=signature[:32] + s.to_bytes(32, "little")))
    log.add(entry)


def test_base64_in_the_entry_is_strict_pad_bits_included():
    """As docs/log.md says: padding required, no other characters, and the unused low bits of the last
    character before `=` zero: one spelling per signature."""
    log = Log()
    entry = log.member.seal(log.statement())
    signature = unseal(entry).assertion.to_json()["signature"]  # Ed25519: 64 bytes, so 4 pad bits and "=="
    assert signature.endswith("==")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other = signature[:-3] + alphabet[alphabet.index(signature[-3]) ^ 0x01] + "=="  # a pad bit set
    for broken in (other, signature[:-1], signature[:-2], signature + "=", signature[:-3] + "-==", " " + signature):
        with pytest.raises(EnvelopeError, match="entry.malformed"):
            unseal(entry.replace(signature.encode(), broken.encode()))
    log.add(entry)
