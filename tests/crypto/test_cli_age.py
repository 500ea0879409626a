"""`integra age` commands (casework/cli_age.py): keygen, encrypt, decrypt."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from crypto_peers import REPO_ROOT
from crypto_peers import age_cli

import crypto
from casework.cli import age_group


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _keygen(runner: CliRunner, path: Path, *extra: str) -> str:
    result = runner.invoke(age_group, ["keygen", *extra, "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Public key: age1")
    return result.stderr.split(": ", 1)[1].strip()


@pytest.mark.parametrize("pq", [False, True], ids=["x25519", "hybrid"])
def test_keygen_file_format(runner: CliRunner, tmp_path: Path, pq: bool) -> None:
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key, *(["--pq"] if pq else []))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    lines = key.read_text().splitlines()
    assert lines[0].startswith("# created: ")
    assert lines[1] == f"# public key: {recipient}"
    assert lines[2].startswith("AGE-SECRET-KEY-PQ-1" if pq else "AGE-SECRET-KEY-1")
    (identity,) = crypto.parse_identity_file(key.read_text())
    assert identity.recipient().to_string() == recipient
    # Never overwrite a key.
    again = runner.invoke(age_group, ["keygen", "-o", str(key)])
    assert again.exit_code != 0
    assert "already exists" in again.stderr
    assert key.read_text().splitlines()[2] == lines[2]


def test_keygen_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(age_group, ["keygen"])
    assert result.exit_code == 0
    assert crypto.parse_identity_file(result.stdout)


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("pq", [False, True], ids=["x25519", "hybrid"])
def test_round_trip_stdin_stdout(runner: CliRunner, tmp_path: Path, armor: bool, pq: bool) -> None:
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key, *(["--pq"] if pq else []))
    plaintext = os.urandom(150_000)
    enc = runner.invoke(
        age_group, ["encrypt", "-r", recipient, *(["-a"] if armor else [])], input=plaintext
    )
    assert enc.exit_code == 0, enc.stderr
    assert enc.stdout_bytes.startswith(b"-----BEGIN AGE" if armor else b"age-encryption.org/v1")
    dec = runner.invoke(age_group, ["decrypt", "-i", str(key)], input=enc.stdout_bytes)
    assert dec.exit_code == 0, dec.stderr
    assert dec.stdout_bytes == plaintext


def test_round_trip_files_and_identity_as_recipient(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    _keygen(runner, key)
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(70_000))
    sealed = tmp_path / "out.age"
    enc = runner.invoke(age_group, ["encrypt", "-i", str(key), "-o", str(sealed), str(source)])
    assert enc.exit_code == 0, enc.stderr
    opened = tmp_path / "opened.bin"
    dec = runner.invoke(age_group, ["decrypt", "-i", str(key), "-o", str(opened), str(sealed)])
    assert dec.exit_code == 0, dec.stderr
    assert opened.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "in.bin",
        "key.txt",
        "opened.bin",
        "out.age",
    ]


def test_passphrase_mode(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEGRA_AGE_PASSPHRASE", "una frase de paso")
    enc = runner.invoke(age_group, ["encrypt", "-p"], input=b"secret")
    assert enc.exit_code == 0, enc.stderr
    assert b"-> scrypt " in enc.stdout_bytes
    dec = runner.invoke(age_group, ["decrypt"], input=enc.stdout_bytes)
    assert dec.exit_code == 0, dec.stderr
    assert dec.stdout_bytes == b"secret"
    monkeypatch.setenv("INTEGRA_AGE_PASSPHRASE", "otra")
    bad = runner.invoke(age_group, ["decrypt"], input=enc.stdout_bytes)
    assert bad.exit_code != 0
    assert "no identity matched" in bad.stderr


def test_passphrase_cannot_mix_with_recipients(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEGRA_AGE_PASSPHRASE", "x")
    recipient = crypto.X25519Identity.generate().recipient().to_string()
    result = runner.invoke(age_group, ["encrypt", "-p", "-r", recipient], input=b"")
    assert result.exit_code != 0
    assert "-p cannot be combined" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["encrypt", "-r", "age1notakey"], "invalid recipient"),
        (["encrypt"], "no recipients"),
        (["encrypt", "-i", "/nonexistent/key.txt"], "cannot read identity file"),
        (["decrypt", "-i", "/nonexistent/key.txt"], "cannot read identity file"),
        (["encrypt", "-r", "x", "/nonexistent/in"], "invalid recipient"),
    ],
)
def test_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(age_group, args, input=b"data")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("integra age: error: ")
    assert message in lines[0]


def test_mixing_pq_and_classical_refused(runner: CliRunner) -> None:
    classic = crypto.X25519Identity.generate().recipient().to_string()
    pq = crypto.HybridIdentity.generate().recipient().to_string()
    result = runner.invoke(age_group, ["encrypt", "-r", pq, "-r", classic], input=b"x")
    assert result.exit_code == 1
    assert "post-quantum" in result.stderr


def test_bad_identity_file(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    key.write_text("# comment\nAGE-SECRET-KEY-1NOTVALID\n")
    result = runner.invoke(age_group, ["decrypt", "-i", str(key)], input=b"")
    assert result.exit_code == 1
    assert "line 2" in result.stderr


def test_wrong_identity_and_tampering(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key)
    other = tmp_path / "other.txt"
    _keygen(runner, other)
    sealed = crypto.encrypt(os.urandom(1000), [crypto.parse_recipient(recipient)])
    result = runner.invoke(age_group, ["decrypt", "-i", str(other)], input=sealed)
    assert result.exit_code == 1
    assert "no identity matched" in result.stderr
    tampered = bytearray(sealed)
    tampered[30] ^= 1
    result = runner.invoke(age_group, ["decrypt", "-i", str(key)], input=bytes(tampered))
    assert result.exit_code == 1
    assert result.stdout_bytes == b""


def test_failed_decrypt_leaves_no_output_file(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key)
    plaintext = os.urandom(3 * 65536 + 100)
    sealed = bytearray(crypto.encrypt(plaintext, [crypto.parse_recipient(recipient)]))
    sealed[-20] ^= 1  # the last chunk fails after two chunks were authenticated
    (tmp_path / "in.age").write_bytes(bytes(sealed))
    out = tmp_path / "out.bin"
    result = runner.invoke(
        age_group, ["decrypt", "-i", str(key), "-o", str(out), str(tmp_path / "in.age")]
    )
    assert result.exit_code == 1
    assert "output discarded" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.age", "key.txt"]
    # An existing file at OUT is left untouched on failure.
    out.write_bytes(b"previous")
    result = runner.invoke(
        age_group, ["decrypt", "-i", str(key), "-o", str(out), str(tmp_path / "in.age")]
    )
    assert result.exit_code == 1
    assert out.read_bytes() == b"previous"


def test_subprocess_streaming_and_age_cli_interop(tmp_path: Path) -> None:
    """Real process, real pipes: our CLI encrypts, the age CLI decrypts, and back."""
    age = age_cli()
    key = tmp_path / "key.txt"
    cmd = [sys.executable, "-m", "casework.cli_age"]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    subprocess.run([*cmd, "keygen", "-o", str(key)], check=True, capture_output=True, env=env)
    recipient = crypto.parse_identity_file(key.read_text())[0].recipient().to_string()
    plaintext = os.urandom(300_000)
    ours = subprocess.run(
        [*cmd, "encrypt", "-r", recipient],
        input=plaintext,
        capture_output=True,
        check=True,
        env=env,
    ).stdout
    assert (
        subprocess.run(
            [age, "-d", "-i", str(key)], input=ours, capture_output=True, check=True
        ).stdout
        == plaintext
    )
    theirs = subprocess.run(
        [age, "-e", "-a", "-r", recipient], input=plaintext, capture_output=True, check=True
    ).stdout
    back = subprocess.run(
        [*cmd, "decrypt", "-i", str(key)], input=theirs, capture_output=True, check=True, env=env
    ).stdout
    assert back == plaintext
    bad = subprocess.run(
        [*cmd, "decrypt", "-i", str(key)], input=b"garbage", capture_output=True, env=env
    )
    assert bad.returncode == 1
    assert bad.stderr.decode().startswith("integra age: error: ")


def test_passphrase_protected_identity_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An identity wrapped with wrap_identity (an age scrypt file) works as -i FILE."""
    identity = crypto.HybridIdentity.generate()
    wrapped = tmp_path / "officer.age"
    wrapped.write_bytes(crypto.wrap_identity(identity, "clave del oficial", work_factor=10))
    sealed = crypto.encrypt(b"expediente", [identity.recipient()])
    monkeypatch.setenv("INTEGRA_AGE_PASSPHRASE", "clave del oficial")
    result = runner.invoke(age_group, ["decrypt", "-i", str(wrapped)], input=sealed)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"expediente"
    monkeypatch.setenv("INTEGRA_AGE_PASSPHRASE", "otra clave")
    result = runner.invoke(age_group, ["decrypt", "-i", str(wrapped)], input=sealed)
    assert result.exit_code == 1
    assert "wrong passphrase" in result.stderr
    assert result.stdout_bytes == b""


