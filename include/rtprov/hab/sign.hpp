#pragma once
// HAB4 signing (and optional encryption) of a bootable image, byte-exact with NXP's elftosb /
// SPSDK: CSF placed on the first 4 KiB boundary after the app, commands Install SRK, Install
// CSFK, Authenticate CSF, Install Key (IMG), Authenticate Data [, Install Secret Key, Decrypt
// Data], data area SRK table, CSFK cert, CSF signature, IMG cert, image signature [, MAC].

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/hab/csf.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

// HAB encryption of the application (AES-CCM with the DEK; the boot ROM decrypts it with the DEK
// blob that the device creates and that is written CSF address + 0x2000).
struct EncryptSettings {
    Bytes dek;                   // 16, 24 or 32 bytes
    std::optional<Bytes> nonce;  // default: random, length 15 - (bytes for the data size)
};

struct SignSettings {
    // SRK: 1..4 CA certificates (the table is built from them) or a ready SRK table file.
    std::vector<std::filesystem::path> srk_certs;
    std::optional<std::filesystem::path> srk_table;
    std::uint32_t srk_index = 0;  // 0-based key of the table that signs the CSFK certificate

    std::filesystem::path csf_key, csf_cert;
    std::filesystem::path img_key, img_cert;
    // Fast authentication (CST's Install NOCAK): csf_key/csf_cert are an SRK's own key and
    // certificate and sign the image as well; img_key/img_cert are not used.
    bool nocak = false;
    std::optional<std::string> key_password;  // for encrypted private keys

    std::optional<std::time_t> signature_time;  // CMS signingTime (UTC); default now

    std::uint8_t csf_version = kCsfVersion;
    Engine engine = Engine::Dcp;  // engine of Authenticate CSF / Data / Decrypt Data
    std::uint8_t engine_config = 0;
    std::vector<Unlock> unlocks;          // after Authenticate Data (NXP's order), in order
    std::optional<SetEngine> set_engine;  // after Authenticate Data, before Unlock

    std::optional<EncryptSettings> encrypt;

    bool padding = true;  // false: the output starts at the IVT (like *_nopadding.bin)

    // Moves the image to another load address (boot data start): the IVT self, boot data and
    // DCD pointers follow, the entry point is kept (what NXP's tools do for the flashloader).
    std::optional<std::uint32_t> image_address;

    // Where the app starts, from the image start: a free layout's initial load size (default:
    // NXP's for the image's IVT offset, 0x0 -> 0x400, 0x400 -> 0x1000, 0x1000 -> 0x2000).
    std::optional<std::uint32_t> initial_load_size;
};

struct SignResult {
    Bytes data;                 // the signed image file
    std::uint32_t address = 0;  // memory address of data[0]
    std::uint32_t ivt_address = 0;
    std::uint32_t csf_address = 0;
    std::uint32_t csf_length = 0;      // header + commands (what Authenticate CSF signs)
    std::vector<Block> signed_blocks;  // covered by the image signature
    std::vector<Block> encrypted_blocks;
    std::optional<std::uint32_t> key_blob_address;
    Bytes nonce;  // when encrypted
    Bytes mac;    // when encrypted
    Bytes srk_table;
    Bytes srk_hash;  // SHA-256 fuse hash of the SRK table
};

// Signs an unsigned bootable image (with or without the padding before the IVT; `name` is used
// in errors). Throws Error(BadInput) "NAME: no IVT found ..." when not a boot image,
// "NAME: already signed (IVT points at a CSF at 0x...)" when the IVT has a CSF pointer,
// Error(Usage) for a bad SRK index or certificate count, key/cert errors naming their files.
// The result is checked with verify_image against its own SRK table (and the DEK): an image the
// boot ROM would reject throws Error(Verification) "NAME: the signed image does not verify
// against its SRK table (srk_index N): <first failed check>[; K later checks also failed]".
SignResult sign_image(ByteView unsigned_image, const std::string& name,
                      const SignSettings& settings);

// Parses "2020-04-08T05:54:33Z" (also "+00:00" or no zone; UTC) to seconds since the epoch.
// Throws Error(Usage) "invalid signature time 'TEXT': expected YYYY-MM-DDTHH:MM:SSZ (UTC)".
std::time_t parse_signature_time(std::string_view iso8601_utc);

}  // namespace rtprov::hab
