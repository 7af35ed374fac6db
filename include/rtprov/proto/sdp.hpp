#pragma once
// SDP, the i.MX RT10xx boot ROM's serial download protocol: wire format (both directions) as pure
// functions without I/O, shared by the host client (sdp_client.hpp) and the simulator.
// Facts: /work/shared/spec/sdp.md (SPSDK spsdk/sdp/*, uuu libuuu/sdp*).
//
// Exchange: host sends a 16-byte big-endian command (+ a data phase for WRITE_FILE / WRITE_DCD /
// WRITE_CSF); the device answers a 4-byte HAB word (0x56787856 open, 0x12343412 closed), then,
// per command, a 4-byte status word or READ_REGISTER data. Response words are big-endian u32.
//
// USB-HID: OUT report 1 = command (the 16 bytes, as uuu sends; devices must also accept SPSDK's
// padding to kCommandReportSize), OUT report 2 = data
// (kDataReportSize, last one zero-padded), IN report 3 = HAB word (4 bytes), IN report 4 = status
// word or read data (kResponseReportSize = 64 bytes per report). UART: same bytes, no framing.
//
// Decoding errors throw rtprov::Error(ErrorCode::Device) with the offending value or size.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtprov/util/bytes.hpp"

namespace rtprov::proto::sdp {

enum class CommandType : std::uint16_t {
    ReadRegister = 0x0101,
    WriteRegister = 0x0202,
    WriteFile = 0x0404,
    ErrorStatus = 0x0505,
    WriteCsf = 0x0606,
    WriteDcd = 0x0A0A,
    JumpAddress = 0x0B0B,
    SkipDcdHeader = 0x0C0C,
    SetBaudrate = 0x0D0D,
};

// 4-byte response words (big-endian on the wire; all are byte palindromes or symmetric).
enum class Response : std::uint32_t {
    HabLocked = 0x12343412,    // first word, HAB closed (secure)
    HabUnlocked = 0x56787856,  // first word, HAB open
    WriteDataOk = 0x128A8A12,  // after WRITE_REGISTER, WRITE_DCD, WRITE_CSF
    WriteFileOk = 0x88888888,  // after WRITE_FILE
    SkipDcdOk = 0x900DD009,    // after SKIP_DCD_HEADER
    HabSuccess = 0xF0F0F0F0,   // ERROR_STATUS value when no HAB error is recorded
    BaudrateSet = 0x09D00D90,  // after SET_BAUDRATE
};

enum class ReportId : std::uint8_t {
    Command = 1,    // OUT
    Data = 2,       // OUT
    HabStatus = 3,  // IN
    Response = 4,   // IN
};

inline constexpr std::size_t kCommandSize = 16;
inline constexpr std::size_t kWordSize = 4;
inline constexpr std::size_t kCommandReportSize = 1024;  // max payload bytes of OUT report 1
inline constexpr std::size_t kDataReportSize = 1024;     // payload bytes of OUT report 2
inline constexpr std::size_t kHabReportSize = 4;         // payload bytes of IN report 3
inline constexpr std::size_t kResponseReportSize = 64;   // payload bytes of IN report 4
// uuu splits WRITE_FILE into commands of at most this many bytes.
inline constexpr std::uint32_t kMaxWriteFileChunk = 0x200000;

// The 16-byte command packet. Layout (big-endian): u16 type | u32 address | u8 format |
// u32 count | u32 data | u8 reserved (0).
struct Command {
    CommandType type = CommandType::ErrorStatus;
    std::uint32_t address = 0;  // SET_BAUDRATE: the baud rate
    std::uint8_t format = 0;    // access width in bits (8/16/32) for registers, else 0
    std::uint32_t count = 0;    // byte count (register bytes, file/DCD/CSF length)
    std::uint32_t data = 0;     // WRITE_REGISTER value
    bool operator==(const Command&) const = default;
};
static_assert(kCommandSize == 2 + 4 + 1 + 4 + 4 + 1);

// Encodes a command into its 16 wire bytes.
std::array<std::uint8_t, kCommandSize> encode_command(const Command& cmd);
// Decodes a command: `bytes` must hold at least 16 bytes (HID padding after them is ignored);
// throws Error(Device) for a short packet or an unknown type ("unknown SDP command type 0x0707").
Command decode_command(ByteView bytes);

// Encodes a response word (big-endian).
std::array<std::uint8_t, kWordSize> encode_word(std::uint32_t word);
// Decodes the first 4 bytes as a big-endian word; throws Error(Device) when fewer than 4.
std::uint32_t decode_word(ByteView bytes);

// True for the two valid first (HAB) words.
constexpr bool is_hab_word(std::uint32_t w) noexcept {
    return w == static_cast<std::uint32_t>(Response::HabLocked) ||
           w == static_cast<std::uint32_t>(Response::HabUnlocked);
}
// The status word a command expects after the HAB word, or 0 when none (READ_REGISTER returns
// data, JUMP_ADDRESS only the HAB word, ERROR_STATUS any word).
std::uint32_t expected_status(CommandType type) noexcept;
// True when the host sends a data phase after the command (WRITE_FILE, WRITE_DCD, WRITE_CSF).
bool has_data_phase(CommandType type) noexcept;

// Names: "READ_REGISTER", "HAB_LOCKED", ...; "0x...." for unknown values.
std::string command_name(CommandType type);
std::string response_name(std::uint32_t word);

// HAB byte values (spsdk/sdp/error_codes.py): status 0xF0 success, 0x69 warning, 0x33 failure.
// Names like "HAB_SUCCESS", "INVALID_SIGNATURE", "RUN_DCD"; "0xNN" for unknown values.
std::string hab_status_name(std::uint8_t status);
std::string hab_reason_name(std::uint8_t reason);
std::string hab_context_name(std::uint8_t context);
// Describes an ERROR_STATUS word: "0xF0F0F0F0 (HAB_SUCCESS)", "0x33333333 (HAB_FAILURE)",
// otherwise "0x..." followed by each byte's HAB status/reason/context reading where known.
std::string describe_error_status(std::uint32_t word);

}  // namespace rtprov::proto::sdp
