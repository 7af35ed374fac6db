#pragma once
// The HAB4 Command Sequence File (CSF) model: header, commands and the data blocks that follow
// them (spec/hab.md sections 1-5, 7). Every HAB integer is big-endian.

#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

// Header tags of the CSF and of its data blocks.
constexpr std::uint8_t kCsfTag = 0xD4;
constexpr std::uint8_t kCertificateTag = 0xD7;  // also the SRK table tag
constexpr std::uint8_t kSignatureTag = 0xD8;
constexpr std::uint8_t kMacTag = 0xAC;

constexpr std::uint8_t kCsfVersion = 0x42;  // CSF header param of NXP's RT images
// A HAB4 CSF header version: 0x40 .. 0x4F (4.0 .. 4.15); anything else is refused as input.
constexpr bool is_hab4_csf_version(std::uint64_t v) {
    return v >= 0x40 && v <= 0x4F;
}
constexpr std::uint8_t kDataBlockVersion = 0x42;  // certificate / signature / MAC param
constexpr std::uint32_t kCsfSize = 0x2000;        // CSF region, zero-padded
constexpr std::uint32_t kKeyBlobSize = 0x200;     // DEK blob area after the CSF (encryption)
// The DEK blob generate-key-blob returns: 8-byte header (0x81, length, 0x43, 0x66 CCM, 0x55 AES,
// DEK size, 0), then 48 bytes of wrapped blob key and MAC around the DEK: 72 for AES-128.
constexpr std::uint32_t dek_blob_size(std::uint32_t dek_size) {
    return 56 + dek_size;
}
constexpr std::uint32_t kDekBlobSize = dek_blob_size(16);
constexpr std::size_t kCommandHeaderSize = 4;     // tag, BE u16 length, param

enum class CommandTag : std::uint8_t {
    Set = 0xB1,
    Unlock = 0xB2,
    Init = 0xB4,
    InstallKey = 0xBE,
    AuthenticateData = 0xCA,
    Nop = 0xC0,
    WriteData = 0xCC,
    CheckData = 0xCF,
};

enum class Algorithm : std::uint8_t {
    Any = 0x00,
    Sha1 = 0x11,
    Sha256 = 0x17,
    Sha512 = 0x1B,
    Pkcs1 = 0x21,
    Ecdsa = 0x27,
    Aes = 0x55,
    Ccm = 0x66,
    Blob = 0x71,
};

// Certificate / signature / key formats.
enum class Format : std::uint8_t {
    None = 0x00,
    Srk = 0x03,
    X509 = 0x09,
    Cms = 0xC5,
    Blob = 0xBB,
    Aead = 0xA3,
};

enum class Engine : std::uint8_t {
    Any = 0x00,
    Scc = 0x03,
    Rtic = 0x05,
    Sahara = 0x06,
    Csu = 0x0A,
    Srtc = 0x0C,
    Dcp = 0x1B,
    Caam = 0x1D,
    Snvs = 0x1E,
    Ocotp = 0x21,
    Dtcp = 0x22,
    Hdcp = 0x24,
    Rom = 0x36,
    Sw = 0xFF,
};

// Install Key flags (header param).
namespace install_key_flags {
constexpr std::uint8_t kClear = 0x00;
constexpr std::uint8_t kAbsolute = 0x01;  // location is an absolute address
constexpr std::uint8_t kCsf = 0x02;       // installing the CSF key
constexpr std::uint8_t kData = 0x04;
constexpr std::uint8_t kConfig = 0x08;
constexpr std::uint8_t kFid = 0x10;
constexpr std::uint8_t kMid = 0x20;
constexpr std::uint8_t kCid = 0x40;
constexpr std::uint8_t kHash = 0x80;  // certificate hash follows the command
}  // namespace install_key_flags

// Authenticate Data flags (header param).
namespace auth_data_flags {
constexpr std::uint8_t kClear = 0x00;
constexpr std::uint8_t kAbsolute = 0x01;
}  // namespace auth_data_flags

// Unlock features per engine.
namespace unlock_features {
constexpr std::uint32_t kCaamMid = 0x1;
constexpr std::uint32_t kCaamRng = 0x2;
constexpr std::uint32_t kCaamMfg = 0x4;
}  // namespace unlock_features

