// SDP wire format: command packet, response words, names of HAB values.

#include "rtprov/proto/sdp.hpp"

#include <fmt/format.h>

#include "name_table.hpp"

#include "rtprov/util/error.hpp"

namespace rtprov::proto::sdp {

namespace {

using detail::Name;

constexpr Name kCommands[] = {
    {0x0101, "READ_REGISTER"}, {0x0202, "WRITE_REGISTER"},  {0x0404, "WRITE_FILE"},
    {0x0505, "ERROR_STATUS"},  {0x0606, "WRITE_CSF"},       {0x0A0A, "WRITE_DCD"},
    {0x0B0B, "JUMP_ADDRESS"},  {0x0C0C, "SKIP_DCD_HEADER"}, {0x0D0D, "SET_BAUDRATE"},
};
constexpr Name kResponses[] = {
    {0x12343412, "HAB_LOCKED"},         {0x56787856, "HAB_UNLOCKED"},
    {0x128A8A12, "WRITE_DATA_OK"},      {0x88888888, "WRITE_FILE_OK"},
    {0x900DD009, "SKIP_DCD_HEADER_OK"}, {0xF0F0F0F0, "HAB_SUCCESS"},
    {0x09D00D90, "BAUDRATE_SET"},
};
constexpr Name kHabStatus[] = {
    {0x00, "HAB_UNKNOWN"}, {0x33, "HAB_FAILURE"}, {0x69, "HAB_WARNING"}, {0xF0, "HAB_SUCCESS"}};
constexpr Name kHabReason[] = {
    {0x03, "UNSUPPORTED_COMMAND"},
    {0x05, "INVALID_IVT"},
    {0x06, "INVALID_COMMAND"},
    {0x09, "UNSUITABLE_STATE"},
    {0x0A, "UNSUPPORTED_ENGINE"},
    {0x0C, "INVALID_ASSERTION"},
    {0x0F, "INVALID_INDEX"},
    {0x11, "INVALID_CSF"},
    {0x12, "UNSUPPORTED_ALGORITHM"},
    {0x14, "UNSUPPORTED_PROTOCOL"},
    {0x17, "INVALID_DATA_SIZE"},
    {0x18, "INVALID_SIGNATURE"},
    {0x1B, "UNSUPPORTED_KEY_OR_PARAM"},
    {0x1D, "INVALID_KEY"},
    {0x1E, "FAILED_CALLBACK"},
    {0x21, "INVALID_CERTIFICATE"},
    {0x22, "INVALID_ADDRESS"},
    {0x24, "UNSUPPORTED_CONFIG_ITEM"},
    {0x27, "INVALID_DCD"},
    {0x28, "CALL_OUT_OF_SEQUENCE"},
    {0x2B, "EXPIRED_POLL_COUNT"},
    {0x2D, "EXHAUSTED_STORAGE"},
    {0x2E, "MEMORY_FAILURE"},
    {0x30, "ENGINE_FAILURE"},
    {0x31, "INVALID_BLOB"},
    {0x32, "INVALID_MAC"},
};
constexpr Name kHabContext[] = {
    {0x00, "ANY"},
    {0x0A, "AUTHENTICATE_IMAGE"},
    {0x33, "CHECK_TARGET"},
    {0xA0, "ASSERT"},
    {0xC0, "CSF_DCD_COMMAND"},
    {0xCF, "RUN_CSF"},
    {0xDB, "AUTH_DATA_BLOCK"},
    {0xDD, "RUN_DCD"},
    {0xE1, "ENTRY"},
    {0xEE, "EXIT"},
    {0xFF, "FAB_TEST"},
};

template <std::size_t N>
std::string name_or_hex(const Name (&table)[N], std::uint32_t v, int digits) {
    if (const Name* n = detail::find_name(table, v))
        return std::string(n->name);
    return fmt::format("0x{:0{}X}", v, digits);
}

}  // namespace

std::array<std::uint8_t, kCommandSize> encode_command(const Command& cmd) {
    std::array<std::uint8_t, kCommandSize> b{};
    store_be16(b.data(), static_cast<std::uint16_t>(cmd.type));
    store_be32(b.data() + 2, cmd.address);
    b[6] = cmd.format;
    store_be32(b.data() + 7, cmd.count);
    store_be32(b.data() + 11, cmd.data);
    b[15] = 0;
    return b;
}

Command decode_command(ByteView bytes) {
    if (bytes.size() < kCommandSize) {
        throw Error(ErrorCode::Device, fmt::format("SDP command of {} bytes, expected {}",
                                                   bytes.size(), kCommandSize));
    }
    const std::uint16_t type = load_be16(bytes.data());
    if (!detail::find_name(kCommands, type)) {
        throw Error(ErrorCode::Device, fmt::format("unknown SDP command type 0x{:04X}", type));
    }
    Command c;
    c.type = static_cast<CommandType>(type);
    c.address = load_be32(bytes.data() + 2);
    c.format = bytes[6];
    c.count = load_be32(bytes.data() + 7);
    c.data = load_be32(bytes.data() + 11);
    return c;
}

std::array<std::uint8_t, kWordSize> encode_word(std::uint32_t word) {
    std::array<std::uint8_t, kWordSize> b{};
    store_be32(b.data(), word);
    return b;
}

std::uint32_t decode_word(ByteView bytes) {
    if (bytes.size() < kWordSize) {
        throw Error(ErrorCode::Device,
                    fmt::format("SDP response of {} bytes, expected 4", bytes.size()));
    }
    return load_be32(bytes.data());
}

std::uint32_t expected_status(CommandType type) noexcept {
    switch (type) {
        case CommandType::WriteRegister:
        case CommandType::WriteDcd:
        case CommandType::WriteCsf:
            return static_cast<std::uint32_t>(Response::WriteDataOk);
        case CommandType::WriteFile:
            return static_cast<std::uint32_t>(Response::WriteFileOk);
        case CommandType::SkipDcdHeader:
            return static_cast<std::uint32_t>(Response::SkipDcdOk);
        case CommandType::SetBaudrate:
            return static_cast<std::uint32_t>(Response::BaudrateSet);
        default:
            return 0;
    }
}

bool has_data_phase(CommandType type) noexcept {
    return type == CommandType::WriteFile || type == CommandType::WriteDcd ||
           type == CommandType::WriteCsf;
}

std::string command_name(CommandType type) {
    return name_or_hex(kCommands, static_cast<std::uint32_t>(type), 4);
}
std::string response_name(std::uint32_t word) {
    return name_or_hex(kResponses, word, 8);
}
std::string hab_status_name(std::uint8_t status) {
    return name_or_hex(kHabStatus, status, 2);
}
std::string hab_reason_name(std::uint8_t reason) {
    return name_or_hex(kHabReason, reason, 2);
}
std::string hab_context_name(std::uint8_t context) {
    return name_or_hex(kHabContext, context, 2);
}

std::string describe_error_status(std::uint32_t word) {
    const auto b0 = static_cast<std::uint8_t>(word);
    if (word == (b0 * 0x01010101u) && detail::find_name(kHabStatus, b0)) {
        return fmt::format("0x{:08X} ({})", word, hab_status_name(b0));
    }
    // A HAB event word: status | reason | context | engine, most significant byte first.
    const auto st = static_cast<std::uint8_t>(word >> 24);
    const auto reason = static_cast<std::uint8_t>(word >> 16);
    const auto ctx = static_cast<std::uint8_t>(word >> 8);
    if (detail::find_name(kHabStatus, st) && detail::find_name(kHabReason, reason)) {
        return fmt::format("0x{:08X} (status {}, reason {}, context {})", word, hab_status_name(st),
                           hab_reason_name(reason), hab_context_name(ctx));
    }
    return fmt::format("0x{:08X}", word);
}

}  // namespace rtprov::proto::sdp
