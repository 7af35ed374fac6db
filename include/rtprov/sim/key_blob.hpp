#pragma once
// HAB DEK blobs of the simulated part: what its flashloader's generate-key-blob returns and what
// its boot ROM opens for Install Secret Key. Only the part that made a blob can open it (the key
// that wraps it derives from that part's OTPMK), every call makes a different blob, and any
// change of a byte is detected.
//
// Format (72 bytes for the 16-byte AES-128 DEK the RT10xx DCP takes):
//   0..8    header  0x81, 0x00, 0x48 (length, big-endian), 0x43 (HAB 4), 0x66 (CCM), 0x55 (AES),
//                   0x10 (DEK bytes), 0x00 — NXP's header, byte for byte
//   8..16   KCV     key check value: SHA-256("rtprov-sim-dek-blob-kcv" || KEK)[0..8]
//   16..32  BK'     the blob key BK (16 random bytes per call) encrypted with AES-128-ECB
//                   under KEK
//   32..40  N       CCM nonce (8 random bytes per call)
//   40..56  DEK'    the DEK encrypted with AES-128-CCM under BK, nonce N, associated data
//                   bytes 0..40
//   56..72  MAC     the 16-byte CCM tag
// KEK = SHA-256("rtprov-sim-dek-blob-kek" || OTPMK)[0..16], OTPMK = the part's 32-byte simulated
// OTPMK (sim_otpmk_key regions 0 and 1, from the UID). This is the simulator's own format: a real
// part's blob (CAAM/DCP, key from the real OTPMK) has the same header and size but other content.

#include <cstddef>
#include <string>

#include "rtprov/sim/fuses.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::sim {

constexpr std::size_t kSimDekSize = 16;      // AES-128: the only DEK size the RT10xx DCP takes
constexpr std::size_t kSimKeyBlobSize = 72;  // = hab::kDekBlobSize

// Wraps `dek` for the part whose fuses are `fuses` (random blob key and nonce: two calls give two
// blobs). Throws Error(Usage) "DEK of N bytes: the RT10xx DCP takes a 16-byte AES-128 DEK only"
// for another size.
Bytes make_key_blob(const Fuses& fuses, ByteView dek);

enum class KeyBlobFault {
    None,
    NotABlob,   // wrong size or header (e.g. erased flash): no blob there
    OtherPart,  // the key check value is another part's KEK
    Damaged,    // this part's KEK, but the MAC does not match (a changed byte)
};

struct OpenedKeyBlob {
    KeyBlobFault fault = KeyBlobFault::None;
    Bytes dek;  // when fault == None
    // When not: "header byte 0 is 0xFF, expected 0x81" (NotABlob), "was made by another part (it
    // does not open with this part's OTPMK)", "is damaged (its MAC does not match)".
    std::string reason;
};

// Opens a blob made by make_key_blob on this part (never throws).
OpenedKeyBlob open_key_blob(const Fuses& fuses, ByteView blob);

}  // namespace rtprov::sim