// Install Key (0xBE), 12 bytes (+ hash when flags has kHash). Also Install SRK (format Srk, hash
// Sha256) and Install Secret Key (format Blob, flags kAbsolute, location = DEK blob address).
struct InstallKey {
    std::uint8_t flags = install_key_flags::kClear;
    Format certificate_format = Format::X509;
    Algorithm hash_algorithm = Algorithm::Any;
    std::uint8_t source_index = 0;  // slot (or SRK index) that verifies the key
    std::uint8_t target_index = 0;  // slot to install into: 0 SRK, 1 CSFK, 2+ image keys
    std::uint32_t location = 0;     // CSF offset of the data, or address when kAbsolute
    Bytes certificate_hash;         // only with kHash
};

struct Block {
    std::uint32_t address = 0;
    std::uint32_t length = 0;
    friend bool operator==(const Block&, const Block&) = default;
};

// Authenticate Data (0xCA), 12 + 8 * blocks bytes. With no blocks it is Authenticate CSF; with
// signature format Aead and key index 0 it is Decrypt Data.
struct AuthenticateData {
    std::uint8_t flags = auth_data_flags::kClear;
    std::uint8_t key_index = 0;
    Format signature_format = Format::Cms;
    Engine engine = Engine::Dcp;
    std::uint8_t engine_config = 0;
    std::uint32_t location = 0;  // CSF offset of the signature / MAC block
    std::vector<Block> blocks;
};

// Unlock (0xB2): header param = engine; BE u32 features; then the UID bytes when needed.
struct Unlock {
    Engine engine = Engine::Snvs;
    std::uint32_t features = 0;
    Bytes uid;  // appended as-is (8 bytes for OCOTP field return / SCS / JTAG)
};

// Whether an Unlock of these features carries the part's 8-byte UID: OCOTP field return (0x1),
// SCS (0x4) and JTAG (0x8), as the CST manual and SPSDK's cmd_unlock.py have it.
bool unlock_needs_uid(Engine engine, std::uint32_t features);

// Sets the UID an Unlock carries (8 bytes, big-endian as SPSDK and CST write it) when its engine
// and features need one (unlock_needs_uid); otherwise the command has no UID and `uid` is dropped,
// as SPSDK drops it. Returns whether it was kept.
bool set_unlock_uid(Unlock& unlock, std::uint64_t uid);

// Set Engine (0xB1 with item 0x03): default engine for an algorithm. Layout per SPSDK cmd_set.py:
// header param = item (3); then 0, hash algorithm, engine, engine configuration.
struct SetEngine {
    Algorithm hash_algorithm = Algorithm::Any;
    Engine engine = Engine::Any;
    std::uint8_t engine_config = 0;
};

struct Nop {};

using Command = std::variant<InstallKey, AuthenticateData, Unlock, SetEngine, Nop>;

// The commands of a CSF (the data area is kept apart, see CsfImage in sign.hpp).
struct Csf {
    std::uint8_t version = kCsfVersion;
    std::vector<Command> commands;
};

// Serialized size of one command, header included.
std::size_t command_size(const Command& command);

// The command's bytes: header (tag, BE length, param) then its fields, big-endian.
Bytes serialize_command(const Command& command);

// CSF header (tag 0xD4, BE length = 4 + all commands, param = version) followed by every command:
// exactly the bytes Authenticate CSF signs. Throws Error(Internal) when longer than 0xFFFF.
Bytes serialize_csf(const Csf& csf);

// Certificate data block: D7, BE length = 4 + DER size, version, then the DER.
Bytes make_certificate_block(ByteView der, std::uint8_t version = kDataBlockVersion);

// Signature data block: D8, BE length = 4 + CMS size, version, then the CMS DER.
Bytes make_signature_block(ByteView cms_der, std::uint8_t version = kDataBlockVersion);

// MAC data block: AC, BE length, version; 00, nonce size, 00, MAC size; nonce; MAC.
Bytes make_mac_block(ByteView nonce, ByteView mac, std::uint8_t version = kDataBlockVersion);

}  // namespace rtprov::hab
