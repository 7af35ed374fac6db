#pragma once
// MCUBoot (blhost) protocol as spoken by the i.MX RT10xx flashloader: packets, UART framing,
// USB-HID report framing, CRC16, status/property names. Pure functions without I/O, shared by the
// host client (mboot_client.hpp) and the simulator. All integers are little-endian.
// Facts: /work/shared/spec/mboot.md (SPSDK spsdk/mboot/*).
//
// Packet (command or response), transport independent:
//   u8 tag | u8 flags (bit0 = data phase follows) | u8 reserved 0 | u8 N | N x u32 LE params
//   at most kMaxParams parameters (32 bytes).
// UART frames:
//   ACK/NAK/ABORT/PING:  5A <type>                                  (2 bytes)
//   PING RESPONSE:       5A A7 | u32 version | u16 options | u16 crc  (10 bytes)
//   COMMAND/DATA:        5A <type> | u16 length | u16 crc | payload  (crc16-xmodem over all but
//                        the crc field)
//   Every COMMAND/DATA frame is answered by ACK from the receiver (NAK = resend, ABORT = data
//   phase aborted by the device).
// USB-HID reports (payload after the report id): u8 0 | u16 LE length | payload. Report ids:
//   1 command OUT, 2 data OUT, 3 response IN, 4 data IN. No CRC, no ACK. Length 0 = data abort.
//
// Decoding errors throw rtprov::Error(ErrorCode::Device) naming the size or value found.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::proto::mboot {

inline constexpr std::uint8_t kStartByte = 0x5A;
inline constexpr std::size_t kPacketHeaderSize = 4;
inline constexpr std::size_t kMaxParams = 7;
inline constexpr std::size_t kMaxPacketBytes = kPacketHeaderSize + 4 * kMaxParams;  // 32
static_assert(kMaxPacketBytes == 32);
inline constexpr std::size_t kFrameHeaderSize = 6;  // 5A type len16 crc16
inline constexpr std::size_t kPingResponseSize = 10;
inline constexpr std::size_t kHidHeaderSize = 4;  // report id, 0, len16 (id sent separately)
// Largest data payload accepted in one frame/report (the RT flashloader reports 1024 over USB).
inline constexpr std::size_t kMaxFramePayload = 4096;
// MaxPacketSize used before property 11 has been read.
inline constexpr std::uint32_t kDefaultMaxPacketSize = 32;
inline constexpr std::uint8_t kFlagDataPhase = 0x01;

enum class PacketType : std::uint8_t {
    Ack = 0xA1,
    Nak = 0xA2,
    Abort = 0xA3,
    Command = 0xA4,
    Data = 0xA5,
    Ping = 0xA6,
    PingResponse = 0xA7,
};

enum class ReportId : std::uint8_t { CommandOut = 1, DataOut = 2, CommandIn = 3, DataIn = 4 };

enum class CommandTag : std::uint8_t {
    FlashEraseAll = 0x01,
    FlashEraseRegion = 0x02,
    ReadMemory = 0x03,
    WriteMemory = 0x04,
    FillMemory = 0x05,
    FlashSecurityDisable = 0x06,
    GetProperty = 0x07,
    ReceiveSbFile = 0x08,
    Execute = 0x09,
    Call = 0x0A,
    Reset = 0x0B,
    SetProperty = 0x0C,
    FlashEraseAllUnsecure = 0x0D,
    FlashProgramOnce = 0x0E,
    FlashReadOnce = 0x0F,
    FlashReadResource = 0x10,
    ConfigureMemory = 0x11,
    ReliableUpdate = 0x12,
    GenerateKeyBlob = 0x13,
};

enum class ResponseTag : std::uint8_t {
    Generic = 0xA0,
    ReadMemory = 0xA3,
    GetProperty = 0xA7,
    FlashReadOnce = 0xAF,
    FlashReadResource = 0xB0,
    KeyBlob = 0xB3,
};

