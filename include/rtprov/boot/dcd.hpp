#pragma once
// Device Configuration Data (DCD): the list of register writes and polls the i.MX RT10xx boot ROM
// runs before loading the application (typically SDRAM set-up). Binary form: HAB header (tag 0xD2,
// big-endian length, version) and commands, every word big-endian (spec/boot-image.md section 5).
// Text form: the one NXP's SPSDK reads and writes (`nxpimage bootable-image dcd`), e.g.
//     WriteValue 4 0x400FC068 0xFFFFFFFF
//     CheckAnySet 4 0x402F003C 0x00000001 100

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::boot {

inline constexpr std::uint8_t kDcdTag = 0xD2;
inline constexpr std::uint8_t kDcdVersion = 0x41;  // SPSDK's default; 0x40 is accepted too

// Write Data operation, bits 4:3 of the command's parameter byte (SPSDK WriteDataOpsEnum).
enum class DcdWriteOp : std::uint8_t {
    WriteValue = 0,
    WriteClearBits = 1,
    ClearBitMask = 2,
    SetBitMask = 3
};
// Check Data condition, bits 4:3 of the parameter byte (SPSDK CheckDataOpsEnum).
enum class DcdCheckOp : std::uint8_t { AllClear = 0, AllSet = 1, AnyClear = 2, AnySet = 3 };

struct DcdWriteEntry {
    std::uint32_t address = 0;
    std::uint32_t value = 0;  // value, or mask for the bit operations

    friend bool operator==(const DcdWriteEntry&, const DcdWriteEntry&) = default;
};

// Write Data (tag 0xCC): `width` bytes (1, 2, 4) written at each address.
struct DcdWrite {
    std::uint8_t width = 4;
    DcdWriteOp op = DcdWriteOp::WriteValue;
    std::vector<DcdWriteEntry> entries;

    friend bool operator==(const DcdWrite&, const DcdWrite&) = default;
};

// Check Data (tag 0xCF): poll `address` until the mask condition holds, at most `count` times
// (no count: forever).
struct DcdCheck {
    std::uint8_t width = 4;
    DcdCheckOp op = DcdCheckOp::AllClear;
    std::uint32_t address = 0;
    std::uint32_t mask = 0;
    std::optional<std::uint32_t> count;

    friend bool operator==(const DcdCheck&, const DcdCheck&) = default;
};

// NOP (tag 0xC0). The parameter byte is ignored by the ROM and kept for exact round trips.
struct DcdNop {
    std::uint8_t param = 0;

    friend bool operator==(const DcdNop&, const DcdNop&) = default;
};

// Unlock (tag 0xB2): engine id in the parameter byte, then feature flags and any UID words.
struct DcdUnlock {
    std::uint8_t engine = 0;
    std::vector<std::uint32_t> values;

    friend bool operator==(const DcdUnlock&, const DcdUnlock&) = default;
};

using DcdCommand = std::variant<DcdWrite, DcdCheck, DcdNop, DcdUnlock>;

struct Dcd {
    std::uint8_t version = kDcdVersion;
    std::vector<DcdCommand> commands;

    friend bool operator==(const Dcd&, const Dcd&) = default;
};

// Parses a binary DCD. The header length decides where the DCD ends; bytes after it must all be
// zero (padding, e.g. a DCD stored in a fixed-size slot) or the input is rejected. Throws
// Error(BadInput) "name: offset 0x..: ..." naming the offending byte offset and value.
Dcd parse_dcd(ByteView data, std::string_view name);

// Encodes a DCD (header + commands, no padding). Throws Error(BadInput) when a command is invalid
// (width not 1/2/4) or the result exceeds the 16-bit length field.
Bytes serialize(const Dcd& dcd);

// Parses SPSDK DCD text. One command per line, '#' starts a comment, a trailing '\' continues a
// line. Consecutive write lines of the same operation and width merge into one Write Data command
// exactly as SPSDK does. Throws Error(BadInput) "name:LINE: ...".
Dcd parse_dcd_text(std::string_view text, std::string_view name);

// Writes a DCD in SPSDK's text form (nxpimage `export_txt`): one line per write entry, a blank line
// after each command. parse_dcd_text(dcd_to_text(d)) == d unless two adjacent Write Data commands
// share operation and width (they merge, as in SPSDK).
std::string dcd_to_text(const Dcd& dcd);

// One line describing a command for `rtprov info`, e.g.
// "Write Data: WriteValue, 4 bytes, 3 writes (0x400FC068 .. 0x400FC070)".
std::string describe(const DcdCommand& command);

// SPSDK names: "WriteValue" .. "SetBitMask", "CheckAllClear" .. "CheckAnySet", and the HAB engine
// label for an Unlock engine id ("CAAM", "SNVS", "OCOTP", ...; "0x42" when unknown).
std::string_view dcd_write_op_name(DcdWriteOp op);
std::string_view dcd_check_op_name(DcdCheckOp op);
std::string dcd_engine_name(std::uint8_t engine);

}  // namespace rtprov::boot
