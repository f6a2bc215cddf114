"""C2SP signed notes against the Go sumdb/note vectors and the C2SP spec example."""

import pytest

from corridor.ledger.note import NoteError, Signer, open_note, parse_signer, parse_verifier, sign_note

from .vectors import strings


def test_signing_with_the_go_key_reproduces_the_note_byte_for_byte():
    case = strings()["signed_note_go"]
    signer = parse_signer(case["skey"])
    assert signer.verifier.encode() == case["vkey"]
    assert signer.encode() == case["skey"]
    assert sign_note(case["text"], [signer]) == case["signed"]


def test_note_with_two_signatures_opens_with_both_keys():
    case = strings()["signed_note_go"]
    message = case["signed"] + case["second_signature_line"]
    opened = open_note(message, [parse_verifier(case["vkey"]), parse_verifier(case["second_vkey"])])
    assert [s.name for s in opened.verified] == ["PeterNeumann", "EnochRoot"]
    assert opened.text == case["text"]


def test_unknown_signers_are_reported_not_trusted():
    case = strings()["signed_note_go"]
    opened = open_note(case["signed"] + case["second_signature_line"], [parse_verifier(case["vkey"])])
    assert [s.name for s in opened.unverified] == ["EnochRoot"]


def test_c2sp_example_opens():
    case = strings()["signed_note_c2sp"]
    assert open_note(case["note"], [parse_verifier(case["vkey"])]).text == "This is an example message.\n"


def test_tampered_text_or_signature_is_refused():
    case = strings()["signed_note_go"]
    verifier = parse_verifier(case["vkey"])
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(case["signed"].replace("problem,", "problem;"), [verifier])
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(case["signed"], [Signer.generate("Other").verifier])


@pytest.mark.parametrize("bad", ["no blank line\n— a b\n", "text\n\nnot a signature\n", "text\n\n", "text"])
def test_malformed_notes_are_refused(bad):
    with pytest.raises(NoteError):
        open_note(bad, [])


def test_key_id_mismatch_is_refused():
    vkey = strings()["signed_note_go"]["vkey"]
    with pytest.raises(NoteError, match="key id"):
        parse_verifier(vkey.replace("c74f20a3", "c74f20a4"))