enum class Property : std::uint8_t {
    ListProperties = 0x00,
    CurrentVersion = 0x01,
    AvailablePeripherals = 0x02,
    FlashStartAddress = 0x03,
    FlashSize = 0x04,
    FlashSectorSize = 0x05,
    FlashBlockCount = 0x06,
    AvailableCommands = 0x07,
    CrcCheckStatus = 0x08,
    LastError = 0x09,
    VerifyWrites = 0x0A,
    MaxPacketSize = 0x0B,
    ReservedRegions = 0x0C,
    ValidateRegions = 0x0D,
    RamStartAddress = 0x0E,
    RamSize = 0x0F,
    SystemDeviceIdent = 0x10,
    FlashSecurityState = 0x11,
    UniqueDeviceIdent = 0x12,
    TargetVersion = 0x18,
    ExternalMemoryAttributes = 0x19,
    ReliableUpdateStatus = 0x1A,
    FlashPageSize = 0x1B,
};

// Memory ids (ExtMemId). FlexSPI NOR is 9; 0 is internal / memory-mapped.
enum class MemoryId : std::uint32_t {
    Internal = 0,
    QuadSpi0 = 1,
    SemcNor = 8,
    FlexspiNor = 9,
    SpifiNor = 10,
    SemcNand = 0x100,
    SpiNand = 0x101,
    SpiNorEeprom = 0x110,
    I2cNorEeprom = 0x111,
    SdCard = 0x120,
    Mmc = 0x121,
};

// Selected status codes (first parameter of every response); status_name() knows more.
enum class Status : std::uint32_t {
    Success = 0,
    Fail = 1,
    ReadOnly = 2,
    OutOfRange = 3,
    InvalidArgument = 4,
    Timeout = 5,
    UnknownCommand = 10000,
    SecurityViolation = 10001,
    AbortDataPhase = 10002,
    RomLdrPendingJump = 10119,
    RomLdrPendingReset = 10120,
    MemoryRangeInvalid = 10200,
    MemoryReadFailed = 10201,
    MemoryWriteFailed = 10202,
    MemoryCumulativeWrite = 10203,
    MemoryNotConfigured = 10205,
    MemoryAlignmentError = 10206,
    MemoryVerifyFailed = 10207,
    UnknownProperty = 10300,
    ReadOnlyProperty = 10301,
    InvalidPropertyValue = 10302,
    FlexspiNorProgramFail = 20100,
    FlexspiNorEraseSectorFail = 20101,
    FlexspiNorEraseAllFail = 20102,
    FlexspiNorWaitTimeout = 20103,
    FlexspiNorFlashNotFound = 20109,
    OtpProgramFail = 20201,
};

// A command or response packet.
struct Packet {
    std::uint8_t tag = 0;    // CommandTag or ResponseTag value
    std::uint8_t flags = 0;  // kFlagDataPhase
    std::vector<std::uint32_t> params;
    bool operator==(const Packet&) const = default;
    bool has_data_phase() const { return (flags & kFlagDataPhase) != 0; }
    // params[0] for responses; throws Error(Device) "response 0xA0 has no status" when empty.
    std::uint32_t status() const;
};

// Builds a command packet (flags = kFlagDataPhase when data_phase).
Packet make_command(CommandTag tag, std::vector<std::uint32_t> params, bool data_phase = false);
// Device side: Generic response {status, command tag}.
Packet make_generic_response(std::uint32_t status, std::uint8_t command_tag);
// Device side: ReadMemory (or FlashReadResource) response {status, byte count}, data phase flag.
Packet make_read_memory_response(std::uint32_t status, std::uint32_t byte_count);
// Device side: GetProperty response {status, values...}.
Packet make_property_response(std::uint32_t status, const std::vector<std::uint32_t>& values);
// Device side: FlashReadOnce response {status, byte count, words...}.
Packet make_read_once_response(std::uint32_t status, const std::vector<std::uint32_t>& words);

