"""`corridor witness serve` refuses unusable keys with a clear message."""

from corridor.cli import main
from corridor.ledger.note import Signer


def test_missing_or_wrong_kind_of_key_is_refused(tmp_path, capsys):
    log = Signer.generate("corridor.example/log")
    args = ["witness", "serve", "--db", str(tmp_path / "w.db"), "--log", log.verifier.encode()]
    assert main([*args, "--key-file", str(tmp_path / "missing.key")]) == 2
    assert "corridor witness:" in capsys.readouterr().err
    key_file = tmp_path / "log.key"
    key_file.write_text(log.encode())  # a log key, not a witness (cosignature/v1) key
    assert main([*args, "--key-file", str(key_file)]) == 2
    assert "cosignature/v1" in capsys.readouterr().err
