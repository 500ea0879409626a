// Interoperability peer for tests/crypto/test_interop.py, using npm "age-encryption".
// Usage (stdin -> stdout, binary):
//   node interop.mjs keygen-hybrid                 -> JSON {identity, recipient}
//   node interop.mjs encrypt [--armor] RECIPIENT...
//   node interop.mjs decrypt IDENTITY...           (armor auto-detected)
//   node interop.mjs encrypt-passphrase [--armor]  (passphrase from AGE_PASSPHRASE, logN 10)
//   node interop.mjs decrypt-passphrase            (passphrase from AGE_PASSPHRASE)
import * as age from "age-encryption";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function maybeDearmor(data) {
  const text = Buffer.from(data).toString("latin1");
  if (text.trimStart().startsWith("-----BEGIN")) return age.armor.decode(text);
  return data;
}

function output(bytes) {
  process.stdout.write(Buffer.from(bytes));
}

const [command, ...args] = process.argv.slice(2);
const armor = args.includes("--armor");
const rest = args.filter((a) => a !== "--armor");

try {
  if (command === "keygen-hybrid") {
    const identity = await age.generateHybridIdentity();
    const recipient = await age.identityToRecipient(identity);
    process.stdout.write(JSON.stringify({ identity, recipient }) + "\n");
  } else if (command === "encrypt" || command === "encrypt-passphrase") {
    const e = new age.Encrypter();
    if (command === "encrypt") {
      for (const r of rest) e.addRecipient(r);
    } else {
      e.setPassphrase(process.env.AGE_PASSPHRASE);
      e.setScryptWorkFactor(10);
    }
    const ciphertext = await e.encrypt(await readStdin());
    if (armor) process.stdout.write(age.armor.encode(ciphertext));
    else output(ciphertext);
  } else if (command === "decrypt" || command === "decrypt-passphrase") {
    const d = new age.Decrypter();
    if (command === "decrypt") {
      for (const i of rest) d.addIdentity(i);
    } else {
      d.addPassphrase(process.env.AGE_PASSPHRASE);
    }
    output(await d.decrypt(maybeDearmor(await readStdin())));
  } else {
    throw new Error(`unknown command ${command}`);
  }
} catch (err) {
  process.stderr.write(`interop.mjs: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}