// Packet <-> bytes (4 + 4N bytes). decode_packet throws Error(Device) for fewer than 4 bytes, more
// than kMaxParams, or a length different from 4 + 4N ("packet of 9 bytes, header says 2 params
// (12 bytes)").
Bytes encode_packet(const Packet& p);
Packet decode_packet(ByteView bytes);

// CRC-16/XMODEM (poly 0x1021, init 0, no reflection); crc16_xmodem("123456789") == 0x31C3.
std::uint16_t crc16_xmodem(ByteView data, std::uint16_t crc = 0);

// --- UART framing ---

// Two-byte frames: ACK, NAK, ABORT, PING.
std::array<std::uint8_t, 2> encode_short_frame(PacketType type);
// COMMAND or DATA frame around `payload` (throws Error(Internal) for other types or a payload
// above kMaxFramePayload).
Bytes encode_frame(PacketType type, ByteView payload);

struct PingResponse {
    std::uint8_t name = 'P';  // protocol name character
    std::uint8_t major = 1;
    std::uint8_t minor = 2;
    std::uint8_t bugfix = 0;
    std::uint16_t options = 0;
    bool operator==(const PingResponse&) const = default;
};
// 10 bytes: 5A A7 | bugfix minor major name | options LE | crc16 over the first 8 bytes.
std::array<std::uint8_t, kPingResponseSize> encode_ping_response(const PingResponse& r);
// Throws Error(Device) for a wrong size/start/type or "ping response CRC 0x1234, expected 0x5678".
PingResponse decode_ping_response(ByteView bytes);

// Result of looking at the start of a receive buffer for one UART frame.
struct FrameDecode {
    enum class Kind {
        NeedMore,  // `needed` more bytes are required (at least)
        Junk,      // buf[0] is not a start byte: drop `consumed` (1) byte and retry
        Short,     // ACK/NAK/ABORT/PING: `type`, `consumed` = 2
        Ping,      // PING RESPONSE: `ping`, `consumed` = 10 (CRC checked: bad CRC -> BadCrc)
        Frame,     // COMMAND/DATA: `type`, `payload`, `consumed`
        BadCrc,    // COMMAND/DATA/PING RESPONSE with a wrong CRC: `consumed` covers it; NAK it
        Invalid,   // unknown type or length > kMaxFramePayload; `error` says which; consumed = 2
    };
    Kind kind = Kind::NeedMore;
    std::size_t consumed = 0;
    std::size_t needed = 0;
    PacketType type = PacketType::Ack;
    Bytes payload;
    PingResponse ping;
    std::string error;
};
// Decodes the frame at the start of `buf` without throwing (see FrameDecode::Kind).
FrameDecode decode_frame(ByteView buf);

// --- USB-HID framing ---

// Report payload (after the report id): 0 | len LE | payload. Throws Error(Internal) above
// kMaxFramePayload.
Bytes encode_hid_payload(ByteView payload);
// Extracts the payload from a report's bytes (after the id); extra padding after `len` is ignored.
// Throws Error(Device) for fewer than 3 bytes or a length beyond the report.
Bytes decode_hid_payload(ByteView report);

// --- names ---

// "kStatus_Success", "kStatusMemoryRangeInvalid", "kStatus_FlexSPINOR_ProgramFail", ...;
// "unknown status 12345" otherwise.
std::string status_name(std::uint32_t status);
// "get-property", "write-memory", ... (blhost names); "0xNN" otherwise.
std::string command_name(std::uint8_t tag);
// "CurrentVersion", "MaxPacketSize", ...; "property 0xNN" otherwise.
std::string property_name(std::uint8_t tag);
// Parses a property by number or name ("11", "0xb", "MaxPacketSize", "max-packet-size");
// nullopt when unknown.
std::optional<std::uint8_t> parse_property(std::string_view text);
// Version word (CurrentVersion property, ping): "K1.6.0" (byte3 name, major, minor, bugfix);
// the name is left out when byte3 is not 'A'..'Z'.
std::string version_string(std::uint32_t word);

}  // namespace rtprov::proto::mboot
