#!/usr/bin/env python3
"""Opens a sealed secrets file as docs/package-format.md ("Sealed secrets") describes it, with
Python's `cryptography` (OpenSSL), not mbedTLS: an independent implementation of the scheme.

Usage: seal_oracle.py SEALED.json STATION.key
Prints one line per secret, "NAME HEX". Exit 77 when `cryptography` is missing."""
import hashlib
import json
import struct
import sys

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:
    sys.exit(77)

SCHEME = "ECIES-P256-HKDF-SHA256-AES-256-GCM"


def main(sealed_path, key_path):
    doc = json.load(open(sealed_path, encoding="utf-8"))
    assert doc["scheme"] == SCHEME
    priv = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    spki = priv.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha256(spki).hexdigest()[:16]
    mine = [r for r in doc["recipients"] if r["id"] == key_id]
    if not mine:
        sys.exit("not sealed to " + key_id)
    r = mine[0]
    eph = bytes.fromhex(r["ephemeral_public_key"])
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), eph)
    shared = priv.exchange(ec.ECDH(), peer)
    kek = HKDF(hashes.SHA256(), 32, salt=eph,
               info=b"rtprov sealed secrets v1" + key_id.encode()).derive(shared)
    content_key = AESGCM(kek).decrypt(bytes.fromhex(r["nonce"]), bytes.fromhex(r["wrapped_key"]),
                                      (SCHEME + " " + key_id).encode())
    aad = json.dumps({"scheme": doc["scheme"], "names": doc["names"],
                      "recipients": doc["recipients"]},
                     separators=(",", ":"), ensure_ascii=False).encode()
    plain = AESGCM(content_key).decrypt(bytes.fromhex(doc["nonce"]),
                                        bytes.fromhex(doc["ciphertext"]), aad)
    (count,) = struct.unpack(">I", plain[:4])
    pos = 4
    for _ in range(count):
        (n,) = struct.unpack(">H", plain[pos:pos + 2])
        name = plain[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        (n,) = struct.unpack(">I", plain[pos:pos + 4])
        print(name, plain[pos + 4:pos + 4 + n].hex())
        pos += 4 + n
    assert pos == len(plain)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
