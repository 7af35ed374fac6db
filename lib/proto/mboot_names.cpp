// Names of MCUBoot status codes (blhost spelling), commands and properties.

#include <algorithm>
#include <cctype>
#include <span>

#include <fmt/format.h>

#include "name_table.hpp"

#include "rtprov/proto/mboot.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::proto::mboot {

namespace {

using detail::Name;

constexpr Name kStatus[] = {
    {0, "kStatus_Success"},
    {1, "kStatus_Fail"},
    {2, "kStatus_ReadOnly"},
    {3, "kStatus_OutOfRange"},
    {4, "kStatus_InvalidArgument"},
    {5, "kStatus_Timeout"},
    {6, "kStatus_NoTransferInProgress"},
    {100, "kStatus_FlashSizeError"},
    {101, "kStatus_FlashAlignmentError"},
    {102, "kStatus_FlashAddressError"},
    {103, "kStatus_FlashAccessError"},
    {104, "kStatus_FlashProtectionViolation"},
    {105, "kStatus_FlashCommandFailure"},
    {106, "kStatus_FlashUnknownProperty"},
    {405, "kStatus_QspiNotConfigured"},
    {7000, "kStatus_FLEXSPI_SequenceExecutionTimeout"},
    {7001, "kStatus_FLEXSPI_InvalidSequence"},
    {7002, "kStatus_FLEXSPI_DeviceTimeout"},
    {10000, "kStatus_UnknownCommand"},
    {10001, "kStatus_SecurityViolation"},
    {10002, "kStatus_AbortDataPhase"},
    {10003, "kStatus_Ping"},
    {10004, "kStatus_NoResponse"},
    {10005, "kStatus_NoResponseExpected"},
    {10006, "kStatus_UnsupportedCommand"},
    {10100, "kStatusRomLdrSectionOverrun"},
    {10101, "kStatusRomLdrSignature"},
    {10102, "kStatusRomLdrSectionLength"},
    {10103, "kStatusRomLdrUnencryptedOnly"},
    {10104, "kStatusRomLdrEOFReached"},
    {10105, "kStatusRomLdrChecksum"},
    {10106, "kStatusRomLdrCrc32Error"},
    {10107, "kStatusRomLdrUnknownCommand"},
    {10108, "kStatusRomLdrIdNotFound"},
    {10109, "kStatusRomLdrDataUnderrun"},
    {10110, "kStatusRomLdrJumpReturned"},
    {10111, "kStatusRomLdrCallFailed"},
    {10112, "kStatusRomLdrKeyNotFound"},
    {10113, "kStatusRomLdrSecureOnly"},
    {10114, "kStatusRomLdrResetReturned"},
    {10115, "kStatusRomLdrRollbackBlocked"},
    {10119, "kStatusRomLdrPendingJumpCommand"},
    {10120, "kStatusRomLdrPendingResetCommand"},
    {10200, "kStatusMemoryRangeInvalid"},
    {10201, "kStatusMemoryReadFailed"},
    {10202, "kStatusMemoryWriteFailed"},
    {10203, "kStatusMemoryCumulativeWrite"},
    {10204, "kStatusMemoryAppOverlapWithExecuteOnlyRegion"},
    {10205, "kStatusMemoryNotConfigured"},
    {10206, "kStatusMemoryAlignmentError"},
    {10207, "kStatusMemoryVerifyFailed"},
    {10208, "kStatusMemoryWriteProtected"},
    {10209, "kStatusMemoryAddressError"},
    {10210, "kStatusMemoryBlankCheckFailed"},
    {10300, "kStatus_UnknownProperty"},
    {10301, "kStatus_ReadOnlyProperty"},
    {10302, "kStatus_InvalidPropertyValue"},
    {10400, "kStatus_AppCrcCheckPassed"},
    {10401, "kStatus_AppCrcCheckFailed"},
    {10402, "kStatus_AppCrcCheckInactive"},
    {10403, "kStatus_AppCrcCheckInvalid"},
    {10404, "kStatus_AppCrcCheckOutOfRange"},
    {10500, "kStatus_NoPingResponse"},
    {10501, "kStatus_InvalidPacketType"},
    {10502, "kStatus_InvalidCRC"},
    {10503, "kStatus_NoCommandResponse"},
    {20100, "kStatus_FlexSPINOR_ProgramFail"},
    {20101, "kStatus_FlexSPINOR_EraseSectorFail"},
    {20102, "kStatus_FlexSPINOR_EraseAllFail"},
    {20103, "kStatus_FlexSPINOR_WaitTimeout"},
    {20104, "kStatus_FlexSPINOR_NotSupported"},
    {20105, "kStatus_FlexSPINOR_WriteAlignmentError"},
    {20106, "kStatus_FlexSPINOR_CommandFailure"},
    {20107, "kStatus_FlexSPINOR_SFDP_NotFound"},
    {20108, "kStatus_FlexSPINOR_Unsupported_SFDP_Version"},
    {20109, "kStatus_FlexSPINOR_Flash_NotFound"},
    {20110, "kStatus_FlexSPINOR_DTRRead_DummyProbeFailed"},
    {20200, "kStatus_OCOTP_ReadFailure"},
    {20201, "kStatus_OCOTP_ProgramFailure"},
    {20202, "kStatus_OCOTP_ReloadFailure"},
    {20203, "kStatus_OCOTP_WaitTimeout"},
};

constexpr Name kCommands[] = {
    {0x01, "flash-erase-all"},
    {0x02, "flash-erase-region"},
    {0x03, "read-memory"},
    {0x04, "write-memory"},
    {0x05, "fill-memory"},
    {0x06, "flash-security-disable"},
    {0x07, "get-property"},
    {0x08, "receive-sb-file"},
    {0x09, "execute"},
    {0x0A, "call"},
    {0x0B, "reset"},
    {0x0C, "set-property"},
    {0x0D, "flash-erase-all-unsecure"},
    {0x0E, "efuse-program-once"},
    {0x0F, "efuse-read-once"},
    {0x10, "flash-read-resource"},
    {0x11, "configure-memory"},
    {0x12, "reliable-update"},
    {0x13, "generate-key-blob"},
};

constexpr Name kProperties[] = {
    {0x00, "ListProperties"},
    {0x01, "CurrentVersion"},
    {0x02, "AvailablePeripherals"},
    {0x03, "FlashStartAddress"},
    {0x04, "FlashSizeInBytes"},
    {0x05, "FlashSectorSize"},
    {0x06, "FlashBlockCount"},
    {0x07, "AvailableCommands"},
    {0x08, "CrcCheckStatus"},
    {0x09, "LastError"},
    {0x0A, "VerifyWrites"},
    {0x0B, "MaxPacketSize"},
    {0x0C, "ReservedRegions"},
    {0x0D, "ValidateRegions"},
    {0x0E, "RAMStartAddress"},
    {0x0F, "RAMSizeInBytes"},
    {0x10, "SystemDeviceIdent"},
    {0x11, "FlashSecurityState"},
    {0x12, "UniqueDeviceIdent"},
    {0x18, "TargetVersion"},
    {0x19, "ExternalMemoryAttributes"},
    {0x1A, "ReliableUpdateStatus"},
    {0x1B, "FlashPageSize"},
};

// blhost's other names for properties (`blhost get-property security-state`).
constexpr Name kPropertyAliases[] = {
    {0x08, "check-status"},     {0x10, "system-device-id"},           {0x11, "security-state"},
    {0x12, "unique-device-id"}, {0x19, "external-memory-attributes"}, {0x0F, "ram-size"},
    {0x04, "flash-size"},
};

// "max-packet-size", "max_packet_size", "MaxPacketSize" all compare equal.
std::string fold(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '-' && c != '_')
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::string status_name(std::uint32_t status) {
    if (const Name* n = detail::find_name(kStatus, status))
        return std::string(n->name);
    return fmt::format("unknown status {}", status);
}

std::string command_name(std::uint8_t tag) {
    if (const Name* n = detail::find_name(kCommands, tag))
        return std::string(n->name);
    return fmt::format("0x{:02X}", tag);
}

std::string property_name(std::uint8_t tag) {
    if (const Name* n = detail::find_name(kProperties, tag))
        return std::string(n->name);
    return fmt::format("property 0x{:02X}", tag);
}

std::optional<std::uint8_t> parse_property(std::string_view text) {
    if (auto v = parse_uint(text)) {
        if (*v > 0xFF)
            return std::nullopt;
        return static_cast<std::uint8_t>(*v);
    }
    const std::string want = fold(text);
    const std::span<const Name> tables[] = {kProperties, kPropertyAliases};
    for (const auto& table : tables) {
        for (const auto& n : table)
            if (fold(n.name) == want)
                return static_cast<std::uint8_t>(n.value);
    }
    return std::nullopt;
}

std::string version_string(std::uint32_t word) {
    const char mark = static_cast<char>(word >> 24);
    const std::string prefix = (mark >= 'A' && mark <= 'Z') ? std::string(1, mark) : "";
    return fmt::format("{}{}.{}.{}", prefix, (word >> 16) & 0xFF, (word >> 8) & 0xFF, word & 0xFF);
}

}  // namespace rtprov::proto::mboot
