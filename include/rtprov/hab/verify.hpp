#pragma once
// Offline HAB verification: what the RT10xx boot ROM checks in a signed (or signed + encrypted)
// image — CSF structure, SRK table against the fuses, certificate chain, CMS signatures over the
// CSF and the image blocks, coverage of what boots — and the CSF parser it rests on.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/hab/csf.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::hab {

// One command as found in a CSF.
struct ParsedCommand {
    std::uint32_t offset = 0;  // from the CSF start
    std::uint32_t size = 0;    // header length field
    std::uint8_t tag = 0;
    Command command;
};

struct ParsedCsf {
    std::uint8_t version = 0;
    std::uint32_t length = 0;  // header length: header + commands (what Authenticate CSF signs)
    std::vector<ParsedCommand> commands;
};

// The address an Install Secret Key command of the CSF names for the DEK blob (HAB-encrypted
// images), or nullopt.
std::optional<std::uint32_t> dek_blob_address(const ParsedCsf& csf);

// "Install Key", "Authenticate Data", "Unlock", ... for a command tag ("command 0xNN" if unknown).
std::string command_name(std::uint8_t tag);

// Parses the CSF header and every command (the data area is not interpreted). Throws
// Error(BadInput) naming the offset: "CSF truncated at offset 0x14: command Install Key needs 12
// bytes, 4 remain", "CSF: unknown command tag 0x42 at offset 0x1C", "CSF: tag 0x00 at offset 0,
// expected 0xD4".
ParsedCsf parse_csf(ByteView csf);

// The payload of a data block (certificate 0xD7 / signature 0xD8 / MAC 0xAC / SRK table) at
// `offset` of the CSF: the header is checked against `tag` and the CSF size. Returns the bytes
// after the 4-byte header (for the SRK table: the whole table). Throws Error(BadInput) naming
// `what` and the offset.
ByteView csf_data_block(ByteView csf, std::uint32_t offset, std::uint8_t tag,
                        const std::string& what);

// What verify_image is told.
struct VerifyOptions {
    std::optional<SrkHash> fuse_hash;  // SRK fuses as burned; none: the SRK hash check is skipped
    std::optional<Bytes> dek;          // AES key of encrypted images: MAC checked when given
};

enum class CheckStatus { Passed, Failed, Skipped };

struct VerifyCheck {
    std::string name;  // "SRK table hash", "Authenticate Data #1", "Coverage", ...
    CheckStatus status = CheckStatus::Passed;
    std::string detail;  // for failures the full message, e.g. "SRK table hash 0x... does not ..."
};

struct VerifyReport {
    std::vector<VerifyCheck> checks;  // in the order the boot ROM would meet them
    std::uint32_t csf_address = 0;
    std::uint32_t csf_length = 0;
    std::optional<SrkHash> srk_table_hash;
    std::optional<std::uint32_t> srk_index;
    std::size_t srk_count = 0;
    std::vector<Block> signed_blocks;     // claimed by Authenticate Data (CMS) commands
    std::vector<Block> decrypted_blocks;  // covered by Decrypt Data (AEAD)
    bool encrypted = false;
    // Install Secret Key: where the CSF says the DEK blob is (absolute address of the image in
    // memory, data[0] at the boot data start).
    std::optional<std::uint32_t> key_blob_address;

    // True when no check failed.
    bool ok() const;
    // The detail of every failed check, in order.
    std::vector<std::string> failures() const;
};

// Verifies a bootable image file as the boot ROM would (never prints). Throws Error(BadInput)
// only when `file` is not a bootable image at all; every HAB finding, including an unsigned image
// or a malformed CSF, is a check in the report.
VerifyReport verify_image(ByteView file, const std::string& name, const VerifyOptions& options);

}  // namespace rtprov::hab