def test_truncated_file_on_stdout_says_how_much_was_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key)
    data = os.urandom(3 * 64 * 1024 + 100)
    sealed = crypto.encrypt(data, [crypto.parse_recipient(recipient)])
    truncated = sealed[: len(sealed) - 50]  # breaks the final (short) chunk
    result = runner.invoke(age_group, ["decrypt", "-i", str(key)], input=truncated)
    assert result.exit_code != 0
    released = len(result.stdout_bytes)
    assert released == 3 * 64 * 1024  # only authenticated chunks came out
    assert data.startswith(result.stdout_bytes)
    assert f"{released} bytes of authenticated plaintext were written" in result.stderr
    assert "incomplete" in result.stderr


def test_a_file_that_is_not_age_at_all_is_called_so(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    _keygen(runner, key)
    for junk in (os.urandom(4096), b"hello, this is a text file\n"):
        result = runner.invoke(age_group, ["decrypt", "-i", str(key)], input=junk)
        assert result.exit_code != 0
        assert "not an age file" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "missing command: keygen, encrypt or decrypt"),
        (["sign"], "unknown command 'sign': use keygen, encrypt or decrypt"),
        (["encrypt", "-x"], "unknown option -x for encrypt"),
        (["encrypt", "-r"], "option -r needs a value"),
        (["decrypt", "-o", "a", "--output=b"], "option --output given twice"),
        (["decrypt", "a", "b"], "decrypt takes at most one input file"),
        (["keygen", "--pq=yes"], "option --pq takes no value"),
    ],
)
def test_usage_errors_exit_2_with_the_usage(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(age_group, args, input=b"")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: integra age keygen")
    assert result.stderr.strip().splitlines()[-1] == f"integra age: error: {message}"


def test_help_and_option_spellings(runner: CliRunner, tmp_path: Path) -> None:
    for args in (["--help"], ["-h"], ["encrypt", "--help"]):
        result = runner.invoke(age_group, args)
        assert result.exit_code == 0
        assert "integra age encrypt -p" in result.stdout
    key = tmp_path / "key.txt"
    recipient = _keygen(runner, key)
    # --flag=value, -fVALUE, and "--" before an input named like an option
    source = tmp_path / "-in"
    source.write_bytes(b"spelled")
    sealed = tmp_path / "sealed.age"
    enc = runner.invoke(
        age_group, ["encrypt", f"--recipient={recipient}", f"-o{sealed}", "--", str(source)]
    )
    assert enc.exit_code == 0, enc.stderr
    dec = runner.invoke(age_group, ["decrypt", f"--identity={key}", str(sealed)])
    assert dec.exit_code == 0, dec.stderr
    assert dec.stdout_bytes == b"spelled"


def test_console_script_dispatches_age_without_click(tmp_path: Path) -> None:
    """`integra age` runs without loading click, the settings or the database layer."""
    probe = (
        "import sys\n"
        "sys.argv = ['integra', 'age', 'keygen']\n"
        "from casework.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = [m for m in ('click', 'config', 'sqlalchemy', 'flask', 'argon2',"
        " 'cryptography.hazmat.backends.openssl.backend') if m in sys.modules]\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "LOADED []" in result.stdout, result.stdout
